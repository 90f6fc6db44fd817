"""Exercise checks of chapter 7, *Which technique when*, that explain a wrong answer.

Same conventions as :mod:`helpers.checks`: a right answer prints a confirmation, a wrong
one raises :class:`~helpers.checks.CheckFailed` saying which mistake it looks like (a
threshold read off the test split, a verdict read from the point estimate, a prior
correction with the rates swapped, ...).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

from helpers.calibration import correct_probability
from helpers.checks import CheckFailed, _as_number
from helpers.evaluation import choose_threshold, threshold_metrics

__all__ = ["check_noise_verdict", "check_recall_at_precision", "check_weight_correction"]

VERDICTS = ("better", "worse", "no clear difference")


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


def check_recall_at_precision(
    threshold: Any,
    recall: Any,
    y_val: Any,
    p_val: Any,
    y_test: Any,
    p_test: Any,
    *,
    target: float,
) -> None:
    """Exercise 7.1: the lowest threshold reaching ``target`` precision on validation, and the
    test recall there."""
    t = _as_number(threshold, "the threshold")
    r = _as_number(recall, "the test recall")
    expected_t = choose_threshold(y_val, p_val, objective="precision", min_precision=target)
    if not _same(t, expected_t):
        try:
            on_test = choose_threshold(y_test, p_test, objective="precision", min_precision=target)
        except ValueError:
            on_test = math.nan
        if _same(t, on_test):
            raise CheckFailed(
                "That threshold was chosen on the test split. Choose it on the validation "
                "split (y_val, p_val) and use the test split only to report the result."
            )
        precision, _, cuts = precision_recall_curve(np.asarray(y_val), np.asarray(p_val))
        meets = cuts[precision[:-1] >= target]
        if meets.size and _same(t, float(meets.max())):
            raise CheckFailed(
                "That is the *highest* threshold whose validation precision reaches the target; "
                "the lowest such threshold flags more transactions and so catches more frauds "
                "(choose_threshold(..., objective='precision') returns it)."
            )
        val_precision = threshold_metrics(y_val, p_val, t)["precision"]
        if val_precision < target:
            raise CheckFailed(
                f"At your threshold {t:.4g} the validation precision is {val_precision:.3f}, "
                f"below the target {target}: the threshold is too low."
            )
        raise CheckFailed(
            f"Your threshold {t:.4g} reaches the target on validation but is not the lowest one "
            "that does: a higher threshold gives away recall."
        )
    test_point = threshold_metrics(y_test, p_test, expected_t)
    if _same(r, test_point["recall"]):
        print(f"Correct: the threshold is chosen on validation (precision >= {target}) and the "
              "recall is measured on the test split.")
        return
    val_point = threshold_metrics(y_val, p_val, expected_t)
    if _same(r, val_point["recall"]):
        raise CheckFailed("That is the recall on the validation split; report the recall on the "
                          "test split at the threshold you chose on validation.")
    if _same(r, test_point["precision"]):
        raise CheckFailed("That is the test precision at your threshold, not the recall.")
    if math.isclose(r, 100 * test_point["recall"], rel_tol=1e-6):
        raise CheckFailed("The threshold is right; the recall looks like a percentage: give a "
                          "fraction between 0 and 1.")
    raise CheckFailed(
        f"The threshold is right, but {r:.4g} is not the test recall there: compute "
        "threshold_metrics(y_test, p_test, threshold)['recall']."
    )


_METRICS = {"roc_auc": roc_auc_score, "pr_auc": average_precision_score}


def _runs(p: Any) -> list[np.ndarray]:
    """One array per seed: a list of arrays stays a list, a single array becomes one run."""
    if isinstance(p, (list, tuple)):
        return [np.asarray(r, dtype=np.float64).ravel() for r in p]
    return [np.asarray(p, dtype=np.float64).ravel()]


def check_noise_verdict(
    verdict: Any,
    difference: Any,
    y_true: Any,
    p_a: Any,
    p_b: Any,
    *,
    metric: str = "roc_auc",
) -> None:
    """Exercise 7.2: read a paired-bootstrap interval of ``metric(b) - metric(a)``.

    ``p_a`` and ``p_b`` are one probability array each, or lists with one array per
    training seed (then the difference is that of the seed averages, as
    :func:`helpers.evaluation.paired_difference_over_seeds` computes it).
    ``difference`` is the :class:`helpers.evaluation.Interval` the student computed;
    ``verdict`` one of ``"better"``, ``"worse"``, ``"no clear difference"`` (for ``b``).
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {sorted(_METRICS)}; got {metric!r}.")
    if difference is None or verdict is None:
        raise CheckFailed("No answer yet: compute the interval and write your verdict.")
    if isinstance(difference, Mapping):
        raise CheckFailed(f"You passed the whole dict of intervals; take its [{metric!r}] entry.")
    if not all(hasattr(difference, k) for k in ("estimate", "low", "high")):
        raise CheckFailed("The difference should be the Interval returned by "
                          "paired_difference_over_seeds (with .estimate, .low and .high); got "
                          f"{type(difference).__name__}.")
    fn = _METRICS[metric]
    y = np.asarray(y_true)
    runs_a, runs_b = _runs(p_a), _runs(p_b)
    per_a = [float(fn(y, p)) for p in runs_a]
    per_b = [float(fn(y, p)) for p in runs_b]
    score_a, score_b = float(np.mean(per_a)), float(np.mean(per_b))
    est = float(difference.estimate)
    if not math.isclose(est, score_b - score_a, abs_tol=1e-9):
        if math.isclose(est, score_a - score_b, abs_tol=1e-9):
            raise CheckFailed("The difference is the wrong way round: pass the baseline as the "
                              "first runs and the technique as the second, so that a positive "
                              "difference means the technique is better.")
        if len(runs_a) > 1 and any(math.isclose(est, b - a, abs_tol=1e-9)
                                   for a, b in zip(per_a, per_b, strict=False)):
            raise CheckFailed("That is the difference of one seed's models. Pass every seed "
                              "(the whole lists) to paired_difference_over_seeds, so that the "
                              "verdict is about the techniques, not one pair of models.")
        singles = per_a + per_b + [score_a, score_b]
        if any(math.isclose(est, v, abs_tol=1e-9) for v in singles):
            raise CheckFailed("That is the metric of one technique, not a difference between "
                              "two: use paired_difference_over_seeds.")
        other = "pr_auc" if metric == "roc_auc" else "roc_auc"
        other_diff = (np.mean([_METRICS[other](y, p) for p in runs_b])
                      - np.mean([_METRICS[other](y, p) for p in runs_a]))
        if math.isclose(est, float(other_diff), abs_tol=1e-9):
            raise CheckFailed(f"That is the {other} difference; the exercise asks for {metric}.")
        raise CheckFailed(f"The estimate {est:.4f} is not the {metric} difference of these two "
                          "techniques: check the metric, the models and their order.")
    low, high = float(difference.low), float(difference.high)
    if not low <= est <= high:
        raise CheckFailed("The interval does not contain its own estimate: pass the Interval "
                          "object itself, unmodified.")
    answer = str(verdict).strip().lower()
    if answer not in VERDICTS:
        raise CheckFailed(f"Write the verdict as one of {VERDICTS}; got {verdict!r}.")
    expected = "better" if low > 0 else "worse" if high < 0 else "no clear difference"
    if answer == expected:
        print("Correct: your verdict is what the paired interval says.")
        return
    sign_reading = "better" if est > 0 else "worse" if est < 0 else "no clear difference"
    if expected == "no clear difference" and answer == sign_reading:
        raise CheckFailed(
            "That verdict reads the sign of the point estimate. The verdict comes from the "
            "whole interval: another test split could move the estimate anywhere inside it."
        )
    if answer == "no clear difference":
        raise CheckFailed("Look again at where the interval lies relative to 0: 'no clear "
                          "difference' means the interval contains 0.")
    raise CheckFailed("The interval measures technique minus baseline: check which side of 0 "
                      "it lies on, and what that sign means for the technique.")


def check_weight_correction(
    p_corrected: Any,
    p_raw: Any,
    class_weight: Any,
    *,
    expected_ratio: float | None = None,
) -> None:
    """Exercise 7.3: the prior correction of a class-weighted model's probabilities.

    ``expected_ratio`` (``w_1 / w_0`` the exercise asks for) lets the check catch weights
    that are not the requested ones.
    """
    if p_corrected is None or p_raw is None or class_weight is None:
        raise CheckFailed("No answer yet: set the weights, train, and correct the probabilities.")
    if not isinstance(class_weight, Mapping) or set(class_weight) != {0, 1}:
        raise CheckFailed(f"The class weights should be a dict {{0: w0, 1: w1}}; got "
                          f"{class_weight!r}.")
    w0, w1 = float(class_weight[0]), float(class_weight[1])
    if expected_ratio is not None and not math.isclose(w1 / w0, expected_ratio, rel_tol=1e-3):
        ratio = w1 / w0
        if math.isclose(ratio, expected_ratio**2, rel_tol=1e-3):
            hint = "That is the balanced ratio neg/pos; the exercise asks for its square root."
        elif math.isclose(ratio, 1 / expected_ratio, rel_tol=1e-3):
            hint = "The weights are the wrong way round: the rare positives get the larger one."
        elif math.isclose(ratio, 1 / expected_ratio**2, rel_tol=1e-3):
            hint = ("That is pos/neg: the positives get the larger weight, the square root of "
                    "neg/pos.")
        else:
            hint = "That is not the square root of neg/pos on the training split."
        raise CheckFailed(f"Your weights have w1/w0 = {ratio:.4g}. {hint}")
    raw = np.asarray(p_raw, dtype=np.float64).ravel()
    got = np.asarray(p_corrected, dtype=np.float64).ravel()
    if got.shape != raw.shape:
        raise CheckFailed(f"p_corrected has {got.size} values but p_raw has {raw.size}: correct "
                          "every test probability.")
    expected = correct_probability(raw, w1, w0)
    if np.allclose(got, expected, rtol=1e-5, atol=1e-12):
        print(f"Correct: the prior correction lowers the mean probability from {raw.mean():.5f} "
              "(raw) as it should.")
        return
    if np.allclose(got, raw, rtol=1e-6, atol=1e-12):
        raise CheckFailed("These are the raw probabilities: apply the prior correction with "
                          "alpha = w1 and beta = w0.")
    if np.allclose(got, correct_probability(raw, w0, w1), rtol=1e-5, atol=1e-12):
        raise CheckFailed("alpha and beta are swapped: the positives were up-weighted, so "
                          "alpha = w1 and beta = w0 (the correction must lower the outputs).")
    if np.allclose(got, raw * w0 / w1, rtol=1e-5, atol=1e-12):
        raise CheckFailed("You scaled the probabilities by w0/w1; the correction scales the odds "
                          "p/(1-p) by w0/w1 and converts back to a probability.")
    raise CheckFailed("The corrected probabilities do not match correct_probability(p_raw, "
                      "w1, w0): check the formula p = (p_s/alpha) / (p_s/alpha + (1-p_s)/beta).")
