"""Chapter 7's exercise checks accept right answers and name the usual wrong ones."""

import math

import numpy as np
import pytest

from helpers.calibration import correct_probability
from helpers.checks import CheckFailed
from helpers.checks_comparison import (
    check_noise_verdict,
    check_recall_at_precision,
    check_weight_correction,
)
from helpers.evaluation import (
    Interval,
    choose_threshold,
    paired_bootstrap_difference,
    paired_difference_over_seeds,
    roc_auc,
    threshold_metrics,
)


def _scores(seed, n=4000, rate=0.05, signal=2.0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    p = 1 / (1 + np.exp(-(signal * y + rng.normal(size=n) - 3.5)))
    return y, p


@pytest.fixture
def split():
    y_val, p_val = _scores(1)
    y_test, p_test = _scores(2)
    return y_val, p_val, y_test, p_test


def test_recall_at_precision_accepts_the_right_answer(split, capsys):
    y_val, p_val, y_test, p_test = split
    t = choose_threshold(y_val, p_val, objective="precision", min_precision=0.5)
    r = threshold_metrics(y_test, p_test, t)["recall"]
    check_recall_at_precision(t, r, y_val, p_val, y_test, p_test, target=0.5)
    assert "Correct" in capsys.readouterr().out


def test_recall_at_precision_names_the_mistakes(split):
    y_val, p_val, y_test, p_test = split
    target = 0.5
    t = choose_threshold(y_val, p_val, objective="precision", min_precision=target)
    t_test = choose_threshold(y_test, p_test, objective="precision", min_precision=target)
    assert not math.isclose(t, t_test)
    with pytest.raises(CheckFailed, match="chosen on the test split"):
        check_recall_at_precision(t_test, 0.5, y_val, p_val, y_test, p_test, target=target)
    with pytest.raises(CheckFailed, match="highest"):
        check_recall_at_precision(float(p_val.max()), 0.1, y_val, p_val, y_test, p_test,
                                  target=target)
    with pytest.raises(CheckFailed, match="below the target"):
        check_recall_at_precision(0.0, 1.0, y_val, p_val, y_test, p_test, target=target)
    val_recall = threshold_metrics(y_val, p_val, t)["recall"]
    test_point = threshold_metrics(y_test, p_test, t)
    assert not math.isclose(val_recall, test_point["recall"])
    with pytest.raises(CheckFailed, match="validation split; report"):
        check_recall_at_precision(t, val_recall, y_val, p_val, y_test, p_test, target=target)
    with pytest.raises(CheckFailed, match="precision at your threshold"):
        check_recall_at_precision(t, test_point["precision"], y_val, p_val, y_test, p_test,
                                  target=target)
    with pytest.raises(CheckFailed, match="No answer yet"):
        check_recall_at_precision(None, None, y_val, p_val, y_test, p_test, target=target)


def _pair(seed_b, signal_b):
    y, p_a = _scores(5, signal=2.0)
    rng = np.random.default_rng(seed_b)
    p_b = 1 / (1 + np.exp(-(signal_b * y + rng.normal(size=y.size) - 3.5)))
    return y, p_a, p_b


@pytest.mark.parametrize(("signal_b", "expected"), [(4.0, "better"), (0.5, "worse"),
                                                    (2.0, "no clear difference")])
def test_noise_verdict_accepts_the_right_reading(signal_b, expected, capsys):
    y, p_a, p_b = _pair(6, signal_b)
    diff = paired_bootstrap_difference(y, p_a, p_b, {"roc_auc": roc_auc}, n_resamples=200,
                                       seed=0)["roc_auc"]
    check_noise_verdict(expected, diff, y, p_a, p_b)
    assert "Correct" in capsys.readouterr().out


def test_noise_verdict_names_the_mistakes():
    y, p_a, p_b = _pair(6, 2.0)
    diffs = paired_bootstrap_difference(y, p_a, p_b, {"roc_auc": roc_auc}, n_resamples=200,
                                        seed=0)
    diff = diffs["roc_auc"]
    assert diff.low < 0 < diff.high
    sign = "better" if diff.estimate > 0 else "worse"
    with pytest.raises(CheckFailed, match="sign of the point estimate") as err:
        check_noise_verdict(sign, diff, y, p_a, p_b)
    assert "no clear difference" not in str(err.value)
    with pytest.raises(CheckFailed, match="wrong way round"):
        reverse = paired_bootstrap_difference(y, p_b, p_a, {"roc_auc": roc_auc},
                                              n_resamples=200, seed=0)["roc_auc"]
        check_noise_verdict("no clear difference", reverse, y, p_a, p_b)
    with pytest.raises(CheckFailed, match="whole dict"):
        check_noise_verdict("no clear difference", diffs, y, p_a, p_b)
    with pytest.raises(CheckFailed, match="one of"):
        check_noise_verdict("maybe", diff, y, p_a, p_b)
    with pytest.raises(CheckFailed, match="metric of one technique"):
        value = roc_auc(y, p_b)
        check_noise_verdict("better", Interval(value, value - 0.01, value + 0.01), y, p_a, p_b)
    y2, a2, b2 = _pair(6, 4.0)
    clear = paired_bootstrap_difference(y2, a2, b2, {"roc_auc": roc_auc}, n_resamples=200,
                                        seed=0)["roc_auc"]
    assert clear.low > 0
    with pytest.raises(CheckFailed, match="relative to 0") as err:
        check_noise_verdict("no clear difference", clear, y2, a2, b2)
    assert "better" not in str(err.value)
    with pytest.raises(CheckFailed, match="technique minus baseline") as err:
        check_noise_verdict("worse", clear, y2, a2, b2)
    assert "better" not in str(err.value)
    with pytest.raises(CheckFailed, match="No answer yet"):
        check_noise_verdict(None, None, y, p_a, p_b)


def _seed_pairs(signal_b, n_seeds=3):
    y, _ = _scores(5, signal=2.0)
    runs_a, runs_b = [], []
    for k in range(n_seeds):
        rng = np.random.default_rng(10 + k)
        runs_a.append(1 / (1 + np.exp(-(2.0 * y + rng.normal(size=y.size) - 3.5))))
        runs_b.append(1 / (1 + np.exp(-(signal_b * y + rng.normal(size=y.size) - 3.5))))
    return y, runs_a, runs_b


def test_noise_verdict_over_seeds(capsys):
    y, runs_a, runs_b = _seed_pairs(4.0)
    diff = paired_difference_over_seeds(y, runs_a, runs_b, {"roc_auc": roc_auc},
                                        n_resamples=200, seed=0)["roc_auc"]
    assert diff.low > 0
    check_noise_verdict("better", diff, y, runs_a, runs_b)
    assert "Correct" in capsys.readouterr().out
    one_seed = paired_bootstrap_difference(y, runs_a[1], runs_b[1], {"roc_auc": roc_auc},
                                           n_resamples=200, seed=0)["roc_auc"]
    with pytest.raises(CheckFailed, match="one seed's models"):
        check_noise_verdict("better", one_seed, y, runs_a, runs_b)
    mean_b = float(np.mean([roc_auc(y, p) for p in runs_b]))
    with pytest.raises(CheckFailed, match="metric of one technique"):
        check_noise_verdict("better", Interval(mean_b, mean_b - 0.01, mean_b + 0.01), y,
                            runs_a, runs_b)
    reverse = paired_difference_over_seeds(y, runs_b, runs_a, {"roc_auc": roc_auc},
                                           n_resamples=200, seed=0)["roc_auc"]
    with pytest.raises(CheckFailed, match="wrong way round"):
        check_noise_verdict("worse", reverse, y, runs_a, runs_b)


def test_weight_correction():
    rng = np.random.default_rng(0)
    raw = rng.random(500) * 0.9
    ratio = math.sqrt(578.0)
    weights = {0: 1.0, 1: ratio}
    check_weight_correction(correct_probability(raw, ratio, 1.0), raw, weights,
                            expected_ratio=ratio)
    with pytest.raises(CheckFailed, match="raw probabilities"):
        check_weight_correction(raw, raw, weights, expected_ratio=ratio)
    with pytest.raises(CheckFailed, match="swapped"):
        check_weight_correction(correct_probability(raw, 1.0, ratio), raw, weights,
                                expected_ratio=ratio)
    with pytest.raises(CheckFailed, match="scaled the probabilities"):
        check_weight_correction(raw / ratio, raw, weights, expected_ratio=ratio)
    with pytest.raises(CheckFailed, match="square root"):
        check_weight_correction(raw, raw, {0: 1.0, 1: 578.0}, expected_ratio=ratio)
    with pytest.raises(CheckFailed, match="every test probability"):
        check_weight_correction(raw[:10], raw, weights, expected_ratio=ratio)
    with pytest.raises(CheckFailed, match="dict"):
        check_weight_correction(raw, raw, [1.0, ratio])
    with pytest.raises(CheckFailed, match="No answer yet"):
        check_weight_correction(None, raw, weights)
