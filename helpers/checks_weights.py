"""Exercise checks for chapter 1, *Class weights*.

Same contract as :mod:`helpers.checks`: a short confirmation when the answer is right,
otherwise :class:`~helpers.checks.CheckFailed` saying *what* is wrong, naming the usual
mistake when the answer matches one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from helpers.checks import CheckFailed, check_close, reject_book_helper
from helpers.evaluation import threshold_metrics
from helpers.weights import as_class_weight, effective_number_weights, equivalent_threshold

__all__ = [
    "check_effective_weights_function",
    "check_minority_weight",
    "check_predicted_confusion",
]


def _raw_weights(counts: np.ndarray, beta: float) -> np.ndarray:
    return (1 - beta) / (1 - beta ** counts)


def check_minority_weight(answer: Any, counts: Any, beta: float) -> None:
    """Exercise 1.1: the first (minority) class's effective-number weight for ``counts``, ``beta``."""
    n = np.asarray(counts, dtype=np.float64)
    expected = float(effective_number_weights(n, beta)[0])
    inverse = (1 / n) * (n.size / np.sum(1 / n))
    raw = _raw_weights(n, beta)
    effective = (1 - beta ** n) / (1 - beta)
    mistakes = [
        (float(inverse[0]), "That is inverse frequency, the beta -> 1 limit. With this beta the "
                            "effective number saturates at 1 / (1 - beta): is the minority "
                            "class below or above that cap?"),
        (float(raw[0]), "That is (1 - beta) / (1 - beta**n) before normalising: scale the weights "
                        "so that they sum to the number of classes."),
        (float(raw[0] / raw.sum()), "Those weights sum to 1; Cui et al. normalise them to sum to "
                                    "the number of classes."),
        (float(effective[0]), "That is the effective number E_n itself; the weight is "
                              "proportional to its inverse."),
    ]
    mistakes += [(float(effective_number_weights(n, b)[0]),
                  f"That is the weight for beta = {b}, not {beta}.")
                 for b in (0.99, 0.999, 0.9999) if not math.isclose(b, beta)]
    check_close(answer, expected, what=f"the minority weight at beta = {beta}", rtol=0.002,
                mistakes=[(w, m) for w, m in mistakes if not math.isclose(w, expected, rel_tol=0.002)])


def _as_counts(answer: Any) -> dict[str, int]:
    if answer is None or answer is Ellipsis:
        raise CheckFailed("No answer yet: fill in predicted = {'tp': ..., 'fp': ..., 'fn': ..., "
                          "'tn': ...}.")
    if isinstance(answer, Mapping):
        keys = {"tp", "fp", "fn", "tn"}
        if set(answer) != keys:
            raise CheckFailed(f"Use exactly the keys {sorted(keys)}; got {sorted(answer)}.")
        values = {k: answer[k] for k in keys}
    else:
        arr = np.asarray(answer)
        if arr.shape != (2, 2):
            raise CheckFailed(
                "Give a dict {'tp', 'fp', 'fn', 'tn'} or a 2x2 array laid out like "
                f"sklearn's confusion_matrix, [[tn, fp], [fn, tp]]; got shape {arr.shape}."
            )
        values = {"tn": arr[0, 0], "fp": arr[0, 1], "fn": arr[1, 0], "tp": arr[1, 1]}
    out = {}
    for k, v in values.items():
        try:
            out[k] = int(v)
        except (TypeError, ValueError):
            raise CheckFailed(f"{k} should be a count of examples; got {v!r}.") from None
        if out[k] != v or out[k] < 0:
            raise CheckFailed(f"{k} should be a whole, non-negative count; got {v!r}.")
    return out


def check_predicted_confusion(
    answer: Any,
    y_test: Any,
    p_unweighted: Any,
    class_weight: Mapping[int, float],
    p_weighted: Any | None = None,
) -> None:
    """Exercise 1.2: predict a weighted model's confusion matrix at 0.5 from the unweighted one.

    The expected answer moves the unweighted model's threshold to
    :func:`helpers.weights.equivalent_threshold`. If ``p_weighted`` is given, the check
    also prints how close the prediction comes to the model really trained with weights.
    """
    cw = as_class_weight(class_weight)
    got = _as_counts(answer)
    y = np.asarray(y_test)
    if sum(got.values()) != y.size:
        raise CheckFailed(f"Your four counts add up to {sum(got.values())}, but the test split has "
                          f"{y.size} examples: every example lands in exactly one cell.")
    if got["tp"] + got["fn"] != int(y.sum()):
        raise CheckFailed(f"tp + fn = {got['tp'] + got['fn']}, but the test split has "
                          f"{int(y.sum())} positives: weighting moves positives between tp and "
                          "fn, it cannot create or remove them.")

    def cells(t: float) -> dict[str, int]:
        m = threshold_metrics(y, p_unweighted, t)
        return {k: int(m[k]) for k in ("tp", "fp", "fn", "tn")}

    t_eq = equivalent_threshold(cw, 0.5)
    expected = cells(t_eq)
    if got == expected:
        print("Correct: these are the unweighted model's counts at the equivalent threshold.")
        if p_weighted is not None:
            real = threshold_metrics(y, p_weighted, 0.5)
            print("The model trained with these weights, at 0.5: "
                  f"{ {k: int(real[k]) for k in ('tp', 'fp', 'fn', 'tn')} }. The theory predicts "
                  "the direction and the rough size; training noise does the rest.")
        return
    flipped = cells(equivalent_threshold({0: cw[1], 1: cw[0]}, 0.5))
    if got == cells(0.5):
        raise CheckFailed("That is the unweighted model at 0.5: the weights change the odds the "
                          "model learns, so its 0.5 sits elsewhere on the unweighted scale.")
    if got == flipped:
        raise CheckFailed(
            "The ratio is upside down: up-weighting positives by r = w1/w0 multiplies the "
            "learnt odds by r, so the unweighted model must be cut at odds 1/r, i.e. at the "
            "threshold w0 / (w0 + w1), a *lower* threshold."
        )
    if got["fp"] < cells(0.5)["fp"]:
        raise CheckFailed("Up-weighting the positives makes the model flag more, not fewer: "
                          "false positives can only grow.")
    raise CheckFailed(
        f"Not yet: you predicted {got}; the unweighted model at the equivalent threshold "
        "w0 / (w0 + w1) gives different counts. Compute that threshold from the class weights, "
        "then count the four cells with p_unweighted >= threshold."
    )


def check_effective_weights_function(fn: Callable[[Any, float], Any]) -> None:
    """Exercise 1.3: a hand-written effective-number weight function, tried on several cases."""
    if not callable(fn):
        raise CheckFailed("Pass your function itself, e.g. "
                          "check_effective_weights_function(my_effective_weights).")
    reject_book_helper(fn, ("helpers.weights",), name="my_effective_weights")
    cases = [([100, 7000], 0.99), ([100, 7000], 0.999), ([295, 170_589], 0.9999),
             ([5, 50, 500], 0.9), ([10, 10], 0.5), ([30, 3000], 0.0)]
    for counts, beta in cases:
        try:
            got = np.asarray(fn(counts, beta), dtype=np.float64).ravel()
        except Exception as err:  # report any failure to the student
            raise CheckFailed(f"Your function raised {type(err).__name__}: {err} for counts "
                              f"{counts}, beta {beta}.") from None
        n = np.asarray(counts, dtype=np.float64)
        expected = effective_number_weights(n, beta)
        if got.shape != expected.shape:
            raise CheckFailed(f"For counts {counts} return one weight per class "
                              f"({expected.size}); got shape {got.shape}.")
        if np.allclose(got, expected, rtol=1e-6):
            continue
        where = f"for counts {counts} and beta {beta}"
        total = got.sum()
        if total > 0 and np.allclose(got * (n.size / total), expected, rtol=1e-6):
            if np.isclose(total, 1.0):
                raise CheckFailed(f"{where} your weights sum to 1; Cui et al. normalise them to "
                                  f"sum to the number of classes ({n.size}).")
            raise CheckFailed(f"{where} your weights have the right ratios but sum to "
                              f"{total:.4g}: scale them so they sum to the number of classes "
                              f"({n.size}).")
        effective = (1 - beta ** n) / (1 - beta)
        if np.allclose(got / got.sum(), effective / effective.sum(), rtol=1e-6):
            raise CheckFailed(f"{where} your weights grow with the class size: the weight is "
                              "proportional to the *inverse* of the effective number.")
        inverse = (1 / n) * (n.size / np.sum(1 / n))
        if np.allclose(got, inverse, rtol=1e-6):
            raise CheckFailed(f"{where} you returned inverse-frequency weights: beta has to "
                              "enter through (1 - beta**n).")
        if np.allclose(got[::-1], expected, rtol=1e-6):
            raise CheckFailed(f"{where} your weights are in the reverse order: the i-th weight "
                              "belongs to the i-th count.")
        if np.all(got > 0) and np.allclose(1 / got, expected, rtol=1e-6):
            raise CheckFailed(f"{where} your weights are the reciprocals of the right ones.")
        raise CheckFailed(f"{where} you return {np.round(got, 5).tolist()}, which is not the "
                          "normalised (1 - beta) / (1 - beta**n) and none of the usual mistakes.")
    for bad in (([100, 0], 0.99), ([100, 7000], 1.0)):
        try:
            fn(*bad)
        except ValueError:
            continue
        except Exception as err:
            raise CheckFailed(f"For counts {bad[0]} and beta {bad[1]} raise ValueError with a "
                              f"message, not {type(err).__name__}.") from None
        raise CheckFailed(
            f"Counts {bad[0]} with beta {bad[1]} should raise ValueError: a class with no "
            "examples, or beta = 1 (where 1 - beta**n is 0), makes the formula meaningless."
        )
    print(f"Correct: your weights are right on {len(cases)} cases, and bad input raises "
          "ValueError.")
