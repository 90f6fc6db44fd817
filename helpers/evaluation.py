"""Metrics, validation-chosen thresholds and bootstrap intervals (introduced in chapter 0).

Everything here wraps scikit-learn's metrics; the added value is input checking with
helpful errors, thresholds chosen on *validation* data, and percentile-bootstrap
intervals so that no chapter reports a bare point estimate.

From chapter 1 on, comparing models needs intervals on several metrics and operating
points over many bootstrap resamples of a large test split. :func:`comparison_metric_fns`
supplies fast, tie-aware NumPy equivalents of scikit-learn's metrics (checked against
scikit-learn in the tests and in chapter 1), :func:`comparison_table` builds the usual
one-row-per-model table, :func:`paired_bootstrap_difference` gives an interval for the
difference between two models scored on the same resamples, and
:func:`threshold_for_recall` moves a model to a target recall on validation data.
:func:`paired_difference_over_seeds` is the same paired interval for two techniques each
trained with several seeds, averaging every resample's metric over the seeds.

The bootstraps score each resample through row counts on predictions sorted once
(:class:`Ranked`, :func:`weighted_form`), for scikit-learn's PR-AUC, ROC-AUC and Brier
functions, their fast equivalents here, and :func:`precision_at`/:func:`recall_at`; any
other ``(y, p) -> float`` callable is called on the resampled arrays.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from helpers.validation import (
    as_binary_labels,
    as_probabilities,
    labels_and_probabilities,
    require_both_classes,
)

MetricFn = Callable[[np.ndarray, np.ndarray], float]


@dataclass(frozen=True)
class Interval:
    """A point estimate with a ``confidence`` interval ``[low, high]``."""

    estimate: float
    low: float
    high: float
    confidence: float = 0.95

    def __str__(self) -> str:
        return f"{self.estimate:.3f} [{self.low:.3f}, {self.high:.3f}]"

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def _check_threshold(threshold: float) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a number in [0, 1]; got {threshold!r}.")
    if not np.isfinite(threshold) or not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be a probability in [0, 1]; got {threshold}.")
    return float(threshold)


def predict_labels(y_prob: Any, threshold: float = 0.5) -> np.ndarray:
    """Hard 0/1 decisions: positive when the probability is at least ``threshold``."""
    return (as_probabilities(y_prob) >= _check_threshold(threshold)).astype(np.int64)


def threshold_metrics(y_true: Any, y_prob: Any, threshold: float = 0.5) -> dict[str, float]:
    """Confusion counts, accuracy, precision, recall, F1 and balanced accuracy at a threshold."""
    y, p = labels_and_probabilities(y_true, y_prob)
    y_hat = predict_labels(p, threshold)
    tn, fp, fn, tp = skm.confusion_matrix(y, y_hat, labels=[0, 1]).ravel()
    return {
        "threshold": float(threshold),
        "tp": int(tp),
        "fp": int(fp),
        "fn": int(fn),
        "tn": int(tn),
        "accuracy": float(skm.accuracy_score(y, y_hat)),
        "precision": float(skm.precision_score(y, y_hat, zero_division=0.0)),
        "recall": float(skm.recall_score(y, y_hat, zero_division=0.0)),
        "f1": float(skm.f1_score(y, y_hat, zero_division=0.0)),
        "balanced_accuracy": float(skm.balanced_accuracy_score(y, y_hat)),
    }


def ranking_metrics(y_true: Any, y_prob: Any) -> dict[str, float]:
    """Threshold-free scores: ROC-AUC, PR-AUC (average precision), Brier, and PR-AUC's no-skill level."""
    y, p = labels_and_probabilities(y_true, y_prob)
    require_both_classes(y)
    return {
        "roc_auc": float(skm.roc_auc_score(y, p)),
        "pr_auc": float(skm.average_precision_score(y, p)),
        "brier": float(skm.brier_score_loss(y, p)),
        "no_skill_pr_auc": float(y.mean()),
    }


def choose_threshold(
    y_val: Any, p_val: Any, *, objective: str = "f1", min_precision: float | None = None
) -> float:
    """Pick a decision threshold on **validation** data.

    ``objective="f1"`` maximises F1; ``objective="precision"`` returns the lowest threshold
    whose precision reaches ``min_precision`` (the highest recall at that precision).
    Never pass test data here: a threshold read off the test split is an optimistic result.
    """
    y, p = labels_and_probabilities(y_val, p_val)
    require_both_classes(y, "y_val")
    precision, recall, thresholds = skm.precision_recall_curve(y, p)
    precision, recall = precision[:-1], recall[:-1]  # align with thresholds
    if objective == "f1":
        f1 = np.divide(
            2 * precision * recall,
            precision + recall,
            out=np.zeros_like(precision),
            where=(precision + recall) > 0,
        )
        return float(thresholds[int(np.argmax(f1))])
    if objective == "precision":
        if min_precision is None or not 0.0 < min_precision <= 1.0:
            raise ValueError(
                "objective='precision' needs min_precision in (0, 1], e.g. min_precision=0.9."
            )
        ok = np.flatnonzero(precision >= min_precision)
        if ok.size == 0:
            raise ValueError(
                f"no threshold reaches precision {min_precision} on this validation data "
                f"(best is {precision.max():.3f}); lower min_precision."
            )
        return float(thresholds[ok[0]])
    raise ValueError(f"objective must be 'f1' or 'precision'; got {objective!r}.")


def check_bootstrap_args(n_resamples: int, confidence: float, metric_fns: Mapping[str, Any]) -> None:
    """Raise ValueError (TypeError for a wrong type) unless the bootstrap settings are usable."""
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral):
        raise TypeError(f"n_resamples must be a whole number of resamples, e.g. 500; got "
                        f"{n_resamples!r}.")
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise TypeError(f"confidence must be a number such as 0.95; got {confidence!r}.")
    if n_resamples < 50:
        raise ValueError(f"n_resamples must be at least 50 for a stable interval; got {n_resamples}.")
    if not 0.5 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0.5, 1); got {confidence}.")
    if not metric_fns:
        raise ValueError("metric_fns is empty: pass e.g. {'pr_auc': average_precision_score}.")


def stratified_resamples(y: np.ndarray, n_resamples: int, seed: int) -> Iterator[np.ndarray]:
    """Index arrays of a stratified bootstrap: positives and negatives drawn separately,
    with replacement, so every resample keeps the observed number of positives."""
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    for _ in range(n_resamples):
        yield np.concatenate(
            [rng.choice(pos, pos.size, replace=True), rng.choice(neg, neg.size, replace=True)]
        )


def percentile_interval(estimate: float, draws: np.ndarray, confidence: float) -> Interval:
    """The percentile-bootstrap interval of ``draws`` around ``estimate``."""
    tail = (1 - confidence) / 2 * 100
    return Interval(
        estimate=float(estimate),
        low=float(np.percentile(draws, tail)),
        high=float(np.percentile(draws, 100 - tail)),
        confidence=confidence,
    )


def interval_columns(intervals: Mapping[str, Interval]) -> dict[str, float]:
    """Flatten intervals into ``metric``, ``metric_low`` and ``metric_high`` table columns."""
    row: dict[str, float] = {}
    for metric, interval in intervals.items():
        row[metric] = interval.estimate
        row[f"{metric}_low"] = interval.low
        row[f"{metric}_high"] = interval.high
    return row


def bootstrap_metrics(
    y_true: Any,
    y_prob: Any,
    metric_fns: Mapping[str, MetricFn],
    *,
    n_resamples: int = 500,
    confidence: float = 0.95,
    seed: int = 0,
    stratified: bool = True,
) -> dict[str, Interval]:
    """Percentile-bootstrap intervals for several metrics over the same resamples.

    ``stratified=True`` resamples positives and negatives separately, so every resample
    keeps the observed number of positives (with a few hundred positives or less, a plain
    bootstrap can draw resamples with very different class balance).
    """
    y, p = labels_and_probabilities(y_true, y_prob)
    require_both_classes(y)
    check_bootstrap_args(n_resamples, confidence, metric_fns)
    if stratified:
        resamples: Iterator[np.ndarray] = stratified_resamples(y, n_resamples, seed)
    else:
        resamples = _plain_resamples(y, n_resamples, seed)
    draws = _draws(y, [[p]], metric_fns, resamples, n_resamples)
    return {
        name: percentile_interval(fn(y, p), draws[name][:, 0], confidence)
        for name, fn in metric_fns.items()
    }


def _plain_resamples(y: np.ndarray, n_resamples: int, seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    for _ in range(n_resamples):
        idx = rng.integers(0, y.size, y.size)
        while y[idx].min() == y[idx].max():  # pragma: no cover - tiny samples only
            idx = rng.integers(0, y.size, y.size)
        yield idx


def standard_metric_fns(threshold: float = 0.5) -> dict[str, MetricFn]:
    """PR-AUC, ROC-AUC, Brier, and precision/recall at ``threshold``, as bootstrap-ready functions.

    The first three are scikit-learn's own functions; the bootstraps below recognise them
    and score resamples with the equivalent count-weighted forms (see :func:`weighted_form`).
    """
    t = _check_threshold(threshold)
    return {
        "pr_auc": skm.average_precision_score,
        "roc_auc": skm.roc_auc_score,
        "brier": skm.brier_score_loss,
        "precision": precision_at(t),
        "recall": recall_at(t),
    }


def summary_table(
    y_true: Any,
    predictions: Mapping[str, Any],
    thresholds: Mapping[str, float],
    *,
    n_resamples: int = 500,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per model: each standard metric as ``estimate [low, high]`` plus raw columns.

    ``thresholds`` gives each model's (validation-chosen) operating point.
    """
    rows = []
    for name, y_prob in predictions.items():
        if name not in thresholds:
            raise ValueError(f"no threshold given for model {name!r}; add thresholds[{name!r}].")
        intervals = bootstrap_metrics(
            y_true, y_prob, standard_metric_fns(thresholds[name]), n_resamples=n_resamples, seed=seed
        )
        rows.append({"model": name, "threshold": float(thresholds[name]),
                     **interval_columns(intervals)})
    return pd.DataFrame(rows).set_index("model")


def format_intervals(
    table: pd.DataFrame, metrics: list[str] | None = None, digits: int | Mapping[str, int] = 3
) -> pd.DataFrame:
    """Render a :func:`summary_table` as ``estimate [low, high]`` strings for display.

    ``digits`` may be a dict per metric (the Brier score of rare events needs more digits).
    """
    names = metrics or [c for c in table.columns if f"{c}_low" in table.columns]
    out = pd.DataFrame(index=table.index)
    for m in names:
        d = digits.get(m, 3) if isinstance(digits, Mapping) else digits
        out[m] = [
            f"{e:.{d}f} [{lo:.{d}f}, {hi:.{d}f}]"
            for e, lo, hi in zip(table[m], table[f"{m}_low"], table[f"{m}_high"], strict=True)
        ]
    return out


# ------------------------------------- fast metrics and model comparison (chapter 1 on)

def _sorted_counts(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative true and false positives at each distinct score, highest score first."""
    order = np.argsort(-p)  # order within tied scores does not matter below
    y_sorted, p_sorted = y[order], p[order]
    last_of_ties = np.r_[np.flatnonzero(np.diff(p_sorted)), y_sorted.size - 1]
    tps = np.cumsum(y_sorted)[last_of_ties].astype(np.float64)
    fps = (last_of_ties + 1) - tps
    return tps, fps


def average_precision(y: np.ndarray, p: np.ndarray) -> float:
    """Average precision (PR-AUC), equal to ``sklearn.metrics.average_precision_score``.

    No input checks: meant for the inner loop of a bootstrap over validated arrays.
    """
    tps, fps = _sorted_counts(y, p)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC-AUC, equal to ``sklearn.metrics.roc_auc_score`` (trapezoids over tied scores)."""
    tps, fps = _sorted_counts(y, p)
    tpr = np.r_[0.0, tps / tps[-1]]
    fpr = np.r_[0.0, fps / fps[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def brier_score(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared difference between probability and label (``brier_score_loss``)."""
    return float(np.mean((p - y) ** 2))


average_precision.weighted = lambda r, w: _weighted_ap(r, w)  # type: ignore[attr-defined]
roc_auc.weighted = lambda r, w: _weighted_roc_auc(r, w)  # type: ignore[attr-defined]
brier_score.weighted = lambda r, w: _weighted_brier(r, w)  # type: ignore[attr-defined]


def comparison_metric_fns(
    thresholds: Mapping[str, float],
) -> dict[str, Callable[[np.ndarray, np.ndarray], float]]:
    """PR-AUC, ROC-AUC, Brier, and precision/recall at each named threshold, bootstrap-ready.

    ``thresholds={"05": 0.5, "val": 0.31}`` adds ``precision_05``, ``recall_05``,
    ``precision_val`` and ``recall_val``. Pass the result to
    :func:`helpers.evaluation.bootstrap_metrics`.
    """
    fns: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
        "pr_auc": average_precision, "roc_auc": roc_auc, "brier": brier_score,
    }
    for name, t in thresholds.items():
        if not 0.0 <= float(t) <= 1.0:
            raise ValueError(f"threshold {name!r} must be a probability in [0, 1]; got {t}.")
        fns[f"precision_{name}"] = precision_at(float(t))
        fns[f"recall_{name}"] = recall_at(float(t))
    return fns


def paired_bootstrap_difference(
    y_true: Any,
    p_a: Any,
    p_b: Any,
    metric_fns: Mapping[str, Callable[[np.ndarray, np.ndarray], float]],
    *,
    n_resamples: int = 500,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Interval]:
    """Interval for ``metric(b) - metric(a)``, both models scored on the *same* resamples.

    Stratified like :func:`helpers.evaluation.bootstrap_metrics`. Pairing removes the test
    set's own luck, which both models share, so the difference interval is narrower than
    the two separate intervals suggest. An interval that contains 0 is not a win.
    """
    y, a = labels_and_probabilities(y_true, p_a)
    _, b = labels_and_probabilities(y_true, p_b)
    if a.size != b.size:
        raise ValueError(f"p_a and p_b must score the same examples; got {a.size} and {b.size}.")
    return paired_difference_over_seeds(y, [a], [b], metric_fns, n_resamples=n_resamples,
                                        confidence=confidence, seed=seed)


def _seed_columns(y: np.ndarray, runs: Sequence[Any], name: str) -> list[np.ndarray]:
    if isinstance(runs, np.ndarray) or not isinstance(runs, Sequence) or not runs:
        raise ValueError(
            f"{name} must be a non-empty list with one probability array per training seed, "
            "e.g. [p_seed0, p_seed1, p_seed2]; for a single run use the functions without "
            "'over_seeds'."
        )
    cols = [as_probabilities(p, f"{name}[{i}]") for i, p in enumerate(runs)]
    for i, p in enumerate(cols):
        if p.size != y.size:
            raise ValueError(f"{name}[{i}] scores {p.size} examples but y_true has {y.size}; "
                             "every seed must be scored on the same test rows.")
    return cols


def paired_difference_over_seeds(
    y_true: Any,
    runs_a: Sequence[Any],
    runs_b: Sequence[Any],
    metric_fns: Mapping[str, Callable[[np.ndarray, np.ndarray], float]],
    *,
    n_resamples: int = 500,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Interval]:
    """Interval for ``mean over seeds of metric(b) - mean over seeds of metric(a)``.

    ``runs_a`` and ``runs_b`` hold one probability array per training seed, all scored on
    the same test rows. Every resample draws the rows once (stratified) and scores every
    seed of both techniques on them, so the interval covers the test split's luck and the
    averages carry the seeds' luck; with one array each it is
    :func:`paired_bootstrap_difference`. Introduced for chapter 1's verdicts.
    """
    y = as_binary_labels(y_true)
    require_both_classes(y)
    check_bootstrap_args(n_resamples, confidence, metric_fns)
    a, b = _seed_columns(y, runs_a, "runs_a"), _seed_columns(y, runs_b, "runs_b")
    draws = _draws(y, [a, b], metric_fns, stratified_resamples(y, n_resamples, seed),
                   n_resamples)
    out = {}
    for name, fn in metric_fns.items():
        estimate = np.mean([fn(y, p) for p in b]) - np.mean([fn(y, p) for p in a])
        out[name] = percentile_interval(estimate, draws[name][:, 1] - draws[name][:, 0],
                                        confidence)
    return out


def per_seed_metric(y_true: Any, runs: Sequence[Any],
                    metric: Callable[[np.ndarray, np.ndarray], float]) -> np.ndarray:
    """``metric`` of each seed's predictions on the same rows, one value per seed."""
    y = as_binary_labels(y_true)
    return np.array([metric(y, p) for p in _seed_columns(y, runs, "runs")])


# ---------------------------------------------- count-weighted scoring of bootstrap resamples
#
# A bootstrap resample repeats some rows and drops others, so it is the original rows with
# integer weights (how often each was drawn). Sorting each model's scores once and scoring
# every resample through its weights gives exactly the metric of the resampled arrays, about
# ten times faster than re-sorting each resample.

class Ranked:
    """One model's scores on fixed rows, sorted once (highest first), for weighted scoring."""

    __slots__ = ("_cached", "last_of_ties", "order", "p", "y", "y_sorted")

    def __init__(self, y: np.ndarray, p: np.ndarray) -> None:
        self.y, self.p = y.astype(np.float64), p
        self.order = np.argsort(-p, kind="stable")
        p_sorted = p[self.order]
        self.y_sorted = self.y[self.order]
        self.last_of_ties = np.r_[np.flatnonzero(np.diff(p_sorted)), p.size - 1]
        self._cached: tuple[np.ndarray, tuple[np.ndarray, np.ndarray]] | None = None

    def counts(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weighted cumulative true and false positives at each distinct score."""
        if self._cached is not None and self._cached[0] is w:  # PR-AUC and ROC-AUC share them
            return self._cached[1]
        ws = w[self.order]
        tps = np.cumsum(ws * self.y_sorted)[self.last_of_ties]
        fps = np.cumsum(ws)[self.last_of_ties] - tps
        self._cached = (w, (tps, fps))
        return tps, fps


def _weighted_ap(r: Ranked, w: np.ndarray) -> float:
    tps, fps = r.counts(w)
    flagged = tps + fps
    precision = np.divide(tps, flagged, out=np.zeros_like(tps), where=flagged > 0)
    return float(np.sum(np.diff(np.r_[0.0, tps / tps[-1]]) * precision))


def _weighted_roc_auc(r: Ranked, w: np.ndarray) -> float:
    tps, fps = r.counts(w)
    tpr, fpr = np.r_[0.0, tps / tps[-1]], np.r_[0.0, fps / fps[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def _weighted_brier(r: Ranked, w: np.ndarray) -> float:
    return float(np.sum(w * (r.p - r.y) ** 2) / np.sum(w))


_WEIGHTED_FORMS: dict[Any, Callable[[Ranked, np.ndarray], float]] = {
    skm.average_precision_score: _weighted_ap,
    skm.roc_auc_score: _weighted_roc_auc,
    skm.brier_score_loss: _weighted_brier,
}


def weighted_form(fn: Any) -> Callable[[Ranked, np.ndarray], float] | None:
    """The count-weighted form of a metric function, or None if the bootstrap must call it
    on each resampled array (any other callable ``(y, p) -> float`` still works, slower)."""
    form = getattr(fn, "weighted", None)
    if form is not None:
        return form
    try:
        return _WEIGHTED_FORMS.get(fn)
    except TypeError:  # unhashable callables have no registered form
        return None


def precision_at(t: float) -> MetricFn:
    """Precision of the rule ``p >= t`` (0 when nothing is flagged), bootstrap-ready."""
    def precision(y: np.ndarray, p: np.ndarray) -> float:
        flagged = p >= t
        n = int(flagged.sum())
        return float(y[flagged].sum() / n) if n else 0.0

    def weighted(r: Ranked, w: np.ndarray) -> float:
        wf = w * (r.p >= t)
        n = wf.sum()
        return float(np.sum(wf * r.y) / n) if n else 0.0

    precision.weighted = weighted  # type: ignore[attr-defined]
    return precision


def recall_at(t: float) -> MetricFn:
    """Recall of the rule ``p >= t``, bootstrap-ready."""
    def recall(y: np.ndarray, p: np.ndarray) -> float:
        return float(np.sum(y[p >= t]) / np.sum(y))

    def weighted(r: Ranked, w: np.ndarray) -> float:
        wy = w * r.y
        return float(np.sum(wy * (r.p >= t)) / np.sum(wy))

    recall.weighted = weighted  # type: ignore[attr-defined]
    return recall


def _draws(y: np.ndarray, groups: Sequence[Sequence[np.ndarray]],
           metric_fns: Mapping[str, Callable[[np.ndarray, np.ndarray], float]],
           resamples: Iterator[np.ndarray], n_resamples: int) -> dict[str, np.ndarray]:
    """Each metric on each resample, averaged over the runs of each group: shape
    ``(n_resamples, len(groups))`` per metric."""
    forms = {name: weighted_form(fn) for name, fn in metric_fns.items()}
    ranked = [[Ranked(y, p) for p in runs] for runs in groups]
    draws = {name: np.empty((n_resamples, len(groups))) for name in metric_fns}
    for i, idx in enumerate(resamples):
        w = np.bincount(idx, minlength=y.size).astype(np.float64)
        for name, fn in metric_fns.items():
            form = forms[name]
            for g, runs in enumerate(groups):
                if form is not None:
                    values = [form(r, w) for r in ranked[g]]
                else:
                    values = [fn(y[idx], p[idx]) for p in runs]
                draws[name][i, g] = np.mean(values)
    return draws


def threshold_for_recall(y_val: Any, p_val: Any, target_recall: float) -> float:
    """The highest threshold whose recall on validation data reaches ``target_recall``.

    Used to move an unweighted model to the recall a weighted model reaches at 0.5,
    choosing the threshold on validation data only.
    """
    y, p = labels_and_probabilities(y_val, p_val)
    require_both_classes(y, "y_val")
    if not 0.0 < target_recall <= 1.0:
        raise ValueError(f"target_recall must be in (0, 1]; got {target_recall}.")
    scores = np.sort(p[y == 1])[::-1]
    k = math.ceil(round(target_recall * scores.size, 9))
    return float(scores[k - 1])


def comparison_table(
    y_true: Any,
    predictions: Mapping[str, Any],
    thresholds: Mapping[str, float],
    *,
    n_resamples: int = 500,
    seed: int = 0,
) -> Any:
    """One row per model: PR-AUC, ROC-AUC, Brier, and precision/recall at 0.5 and at the
    model's own (validation-chosen) threshold, each with a bootstrap interval.

    Built on :func:`helpers.evaluation.bootstrap_metrics` with :func:`comparison_metric_fns`;
    the layout (``metric``, ``metric_low``, ``metric_high``) is that of
    :func:`helpers.evaluation.summary_table`, so :func:`helpers.evaluation.format_intervals`
    renders it. Columns ``precision_05``/``recall_05`` are at 0.5, ``precision_val``/
    ``recall_val`` at the model's threshold.
    """
    rows = []
    for name, y_prob in predictions.items():
        if name not in thresholds:
            raise ValueError(f"no threshold given for model {name!r}; add thresholds[{name!r}].")
        fns = comparison_metric_fns({"05": 0.5, "val": float(thresholds[name])})
        intervals = bootstrap_metrics(y_true, y_prob, fns, n_resamples=n_resamples, seed=seed)
        rows.append({"model": name, "threshold": float(thresholds[name]),
                     **interval_columns(intervals)})
    return pd.DataFrame(rows).set_index("model")
