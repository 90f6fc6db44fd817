"""Exercise checks accept right answers and explain the usual wrong ones."""

import math

import numpy as np
import pytest

from helpers.checks import (
    CheckFailed,
    check_close,
    check_initial_loss,
    check_no_skill_pr_auc,
    check_output_bias,
    check_threshold_function,
)
from helpers.evaluation import choose_threshold

Y = np.r_[np.ones(20, int), np.zeros(980, int)]


def test_check_close_messages(capsys):
    check_close(1.0, 1.0, what="x")
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="No answer yet"):
        check_close(None, 1.0, what="x")
    with pytest.raises(CheckFailed, match="too large"):
        check_close(2.0, 1.0, what="x")
    with pytest.raises(CheckFailed, match="single number"):
        check_close("abc", 1.0, what="x")


def test_no_skill_hints():
    check_no_skill_pr_auc(0.02, Y)
    with pytest.raises(CheckFailed, match="ROC-AUC"):
        check_no_skill_pr_auc(0.5, Y)
    with pytest.raises(CheckFailed, match="fraction of negatives"):
        check_no_skill_pr_auc(0.98, Y)
    with pytest.raises(CheckFailed, match="percentage"):
        check_no_skill_pr_auc(2.0, Y)


def test_bias_hints():
    check_output_bias(math.log(20 / 980), Y)
    with pytest.raises(CheckFailed, match="sign is flipped"):
        check_output_bias(math.log(980 / 20), Y)
    with pytest.raises(CheckFailed, match="logarithm"):
        check_output_bias(20 / 980, Y)
    with pytest.raises(CheckFailed, match="log10"):
        check_output_bias(math.log10(20 / 980), Y)


def test_loss_hints():
    p = 0.02
    check_initial_loss(-(p * math.log(p) + (1 - p) * math.log(1 - p)), Y)
    with pytest.raises(CheckFailed, match="zero bias"):
        check_initial_loss(math.log(2), Y)
    with pytest.raises(CheckFailed, match="negatives contribute"):
        check_initial_loss(-p * math.log(p), Y)


def _data():
    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.1).astype(int)
    p = np.clip(0.5 * y * rng.random(3000) + 0.5 * rng.random(3000), 0, 1)
    return y[:1500], p[:1500], y[1500:], p[1500:]


def good(y, p, target):
    return choose_threshold(y, p, objective="precision", min_precision=target)


def test_threshold_check_accepts_validation_answer():
    y_val, p_val, y_test, p_test = _data()
    assert check_threshold_function(good, y_val, p_val, y_test, p_test, 0.6) == good(y_val, p_val, 0.6)


def test_threshold_check_catches_test_peeking_and_wrong_logic():
    y_val, p_val, y_test, p_test = _data()

    def peeks(y, p, target):  # right on the toy case, but reads the test split otherwise
        return good(y, p, target) if len(y) == 6 else good(y_test, p_test, target)

    with pytest.raises(CheckFailed, match="test"):
        check_threshold_function(peeks, y_val, p_val, y_test, p_test, 0.6)

    def highest(y, p, target):
        return float(np.max(p))

    with pytest.raises(CheckFailed, match="lowest threshold"):
        check_threshold_function(highest, y_val, p_val, y_test, p_test, 0.6)

    def unanswered(y, p, target):
        ...

    with pytest.raises(CheckFailed, match="No answer yet"):
        check_threshold_function(unanswered, y_val, p_val, y_test, p_test, 0.6)
