"""Chapter 7's comparison plumbing: the stopwatch, row repetition and the forest plot."""

import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from helpers.comparison import (  # noqa: E402
    Stopwatch,
    format_seed_summary,
    plot_interval_forest,
    repeat_rows,
    seed_summary,
    seedwise_scores,
)
from helpers.evaluation import (  # noqa: E402
    average_precision,
    brier_score,
    roc_auc,
    threshold_metrics,
)


def test_stopwatch_measures_the_block():
    with Stopwatch() as clock:
        time.sleep(0.05)
        running = clock.seconds
    final = clock.seconds
    assert 0.04 < running <= final < 2.0
    time.sleep(0.02)
    assert clock.seconds == final, "the reading is frozen once the block has ended"


def test_stopwatch_refuses_to_read_before_start():
    with pytest.raises(ValueError, match="never started"):
        _ = Stopwatch().seconds


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), n_rows=st.integers(1, 500), seed=st.integers(0, 1000))
def test_repeat_rows_uses_every_row_evenly(n, n_rows, seed):
    x = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n) % 2
    xr, yr = repeat_rows(x, y, n_rows, seed=seed)
    assert xr.shape == (n_rows, 2) and yr.shape == (n_rows,)
    assert np.array_equal(xr[:, 0] // 2 % 2, yr), "rows and labels stay paired"
    counts = np.bincount(xr[:, 0] // 2, minlength=n)
    assert counts.max() - counts.min() <= 1, "each row appears n_rows // n or one more time"


def test_repeat_rows_is_seeded():
    x, y = np.arange(10)[:, None], np.arange(10) % 2
    a, b = repeat_rows(x, y, 25, seed=3), repeat_rows(x, y, 25, seed=3)
    assert np.array_equal(a[0], b[0])
    assert not np.array_equal(a[0], repeat_rows(x, y, 25, seed=4)[0])


@pytest.mark.parametrize(
    ("x", "y", "n_rows", "message"),
    [
        (np.zeros((3, 2)), np.zeros(4), 5, "same length"),
        (np.zeros((0, 2)), np.zeros(0), 5, "empty"),
        (np.zeros((3, 2)), np.zeros(3), 0, "positive integer"),
        (np.zeros((3, 2)), np.zeros(3), 2.5, "positive integer"),
        (np.zeros((3, 2)), np.zeros((3, 1)), 5, "flat label vector"),
    ],
)
def test_repeat_rows_refuses_bad_input(x, y, n_rows, message):
    with pytest.raises(ValueError, match=message):
        repeat_rows(x, y, n_rows)


@pytest.fixture
def table():
    yield pd.DataFrame(
        {"pr_auc": [0.75, 0.70, 0.78], "pr_auc_low": [0.65, 0.60, 0.70],
         "pr_auc_high": [0.83, 0.79, 0.86]},
        index=["baseline", "weights", "focal"])
    plt.close("all")


def test_forest_plot_is_labelled_and_marks_the_reference(table):
    ax = plot_interval_forest(table, reference="baseline")
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_legend() is not None
    at = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True))
    assert set(at.values()) == set(table.index)
    assert at[max(at)] == "baseline", "the first row is drawn at the top"
    assert any(np.allclose(line.get_xdata(), 0.75) for line in ax.get_lines())


def test_forest_plot_follows_the_given_order(table):
    ax = plot_interval_forest(table, order=["focal", "baseline"])
    at = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True))
    assert [at[k] for k in sorted(at, reverse=True)] == ["focal", "baseline"]


def test_forest_plot_refuses_bad_input(table):
    with pytest.raises(ValueError, match="lacks the columns"):
        plot_interval_forest(table, "roc_auc")
    with pytest.raises(ValueError, match="unknown rows"):
        plot_interval_forest(table, reference="nope")
    with pytest.raises(ValueError, match="unknown rows"):
        plot_interval_forest(table, order=["baseline", "nope"])


def _runs(n_seeds=3, n=2000):
    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.05).astype(int)
    runs = [1 / (1 + np.exp(-(2.0 * y + rng.normal(size=n) - 3.0))) for _ in range(n_seeds)]
    return y, runs


def test_seedwise_scores_scores_each_seed_at_its_own_threshold():
    y, runs = _runs()
    thresholds = [0.2, 0.3, 0.4]
    corrected = [p / 2 for p in runs]
    table = seedwise_scores(y, runs, thresholds, corrected=corrected, seeds=(0, 1, 2))
    assert list(table.index) == [0, 1, 2] and table.index.name == "seed"
    for k, (p, t) in enumerate(zip(runs, thresholds, strict=True)):
        point = threshold_metrics(y, p, t)
        assert np.isclose(table.loc[k, "pr_auc"], average_precision(y, p))
        assert np.isclose(table.loc[k, "roc_auc"], roc_auc(y, p))
        assert np.isclose(table.loc[k, "recall"], point["recall"])
        assert np.isclose(table.loc[k, "precision"], point["precision"])
        assert np.isclose(table.loc[k, "brier"], brier_score(y, p))
        assert np.isclose(table.loc[k, "brier_corr"], brier_score(y, p / 2))
    assert "brier_corr" not in seedwise_scores(y, runs, thresholds).columns


def test_seedwise_scores_refuses_bad_input():
    y, runs = _runs()
    with pytest.raises(ValueError, match="one probability array per seed"):
        seedwise_scores(y, runs[0], [0.5])
    with pytest.raises(ValueError, match="one threshold"):
        seedwise_scores(y, runs, [0.5])
    with pytest.raises(ValueError, match="seeds names"):
        seedwise_scores(y, runs, [0.5] * 3, seeds=(0, 1))
    with pytest.raises(ValueError, match="scores"):
        seedwise_scores(y, [runs[0][:10]], [0.5])


def test_seed_summary_gives_mean_and_range_and_formats_them():
    scores = {"a": pd.DataFrame({"pr_auc": [0.7, 0.8, 0.9]}),
              "b": pd.DataFrame({"pr_auc": [0.5, 0.5, 0.8]})}
    summary = seed_summary(scores)
    assert list(summary.index) == ["a", "b"]
    assert np.allclose(summary.loc["a", ["pr_auc", "pr_auc_min", "pr_auc_max"]], [0.8, 0.7, 0.9])
    assert np.isclose(summary.loc["b", "pr_auc"], 0.6)
    shown = format_seed_summary(summary, ["pr_auc"], digits={"pr_auc": 2})
    assert shown.loc["a", "pr_auc"] == "0.80 (0.70\u20130.90)"
    with pytest.raises(ValueError, match="lacks the columns"):
        format_seed_summary(summary, ["brier"])
    with pytest.raises(ValueError, match="empty"):
        seed_summary({})
