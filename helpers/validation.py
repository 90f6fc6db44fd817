"""Input checks shared by every helper (introduced in chapter 0, *Measuring imbalance*).

Each check raises :class:`ValueError` whose message names the problem *and* the fix,
so a reader who passes the wrong thing learns what to change.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_binary_labels(y: Any, name: str = "y_true") -> np.ndarray:
    """Return ``y`` as a 1-D int array of 0/1 labels, or raise ``ValueError``.

    Accepts shapes ``(n,)`` and ``(n, 1)``; booleans and floats that are exactly 0/1 are
    converted.
    """
    arr = _numeric(y, name, "labels")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be one label per example, shape (n,) or (n, 1); got shape {arr.shape}. "
            "For a model with one output per time step, keep only the last step."
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty: pass at least one example.")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN: drop or impute the missing labels first.")
    values = np.unique(arr)
    if not np.isin(values, [0, 1]).all():
        shown = ", ".join(map(str, values[:5]))
        raise ValueError(
            f"{name} must hold binary labels 0/1; found values {shown}"
            f"{'...' if values.size > 5 else ''}. Map the positive (minority) class to 1 "
            "and every other class to 0."
        )
    return arr.astype(np.int64)


def _numeric(values: Any, name: str, what: str) -> np.ndarray:
    """``values`` as a numeric array; text, ``None`` and other objects raise with the fix."""
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        return arr
    if arr.dtype.kind in "US":
        shown = ", ".join(repr(str(v)) for v in np.unique(arr)[:5])
        raise TypeError(
            f"{name} holds text ({shown}), not numbers: the {what} were probably read as "
            f"strings (a CSV read as text, for example). Convert them first, e.g. "
            f"np.asarray({name}, dtype=float), and check the values."
        )
    if arr.dtype.kind == "O":
        flat = list(arr.ravel())
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in flat):
            raise ValueError(f"{name} contains missing values (None or NaN): drop or impute "
                             "them first.")
        if all(isinstance(v, (bool, int, float, np.number)) for v in flat):
            return arr.astype(np.float64)
        kinds = sorted({type(v).__name__ for v in flat})
        raise TypeError(f"{name} must hold numbers; it holds {', '.join(kinds)}. Convert the "
                        f"{what} to a numeric array first.")
    raise TypeError(f"{name} must hold numbers; got an array of dtype {arr.dtype}.")


def check_finite_features(x: Any, name: str = "x") -> np.ndarray:
    """Return ``x`` as a numeric array, or raise if it holds NaN or infinite values.

    A single NaN feature turns a network's every prediction into NaN (or, after clipping,
    into the same constant), so this runs before any training (introduced in chapter 0).
    """
    arr = _numeric(x, name, "features")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: pass at least one example.")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            rows = np.flatnonzero(bad.reshape(len(arr), -1).any(axis=1))
            raise ValueError(
                f"{name} holds {int(bad.sum())} NaN or infinite values, in {rows.size} rows "
                f"(first: {rows[:3].tolist()}): impute or drop them before training; "
                "prepare_fraud_splits names the columns for the fraud data."
            )
    return arr


def require_both_classes(y: np.ndarray, name: str = "y_true") -> None:
    """Raise ``ValueError`` unless ``y`` holds at least one 0 and one 1."""
    n_pos = int(np.sum(y == 1))
    n_neg = int(np.sum(y == 0))
    if n_pos == 0 or n_neg == 0:
        missing = "positive (1)" if n_pos == 0 else "negative (0)"
        raise ValueError(
            f"{name} has no {missing} examples ({n_pos} positives, {n_neg} negatives): both "
            "classes are needed to score or train a classifier. Use a stratified split, or a "
            "larger sample."
        )


def as_probabilities(p: Any, name: str = "y_prob") -> np.ndarray:
    """Return ``p`` as a 1-D float array in [0, 1], or raise ``ValueError``."""
    arr = _numeric(p, name, "probabilities").astype(np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be one probability per example, shape (n,) or (n, 1); got shape "
            f"{arr.shape}. For a sequence model, check that the last recurrent layer has "
            "return_sequences=False."
        )
    return check_probability_values(arr, name)


def check_probability_values(
    arr: np.ndarray, name: str, logit_hint: str = "apply a sigmoid first (or use from_logits=True)"
) -> np.ndarray:
    """Raise ``ValueError`` if ``arr`` (any shape) is empty, has NaN or leaves [0, 1]."""
    if arr.size == 0:
        raise ValueError(f"{name} is empty: pass at least one prediction.")
    if np.isnan(arr).any():
        raise ValueError(
            f"{name} contains {int(np.isnan(arr).sum())} NaN values: the model diverged or the "
            "input had NaN. Check the features and lower the learning rate."
        )
    if arr.min() < 0.0 or arr.max() > 1.0:
        raise ValueError(
            f"{name} must lie in [0, 1]; found range [{arr.min():.4g}, {arr.max():.4g}]. "
            f"These look like logits: {logit_hint}."
        )
    return arr


def check_same_length(**arrays: np.ndarray) -> None:
    """Raise ``ValueError`` unless all arrays have the same length."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}={n}" for k, n in lengths.items())
        raise ValueError(
            f"Lengths differ ({shown}): pass labels and predictions for the same examples, "
            "in the same order."
        )


def labels_and_probabilities(y_true: Any, y_prob: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a (labels, probabilities) pair together."""
    y = as_binary_labels(y_true)
    p = as_probabilities(y_prob)
    check_same_length(y_true=y, y_prob=p)
    return y, p
