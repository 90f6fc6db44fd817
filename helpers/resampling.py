"""Resampled training streams and their arithmetic (introduced in chapter 2).

Chapter 2 builds these step by step in the open; the functions here are the same
plumbing, reusable by later chapters and unit-tested:

- :func:`oversample_minority`: NumPy random oversampling of the positives.
- :func:`balanced_stream` and :func:`natural_stream`: endless, shuffled, batched
  ``tf.data`` streams (the first with a chosen positive fraction, merged with
  ``tf.data.Dataset.sample_from_datasets``).
- :func:`batch_positive_fractions`, :func:`distinct_rows_seen`: measure a stream.
- :func:`steps_to_see_negatives_once`, :func:`positive_copies_per_epoch`: what an
  "epoch" means on a resampled stream.
- :class:`KerasStreamClassifier`: the book's MLP as a scikit-learn classifier, so that
  an ``imblearn.pipeline.Pipeline`` can put a sampler in front of it (the sampler then
  runs on the training data only), several training seeds side by side.
- :func:`seed_table`: one row of test metrics per model and training seed.

TensorFlow is imported inside the functions that need it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from helpers.validation import as_binary_labels, require_both_classes

__all__ = [
    "KerasStreamClassifier",
    "balanced_stream",
    "batch_positive_fractions",
    "distinct_rows_seen",
    "natural_stream",
    "oversample_minority",
    "positive_copies_per_epoch",
    "seed_table",
    "steps_to_see_negatives_once",
]


def _check_fraction(positive_fraction: float) -> float:
    if not isinstance(positive_fraction, numbers.Real) or not 0.0 < positive_fraction < 1.0:
        raise ValueError(
            f"positive_fraction must be strictly between 0 and 1 (0.5 for balanced batches); "
            f"got {positive_fraction!r}."
        )
    return float(positive_fraction)


def _check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


def _features_and_labels(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    features = np.asarray(x)
    labels = as_binary_labels(y, "y")
    if features.shape[0] != labels.size:
        raise ValueError(
            f"x has {features.shape[0]} rows but y has {labels.size} labels; pass matching arrays."
        )
    require_both_classes(labels, "y")
    return features, labels


def oversample_minority(x: Any, y: Any, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random oversampling with NumPy (introduced in chapter 2).

    Draws positives with replacement until there are as many as negatives, appends them to
    all the negatives, and shuffles the rows. Returns ``(x_resampled, y_resampled)``.
    """
    features, labels = _features_and_labels(x, y)
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    if pos.size > neg.size:
        raise ValueError(
            f"the positives ({pos.size}) already outnumber the negatives ({neg.size}); "
            "oversample the smaller class, or swap the labels."
        )
    drawn = rng.choice(pos, size=neg.size, replace=True)
    order = rng.permutation(2 * neg.size)
    rows = np.concatenate([neg, drawn])[order]
    return features[rows], labels[rows]


def _class_dataset(features: np.ndarray, label: int, seed: int) -> Any:
    import tensorflow as tf

    labels = np.full(features.shape[0], label, dtype=np.float32)
    return (
        tf.data.Dataset.from_tensor_slices((features, labels))
        .shuffle(features.shape[0], seed=seed, reshuffle_each_iteration=True)
        .repeat()
    )


def balanced_stream(
    x: Any,
    y: Any,
    *,
    positive_fraction: float = 0.5,
    batch_size: int = 2048,
    seed: int = 0,
    block_size: int = 1,
) -> Any:
    """An endless ``tf.data`` stream of batches with a chosen positive fraction (chapter 2).

    Positives and negatives become two shuffled, repeated datasets, merged by
    ``tf.data.Dataset.sample_from_datasets`` with weights ``[f, 1 - f]``, batched and
    prefetched. Each element is ``(features, label)`` with float32 labels.

    ``block_size=1`` draws the class of every row. A larger ``block_size`` draws whole
    blocks of rows of one class (each class's shuffled rows cut into blocks, then
    ``rebatch``), which makes the stream many times cheaper to produce on a CPU; the
    long-run positive fraction is the same, the batch-to-batch spread is larger.
    Use ``steps_per_epoch`` in ``fit``: the stream never ends.
    """
    import tensorflow as tf

    features, labels = _features_and_labels(x, y)
    f = _check_fraction(positive_fraction)
    batch_size = _check_positive_int(batch_size, "batch_size")
    block_size = _check_positive_int(block_size, "block_size")
    if batch_size % block_size:
        raise ValueError(
            f"batch_size ({batch_size}) must be a multiple of block_size ({block_size}), "
            "so that every batch is made of whole blocks."
        )
    pos = _class_dataset(features[labels == 1], 1, seed)
    neg = _class_dataset(features[labels == 0], 0, seed + 1)
    if block_size > 1:
        pos = pos.batch(block_size, drop_remainder=True)
        neg = neg.batch(block_size, drop_remainder=True)
    mixed = tf.data.Dataset.sample_from_datasets([pos, neg], weights=[f, 1.0 - f], seed=seed + 2)
    batched = mixed.batch(batch_size) if block_size == 1 else mixed.rebatch(batch_size)
    return batched.prefetch(tf.data.AUTOTUNE)


def natural_stream(x: Any, y: Any, *, batch_size: int = 2048, seed: int = 0) -> Any:
    """An endless, reshuffled ``tf.data`` stream of the rows as they are (chapter 2).

    The unresampled counterpart of :func:`balanced_stream`, so that every model of a
    comparison is fed the same way and trained for the same number of steps.
    """
    import tensorflow as tf

    features, labels = _features_and_labels(x, y)
    batch_size = _check_positive_int(batch_size, "batch_size")
    return (
        tf.data.Dataset.from_tensor_slices((features, labels.astype(np.float32)))
        .shuffle(labels.size, seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def batch_positive_fractions(stream: Any, n_batches: int) -> np.ndarray:
    """The fraction of positive labels in each of the first ``n_batches`` batches (chapter 2)."""
    n_batches = _check_positive_int(n_batches, "n_batches")
    fractions = []
    for _, labels in stream.take(n_batches):
        fractions.append(float(np.mean(np.asarray(labels))))
    if len(fractions) < n_batches:
        raise ValueError(
            f"the stream ended after {len(fractions)} batches; build it with .repeat() "
            "(balanced_stream and natural_stream never end)."
        )
    return np.asarray(fractions)


def distinct_rows_seen(batches: Any, *, label: int = 0) -> int:
    """How many distinct rows with ``label`` a sequence of ``(ids, labels)`` batches contains.

    Build the stream over row numbers instead of features (``x = np.arange(n)``) to see
    which rows a sampler feeds to training (chapter 2).
    """
    seen: set[int] = set()
    for ids, labels in batches:
        ids_arr = np.asarray(ids).reshape(len(np.asarray(labels)), -1)[:, 0]
        seen.update(ids_arr[np.asarray(labels).reshape(-1) == label].astype(np.int64).tolist())
    return len(seen)


def steps_to_see_negatives_once(n_negatives: int, batch_size: int, positive_fraction: float) -> int:
    """Steps after which a stream has drawn, on average, as many negatives as there are.

    Each batch holds ``batch_size * (1 - f)`` negatives on average, so this is
    ``ceil(n_negatives / (batch_size * (1 - f)))``: one natural definition of an epoch on
    a resampled stream (chapter 2).
    """
    n_negatives = _check_positive_int(n_negatives, "n_negatives")
    batch_size = _check_positive_int(batch_size, "batch_size")
    f = _check_fraction(positive_fraction)
    return math.ceil(n_negatives / (batch_size * (1.0 - f)))


def positive_copies_per_epoch(
    n_positives: int, steps: int, batch_size: int, positive_fraction: float
) -> float:
    """Average number of times each positive is shown in ``steps`` batches (chapter 2)."""
    n_positives = _check_positive_int(n_positives, "n_positives")
    steps = _check_positive_int(steps, "steps")
    batch_size = _check_positive_int(batch_size, "batch_size")
    return steps * batch_size * _check_fraction(positive_fraction) / n_positives


class KerasStreamClassifier(ClassifierMixin, BaseEstimator):
    """The book's MLP as a scikit-learn classifier trained on a natural stream (chapter 2).

    ``fit(X, y)`` builds :func:`helpers.models.build_mlp` with the output bias at the
    logit of ``y``'s positive rate (0 for balanced data), once per training seed side by
    side (:func:`helpers.seeds.stack_seeds`), feeds the rows through :func:`natural_stream`
    (shuffled with ``seed``, the same batches for every copy), and trains for at most
    ``epochs`` epochs of ``steps_per_epoch`` steps; each copy stops and is restored at its
    own best validation PR-AUC (:class:`helpers.seeds.SeedwiseEarlyStopping`).
    ``seeds=None`` trains one copy, from ``seed``.

    Inside an ``imblearn.pipeline.Pipeline`` the rows ``fit`` gets are the sampler's output,
    and prediction sees the untouched rows. :meth:`predict_proba_seeds` returns one
    probability array per seed, for comparisons over seeds; :meth:`predict_proba` (what
    scikit-learn calls) returns the mean of the seeds' probabilities.
    """

    def __init__(
        self,
        validation_data: tuple[Any, Any] | None = None,
        *,
        steps_per_epoch: int = 50,
        epochs: int = 30,
        patience: int = 5,
        batch_size: int = 2048,
        seed: int = 42,
        seeds: tuple[int, ...] | None = None,
        print_every: int = 100,
    ) -> None:
        self.validation_data = validation_data
        self.steps_per_epoch = steps_per_epoch
        self.epochs = epochs
        self.patience = patience
        self.batch_size = batch_size
        self.seed = seed
        self.seeds = seeds
        self.print_every = print_every

    def fit(self, X: Any, y: Any) -> KerasStreamClassifier:
        from helpers.models import build_mlp, initial_output_bias
        from helpers.seeds import SeedwiseEarlyStopping, execution_chunk, stack_seeds

        if self.validation_data is None:
            raise ValueError(
                "validation_data=(x_val, y_val) is required: early stopping watches its PR-AUC."
            )
        features, labels = _features_and_labels(X, y)
        seeds = (self.seed,) if self.seeds is None else self.seeds
        n_features, bias = features.shape[1], initial_output_bias(labels)
        self.model_ = stack_seeds(lambda: build_mlp(n_features, output_bias=bias), seeds,
                                  steps_per_execution=execution_chunk(self.steps_per_epoch))
        stream = natural_stream(features, labels, batch_size=self.batch_size, seed=self.seed)
        x_val, y_val = self.validation_data
        self.stopper_ = SeedwiseEarlyStopping(x_val, y_val, patience=self.patience,
                                              print_every=self.print_every)
        self.model_.fit(stream, steps_per_epoch=self.steps_per_epoch, epochs=self.epochs,
                        callbacks=[self.stopper_], verbose=0)
        self.classes_ = np.array([0, 1])
        self.seeds_ = tuple(self.model_.seeds)
        self.best_epochs_ = list(self.stopper_.best_epochs)
        self.n_train_rows_ = int(labels.size)
        self.train_positive_rate_ = float(labels.mean())
        return self

    def predict_proba_seeds(self, X: Any) -> list[np.ndarray]:
        """One array of positive-class probabilities per training seed, in ``seeds_`` order."""
        from helpers.seeds import predict_seeds

        if not hasattr(self, "model_"):
            raise ValueError("this KerasStreamClassifier is not fitted yet: call fit(X, y) first.")
        return predict_seeds(self.model_, np.asarray(X, dtype=np.float32))

    def predict_proba(self, X: Any) -> np.ndarray:
        p = np.mean(self.predict_proba_seeds(X), axis=0)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)


def seed_table(
    y_true: Any,
    runs: Mapping[str, Sequence[Any]],
    thresholds: Mapping[str, Sequence[float]],
    seeds: Sequence[int],
) -> pd.DataFrame:
    """One row per model and training seed: PR-AUC, ROC-AUC, Brier, and precision, recall,
    frauds caught (``tp``) and false alarms (``fp``) at 0.5 and at the seed's own
    validation-chosen threshold (chapter 2's six-model table).

    ``runs[name]`` holds one probability array per seed (as :func:`helpers.seeds.predict_seeds`
    returns them), ``thresholds[name]`` one threshold per seed. Summarise over seeds with
    ``table.groupby("model", sort=False)``.
    """
    from helpers.evaluation import average_precision, brier_score, roc_auc, threshold_metrics

    y = as_binary_labels(y_true, "y_true")
    require_both_classes(y, "y_true")
    rows = []
    for name, probs in runs.items():
        if name not in thresholds:
            raise ValueError(f"no thresholds given for model {name!r}; add thresholds[{name!r}].")
        if not len(probs) == len(thresholds[name]) == len(seeds):
            raise ValueError(
                f"model {name!r}: {len(probs)} probability arrays and {len(thresholds[name])} "
                f"thresholds for {len(seeds)} seeds; give one of each per seed."
            )
        for seed, p, t in zip(seeds, probs, thresholds[name], strict=True):
            p = np.asarray(p, dtype=np.float64).reshape(-1)
            if p.size != y.size:
                raise ValueError(f"model {name!r}, seed {seed}: {p.size} probabilities for "
                                 f"{y.size} labels.")
            row = {"model": name, "seed": int(seed), "threshold": float(t),
                   "pr_auc": average_precision(y, p), "roc_auc": roc_auc(y, p),
                   "brier": brier_score(y, p)}
            for key, at in (("05", 0.5), ("val", float(t))):
                m = threshold_metrics(y, p, at)
                row.update({f"precision_{key}": m["precision"], f"recall_{key}": m["recall"],
                            f"tp_{key}": m["tp"], f"fp_{key}": m["fp"]})
            rows.append(row)
    return pd.DataFrame(rows)
