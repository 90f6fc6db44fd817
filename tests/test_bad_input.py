"""Bad input to the public helpers raises a clear ValueError/TypeError from helpers (issue 17).

Each property draws a kind of bad input and checks that the call fails *in helpers*, with a
message naming the argument, before any training starts: never an error from inside
NumPy, pandas or Keras, and never a silent result.
"""

import traceback

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.colab import install_missing, missing_packages
from helpers.data import load_creditcard, make_creditcard_surrogate
from helpers.evaluation import (
    bootstrap_metrics,
    comparison_metric_fns,
    ranking_metrics,
    threshold_metrics,
)
from helpers.models import build_mlp
from helpers.preprocessing import prepare_fraud_splits
from helpers.training import train_classifier

FAST = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _raises_from_helpers(call, *names):
    """Run ``call``; it must raise ValueError/TypeError from helpers/ naming one of ``names``."""
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    last = traceback.extract_tb(info.value.__traceback__)[-1]
    assert "/helpers/" in last.filename, f"raised inside {last.filename}, not by helpers"
    message = str(info.value)
    assert any(n in message for n in names), f"{message!r} names none of {names}"
    return message


# ---------------------------------------------------------------- labels and probabilities

bad_label_sets = st.sampled_from([
    np.array([1, 2, 1, 2]), np.array([0.5, 0.0, 1.0, 0.0]), np.array([-1, 0, 1, 0]),
    np.array(["0", "1", "0", "1"]), np.array([0, 1, None, 0], dtype=object),
    np.array([0.0, 1.0, np.nan, 0.0]), np.array([[0, 1], [1, 0], [0, 1], [1, 0]]),
])


@FAST
@given(bad_label_sets, st.sampled_from([threshold_metrics, ranking_metrics]))
def test_bad_labels_are_named(y, fn):
    p = np.array([0.1, 0.9, 0.2, 0.8])
    _raises_from_helpers(lambda: fn(y, p), "y_true")


@FAST
@given(st.sampled_from([
    np.array(["0.1", "0.9", "0.2", "0.8"]), np.array([0.1, None, 0.2, 0.8], dtype=object),
    np.array([0.1, np.nan, 0.2, 0.8]), np.array([0.1, np.inf, 0.2, 0.8]),
    np.array([-0.5, 0.9, 0.2, 1.5]), np.array([0.1, 0.9, 0.2]),
]))
def test_bad_probabilities_are_named(p):
    y = np.array([0, 1, 0, 1])
    _raises_from_helpers(lambda: threshold_metrics(y, p), "y_prob", "Lengths differ")


@FAST
@given(st.one_of(st.floats(allow_nan=True), st.text(max_size=3), st.integers(-5, 49)))
def test_bad_bootstrap_settings_are_named(n_resamples):
    y = np.r_[np.zeros(50, int), np.ones(10, int)]
    p = np.linspace(0, 1, 60)
    fns = comparison_metric_fns({"t": 0.5})
    _raises_from_helpers(lambda: bootstrap_metrics(y, p, fns, n_resamples=n_resamples),
                         "n_resamples")


@FAST
@given(st.one_of(st.floats(allow_nan=True).filter(lambda t: not 0 <= t <= 1),
                 st.just("0.5"), st.just(None)))
def test_bad_thresholds_are_named(t):
    _raises_from_helpers(lambda: threshold_metrics([0, 1], [0.2, 0.8], t), "threshold")


# ------------------------------------------------------------------------- training

@pytest.fixture(scope="module")
def model():
    return build_mlp(3)


def _xy(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = np.r_[np.ones(5, int), np.zeros(n - 5, int)]
    return x, y


@FAST
@given(st.sampled_from(["labels 1/2", "labels 0.5", "one class", "nan", "inf", "lengths",
                        "text labels"]),
       st.sampled_from(["train", "val"]))
def test_train_classifier_refuses_bad_data_before_fitting(model, kind, which):
    x, y = _xy()
    if kind == "labels 1/2":
        y = y + 1
    elif kind == "labels 0.5":
        y = np.where(y == 1, 0.5, 0.0)
    elif kind == "one class":
        y = np.zeros_like(y)
    elif kind == "nan":
        x = x.copy()
        x[3, 1] = np.nan
    elif kind == "inf":
        x = x.copy()
        x[7, 0] = -np.inf
    elif kind == "lengths":
        y = y[:-10]
    elif kind == "text labels":
        y = y.astype(str)
    good_x, good_y = _xy(seed=1)
    args = (x, y, good_x, good_y) if which == "train" else (good_x, good_y, x, y)
    before = [w.copy() for w in model.get_weights()]
    _raises_from_helpers(lambda: train_classifier(model, *args, epochs=1, print_every=1),
                         f"x_{which}", f"y_{which}")
    for w0, w1 in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)  # nothing was trained


@pytest.mark.parametrize("kwargs, name", [
    ({"learning_rate": -1}, "learning_rate"), ({"learning_rate": float("nan")}, "learning_rate"),
    ({"learning_rate": "1e-3"}, "learning_rate"), ({"output_bias": "-6"}, "output_bias"),
    ({"output_bias": float("inf")}, "output_bias"), ({"hidden_units": 0}, "hidden_units"),
])
def test_build_mlp_names_the_bad_argument(kwargs, name):
    _raises_from_helpers(lambda: build_mlp(3, **kwargs), name)


@pytest.mark.parametrize("n", [2.5, "30", 0, True])
def test_build_mlp_needs_a_whole_number_of_features(n):
    _raises_from_helpers(lambda: build_mlp(n), "n_features")


# --------------------------------------------------------------------- preparation

@pytest.fixture(scope="module")
def frame():
    return make_creditcard_surrogate(seed=3, n_rows=3000, n_positive=60)


@FAST
@given(st.sampled_from(["V1", "Amount", "V17", "Time"]), st.sampled_from([np.nan, np.inf]),
       st.integers(0, 2999))
def test_prepare_names_the_columns_with_missing_values(frame, column, value, row):
    bad = frame.copy()
    bad.loc[row, column] = value
    message = _raises_from_helpers(lambda: prepare_fraud_splits(bad), column)
    assert "NaN or infinite" in message


@pytest.mark.parametrize("clip", [float("nan"), 0, -1, float("inf"), "5"])
def test_prepare_refuses_a_bad_clip(frame, clip):
    _raises_from_helpers(lambda: prepare_fraud_splits(frame, clip=clip), "clip")


def test_prepare_refuses_text_columns(frame):
    bad = frame.assign(V2=frame["V2"].astype(str))
    _raises_from_helpers(lambda: prepare_fraud_splits(bad), "V2")


# ------------------------------------------------------------------- loading, Colab

@pytest.mark.parametrize("timeout", [-1, 0, float("nan"), "30"])
def test_load_creditcard_names_a_bad_timeout(tmp_path, timeout):
    _raises_from_helpers(lambda: load_creditcard("auto", cache_dir=tmp_path, timeout=timeout),
                         "timeout")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("requirement", ["tensorflow==2.15.0", "tensorflow_cpu", "Keras>=3",
                                         "TensorFlow", "tf_keras", "keras[all]"])
def test_install_missing_never_installs_tensorflow_or_keras(requirement):
    _raises_from_helpers(lambda: install_missing({"x": requirement}, dry_run=True),
                         "refusing to install")


def test_missing_packages_accepts_dotted_names_and_rejects_junk():
    assert missing_packages({"no_such_package_xyz.sub": "x", "sklearn.metrics": "y"}) == ["x"]
    _raises_from_helpers(lambda: missing_packages({"not a module": "x"}), "not an importable")


def test_good_frame_still_prepares(frame):
    splits = prepare_fraud_splits(frame)
    assert np.isfinite(splits.x_train).all() and isinstance(splits.summary(), pd.DataFrame)


def test_keep_rate_above_one_is_not_called_a_percentage():
    from helpers.calibration import correct_undersampling

    message = _raises_from_helpers(lambda: correct_undersampling(0.5, 1.5), "keep_rate")
    assert "percentage" not in message and "replicated 1.5 times" in message
    assert "pass 0.1" in _raises_from_helpers(lambda: correct_undersampling(0.5, 10), "keep_rate")


@pytest.mark.parametrize("cost", [-1, 0, float("nan"), "5"])
def test_costs_are_named_as_costs(cost):
    from helpers.calibration import cost_threshold, expected_cost

    message = _raises_from_helpers(lambda: cost_threshold(cost, 10), "cost_fp")
    assert "sampling" not in message and "kept" not in message
    _raises_from_helpers(lambda: expected_cost([0, 1], [0.2, 0.8], 0.5, 1, cost), "cost_fn")
