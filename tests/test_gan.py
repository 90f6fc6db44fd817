"""helpers.gan: image input, builders, step-budget training, generation, metrics, bootstrap, grid."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import balanced_accuracy_score, recall_score

from helpers.gan import (
    as_model_input,
    build_digit_cnn,
    build_discriminator,
    build_generator,
    digit_metrics,
    fit_for_steps,
    generate_digits,
    paired_bootstrap_over_seeds,
    plot_digit_rows,
    predict_digits,
    recall_per_digit,
)


def test_as_model_input_scales_and_shapes():
    raw = np.full((2, 28, 28), 255, np.uint8)
    x = as_model_input(raw)
    assert x.shape == (2, 28, 28, 1) and x.dtype == np.float32 and x.max() == 1.0
    assert as_model_input(np.zeros((3, 784), np.float32)).shape == (3, 28, 28, 1)
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        as_model_input(np.full((1, 28, 28), 255.0))
    with pytest.raises(ValueError, match="shape"):
        as_model_input(np.zeros((2, 27, 28), np.uint8))


def test_builders_have_the_documented_shapes():
    gen = build_generator(latent_dim=16, width=8)
    disc = build_discriminator(width=8)
    assert gen.input_shape == (None, 26) and gen.output_shape == (None, 28, 28, 1)
    assert disc.input_shape == (None, 28, 28, 11) and disc.output_shape == (None, 1)
    images, labels = generate_digits(gen, [6, 8], 3, latent_dim=16, seed=0)
    assert images.shape == (6, 28, 28, 1) and labels.tolist() == [6, 6, 6, 8, 8, 8]
    assert 0 <= images.min() and images.max() <= 1
    again, _ = generate_digits(gen, [6, 8], 3, latent_dim=16, seed=0)
    np.testing.assert_array_equal(images, again)
    with pytest.raises(ValueError, match="0..9"):
        generate_digits(gen, [10], 1, latent_dim=16)
    with pytest.raises(ValueError):
        build_generator(latent_dim=0)


def test_fit_for_steps_counts_steps_not_epochs():
    import keras

    keras.utils.set_random_seed(0)
    model = build_digit_cnn()
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (20, 28, 28), dtype=np.uint8)
    y = np.arange(20) % 10
    before = model.optimizer.iterations.numpy()
    fit_for_steps(model, x, y, steps=7, batch_size=8, seed=0, class_weight={d: 1.0 for d in range(10)})
    assert model.optimizer.iterations.numpy() - before == 7
    assert predict_digits(model, x).shape == (20,)
    with pytest.raises(ValueError, match="positive integer"):
        fit_for_steps(model, x, y, steps=0)
    with pytest.raises(ValueError, match="labels"):
        fit_for_steps(model, x, y[:5], steps=1)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=10, max_size=60))
def test_recall_per_digit_matches_scikit_learn(pairs):
    y = np.array([a for a, _ in pairs] + list(range(10)))
    p = np.array([b for _, b in pairs] + list(range(10)))
    ours = recall_per_digit(y, p)
    np.testing.assert_allclose(ours, recall_score(y, p, labels=np.arange(10), average=None,
                                                  zero_division=0.0))
    assert np.isclose(np.nanmean(ours), balanced_accuracy_score(y, p))
    metrics = digit_metrics(y, p, (6, 8, 9))
    assert np.isclose(metrics["balanced_accuracy"], balanced_accuracy_score(y, p))
    assert np.isclose(metrics["minority_recall"], ours[[6, 8, 9]].mean())


def test_digit_metrics_refuses_missing_digits():
    with pytest.raises(ValueError, match="digits \\[9\\]"):
        digit_metrics(np.array([0, 1, 8]), np.array([0, 1, 8]), (8, 9))
    with pytest.raises(ValueError, match="shape"):
        digit_metrics(np.array([0, 1]), np.array([0]))


def test_paired_bootstrap_sees_a_real_difference_and_no_fake_one():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(10), 50)
    good = [np.where(rng.random(y.size) < 0.95, y, (y + 1) % 10) for _ in range(3)]
    bad = [np.where(rng.random(y.size) < 0.75, y, (y + 1) % 10) for _ in range(3)]

    def bacc(t, p):
        return float(np.nanmean(recall_per_digit(t, p)))

    est, low, high = paired_bootstrap_over_seeds(y, bad, good, bacc, n_resamples=300)
    assert 0.1 < est < 0.3 and low > 0.1 and high < 0.3 and low <= est <= high
    est0, low0, high0 = paired_bootstrap_over_seeds(y, good, good, bacc, n_resamples=100)
    assert est0 == low0 == high0 == 0.0
    with pytest.raises(ValueError, match="non-empty"):
        paired_bootstrap_over_seeds(y, [], good, bacc)


def test_plot_digit_rows_makes_one_row_per_entry():
    rows = {"a": np.zeros((3, 28, 28), np.uint8), "b": np.ones((12, 28, 28, 1), np.float32)}
    fig = plot_digit_rows(rows, n_per_row=5, title="t", xlabel="x")
    assert len(fig.axes) == 10
    assert fig.axes[0].get_ylabel() == "a" and fig.axes[5].get_ylabel() == "b"
    with pytest.raises(ValueError, match="empty"):
        plot_digit_rows({})


def test_fit_for_steps_batches_per_call_change_no_update():
    """Several batches per call into TensorFlow give the updates of one at a time."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
    y = np.arange(40) % 10
    keras.utils.set_random_seed(3)
    fast = build_digit_cnn()
    fit_for_steps(fast, x, y, steps=12, batch_size=8, seed=0)  # 12 per call
    assert fast.steps_per_execution == 12
    fit_for_steps(fast, x, y, steps=5, batch_size=8, seed=1)  # rebuilt: 5 per call
    assert int(fast.optimizer.iterations) == 17
    keras.utils.set_random_seed(3)
    slow = build_digit_cnn()
    for steps, seed in ((12, 0), (5, 1)):
        stream = (tf.data.Dataset.from_tensor_slices((as_model_input(x), y.astype("int64")))
                  .shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
                  .repeat().batch(8).prefetch(2))
        slow.fit(stream, epochs=1, steps_per_epoch=steps, verbose=0)
    for a, b in zip(fast.get_weights(), slow.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
