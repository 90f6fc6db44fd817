"""Chapter 1's exercise checks accept right answers and explain the usual wrong ones."""

import numpy as np
import pytest

from helpers.checks import CheckFailed
from helpers.checks_weights import (
    check_effective_weights_function,
    check_minority_weight,
    check_predicted_confusion,
)
from helpers.evaluation import threshold_metrics
from helpers.weights import effective_number_weights, equivalent_threshold

COUNTS = [100, 7000]


# ------------------------------------------------------------------ exercise 1.1

def test_minority_weight_right_answer(capsys):
    check_minority_weight(effective_number_weights(COUNTS, 0.9)[0], COUNTS, 0.9)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "match"),
    [
        (None, "No answer yet"),
        (1.9718, "inverse frequency"),
        (1.2240, "beta = 0.99"),
        (0.5, "sum to 1"),
        (10.0, "effective number E_n itself"),
        (0.1, "before normalising"),
        (3.0, "none of the usual mistakes"),
    ],
)
def test_minority_weight_mistakes(answer, match):
    with pytest.raises(CheckFailed, match=match):
        check_minority_weight(answer, COUNTS, 0.9)


# ------------------------------------------------------------------ exercise 1.2

@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    y = (rng.random(5000) < 0.02).astype(int)
    p = np.clip(0.01 + 0.6 * y * rng.random(5000) + 0.05 * rng.random(5000) ** 3, 0, 1)
    return y, p


CW = {0: 1.0, 1: 20.0}


def _cells(y, p, t):
    m = threshold_metrics(y, p, t)
    return {k: m[k] for k in ("tp", "fp", "fn", "tn")}


def test_predicted_confusion_right_answer(scored, capsys):
    y, p = scored
    expected = _cells(y, p, equivalent_threshold(CW))
    check_predicted_confusion(expected, y, p, CW, p_weighted=np.clip(p * 3, 0, 1))
    out = capsys.readouterr().out
    assert "Correct" in out and "trained with these weights" in out
    # the sklearn layout is accepted too
    layout = [[expected["tn"], expected["fp"]], [expected["fn"], expected["tp"]]]
    check_predicted_confusion(layout, y, p, CW)


def test_predicted_confusion_mistakes(scored):
    y, p = scored
    with pytest.raises(CheckFailed, match="No answer yet"):
        check_predicted_confusion(None, y, p, CW)
    with pytest.raises(CheckFailed, match="exactly the keys"):
        check_predicted_confusion({"tp": 1}, y, p, CW)
    with pytest.raises(CheckFailed, match="2x2"):
        check_predicted_confusion([1, 2, 3], y, p, CW)
    with pytest.raises(CheckFailed, match="unweighted model at 0.5"):
        check_predicted_confusion(_cells(y, p, 0.5), y, p, CW)
    with pytest.raises(CheckFailed, match="upside down"):
        check_predicted_confusion(_cells(y, p, equivalent_threshold({0: 20.0, 1: 1.0})), y, p, CW)
    good = _cells(y, p, equivalent_threshold(CW))
    with pytest.raises(CheckFailed, match="add up to"):
        check_predicted_confusion({**good, "tn": good["tn"] + 5}, y, p, CW)
    with pytest.raises(CheckFailed, match="cannot create or remove"):
        check_predicted_confusion({**good, "tp": good["tp"] + 1, "tn": good["tn"] - 1}, y, p, CW)
    with pytest.raises(CheckFailed, match="whole, non-negative"):
        check_predicted_confusion({**good, "tp": good["tp"] + 0.5, "tn": good["tn"] - 0.5},
                                  y, p, CW)
    with pytest.raises(CheckFailed, match="equivalent threshold"):
        check_predicted_confusion({**good, "tp": good["tp"] - 1, "fn": good["fn"] + 1,
                                   "fp": good["fp"] + 1, "tn": good["tn"] - 1}, y, p, CW)


# ------------------------------------------------------------------ exercise 1.3

def _right(counts, beta):
    n = np.asarray(counts, dtype=float)
    if np.any(n < 1) or not 0 <= beta < 1:
        raise ValueError("bad input")
    w = (1 - beta) / (1 - beta**n)
    return w * n.size / w.sum()


def test_effective_weights_function_right(capsys):
    check_effective_weights_function(_right)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (42, "function itself"),
        (lambda c, b: _right(c, b) / len(c), "sum to 1"),
        (lambda c, b: _right(c, b) * 7, "right ratios"),
        (lambda c, b: (1 - b ** np.asarray(c, float)) / (1 - b) if b else np.ones(len(c)),
         "inverse"),
        (lambda c, b: (1 / np.asarray(c, float)) * len(c) / np.sum(1 / np.asarray(c, float)),
         "inverse-frequency"),
        (lambda c, b: _right(c, b)[:1], "one weight per class"),
        (lambda c, b: 1 / 0, "ZeroDivisionError"),
        (lambda c, b: np.asarray(c, float) ** 0 * 1.0, "none of the usual mistakes"),
    ],
)
def test_effective_weights_function_mistakes(fn, match):
    with pytest.raises(CheckFailed, match=match):
        check_effective_weights_function(fn)


def test_effective_weights_function_must_reject_bad_input():
    def no_checks(counts, beta):
        n = np.asarray(counts, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = (1 - beta) / (1 - beta**n)
            return w * n.size / w.sum()

    with pytest.raises(CheckFailed, match="should raise ValueError"):
        check_effective_weights_function(no_checks)

    def wrong_error(counts, beta):
        if not 0 <= beta < 1 or min(counts) < 1:
            raise TypeError("nope")
        return _right(counts, beta)

    with pytest.raises(CheckFailed, match="raise ValueError with a message"):
        check_effective_weights_function(wrong_error)
