"""Metrics, validation thresholds and bootstrap intervals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, precision_score, recall_score

from helpers.evaluation import (
    Interval,
    bootstrap_metrics,
    choose_threshold,
    format_intervals,
    predict_labels,
    ranking_metrics,
    standard_metric_fns,
    summary_table,
    threshold_metrics,
)


@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    y = (rng.random(4000) < 0.05).astype(int)
    p = np.clip(0.05 + 0.5 * y * rng.random(4000) + 0.1 * rng.random(4000), 0, 1)
    return y, p


def test_threshold_metrics_counts_match_hand_count():
    y = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0.1, 0.6, 0.7, 0.4, 0.9, 0.2])
    m = threshold_metrics(y, p, 0.5)
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (2, 1, 1, 2)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["accuracy"] == pytest.approx(4 / 6)


def test_threshold_is_inclusive_and_validated():
    assert predict_labels([0.5, 0.49], 0.5).tolist() == [1, 0]
    with pytest.raises(ValueError, match="threshold"):
        predict_labels([0.5], 1.5)


def test_ranking_metrics_no_skill_level(scored):
    y, p = scored
    m = ranking_metrics(y, p)
    assert m["no_skill_pr_auc"] == pytest.approx(y.mean())
    assert m["pr_auc"] == pytest.approx(average_precision_score(y, p))
    with pytest.raises(ValueError, match="no positive"):
        ranking_metrics(np.zeros(10, int), np.linspace(0, 1, 10))


def test_choose_threshold_f1_and_precision(scored):
    y, p = scored
    t = choose_threshold(y, p)
    grid = np.unique(p)
    f1 = [threshold_metrics(y, p, g)["f1"] for g in grid[::20]]
    assert threshold_metrics(y, p, t)["f1"] >= max(f1) - 1e-12
    t90 = choose_threshold(y, p, objective="precision", min_precision=0.9)
    assert precision_score(y, p >= t90) >= 0.9
    # lowest such threshold: one step lower misses the target
    lower = grid[grid < t90]
    if lower.size:
        assert precision_score(y, p >= lower.max()) < 0.9
    with pytest.raises(ValueError, match="min_precision"):
        choose_threshold(y, p, objective="precision")
    with pytest.raises(ValueError, match="objective"):
        choose_threshold(y, p, objective="accuracy")


def test_choose_threshold_unreachable_precision():
    with pytest.raises(ValueError, match="lower min_precision"):
        choose_threshold([1, 0, 0, 1], [0.1, 0.9, 0.8, 0.2], objective="precision", min_precision=0.99)


def test_bootstrap_interval_contains_estimate_and_is_reproducible(scored):
    y, p = scored
    fns = standard_metric_fns(0.3)
    a = bootstrap_metrics(y, p, fns, n_resamples=100, seed=1)
    b = bootstrap_metrics(y, p, fns, n_resamples=100, seed=1)
    assert a == b
    for name, interval in a.items():
        assert interval.low <= interval.estimate <= interval.high, name
    assert a["recall"].estimate == pytest.approx(recall_score(y, p >= 0.3))


def test_bootstrap_width_shrinks_with_more_data():
    rng = np.random.default_rng(3)

    def width(n):
        y = (rng.random(n) < 0.1).astype(int)
        p = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)
        iv = bootstrap_metrics(y, p, {"ap": average_precision_score}, n_resamples=200)
        return iv["ap"].high - iv["ap"].low

    assert width(20_000) < width(1_000)


def test_bootstrap_input_errors(scored):
    y, p = scored
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap_metrics(y, p, standard_metric_fns(), n_resamples=10)
    with pytest.raises(ValueError, match="metric_fns is empty"):
        bootstrap_metrics(y, p, {})
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_metrics(y, p, standard_metric_fns(), confidence=1.5)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_stratified_bootstrap_keeps_positive_count(seed):
    y = np.array([0] * 40 + [1] * 5)
    p = np.linspace(0, 1, 45)
    counts = bootstrap_metrics(y, p, {"n_pos": lambda yy, pp: yy.sum()}, n_resamples=50, seed=seed)
    assert counts["n_pos"].low == counts["n_pos"].high == 5


def test_summary_table_and_formatting(scored):
    y, p = scored
    table = summary_table(y, {"a": p, "b": p ** 2}, {"a": 0.3, "b": 0.1}, n_resamples=60)
    assert list(table.index) == ["a", "b"]
    assert {"pr_auc", "pr_auc_low", "pr_auc_high", "recall"} <= set(table.columns)
    text = format_intervals(table, ["pr_auc"])
    assert text.loc["a", "pr_auc"].count("[") == 1
    with pytest.raises(ValueError, match="no threshold given"):
        summary_table(y, {"a": p}, {}, n_resamples=60)


def test_interval_str_and_half_width():
    iv = Interval(0.5, 0.4, 0.7)
    assert str(iv) == "0.500 [0.400, 0.700]"
    assert iv.half_width == pytest.approx(0.15)
