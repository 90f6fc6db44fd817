"""Exercise checks that explain a wrong answer (introduced in chapter 0).

A check prints a short confirmation when the answer is right and raises
:class:`CheckFailed` (an ``AssertionError``) that says *what* is wrong otherwise:
which value was expected, and, for the usual mistakes, which mistake it looks like.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from helpers.models import expected_initial_loss, initial_output_bias
from helpers.validation import as_binary_labels


class CheckFailed(AssertionError):
    """The answer is not right yet; the message says why."""


def _as_number(answer: Any, what: str) -> float:
    if answer is None or answer is Ellipsis:
        raise CheckFailed(f"No answer yet for {what}: replace the placeholder with your value.")
    try:
        value = float(np.asarray(answer).squeeze())
    except (TypeError, ValueError):
        raise CheckFailed(
            f"{what} should be a single number; got {type(answer).__name__} {answer!r}."
        ) from None
    if not math.isfinite(value):
        raise CheckFailed(f"{what} should be a finite number; got {value}.")
    return value


def check_close(
    answer: Any,
    expected: float,
    *,
    what: str,
    rtol: float = 0.01,
    atol: float = 1e-9,
    mistakes: Sequence[tuple[float, str]] = (),
) -> None:
    """Check a numeric answer; ``mistakes`` pairs known wrong values with an explanation."""
    value = _as_number(answer, what)
    if math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
        print(f"Correct: {what} = {value:.6g}.")
        return
    for wrong, explanation in mistakes:
        if math.isclose(value, wrong, rel_tol=rtol, abs_tol=atol):
            raise CheckFailed(f"Not yet: {what} = {value:.6g}. {explanation}")
    direction = "too large" if value > expected else "too small"
    raise CheckFailed(
        f"Not yet: {what} = {value:.6g} is {direction}; expected about {expected:.6g} "
        f"(within {rtol:.0%})."
    )


def check_no_skill_pr_auc(answer: Any, y: Any) -> None:
    """Exercise 0.1: the PR-AUC of a classifier with no skill is the positive rate."""
    labels = as_binary_labels(y)
    rate = float(labels.mean())
    check_close(
        answer,
        rate,
        what="the no-skill PR-AUC",
        rtol=0.05,
        mistakes=[
            (0.5, "0.5 is the no-skill ROC-AUC. A random ranking's precision is the fraction "
                  "of positives at every recall, so PR-AUC has a different baseline."),
            (1 - rate, "That is the fraction of negatives: precision counts positives among "
                       "the flagged examples."),
            (rate * 100, "That looks like a percentage: give a fraction between 0 and 1."),
        ],
    )


def check_output_bias(answer: Any, y_train: Any) -> None:
    """Exercise 0.2: the output bias ``log(pos/neg)`` for the training labels."""
    labels = as_binary_labels(y_train)
    pos = float(labels.sum())
    neg = float(labels.size - pos)
    check_close(
        answer,
        initial_output_bias(labels),
        what="the initial output bias",
        rtol=0.005,
        mistakes=[
            (math.log(neg / pos), "The sign is flipped: the ratio is positives over negatives, "
                                  "so the bias is negative for a rare positive class."),
            (pos / neg, "Take the logarithm: the bias lives on the logit scale."),
            (math.log(pos / (pos + neg)), "That is log(pos/total), the log of the rate; the "
                                          "logit of the rate is log(pos/neg)."),
            (math.log10(pos / neg), "Use the natural logarithm (np.log), not log10."),
        ],
    )


def check_initial_loss(answer: Any, y_train: Any) -> None:
    """Exercise 0.2: the expected initial cross-entropy with a careful bias."""
    labels = as_binary_labels(y_train)
    p = float(labels.mean())
    check_close(
        answer,
        expected_initial_loss(labels),
        what="the expected initial loss",
        rtol=0.01,
        mistakes=[
            (math.log(2), "log 2 is the loss of predicting 0.5, what a zero bias gives."),
            (-p * math.log(p), "You kept only the positives' term; negatives contribute "
                               "-(1 - p) log(1 - p) too."),
            (-(p * math.log2(p) + (1 - p) * math.log2(1 - p)),
             "That is in bits: Keras' cross-entropy uses natural logs."),
        ],
    )


def check_threshold_function(
    fn: Callable[[np.ndarray, np.ndarray, float], float],
    y_val: Any,
    p_val: Any,
    y_test: Any,
    p_test: Any,
    target: float,
) -> float:
    """Exercise 0.3: a function returning the lowest validation threshold reaching ``target`` precision.

    Checks it on a small hand-made case first, then on the chapter's validation data, and
    explains the answer it would give if it had peeked at the test split.
    """
    from sklearn.metrics import precision_score

    from helpers.evaluation import choose_threshold

    if not callable(fn):
        raise CheckFailed("Pass your function itself, e.g. check_threshold_function(my_fn, ...).")
    y_toy = np.array([0, 0, 1, 0, 1, 1])
    p_toy = np.array([0.1, 0.2, 0.3, 0.4, 0.8, 0.9])
    toy = _as_number(fn(y_toy, p_toy, 0.75), "your threshold on the toy case")
    if not math.isclose(toy, 0.3):
        got = precision_score(y_toy, p_toy >= toy, zero_division=0.0)
        raise CheckFailed(
            f"On labels {y_toy.tolist()} with scores {p_toy.tolist()} and target 0.75 you "
            f"returned {toy:g} (precision {got:.2f}); the lowest threshold with precision "
            ">= 0.75 is 0.3 (3 of the 4 examples scored 0.3 or more are positive). Scan all "
            "candidate thresholds, keep those meeting the target, take the smallest."
        )
    value = _as_number(fn(np.asarray(y_val), np.asarray(p_val), target), "your threshold")
    expected = choose_threshold(y_val, p_val, objective="precision", min_precision=target)
    try:
        peeked = choose_threshold(y_test, p_test, objective="precision", min_precision=target)
    except ValueError:
        peeked = math.nan
    if math.isclose(value, expected, rel_tol=1e-6):
        print(f"Correct: threshold {value:.4g}, chosen on validation data.")
        return value
    if math.isclose(value, peeked, rel_tol=1e-6):
        raise CheckFailed(
            f"Your threshold {value:.4g} is the one the *test* split would choose. Choose it "
            "on (y_val, p_val): a threshold read off the test set makes test results optimistic."
        )
    raise CheckFailed(
        f"Your threshold {value:.4g} differs from the validation answer {expected:.4g}: "
        "check that it is the lowest threshold whose precision reaches the target."
    )
