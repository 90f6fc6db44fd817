"""Bad input raises ValueError naming the problem and the fix."""

import numpy as np
import pytest

from helpers.validation import (
    as_binary_labels,
    as_probabilities,
    check_same_length,
    labels_and_probabilities,
    require_both_classes,
)


def test_labels_accept_column_vectors_and_bools():
    assert as_binary_labels(np.array([[1], [0], [1]])).tolist() == [1, 0, 1]
    assert as_binary_labels([True, False]).dtype == np.int64


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ([0, 1, 2], "binary labels 0/1"),
        ([], "empty"),
        ([0.0, np.nan], "NaN"),
        (np.zeros((3, 2)), "shape"),
    ],
)
def test_bad_labels(bad, fragment):
    with pytest.raises(ValueError, match=fragment):
        as_binary_labels(bad)


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ([0.2, 1.5], "logits"),
        ([-0.1, 0.5], r"\[0, 1\]"),
        ([0.1, np.nan], "NaN"),
        ([], "empty"),
        (np.zeros((4, 3)), "return_sequences"),
    ],
)
def test_bad_probabilities(bad, fragment):
    with pytest.raises(ValueError, match=fragment):
        as_probabilities(bad)


def test_empty_class_and_mismatched_lengths():
    with pytest.raises(ValueError, match="no positive"):
        require_both_classes(np.zeros(5, int))
    with pytest.raises(ValueError, match="no negative"):
        require_both_classes(np.ones(5, int))
    with pytest.raises(ValueError, match="Lengths differ"):
        check_same_length(y=np.zeros(3), p=np.zeros(4))
    with pytest.raises(ValueError, match="same order"):
        labels_and_probabilities([0, 1, 1], [0.2, 0.4])
