"""Plumbing for comparing techniques under one budget (introduced in chapter 7, *Which technique when*).

The closing chapter trains every technique of the book on the same split, with the same
network and the same budget of gradient updates, and reports one table. Three small pieces
of plumbing repeat there and live here:

* :class:`Stopwatch`: wall-clock time of a block of code (training time per technique);
* :func:`repeat_rows`: stretch a small (undersampled) training set to a fixed number of
  rows, so that one Keras epoch over it is as many updates as an epoch over the full data;
* :func:`plot_interval_forest`: one metric with its interval per technique, as horizontal
  error bars, with a reference row (the baseline) marked;
* :func:`seedwise_scores` and :func:`seed_summary`: the test metrics of each training seed
  of a technique, and their mean, lowest and highest value over seeds, for the table of
  seed averages (:func:`format_seed_summary` renders it).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Stopwatch", "format_seed_summary", "plot_interval_forest", "repeat_rows",
           "seed_summary", "seedwise_scores"]


class Stopwatch:
    """Wall-clock seconds spent inside a ``with`` block (chapter 7, *Which technique when*).

    ``with Stopwatch() as clock: ...`` then read ``clock.seconds``. Reading it while the
    block runs gives the time so far. Timings depend on the machine and its load: report
    them, but never assert exact values.
    """

    def __init__(self) -> None:
        self._start: float | None = None
        self._stop: float | None = None

    def __enter__(self) -> Stopwatch:
        self._start, self._stop = time.perf_counter(), None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop = time.perf_counter()

    @property
    def seconds(self) -> float:
        """Elapsed seconds: final once the block has ended, running while it is open."""
        if self._start is None:
            raise ValueError("the stopwatch was never started: use it as `with Stopwatch() as c:`.")
        end = self._stop if self._stop is not None else time.perf_counter()
        return end - self._start


def repeat_rows(x: Any, y: Any, n_rows: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate shuffled passes over ``(x, y)`` until there are exactly ``n_rows`` rows.

    Each pass is a fresh permutation of all rows, so every row appears either
    ``n_rows // len(x)`` or one more time (chapter 7, *Which technique when*). Used to give a
    small undersampled training set the same number of updates per Keras epoch as the full
    training split, so that early stopping checks the validation split equally often.
    """
    x_arr, y_arr = np.asarray(x), np.asarray(y)
    if x_arr.ndim == 0 or y_arr.ndim != 1:
        raise ValueError(
            f"x must be an array of rows and y a flat label vector; got shapes {x_arr.shape} "
            f"and {y_arr.shape}."
        )
    if len(x_arr) != len(y_arr):
        raise ValueError(f"x and y must have the same length; got {len(x_arr)} and {len(y_arr)}.")
    if len(x_arr) == 0:
        raise ValueError("x is empty: there is nothing to repeat.")
    if isinstance(n_rows, bool) or not isinstance(n_rows, (int, np.integer)) or n_rows < 1:
        raise ValueError(f"n_rows must be a positive integer; got {n_rows!r}.")
    rng = np.random.default_rng(seed)
    passes = -(-int(n_rows) // len(x_arr))  # ceiling division
    order = np.concatenate([rng.permutation(len(x_arr)) for _ in range(passes)])[:n_rows]
    return x_arr[order], y_arr[order]


def plot_interval_forest(
    table: pd.DataFrame,
    metric: str = "pr_auc",
    *,
    reference: str | None = None,
    order: Sequence[str] | None = None,
    ax: Any | None = None,
    title: str | None = None,
    xlabel: str | None = None,
) -> Any:
    """One row per model: ``metric`` as a dot with its interval as a horizontal error bar.

    ``table`` has the columns ``metric``, ``metric_low`` and ``metric_high``, as
    :func:`helpers.evaluation.comparison_table` builds them. ``reference`` (e.g. the baseline)
    gets a vertical line at its estimate and a shaded band over its interval, so that a
    reader sees at once which intervals leave the band (chapter 7, *Which technique when*).
    Returns the ``ax``.
    """
    import matplotlib.pyplot as plt

    missing = [c for c in (metric, f"{metric}_low", f"{metric}_high") if c not in table.columns]
    if missing:
        raise ValueError(
            f"table lacks the columns {missing}; build it with comparison_table or "
            "bootstrap_metrics so that each metric has _low and _high columns."
        )
    names = list(order) if order is not None else list(table.index)
    unknown = [n for n in names if n not in table.index]
    if unknown or (reference is not None and reference not in table.index):
        raise ValueError(
            f"unknown rows {unknown or [reference]}; the table has {list(table.index)}."
        )
    rows = table.loc[names]
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 0.45 * len(names) + 1.6))
    positions = np.arange(len(names))[::-1]
    est, low, high = rows[metric].to_numpy(), rows[f"{metric}_low"].to_numpy(), rows[
        f"{metric}_high"].to_numpy()
    label = metric.replace("_", "-").upper() if metric in ("pr_auc", "roc_auc") else metric
    if reference is not None:
        ref = table.loc[reference]
        ax.axvspan(ref[f"{metric}_low"], ref[f"{metric}_high"], color="grey", alpha=0.15,
                   label=f"{reference}: 95 % interval")
        ax.axvline(ref[metric], color="grey", ls="--", lw=1, label=f"{reference}: estimate")
    ax.errorbar(est, positions, xerr=np.vstack([est - low, high - est]), fmt="o", color="C0",
                capsize=3, label=f"{label} with 95 % interval")
    ax.set_yticks(positions, names)
    ax.set_xlabel(xlabel or f"{label} on the test split")
    ax.set_ylabel("technique")
    ax.set_title(title or f"{label} per technique")
    # an empty band under the last row holds the legend, so that it never hides a row
    ax.set_ylim(-1.5, len(names) - 0.5)
    ax.legend(fontsize="x-small", loc="lower center", ncol=3, frameon=False)
    return ax


def seedwise_scores(
    y_true: Any,
    runs: Sequence[Any],
    thresholds: Sequence[float],
    *,
    corrected: Sequence[Any] | None = None,
    seeds: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Test metrics of one technique, one row per training seed (chapter 7).

    ``runs`` holds one probability array per seed and ``thresholds`` each seed's threshold,
    chosen on validation data. The columns are ``pr_auc``, ``roc_auc``, ``recall`` and
    ``precision`` at the seed's threshold, ``brier`` and, when ``corrected`` (the
    prior-corrected probabilities, one array per seed) is given, ``brier_corr``.
    """
    from helpers.evaluation import average_precision, brier_score, roc_auc, threshold_metrics
    from helpers.validation import as_binary_labels

    y = as_binary_labels(y_true)
    if isinstance(runs, np.ndarray) or not isinstance(runs, Sequence) or not runs:
        raise ValueError("runs must be a non-empty list with one probability array per seed.")
    if len(thresholds) != len(runs) or (corrected is not None and len(corrected) != len(runs)):
        raise ValueError(f"give one threshold (and one corrected array) per seed; got "
                         f"{len(runs)} runs and {len(thresholds)} thresholds.")
    index = list(seeds) if seeds is not None else list(range(len(runs)))
    if len(index) != len(runs):
        raise ValueError(f"seeds names {len(index)} seeds but there are {len(runs)} runs.")
    rows = []
    for k, (p, t) in enumerate(zip(runs, thresholds, strict=True)):
        p = np.asarray(p, dtype=np.float64).ravel()
        if p.size != y.size:
            raise ValueError(f"run {k} scores {p.size} rows but y_true has {y.size}.")
        point = threshold_metrics(y, p, float(t))
        row = {"pr_auc": average_precision(y, p), "roc_auc": roc_auc(y, p),
               "recall": point["recall"], "precision": point["precision"],
               "brier": brier_score(y, p)}
        if corrected is not None:
            row["brier_corr"] = brier_score(y, np.asarray(corrected[k], dtype=np.float64))
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(index, name="seed"))


def seed_summary(scores: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per technique: each metric's mean over seeds, with ``_min`` and ``_max``.

    ``scores`` maps a technique to its :func:`seedwise_scores` table (chapter 7).
    """
    if not scores:
        raise ValueError("scores is empty: give at least one technique's seedwise_scores.")
    rows = {}
    for name, table in scores.items():
        row: dict[str, float] = {}
        for column in table.columns:
            values = table[column].to_numpy(dtype=np.float64)
            row[column] = float(values.mean())
            row[f"{column}_min"], row[f"{column}_max"] = float(values.min()), float(values.max())
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def format_seed_summary(
    table: pd.DataFrame, metrics: Sequence[str], digits: int | Mapping[str, int] = 3
) -> pd.DataFrame:
    """Render a :func:`seed_summary` as ``mean (lowest-highest seed)`` strings (chapter 7)."""
    missing = [m for m in metrics for c in (m, f"{m}_min", f"{m}_max") if c not in table]
    if missing:
        raise ValueError(f"table lacks the columns of {sorted(set(missing))}; build it with "
                         "seed_summary.")
    out = pd.DataFrame(index=table.index)
    for m in metrics:
        d = digits.get(m, 3) if isinstance(digits, Mapping) else digits
        out[m] = [f"{e:.{d}f} ({lo:.{d}f}\u2013{hi:.{d}f})" for e, lo, hi in
                  zip(table[m], table[f"{m}_min"], table[f"{m}_max"], strict=True)]
    return out
