"""Model builders, bias initialisation, seeding and the compact training loop."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.models import (
    build_mlp,
    class_counts,
    expected_initial_loss,
    initial_output_bias,
    predict_proba,
)
from helpers.training import evaluate_model, seed_everything, train_classifier


@given(st.integers(1, 500), st.integers(1, 5000))
def test_bias_gives_the_base_rate(pos, neg):
    y = np.r_[np.ones(pos, int), np.zeros(neg, int)]
    b0 = initial_output_bias(y)
    assert 1 / (1 + math.exp(-b0)) == pytest.approx(pos / (pos + neg))


@given(st.integers(1, 500), st.integers(1, 5000))
def test_expected_loss_is_entropy_and_below_log2(pos, neg):
    y = np.r_[np.ones(pos, int), np.zeros(neg, int)]
    loss = expected_initial_loss(y)
    assert 0 < loss <= math.log(2) + 1e-12
    p = pos / (pos + neg)
    assert loss == pytest.approx(-(p * math.log(p) + (1 - p) * math.log(1 - p)))


def test_bias_needs_both_classes():
    with pytest.raises(ValueError, match="no positive"):
        initial_output_bias([0, 0, 0])
    assert class_counts([0, 1, 1]) == (1, 2)


def _toy(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.05).astype(int)
    x = rng.normal(size=(n, 4)).astype("float32")
    x[:, 0] += 2.5 * y
    return x, y


def test_careful_bias_starts_at_the_base_rate():
    seed_everything(0)
    x, y = _toy()
    model = build_mlp(4, output_bias=initial_output_bias(y))
    p = predict_proba(model, x)
    assert p.shape == (len(y),)
    assert abs(np.median(p) - y.mean()) < 0.03
    loss = evaluate_model(model, x, y)["loss"]
    assert abs(loss - expected_initial_loss(y)) < 0.5 * expected_initial_loss(y)


def test_build_mlp_rejects_bad_settings():
    with pytest.raises(ValueError, match="dropout"):
        build_mlp(3, dropout=1.0)
    with pytest.raises(ValueError, match="output_bias"):
        build_mlp(3, output_bias=float("-inf"))


def test_seeding_makes_training_reproducible(capsys):
    x, y = _toy()

    def run():
        seed_everything(7)
        model = build_mlp(4, output_bias=initial_output_bias(y))
        history = train_classifier(model, x, y, x, y, epochs=6, batch_size=256, patience=3,
                                   print_every=2)
        return history, predict_proba(model, x)

    h1, p1 = run()
    h2, p2 = run()
    np.testing.assert_array_equal(p1, p2)
    assert h1.history["loss"] == h2.history["loss"]
    assert 1 <= h1.best_epoch <= len(h1.history["loss"])
    out = capsys.readouterr().out
    assert "epoch   2" in out and "done after" in out
    assert len(out.splitlines()) <= 2 * 4  # compact: no per-batch bars


def test_train_classifier_names_a_missing_monitor():
    x, y = _toy(500)
    seed_everything(0)
    model = build_mlp(4, metrics=[])
    with pytest.raises(ValueError, match="not among the logged metrics"):
        train_classifier(model, x, y, x, y, epochs=1, monitor="val_nope", patience=1)


def test_seed_everything_validates():
    with pytest.raises(ValueError, match="seed"):
        seed_everything(-1)


def test_predict_proba_rejects_sequence_outputs():
    class PerStep:
        def predict(self, x, batch_size, verbose):
            return np.zeros((len(x), 5, 1))

    with pytest.raises(ValueError, match="return_sequences"):
        predict_proba(PerStep(), np.zeros((3, 2)))


def test_train_classifier_takes_an_endless_stream_with_steps_per_epoch():
    import tensorflow as tf

    x, y = _toy(600)
    seed_everything(1)
    stream = tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(64)
    model = build_mlp(4, output_bias=0.0)
    history = train_classifier(model, stream, None, x, y, epochs=3, patience=5,
                               steps_per_epoch=5, validation_batch_size=512, print_every=10)
    assert len(history.history["loss"]) == 3  # the endless stream stopped after 3 x 5 steps
    assert model.optimizer.iterations.numpy() == 15


def test_train_classifier_rejects_bad_stream_arguments():
    x, y = _toy(200)
    model = build_mlp(4)
    with pytest.raises(ValueError, match="tf.data.Dataset"):
        train_classifier(model, x, None, x, y, epochs=1)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        train_classifier(model, x, y, x, y, epochs=1, steps_per_epoch=0)
