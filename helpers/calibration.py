"""Prior correction of predicted probabilities (introduced in chapter 6, *Recalibration*).

Resampling or weighting the training data changes the class prior a model learns. With

* ``alpha``: the rate at which a positive training example is kept (or replicated, or
  weighted),
* ``beta``: the same rate for a negative example,

a model fitted to the transformed data estimates ``p_s = alpha p / (alpha p + beta (1 - p))``
instead of the probability ``p`` it would estimate on the natural data
(:func:`sampling_transform`). Inverting that map (:func:`correct_probability`) recovers
``p``; on the logit scale the inversion is the shift ``log(beta / alpha)``
(:func:`correct_logit`). Undersampling negatives with keep rate ``w`` is the special case
``alpha = 1, beta = w`` (:func:`correct_undersampling`). Only the ratio of the two rates
matters, so replication factors and class weights (``alpha = w_1, beta = w_0``) plug in
the same way.

The module also holds the cost-based threshold, the multi-class logit adjustment and a
small adaptor that lets scikit-learn's ``CalibratedClassifierCV`` calibrate a trained
Keras model. The chapter trains every network with three seeds; :func:`calibration_table`
then averages each metric over the seeds, and the metric functions here have the
count-weighted forms that :func:`helpers.evaluation.paired_difference_over_seeds` uses to
compare two techniques quickly.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from helpers.evaluation import (
    Interval,
    Ranked,
    brier_score,
    check_bootstrap_args,
    interval_columns,
    percentile_interval,
    ranking_metrics,
    stratified_resamples,
)
from helpers.validation import (
    as_binary_labels,
    check_probability_values,
    labels_and_probabilities,
    require_both_classes,
)

__all__ = [
    "FrozenProbabilityClassifier",
    "calibration_metric_fns",
    "calibration_metrics",
    "calibration_table",
    "correct_logit",
    "correct_probability",
    "correct_undersampling",
    "cost_metric",
    "cost_threshold",
    "difference_table",
    "difference_verdict",
    "count_verdicts",
    "expected_cost",
    "keras_pr_auc",
    "logit_adjustment",
    "platt_line",
    "prior_shift",
    "rates_from_class_weight",
    "rates_from_resampling",
    "rare_event_reliability",
    "sampling_transform",
]


def _rate(value: Any, name: str) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a single positive number; got {value!r}.") from None
    if not math.isfinite(rate) or rate <= 0.0:
        raise ValueError(
            f"{name} must be a positive, finite number; got {rate}. It is the rate at which "
            "training examples of that class were kept (undersampling, between 0 and 1), "
            "replicated (oversampling, 1 or more) or weighted (a class weight)."
        )
    return rate


def _ratio(numerator: Any, denominator: Any, names: tuple[str, str]) -> float:
    top, bottom = _rate(numerator, names[0]), _rate(denominator, names[1])
    ratio = top / bottom
    if not (math.isfinite(ratio) and ratio > 0.0):
        raise ValueError(
            f"{names[0]}/{names[1]} = {top:g}/{bottom:g} is too extreme to represent; only the "
            "ratio of the two rates matters, so rescale both to moderate values."
        )
    return ratio


def _probabilities(p: Any, name: str) -> tuple[np.ndarray, bool]:
    """``p`` as a float array of any shape (a scalar stays 0-d), checked; and whether it was a scalar."""
    try:
        arr = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers; got {p!r}.") from None
    check_probability_values(arr, name, "apply a sigmoid first, or correct them with correct_logit")
    return arr, arr.ndim == 0


def _reweight(p: Any, ratio: float, name: str) -> Any:
    """``p / (p + (1 - p) * ratio)``: exact at 0 and 1, no division by zero."""
    arr, scalar = _probabilities(p, name)
    out = arr / (arr + (1.0 - arr) * ratio)
    return float(out) if scalar else out


def sampling_transform(p: Any, alpha: float, beta: float) -> Any:
    """The probability a model learns after positives are kept at rate ``alpha`` and negatives at ``beta``.

    ``p_s = alpha p / (alpha p + beta (1 - p))`` (chapter 6, *Recalibration*): Bayes' rule
    applied to the transformed training data. Use it to simulate the distortion; use
    :func:`correct_probability` to undo it. Returns a float for a scalar ``p``.
    """
    return _reweight(p, _ratio(beta, alpha, ("beta", "alpha")), "p")


def correct_probability(p_s: Any, alpha: float, beta: float) -> Any:
    """Undo :func:`sampling_transform`: ``p = (p_s/alpha) / (p_s/alpha + (1 - p_s)/beta)``.

    ``alpha`` and ``beta`` are the training rates of positives and negatives (chapter 6,
    *Recalibration*): keep rates for undersampling, replication factors for oversampling,
    class weights ``w_1``, ``w_0`` for weighting. 0 and 1 map to themselves.
    """
    return _reweight(p_s, _ratio(alpha, beta, ("alpha", "beta")), "p_s")


def correct_undersampling(p_s: Any, keep_rate: float) -> Any:
    """Correct a model trained after keeping each negative with probability ``keep_rate``.

    ``p = p_s / (p_s + (1 - p_s) / w)`` with ``w = keep_rate`` in (0, 1]; the special case
    ``alpha = 1, beta = w`` of :func:`correct_probability` (chapter 6, *Recalibration*).
    """
    w = _rate(keep_rate, "keep_rate")
    if w > 1.0:
        hint = (f" Above 1 is not a keep rate: for negatives replicated {w:g} times use "
                f"correct_probability(p_s, 1, {w:g}).")
        if w.is_integer() and w <= 100.0:
            hint += f" If {w:g} is a percentage, pass {w / 100:g}."
        raise ValueError(
            f"keep_rate is the fraction of negatives kept, in (0, 1]; got {w:g}.{hint}"
        )
    return correct_probability(p_s, 1.0, w)


def prior_shift(alpha: float, beta: float) -> float:
    """The logit shift ``log(beta / alpha)`` that :func:`correct_logit` adds (chapter 6)."""
    return math.log(_ratio(beta, alpha, ("beta", "alpha")))


def correct_logit(logit_s: Any, alpha: float, beta: float) -> Any:
    """The correction on the logit scale: ``logit(p) = logit(p_s) + log(beta / alpha)``.

    Infinite logits (probabilities exactly 0 or 1) stay infinite (chapter 6, *Recalibration*).
    """
    try:
        arr = np.asarray(logit_s, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"logit_s must be a number or an array; got {logit_s!r}.") from None
    if np.isnan(arr).any():
        raise ValueError("logit_s contains NaN: check the model's outputs.")
    out = arr + prior_shift(alpha, beta)
    return float(out) if out.ndim == 0 else out


def rates_from_resampling(y_before: Any, y_after: Any) -> tuple[float, float]:
    """``(alpha, beta)`` of a resampling: positives after/before and negatives after/before.

    Works for undersampling (rates below 1), oversampling by replication (above 1) and
    both at once (chapter 6, *Recalibration*).
    """
    before, after = as_binary_labels(y_before, "y_before"), as_binary_labels(y_after, "y_after")
    counts = []
    for labels, name in ((before, "y_before"), (after, "y_after")):
        pos = int(labels.sum())
        neg = int(labels.size - pos)
        if pos == 0 or neg == 0:
            raise ValueError(
                f"{name} needs both classes ({pos} positives, {neg} negatives): pass the "
                "training labels before and after resampling."
            )
        counts.append((pos, neg))
    (pos0, neg0), (pos1, neg1) = counts
    return pos1 / pos0, neg1 / neg0


def rates_from_class_weight(class_weight: Mapping[int, float]) -> tuple[float, float]:
    """``(alpha, beta) = (w_1, w_0)``: a class weight acts like a replication factor (chapter 6)."""
    if not isinstance(class_weight, Mapping) or set(class_weight) != {0, 1}:
        raise ValueError(
            f"class_weight must be a dict with the keys 0 and 1, as passed to Keras' fit; got "
            f"{class_weight!r}."
        )
    return _rate(class_weight[1], "class_weight[1]"), _rate(class_weight[0], "class_weight[0]")


def cost_threshold(cost_fp: float, cost_fn: float) -> float:
    """The probability above which flagging is cheaper in expectation: ``c_FP / (c_FP + c_FN)``.

    Flag when ``p c_FN >= (1 - p) c_FP`` (Elkan 2001; chapter 6, *Recalibration*). Valid
    only for calibrated probabilities.
    """
    fp, fn = _cost(cost_fp, "cost_fp"), _cost(cost_fn, "cost_fn")
    return fp / (fp + fn)


def _cost(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number (the cost of one such error); got {value!r}.")
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(
            f"{name} must be a positive, finite cost; got {value}. It is what one such error "
            "costs (any unit, the same for both): only their ratio sets the threshold."
        )
    return float(value)


def expected_cost(
    y_true: Any, y_prob: Any, threshold: float, cost_fp: float, cost_fn: float
) -> float:
    """Average cost per example of flagging ``y_prob >= threshold`` (chapter 6, *Recalibration*)."""
    y, p = labels_and_probabilities(y_true, y_prob)
    fp_cost, fn_cost = _cost(cost_fp, "cost_fp"), _cost(cost_fn, "cost_fn")
    if not (math.isfinite(threshold) and 0.0 <= threshold <= 1.0):
        raise ValueError(f"threshold must be a probability in [0, 1]; got {threshold}.")
    flagged = p >= threshold
    n_fp = int(np.sum(flagged & (y == 0)))
    n_fn = int(np.sum(~flagged & (y == 1)))
    return (fp_cost * n_fp + fn_cost * n_fn) / y.size


def cost_metric(
    threshold: float, cost_fp: float, cost_fn: float, *, per: float = 1.0
) -> Callable[[np.ndarray, np.ndarray], float]:
    """:func:`expected_cost` of the rule ``p >= threshold`` as a bootstrap-ready metric
    ``(y, p) -> cost``, times ``per`` (``per=1000``: cost per 1,000 examples; chapter 6).

    It carries the count-weighted form that :func:`helpers.evaluation.paired_difference_over_seeds`
    uses to score resamples without copying them.
    """
    fp_cost, fn_cost = _cost(cost_fp, "cost_fp"), _cost(cost_fn, "cost_fn")
    if not (math.isfinite(threshold) and 0.0 <= threshold <= 1.0):
        raise ValueError(f"threshold must be a probability in [0, 1]; got {threshold}.")
    scale = _cost(per, "per")

    def row_costs(y: np.ndarray, p: np.ndarray) -> np.ndarray:
        flagged = p >= threshold
        return np.where(flagged, fp_cost * (1.0 - y), fn_cost * y)

    def cost(y: np.ndarray, p: np.ndarray) -> float:
        return scale * float(np.mean(row_costs(np.asarray(y, np.float64), np.asarray(p))))

    def weighted(r: Ranked, w: np.ndarray) -> float:
        return scale * float(np.sum(w * row_costs(r.y, r.p)) / np.sum(w))

    cost.weighted = weighted  # type: ignore[attr-defined]
    return cost


def keras_pr_auc(y_true: Any, y_prob: Any) -> float:
    """PR-AUC as Keras' ``AUC(curve="PR")`` computes it (200 thresholds): the ``val_prc``
    that chapter 0's early stopping monitors, as a ``(y, p) -> float`` function for
    ``helpers.seeds.SeedwiseEarlyStopping(metric=...)``, so that each seed stops by the same
    rule as a model trained alone (chapter 6)."""
    import keras

    metric = keras.metrics.AUC(curve="PR")
    metric.update_state(np.asarray(y_true, dtype=np.float32), np.asarray(y_prob, np.float32))
    return float(metric.result())


def difference_table(
    differences: Mapping[str, Mapping[str, Interval]], digits: int | Mapping[str, int] = 5
) -> pd.DataFrame:
    """One row per comparison, one column per metric, each cell ``"estimate [low, high]"``
    (signed), for the paired differences of chapter 6."""
    rows = {}
    for name, intervals in differences.items():
        row = {}
        for metric, iv in intervals.items():
            d = digits.get(metric, 5) if isinstance(digits, Mapping) else digits
            row[metric] = f"{iv.estimate:+.{d}f} [{iv.low:+.{d}f}, {iv.high:+.{d}f}]"
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").fillna("")


def count_verdicts(intervals: Sequence[Interval], what: str, unit: str = "models") -> str:
    """How many paired differences B minus A lie wholly below 0, wholly above 0, or across
    it, in words: ``"measurably lower than {what} for 2 of the 3 models, within the noise
    for 1"`` (chapter 6's glued verdicts over several models)."""
    n = len(intervals)
    if n == 0:
        raise ValueError("intervals is empty: pass one paired difference per model.")
    lower = sum(iv.high < 0 for iv in intervals)
    higher = sum(iv.low > 0 for iv in intervals)
    rest = n - lower - higher

    def share(k: int) -> str:
        return f"all {n} {unit}" if k == n else f"{k} of the {n} {unit}"

    if rest == n:
        return f"within the noise of {what} for {share(n)}"
    parts = []
    if lower:
        parts.append(f"measurably lower than {what} for {share(lower)}")
    if higher:
        parts.append(f"measurably higher for {higher}" if lower
                     else f"measurably higher than {what} for {share(higher)}")
    if rest:
        parts.append(f"within the noise for {rest}")
    return ", ".join(parts)


def difference_verdict(
    interval: Interval, *, lower: str = "lower", higher: str = "higher",
    tie: str = "no clear difference",
) -> str:
    """Words for a paired difference B minus A: ``"measurably lower"`` when the whole
    interval is below 0, ``"measurably higher"`` when it is above 0, ``tie`` otherwise
    (chapter 6's glued verdicts)."""
    if interval.high < 0:
        return f"measurably {lower}"
    if interval.low > 0:
        return f"measurably {higher}"
    return tie


def logit_adjustment(logits: Any, priors: Any, tau: float = 1.0) -> np.ndarray:
    """Menon et al.'s post-hoc logit adjustment: ``logits - tau * log(priors)``, per class.

    ``logits`` has shape ``(n, k)`` (log-probabilities work too), ``priors`` has ``k``
    positive entries. With the natural class priors and ``tau = 1`` the argmax targets
    balanced error; with ``priors = train_prior / target_prior`` the softmax of the result
    moves a model trained at one prior to another, the multi-class form of
    :func:`correct_logit` (chapter 6, *Recalibration*).
    """
    z = np.asarray(logits, dtype=np.float64)
    pi = np.asarray(priors, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(
            f"logits must have shape (n_examples, n_classes); got shape {z.shape}. For one "
            "binary output use correct_logit."
        )
    if pi.ndim != 1 or pi.size != z.shape[1]:
        raise ValueError(
            f"priors must hold one value per class ({z.shape[1]}); got shape {pi.shape}."
        )
    if not np.all(np.isfinite(pi) & (pi > 0)):
        raise ValueError(
            f"priors must be positive and finite; got {pi.tolist()}. Estimate them from the "
            "training labels' class frequencies (every class needs at least one example)."
        )
    if not math.isfinite(tau) or tau < 0:
        raise ValueError(f"tau must be a finite number >= 0 (1 is the usual choice); got {tau}.")
    if np.isnan(z).any():
        raise ValueError("logits contain NaN: check the model's outputs.")
    return z - tau * np.log(pi)


_EPS = float(np.finfo(np.float64).eps)
_TINY = float(np.finfo(np.float64).tiny)
_BELOW_ONE = float(np.nextafter(1.0, 0.0))


def _log_loss_rows(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    # clipped like sklearn.metrics.log_loss, so a confident mistake costs -log(eps), not inf
    q = np.clip(p, _EPS, 1.0 - _EPS)
    return -np.where(y == 1, np.log(q), np.log1p(-q))


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(_log_loss_rows(y, p)))


def _mean_over_rate(y: np.ndarray, p: np.ndarray) -> float:
    return float(p.mean() / y.mean())


# count-weighted forms for the bootstraps of helpers.evaluation (a resample = row counts w)
_log_loss.weighted = (  # type: ignore[attr-defined]
    lambda r, w: float(np.sum(w * _log_loss_rows(r.y, r.p)) / np.sum(w)))
_mean_over_rate.weighted = (  # type: ignore[attr-defined]
    lambda r, w: float(np.sum(w * r.p) / np.sum(w * r.y)))


def calibration_metric_fns() -> dict[str, Any]:
    """Brier score, log-loss and mean prediction / positive rate, fast enough to bootstrap.

    NumPy versions of ``sklearn.metrics.brier_score_loss`` and ``log_loss`` (same
    clipping), for :func:`helpers.evaluation.bootstrap_metrics` (chapter 6, *Recalibration*).
    """
    return {"brier": brier_score, "log_loss": _log_loss, "mean_over_rate": _mean_over_rate}


def calibration_metrics(y_true: Any, y_prob: Any) -> dict[str, float]:
    """Brier score, log-loss, mean predicted probability and the positive rate (chapter 6)."""
    y, p = labels_and_probabilities(y_true, y_prob)
    if y.sum() == 0:
        raise ValueError("y_true has no positives: the positive rate and the ratio need some.")
    return {
        "brier": brier_score(y, p),
        "log_loss": _log_loss(y, p),
        "mean_prob": float(p.mean()),
        "positive_rate": float(y.mean()),
        "mean_over_rate": _mean_over_rate(y, p),
    }


def _runs(value: Any, name: str) -> list[np.ndarray]:
    """One array per seed: a single array is one run, a list or tuple holds one per seed."""
    runs = list(value) if isinstance(value, (list, tuple)) else [value]
    if not runs:
        raise ValueError(f"predictions[{name!r}] is an empty list; pass one array per seed.")
    return runs


def _seed_averaged_intervals(
    y: np.ndarray, runs: Sequence[np.ndarray], n_resamples: int, confidence: float, seed: int
) -> dict[str, Interval]:
    """Brier, log-loss and mean / rate averaged over the seeds, with stratified-bootstrap
    intervals over the rows. The three are sums of per-row terms over fixed class counts,
    so a resample's seed average is the row counts times the seed-averaged terms."""
    terms = {"brier": np.mean([(p - y) ** 2 for p in runs], axis=0),
             "log_loss": np.mean([_log_loss_rows(y, p) for p in runs], axis=0),
             "mean_over_rate": np.mean(runs, axis=0) / y.mean()}
    fns = calibration_metric_fns()
    draws = {name: np.empty(n_resamples) for name in terms}
    for i, idx in enumerate(stratified_resamples(y, n_resamples, seed)):
        w = np.bincount(idx, minlength=y.size).astype(np.float64)
        for name, t in terms.items():
            draws[name][i] = w @ t / y.size
    return {name: percentile_interval(np.mean([fns[name](y, p) for p in runs]), draws[name],
                                      confidence) for name in terms}


def calibration_table(
    y_true: Any, predictions: Mapping[str, Any], *, n_resamples: int = 300, seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per model: ROC-AUC and PR-AUC, and calibration metrics with bootstrap intervals.

    A value of ``predictions`` is one probability array, or a list with one array per
    training seed; then every column is the average over the seeds, and the intervals
    (stratified bootstrap over the rows) are those of that average. The ranking metrics are
    point estimates (they are the same for every monotone recalibration of one model, so a
    chapter compares them once per model); Brier score, log-loss and mean prediction /
    positive rate get ``estimate``, ``_low`` and ``_high`` columns, ready for
    :func:`helpers.evaluation.format_intervals` (chapter 6, *Recalibration*).
    """
    check_bootstrap_args(n_resamples, confidence, calibration_metric_fns())
    y = as_binary_labels(y_true)
    require_both_classes(y)
    rows = []
    for name, value in predictions.items():
        runs = [labels_and_probabilities(y, p)[1] for p in _runs(value, name)]
        ranking = [ranking_metrics(y, p) for p in runs]
        row: dict[str, Any] = {
            "model": name,
            "roc_auc": float(np.mean([r["roc_auc"] for r in ranking])),
            "pr_auc": float(np.mean([r["pr_auc"] for r in ranking])),
        }
        intervals = _seed_averaged_intervals(y.astype(np.float64), runs, n_resamples,
                                             confidence, seed)
        rows.append({**row, **interval_columns(intervals)})
    return pd.DataFrame(rows).set_index("model")


def rare_event_reliability(
    y_true: Any, y_prob: Any, n_bins: int = 8, confidence: float = 0.95
) -> pd.DataFrame:
    """Reliability bins for rare events: each bin holds an equal share of the predicted positives.

    Sorting by the prediction and cutting where the running sum of ``y_prob`` crosses
    ``k / n_bins`` of its total makes every bin expect the same number of positives, so
    the bins are not crowded near zero with no positive in them, as equal-count
    (quantile) bins are at a 0.2 % rate. Each row: the bin's size, positives, mean
    prediction, observed rate and its Wilson interval (chapter 6, *Recalibration*).
    """
    from scipy.stats import binomtest

    y, p = labels_and_probabilities(y_true, y_prob)
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 2:
        raise ValueError(f"n_bins must be an integer of at least 2; got {n_bins!r}.")
    if not 0.5 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0.5, 1); got {confidence}.")
    order = np.argsort(p, kind="stable")
    ps, ys = p[order], y[order]
    mass = np.cumsum(ps)
    if mass[-1] <= 0:
        raise ValueError("every prediction is 0: there is no predicted mass to bin.")
    cuts = np.searchsorted(mass, mass[-1] * np.arange(1, n_bins) / n_bins, side="left")
    edges = np.unique(np.concatenate([[0], cuts, [p.size]]))
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        n, k = int(hi - lo), int(ys[lo:hi].sum())
        ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        rows.append({"n": n, "positives": k, "mean_predicted": float(ps[lo:hi].mean()),
                     "observed": k / n, "observed_low": float(ci.low),
                     "observed_high": float(ci.high)})
    return pd.DataFrame(rows)


class FrozenProbabilityClassifier(ClassifierMixin, BaseEstimator):
    """A trained binary Keras model seen through scikit-learn's classifier interface.

    It exposes ``classes_``, ``predict_proba`` and ``decision_function`` (the logit of the
    model's probability), so that ``CalibratedClassifierCV(FrozenEstimator(...))`` can fit
    Platt scaling or isotonic regression on top of it without retraining it (chapter 6,
    *Recalibration*). ``fit`` does nothing: the Keras model is never trained here.
    """

    def __init__(self, model: Any = None, batch_size: int = 8192) -> None:
        self.model = model
        self.batch_size = batch_size

    def fit(self, x: Any = None, y: Any = None) -> FrozenProbabilityClassifier:
        """Nothing to fit: the Keras model is already trained."""
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return self.model is not None

    def _positive(self, x: Any) -> np.ndarray:
        from helpers.models import predict_proba

        if self.model is None:
            raise ValueError("FrozenProbabilityClassifier needs a trained model: pass model=...")
        return predict_proba(self.model, x, batch_size=self.batch_size)

    def predict_proba(self, x: Any) -> np.ndarray:
        p = self._positive(x)
        return np.column_stack([1.0 - p, p])

    def decision_function(self, x: Any) -> np.ndarray:
        from scipy.special import logit

        # float32 sigmoid outputs can round to 0 or 1; keep the logits finite for Platt.
        # Only exact 0s and 1s move (to the nearest float64 inside (0, 1)), so no two
        # distinct outputs get the same logit and a monotone calibrator keeps the ranking.
        p = np.clip(self._positive(x), _TINY, _BELOW_ONE)
        return logit(p)

    def predict(self, x: Any) -> np.ndarray:
        return (self._positive(x) >= 0.5).astype(np.int64)

    @property
    def classes_(self) -> np.ndarray:
        """The model is binary: the classes are always 0 and 1."""
        return np.array([0, 1])


def platt_line(calibrated: Any) -> tuple[float, float]:
    """Slope ``a`` and intercept ``b`` of the Platt map ``sigmoid(a z + b)`` on the logit ``z``.

    ``calibrated`` is a fitted ``CalibratedClassifierCV(..., method="sigmoid")`` around one
    frozen model (chapter 6); scikit-learn stores the map as ``expit(-(a_ z + b_))``.
    """
    try:
        (fitted,) = calibrated.calibrated_classifiers_
        (sigmoid,) = fitted.calibrators
        return -float(sigmoid.a_), -float(sigmoid.b_)
    except (AttributeError, ValueError):
        raise ValueError(
            "platt_line needs a fitted CalibratedClassifierCV(FrozenEstimator(...), "
            "method='sigmoid') around one binary model."
        ) from None
