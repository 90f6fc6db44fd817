"""Keras model builders and output-bias initialisation (introduced in chapter 0).

The baseline follows the TensorFlow imbalanced-data tutorial's recipe
(BOOK-SPEC §0): Dense(16, relu) -> Dropout(0.5) -> Dense(1, sigmoid), Adam 1e-3.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from helpers.validation import as_binary_labels, require_both_classes


def class_counts(y: Any) -> tuple[int, int]:
    """Return ``(negatives, positives)`` of a 0/1 label vector."""
    labels = as_binary_labels(y)
    pos = int(labels.sum())
    return int(labels.size - pos), pos


def initial_output_bias(y: Any) -> float:
    """The sigmoid bias ``log(pos / neg)`` whose output equals the positive rate.

    With this bias an untrained model already predicts the base rate, instead of 0.5.
    """
    labels = as_binary_labels(y)
    require_both_classes(labels)
    neg, pos = class_counts(labels)
    return math.log(pos / neg)


def expected_initial_loss(y: Any) -> float:
    """Binary cross-entropy (nats) of always predicting the base rate: its entropy."""
    labels = as_binary_labels(y)
    require_both_classes(labels)
    p = float(labels.mean())
    return -(p * math.log(p) + (1 - p) * math.log(1 - p))


def fraud_metrics() -> list[Any]:
    """The metrics every fraud model in the book logs; ``prc`` is PR-AUC.

    (The loss already is the cross-entropy, so it is not repeated as a metric.)
    """
    import keras

    return [
        keras.metrics.Precision(name="precision"),
        keras.metrics.Recall(name="recall"),
        keras.metrics.AUC(name="auc"),
        keras.metrics.AUC(curve="PR", name="prc"),
    ]


def build_mlp(
    n_features: int,
    *,
    hidden_units: int = 16,
    dropout: float = 0.5,
    output_bias: float | None = None,
    learning_rate: float = 1e-3,
    loss: Any = "binary_crossentropy",
    metrics: list[Any] | None = None,
) -> Any:
    """The book's baseline MLP, compiled. ``output_bias=None`` leaves Keras' zero bias."""
    import keras

    if isinstance(n_features, bool) or not isinstance(n_features, numbers.Integral):
        raise TypeError(f"n_features must be a whole number of input columns; got "
                        f"{n_features!r}. Use x_train.shape[1].")
    if n_features < 1:
        raise ValueError(f"n_features must be positive; got {n_features}.")
    if isinstance(hidden_units, bool) or not isinstance(hidden_units, numbers.Integral) \
            or hidden_units < 1:
        raise ValueError(f"hidden_units must be a positive whole number; got {hidden_units!r}.")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
        raise TypeError(f"learning_rate must be a number; got {learning_rate!r}.")
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive and finite; got {learning_rate}. "
                         "The book uses 1e-3 with Adam.")
    if output_bias is not None and (isinstance(output_bias, bool)
                                    or not isinstance(output_bias, numbers.Real)):
        raise TypeError(f"output_bias must be a number or None; got {output_bias!r}. "
                        "Compute it with initial_output_bias(y_train).")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1); got {dropout}.")
    if output_bias is not None and not np.isfinite(output_bias):
        raise ValueError(
            f"output_bias must be a finite number; got {output_bias}. "
            "Compute it with initial_output_bias(y_train)."
        )
    bias_init = (
        "zeros" if output_bias is None else keras.initializers.Constant(float(output_bias))
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(n_features,)),
            keras.layers.Dense(hidden_units, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(1, activation="sigmoid", bias_initializer=bias_init),
        ],
        name="baseline_mlp",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=loss,
        metrics=fraud_metrics() if metrics is None else metrics,
    )
    return model


def predict_proba(model: Any, x: Any, batch_size: int = 8192) -> np.ndarray:
    """Positive-class probabilities as a flat float64 array (no progress bar)."""
    out = np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float64)
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim != 1:
        raise ValueError(
            f"the model returned shape {out.shape}, not one probability per example; "
            "check for return_sequences=True or a multi-unit output layer."
        )
    return out
