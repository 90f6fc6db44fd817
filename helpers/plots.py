"""Plots every chapter reuses (introduced in chapter 0, decision boundaries in chapter 3).

Each function draws on a given Matplotlib ``ax`` (or a new one), sets a title, axis
labels and a legend, and returns the ``ax`` so a chapter can add to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay, RocCurveDisplay

from helpers.evaluation import predict_labels
from helpers.validation import as_binary_labels, labels_and_probabilities, require_both_classes


def _axes(ax: Any | None, figsize: tuple[float, float] = (5.5, 4.0)) -> Any:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_training_curves(
    histories: Mapping[str, Any],
    metric: str = "loss",
    *,
    validation: bool = True,
    log_scale: bool = False,
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """One line per run for ``metric`` (solid: training, dashed: validation) against epoch."""
    ax = _axes(ax)
    for i, (name, history) in enumerate(histories.items()):
        logs = getattr(history, "history", history)
        if metric not in logs:
            raise ValueError(f"run {name!r} has no metric {metric!r}; it logged {sorted(logs)}.")
        color = f"C{i}"
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], color=color, label=f"{name} (train)")
        if validation and f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], color=color, ls="--", label=f"{name} (validation)")
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(title or f"{metric.replace('_', ' ')} during training")
    ax.legend(fontsize="small")
    return ax


def plot_pr_curves(
    y_true: Any, predictions: Mapping[str, Any], *, ax: Any | None = None, title: str | None = None
) -> Any:
    """Precision-recall curves with the no-skill line (precision = positive rate)."""
    ax = _axes(ax)
    y = as_binary_labels(y_true)
    require_both_classes(y)
    for name, y_prob in predictions.items():
        y_checked, p = labels_and_probabilities(y, y_prob)
        PrecisionRecallDisplay.from_predictions(y_checked, p, name=name, ax=ax)
    rate = float(y.mean())
    ax.axhline(rate, color="grey", ls=":", label=f"no skill (AP = {rate:.4f})")
    ax.set_xlabel("recall (fraction of positives caught)")
    ax.set_ylabel("precision (fraction of alarms that are positive)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(title or "Precision-recall curves")
    ax.legend(fontsize="small", loc="lower left")
    return ax


def plot_roc_curves(
    y_true: Any, predictions: Mapping[str, Any], *, ax: Any | None = None, title: str | None = None
) -> Any:
    """ROC curves with the no-skill diagonal."""
    ax = _axes(ax)
    y = as_binary_labels(y_true)
    require_both_classes(y)
    for name, y_prob in predictions.items():
        y_checked, p = labels_and_probabilities(y, y_prob)
        RocCurveDisplay.from_predictions(y_checked, p, name=name, ax=ax)
    ax.plot([0, 1], [0, 1], color="grey", ls=":", label="no skill (AUC = 0.5)")
    ax.set_xlabel("false-positive rate (fraction of negatives flagged)")
    ax.set_ylabel("true-positive rate (recall)")
    ax.set_title(title or "ROC curves")
    ax.legend(fontsize="small", loc="lower right")
    return ax


def plot_confusion_matrix(
    y_true: Any,
    y_prob: Any,
    threshold: float = 0.5,
    *,
    class_names: Sequence[str] = ("negative", "positive"),
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """Confusion matrix (counts) of the decisions ``p >= threshold``."""
    ax = _axes(ax, (4.0, 3.6))
    y, p = labels_and_probabilities(y_true, y_prob)
    ConfusionMatrixDisplay.from_predictions(
        y,
        predict_labels(p, threshold),
        labels=[0, 1],
        display_labels=list(class_names),
        values_format="d",
        colorbar=False,
        cmap="Blues",
        ax=ax,
    )
    ax.set_title(title or f"Confusion matrix at threshold {threshold:.3g}")
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax


def plot_decision_boundary(
    predict_proba: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: Any,
    *,
    lim: tuple[float, float] = (-4.0, 4.0),
    step: float = 0.03,
    threshold: float = 0.5,
    max_points: int = 4000,
    seed: int = 0,
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """Predicted-probability map of a 2-D classifier with its ``threshold`` contour."""
    ax = _axes(ax, (5.0, 5.0))
    x = np.asarray(x, dtype=np.float64)
    labels = as_binary_labels(y)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x must have shape (n, 2) for a 2-D boundary; got {x.shape}.")
    if step <= 0 or lim[0] >= lim[1]:
        raise ValueError(f"need step > 0 and lim[0] < lim[1]; got step={step}, lim={lim}.")
    grid = np.arange(lim[0], lim[1] + step / 2, step)
    xx, yy = np.meshgrid(grid, grid)
    probs = np.asarray(predict_proba(np.c_[xx.ravel(), yy.ravel()]), dtype=np.float64)
    zz = probs.reshape(xx.shape)
    mesh = ax.contourf(xx, yy, zz, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    if zz.min() < threshold < zz.max():
        ax.contour(xx, yy, zz, levels=[threshold], colors="k", linewidths=1.5)
    rng = np.random.default_rng(seed)
    shown = rng.permutation(len(x))[:max_points]
    for cls, color, name in ((0, "tab:blue", "negative"), (1, "tab:red", "positive")):
        sel = shown[labels[shown] == cls]
        ax.scatter(x[sel, 0], x[sel, 1], s=3, c=color, label=name, alpha=0.5)
    ax.figure.colorbar(mesh, ax=ax, label="predicted probability of the positive class")
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or f"Decision boundary (black: p = {threshold:g})")
    ax.legend(fontsize="small", loc="upper right", markerscale=4)
    return ax


def plot_reliability(
    y_true: Any,
    predictions: Mapping[str, Any],
    *,
    n_bins: int = 10,
    strategy: str = "quantile",
    log_scale: bool = True,
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """Reliability diagram: observed positive rate against mean predicted probability.

    ``strategy="quantile"`` with ``log_scale=True`` suits rare events, whose predictions
    crowd near zero where equal-width bins would hold almost everything in one bin.
    """
    ax = _axes(ax, (5.0, 5.0))
    y = as_binary_labels(y_true)
    lo = 1.0
    for name, y_prob in predictions.items():
        y_checked, p = labels_and_probabilities(y, y_prob)
        frac_pos, mean_pred = calibration_curve(y_checked, p, n_bins=n_bins, strategy=strategy)
        ax.plot(mean_pred, frac_pos, marker="o", label=name)
        positive = np.concatenate([mean_pred[mean_pred > 0], frac_pos[frac_pos > 0]])
        if positive.size:
            lo = min(lo, float(positive.min()))
    if log_scale:
        lo = max(lo / 2, 1e-6)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.plot([lo, 1], [lo, 1], color="grey", ls=":", label="perfect calibration")
    else:
        ax.plot([0, 1], [0, 1], color="grey", ls=":", label="perfect calibration")
    ax.set_xlabel("mean predicted probability in bin")
    ax.set_ylabel("observed fraction of positives in bin")
    ax.set_title(title or "Reliability diagram")
    ax.legend(fontsize="small", loc="upper left")
    return ax


def plot_rare_event_reliability(
    y_true: Any,
    predictions: Mapping[str, Any],
    *,
    n_bins: int = 8,
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """Reliability diagram on log axes with :func:`rare_event_reliability` bins (chapter 6, *Recalibration*).

    Points are the observed positive rate against the mean prediction of each bin, with
    95 % Wilson intervals; a bin without positives is drawn as a hollow triangle at the
    upper end of its interval, since 0 has no place on a log axis.
    """
    from helpers.calibration import rare_event_reliability

    ax = _axes(ax, figsize=(5.0, 5.0))
    lo = 1.0
    for i, (name, y_prob) in enumerate(predictions.items()):
        table = rare_event_reliability(y_true, y_prob, n_bins=n_bins)
        color = f"C{i}"
        seen = table[table["positives"] > 0]
        empty = table[table["positives"] == 0]
        yerr = np.vstack([seen["observed"] - seen["observed_low"],
                          seen["observed_high"] - seen["observed"]])
        ax.errorbar(seen["mean_predicted"], seen["observed"], yerr=yerr, color=color,
                    marker="o", ms=4, capsize=2, label=name)
        if len(empty):
            ax.plot(empty["mean_predicted"], empty["observed_high"], ls="none", marker="v",
                    mfc="none", color=color)
        values = np.concatenate([table["mean_predicted"], seen["observed_low"]])
        values = values[values > 0]
        if values.size:
            lo = min(lo, float(values.min()))
    lo = max(lo / 2, 1e-7)
    ax.plot([lo, 1], [lo, 1], color="grey", ls=":", label="perfect calibration")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("mean predicted probability in bin (log scale)")
    ax.set_ylabel("observed fraction of positives in bin (log scale)")
    ax.set_title(title or "Reliability diagram (equal predicted-positive bins)")
    ax.legend(fontsize="small", loc="upper left")
    return ax


# contour colours that stay apart from the blue and red of the data points
_CONTOUR_COLORS = ("C1", "C2", "C4", "C5", "C6", "C7", "C8", "C9", "C0", "C3")


def plot_threshold_contours(
    ticks: Any,
    surfaces: Mapping[str, Any],
    *,
    threshold: float = 0.5,
    x: np.ndarray | None = None,
    y: Any = None,
    max_points: int = 3000,
    seed: int = 0,
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """The ``threshold`` contours of several probability maps on one square grid (chapter 3).

    ``ticks`` are the grid's coordinates along each axis; each value of ``surfaces`` is
    one map of shape ``(n, n)`` (rows follow the second coordinate) or a stack
    ``(k, n, n)`` drawn as ``k`` thin lines of one colour, e.g. one per seed. ``x`` and
    ``y`` optionally add a faint sample of the data. A map that never crosses the
    threshold draws nothing, and its legend entry says so.
    """
    from matplotlib.lines import Line2D

    ax = _axes(ax, (5.0, 5.0))
    grid = np.asarray(ticks, dtype=np.float64)
    if grid.ndim != 1 or grid.size < 2 or np.any(np.diff(grid) <= 0):
        raise ValueError("ticks must be an increasing 1-D array of grid coordinates.")
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1); got {threshold}.")
    if x is not None:
        pts = np.asarray(x, dtype=np.float64)
        labels = as_binary_labels(y)
        rng = np.random.default_rng(seed)
        shown = rng.permutation(len(pts))[:max_points]
        for cls, color, name in ((0, "tab:blue", "negative"), (1, "tab:red", "positive")):
            sel = shown[labels[shown] == cls]
            ax.scatter(pts[sel, 0], pts[sel, 1], s=2, c=color, alpha=0.25, label=f"{name} points")
    handles, names = [], []
    for i, (name, surface) in enumerate(surfaces.items()):
        stack = np.asarray(surface, dtype=np.float64)
        if stack.ndim == 2:
            stack = stack[None]
        if stack.ndim != 3 or stack.shape[1:] != (grid.size, grid.size):
            raise ValueError(
                f"surface {name!r} has shape {np.shape(surface)}; expected ({grid.size}, "
                f"{grid.size}) or (k, {grid.size}, {grid.size}) for {grid.size} ticks."
            )
        color = _CONTOUR_COLORS[i % len(_CONTOUR_COLORS)]
        width = 1.8 if len(stack) == 1 else 0.9
        crossed = 0
        for zz in stack:
            if zz.min() < threshold < zz.max():
                ax.contour(grid, grid, zz, levels=[threshold], colors=[color], linewidths=width)
                crossed += 1
        suffix = "" if crossed else f" (never reaches {threshold:g})"
        if len(stack) > 1:
            suffix = f" ({crossed} of {len(stack)} cross {threshold:g})" if crossed < len(stack) else ""
        handles.append(Line2D([], [], color=color, lw=width))
        names.append(f"{name}{suffix}")
    point_handles, point_names = ax.get_legend_handles_labels()
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(grid[0], grid[-1])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or f"Contours p = {threshold:g}")
    ax.legend(handles + point_handles, names + point_names, fontsize="x-small", loc="upper right",
              markerscale=4)
    return ax
