"""Seeding, compact progress output and early stopping (introduced in chapter 0).

The chapters train small Keras models many times; these helpers keep those runs
reproducible and their stored output short.
"""

from __future__ import annotations

import numbers
import os
import random
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from helpers.validation import as_binary_labels, check_finite_features, require_both_classes


def seed_everything(seed: int = 0, *, threads: int = 2) -> None:
    """Seed Python, NumPy and TensorFlow, make TF ops deterministic, fix thread counts.

    Call it once at the top of a chapter, before any TensorFlow work; calling it again
    later re-seeds the random generators (thread counts cannot change once TensorFlow
    has started, and a mismatch is reported as a warning).
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}.")
    if threads < 1:
        raise ValueError(f"threads must be at least 1; got {threads}.")
    os.environ["PYTHONHASHSEED"] = str(seed)  # affects subprocesses started from here
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the legacy global generator, for libraries that still use it

    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))  # seeds Python, NumPy and TF together
    tf.config.experimental.enable_op_determinism()
    current = (
        tf.config.threading.get_intra_op_parallelism_threads(),
        tf.config.threading.get_inter_op_parallelism_threads(),
    )
    if current != (threads, threads):
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:
            warnings.warn(
                f"TensorFlow was already running with thread counts {current}; "
                f"could not set them to {threads}. Call seed_everything() before any "
                "TensorFlow work (restart the kernel) for bit-identical reruns.",
                RuntimeWarning,
                stacklevel=2,
            )


def _format_logs(logs: dict[str, Any], keys: Sequence[str] | None) -> str:
    names = keys if keys is not None else sorted(logs)
    parts = [f"{k} {float(logs[k]):.4f}" for k in names if k in logs]
    return "  ".join(parts)


def compact_progress(every: int = 10, keys: Sequence[str] | None = ("loss", "val_loss", "val_prc")):
    """A Keras callback printing one line every ``every`` epochs and one at the end.

    Replaces Keras' per-batch progress bars, which would store megabytes in notebooks.
    """
    import keras

    if every < 1:
        raise ValueError(f"every must be at least 1; got {every}.")

    class CompactProgress(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.last_epoch = 0
            self.last_logs: dict[str, Any] = {}

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self.last_epoch, self.last_logs = epoch + 1, dict(logs or {})
            if (epoch + 1) % every == 0:
                print(f"epoch {epoch + 1:3d}  {_format_logs(self.last_logs, keys)}")

        def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
            print(f"done after {self.last_epoch} epochs  {_format_logs(self.last_logs, keys)}")

    return CompactProgress()


def train_classifier(
    model: Any,
    x_train: Any,
    y_train: Any,
    x_val: Any,
    y_val: Any,
    *,
    epochs: int = 100,
    batch_size: int = 2048,
    patience: int = 10,
    monitor: str = "val_prc",
    class_weight: dict[int, float] | None = None,
    print_every: int = 10,
    callbacks: Sequence[Any] = (),
    validation_batch_size: int | None = None,
    steps_per_epoch: int | None = None,
) -> Any:
    """Fit with early stopping on a validation metric and restore the best weights.

    ``monitor`` defaults to validation PR-AUC (the model must have a metric named
    ``prc``, as :func:`helpers.models.fraud_metrics` provides). Returns the Keras
    ``History``; ``history.best_epoch`` (1-based) is added for convenience.

    ``x_train`` may be a batched ``tf.data.Dataset`` of ``(x, y)`` pairs (chapter 2); then
    ``y_train`` must be ``None``, ``batch_size`` is ignored, and a repeated (endless)
    stream needs ``steps_per_epoch`` to say what an epoch is. ``validation_batch_size``
    lets a model trained on small batches validate in large ones (chapter 6).
    """
    import keras

    is_stream = y_train is None
    if is_stream and not hasattr(x_train, "element_spec"):
        raise ValueError(
            "y_train is None, so x_train must be a batched tf.data.Dataset of (x, y) pairs; "
            "pass the labels as y_train when x_train is an array."
        )
    if steps_per_epoch is not None and (
        not isinstance(steps_per_epoch, numbers.Integral) or steps_per_epoch < 1
    ):
        raise ValueError(f"steps_per_epoch must be a positive integer or None; got {steps_per_epoch!r}.")

    _check_training_data(x_train, y_train, x_val, y_val, is_stream)
    mode = "min" if monitor.endswith("loss") else "max"
    stopper = keras.callbacks.EarlyStopping(
        monitor=monitor, mode=mode, patience=patience, restore_best_weights=True, verbose=0
    )
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=None if is_stream else batch_size,
        steps_per_epoch=steps_per_epoch,
        validation_batch_size=validation_batch_size,
        class_weight=class_weight,
        callbacks=[stopper, compact_progress(print_every, ("loss", "val_loss", monitor)), *callbacks],
        verbose=0,
    )
    values = history.history.get(monitor)
    if values is None:
        raise ValueError(
            f"monitor={monitor!r} is not among the logged metrics {sorted(history.history)}; "
            "compile the model with a metric of that name."
        )
    best = int(np.argmax(values) if mode == "max" else np.argmin(values))
    history.best_epoch = best + 1
    return history


def _check_training_data(x_train: Any, y_train: Any, x_val: Any, y_val: Any,
                         is_stream: bool) -> None:
    """Binary labels with both classes, finite features and matching lengths, before fitting."""
    pairs = [("x_val", x_val, "y_val", y_val)]
    if not is_stream:
        pairs.insert(0, ("x_train", x_train, "y_train", y_train))
    for x_name, x, y_name, y in pairs:
        labels = as_binary_labels(y, y_name)
        require_both_classes(labels, y_name)
        features = check_finite_features(x, x_name)
        if len(features) != labels.size:
            raise ValueError(
                f"{x_name} has {len(features)} rows but {y_name} has {labels.size} labels: "
                "pass features and labels of the same examples, in the same order."
            )


def evaluate_model(model: Any, x: Any, y: Any, batch_size: int = 4096) -> dict[str, float]:
    """``model.evaluate`` as a plain ``{metric: float}`` dict (Keras 3 safe).

    Keras 3 dropped the reliable ``metrics_names`` pairing the TensorFlow tutorial used;
    ``return_dict=True`` is the robust way.
    """
    results = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    return {k: float(v) for k, v in results.items()}
