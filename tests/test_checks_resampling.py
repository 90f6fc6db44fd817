"""Chapter 2's exercise checks accept right answers and explain the usual wrong ones."""

import math

import numpy as np
import pytest

from helpers.checks import CheckFailed
from helpers.checks_resampling import (
    check_matching_threshold,
    check_oversample_function,
    check_steps_per_epoch,
    check_stream_fraction,
)
from helpers.evaluation import choose_threshold, threshold_metrics
from helpers.resampling import balanced_stream, natural_stream


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(3000, int), np.ones(40, int)]
    x = rng.normal(size=(y.size, 3)).astype("float32")
    return x, y


# ------------------------------------------------------------------ exercise 2.1: stream

def test_stream_right_answer(data, capsys):
    stream = balanced_stream(*data, positive_fraction=0.3, batch_size=256, seed=0)
    check_stream_fraction(stream, 0.3, batch_size=256)
    assert "Correct" in capsys.readouterr().out


def test_stream_mistakes(data):
    x, y = data
    cases = [
        (None, "No answer yet"),
        (np.zeros(3), "tf.data.Dataset"),
        (balanced_stream(x, y, positive_fraction=0.7, batch_size=256), "wrong order"),
        (balanced_stream(x, y, positive_fraction=0.5, batch_size=256), "50/50"),
        (natural_stream(x, y, batch_size=256), "not resampled"),
        (balanced_stream(x, y, positive_fraction=0.3, batch_size=128), "not 256"),
        (balanced_stream(x, y, positive_fraction=0.15, batch_size=256), "expected about 0.3"),
    ]
    for stream, match in cases:
        with pytest.raises(CheckFailed, match=match):
            check_stream_fraction(stream, 0.3, batch_size=256)


def test_stream_that_ends_or_is_unbatched(data):
    import tensorflow as tf

    x, y = data
    finite = tf.data.Dataset.from_tensor_slices((x, y.astype("float32"))).batch(256)
    with pytest.raises(CheckFailed, match="repeat"):
        check_stream_fraction(finite, 0.3)
    rows = tf.data.Dataset.from_tensor_slices((x, y.astype("float32"))).repeat()
    with pytest.raises(CheckFailed, match="batch"):
        check_stream_fraction(rows, 0.3)
    features_only = tf.data.Dataset.from_tensor_slices(x).repeat().batch(8)
    with pytest.raises(CheckFailed, match="pair"):
        check_stream_fraction(features_only, 0.3)


# ------------------------------------------------------------------ exercise 2.1: steps

N, B, F = 170_588, 2048, 0.3


def test_steps_right_answer(capsys):
    check_steps_per_epoch(math.ceil(N / (B * 0.7)), n_negatives=N, batch_size=B,
                          positive_fraction=F)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "match"),
    [
        (None, "No answer yet"),
        (math.ceil(N / (B * 0.3)), "positive share"),
        (math.ceil(N / B), "every row of a batch were negative"),
        (math.ceil(N / (B * 0.5)), "50/50"),
        (math.ceil(N / (B * 0.7)) - 1, "Round up"),
        (N / (B * 0.7), "whole numbers"),
        (10_000, "factor of ten"),
        (3, "factor of ten"),
        (math.ceil(N / (B * 0.7)) + 2, "none of the usual mistakes"),
    ],
)
def test_steps_mistakes(answer, match):
    with pytest.raises(CheckFailed, match=match):
        check_steps_per_epoch(answer, n_negatives=N, batch_size=B, positive_fraction=F)


# ------------------------------------------------------------------ exercise 2.2

@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(1)
    y = (rng.random(20_000) < 0.01).astype(int)
    score = rng.normal(size=y.size) + 3.0 * y
    p = 1 / (1 + np.exp(-(score + 1.0)))  # inflated, like a resampled model
    return y, p


def test_matching_threshold_right_answer(scored, capsys):
    y, p = scored
    t = choose_threshold(y, p, objective="precision", min_precision=0.5)
    check_matching_threshold(t, y, p, target_precision=0.5)
    assert "Correct" in capsys.readouterr().out


def test_matching_threshold_mistakes(scored):
    y, p = scored
    t = choose_threshold(y, p, objective="precision", min_precision=0.5)
    higher = float(np.sort(p[p > t])[len(p[p > t]) // 2])
    for answer, match in ((None, "No answer yet"), (1.5, r"\[0, 1\]"), (0.5, "where you started"),
                          (0.6, "below the target"), (higher, "lower threshold")):
        if answer == 0.6:
            assert threshold_metrics(y, p, 0.6)["precision"] < 0.5
        with pytest.raises(CheckFailed, match=match):
            check_matching_threshold(answer, y, p, target_precision=0.5)


# ------------------------------------------------------------------ exercise 2.3

def _right(x, y, seed):
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    rows = rng.permutation(np.concatenate([neg, rng.choice(pos, neg.size, replace=True)]))
    return x[rows], y[rows]


def test_oversample_function_right_answer(capsys):
    check_oversample_function(_right)
    assert "Correct" in capsys.readouterr().out


def _unshuffled(x, y, seed):
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    rows = np.concatenate([neg, rng.choice(pos, neg.size, replace=True)])
    return x[rows], y[rows]


def _misaligned(x, y, seed):
    rng = np.random.default_rng(seed)
    xo, yo = _right(x, y, seed)
    return xo, yo[rng.permutation(yo.size)]


def _tiled(x, y, seed):
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    extra = np.resize(pos, neg.size)
    rows = rng.permutation(np.concatenate([neg, extra]))
    return x[rows], y[rows]


def _too_few(x, y, seed):
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    rows = rng.permutation(np.concatenate([neg, pos]))
    return x[rows], y[rows]


def _unseeded(x, y, seed):
    return _right(x, y, None)


def _fixed_seed(x, y, seed):
    return _right(x, y, 0)


def _raises(x, y, seed):
    raise RuntimeError("boom")


def _mutates(x, y, seed):
    y[:] = 0
    return x, y


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (None, "No function yet"),
        (lambda x, y, seed: None, "returned None"),
        (lambda x, y, seed: x, "pair"),
        (_unshuffled, "one block"),
        (_misaligned, "wrong label"),
        (_tiled, "exactly the same number"),
        (_too_few, "should hold"),
        (_unseeded, "same seed gives different"),
        (_fixed_seed, "Seeds 0 and 1"),
        (_raises, "raised RuntimeError"),
        (_mutates, "changed its input"),
    ],
)
def test_oversample_function_mistakes(fn, match):
    with pytest.raises(CheckFailed, match=match):
        check_oversample_function(fn)
