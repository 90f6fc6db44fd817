"""Class-weight formulas (chapter 1): laws, the published numbers, errors, fast metrics."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.utils.class_weight import compute_class_weight

from helpers.evaluation import (
    Interval,
    average_precision,
    bootstrap_metrics,
    brier_score,
    comparison_metric_fns,
    comparison_table,
    paired_bootstrap_difference,
    roc_auc,
    threshold_for_recall,
)
from helpers.weights import (
    as_class_weight,
    difference_verdict,
    effective_number,
    effective_number_weights,
    equivalent_threshold,
    mean_sample_weight,
    sample_weights,
    tutorial_class_weights,
    weighted_output_bias,
    weighted_positive_rate,
)

counts_st = st.lists(st.integers(1, 10**6), min_size=2, max_size=6)
beta_st = st.floats(0.0, 0.99999, exclude_max=False)


def _labels(pos, neg):
    return np.r_[np.ones(pos, int), np.zeros(neg, int)]


# ------------------------------------------------------------------ tutorial / balanced

@given(st.integers(1, 2000), st.integers(1, 20000))
def test_tutorial_weights_equal_sklearn_balanced(pos, neg):
    y = _labels(pos, neg)
    cw = tutorial_class_weights(y)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    assert [cw[0], cw[1]] == pytest.approx(list(expected))
    # each class carries half of the total weight, so the mean weight is 1
    assert mean_sample_weight(y, cw) == pytest.approx(1.0)
    assert all(type(k) is int for k in cw)


def test_tutorial_weights_for_the_fraud_counts():
    cw = tutorial_class_weights(_labels(492, 284_807 - 492))
    assert cw[0] == pytest.approx(0.50, abs=0.005)
    assert cw[1] == pytest.approx(289.4, abs=0.05)


def test_tutorial_weights_need_both_classes():
    with pytest.raises(ValueError, match="no positive"):
        tutorial_class_weights(np.zeros(10, int))


# ------------------------------------------------------------------ effective number

def test_published_numbers_for_100_and_7000():
    np.testing.assert_allclose(effective_number_weights([100, 7000], 0.99), [1.224, 0.776],
                               atol=1e-3)
    np.testing.assert_allclose(effective_number_weights([100, 7000], 0.999), [1.826, 0.174],
                               atol=1e-3)


def test_effective_number_formula_and_saturation():
    e = effective_number([1, 100, 10**7], 0.99)
    assert e[0] == pytest.approx(1.0)
    assert e[1] == pytest.approx((1 - 0.99**100) / 0.01)
    assert e[2] == pytest.approx(1 / (1 - 0.99))  # saturates at 1 / (1 - beta)


@given(counts_st, beta_st)
def test_weights_sum_to_number_of_classes(counts, beta):
    w = effective_number_weights(counts, beta)
    assert w.sum() == pytest.approx(len(counts))
    assert np.all(w > 0)


@given(counts_st)
def test_beta_zero_gives_equal_weights(counts):
    np.testing.assert_allclose(effective_number_weights(counts, 0.0), 1.0)


@given(counts_st)
def test_beta_to_one_tends_to_inverse_frequency(counts):
    inverse = 1 / np.asarray(counts, float)
    inverse *= len(counts) / inverse.sum()
    near_one = effective_number_weights(counts, 1 - 1e-12)
    np.testing.assert_allclose(near_one, inverse, rtol=1e-3)


@given(counts_st, beta_st)
def test_rarer_classes_never_get_less_weight(counts, beta):
    w = effective_number_weights(counts, beta)
    order = np.argsort(counts, kind="stable")
    assert np.all(np.diff(w[order]) <= 1e-12 * w.max())


@given(st.integers(1, 500), st.integers(501, 10**5), beta_st, beta_st)
def test_minority_weight_grows_with_beta(n_min, n_maj, b1, b2):
    lo, hi = sorted((b1, b2))
    assert (effective_number_weights([n_min, n_maj], lo)[0]
            <= effective_number_weights([n_min, n_maj], hi)[0] + 1e-12)


@given(counts_st, beta_st, st.randoms(use_true_random=False))
def test_permuting_classes_permutes_weights(counts, beta, rnd):
    perm = list(range(len(counts)))
    rnd.shuffle(perm)
    w = effective_number_weights(counts, beta)
    w_perm = effective_number_weights([counts[i] for i in perm], beta)
    np.testing.assert_allclose(w_perm, w[perm])


@pytest.mark.parametrize(
    ("counts", "beta", "match"),
    [
        ([100, 0], 0.99, "positive integer"),
        ([100, -3], 0.99, "positive integer"),
        ([100.5, 7000], 0.99, "whole numbers"),
        ([100], 0.99, "at least two classes"),
        ([[1, 2], [3, 4]], 0.99, "1-D"),
        (["a", "b"], 0.99, "numbers"),
        ([100, 7000], 1.0, "0 <= beta < 1"),
        ([100, 7000], -0.1, "0 <= beta < 1"),
        ([100, 7000], float("nan"), "0 <= beta < 1"),
        ([100, 7000], "0.9", None),
    ],
)
def test_bad_counts_and_beta(counts, beta, match):
    if match is None:  # a numeric string is a number: accepted
        effective_number_weights(counts, beta)
        return
    with pytest.raises(ValueError, match=match):
        effective_number_weights(counts, beta)


def test_integral_floats_and_numpy_counts_are_accepted():
    np.testing.assert_allclose(effective_number_weights(np.array([100.0, 7000.0]), 0.99),
                               effective_number_weights(np.bincount(_labels(100, 7000))[::-1],
                                                        0.99))


# ------------------------------------------------------------------ keras plumbing

def test_as_class_weight_gives_python_types():
    cw = as_class_weight(np.array([0.5, 289.0], dtype=np.float32))
    assert cw == {0: 0.5, 1: 289.0}
    assert all(type(k) is int and type(v) is float for k, v in cw.items())
    assert as_class_weight({np.int64(1): 2, 0: 1}) == {0: 1.0, 1: 2.0}
    with pytest.raises(ValueError, match="finite"):
        as_class_weight([1.0, -2.0])
    with pytest.raises(ValueError, match="class indices"):
        as_class_weight({"fraud": 2.0})
    with pytest.raises(ValueError, match="no class weights"):
        as_class_weight({})


def test_sample_weights_follow_the_labels():
    y = np.array([0, 1, 1, 0])
    np.testing.assert_array_equal(sample_weights(y, {0: 0.5, 1: 3.0}), [0.5, 3.0, 3.0, 0.5])
    with pytest.raises(ValueError, match="no weight for class"):
        sample_weights(y, {0: 1.0})


@given(st.integers(1, 500), st.integers(1, 5000),
       st.floats(0.01, 100), st.floats(0.01, 100))
def test_weighted_bias_minimises_the_weighted_constant_loss(pos, neg, w0, w1):
    y = _labels(pos, neg)
    cw = {0: w0, 1: w1}
    rate = weighted_positive_rate(y, cw)
    b = weighted_output_bias(y, cw)
    assert 1 / (1 + math.exp(-b)) == pytest.approx(rate)

    def loss(p):
        return -(w1 * pos * math.log(p) + w0 * neg * math.log(1 - p))

    assume(1e-9 < rate < 1 - 1e-9)
    for q in (rate * 0.9, min(rate * 1.1, (1 + rate) / 2)):
        assert loss(rate) <= loss(q) + 1e-9 * abs(loss(rate))


def test_bias_special_cases():
    y = _labels(10, 990)
    assert weighted_output_bias(y) == pytest.approx(math.log(10 / 990))
    assert weighted_output_bias(y, tutorial_class_weights(y)) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="infinite"):
        weighted_output_bias(y, {0: 0.0, 1: 1.0})
    with pytest.raises(ValueError, match="weight 0"):
        weighted_positive_rate(y, {0: 0.0, 1: 0.0})


@given(st.floats(0.01, 100), st.floats(0.01, 100), st.floats(0.01, 0.99))
def test_equivalent_threshold_shifts_the_odds(w0, w1, t):
    t_eq = equivalent_threshold({0: w0, 1: w1}, t)
    odds = t_eq / (1 - t_eq)
    assert odds == pytest.approx(t / (1 - t) * w0 / w1, rel=1e-6)


def test_equivalent_threshold_of_balanced_weights_is_the_base_rate():
    y = _labels(50, 9950)
    assert equivalent_threshold(tutorial_class_weights(y)) == pytest.approx(0.005)
    with pytest.raises(ValueError, match="positive"):
        equivalent_threshold({0: 0.0, 1: 1.0})
    with pytest.raises(ValueError, match="strictly between"):
        equivalent_threshold({0: 1.0, 1: 1.0}, 1.0)


# ------------------------------------------------------------------ fast metrics

scores_st = st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 1.0]),
                     min_size=4, max_size=60)


@settings(max_examples=60)
@given(scores_st, st.integers(0, 2**32 - 1))
def test_fast_metrics_equal_sklearn_with_ties(scores, seed):
    p = np.array(scores)
    y = np.random.default_rng(seed).integers(0, 2, p.size)
    assume(0 < y.sum() < y.size)
    assert average_precision(y, p) == pytest.approx(average_precision_score(y, p))
    assert roc_auc(y, p) == pytest.approx(roc_auc_score(y, p))
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p))


def test_comparison_fns_at_thresholds():
    y = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0.1, 0.6, 0.7, 0.4, 0.9, 0.2])
    fns = comparison_metric_fns({"05": 0.5, "low": 0.3})
    assert set(fns) == {"pr_auc", "roc_auc", "brier", "precision_05", "recall_05",
                        "precision_low", "recall_low"}
    assert fns["precision_05"](y, p) == pytest.approx(2 / 3)
    assert fns["recall_low"](y, p) == pytest.approx(1.0)
    assert fns["precision_05"](y, np.zeros(6)) == 0.0
    with pytest.raises(ValueError, match="probability"):
        comparison_metric_fns({"bad": 1.5})


def test_fns_plug_into_bootstrap_metrics():
    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.03).astype(int)
    p = np.clip(0.03 + 0.5 * y * rng.random(3000) + 0.1 * rng.random(3000), 0, 1)
    out = bootstrap_metrics(y, p, comparison_metric_fns({"05": 0.5}), n_resamples=60)
    assert out["pr_auc"].estimate == pytest.approx(average_precision_score(y, p))
    assert out["pr_auc"].low <= out["pr_auc"].estimate <= out["pr_auc"].high


def test_paired_difference():
    rng = np.random.default_rng(1)
    y = (rng.random(4000) < 0.05).astype(int)
    p = np.clip(0.05 + 0.4 * y * rng.random(4000) + 0.2 * rng.random(4000), 0, 1)
    same = paired_bootstrap_difference(y, p, p, {"pr_auc": average_precision}, n_resamples=50)
    assert same["pr_auc"].low == same["pr_auc"].high == 0.0
    # a monotone transform keeps the ranking: no difference in PR-AUC, but a Brier change
    shifted = paired_bootstrap_difference(y, p, p**3, {"pr_auc": average_precision,
                                                       "brier": brier_score}, n_resamples=50)
    assert shifted["pr_auc"].estimate == pytest.approx(0.0, abs=1e-12)
    assert shifted["brier"].estimate != 0.0
    better = paired_bootstrap_difference(y, rng.random(4000), p, {"pr_auc": average_precision},
                                         n_resamples=100)
    assert better["pr_auc"].low > 0
    with pytest.raises(ValueError, match="same examples"):
        paired_bootstrap_difference(y, p, p[:-1], {"pr_auc": average_precision})
    with pytest.raises(ValueError, match="at least 50"):
        paired_bootstrap_difference(y, p, p, {"pr_auc": average_precision}, n_resamples=10)


def test_threshold_for_recall():
    y = np.array([1, 1, 1, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.3, 0.2, 0.5, 0.1])
    assert threshold_for_recall(y, p, 0.5) == 0.8
    assert threshold_for_recall(y, p, 0.75) == 0.3
    assert threshold_for_recall(y, p, 1.0) == 0.2
    assert threshold_for_recall(y, p, 0.6) == 0.3
    with pytest.raises(ValueError, match="target_recall"):
        threshold_for_recall(y, p, 0.0)


@given(st.lists(st.floats(0, 1), min_size=3, max_size=40), st.floats(0.01, 1.0))
def test_threshold_for_recall_reaches_the_target(scores, target):
    p = np.array(scores)
    y = (np.arange(p.size) % 3 == 0).astype(int)
    t = threshold_for_recall(y, p, target)
    recall = (p[y == 1] >= t).mean()
    assert recall >= target - 1e-9


def test_comparison_table_layout_and_values():
    from helpers.evaluation import format_intervals

    rng = np.random.default_rng(2)
    y = (rng.random(3000) < 0.03).astype(int)
    p = np.clip(0.03 + 0.5 * y * rng.random(3000) + 0.1 * rng.random(3000), 0, 1)
    table = comparison_table(y, {"a": p, "b": p**2}, {"a": 0.3, "b": 0.1}, n_resamples=60)
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "pr_auc"] == pytest.approx(average_precision_score(y, p))
    assert table.loc["b", "threshold"] == 0.1
    assert table.loc["a", "recall_val"] == pytest.approx(float((p[y == 1] >= 0.3).mean()))
    shown = format_intervals(table, ["pr_auc", "precision_05", "recall_val"])
    assert shown.shape == (2, 3)
    with pytest.raises(ValueError, match="no threshold"):
        comparison_table(y, {"a": p}, {})


def test_difference_verdict_names_each_side():
    lower, none, higher = Interval(-0.1, -0.2, -0.01), Interval(0.0, -0.1, 0.1), \
        Interval(0.1, 0.01, 0.2)
    text = difference_verdict({"balanced": lower, "beta = 0.999": lower, "beta = 0.9999": none})
    assert text.startswith("The PR-AUC of the balanced and beta = 0.999 models is measurably "
                           "lower than that of the unweighted model")
    assert text.endswith("for the beta = 0.9999 model the interval contains zero")
    text = difference_verdict({"a": higher}, metric="ROC-AUC", baseline="the baseline")
    assert text == ("The ROC-AUC of the a model is measurably higher than that of the baseline "
                    "(the whole interval of the difference lies above zero)")
    assert difference_verdict({"a": none, "b": none}).startswith("Every interval")


def test_difference_verdict_refuses_bad_input():
    with pytest.raises(ValueError, match="empty"):
        difference_verdict({})
    with pytest.raises(ValueError, match="low"):
        difference_verdict({"a": Interval(0.0, 0.1, -0.1)})
