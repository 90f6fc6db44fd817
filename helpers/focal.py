"""Focal loss made explicit (introduced in chapter 4, *Focal loss*).

Lin et al. (2017) define the focal loss of an example whose true class gets probability
``p_t`` as ``FL = -alpha_t * (1 - p_t)**gamma * log(p_t)``. This module holds a NumPy
reference of that formula with the class-balancing convention spelled out, the prior-based
output bias of the paper, the prediction that minimises the expected focal loss (and its
inverse, which maps a focal model's outputs back to probabilities), and a loop that trains
a grid of loss settings with one budget.

The alpha convention is Keras': ``alpha=None`` means no class balancing
(``apply_class_balancing=False``, Keras' default, which ignores ``alpha`` altogether);
``alpha=a`` gives class 1 the weight ``a`` and class 0 the weight ``1 - a``, so Keras'
default ``a = 0.25`` *down-weights* the positives.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    "keras_focal_loss",
    "prior_output_bias",
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
    """Predictions and bookkeeping of :func:`train_loss_grid`, one entry per setting."""

    p_val: dict[str, np.ndarray] = field(default_factory=dict)
    p_test: dict[str, np.ndarray] = field(default_factory=dict)
    best_epoch: dict[str, int] = field(default_factory=dict)
    epochs_run: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def train_loss_grid(
    settings: Mapping[str, LossSetting],
    splits: Any,
    *,
    seed: int,
    epochs: int = 40,
    patience: int = 6,
    batch_size: int = 2048,
    print_every: int = 100,
) -> GridRun:
    """Train the book's MLP once per setting with the same split, initial weights and budget.

    Every model is re-seeded with ``seed`` before it is built (same hidden-layer weights,
    same shuffling), trained with :func:`helpers.training.train_classifier` (early stopping
    on validation PR-AUC, best weights restored) and scored on validation and test.
    """
    from helpers.models import build_mlp, predict_proba
    from helpers.training import seed_everything, train_classifier

    if not settings:
        raise ValueError("settings is empty: give at least one name -> LossSetting.")
    bad = [name for name, s in settings.items() if not isinstance(s, LossSetting)]
    if bad:
        raise ValueError(f"settings {bad} are not LossSetting(loss, output_bias, class_weight).")
    run = GridRun()
    n_features = splits.x_train.shape[1]
    for name, setting in settings.items():
        print(f"{name}: ", end="")
        start = time.perf_counter()
        seed_everything(seed)
        model = build_mlp(n_features, output_bias=setting.output_bias, loss=setting.loss)
        history = train_classifier(
            model,
            splits.x_train,
            splits.y_train,
            splits.x_val,
            splits.y_val,
            epochs=epochs,
            batch_size=batch_size,
            patience=patience,
            class_weight=None if setting.class_weight is None else dict(setting.class_weight),
            print_every=print_every,
            validation_batch_size=8192,
        )
        run.p_val[name] = predict_proba(model, splits.x_val)
        run.p_test[name] = predict_proba(model, splits.x_test)
        run.best_epoch[name] = int(history.best_epoch)
        run.epochs_run[name] = len(history.history["loss"])
        run.seconds[name] = time.perf_counter() - start
    return run
