"""Builders and measurements for the image chapter (introduced in chapter 5, *GAN-based
oversampling*).

The conditional GAN itself (a ``keras.Model`` with its own ``train_step``) is written out
in the chapter; this module holds the pieces around it: the generator and discriminator
networks, the small CNN every oversampling method is judged with, training that CNN for a
fixed number of gradient steps, drawing digits from a generator, multi-class metrics with
per-digit recall, a paired bootstrap over test images, and an image-grid plot.
TensorFlow and Keras are imported inside the functions that need them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "as_model_input",
    "build_digit_cnn",
    "build_discriminator",
    "build_generator",
    "digit_metrics",
    "fit_for_steps",
    "generate_digits",
    "paired_bootstrap_over_seeds",
    "plot_digit_rows",
    "predict_digits",
    "recall_per_digit",
]

N_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)


def as_model_input(images: Any) -> np.ndarray:
    """Images as the networks take them: ``float32`` in [0, 1], shape ``(n, 28, 28, 1)``.

    ``uint8`` images (0-255) are divided by 255; floating images must already be in [0, 1]
    (a generator's output, a SMOTE interpolation).
    """
    x = np.asarray(images)
    if x.ndim == 2 and x.shape[1] == 784:
        x = x.reshape(-1, 28, 28)
    if x.ndim == 3:
        x = x[..., None]
    if x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"expected images of shape (n, 28, 28), (n, 28, 28, 1) or (n, 784); "
                         f"got {np.asarray(images).shape}.")
    if x.dtype == np.uint8:
        return (x / 255.0).astype(np.float32)
    x = x.astype(np.float32)
    if x.size and (x.min() < -1e-6 or x.max() > 1 + 1e-6):
        raise ValueError(f"floating-point images must lie in [0, 1]; got values from "
                         f"{x.min():.3g} to {x.max():.3g}. Divide uint8 pixels by 255.")
    return np.clip(x, 0.0, 1.0)


def build_generator(latent_dim: int = 128, n_classes: int = N_CLASSES, width: int = 32) -> Any:
    """Generator: [noise, one-hot label] -> 28x28 image in [0, 1].

    Dense to 7x7x(2*width), then two stride-2 transposed convolutions (7 -> 14 -> 28), batch
    normalisation and ReLU in between, a sigmoid at the end. Its input is the noise vector
    with the one-hot label concatenated, ``latent_dim + n_classes`` numbers.
    """
    import keras
    from keras import layers

    if latent_dim < 1 or n_classes < 2 or width < 1:
        raise ValueError("latent_dim and width must be positive and n_classes at least 2.")
    return keras.Sequential([
        keras.Input((latent_dim + n_classes,)),
        layers.Dense(7 * 7 * 2 * width, use_bias=False),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Reshape((7, 7, 2 * width)),
        layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="sigmoid"),
    ], name="generator")


def build_discriminator(n_classes: int = N_CLASSES, width: int = 32) -> Any:
    """Discriminator: a 28x28 image with its label as ``n_classes`` extra channels -> one logit.

    The label enters as constant one-hot planes stacked on the image (as in the Keras
    conditional-GAN example), so every filter sees which digit the image claims to be.
    Two stride-2 convolutions with LeakyReLU, dropout, one output logit (no sigmoid: the
    loss takes logits).
    """
    import keras
    from keras import layers

    if n_classes < 2 or width < 1:
        raise ValueError("width must be positive and n_classes at least 2.")
    return keras.Sequential([
        keras.Input((28, 28, 1 + n_classes)),
        layers.Conv2D(width, 4, strides=2, padding="same"),
        layers.LeakyReLU(0.2),
        layers.Conv2D(2 * width, 4, strides=2, padding="same"),
        layers.LeakyReLU(0.2),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(1),
    ], name="discriminator")


def build_digit_cnn(learning_rate: float = 1e-3) -> Any:
    """The classifier every method is judged with: a small CNN, 10 logits.

    Conv(16, 3x3) -> MaxPool -> Conv(32, 3x3) -> MaxPool -> Dropout(0.25) -> Dense(64)
    -> Dropout(0.5) -> Dense(10); Adam, sparse cross-entropy from logits. A smaller cousin
    of the source's Conv 32 -> Conv 64 -> Dense 128 network, sized for a CPU budget.
    """
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input(IMAGE_SHAPE),
        layers.Conv2D(16, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(N_CLASSES),
    ], name="digit_cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def fit_for_steps(model: Any, images: Any, labels: Any, *, steps: int, batch_size: int = 64,
                  seed: int = 0, class_weight: Mapping[int, float] | None = None) -> Any:
    """Train ``model`` for exactly ``steps`` gradient steps on shuffled, repeated batches.

    The budget is counted in steps, not epochs, so a resampled (larger) training set costs
    the same as the original one. Keras runs a divisor of ``steps`` batches per call
    (:func:`helpers.seeds.execution_chunk`), which saves time and changes no update. Returns the Keras ``History`` (one entry per step block).
    """
    import tensorflow as tf

    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}.")
    x = as_model_input(images)
    y = np.asarray(labels, dtype=np.int64)
    if len(x) != len(y):
        raise ValueError(f"{len(x)} images but {len(y)} labels.")
    stream = (tf.data.Dataset.from_tensor_slices((x, y))
              .shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
              .repeat().batch(batch_size).prefetch(2))
    weights = None if class_weight is None else {int(k): float(v) for k, v in class_weight.items()}
    from helpers.seeds import execution_chunk

    chunk = execution_chunk(int(steps))  # batches per call into TensorFlow: faster, same updates
    if model.steps_per_execution != chunk:
        model.steps_per_execution, model.train_function = chunk, None  # rebuilt by fit
    before = int(model.optimizer.iterations)
    history = model.fit(stream, epochs=1, steps_per_epoch=int(steps), class_weight=weights,
                        verbose=0)
    done = int(model.optimizer.iterations) - before
    if done != int(steps):
        raise RuntimeError(f"Keras ran {done} updates instead of steps={steps}; please report "
                           "this with your Keras version.")
    return history


def predict_digits(model: Any, images: Any, batch_size: int = 1024) -> np.ndarray:
    """The predicted digit (argmax of the logits) for each image."""
    logits = model.predict(as_model_input(images), batch_size=batch_size, verbose=0)
    return np.asarray(logits).argmax(axis=1)


def generate_digits(generator: Any, digits: Sequence[int], n_per_digit: int, *,
                    latent_dim: int = 128, n_classes: int = N_CLASSES,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n_per_digit`` images of each digit in ``digits`` from a conditional generator.

    The noise comes from ``numpy.random.default_rng(seed)``; the one-hot label is
    concatenated to it, as in training. Returns ``(images, labels)``, images as
    ``float32`` in [0, 1] with shape ``(n, 28, 28, 1)``.
    """
    if n_per_digit < 0:
        raise ValueError(f"n_per_digit must be >= 0; got {n_per_digit}.")
    digits = [int(d) for d in digits]
    if any(not 0 <= d < n_classes for d in digits):
        raise ValueError(f"digits must lie in 0..{n_classes - 1}; got {digits}.")
    labels = np.repeat(np.asarray(digits, dtype=np.int64), n_per_digit)
    if labels.size == 0:
        return np.zeros((0, *IMAGE_SHAPE), np.float32), labels
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((labels.size, latent_dim)).astype(np.float32)
    onehot = np.eye(n_classes, dtype=np.float32)[labels]
    images = generator.predict(np.concatenate([noise, onehot], axis=1), batch_size=1024,
                               verbose=0)
    return np.clip(np.asarray(images, dtype=np.float32), 0.0, 1.0), labels


def digit_metrics(y_true: Any, y_pred: Any, digits_of_interest: Sequence[int] = (6, 8, 9)
                  ) -> dict[str, float]:
    """Accuracy, balanced accuracy, macro F1 (scikit-learn) and the recall of some digits.

    Keys: ``accuracy``, ``balanced_accuracy``, ``macro_f1``, ``recall_<d>`` for each ``d``
    in ``digits_of_interest``, and ``minority_recall`` (their mean).
    """
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, recall_score

    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {y_true.shape} vs {y_pred.shape}.")
    digits = [int(d) for d in digits_of_interest]
    missing = [d for d in digits if not np.any(y_true == d)]
    if missing:
        raise ValueError(f"no test images of digits {missing}: their recall is undefined.")
    labels = np.arange(N_CLASSES)
    out = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels[np.isin(labels, y_true)],
                                   average="macro", zero_division=0.0)),
    }
    recalls = recall_score(y_true, y_pred, labels=digits, average=None, zero_division=0.0)
    out.update({f"recall_{d}": float(r) for d, r in zip(digits, recalls, strict=True)})
    out["minority_recall"] = float(np.mean(recalls)) if digits else math.nan
    return out


def recall_per_digit(y_true: Any, y_pred: Any, n_classes: int = N_CLASSES) -> np.ndarray:
    """Recall of each digit 0..n_classes-1 with NumPy alone (NaN for a digit absent from y_true).

    Fast enough to call thousands of times in a bootstrap; the chapter checks it against
    scikit-learn's ``recall_score``. Balanced accuracy is its mean over present digits.
    """
    y = np.asarray(y_true, dtype=np.int64)
    p = np.asarray(y_pred, dtype=np.int64)
    if y.shape != p.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {y.shape} vs {p.shape}.")
    support = np.bincount(y, minlength=n_classes).astype(float)
    hits = np.bincount(y[y == p], minlength=n_classes).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, hits / np.where(support > 0, support, 1), np.nan)


def paired_bootstrap_over_seeds(
    y_true: Any,
    preds_a: Sequence[Any],
    preds_b: Sequence[Any],
    metric: Callable[[np.ndarray, np.ndarray], float],
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """Difference ``B - A`` of a metric averaged over seeds, with a bootstrap interval.

    ``preds_a`` and ``preds_b`` are lists of predicted labels, one array per training seed,
    all for the same test images. Each resample draws test images with replacement
    (stratified by class), scores every seed's predictions on them and averages over seeds.
    Returns ``(estimate, low, high)``: the interval covers test-set noise; the spread over
    seeds is in the average.
    """
    y = np.asarray(y_true)
    a = [np.asarray(p) for p in preds_a]
    b = [np.asarray(p) for p in preds_b]
    if not a or not b or any(p.shape != y.shape for p in (*a, *b)):
        raise ValueError("preds_a and preds_b must be non-empty lists of arrays shaped like y_true.")
    if n_resamples < 1 or not 0 < confidence < 1:
        raise ValueError("n_resamples must be >= 1 and confidence in (0, 1).")

    def diff(idx: np.ndarray) -> float:
        return (np.mean([metric(y[idx], p[idx]) for p in b])
                - np.mean([metric(y[idx], p[idx]) for p in a]))

    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(y == c) for c in np.unique(y)]
    draws = np.empty(n_resamples)
    for i in range(n_resamples):
        idx = np.concatenate([rng.choice(g, size=g.size, replace=True) for g in groups])
        draws[i] = diff(idx)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(draws, [alpha, 1 - alpha])
    return float(diff(np.arange(y.size))), float(low), float(high)


def plot_digit_rows(rows: Mapping[str, Any], *, n_per_row: int = 10, title: str = "",
                    xlabel: str = "", cell_inches: float = 0.45) -> Any:
    """Show a few images per row, one labelled row per entry of ``rows``; returns the figure.

    ``rows`` maps a row label (e.g. "real 6", "GAN exp. 1: 6") to images in any shape
    :func:`as_model_input` accepts. Rows with fewer images leave blank cells. ``title``
    goes above the grid, ``xlabel`` below it.
    """
    import matplotlib.pyplot as plt

    if not rows:
        raise ValueError("rows is empty: pass {'row label': images, ...}.")
    if n_per_row < 1:
        raise ValueError(f"n_per_row must be at least 1; got {n_per_row}.")
    n_rows = len(rows)
    label_in, top_in, bottom_in = 1.3, (0.45 if title else 0.1), (0.35 if xlabel else 0.1)
    width = label_in + cell_inches * n_per_row + 0.1
    height = cell_inches * n_rows + top_in + bottom_in
    fig, axes = plt.subplots(n_rows, n_per_row, squeeze=False, figsize=(width, height))
    for r, (label, images) in enumerate(rows.items()):
        x = as_model_input(images)[..., 0]
        for c in range(n_per_row):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(x):
                ax.imshow(x[c], cmap="gray_r", vmin=0, vmax=1)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize="small")
    fig.subplots_adjust(left=label_in / width, right=1 - 0.1 / width, top=1 - top_in / height,
                        bottom=bottom_in / height, wspace=0.05, hspace=0.05)
    if title:
        fig.suptitle(title, fontsize="medium", y=1 - 0.12 / height, va="top")
    if xlabel:
        fig.supxlabel(xlabel, fontsize="small", y=0.05 / height, va="bottom")
    return fig
