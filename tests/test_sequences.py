"""The synthetic API-call sequences and the LSTM builder (chapter 1)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.sequences import (
    API_CALLS,
    INJECTION_MOTIF,
    build_lstm_classifier,
    contains_motif,
    make_api_call_sequences,
    tokenize_and_pad,
)

A, B, C, D = INJECTION_MOTIF


@pytest.fixture(scope="module")
def default_frame():
    return make_api_call_sequences(seed=0)


def test_exact_counts_and_shuffled_order(default_frame):
    assert len(default_frame) == 7100
    assert default_frame["label"].sum() == 100
    assert list(default_frame.columns) == ["calls", "label"]
    assert default_frame["label"].dtype == np.int64
    # rows are shuffled: minority rows are not all at the end
    assert default_frame["label"].iloc[-100:].sum() < 100


def test_motif_marks_the_minority_exactly(default_frame):
    found = default_frame["calls"].str.split().map(contains_motif)
    np.testing.assert_array_equal(found.to_numpy(), default_frame["label"].to_numpy() == 1)


def test_motif_calls_also_appear_in_the_majority(default_frame):
    majority = default_frame.loc[default_frame["label"] == 0, "calls"].str.split()
    for step in INJECTION_MOTIF:
        share = majority.map(lambda calls, s=step: s in calls).mean()
        assert 0.6 < share < 0.8, f"{step} should be a common decoy (decoy_rate=0.7)"


def test_lengths_and_vocabulary(default_frame):
    calls = default_frame["calls"].str.split()
    assert calls.map(len).between(20, 30).all()
    vocabulary = {c for row in calls for c in row}
    assert vocabulary == set(API_CALLS) | set(INJECTION_MOTIF)


def test_near_misses_are_in_order_but_one_gap_too_wide():
    frame = make_api_call_sequences(300, 5, decoy_rate=0.0, near_miss_rate=1.0, seed=1)
    majority = frame.loc[frame["label"] == 0, "calls"].str.split()
    assert majority.map(lambda c: all(s in c for s in INJECTION_MOTIF)).all()
    assert not majority.map(contains_motif).any()
    assert majority.map(lambda c: contains_motif(c, max_gap=3)).all()


def test_generator_is_deterministic():
    a = make_api_call_sequences(200, 10, seed=3)
    b = make_api_call_sequences(200, 10, seed=3)
    c = make_api_call_sequences(200, 10, seed=4)
    assert a.equals(b) and not a.equals(c)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 60), st.integers(1, 20), st.integers(0, 3), st.floats(0, 1),
       st.floats(0, 1), st.integers(0, 10**6))
def test_counts_and_motif_for_any_settings(n_maj, n_min, gap, decoy, near, seed):
    frame = make_api_call_sequences(n_maj, n_min, min_length=16, max_length=24, max_gap=gap,
                                    decoy_rate=decoy, near_miss_rate=near, seed=seed)
    assert (int((frame["label"] == 0).sum()), int(frame["label"].sum())) == (n_maj, n_min)
    found = frame["calls"].str.split().map(lambda c: contains_motif(c, max_gap=gap))
    assert (found == (frame["label"] == 1)).all()


@pytest.mark.parametrize(
    ("tokens", "gap", "expected"),
    [
        ([A, B, C, D], 0, True),
        (["x", A, "y", B, C, "z", "z", D], 2, True),
        (["x", A, "y", B, C, "z", "z", D], 1, False),
        ([D, C, B, A], 2, False),
        ([A, B, C], 2, False),
        ([A, "x", A, B, C, D], 0, True),  # a later start can succeed where the first fails
        ([A, B, "x", B, C, D], 0, False),  # the second B is too far from A
        ([], 2, False),
    ],
)
def test_contains_motif_cases(tokens, gap, expected):
    assert contains_motif(tokens, max_gap=gap) is expected


def test_bad_arguments():
    with pytest.raises(ValueError, match="positive integer"):
        make_api_call_sequences(0, 10)
    with pytest.raises(ValueError, match="positive integer"):
        make_api_call_sequences(10, 2.5)
    with pytest.raises(ValueError, match="motif fits"):
        make_api_call_sequences(10, 10, min_length=5, max_length=30)
    with pytest.raises(ValueError, match="motif fits"):
        make_api_call_sequences(10, 10, min_length=30, max_length=20)
    with pytest.raises(ValueError, match="probability"):
        make_api_call_sequences(10, 10, decoy_rate=1.5)
    with pytest.raises(ValueError, match="near_miss_rate is a probability"):
        make_api_call_sequences(10, 10, near_miss_rate=-0.1)
    with pytest.raises(ValueError, match="near misses need"):
        make_api_call_sequences(10, 10, min_length=10, max_length=20, max_gap=2)
    with pytest.raises(ValueError, match="max_gap"):
        make_api_call_sequences(10, 10, max_gap=-1)
    with pytest.raises(ValueError, match="empty"):
        contains_motif([A], motif=())


def test_tokenize_and_pad_left_pads_with_training_vocabulary():
    train = ["a b c", "b c"]
    other = ["c a", "a z z z z"]
    (x_train, x_other), vocab = tokenize_and_pad(train, other)
    assert vocab[:2] == ["", "[UNK]"] and set(vocab[2:]) == {"a", "b", "c"}
    assert x_train.shape == (2, 5) and x_other.shape == (2, 5)
    ids = {t: i for i, t in enumerate(vocab)}
    assert x_train[1].tolist() == [0, 0, 0, ids["b"], ids["c"]]
    assert x_other[1].tolist() == [ids["a"], 1, 1, 1, 1]  # unseen call -> [UNK]
    (short,), _ = tokenize_and_pad(train, max_length=2)
    assert short.tolist() == [[ids["b"], ids["c"]], [ids["b"], ids["c"]]]
    with pytest.raises(ValueError, match="empty"):
        tokenize_and_pad([])


def test_lstm_output_shapes():
    fixed = build_lstm_classifier(10, 7, units=4, output_bias=-2.0)
    buggy = build_lstm_classifier(10, 7, units=4, return_sequences=True)
    assert fixed.output_shape == (None, 1)
    assert buggy.output_shape == (None, 7, 1)
    assert float(fixed.layers[-1].bias.numpy()[0]) == pytest.approx(-2.0)
    with pytest.raises(ValueError, match="finite"):
        build_lstm_classifier(10, 7, output_bias=float("inf"))
    with pytest.raises(ValueError, match="units must be positive"):
        build_lstm_classifier(10, 7, units=0)
