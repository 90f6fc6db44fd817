"""The stratified split and train-only scaling."""

import numpy as np
import pandas as pd
import pytest

from helpers.preprocessing import fraud_features, prepare_fraud_splits, split_stratified


def _frame(n=5000, n_pos=50, seed=0):
    rng = np.random.default_rng(seed)
    data = {"Time": np.sort(rng.uniform(0, 1000, n))}
    for i in range(1, 29):
        data[f"V{i}"] = rng.normal(size=n)
    data["Amount"] = rng.lognormal(3, 1, n)
    y = np.zeros(n, int)
    y[rng.choice(n, n_pos, replace=False)] = 1
    data["Class"] = y
    return pd.DataFrame(data)


def test_split_sizes_and_stratification():
    train, val, test = split_stratified(_frame(), seed=1)
    assert (len(train), len(val), len(test)) == (3000, 1000, 1000)
    assert (train.Class.sum(), val.Class.sum(), test.Class.sum()) == (30, 10, 10)
    assert set(train.index).isdisjoint(test.index) and set(val.index).isdisjoint(test.index)


def test_split_is_seeded():
    a = split_stratified(_frame(), seed=3)[2].index
    b = split_stratified(_frame(), seed=3)[2].index
    c = split_stratified(_frame(), seed=4)[2].index
    assert a.equals(b) and not a.equals(c)


def test_scaler_uses_training_statistics_only():
    frame = _frame()
    splits = prepare_fraud_splits(frame, seed=0)
    train, _, _ = split_stratified(frame, seed=0)
    expected_mean = fraud_features(train).to_numpy().mean(axis=0)
    np.testing.assert_allclose(splits.scaler.mean_, expected_mean)
    assert splits.x_train.dtype == np.float32
    assert np.abs(splits.x_test).max() <= 5.0
    assert "Time" not in splits.feature_names and "log_amount" in splits.feature_names
    assert splits.summary().loc["test", "positives"] == 10


def test_bad_frames():
    with pytest.raises(ValueError, match="no label column"):
        split_stratified(_frame().drop(columns="Class"))
    with pytest.raises(ValueError, match="sum below 1"):
        split_stratified(_frame(), val_fraction=0.6, test_fraction=0.5)
    negative = _frame()
    negative.loc[0, "Amount"] = -1
    with pytest.raises(ValueError, match="negative"):
        fraud_features(negative)
    with pytest.raises(ValueError, match="at least 3"):
        split_stratified(_frame(n_pos=2))
