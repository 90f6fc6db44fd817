"""Class-weight formulas and what they do to a model (introduced in chapter 1, *Class weights*).

* :func:`tutorial_class_weights`: the TensorFlow tutorial's ``(1 / n_c) * (total / 2)``,
  which is scikit-learn's ``compute_class_weight("balanced")``;
* :func:`effective_number_weights`: Cui et al. (2019), weights proportional to
  ``(1 - beta) / (1 - beta**n_c)``, normalised to sum to the number of classes;
* :func:`as_class_weight`, :func:`sample_weights`: the dict Keras' ``fit`` expects and its
  per-example equivalent;
* :func:`weighted_output_bias`, :func:`equivalent_threshold`, :func:`mean_sample_weight`:
  what weighting does to the output bias, to the operating point and to the loss scale;
* :func:`difference_verdict`: the sentence that reports paired intervals of differences
  against a baseline ("measurably lower", "no measurable difference").

The tools chapter 1 uses to compare weighted models (:func:`helpers.evaluation.comparison_table`,
:func:`helpers.evaluation.paired_bootstrap_difference`, :func:`helpers.evaluation.threshold_for_recall`)
live in :mod:`helpers.evaluation`, since every later chapter needs them too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from helpers.validation import as_binary_labels, require_both_classes

__all__ = [
    "as_class_weight",
    "difference_verdict",
    "effective_number",
    "effective_number_weights",
    "equivalent_threshold",
    "mean_sample_weight",
    "sample_weights",
    "tutorial_class_weights",
    "weighted_output_bias",
    "weighted_positive_rate",
]


# ---------------------------------------------------------------------------- formulas

def tutorial_class_weights(y: Any) -> dict[int, float]:
    """``{0: (1/neg) * total/2, 1: (1/pos) * total/2}``, the TensorFlow tutorial's weights.

    Each class then carries half of the total weight, and the mean weight per example is 1.
    """
    labels = as_binary_labels(y, "y")
    require_both_classes(labels, "y")
    total, pos = labels.size, int(labels.sum())
    neg = total - pos
    return {0: (1 / neg) * (total / 2.0), 1: (1 / pos) * (total / 2.0)}


def _check_counts(counts: Any) -> np.ndarray:
    arr = np.asarray(counts)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(
            f"counts must be a 1-D sequence with one count per class (at least two classes); "
            f"got shape {arr.shape}. Pass e.g. np.bincount(y_train)."
        )
    if arr.dtype.kind not in "iuf" or arr.dtype.kind == "b":
        raise ValueError(f"counts must be numbers; got dtype {arr.dtype}. Pass np.bincount(y).")
    as_float = arr.astype(np.float64)
    if not np.all(np.isfinite(as_float)) or np.any(as_float != np.round(as_float)):
        raise ValueError(
            f"counts must be whole numbers of examples; got {arr.tolist()}. Pass the class "
            "counts (np.bincount(y)), not rates or weights."
        )
    if np.any(as_float < 1):
        raise ValueError(
            f"every count must be a positive integer; got {arr.tolist()}. A class with no "
            "examples cannot be weighted: drop it or merge it into another class."
        )
    return as_float


def _check_beta(beta: Any) -> float:
    try:
        value = float(beta)
    except (TypeError, ValueError):
        raise ValueError(f"beta must be a number in [0, 1); got {beta!r}.") from None
    if not (0.0 <= value < 1.0):
        raise ValueError(
            f"beta must satisfy 0 <= beta < 1; got {value}. beta = 0 means no weighting; "
            "values like 0.99, 0.999, 0.9999 move towards inverse frequency (beta = 1 is "
            "its limit, which tutorial_class_weights or compute_class_weight give directly)."
        )
    return value


def _one_minus_beta_power(n: np.ndarray, beta: float) -> np.ndarray:
    """``1 - beta**n``, accurate when beta is close to 1 (via expm1/log1p)."""
    if beta == 0.0:
        return np.ones_like(n)
    log_beta = math.log1p(beta - 1.0) if beta > 0.5 else math.log(beta)  # beta - 1 is exact here
    return -np.expm1(n * log_beta)


def effective_number(counts: Any, beta: float) -> np.ndarray:
    """Cui et al.'s effective number of samples ``(1 - beta**n) / (1 - beta)`` per class.

    It grows like ``n`` for small ``n`` and saturates at ``1 / (1 - beta)``.
    """
    n = _check_counts(counts)
    b = _check_beta(beta)
    return _one_minus_beta_power(n, b) / (1.0 - b)


def effective_number_weights(counts: Any, beta: float) -> np.ndarray:
    """Class weights ``∝ (1 - beta) / (1 - beta**n_c)``, normalised to sum to the number of classes.

    ``beta = 0`` gives equal weights (all 1); as ``beta -> 1`` the weights tend to inverse
    class frequency (Cui et al. 2019). Raises ``ValueError`` unless ``counts`` are positive
    integers (at least two classes) and ``0 <= beta < 1``.
    """
    n = _check_counts(counts)
    b = _check_beta(beta)
    raw = 1.0 / _one_minus_beta_power(n, b)  # the (1 - beta) factor cancels when normalising
    return raw * (n.size / raw.sum())


def as_class_weight(weights: Any) -> dict[int, float]:
    """``{0: w0, 1: w1, ...}`` with Python ``int`` keys and ``float`` values, as ``fit`` needs.

    Accepts a sequence of weights (index = class) or a mapping. Keras 3 needs plain int
    keys; weights must be finite and non-negative.
    """
    items = weights.items() if isinstance(weights, Mapping) else enumerate(np.ravel(weights))
    out: dict[int, float] = {}
    for key, value in items:
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)):
            raise ValueError(
                f"class_weight keys must be integer class indices 0, 1, ...; got {key!r}. "
                "Keras matches them against the integer labels."
            )
        try:
            w = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"class {key}'s weight must be a number; got {value!r}.") from None
        if not math.isfinite(w) or w < 0:
            raise ValueError(f"class weights must be finite and >= 0; class {key} has {value!r}.")
        out[int(key)] = w
    if not out:
        raise ValueError("no class weights given: pass e.g. {0: 1.0, 1: 10.0}.")
    return out


def sample_weights(y: Any, class_weight: Mapping[int, float]) -> np.ndarray:
    """The per-example weights equivalent to ``class_weight``: ``w[i] = class_weight[y[i]]``."""
    labels = as_binary_labels(y, "y")
    cw = as_class_weight(class_weight)
    missing = sorted(set(np.unique(labels).tolist()) - set(cw))
    if missing:
        raise ValueError(f"class_weight has no weight for class(es) {missing}; add them.")
    return np.array([cw.get(0, 0.0), cw.get(1, 0.0)])[labels]


def mean_sample_weight(y: Any, class_weight: Mapping[int, float]) -> float:
    """Average weight per training example: the factor by which weighting scales the loss."""
    return float(sample_weights(y, class_weight).mean())


def weighted_positive_rate(y: Any, class_weight: Mapping[int, float]) -> float:
    """The positive rate the weighted loss 'sees': ``w1 pos / (w1 pos + w0 neg)``.

    A constant prediction minimises the weighted cross-entropy at this value.
    """
    labels = as_binary_labels(y, "y")
    cw = as_class_weight(class_weight)
    pos = float(labels.sum())
    neg = float(labels.size) - pos
    num, den = cw.get(1, 0.0) * pos, cw.get(1, 0.0) * pos + cw.get(0, 0.0) * neg
    if den == 0:
        raise ValueError("all examples have weight 0: at least one class needs a positive weight.")
    return num / den


def weighted_output_bias(y: Any, class_weight: Mapping[int, float] | None = None) -> float:
    """The careful output bias under weighting: ``log(w1 pos / (w0 neg))``.

    Without weights it is :func:`helpers.models.initial_output_bias`'s ``log(pos/neg)``;
    with the tutorial's balanced weights it is 0. Raises ``ValueError`` when a weight of 0
    makes the bias infinite.
    """
    rate = weighted_positive_rate(y, class_weight or {0: 1.0, 1: 1.0})
    if rate in (0.0, 1.0):
        raise ValueError(
            f"the weighted positive rate is {rate:g}, so the careful bias is infinite; "
            "start from a zero bias (output_bias=None) with weights like {0: 0, 1: 1}."
        )
    return math.log(rate / (1 - rate))


def equivalent_threshold(class_weight: Mapping[int, float], threshold: float = 0.5) -> float:
    """Where an unweighted model would put ``threshold`` of a model trained with ``class_weight``.

    Weighting multiplies the odds the loss is fitted to by ``r = w1 / w0``, so in theory a
    weighted probability ``t`` corresponds to an unweighted one with odds ``(t/(1-t)) / r``.
    For ``t = 0.5`` that is ``w0 / (w0 + w1)``.
    """
    cw = as_class_weight(class_weight)
    w0, w1 = cw.get(0, 0.0), cw.get(1, 0.0)
    if w0 <= 0 or w1 <= 0:
        raise ValueError(f"both class weights must be positive; got {cw}.")
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must lie strictly between 0 and 1; got {threshold}.")
    odds = threshold / (1 - threshold) * w0 / w1
    return odds / (1 + odds)


# ---------------------------------------------------------------------------- verdicts
def _listing(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def difference_verdict(
    differences: Mapping[str, Any], metric: str = "PR-AUC", baseline: str = "the unweighted model"
) -> str:
    """One sentence saying which models differ measurably from ``baseline`` (chapter 1).

    ``differences`` maps a model's name to the paired interval of *model minus baseline*
    (anything with ``low`` and ``high``, e.g. :class:`helpers.evaluation.Interval`). A model
    is measurably lower when the whole interval lies below zero, measurably higher when it
    lies above zero, and otherwise not measurably different.
    """
    if not differences:
        raise ValueError("differences is empty: give at least one model's interval.")
    for name, d in differences.items():
        if not d.low <= d.high:
            raise ValueError(f"the interval of {name!r} has low {d.low} above high {d.high}.")
    lower = [n for n, d in differences.items() if d.high < 0]
    higher = [n for n, d in differences.items() if d.low > 0]
    same = [n for n in differences if n not in lower and n not in higher]
    if not lower and not higher:
        return (f"Every interval of a {metric} difference contains zero: no model differs "
                f"measurably from {baseline}")

    def models(names: list[str]) -> str:
        return f"the {_listing(names)} model{'s' if len(names) > 1 else ''}"

    parts = []
    for names, word, side in ((lower, "lower", "below"), (higher, "higher", "above")):
        if names:
            parts.append(f"the {metric} of {models(names)} is measurably {word} than that "
                         f"of {baseline} (the whole interval of the difference lies {side} "
                         "zero)")
    if same:
        parts.append(f"for {models(same)} the interval contains zero")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]
