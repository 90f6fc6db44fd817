"""Exercise checks of chapter 3, *Undersampling + bagging versus two-phase training*.

Same conventions as :mod:`helpers.checks`: a right answer prints a confirmation, a wrong
one raises :class:`~helpers.checks.CheckFailed` saying which mistake it looks like (odds
instead of a probability, the value before or after fine-tuning, bags drawn with
replacement or without their positives, ...).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from helpers.checks import CheckFailed, _as_number, check_close, reject_book_helper
from helpers.validation import as_binary_labels

__all__ = ["check_bags", "check_balanced_threshold", "check_short_fine_tune"]


def check_balanced_threshold(answer: Any, negatives_per_positive: float) -> None:
    """Exercise 3.1: the threshold on a natural-prior model that matches a balanced model's 0.5.

    With ``k`` negatives per positive, a balanced model's 0.5 contour is where the
    likelihood ratio is 1, which a model of the natural prior puts at probability ``1/(1+k)``.
    """
    k = float(negatives_per_positive)
    if not k > 0:
        raise ValueError(f"negatives_per_positive must be positive; got {negatives_per_positive!r}.")
    expected = 1.0 / (1.0 + k)
    mistakes = [
        (0.5, "0.5 is the balanced model's threshold; the natural-prior model's probabilities "
              "are smaller everywhere, so its matching threshold is lower."),
        (k / (1.0 + k), "That is the share of negatives; the threshold is the positive share "
                        "1 / (1 + k), where the posterior equals the prior."),
        (100.0 * expected, "That looks like a percentage: give a probability between 0 and 1."),
    ]
    if not math.isclose(1.0 / k, expected, rel_tol=0.01):
        mistakes.insert(0, (1.0 / k, "1/k is the prior *odds* of a positive; the threshold is a "
                                     "probability: odds / (1 + odds) = 1 / (1 + k)."))
    check_close(answer, expected, what=f"the matching threshold for k = {k:g}", rtol=0.005,
                mistakes=mistakes)


def check_short_fine_tune(answer: Any, before: float, after_full: float, natural_rate: float) -> None:
    """Exercise 3.2: the mean test probability after one fine-tuning epoch.

    ``before`` is the mean before fine-tuning (the balanced model), ``after_full`` the mean
    after all epochs; one epoch must land in between, closer to ``before``'s side than the
    full run, and must not be the natural rate itself.
    """
    value = _as_number(answer, "the mean predicted probability after one epoch")
    lo, hi = sorted((float(after_full), float(before)))
    gap = hi - lo
    if not gap > 0:
        raise ValueError("before and after_full must differ: pass the chapter's trace values.")
    if abs(value - float(before)) < 0.05 * gap:
        raise CheckFailed(
            f"{value:.4f} is the mean *before* fine-tuning ({before:.4f}): did the second "
            "phase run? Start from the phase-1 weights and train one epoch on all the data."
        )
    if abs(value - float(after_full)) < 0.05 * gap:
        raise CheckFailed(
            f"{value:.4f} is about the mean after the full fine-tuning ({after_full:.4f}): "
            "train for one epoch only (shuffled_batches(..., epochs=1, ...))."
        )
    if math.isclose(value, natural_rate, rel_tol=0.02):
        raise CheckFailed(
            f"{value:.4f} is the natural positive rate itself; measure the mean of the "
            "fine-tuned model's predicted probabilities on the test points."
        )
    if not lo < value < hi:
        raise CheckFailed(
            f"{value:.4f} is outside the range from {lo:.4f} (after full fine-tuning) to "
            f"{hi:.4f} (before): one epoch of fine-tuning should move the mean part of the "
            "way. Check the learning rate (0.001) and that you averaged probabilities, not logits."
        )
    print(f"Correct: one epoch moves the mean part of the way from {before:.4f} towards "
          f"{after_full:.4f}; compare your number with both to answer the prediction.")


def check_bags(bags: Any, y: Any, n_bags: int, *, seed: int = 0) -> None:
    """Exercise 3.3: undersampled bags, each all positives plus as many distinct random negatives.

    ``bags`` is the list of index arrays ``make_bags(y, n_bags, rng)`` returned, or the
    function ``make_bags`` itself (then the check calls it with
    ``np.random.default_rng(seed)`` and refuses the book's helpers as the function).
    """
    labels = as_binary_labels(y, "y")
    if callable(bags):
        reject_book_helper(bags, ("helpers.blobs", "imblearn"), name="make_bags")
        try:
            bags = bags(labels.copy(), n_bags, np.random.default_rng(seed))
        except Exception as err:  # the student's code may raise anything
            raise CheckFailed(f"make_bags raised {type(err).__name__}: {err}") from None
    if bags is None or bags is Ellipsis:
        raise CheckFailed("No answer yet: return a list with one index array per bag.")
    try:
        sets = [np.asarray(b) for b in bags]
    except TypeError:
        raise CheckFailed(f"bags should be a list of index arrays; got {type(bags).__name__}.") from None
    if len(sets) != n_bags:
        raise CheckFailed(f"Expected {n_bags} bags; got {len(sets)}.")
    pos = np.flatnonzero(labels == 1)
    for i, s in enumerate(sets):
        if s.ndim != 1 or not np.issubdtype(s.dtype, np.integer):
            raise CheckFailed(
                f"Bag {i} should be a 1-D array of integer row indices; got dtype {s.dtype} "
                f"and shape {s.shape}."
            )
        if s.size and (s.min() < 0 or s.max() >= labels.size):
            raise CheckFailed(f"Bag {i} holds indices outside 0..{labels.size - 1}.")
        in_bag = labels[s]
        n_pos_bag = int(in_bag.sum())
        if not np.isin(pos, s).all():
            raise CheckFailed(
                f"Bag {i} misses some positives: every bag keeps all {pos.size} positives "
                "and undersamples only the negatives."
            )
        if n_pos_bag != pos.size:
            raise CheckFailed(
                f"Bag {i} holds {n_pos_bag} positive rows for {pos.size} positives: a positive "
                "is repeated. Use the positives once each."
            )
        negs = s[in_bag == 0]
        if negs.size != pos.size:
            raise CheckFailed(
                f"Bag {i} has {negs.size} negatives for {pos.size} positives; a balanced bag "
                "has as many of each."
            )
        if np.unique(negs).size != negs.size:
            raise CheckFailed(
                f"Bag {i} repeats negatives: draw them without replacement "
                "(rng.choice(neg, n_pos, replace=False))."
            )
    if n_bags > 1 and all(np.array_equal(np.sort(sets[0]), np.sort(s)) for s in sets[1:]):
        raise CheckFailed(
            "All bags hold the same rows: draw fresh negatives for every bag (do not reseed "
            "the generator inside the loop)."
        )
    print(f"Correct: {n_bags} balanced bags of {2 * pos.size} rows, all positives in each, "
          "distinct negatives within a bag.")

