"""Chapter 3's blob data, grid, enclosure measures and stacked trainer."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.blobs import (
    BLOBS,
    POSITIVE_MEAN,
    blob_posterior,
    class_densities,
    enclosure,
    evaluation_grid,
    init_stacked_mlp,
    make_blobs,
    natural_positive_rate,
    positive_ellipse,
    shuffled_batches,
    stacked_predict,
    train_stacked,
)

# --- the data ---------------------------------------------------------------------------


def test_blobs_match_the_source_experiment():
    neg = [(b.mean, b.sd, b.count) for b in BLOBS if b.label == 0]
    assert neg == [((1.0, 1.0), 1.0, 10_000), ((-1.0, 1.0), 1.0, 10_000), ((-1.0, -1.0), 1.0, 10_000),
                   ((1.0, -0.5), 0.5, 2_500), ((0.5, -1.0), 0.5, 2_500), ((1.0, -1.0), 0.5, 2_500)]
    assert [(b.mean, b.sd, b.count) for b in BLOBS if b.label == 1] == [((0.5, -0.5), 0.5, 2_500)]
    assert natural_positive_rate() == 1 / 16


def test_make_blobs_counts_seeding_and_shape():
    x, y = make_blobs(seed=7)
    assert x.shape == (40_000, 2) and y.shape == (40_000,)
    assert int(y.sum()) == 2_500 and int((y == 0).sum()) == 37_500
    x2, y2 = make_blobs(seed=7)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    x3, _ = make_blobs(seed=8)
    assert not np.array_equal(x, x3)
    # rows are shuffled, not grouped by blob
    assert 0 < y[:4000].sum() < 4000


def test_make_blobs_blob_statistics():
    x, y = make_blobs(seed=0)
    pos = x[y == 1]
    assert np.allclose(pos.mean(axis=0), POSITIVE_MEAN, atol=0.04)
    assert np.allclose(pos.std(axis=0), 0.5, atol=0.03)


@given(seed=st.integers(0, 2**31), scale=st.floats(0.001, 0.05))
@settings(max_examples=25, deadline=None)
def test_make_blobs_scale_property(seed, scale):
    x, y = make_blobs(seed, scale=scale)
    expected = sum(round(b.count * scale) for b in BLOBS)
    assert len(x) == len(y) == expected
    assert y.sum() == round(2_500 * scale)
    assert np.isfinite(x).all()


def test_make_blobs_rejects_bad_input():
    with pytest.raises(ValueError, match="non-negative integer"):
        make_blobs(-1)
    with pytest.raises(ValueError, match="non-negative integer"):
        make_blobs(1.5)
    with pytest.raises(ValueError, match="positive number"):
        make_blobs(0, scale=0)
    with pytest.raises(ValueError, match="without points"):
        make_blobs(0, scale=1e-5)


# --- the posterior ----------------------------------------------------------------------


def test_densities_integrate_to_one_on_a_wide_grid():
    g = evaluation_grid((-7.0, 7.0), 0.05)
    p_pos, p_neg = class_densities(g.points)
    assert math.isclose(p_pos.sum() * g.cell_area, 1.0, rel_tol=1e-3)
    assert math.isclose(p_neg.sum() * g.cell_area, 1.0, rel_tol=2e-3)


@given(rate=st.floats(0.01, 0.99), x=st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5)),
                                              min_size=1, max_size=20))
@settings(max_examples=50, deadline=None)
def test_posterior_is_a_prior_shift_on_the_logit_scale(rate, x):
    pts = np.array(x)
    p1, p2 = blob_posterior(pts, 0.5), blob_posterior(pts, rate)
    ok = (p1 > 1e-9) & (p1 < 1 - 1e-9)
    lhs = np.log(p2[ok] / (1 - p2[ok])) - np.log(p1[ok] / (1 - p1[ok]))
    assert np.allclose(lhs, np.log(rate / (1 - rate)), atol=1e-6)
    assert ((p2 >= 0) & (p2 <= 1)).all()


def test_natural_posterior_never_reaches_one_half_but_the_balanced_one_does():
    g = evaluation_grid()
    assert blob_posterior(g.points).max() < 0.35
    assert blob_posterior(g.points, 0.5).max() > 0.85
    assert blob_posterior(np.array([POSITIVE_MEAN]), 0.5)[0] > 0.5


def test_posterior_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        blob_posterior(np.zeros((1, 2)), 1.0)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        blob_posterior(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="NaN"):
        blob_posterior(np.array([[np.nan, 0.0]]))


# --- grid and enclosure -----------------------------------------------------------------


def test_evaluation_grid_is_the_sources_grid():
    g = evaluation_grid()
    assert g.ticks.size == 267 and g.shape == (267, 267)
    assert g.ticks[0] == -4.0 and math.isclose(g.ticks[-1], 3.98)
    assert g.points.shape == (267 * 267, 2)
    assert math.isclose(g.cell_area, 0.0009)
    # row-major: the first coordinate varies fastest
    assert np.allclose(g.points[:2], [[-4.0, -4.0], [-3.97, -4.0]])


@given(lo=st.floats(-10, 0), width=st.floats(0.5, 10), n=st.integers(2, 60))
@settings(max_examples=50, deadline=None)
def test_grid_property(lo, width, n):
    step = width / (n - 1)
    g = evaluation_grid((lo, lo + width), step)
    assert g.ticks[0] == lo and g.ticks[-1] <= lo + width + 1e-9
    assert g.ticks.size == n
    assert np.allclose(np.diff(g.ticks), step)


def test_grid_rejects_bad_input():
    with pytest.raises(ValueError, match="lim"):
        evaluation_grid((1.0, -1.0))
    with pytest.raises(ValueError, match="step"):
        evaluation_grid(step=0.0)


def test_ellipse_holds_its_mass():
    x, y = make_blobs(seed=3)
    for mass in (0.5, 0.9, 0.95):
        inside = positive_ellipse(x[y == 1], mass).mean()
        assert abs(inside - mass) < 0.02
    g = evaluation_grid()
    area = positive_ellipse(g.points, 0.9).sum() * g.cell_area
    assert math.isclose(area, math.pi * 0.25 * -2 * math.log(0.1), rel_tol=0.01)
    with pytest.raises(ValueError, match="mass"):
        positive_ellipse(g.points, 1.0)


def test_enclosure_values():
    ellipse = np.array([True, True, True, True, False, False, False, False])
    region = np.array([True, True, False, False, True, False, False, False])
    out = enclosure(region, ellipse, cell_area=0.5)
    assert out == {"coverage": 0.5, "outside": 1 / 3, "area": 1.5}
    empty = enclosure(np.zeros(8, bool), ellipse)
    assert empty["coverage"] == 0.0 and math.isnan(empty["outside"]) and empty["area"] == 0.0
    full = enclosure(ellipse.copy(), ellipse)
    assert full["coverage"] == 1.0 and full["outside"] == 0.0


@given(region=st.lists(st.booleans(), min_size=30, max_size=30),
       ellipse=st.lists(st.booleans(), min_size=30, max_size=30))
@settings(max_examples=100, deadline=None)
def test_enclosure_properties(region, ellipse):
    r, e = np.array(region), np.array(ellipse)
    if not e.any():
        with pytest.raises(ValueError, match="empty"):
            enclosure(r, e)
        return
    out = enclosure(r, e)
    assert 0.0 <= out["coverage"] <= 1.0
    assert math.isnan(out["outside"]) == (not r.any())
    # growing the region never lowers coverage
    assert enclosure(r | e, e)["coverage"] == 1.0
    assert enclosure(r | ~e, e)["coverage"] >= out["coverage"]
    # the region inside the ellipse has nothing outside
    if (r & e).any():
        assert enclosure(r & e, e)["outside"] == 0.0


def test_enclosure_rejects_bad_masks():
    with pytest.raises(ValueError, match="boolean"):
        enclosure(np.ones(3), np.ones(3, bool))
    with pytest.raises(ValueError, match="same shape"):
        enclosure(np.ones(3, bool), np.ones(4, bool))


def test_bayes_balanced_region_encloses_the_ellipse():
    g = evaluation_grid()
    out = enclosure(blob_posterior(g.points, 0.5) >= 0.5, positive_ellipse(g.points, 0.9))
    assert out["coverage"] > 0.99 and out["outside"] < 0.2


# --- the stacked trainer ----------------------------------------------------------------


def test_init_matches_keras_defaults():
    params = init_stacked_mlp(4, (2, 5, 7, 1), seed=0)
    assert [p.shape for p in params] == [(4, 2, 5), (4, 5), (4, 5, 7), (4, 7), (4, 7, 1), (4, 1)]
    assert all(p.dtype == np.float32 for p in params)
    assert np.abs(params[0]).max() <= math.sqrt(6 / 7) and not params[1].any()
    assert not np.array_equal(params[0][0], params[0][1])  # independent models
    with pytest.raises(ValueError, match="ending in 1"):
        init_stacked_mlp(2, (2, 5, 2))
    with pytest.raises(ValueError, match="n_models"):
        init_stacked_mlp(0)


@given(n_models=st.integers(1, 4), epochs=st.integers(1, 3), seed=st.integers(0, 1000))
@settings(max_examples=25, deadline=None)
def test_shuffled_batches_visit_every_row_once_per_epoch(n_models, epochs, seed):
    rng = np.random.default_rng(seed)
    sets = [rng.choice(1000, 60, replace=False) for _ in range(n_models)]
    b = shuffled_batches(sets, epochs, 20, rng)
    assert b.shape == (3 * epochs, n_models, 20) and b.dtype == np.int32
    for m, s in enumerate(sets):
        for e in range(epochs):
            assert sorted(b[3 * e:3 * (e + 1), m].ravel()) == sorted(s)


def test_shuffled_batches_reject_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="multiple of batch_size"):
        shuffled_batches([np.arange(50)], 1, 20, rng)
    with pytest.raises(ValueError, match="same size"):
        shuffled_batches([np.arange(40), np.arange(20)], 1, 20, rng)
    with pytest.raises(ValueError, match="empty"):
        shuffled_batches([], 1, 20, rng)


def _numpy_sgd(params, x, y, batches, lr, masks):
    """Reference SGD with hand-written backpropagation, one model at a time."""
    out = [p.astype(np.float64).copy() for p in params]
    n_layers = len(out) // 2
    for step in batches:
        for m, idx in enumerate(step):
            acts = [x[idx]]
            for k in range(n_layers):
                z = acts[-1] @ out[2 * k][m] + out[2 * k + 1][m]
                acts.append(np.maximum(z, 0) if k < n_layers - 1 else z)
            p = 1 / (1 + np.exp(-acts[-1][:, 0]))
            delta = ((p - y[idx]) / len(idx))[:, None]
            grads = []
            for k in reversed(range(n_layers)):
                grads.append((acts[k].T @ delta, delta.sum(axis=0)))
                if k:
                    delta = (delta @ out[2 * k][m].T) * (acts[k] > 0)
            for k, (gw, gb) in enumerate(reversed(grads)):
                out[2 * k][m] -= lr * masks[m, k] * gw
                out[2 * k + 1][m] -= lr * masks[m, k] * gb
    return out


def test_train_stacked_matches_hand_written_sgd_and_respects_masks():
    x, y = make_blobs(seed=0, scale=0.01)
    rng = np.random.default_rng(0)
    params = init_stacked_mlp(3, (2, 5, 7, 1), seed=1)
    sets = [np.arange(300)] * 3
    batches = shuffled_batches(sets, 2, 50, rng)
    masks = np.array([[1, 1, 1], [0, 0, 1], [1, 0, 0]], dtype=np.float32)
    got = train_stacked(params, x, y, batches, 0.08, trainable=masks, chunk=4)
    want = _numpy_sgd(params, x, y, batches, 0.08, masks)
    for g, w in zip(got, want, strict=True):
        assert np.allclose(g, w, atol=2e-5)
    # frozen layers did not move, trainable ones did
    assert np.array_equal(got[0][1], params[0][1]) and np.array_equal(got[2][2], params[2][2])
    assert not np.array_equal(got[4][1], params[4][1]) and not np.array_equal(got[0][2], params[0][2])
    # chunking does not change the result
    again = train_stacked(params, x, y, batches, 0.08, trainable=masks, chunk=50)
    for a, g in zip(again, got, strict=True):
        assert np.allclose(a, g, atol=1e-6)


def test_train_stacked_lowers_the_loss_and_predict_agrees_with_logits():
    x, y = make_blobs(seed=0, scale=0.05)
    rng = np.random.default_rng(0)
    params = init_stacked_mlp(2, seed=0)
    rows = np.arange(len(y) // 100 * 100)
    trained = train_stacked(params, x, y, shuffled_batches([rows, rows], 5, 100, rng), 0.08)

    def loss(ps):
        p = np.clip(stacked_predict(ps, x), 1e-7, 1 - 1e-7)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=1)

    assert (loss(trained) < loss(params)).all()
    z = stacked_predict(trained, x[:10], logits=True)
    assert np.allclose(1 / (1 + np.exp(-z)), stacked_predict(trained, x[:10]))
    assert np.allclose(stacked_predict(trained, x[:10], models_per_pass=1),
                       stacked_predict(trained, x[:10]))


def test_train_stacked_rejects_bad_input():
    x, y = make_blobs(seed=0, scale=0.01)
    params = init_stacked_mlp(2, seed=0)
    ok = np.zeros((1, 2, 10), dtype=np.int32)
    with pytest.raises(ValueError, match="shape"):
        train_stacked(params, x, y, np.zeros((1, 3, 10), int), 0.1)
    with pytest.raises(ValueError, match="outside x"):
        train_stacked(params, x, y, ok + len(y), 0.1)
    with pytest.raises(ValueError, match="trainable"):
        train_stacked(params, x, y, ok, 0.1, trainable=[1, 1])
    with pytest.raises(ValueError, match="learning_rate"):
        train_stacked(params, x, y, ok, -0.1)
    with pytest.raises(ValueError, match="0/1 label"):
        train_stacked(params, x, y[:-1], ok, 0.1)
    with pytest.raises(ValueError, match="kernel shape"):
        train_stacked([params[0], params[0]], x, y, ok, 0.1)
