"""Exercise checks for chapter 2, *Oversampling and undersampling*.

Same contract as :mod:`helpers.checks`: a short confirmation when the answer is right,
otherwise :class:`~helpers.checks.CheckFailed` saying *what* is wrong, naming the usual
mistake when the answer matches one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.checks import CheckFailed, _as_number, reject_book_helper
from helpers.evaluation import choose_threshold, threshold_metrics
from helpers.resampling import steps_to_see_negatives_once

__all__ = [
    "check_matching_threshold",
    "check_oversample_function",
    "check_steps_per_epoch",
    "check_stream_fraction",
]


def check_stream_fraction(
    stream: Any,
    target: float,
    *,
    batch_size: int | None = None,
    n_batches: int = 40,
    tolerance: float = 0.03,
) -> None:
    """Exercise 2.1: a tf.data stream of ``(x, y)`` batches with positive fraction ``target``.

    Reads ``n_batches`` batches and compares the mean fraction of positive labels with
    ``target`` (and, if given, the size of the first batch with ``batch_size``).
    """
    if stream is None or stream is Ellipsis:
        raise CheckFailed("No answer yet: build the stream and assign it to the variable.")
    if not hasattr(stream, "take") or not hasattr(stream, "element_spec"):
        raise CheckFailed(
            f"Expected a tf.data.Dataset; got {type(stream).__name__}. Build it with "
            "tf.data.Dataset.sample_from_datasets (or balanced_stream)."
        )
    spec = stream.element_spec
    if not isinstance(spec, tuple) or len(spec) != 2:
        raise CheckFailed(
            "Each element of the stream should be a pair (features, labels), as Keras' fit "
            f"expects; got elements of the form {spec}."
        )
    fractions, sizes = [], []
    for _, labels in stream.take(n_batches):
        values = np.asarray(labels, dtype=np.float64).reshape(-1)
        sizes.append(values.size)
        fractions.append(float(values.mean()))
    if len(fractions) < n_batches:
        raise CheckFailed(
            f"The stream ended after {len(fractions)} batches. Repeat both class datasets "
            "(.repeat()) so that it never runs out, and let steps_per_epoch end an epoch."
        )
    if sizes[0] == 1 or min(sizes) == 0:
        raise CheckFailed("The batches hold single rows or none: did you forget .batch(...)?")
    if batch_size is not None and sizes[0] != batch_size:
        raise CheckFailed(
            f"The first batch has {sizes[0]} rows, not {batch_size}: batch the merged stream "
            f"with .batch({batch_size}) (or pass batch_size={batch_size})."
        )
    mean = float(np.mean(fractions))
    if abs(mean - target) <= tolerance:
        print(f"Correct: {mean:.3f} of the rows are positive over {n_batches} batches "
              f"(target {target}).")
        return
    if abs(mean - (1 - target)) <= tolerance:
        raise CheckFailed(
            f"The positive fraction is {mean:.3f}, about 1 - {target}: the weights are in the "
            "wrong order. weights[i] belongs to the i-th dataset of the list."
        )
    if mean < 0.02:
        raise CheckFailed(
            f"The positive fraction is {mean:.3f}, about the natural fraud rate: the stream is "
            "not resampled, or the positives ran out (repeat them)."
        )
    if abs(mean - 0.5) <= tolerance:
        raise CheckFailed(f"The positive fraction is {mean:.3f}: that is a 50/50 stream, not "
                          f"{target:.0%} positives.")
    raise CheckFailed(f"The positive fraction is {mean:.3f}; expected about {target} "
                      f"(within {tolerance}).")


def check_steps_per_epoch(
    answer: Any, *, n_negatives: int, batch_size: int, positive_fraction: float
) -> None:
    """Exercise 2.1: steps for a stream to draw as many negatives as there are."""
    value = _as_number(answer, "the number of steps")
    expected = steps_to_see_negatives_once(n_negatives, batch_size, positive_fraction)
    if value == expected:
        print(f"Correct: that many steps of {batch_size} rows draw about {n_negatives:,} "
              "negatives.")
        return
    mistakes = [
        (math.ceil(n_negatives / (batch_size * positive_fraction)),
         "You divided by the positive share of a batch; an epoch here is about the "
         f"negatives, which fill a share of {1 - positive_fraction:g} of each batch."),
        (math.ceil(n_negatives / batch_size),
         "That many steps would hold the negatives if every row of a batch were negative; "
         f"only a share of {1 - positive_fraction:g} is."),
        (steps_to_see_negatives_once(n_negatives, batch_size, 0.5),
         "That is the epoch of a 50/50 stream; redo it with this stream's fraction."),
        (expected - 1, "Round up: the last, partly used batch is a step too."),
        (n_negatives / (batch_size * (1 - positive_fraction)),
         "Steps are whole numbers: round up with math.ceil."),
    ]
    for wrong, explanation in mistakes:
        if math.isclose(value, wrong, rel_tol=1e-9):
            raise CheckFailed(f"Not yet: {value:g} steps. {explanation}")
    if value != int(value):
        raise CheckFailed(f"Not yet: {value:g} steps. Steps are whole numbers: round up with "
                          "math.ceil.")
    far = (" That is off by a factor of ten or more." if value <= 0 or not
           0.1 < value / expected < 10 else "")
    raise CheckFailed(
        f"Not yet: {value:g} steps is not right and none of the usual mistakes.{far} Each "
        f"batch holds {batch_size} x "
        f"(1 - {positive_fraction}) negatives on average; how many batches hold "
        f"{n_negatives:,} of them?"
    )


def check_matching_threshold(
    answer: Any, y_val: Any, p_val: Any, *, target_precision: float
) -> None:
    """Exercise 2.2: the lowest validation threshold whose precision reaches a target."""
    value = _as_number(answer, "the threshold")
    if not 0.0 <= value <= 1.0:
        raise CheckFailed(f"A threshold on probabilities lies in [0, 1]; got {value:g}.")
    expected = choose_threshold(y_val, p_val, objective="precision",
                                min_precision=target_precision)
    got, best = threshold_metrics(y_val, p_val, value), threshold_metrics(y_val, p_val, expected)
    if (got["tp"], got["fp"]) == (best["tp"], best["fp"]):
        print("Correct: the lowest validation threshold whose precision reaches the target.")
        return
    if math.isclose(value, 0.5):
        raise CheckFailed(
            f"0.5 is where you started: there the precision is {got['precision']:.3f}, far "
            f"below {target_precision:.3f}. The resampled model's probabilities are inflated; "
            "search higher thresholds."
        )
    if got["precision"] < target_precision:
        raise CheckFailed(
            f"At {value:.4g} the validation precision is {got['precision']:.3f}, below the "
            f"target {target_precision:.3f}: raise the threshold."
        )
    raise CheckFailed(
        f"At {value:.4g} the precision ({got['precision']:.3f}) reaches the target, but a "
        "lower threshold does too and catches more frauds: look for the lowest such threshold."
    )


def _oversample_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    cases = []
    rng = np.random.default_rng(7)
    for n_neg, n_pos in ((300, 3), (50, 7), (20, 1), (1000, 40)):
        n = n_neg + n_pos
        y = np.zeros(n, dtype=np.int64)
        y[rng.choice(n, n_pos, replace=False)] = 1
        # column 0 is the row number, so that every returned row can be traced back
        x = np.column_stack([np.arange(n), rng.normal(size=(n, 2))])
        cases.append((x, y))
    return cases


def check_oversample_function(fn: Callable[[Any, Any, int], Any]) -> None:
    """Exercise 2.3: a NumPy random oversampler ``fn(x, y, seed) -> (x_new, y_new)``."""
    if fn is None or not callable(fn):
        raise CheckFailed("No function yet: define my_oversample(x, y, seed).")
    reject_book_helper(fn, ("helpers.resampling", "imblearn"), name="my_oversample")
    for x, y in _oversample_cases():
        x_before, y_before = x.copy(), y.copy()
        try:
            out = fn(x, y, 0)
        except Exception as err:  # the student's code may raise anything
            raise CheckFailed(f"my_oversample raised {type(err).__name__}: {err}") from None
        if out is None:
            raise CheckFailed("my_oversample returned None: return (x_new, y_new).")
        if not isinstance(out, tuple) or len(out) != 2:
            raise CheckFailed("my_oversample should return a pair (x_new, y_new).")
        if not (np.array_equal(x, x_before) and np.array_equal(y, y_before)):
            raise CheckFailed("my_oversample changed its input arrays: work on copies.")
        x_new, y_new = np.asarray(out[0]), np.asarray(out[1]).reshape(-1)
        n_neg, n_pos = int((y == 0).sum()), int((y == 1).sum())
        if x_new.ndim != 2 or x_new.shape[0] != y_new.size:
            raise CheckFailed(
                f"x_new has shape {x_new.shape} and y_new {y_new.size} labels: return one "
                "feature row per label."
            )
        counts = (int((y_new == 0).sum()), int((y_new == 1).sum()))
        if counts != (n_neg, n_neg):
            raise CheckFailed(
                f"With {n_neg} negatives and {n_pos} positives the result should hold {n_neg} "
                f"of each; it holds {counts[0]} negatives and {counts[1]} positives."
            )
        ids = x_new[:, 0].astype(np.int64)
        if ids.min() < 0 or ids.max() >= y.size or not np.allclose(x_new, x[ids]):
            raise CheckFailed("Some returned rows are not rows of x: copy rows, do not "
                              "create new ones.")
        if not np.array_equal(y_new, y[ids]):
            raise CheckFailed(
                "Some rows carry the wrong label: features and labels were reordered "
                "differently. Index x and y with the same row numbers."
            )
        if not np.array_equal(np.sort(ids[y_new == 0]), np.flatnonzero(y == 0)):
            raise CheckFailed("Every negative should appear exactly once; some are missing "
                              "or repeated.")
        pos_at = np.flatnonzero(y_new == 1)
        if n_pos > 0 and pos_at.size and np.all(np.diff(pos_at) == 1):
            raise CheckFailed("The positives form one block: shuffle the rows at the end "
                              "(rng.permutation).")
        copies = np.bincount(ids[y_new == 1], minlength=y.size)[y == 1]
        if n_pos > 1 and n_neg % n_pos == 0 and np.all(copies == n_neg // n_pos):
            raise CheckFailed(
                "Every positive is copied exactly the same number of times: draw the "
                "positives with replacement (rng.choice(..., replace=True)), do not tile them."
            )
    x, y = _oversample_cases()[0]
    a = np.asarray(fn(x, y, 0)[0])
    b = np.asarray(fn(x, y, 1)[0])
    if np.array_equal(a, b):
        raise CheckFailed("Seeds 0 and 1 give the same result: build the generator from "
                          "the seed (np.random.default_rng(seed)).")
    if not np.array_equal(a, np.asarray(fn(x, y, 0)[0])):
        raise CheckFailed("The same seed gives different results: draw every random "
                          "number from np.random.default_rng(seed).")
    print("Correct: every negative once, as many positives drawn with replacement, shuffled, "
          "labels aligned, and reproducible from the seed.")
