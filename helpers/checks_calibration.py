"""Exercise checks of chapter 6, *Recalibration*, that explain a wrong answer.

Same conventions as :mod:`helpers.checks`: a right answer prints a confirmation, a wrong
one raises :class:`~helpers.checks.CheckFailed` saying which mistake it looks like
(``alpha`` and ``beta`` swapped, ``w`` instead of ``1/w``, a threshold left on the wrong
scale, ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.calibration import correct_probability, cost_threshold, sampling_transform
from helpers.checks import CheckFailed, check_close, reject_book_helper
from helpers.models import class_counts

__all__ = [
    "check_corrected_value",
    "check_keep_rate",
    "check_raw_threshold",
    "check_replication_function",
]


def check_keep_rate(answer: Any, y_train: Any, negatives_per_positive: float = 3.0) -> None:
    """Exercise 6.1: the fraction of negatives kept when undersampling to ``k`` negatives per positive."""
    neg, pos = class_counts(y_train)
    k = float(negatives_per_positive)
    expected = k * pos / neg
    check_close(
        answer,
        expected,
        what="the keep rate w of the negatives",
        rtol=0.005,
        mistakes=[
            (1 / k, "That is the ratio of positives to negatives after sampling. The keep "
                    "rate is the fraction of the original negatives that survive: "
                    "(negatives kept) / (negatives before)."),
            (pos / neg, "That is the keep rate of a balanced (1:1) sample; with three negatives "
                        "per positive you keep three times as many."),
            (neg / (k * pos), "Upside down: negatives kept divided by negatives before is at "
                              "most 1."),
            (100 * expected, "That looks like a percentage: give a fraction between 0 and 1."),
        ],
    )


def check_corrected_value(answer: Any, p_s: float, alpha: float, beta: float) -> None:
    """Exercise 6.1: the corrected probability of one raw output ``p_s``."""
    expected = float(correct_probability(p_s, alpha, beta))
    forward = float(sampling_transform(p_s, alpha, beta))
    odds = p_s / (1 - p_s) * beta / alpha if p_s < 1 else math.inf
    mistakes = [
        (p_s, "That is the raw output itself: the correction moves it towards the "
              "natural fraud rate."),
        (forward, "alpha and beta are swapped (or you applied the sampling transform "
                  "again): correcting divides by the training rates, "
                  "p = (p_s/alpha) / (p_s/alpha + (1 - p_s)/beta)."),
        (p_s * beta / alpha, "You scaled the probability by beta/alpha; the correction scales "
                             "the odds p/(1-p), then converts back to a probability."),
    ]
    if math.isfinite(odds) and not math.isclose(odds, expected, rel_tol=1e-3):
        mistakes.append((odds, "That is the corrected odds p/(1-p); turn it into a "
                               "probability with odds / (1 + odds)."))
    check_close(answer, expected, what="the corrected probability", rtol=1e-3, atol=1e-12,
                mistakes=[m for m in mistakes if math.isfinite(m[0])])


def check_replication_function(fn: Callable[[np.ndarray, float], Any]) -> None:
    """Exercise 6.2: ``fn(p_s, k)`` undoes the replication of every positive ``k`` times."""
    if not callable(fn):
        raise CheckFailed("Pass your function itself, e.g. check_replication_function(my_fn).")
    reject_book_helper(fn, ("helpers.calibration",), name="correct_replicated")
    grid = np.array([0.0, 1e-6, 0.001, 0.1, 0.5, 0.9, 0.999, 1.0])
    for k in (4.0, 578.0):
        with np.errstate(all="ignore"):
            got = np.asarray(fn(grid.copy(), k), dtype=np.float64)
        if got.shape != grid.shape:
            raise CheckFailed(
                f"fn(p_s, {k:g}) returned shape {got.shape} for {grid.size} probabilities: "
                "return one corrected probability per input, element-wise."
            )
        expected = correct_probability(grid, k, 1.0)
        if np.allclose(got, expected, rtol=1e-9, atol=1e-15):
            continue
        if np.isnan(got).any():
            bad = grid[np.isnan(got)]
            raise CheckFailed(
                f"fn returned NaN for p_s = {bad.tolist()} (k = {k:g}): write the formula "
                "so that 0 and 1 need no division by zero, e.g. p_s / (p_s + k (1 - p_s))."
            )
        if np.allclose(got, correct_probability(grid, 1.0, k), rtol=1e-9, atol=1e-15):
            raise CheckFailed(
                "Your correction pushes probabilities up instead of down: alpha and beta are "
                "swapped. Replicating positives k times means alpha = k and beta = 1, and "
                "the correction divides by alpha."
            )
        if np.allclose(got, grid / k, rtol=1e-9, atol=1e-15):
            raise CheckFailed(
                "Dividing p_s by k is only half the formula: the result must be normalised, "
                "(p_s/k) / (p_s/k + (1 - p_s)), so that 1 stays 1."
            )
        if (got < 0).any() or (got > 1).any():
            raise CheckFailed(f"fn returned values outside [0, 1] for k = {k:g}: {got.tolist()}.")
        worst = int(np.argmax(np.abs(got - expected)))
        raise CheckFailed(
            f"For p_s = {grid[worst]:g} and k = {k:g} you return {got[worst]:.6g}, which is not "
            "the corrected probability. Start from p_s = k p / (k p + (1 - p)) and solve for p."
        )
    print("Correct: your function undoes replication by k, and keeps 0 and 1 fixed.")


def check_raw_threshold(
    answer: Any, cost_fp: float, cost_fn: float, alpha: float, beta: float
) -> None:
    """Exercise 6.3: the threshold on a resampled model's *raw* scale that minimises expected cost."""
    t_star = cost_threshold(cost_fp, cost_fn)
    expected = float(sampling_transform(t_star, alpha, beta))
    check_close(
        answer,
        expected,
        what="the raw-scale threshold",
        rtol=1e-3,
        atol=1e-12,
        mistakes=[
            (t_star, "That is the cost-optimal threshold for *calibrated* probabilities. The "
                     "raw outputs live on the training prior's scale: push the threshold "
                     "through the sampling transform, p_s = alpha t / (alpha t + beta (1 - t))."),
            (float(correct_probability(t_star, alpha, beta)),
             "You mapped the threshold the wrong way (the correction instead of the sampling "
             "transform): a raw output is larger than the probability it stands for, so the "
             "raw threshold must be larger too."),
            (cost_fn / (cost_fp + cost_fn), "The costs are swapped: flag when "
                                            "p c_FN >= (1 - p) c_FP, i.e. t = c_FP/(c_FP + c_FN)."),
            (float(sampling_transform(cost_fn / (cost_fp + cost_fn), alpha, beta)),
             "Mapped correctly, but the costs are swapped: t = c_FP / (c_FP + c_FN)."),
            (0.5, "0.5 is the default threshold; it is cost-optimal only for a cost ratio "
                  "that matches the training prior."),
        ],
    )
