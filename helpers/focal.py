"""Focal loss made explicit (introduced in chapter 4, *Focal loss*).

Lin et al. (2017) define the focal loss of an example whose true class gets probability
``p_t`` as ``FL = -alpha_t * (1 - p_t)**gamma * log(p_t)``. This module holds a NumPy
reference of that formula with the class-balancing convention spelled out, the prior-based
output bias of the paper, the prediction that minimises the expected focal loss (and its
inverse, which maps a focal model's outputs back to probabilities), a loop that trains
a grid of loss settings with one budget and several seeds, and a per-seed summary table.

The alpha convention is Keras': ``alpha=None`` means no class balancing
(``apply_class_balancing=False``, Keras' default, which ignores ``alpha`` altogether);
``alpha=a`` gives class 1 the weight ``a`` and class 0 the weight ``1 - a``, so Keras'
default ``a = 0.25`` *down-weights* the positives.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from helpers.validation import as_binary_labels, require_both_classes

__all__ = [
    "KERAS_EPSILON",
    "GridRun",
    "LossSetting",
    "alpha_for_ratio",
    "class_balancing_weights",
    "focal_implied_probability",
    "focal_loss",
    "focal_minimiser",
    "focal_optimal_bias",
    "format_seed_table",
    "keras_focal_loss",
    "prior_output_bias",
    "seed_table",
    "train_loss_grid",
]

KERAS_EPSILON = 1e-7  # keras.config.epsilon(): Keras clips probabilities to [eps, 1 - eps]


def _check_gamma(gamma: Any) -> float:
    try:
        g = float(gamma)
    except (TypeError, ValueError):
        raise ValueError(f"gamma must be a number >= 0; got {gamma!r}.") from None
    if not math.isfinite(g) or g < 0:
        raise ValueError(f"gamma must be a finite number >= 0 (0 is cross-entropy); got {gamma!r}.")
    return g


def _check_alpha(alpha: Any) -> float | None:
    if alpha is None:
        return None
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise ValueError(
            f"alpha must be None (no class balancing) or in (0, 1); got {alpha!r}."
        ) from None
    if not 0.0 < a < 1.0:
        raise ValueError(
            f"alpha must be None (no class balancing) or strictly between 0 and 1; got {alpha!r}. "
            "It is the weight of class 1; class 0 gets 1 - alpha."
        )
    return a


def class_balancing_weights(alpha: float | None) -> tuple[float, float]:
    """``(weight of class 0, weight of class 1)`` that focal loss applies for ``alpha``.

    ``None`` (no balancing) gives ``(1, 1)``; otherwise ``(1 - alpha, alpha)``.
    """
    a = _check_alpha(alpha)
    return (1.0, 1.0) if a is None else (1.0 - a, a)


def alpha_for_ratio(ratio: float) -> float:
    """The ``alpha`` whose class-1 weight is ``ratio`` times the class-0 weight: ``r / (1 + r)``.

    ``ratio=3`` gives 0.75; Keras' default 0.25 is ``ratio=1/3``.
    """
    r = float(ratio)
    if not math.isfinite(r) or r <= 0:
        raise ValueError(
            f"ratio must be a positive number (weight of class 1 / class 0); got {ratio!r}."
        )
    return r / (1.0 + r)


def focal_loss(
    y_true: Any,
    y_prob: Any,
    gamma: float = 2.0,
    alpha: float | None = None,
    *,
    epsilon: float = KERAS_EPSILON,
) -> np.ndarray:
    """Per-example binary focal loss in nats, ``-alpha_t (1 - p_t)**gamma log(p_t)``.

    ``p_t`` is ``p`` for a positive and ``1 - p`` for a negative. The log uses the
    probability clipped to ``[epsilon, 1 - epsilon]`` (in float32, as Keras computes it) and
    the focal factor the unclipped one, as ``keras.losses.BinaryFocalCrossentropy`` does.
    ``alpha=None`` means no class balancing; see the module docstring for the convention.
    """
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_prob, dtype=np.float64)
    if y.shape != p.shape:
        raise ValueError(
            f"y_true and y_prob must have the same shape; got {y.shape} and {p.shape}."
        )
    if not np.all(np.isin(y, (0.0, 1.0))):
        raise ValueError("y_true must hold 0/1 labels.")
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError(
            "y_prob must hold probabilities in [0, 1]; pass sigmoid outputs, not logits."
        )
    g = _check_gamma(gamma)
    w0, w1 = class_balancing_weights(alpha)
    # Keras clips in float32, where 1 - 1e-7 rounds to 1 - 1.19e-7
    lo = float(np.float32(epsilon))
    clipped = np.clip(p, lo, float(np.float32(1.0) - np.float32(epsilon)))
    log_pt = np.where(y == 1, np.log(clipped), np.log1p(-clipped))
    p_t = np.where(y == 1, p, 1.0 - p)
    weight = np.where(y == 1, w1, w0)
    return -weight * (1.0 - p_t) ** g * log_pt


def keras_focal_loss(gamma: float = 2.0, alpha: float | None = None, **kwargs: Any) -> Any:
    """``keras.losses.BinaryFocalCrossentropy`` with this module's alpha convention.

    ``alpha=None`` sets ``apply_class_balancing=False``; a number sets it to ``True``.
    """
    import keras

    g = _check_gamma(gamma)
    a = _check_alpha(alpha)
    if a is None:
        return keras.losses.BinaryFocalCrossentropy(gamma=g, apply_class_balancing=False, **kwargs)
    return keras.losses.BinaryFocalCrossentropy(
        gamma=g, alpha=a, apply_class_balancing=True, **kwargs
    )


def prior_output_bias(prior: float) -> float:
    """Lin et al.'s output bias ``b = -log((1 - prior) / prior)``: the sigmoid starts at ``prior``.

    With ``prior`` equal to the training positive rate this is chapter 0's ``log(pos / neg)``.
    """
    pi = float(prior)
    if not 0.0 < pi < 1.0:
        raise ValueError(f"prior must be a probability strictly between 0 and 1; got {prior!r}.")
    return -math.log((1.0 - pi) / pi)


def _derivatives(q: np.ndarray, g: float) -> tuple[np.ndarray, np.ndarray]:
    """d/dq of the positive-class loss A(q) = -(1-q)^g log q and of B(q) = -q^g log(1-q)."""
    log_q, log_1mq = np.log(q), np.log1p(-q)
    d_pos = -((1.0 - q) ** g) / q
    d_neg = q**g / (1.0 - q)
    if g > 0:
        d_pos = d_pos + g * (1.0 - q) ** (g - 1.0) * log_q
        d_neg = d_neg - g * q ** (g - 1.0) * log_1mq
    return d_pos, d_neg


def focal_implied_probability(q: Any, gamma: float = 2.0, alpha: float | None = None) -> np.ndarray:
    """The true probability ``eta`` for which ``q`` minimises the expected focal loss.

    Setting the derivative of ``eta w1 A(q) + (1 - eta) w0 B(q)`` to zero gives
    ``eta = w0 B'(q) / (w0 B'(q) - w1 A'(q))``. Applied to a focal model's outputs it maps
    them back to probabilities (if the model reached the loss's minimum); for
    ``gamma = 0`` without balancing it is the identity.
    """
    arr = np.asarray(q, dtype=np.float64)
    if np.any(~np.isfinite(arr)) or np.any((arr <= 0) | (arr >= 1)):
        raise ValueError("q must hold probabilities strictly between 0 and 1; clip them first.")
    g = _check_gamma(gamma)
    w0, w1 = class_balancing_weights(alpha)
    d_pos, d_neg = _derivatives(arr, g)
    num = w0 * d_neg
    return num / (num - w1 * d_pos)


def focal_minimiser(
    eta: Any, gamma: float = 2.0, alpha: float | None = None, *, iterations: int = 200
) -> np.ndarray:
    """The prediction ``q`` minimising the expected focal loss when the true probability is ``eta``.

    Found by bisection (in logit space) on :func:`focal_implied_probability`, which rises
    from 0 to 1 as ``q`` does. Without balancing, ``gamma > 0`` pulls ``q`` towards 0.5.
    """
    e = np.asarray(eta, dtype=np.float64)
    if np.any(~np.isfinite(e)) or np.any((e <= 0) | (e >= 1)):
        raise ValueError("eta must hold probabilities strictly between 0 and 1.")
    g = _check_gamma(gamma)
    a = _check_alpha(alpha)
    lo = np.full(e.shape, -40.0)
    hi = np.full(e.shape, 40.0)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        too_high = focal_implied_probability(1 / (1 + np.exp(-mid)), g, a) > e
        hi = np.where(too_high, mid, hi)
        lo = np.where(too_high, lo, mid)
        if np.all(hi - lo < 1e-12):
            break
    out = 1 / (1 + np.exp(-(lo + hi) / 2))
    return out if out.ndim else out[()]


def focal_optimal_bias(y_train: Any, gamma: float = 2.0, alpha: float | None = None) -> float:
    """The "careful" output bias under focal loss: the logit of the best constant prediction.

    For cross-entropy (``gamma = 0``, no balancing) this is ``log(pos / neg)``; focal loss
    puts the best constant above the positive rate.
    """
    labels = as_binary_labels(y_train)
    require_both_classes(labels, "y_train")
    q = float(focal_minimiser(float(labels.mean()), gamma, alpha))
    return math.log(q / (1.0 - q))


@dataclass(frozen=True)
class LossSetting:
    """One cell of a loss grid: a Keras loss, optional class weights and the output bias."""

    loss: Any
    output_bias: float
    class_weight: Mapping[int, float] | None = None


@dataclass
class GridRun:
    """Predictions and bookkeeping of :func:`train_loss_grid`, one entry per setting.

    ``p_val[name]`` and ``p_test[name]`` hold one probability array per seed (in the
    order of ``seeds``), ``best_epochs[name]`` each seed's restored epoch (1-based);
    ``epochs_run`` and ``seconds`` are those of the stack a setting was trained in (its time
    shared equally among the settings in it).
    """

    seeds: tuple[int, ...] = ()
    p_val: dict[str, list[np.ndarray]] = field(default_factory=dict)
    p_test: dict[str, list[np.ndarray]] = field(default_factory=dict)
    best_epochs: dict[str, list[int]] = field(default_factory=dict)
    epochs_run: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def train_loss_grid(
    settings: Mapping[str, LossSetting],
    splits: Any,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    epochs: int = 40,
    patience: int = 6,
    batch_size: int = 2048,
    print_every: int = 100,
) -> GridRun:
    """Train the book's MLP for every setting and seed, with one split and one budget.

    The settings without class weights are trained together:
    :func:`helpers.seeds.stack_settings` puts one copy of the MLP per (setting, seed) side
    by side, each compiled with its setting's loss and output bias, and one ``model.fit``
    trains them all on the same batches. A setting with ``class_weight`` gets a
    :func:`helpers.seeds.stack_seeds` model and a ``model.fit(class_weight=...)`` of its own,
    because Keras applies class weights to the whole model's loss.
    :func:`helpers.seeds.SeedwiseEarlyStopping` stops a stack once all its copies have
    stalled on validation PR-AUC and restores each copy's best epoch. Copy ``k`` of every
    setting starts from seed ``k``'s hidden weights, so the settings differ only in their
    loss, bias and class weights.
    """
    from helpers.models import build_mlp
    from helpers.seeds import SeedwiseEarlyStopping, predict_seeds, stack_seeds, stack_settings

    if not settings:
        raise ValueError("settings is empty: give at least one name -> LossSetting.")
    bad = [name for name, s in settings.items() if not isinstance(s, LossSetting)]
    if bad:
        raise ValueError(f"settings {bad} are not LossSetting(loss, output_bias, class_weight).")
    n_features = splits.x_train.shape[1]
    run = GridRun(seeds=tuple(int(s) for s in seeds))

    def build_for(setting: LossSetting) -> Any:
        return partial(build_mlp, n_features, output_bias=setting.output_bias,
                       loss=setting.loss)

    plain = [n for n, s in settings.items() if s.class_weight is None]
    groups = ([plain] if plain else []) + [[n] for n in settings if n not in plain]
    for names in groups:
        weights = settings[names[0]].class_weight
        print(f"{', '.join(names)}: ", end="")
        start = time.perf_counter()
        if weights is None:
            model = stack_settings({n: build_for(settings[n]) for n in names}, seeds)
        else:
            model = stack_seeds(build_for(settings[names[0]]), seeds)
        stop = SeedwiseEarlyStopping(
            splits.x_val, splits.y_val, patience=patience, print_every=print_every
        )
        model.fit(
            splits.x_train,
            splits.y_train,
            batch_size=batch_size,
            epochs=epochs,
            class_weight=None if weights is None else dict(weights),
            callbacks=[stop],
            verbose=0,
        )
        p_val, p_test = predict_seeds(model, splits.x_val), predict_seeds(model, splits.x_test)
        k = len(run.seeds)
        for i, name in enumerate(names):
            run.p_val[name] = p_val[i * k:(i + 1) * k]
            run.p_test[name] = p_test[i * k:(i + 1) * k]
            run.best_epochs[name] = [int(e) for e in stop.best_epochs[i * k:(i + 1) * k]]
            run.epochs_run[name] = int(stop.epochs_run)
            run.seconds[name] = (time.perf_counter() - start) / len(names)
    return run


SEED_TABLE_METRICS = ("pr_auc", "brier", "precision_val", "recall_val", "mean_prediction")


def seed_table(
    y_true: Any,
    runs: Mapping[str, Sequence[Any]],
    thresholds: Mapping[str, Sequence[float]],
) -> Any:
    """One row per model of a seeded grid: each metric's mean over seeds and its range.

    ``runs[name]`` holds one probability array per seed and ``thresholds[name]`` each
    seed's own threshold (chosen on validation). Columns: ``pr_auc``, ``brier``,
    ``precision_val`` and ``recall_val`` (at the seed's threshold), ``mean_prediction``
    and ``threshold``, each with ``_min`` and ``_max`` (lowest and highest seed). The
    range shows the seeds' spread only, not the test split's luck (chapter 4).
    """
    import pandas as pd

    from helpers.evaluation import average_precision, brier_score, precision_at, recall_at
    from helpers.validation import as_probabilities

    y = as_binary_labels(y_true)
    require_both_classes(y)
    rows = {}
    for name, model_runs in runs.items():
        if name not in thresholds:
            raise ValueError(f"no thresholds given for model {name!r}; add thresholds[{name!r}].")
        ps = [as_probabilities(p, f"runs[{name!r}]") for p in model_runs]
        ts = [float(t) for t in thresholds[name]]
        if not ps or len(ts) != len(ps):
            raise ValueError(f"model {name!r}: give one threshold per seed; got {len(ts)} "
                             f"thresholds for {len(ps)} seeds.")
        if any(p.size != y.size for p in ps):
            raise ValueError(f"model {name!r}: every seed must score the {y.size} rows of y_true.")
        values = {
            "pr_auc": [average_precision(y, p) for p in ps],
            "brier": [brier_score(y, p) for p in ps],
            "precision_val": [precision_at(t)(y, p) for t, p in zip(ts, ps, strict=True)],
            "recall_val": [recall_at(t)(y, p) for t, p in zip(ts, ps, strict=True)],
            "mean_prediction": [float(p.mean()) for p in ps],
            "threshold": ts,
        }
        rows[name] = {
            f"{metric}{suffix}": float(fn(v))
            for metric, v in values.items()
            for suffix, fn in (("", np.mean), ("_min", np.min), ("_max", np.max))
        }
    return pd.DataFrame(rows).T.rename_axis("model")


def format_seed_table(table: Any, metrics: Sequence[str], digits: Mapping[str, int] | int = 3) -> Any:
    """Render :func:`seed_table` columns as ``mean (lowest to highest seed)`` strings."""
    import pandas as pd

    out = pd.DataFrame(index=table.index)
    for m in metrics:
        d = digits.get(m, 3) if isinstance(digits, Mapping) else int(digits)
        out[m] = [
            f"{e:.{d}f} ({lo:.{d}f}–{hi:.{d}f})"
            for e, lo, hi in zip(table[m], table[f"{m}_min"], table[f"{m}_max"], strict=True)
        ]
    return out
