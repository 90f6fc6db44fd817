"""Focal-loss plumbing (chapter 4): the NumPy reference against Keras, the alpha
convention, the prior bias, the focal minimiser and its inverse, the seeded grid trainer
and its per-seed summary table."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.evaluation import average_precision, brier_score
from helpers.focal import (
    GridRun,
    LossSetting,
    alpha_for_ratio,
    class_balancing_weights,
    focal_implied_probability,
    focal_loss,
    focal_minimiser,
    focal_optimal_bias,
    format_seed_table,
    keras_focal_loss,
    prior_output_bias,
    seed_table,
    train_loss_grid,
)
from helpers.models import initial_output_bias

P_GRID = np.array([0.0, 1e-8, 1e-3, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999, 1 - 1e-8, 1.0])


def _keras_per_example(loss, y, p):
    return np.asarray(
        loss(y[:, None].astype("float32"), p[:, None].astype("float32")), dtype=np.float64
    )


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, 0.25, 0.75])
def test_reference_matches_keras(gamma, alpha):
    import keras

    y = np.repeat([0.0, 1.0], P_GRID.size)
    p = np.tile(P_GRID, 2)
    loss = keras_focal_loss(gamma, alpha, reduction=None)
    assert isinstance(loss, keras.losses.BinaryFocalCrossentropy)
    np.testing.assert_allclose(
        focal_loss(y, p, gamma, alpha), _keras_per_example(loss, y, p), rtol=2e-5, atol=2e-6
    )


def test_gamma_zero_is_cross_entropy():
    import keras

    y = np.repeat([0.0, 1.0], P_GRID.size)
    p = np.tile(P_GRID, 2)
    bce = _keras_per_example(keras.losses.BinaryCrossentropy(reduction=None), y, p)
    np.testing.assert_allclose(focal_loss(y, p, 0.0), bce, rtol=2e-5, atol=2e-6)


def test_keras_ignores_alpha_without_balancing():
    import keras

    y = np.array([0.0, 1.0, 1.0])
    p = np.array([0.3, 0.6, 0.9])
    plain = keras.losses.BinaryFocalCrossentropy(alpha=0.9, reduction=None)
    np.testing.assert_allclose(
        _keras_per_example(plain, y, p), focal_loss(y, p, 2.0, None), rtol=2e-5
    )


def test_alpha_convention():
    assert class_balancing_weights(None) == (1.0, 1.0)
    assert class_balancing_weights(0.25) == (0.75, 0.25)
    assert alpha_for_ratio(3) == pytest.approx(0.75)
    assert alpha_for_ratio(1 / 3) == pytest.approx(0.25)
    pos, neg = focal_loss(np.array([1.0, 0.0]), np.array([0.9, 0.1]), 2.0, 0.25)
    assert pos / neg == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y_true": [0, 1], "y_prob": [0.5]}, "same shape"),
        ({"y_true": [0, 2], "y_prob": [0.5, 0.5]}, "0/1 labels"),
        ({"y_true": [0, 1], "y_prob": [0.5, 1.5]}, "not logits"),
        ({"y_true": [0, 1], "y_prob": [0.5, 0.5], "gamma": -1}, "gamma"),
        ({"y_true": [0, 1], "y_prob": [0.5, 0.5], "alpha": 1.0}, "strictly between"),
        ({"y_true": [0, 1], "y_prob": [0.5, 0.5], "alpha": "a"}, "alpha must be None"),
    ],
)
def test_focal_loss_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        focal_loss(**kwargs)


def test_prior_bias_is_chapter_zero_bias():
    y = np.r_[np.ones(17), np.zeros(9983)]
    assert prior_output_bias(y.mean()) == pytest.approx(initial_output_bias(y))
    assert prior_output_bias(0.01) == pytest.approx(-math.log(99))
    for bad in (0.0, 1.0, -0.1):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            prior_output_bias(bad)
    with pytest.raises(ValueError, match="ratio"):
        alpha_for_ratio(0)


@settings(max_examples=60, deadline=None)
@given(
    eta=st.floats(1e-5, 1 - 1e-5),
    gamma=st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]),
    alpha=st.sampled_from([None, 0.25, 0.75]),
)
def test_minimiser_minimises_and_inverts(eta, gamma, alpha):
    q = float(focal_minimiser(eta, gamma, alpha))
    assert float(focal_implied_probability(q, gamma, alpha)) == pytest.approx(
        eta, rel=1e-6, abs=1e-12
    )

    def expected_loss(x):
        return (
            eta * focal_loss([1.0], [x], gamma, alpha)[0]
            + (1 - eta) * focal_loss([0.0], [x], gamma, alpha)[0]
        )

    best = expected_loss(q)
    for x in (q * 0.98, min(q * 1.02, 1 - 1e-9)):
        assert best <= expected_loss(x) + 1e-15


@settings(max_examples=40, deadline=None)
@given(eta=st.floats(1e-4, 0.49), gamma=st.floats(0.1, 6.0))
def test_focal_pulls_towards_one_half(eta, gamma):
    assert focal_minimiser(eta, gamma) > eta
    assert focal_minimiser(1 - eta, gamma) < 1 - eta
    assert focal_minimiser(0.5, gamma) == pytest.approx(0.5)


def test_implied_probability_is_increasing_and_identity_for_cross_entropy():
    q = np.linspace(1e-4, 1 - 1e-4, 2001)
    for gamma in (0.5, 1.0, 2.0, 5.0):
        for alpha in (None, 0.25, 0.75):
            assert np.all(np.diff(focal_implied_probability(q, gamma, alpha)) >= 0)
            mid = np.linspace(0.05, 0.95, 500)  # strictly, where float64 does not saturate
            assert np.all(np.diff(focal_implied_probability(mid, gamma, alpha)) > 0)
    np.testing.assert_allclose(focal_implied_probability(q, 0.0), q, rtol=1e-12)
    with pytest.raises(ValueError, match="strictly between"):
        focal_implied_probability([0.0, 0.5])
    with pytest.raises(ValueError, match="strictly between"):
        focal_minimiser(1.0)


def test_optimal_bias():
    y = np.r_[np.ones(20), np.zeros(980)]
    assert focal_optimal_bias(y, 0.0) == pytest.approx(initial_output_bias(y), abs=1e-9)
    assert focal_optimal_bias(y, 2.0) > focal_optimal_bias(y, 1.0) > initial_output_bias(y)
    assert (
        focal_optimal_bias(y, 2.0, 0.25)
        < focal_optimal_bias(y, 2.0)
        < focal_optimal_bias(y, 2.0, 0.75)
    )
    with pytest.raises(ValueError):
        focal_optimal_bias(np.zeros(10), 2.0)


def _tiny_splits():
    from types import SimpleNamespace

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 4)).astype("float32")
    y = (x[:, 0] + 0.5 * rng.normal(size=600) > 1.2).astype(int)
    return SimpleNamespace(
        x_train=x[:400],
        y_train=y[:400],
        x_val=x[400:500],
        y_val=y[400:500],
        x_test=x[500:],
        y_test=y[500:],
    )


def test_train_loss_grid_same_initial_weights_per_seed():
    splits = _tiny_splits()
    bias = initial_output_bias(splits.y_train)
    settings_ = {
        "a": LossSetting("binary_crossentropy", bias),
        "b": LossSetting("binary_crossentropy", bias),
        "focal": LossSetting(keras_focal_loss(2.0), focal_optimal_bias(splits.y_train, 2.0),
                             {0: 1.0, 1: 2.0}),
    }
    run = train_loss_grid(settings_, splits, seeds=(3, 4), epochs=2, patience=2,
                          batch_size=128)
    assert isinstance(run, GridRun) and run.seeds == (3, 4)
    assert all(len(run.p_test[n]) == 2 for n in settings_)
    for k in range(2):  # the same seed gives the same model for the same setting
        np.testing.assert_allclose(run.p_test["a"][k], run.p_test["b"][k], rtol=1e-6)
    assert not np.allclose(run.p_test["a"][0], run.p_test["a"][1])  # seeds differ
    assert run.p_val["a"][0].shape == (100,) and run.p_test["a"][1].shape == (100,)
    assert set(run.best_epochs) == set(settings_)
    assert all(1 <= e <= 2 for e in run.best_epochs["focal"])
    assert all(s > 0 for s in run.seconds.values()) and run.epochs_run["a"] == 2
    with pytest.raises(ValueError, match="empty"):
        train_loss_grid({}, splits, seeds=(0,))
    with pytest.raises(ValueError, match="LossSetting"):
        train_loss_grid({"x": "binary_crossentropy"}, splits, seeds=(0,))


def test_seed_table_means_and_ranges():
    rng = np.random.default_rng(1)
    y = np.r_[np.ones(20), np.zeros(180)].astype(int)
    runs = {"m": [np.clip(0.3 * y + rng.uniform(0, 0.7, y.size), 0, 1) for _ in range(3)]}
    thresholds = {"m": [0.5, 0.6, 0.7]}
    table = seed_table(y, runs, thresholds)
    pr = [average_precision(y, p) for p in runs["m"]]
    assert math.isclose(table.loc["m", "pr_auc"], np.mean(pr))
    assert math.isclose(table.loc["m", "pr_auc_min"], min(pr))
    assert math.isclose(table.loc["m", "brier_max"],
                        max(brier_score(y, p) for p in runs["m"]))
    recalls = [np.mean(p[y == 1] >= t) for p, t in zip(runs["m"], thresholds["m"], strict=True)]
    assert math.isclose(table.loc["m", "recall_val"], np.mean(recalls))
    assert math.isclose(table.loc["m", "threshold_max"], 0.7)
    assert math.isclose(table.loc["m", "mean_prediction"], np.mean([p.mean() for p in runs["m"]]))
    shown = format_seed_table(table, ["pr_auc", "brier"], digits={"brier": 4})
    assert shown.loc["m", "brier"].count("(") == 1 and "–" in shown.loc["m", "pr_auc"]
    with pytest.raises(ValueError, match="one threshold per seed"):
        seed_table(y, runs, {"m": [0.5]})
    with pytest.raises(ValueError, match="no thresholds"):
        seed_table(y, runs, {})
