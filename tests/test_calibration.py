"""The prior correction of chapter 6: properties, library agreement, errors and edge cases."""

import functools
import math
import warnings

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, logit
from sklearn.metrics import brier_score_loss, log_loss

from helpers.calibration import (
    FrozenProbabilityClassifier,
    calibration_metric_fns,
    calibration_metrics,
    calibration_table,
    correct_logit,
    correct_probability,
    correct_undersampling,
    cost_metric,
    cost_threshold,
    count_verdicts,
    difference_table,
    difference_verdict,
    expected_cost,
    keras_pr_auc,
    logit_adjustment,
    platt_line,
    prior_shift,
    rare_event_reliability,
    rates_from_class_weight,
    rates_from_resampling,
    sampling_transform,
)
from helpers.plots import plot_rare_event_reliability

matplotlib.use("Agg")

probabilities = st.floats(0.0, 1.0, allow_nan=False)
interior = st.floats(1e-9, 1 - 1e-9)
rates = st.floats(1e-4, 1e4)


# --- properties the issue asks for ---------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(p=probabilities, alpha=rates, beta=rates)
def test_correction_inverts_the_sampling_transform(p, alpha, beta):
    # A probability pushed next to 1 (or 0) keeps only the absolute precision of a float
    # there, and undoing the push multiplies that error by the rate ratio: the round trip
    # is exact up to a few ulps times max(alpha/beta, beta/alpha).
    tol = 4e-16 * max(alpha / beta, beta / alpha)
    back = correct_probability(sampling_transform(p, alpha, beta), alpha, beta)
    assert math.isclose(back, p, rel_tol=1e-12, abs_tol=tol)
    again = sampling_transform(correct_probability(p, alpha, beta), alpha, beta)
    assert math.isclose(again, p, rel_tol=1e-12, abs_tol=tol)


@settings(max_examples=300, deadline=None)
@given(a=probabilities, b=probabilities, alpha=rates, beta=rates)
def test_correction_is_monotone(a, b, alpha, beta):
    lo, hi = min(a, b), max(a, b)
    assert correct_probability(lo, alpha, beta) <= correct_probability(hi, alpha, beta)
    assert sampling_transform(lo, alpha, beta) <= sampling_transform(hi, alpha, beta)


@settings(max_examples=200, deadline=None)
@given(p=probabilities, rate=rates)
def test_equal_rates_change_nothing(p, rate):
    assert math.isclose(correct_probability(p, rate, rate), p, rel_tol=1e-15, abs_tol=0.0)
    assert math.isclose(sampling_transform(p, rate, rate), p, rel_tol=1e-15, abs_tol=0.0)


@settings(max_examples=300, deadline=None)
@given(p_s=interior, alpha=rates, beta=rates)
def test_correction_is_a_logit_shift_by_log_beta_over_alpha(p_s, alpha, beta):
    shifted = logit(p_s) + math.log(beta / alpha)
    corrected = correct_probability(p_s, alpha, beta)
    assert math.isclose(corrected, expit(shifted), rel_tol=1e-9, abs_tol=1e-15)
    assert math.isclose(correct_logit(logit(p_s), alpha, beta), shifted, rel_tol=1e-12,
                        abs_tol=1e-12)
    if 1e-12 < corrected < 1 - 1e-9:  # logit is well conditioned away from 0 and 1
        assert math.isclose(logit(corrected), shifted, rel_tol=1e-6, abs_tol=1e-6)


@settings(max_examples=100, deadline=None)
@given(p_s=probabilities, w=st.floats(1e-6, 1.0))
def test_undersampling_is_the_alpha_one_beta_w_case(p_s, w):
    expected = p_s / (p_s + (1 - p_s) / w)
    assert math.isclose(correct_undersampling(p_s, w), expected, rel_tol=1e-12, abs_tol=1e-300)
    assert correct_undersampling(p_s, w) == correct_probability(p_s, 1.0, w)


# --- values, shapes and edge cases ---------------------------------------------------

def test_known_values():
    # balanced undersampling with w = 0.01: a raw 0.5 is a true 1/101
    assert correct_undersampling(0.5, 0.01) == pytest.approx(1 / 101)
    assert sampling_transform(1 / 101, 1.0, 0.01) == pytest.approx(0.5)
    assert prior_shift(1.0, 0.01) == pytest.approx(math.log(0.01))
    # only the ratio matters
    assert correct_probability(0.3, 2.0, 4.0) == pytest.approx(correct_probability(0.3, 1, 2))


def test_zero_and_one_are_fixed_points_without_warnings():
    p = np.array([0.0, 1.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (correct_probability, sampling_transform):
            out = fn(p, 1e-4, 1e4)
            assert out[0] == 0.0 and out[1] == 1.0
            assert np.isfinite(out).all()
        z = correct_logit(np.array([-np.inf, np.inf, 0.0]), 1.0, 0.01)
        assert z[0] == -np.inf and z[1] == np.inf and z[2] == pytest.approx(math.log(0.01))


def test_scalars_stay_scalars_and_shapes_are_kept():
    assert isinstance(correct_probability(0.2, 1, 0.5), float)
    assert isinstance(correct_logit(0.2, 1, 0.5), float)
    grid = np.linspace(0, 1, 12).reshape(3, 4)
    assert correct_probability(grid, 1, 0.5).shape == (3, 4)
    assert correct_probability([0.1, 0.2], 1, 0.5).shape == (2,)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), "x", None])
def test_rates_must_be_positive_and_finite(bad):
    with pytest.raises(ValueError, match="alpha"):
        correct_probability(0.5, bad, 1.0)
    with pytest.raises(ValueError, match="beta"):
        sampling_transform(0.5, 1.0, bad)


def test_extreme_rate_ratio_is_refused():
    with pytest.raises(ValueError, match="too extreme"):
        correct_probability(0.5, 1e-200, 1e200)


def test_keep_rate_range_and_hints():
    with pytest.raises(ValueError, match="percentage"):
        correct_undersampling(0.5, 10)
    with pytest.raises(ValueError, match="replicated"):
        correct_undersampling(0.5, 500)
    with pytest.raises(ValueError, match="keep_rate"):
        correct_undersampling(0.5, 0.0)
    assert correct_undersampling(0.3, 1.0) == pytest.approx(0.3)


@pytest.mark.parametrize("bad", [[-0.1, 0.5], [0.5, 1.2], 3.0])
def test_probabilities_outside_unit_interval_are_refused(bad):
    with pytest.raises(ValueError, match=r"\[0, 1\].*logits"):
        correct_probability(bad, 1.0, 0.5)


def test_nan_and_empty_inputs_are_refused():
    with pytest.raises(ValueError, match="NaN"):
        correct_probability([0.1, float("nan")], 1.0, 0.5)
    with pytest.raises(ValueError, match="empty"):
        correct_probability([], 1.0, 0.5)
    with pytest.raises(ValueError, match="NaN"):
        correct_logit([0.0, float("nan")], 1.0, 0.5)


# --- rates from resampling and weights -------------------------------------------------

def test_rates_from_resampling_under_and_over():
    y = np.r_[np.ones(10, int), np.zeros(990, int)]
    under = np.r_[np.ones(10, int), np.zeros(10, int)]
    assert rates_from_resampling(y, under) == pytest.approx((1.0, 10 / 990))
    over = np.r_[np.ones(990, int), np.zeros(990, int)]
    assert rates_from_resampling(y, over) == pytest.approx((99.0, 1.0))
    with pytest.raises(ValueError, match="both classes"):
        rates_from_resampling(y, np.zeros(5, int))


def test_rates_from_class_weight():
    assert rates_from_class_weight({0: 0.5, 1: 289.0}) == (289.0, 0.5)
    with pytest.raises(ValueError, match="keys 0 and 1"):
        rates_from_class_weight({"0": 1, "1": 2})
    with pytest.raises(ValueError, match="class_weight\\[1\\]"):
        rates_from_class_weight({0: 1.0, 1: -2.0})


def test_class_weights_act_like_replication_at_the_optimum():
    """The minimiser of weighted cross-entropy is the sampling transform with (w1, w0)."""
    from scipy.optimize import minimize_scalar

    p, w0, w1 = 0.01, 0.5, 50.0
    loss = lambda q: -(w1 * p * math.log(q) + w0 * (1 - p) * math.log(1 - q))  # noqa: E731
    q_star = minimize_scalar(loss, bounds=(1e-9, 1 - 1e-9), method="bounded",
                             options={"xatol": 1e-12}).x
    assert q_star == pytest.approx(sampling_transform(p, w1, w0), rel=1e-5)
    assert correct_probability(q_star, *rates_from_class_weight({0: w0, 1: w1})) == pytest.approx(
        p, rel=1e-5)


# --- costs ------------------------------------------------------------------------------

def test_cost_threshold_and_expected_cost():
    assert cost_threshold(1, 1) == 0.5
    assert cost_threshold(1, 50) == pytest.approx(1 / 51)
    with pytest.raises(ValueError, match="cost_fn"):
        cost_threshold(1, 0)
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.6, 0.4, 0.9])
    # at 0.5: one false positive (0.6) and one false negative (0.4)
    assert expected_cost(y, p, 0.5, 1, 10) == pytest.approx((1 + 10) / 4)
    assert expected_cost(y, p, 0.0, 1, 10) == pytest.approx(2 / 4)
    with pytest.raises(ValueError, match="threshold"):
        expected_cost(y, p, 1.5, 1, 10)


@settings(max_examples=50, deadline=None)
@given(p=interior, ratio=st.floats(0.01, 100))
def test_cost_threshold_is_where_flagging_and_passing_cost_the_same(p, ratio):
    t = cost_threshold(1.0, ratio)
    flag, keep = (1 - p) * 1.0, p * ratio  # expected costs of flagging / not flagging
    if p > t * (1 + 1e-9):
        assert flag < keep
    elif p < t * (1 - 1e-9):
        assert flag > keep


# --- multi-class ---------------------------------------------------------------------------

def test_logit_adjustment_binary_case_is_the_prior_correction():
    p_s = np.array([0.01, 0.3, 0.5, 0.97])
    pi_train, pi_true = np.array([0.5, 0.5]), np.array([0.99, 0.01])
    two = np.column_stack([np.log1p(-p_s), np.log(p_s)])  # log-probabilities are logits
    adjusted = logit_adjustment(two, pi_train / pi_true)
    p = np.exp(adjusted[:, 1]) / np.exp(adjusted).sum(axis=1)
    # the class-1 prior went from 0.5 to 0.01: alpha/beta = (0.5/0.01)/(0.5/0.99)
    alpha, beta = 0.5 / 0.01, 0.5 / 0.99
    assert np.allclose(p, correct_probability(p_s, alpha, beta))


def test_logit_adjustment_tau_and_errors():
    z = np.zeros((2, 3))
    pi = np.array([0.7, 0.2, 0.1])
    assert np.allclose(logit_adjustment(z, pi, tau=0.0), z)
    assert np.allclose(logit_adjustment(z, pi)[0], -np.log(pi))
    with pytest.raises(ValueError, match="one value per class"):
        logit_adjustment(z, pi[:2])
    with pytest.raises(ValueError, match="positive"):
        logit_adjustment(z, [0.5, 0.5, 0.0])
    with pytest.raises(ValueError, match="n_classes"):
        logit_adjustment(np.zeros(3), pi)
    with pytest.raises(ValueError, match="tau"):
        logit_adjustment(z, pi, tau=-1)


# --- metrics and reliability --------------------------------------------------------------

def _scored(seed=0, n=20_000, rate=0.01):
    rng = np.random.default_rng(seed)
    p = np.clip(rng.beta(0.3, 30, n), 0, 1)
    y = (rng.random(n) < p).astype(int)
    y[:2] = [1, 0]
    return y, p


def test_metric_fns_match_scikit_learn():
    y, p = _scored()
    p = p.copy()
    p[y == 1][:1] = 0.0  # a confident mistake: sklearn clips it, so must we
    fns = calibration_metric_fns()
    assert fns["brier"](y, p) == pytest.approx(brier_score_loss(y, p), rel=1e-12)
    assert fns["log_loss"](y, p) == pytest.approx(log_loss(y, p), rel=1e-9)
    m = calibration_metrics(y, p)
    assert m["mean_over_rate"] == pytest.approx(p.mean() / y.mean())
    with pytest.raises(ValueError, match="no positives"):
        calibration_metrics(np.zeros(4, int), np.full(4, 0.1))


def test_calibration_table_rows_and_intervals():
    from helpers.evaluation import format_intervals

    y, p = _scored()
    table = calibration_table(y, {"calibrated": p, "inflated": sampling_transform(p, 1, 0.05)},
                              n_resamples=60, seed=1)
    assert list(table.index) == ["calibrated", "inflated"]
    assert table.loc["calibrated", "pr_auc"] == pytest.approx(table.loc["inflated", "pr_auc"])
    assert table.loc["inflated", "brier_low"] > table.loc["calibrated", "brier_high"]
    for metric in ("brier", "log_loss", "mean_over_rate"):
        assert (table[f"{metric}_low"] <= table[metric]).all()
        assert (table[metric] <= table[f"{metric}_high"]).all()
    shown = format_intervals(table, ["brier", "mean_over_rate"])
    assert shown.shape == (2, 2) and "[" in shown.iloc[0, 0]


def test_calibration_table_matches_the_bootstrap_of_helpers_evaluation():
    from helpers.evaluation import bootstrap_metrics

    y, p = _scored()
    table = calibration_table(y, {"one run": p}, n_resamples=80, seed=3)
    intervals = bootstrap_metrics(y, p, calibration_metric_fns(), n_resamples=80, seed=3)
    for name, interval in intervals.items():
        assert table.loc["one run", name] == pytest.approx(interval.estimate, rel=1e-12)
        assert table.loc["one run", f"{name}_low"] == pytest.approx(interval.low, rel=1e-9)
        assert table.loc["one run", f"{name}_high"] == pytest.approx(interval.high, rel=1e-9)


def test_calibration_table_averages_over_seeds():
    from helpers.evaluation import average_precision, paired_difference_over_seeds

    y, p = _scored()
    runs = [p, sampling_transform(p, 1, 0.5), sampling_transform(p, 1, 2.0)]
    table = calibration_table(y, {"seeds": runs, "first": runs[0], "one": [runs[0]]},
                              n_resamples=60, seed=1)
    fns = calibration_metric_fns()
    for name, fn in fns.items():
        assert table.loc["seeds", name] == pytest.approx(np.mean([fn(y, q) for q in runs]))
        assert table.loc["first", name] == table.loc["one", name]
    assert table.loc["seeds", "pr_auc"] == pytest.approx(
        np.mean([average_precision(y, q) for q in runs]))
    # the same seed average as paired_difference_over_seeds (against a model scoring 0)
    zero = [np.zeros_like(p)] * 3
    diff = paired_difference_over_seeds(y, zero, runs, {"brier": fns["brier"]},
                                        n_resamples=60, seed=1)
    squared = [(y - q) ** 2 - y for q in runs]  # Brier(q) - Brier(0), row by row
    assert diff["brier"].estimate == pytest.approx(np.mean(squared))
    with pytest.raises(ValueError, match="empty list"):
        calibration_table(y, {"none": []}, n_resamples=60)


def test_weighted_forms_equal_the_metrics_on_resampled_rows():
    from helpers.evaluation import paired_difference_over_seeds

    y, p = _scored()
    q = sampling_transform(p, 1, 0.2)
    fast = {**calibration_metric_fns(), "cost": cost_metric(0.02, 1, 50, per=1000)}
    slow = {name: functools.partial(fn) for name, fn in fast.items()}  # no weighted form
    a = paired_difference_over_seeds(y, [p], [q, p], fast, n_resamples=60, seed=2)
    b = paired_difference_over_seeds(y, [p], [q, p], slow, n_resamples=60, seed=2)
    for name in fast:
        assert a[name].low == pytest.approx(b[name].low, rel=1e-9, abs=1e-12)
        assert a[name].high == pytest.approx(b[name].high, rel=1e-9, abs=1e-12)


def test_cost_metric_is_expected_cost():
    y, p = _scored()
    for t in (0.0, 0.01, 0.5, 1.0):
        assert cost_metric(t, 1, 50)(y, p) == pytest.approx(expected_cost(y, p, t, 1, 50))
        assert cost_metric(t, 2, 5, per=1000)(y, p) == pytest.approx(
            1000 * expected_cost(y, p, t, 2, 5))
    with pytest.raises(ValueError, match="threshold"):
        cost_metric(1.5, 1, 50)
    with pytest.raises(ValueError, match="cost_fn"):
        cost_metric(0.5, 1, 0)


def test_difference_verdict():
    from helpers.evaluation import Interval

    assert difference_verdict(Interval(-0.2, -0.3, -0.1)) == "measurably lower"
    assert difference_verdict(Interval(0.2, 0.1, 0.3), higher="worse") == "measurably worse"
    assert difference_verdict(Interval(0.0, -0.1, 0.1), tie="a tie") == "a tie"
    assert difference_verdict(Interval(0.1, 0.0, 0.2)) == "no clear difference"


def test_count_verdicts():
    from helpers.evaluation import Interval

    below, above, across = Interval(-2, -3, -1), Interval(2, 1, 3), Interval(0, -1, 1)
    assert count_verdicts([across] * 3, "Platt's") == (
        "within the noise of Platt's for all 3 models")
    assert count_verdicts([below] * 3, "Platt's") == "measurably lower than Platt's for all 3 models"
    assert count_verdicts([below, above, across], "X") == (
        "measurably lower than X for 1 of the 3 models, measurably higher for 1, "
        "within the noise for 1")
    assert count_verdicts([above, above, across], "X", unit="seeds") == (
        "measurably higher than X for 2 of the 3 seeds, within the noise for 1")
    with pytest.raises(ValueError, match="empty"):
        count_verdicts([], "X")


def test_keras_pr_auc_is_the_logged_prc_metric():
    import keras

    from helpers.evaluation import average_precision

    y, p = _scored()
    metric = keras.metrics.AUC(curve="PR")
    metric.update_state(y[: y.size // 2], p[: y.size // 2])  # Keras accumulates batches
    metric.update_state(y[y.size // 2:], p[y.size // 2:])
    assert keras_pr_auc(y, p) == pytest.approx(float(metric.result()), rel=1e-6)
    assert keras_pr_auc(y, p) == pytest.approx(average_precision(y, p), abs=0.05)


def test_difference_table():
    from helpers.evaluation import Interval

    table = difference_table({"b - a": {"brier": Interval(-0.001, -0.002, 0.0005),
                                        "cost": Interval(2.0, 1.0, 3.0)}},
                             digits={"brier": 4, "cost": 1})
    assert table.loc["b - a", "brier"] == "-0.0010 [-0.0020, +0.0005]"
    assert table.loc["b - a", "cost"] == "+2.0 [+1.0, +3.0]"
    ragged = difference_table({"x": {"brier": Interval(0, -1, 1)}, "y": {"cost": Interval(0, -1, 1)}})
    assert ragged.loc["x", "cost"] == ""


def test_log_loss_clips_zero_for_a_positive_like_scikit_learn():
    y, p = np.array([1, 0, 0]), np.array([0.0, 0.1, 0.2])
    assert calibration_metric_fns()["log_loss"](y, p) == pytest.approx(log_loss(y, p))


def test_rare_event_bins_share_the_predicted_mass():
    y, p = _scored()
    table = rare_event_reliability(y, p, n_bins=5)
    assert table["n"].sum() == y.size and table["positives"].sum() == y.sum()
    mass = table["n"] * table["mean_predicted"]
    assert mass.max() < 1.5 * mass.sum() / 5  # no bin holds much more than its share
    assert (table["observed_low"] <= table["observed"]).all()
    assert (table["observed"] <= table["observed_high"]).all()
    with pytest.raises(ValueError, match="n_bins"):
        rare_event_reliability(y, p, n_bins=1)
    with pytest.raises(ValueError, match="predicted mass"):
        rare_event_reliability([0, 1], [0.0, 0.0])


def test_rare_event_plot_has_labels_and_legend():
    import matplotlib.pyplot as plt

    y, p = _scored()
    ax = plot_rare_event_reliability(y, {"calibrated": p, "inflated": sampling_transform(p, 1, 0.01)})
    assert "log scale" in ax.get_xlabel() and ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"calibrated", "inflated", "perfect calibration"} <= set(labels)
    plt.close("all")


# --- the scikit-learn adaptor ---------------------------------------------------------------

class _FakeModel:
    """Stands in for a Keras model: predict returns (n, 1) probabilities."""

    def predict(self, x, batch_size=None, verbose=0):
        return expit(np.asarray(x, dtype=np.float64)[:, :1] * 3 - 2)


def test_frozen_adaptor_works_with_calibrated_classifier_cv():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 2))
    y = (rng.random(3000) < expit(x[:, 0] * 1.5 - 3)).astype(int)
    adaptor = FrozenProbabilityClassifier(_FakeModel())
    assert adaptor.classes_.tolist() == [0, 1]
    assert np.allclose(adaptor.predict_proba(x).sum(axis=1), 1)
    assert np.allclose(expit(adaptor.decision_function(x)), adaptor.predict_proba(x)[:, 1])
    for method in ("sigmoid", "isotonic"):
        cal = CalibratedClassifierCV(FrozenEstimator(adaptor), method=method).fit(x, y)
        p = cal.predict_proba(x)[:, 1]
        assert abs(p.mean() - y.mean()) < 0.01
    with pytest.raises(ValueError, match="trained model"):
        FrozenProbabilityClassifier().predict_proba(x)


def test_platt_line_reads_the_fitted_map():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    rng = np.random.default_rng(1)
    x = rng.normal(size=(4000, 2))
    y = (rng.random(4000) < expit(x[:, 0] * 2 - 3)).astype(int)
    adaptor = FrozenProbabilityClassifier(_FakeModel())
    platt = CalibratedClassifierCV(FrozenEstimator(adaptor), method="sigmoid").fit(x, y)
    a, b = platt_line(platt)
    z = adaptor.decision_function(x)
    assert np.allclose(logit(platt.predict_proba(x)[:, 1]), a * z + b)
    assert 0.4 < a < 0.9  # the fake model's logit is 3 x - 2, the truth 2 x - 3
    iso = CalibratedClassifierCV(FrozenEstimator(adaptor), method="isotonic").fit(x, y)
    with pytest.raises(ValueError, match="method='sigmoid'"):
        platt_line(iso)


class _SaturatedModel:
    """float32 outputs at and next to 0 and 1, as a confident Keras sigmoid gives them."""

    def predict(self, x, batch_size=None, verbose=0):
        one = np.float32(1.0)
        values = [0.0, 1e-40, 1e-20, 0.5, np.nextafter(one, np.float32(0)), one]
        return np.array(values, dtype=np.float32)[:, None]


def test_frozen_logits_are_finite_and_keep_distinct_outputs_apart():
    z = FrozenProbabilityClassifier(_SaturatedModel()).decision_function(np.zeros((6, 1)))
    assert np.isfinite(z).all()
    assert (np.diff(z) > 0).all(), "no two distinct float32 outputs share a logit"
