"""Chapter 6's exercise checks accept right answers and name the usual wrong ones."""

import numpy as np
import pytest

from helpers.calibration import correct_probability, cost_threshold, sampling_transform
from helpers.checks import CheckFailed
from helpers.checks_calibration import (
    check_corrected_value,
    check_keep_rate,
    check_raw_threshold,
    check_replication_function,
)

Y = np.r_[np.ones(20, int), np.zeros(980, int)]  # 20 positives, 980 negatives


def test_keep_rate(capsys):
    check_keep_rate(3 * 20 / 980, Y)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="ratio of positives to negatives"):
        check_keep_rate(1 / 3, Y)
    with pytest.raises(CheckFailed, match="balanced"):
        check_keep_rate(20 / 980, Y)
    with pytest.raises(CheckFailed, match="Upside down"):
        check_keep_rate(980 / 60, Y)
    with pytest.raises(CheckFailed, match="percentage"):
        check_keep_rate(100 * 60 / 980, Y)
    with pytest.raises(CheckFailed, match="No answer yet"):
        check_keep_rate(None, Y)


def test_corrected_value(capsys):
    w = 0.005
    check_corrected_value(w / (1 + w), 0.5, 1.0, w)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="raw output itself"):
        check_corrected_value(0.5, 0.5, 1.0, w)
    with pytest.raises(CheckFailed, match="swapped"):
        check_corrected_value(1 / (1 + w), 0.5, 1.0, w)
    with pytest.raises(CheckFailed, match="scales the odds"):
        check_corrected_value(0.5 * w, 0.5, 1.0, w)
    with pytest.raises(CheckFailed, match="corrected odds"):
        check_corrected_value(w, 0.5, 1.0, w)


def test_replication_function(capsys):
    check_replication_function(lambda p, k: p / (p + k * (1 - p)))
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="swapped"):
        check_replication_function(lambda p, k: k * p / (k * p + (1 - p)))
    with pytest.raises(CheckFailed, match="half the formula"):
        check_replication_function(lambda p, k: p / k)
    with pytest.raises(CheckFailed, match="NaN"):
        # correct in between, but 0/0 at p_s = 1
        check_replication_function(lambda p, k: p * (1 - p) / (p * (1 - p) + k * (1 - p) ** 2))
    with pytest.raises(CheckFailed, match="shape"):
        check_replication_function(lambda p, k: 0.5)
    with pytest.raises(CheckFailed, match="function itself"):
        check_replication_function(0.5)
    with pytest.raises(CheckFailed, match="not the corrected probability") as err:
        check_replication_function(lambda p, k: p / (p + 2 * k * (1 - p)))
    right = 0.9 / (0.9 + 4 * 0.1)  # the point the message names: p_s = 0.9, k = 4
    assert f"{right:.6g}" not in str(err.value)


def test_replication_answer_agrees_with_the_helper():
    p = np.linspace(0, 1, 11)
    assert np.allclose(p / (p + 7 * (1 - p)), correct_probability(p, 7, 1))


def test_raw_threshold(capsys):
    alpha, beta = 1.0, 0.002
    t = cost_threshold(1, 30)
    check_raw_threshold(sampling_transform(t, alpha, beta), 1, 30, alpha, beta)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="calibrated"):
        check_raw_threshold(t, 1, 30, alpha, beta)
    with pytest.raises(CheckFailed, match="wrong way"):
        check_raw_threshold(correct_probability(t, alpha, beta), 1, 30, alpha, beta)
    with pytest.raises(CheckFailed, match="costs are swapped"):
        check_raw_threshold(30 / 31, 1, 30, alpha, beta)
    with pytest.raises(CheckFailed, match="default threshold"):
        check_raw_threshold(0.5, 1, 30, alpha, beta)
