"""Several seeds side by side in one Keras model (helpers.seeds)."""

import numpy as np
import pytest

from helpers.evaluation import average_precision
from helpers.models import build_mlp
from helpers.seeds import (
    SeedwiseEarlyStopping,
    execution_chunk,
    per_column_loss,
    per_seed_loss,
    predict_seeds,
    stack_seeds,
    stack_settings,
)
from helpers.training import seed_everything


@pytest.fixture(scope="module")
def data():
    seed_everything(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 6)).astype("float32")
    y = (x[:, 0] + 0.5 * rng.normal(size=3000) > 1.8).astype(int)
    return x[:2000], y[:2000], x[2000:], y[2000:]


def test_each_copy_starts_from_its_own_seed(data):
    import keras

    model = stack_seeds(lambda: build_mlp(6), (3, 7, 11))
    assert model.seeds == (3, 7, 11) and model.output_shape == (None, 3)
    for seed, tower in zip(model.seeds, model.towers, strict=True):
        keras.utils.set_random_seed(seed)
        alone = build_mlp(6)
        for w_stacked, w_alone in zip(tower.get_weights(), alone.get_weights(), strict=True):
            np.testing.assert_array_equal(w_stacked, w_alone)
    first, second = (t.get_weights()[0] for t in model.towers[:2])
    assert not np.allclose(first, second)


@pytest.mark.parametrize("loss", ["binary_crossentropy", "focal"])
def test_summed_loss_is_each_columns_loss_with_weights(loss):
    import keras

    base = (keras.losses.BinaryFocalCrossentropy(gamma=2.0) if loss == "focal"
            else keras.losses.BinaryCrossentropy())
    rng = np.random.default_rng(1)
    y = (rng.random(64) < 0.3).astype("float32")
    p = rng.uniform(0.05, 0.95, size=(64, 3)).astype("float32")
    w = np.where(y == 1, 5.0, 0.5).astype("float32")
    summed = per_seed_loss(base if loss == "focal" else loss, 3)
    expected = sum(float(base(y[:, None], p[:, k:k + 1], sample_weight=w)) for k in range(3))
    assert float(summed(y, p, sample_weight=w)) == pytest.approx(expected, rel=1e-5)


def test_a_copy_trains_exactly_as_it_would_alone(data):
    """Same batches, no dropout: one epoch of the stack moves copy k as training it alone."""
    import keras

    x, y, *_ = data
    build = lambda: build_mlp(6, dropout=0.0)  # noqa: E731
    model = stack_seeds(build, (0, 1))
    model.fit(x, y, batch_size=500, epochs=1, shuffle=False, verbose=0,
              class_weight={0: 1.0, 1: 4.0})
    keras.utils.set_random_seed(1)
    alone = build()
    alone.fit(x, y, batch_size=500, epochs=1, shuffle=False, verbose=0,
              class_weight={0: 1.0, 1: 4.0})
    for w_stacked, w_alone in zip(model.towers[1].get_weights(), alone.get_weights(),
                                  strict=True):
        np.testing.assert_allclose(w_stacked, w_alone, rtol=1e-4, atol=1e-6)


def test_each_seed_stops_and_is_restored_at_its_own_best(data, capsys):
    x, y, xv, yv = data
    model = stack_seeds(lambda: build_mlp(6), (0, 1, 2))
    stop = SeedwiseEarlyStopping(xv, yv, patience=2, print_every=100)
    model.fit(x, y, batch_size=256, epochs=40, callbacks=[stop], verbose=0)
    assert all(1 <= e <= stop.epochs_run for e in stop.best_epochs)
    assert stop.epochs_run < 40 or max(stop.best_epochs) >= 38
    for p, best in zip(predict_seeds(model, xv), stop.best_scores, strict=True):
        assert average_precision(yv, p) == pytest.approx(best, abs=1e-6)
    assert "best epoch per seed" in capsys.readouterr().out


def test_bad_arguments_say_what_to_do(data):
    import keras

    x, y, xv, yv = data
    with pytest.raises(ValueError, match="non-empty list of seeds"):
        stack_seeds(lambda: build_mlp(6), 3)
    with pytest.raises(ValueError, match="distinct"):
        stack_seeds(lambda: build_mlp(6), (1, 1))
    uncompiled = lambda: keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])  # noqa: E731
    with pytest.raises(ValueError, match="compiled model"):
        stack_seeds(uncompiled, (0, 1))
    with pytest.raises(ValueError, match="rows"):
        SeedwiseEarlyStopping(xv[:-1], yv)
    single = build_mlp(6)
    with pytest.raises(ValueError, match="stack_seeds"):
        single.fit(x, y, epochs=1, verbose=0, callbacks=[SeedwiseEarlyStopping(xv, yv)])
    with pytest.raises(ValueError, match="one output column per seed"):
        predict_seeds(single, xv)


def test_steps_per_execution_changes_no_update(data):
    """16 batches per call give the same weights as one, epoch remainder included."""
    import keras

    x, y, *_ = data
    weights = []
    for chunk in (1, 16):
        model = stack_seeds(lambda: build_mlp(6), (0, 1), steps_per_execution=chunk)
        assert model.steps_per_execution == chunk
        keras.utils.set_random_seed(5)
        model.fit(x, y, batch_size=64, epochs=2, verbose=0)  # 32 batches, the last short
        weights.append(model.get_weights())
        assert int(model.optimizer.iterations) == 2 * 32
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_stream_epoch_runs_exactly_steps_per_epoch(data):
    import tensorflow as tf

    x, y, xv, yv = data
    stream = tf.data.Dataset.from_tensor_slices((x, y.astype("float32"))).repeat().batch(64)
    assert execution_chunk(30) == 15 and execution_chunk(84) == 14 and execution_chunk(7) == 7
    model = stack_seeds(lambda: build_mlp(6), (0, 1), steps_per_execution=execution_chunk(30))
    stop = SeedwiseEarlyStopping(xv, yv, patience=5, print_every=100)
    model.fit(stream, steps_per_epoch=30, epochs=2, callbacks=[stop], verbose=0)
    assert int(model.optimizer.iterations) == 60
    # Keras would run 32 updates per "30-step" epoch with 16 per call: refused, with the fix
    model = stack_seeds(lambda: build_mlp(6), (0, 1), steps_per_execution=16)
    with pytest.raises(ValueError, match="execution_chunk"):
        model.fit(stream, steps_per_epoch=30, epochs=1, verbose=0,
                  callbacks=[SeedwiseEarlyStopping(xv, yv)])
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            execution_chunk(bad)
    with pytest.raises(ValueError, match="positive integer"):
        stack_seeds(lambda: build_mlp(6), (0, 1), steps_per_execution=0)


def test_stacked_settings_train_as_their_own_stacks(data):
    """Each (setting, seed) column of one stack moves as its setting's stack_seeds would."""
    import keras

    x, y, *_ = data
    focal = keras.losses.BinaryFocalCrossentropy(gamma=2.0)
    builds = {"ce": lambda: build_mlp(6, dropout=0.0),
              "focal": lambda: build_mlp(6, dropout=0.0, loss=focal, output_bias=-1.0)}
    model = stack_settings(builds, (0, 1))
    assert model.columns == [("ce", 0), ("ce", 1), ("focal", 0), ("focal", 1)]
    model.fit(x, y, batch_size=500, epochs=2, shuffle=False, verbose=0)
    alone = stack_seeds(builds["focal"], (0, 1))
    alone.fit(x, y, batch_size=500, epochs=2, shuffle=False, verbose=0)
    for k in range(2):
        for w_stack, w_alone in zip(model.towers[2 + k].get_weights(),
                                    alone.towers[k].get_weights(), strict=True):
            np.testing.assert_allclose(w_stack, w_alone, rtol=1e-4, atol=1e-6)
    # the loss is each column's own loss, summed
    y_true = np.array([0.0, 1.0, 1.0])
    p = np.array([[0.2, 0.7], [0.6, 0.9], [0.3, 0.1]], dtype="float32")
    expected = (keras.losses.BinaryCrossentropy(reduction=None)(y_true[:, None], p[:, :1])
                + focal.call(y_true[:, None], p[:, 1:]))
    got = per_column_loss(["binary_crossentropy", focal]).call(y_true, p)
    np.testing.assert_allclose(np.ravel(got), np.ravel(expected), rtol=1e-5)
    sgd = lambda: build_mlp(6, learning_rate=0.1)  # noqa: E731
    with pytest.raises(ValueError, match="same optimizer"):
        stack_settings({"a": builds["ce"], "b": sgd}, (0,))
    with pytest.raises(ValueError, match="empty"):
        stack_settings({}, (0,))
