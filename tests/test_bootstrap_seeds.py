"""The bootstrap's count-weighted fast path, and seed-averaged paired differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from helpers.evaluation import (
    Ranked,
    average_precision,
    bootstrap_metrics,
    brier_score,
    comparison_metric_fns,
    paired_bootstrap_difference,
    paired_difference_over_seeds,
    per_seed_metric,
    precision_at,
    recall_at,
    roc_auc,
    standard_metric_fns,
    weighted_form,
)


def _scored(seed=0, n=3000, rate=0.03, ties=True):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    y[:3] = 1
    p = np.clip(0.1 * rng.random(n) + 0.6 * y * rng.random(n), 0, 1)
    return y, (np.round(p, 2) if ties else p)


def _plain(fns):
    """The same metrics with their fast forms hidden, so the bootstrap calls them per resample."""
    return {name: (lambda f: lambda y, p: f(y, p))(fn) for name, fn in fns.items()}


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 30))
def test_weighted_forms_equal_the_metric_of_the_resampled_rows(seed, n_extra):
    y, p = _scored(seed, n=200 + n_extra)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, y.size, y.size)
    idx[0], idx[1] = 0, 5  # row 0 is a positive, keep a negative too
    idx[1] = int(np.flatnonzero(y == 0)[0])
    w = np.bincount(idx, minlength=y.size).astype(float)
    r = Ranked(y, p)
    for fn in (skm.average_precision_score, average_precision, skm.roc_auc_score, roc_auc,
               skm.brier_score_loss, brier_score, precision_at(0.3), recall_at(0.3)):
        assert weighted_form(fn)(r, w) == pytest.approx(fn(y[idx], p[idx]), abs=1e-12)


@pytest.mark.parametrize("ties", [True, False])
def test_fast_bootstrap_gives_the_same_intervals_as_calling_each_metric(ties):
    y, p = _scored(1, ties=ties)
    for fns in (comparison_metric_fns({"05": 0.5, "val": 0.2}), standard_metric_fns(0.3)):
        fast = bootstrap_metrics(y, p, fns, n_resamples=60, seed=3)
        slow = bootstrap_metrics(y, p, _plain(fns), n_resamples=60, seed=3)
        for name in fns:
            assert (fast[name].low, fast[name].high) == pytest.approx(
                (slow[name].low, slow[name].high), abs=1e-12)
            assert fast[name].estimate == pytest.approx(slow[name].estimate, abs=1e-12)


def test_a_metric_without_a_fast_form_still_works():
    y, p = _scored(2)
    calls = []

    def top_decile_rate(yy, pp):
        calls.append(1)
        return float(yy[pp >= np.quantile(pp, 0.9)].mean())

    assert weighted_form(top_decile_rate) is None
    out = bootstrap_metrics(y, p, {"top": top_decile_rate}, n_resamples=50)
    assert len(calls) == 51 and out["top"].low <= out["top"].high


def test_one_seed_each_is_the_paired_bootstrap():
    y, p = _scored(3)
    q = np.clip(p + np.random.default_rng(0).normal(0, 0.05, p.size), 0, 1)
    fns = comparison_metric_fns({"05": 0.5})
    one = paired_difference_over_seeds(y, [p], [q], fns, n_resamples=80, seed=1)
    pair = paired_bootstrap_difference(y, p, q, fns, n_resamples=80, seed=1)
    slow = paired_bootstrap_difference(y, p, q, _plain(fns), n_resamples=80, seed=1)
    for name in fns:
        assert one[name] == pair[name]
        assert (pair[name].low, pair[name].high) == pytest.approx(
            (slow[name].low, slow[name].high), abs=1e-12)


def test_seed_average_is_the_mean_of_the_seeds_and_identical_runs_differ_by_zero():
    y, p = _scored(4)
    rng = np.random.default_rng(1)
    runs_a = [np.clip(p + rng.normal(0, 0.03, p.size), 0, 1) for _ in range(3)]
    runs_b = [np.clip(p + rng.normal(0, 0.03, p.size) + 0.05 * y, 0, 1) for _ in range(3)]
    d = paired_difference_over_seeds(y, runs_a, runs_b, {"pr_auc": average_precision},
                                     n_resamples=100)["pr_auc"]
    expected = (per_seed_metric(y, runs_b, average_precision).mean()
                - per_seed_metric(y, runs_a, average_precision).mean())
    assert d.estimate == pytest.approx(expected)
    assert d.low > 0, "a model given a head start on every fraud ranks measurably better"
    same = paired_difference_over_seeds(y, runs_a, list(runs_a), {"pr_auc": average_precision},
                                        n_resamples=60)["pr_auc"]
    assert (same.estimate, same.low, same.high) == (0.0, 0.0, 0.0)


def test_seed_lists_are_checked():
    y, p = _scored(5)
    fns = {"pr_auc": average_precision}
    with pytest.raises(ValueError, match="one probability array per training seed"):
        paired_difference_over_seeds(y, np.c_[p, p], [p], fns)
    with pytest.raises(ValueError, match="one probability array per training seed"):
        paired_difference_over_seeds(y, [], [p], fns)
    with pytest.raises(ValueError, match="same test rows"):
        paired_difference_over_seeds(y, [p], [p[:-1]], fns)
    with pytest.raises(ValueError, match="n_resamples"):
        paired_difference_over_seeds(y, [p], [p], fns, n_resamples=5)
