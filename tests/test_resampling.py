"""Resampling plumbing (chapter 2): oversampling, balanced streams, epoch arithmetic, wrapper."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.resampling import (
    KerasStreamClassifier,
    balanced_stream,
    batch_positive_fractions,
    distinct_rows_seen,
    natural_stream,
    oversample_minority,
    positive_copies_per_epoch,
    seed_table,
    steps_to_see_negatives_once,
)


def _data(n_neg=400, n_pos=20, seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n_neg, int), np.ones(n_pos, int)]
    x = np.column_stack([np.arange(y.size), rng.normal(size=(y.size, 3))]).astype("float32")
    return x, y


# ------------------------------------------------------------------ oversample_minority

@settings(max_examples=30, deadline=None)
@given(n_neg=st.integers(2, 300), n_pos=st.integers(1, 30), seed=st.integers(0, 10_000))
def test_oversample_balances_keeps_negatives_and_aligns(n_neg, n_pos, seed):
    if n_pos > n_neg:
        n_pos = n_neg
    x, y = _data(n_neg, n_pos, seed)
    xo, yo = oversample_minority(x, y, seed=seed)
    assert np.bincount(yo, minlength=2).tolist() == [n_neg, n_neg]
    ids = xo[:, 0].astype(int)
    assert np.array_equal(yo, y[ids]), "labels stay with their rows"
    assert np.array_equal(np.sort(ids[yo == 0]), np.flatnonzero(y == 0)), "each negative once"
    assert set(ids[yo == 1]) <= set(np.flatnonzero(y == 1))


def test_oversample_is_reproducible_and_matches_imblearn_counts():
    from imblearn.over_sampling import RandomOverSampler

    x, y = _data()
    a, b = oversample_minority(x, y, seed=3), oversample_minority(x, y, seed=3)
    assert np.array_equal(a[0], b[0])
    assert not np.array_equal(a[0], oversample_minority(x, y, seed=4)[0])
    _, y_lib = RandomOverSampler(random_state=0).fit_resample(x, y)
    assert np.array_equal(np.bincount(y_lib), np.bincount(a[1]))


@pytest.mark.parametrize(
    ("x", "y", "match"),
    [
        (np.zeros((3, 2)), np.array([0, 1]), "rows"),
        (np.zeros((3, 2)), np.array([0, 0, 0]), "both classes|class"),
        (np.zeros((3, 2)), np.array([1, 1, 0]), "outnumber"),
    ],
)
def test_oversample_refuses_bad_input(x, y, match):
    with pytest.raises(ValueError, match=match):
        oversample_minority(x, y)


# ------------------------------------------------------------------ arithmetic

def test_steps_and_copies_on_the_fraud_counts():
    assert steps_to_see_negatives_once(170_588, 2048, 0.5) == math.ceil(170_588 / 1024)
    assert steps_to_see_negatives_once(1024, 2048, 0.5) == 1
    assert steps_to_see_negatives_once(1025, 2048, 0.5) == 2
    assert positive_copies_per_epoch(295, 167, 2048, 0.5) == pytest.approx(167 * 1024 / 295)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 10**6), b=st.integers(1, 4096), f=st.floats(0.01, 0.99))
def test_steps_hold_enough_negatives_and_not_one_step_more(n, b, f):
    steps = steps_to_see_negatives_once(n, b, f)
    per_step = b * (1 - f)
    assert steps * per_step >= n - 1e-6
    assert (steps - 1) * per_step < n + 1e-6


@pytest.mark.parametrize(
    ("args", "match"),
    [((100, 2048, 0.0), "positive_fraction"), ((100, 2048, 1.0), "positive_fraction"),
     ((0, 2048, 0.5), "n_negatives"), ((100, 0, 0.5), "batch_size"),
     ((100, 2.5, 0.5), "batch_size")],
)
def test_steps_refuse_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        steps_to_see_negatives_once(*args)


# ------------------------------------------------------------------ streams

@pytest.mark.parametrize(("fraction", "block"), [(0.5, 1), (0.3, 1), (0.5, 8)])
def test_balanced_stream_hits_its_positive_fraction(fraction, block):
    x, y = _data(2000, 30)
    stream = balanced_stream(x, y, positive_fraction=fraction, batch_size=256, seed=1,
                             block_size=block)
    fractions = batch_positive_fractions(stream, 60)
    assert abs(fractions.mean() - fraction) < 0.03
    xb, yb = next(iter(stream))
    assert xb.shape == (256, 4) and yb.shape == (256,)
    ids = np.asarray(xb)[:, 0].astype(int)
    assert np.array_equal(np.asarray(yb), y[ids]), "features and labels stay paired"


def test_balanced_stream_is_reproducible_from_its_seed():
    x, y = _data()
    first = [np.asarray(b[0]) for b in balanced_stream(x, y, batch_size=64, seed=5).take(3)]
    again = [np.asarray(b[0]) for b in balanced_stream(x, y, batch_size=64, seed=5).take(3)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


def test_balanced_stream_refuses_bad_input():
    x, y = _data()
    with pytest.raises(ValueError, match="multiple of block_size"):
        balanced_stream(x, y, batch_size=100, block_size=32)
    with pytest.raises(ValueError, match="positive_fraction"):
        balanced_stream(x, y, positive_fraction=1.5)


def test_natural_stream_keeps_the_class_balance_and_never_ends():
    x, y = _data(900, 100)
    fractions = batch_positive_fractions(natural_stream(x, y, batch_size=100, seed=0), 30)
    assert abs(fractions.mean() - 0.1) < 0.02


def test_positive_fractions_need_an_endless_stream():
    import tensorflow as tf

    finite = tf.data.Dataset.from_tensor_slices((np.zeros((10, 2)), np.ones(10))).batch(5)
    with pytest.raises(ValueError, match="repeat"):
        batch_positive_fractions(finite, 3)


def test_distinct_rows_seen_counts_each_row_once():
    batches = [(np.array([[1], [2], [3]]), np.array([0, 0, 1])),
               (np.array([[2], [4], [3]]), np.array([0, 0, 1]))]
    assert distinct_rows_seen(batches, label=0) == 3
    assert distinct_rows_seen(batches, label=1) == 1


# ------------------------------------------------------------------ scikit-learn wrapper

def _pipeline_data():
    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.05).astype(int)
    x = (rng.normal(size=(3000, 4)) + 1.5 * y[:, None]).astype("float32")
    return x, y


@pytest.mark.filterwarnings("ignore:TensorFlow was already running:RuntimeWarning")
def test_keras_stream_classifier_in_an_imblearn_pipeline():
    from imblearn.pipeline import make_pipeline
    from imblearn.under_sampling import RandomUnderSampler

    x, y = _pipeline_data()
    net = KerasStreamClassifier((x[:1000], y[:1000]), steps_per_epoch=5, epochs=3,
                                patience=2, batch_size=64, seed=0)
    pipe = make_pipeline(RandomUnderSampler(random_state=0), net).fit(x[1000:], y[1000:])
    n_pos = int(y[1000:].sum())
    assert net.n_train_rows_ == 2 * n_pos and net.train_positive_rate_ == 0.5
    assert net.seeds_ == (0,) and len(net.best_epochs_) == 1
    proba = pipe.predict_proba(x[:1000])
    assert proba.shape == (1000, 2) and np.allclose(proba.sum(axis=1), 1)
    assert set(np.unique(pipe.predict(x[:1000]))) <= {0, 1}


@pytest.mark.filterwarnings("ignore:TensorFlow was already running:RuntimeWarning")
def test_keras_stream_classifier_trains_seeds_side_by_side():
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import make_pipeline

    x, y = _pipeline_data()
    net = KerasStreamClassifier((x[:1000], y[:1000]), steps_per_epoch=5, epochs=4,
                                patience=2, batch_size=64, seed=0, seeds=(3, 4, 5))
    pipe = make_pipeline(RandomOverSampler(random_state=0), net).fit(x[1000:], y[1000:])
    assert net.seeds_ == (3, 4, 5) and len(net.best_epochs_) == 3
    assert all(1 <= e <= 4 for e in net.best_epochs_)
    runs = net.predict_proba_seeds(x[:1000])
    assert len(runs) == 3 and all(p.shape == (1000,) for p in runs)
    assert all(np.all((p >= 0) & (p <= 1)) for p in runs)
    assert not np.allclose(runs[0], runs[1]), "the seeds start from different weights"
    assert np.allclose(pipe.predict_proba(x[:1000])[:, 1], np.mean(runs, axis=0)), \
        "predict_proba is the mean of the seeds' probabilities"
    assert net.train_positive_rate_ == 0.5, "the sampler ran in fit"


def test_keras_stream_classifier_rejects_bad_seeds():
    x, y = _pipeline_data()
    with pytest.raises(ValueError, match="seeds"):
        KerasStreamClassifier((x[:100], y[:100]), seeds=(1, 1)).fit(x, y)


# ------------------------------------------------------------------ seed_table

def test_seed_table_one_row_per_model_and_seed():
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    rng = np.random.default_rng(1)
    y = (rng.random(400) < 0.1).astype(int)
    runs = {"a": [np.clip(0.3 * y + rng.random(400) * 0.7, 0, 1) for _ in range(2)],
            "b": [rng.random(400) for _ in range(2)]}
    thresholds = {"a": [0.5, 0.6], "b": [0.4, 0.5]}
    table = seed_table(y, runs, thresholds, (7, 8))
    assert table[["model", "seed"]].values.tolist() == [["a", 7], ["a", 8], ["b", 7],
                                                        ["b", 8]]
    row = table.iloc[1]
    p = runs["a"][1]
    assert np.isclose(row["pr_auc"], average_precision_score(y, p))
    assert np.isclose(row["roc_auc"], roc_auc_score(y, p))
    assert np.isclose(row["brier"], brier_score_loss(y, p))
    assert row["threshold"] == 0.6
    assert row["tp_val"] == int(((p >= 0.6) & (y == 1)).sum())
    assert row["fp_05"] == int(((p >= 0.5) & (y == 0)).sum())
    assert np.isclose(row["recall_05"], ((p >= 0.5) & (y == 1)).sum() / y.sum())


def test_seed_table_says_what_is_missing():
    y = np.r_[np.zeros(10, int), np.ones(10, int)]
    p = np.linspace(0, 1, 20)
    with pytest.raises(ValueError, match="no thresholds given"):
        seed_table(y, {"m": [p]}, {}, (0,))
    with pytest.raises(ValueError, match="one of each per seed"):
        seed_table(y, {"m": [p, p]}, {"m": [0.5]}, (0, 1))
    with pytest.raises(ValueError, match="probabilities for"):
        seed_table(y, {"m": [p[:-1]]}, {"m": [0.5]}, (0,))


def test_keras_stream_classifier_needs_validation_data_and_fit():
    x, y = _data()
    with pytest.raises(ValueError, match="validation_data"):
        KerasStreamClassifier().fit(x, y)
    with pytest.raises(ValueError, match="not fitted"):
        KerasStreamClassifier().predict_proba(x)
