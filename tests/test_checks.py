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
from tests._no_leak import assert_no_leak, numbers_in

Y = np.r_[np.ones(20, int), np.zeros(980, int)]


def test_check_close_messages(capsys):
    check_close(1.0, 1.0, what="x")
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="No answer yet"):
        check_close(None, 1.0, what="x")
    with pytest.raises(CheckFailed, match="none of the usual mistakes") as err:
        check_close(2.0, 1.0, what="x")
    assert "1" not in numbers_in(str(err.value)) and "too large" not in str(err.value)
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
    """The student's own version (the solution's), not the book's choose_threshold."""
    from sklearn.metrics import precision_recall_curve

    precision, _, thresholds = precision_recall_curve(y, p)
    return float(thresholds[np.flatnonzero(precision[:-1] >= target)[0]])


def test_threshold_check_accepts_validation_answer(capsys):
    y_val, p_val, y_test, p_test = _data()
    assert check_threshold_function(good, y_val, p_val, y_test, p_test, 0.6) == good(y_val, p_val, 0.6)
    out = capsys.readouterr().out
    assert "Correct" in out
    assert_no_leak(out, good(y_val, p_val, 0.6), allowed=(0.6,))


def test_threshold_check_refuses_the_books_own_function():
    from functools import partial

    y_val, p_val, y_test, p_test = _data()
    wrappers = [
        lambda y, p, t: choose_threshold(y, p, objective="precision", min_precision=t),
        partial(choose_threshold, objective="precision"),
    ]
    for fn in wrappers:
        with pytest.raises(CheckFailed, match="helpers.evaluation.choose_threshold"):
            check_threshold_function(fn, y_val, p_val, y_test, p_test, 0.6)


def test_threshold_check_catches_test_peeking_and_wrong_logic():
    y_val, p_val, y_test, p_test = _data()

    def peeks(y, p, target):  # right on the toy case, but reads the test split otherwise
        return good(y, p, target) if len(y) == 6 else good(y_test, p_test, target)

    with pytest.raises(CheckFailed, match="test"):
        check_threshold_function(peeks, y_val, p_val, y_test, p_test, 0.6)

    def highest(y, p, target):
        return float(np.max(p))

    with pytest.raises(CheckFailed, match="lower threshold does too"):
        check_threshold_function(highest, y_val, p_val, y_test, p_test, 0.6)

    def right_on_toy_only(y, p, target):  # too high on the real data
        return good(y, p, target) if len(y) == 6 else float(np.quantile(p, 0.999))

    with pytest.raises(CheckFailed, match="not the lowest") as err:
        check_threshold_function(right_on_toy_only, y_val, p_val, y_test, p_test, 0.6)
    assert_no_leak(str(err.value), good(y_val, p_val, 0.6),
                   allowed=(0.6, float(np.quantile(p_val, 0.999))))

    def too_low(y, p, target):
        return good(y, p, target) if len(y) == 6 else 0.0

    with pytest.raises(CheckFailed, match="below the target") as err:
        check_threshold_function(too_low, y_val, p_val, y_test, p_test, 0.6)
    assert_no_leak(str(err.value), good(y_val, p_val, 0.6), allowed=(0.6,))

    def unanswered(y, p, target):
        ...

    with pytest.raises(CheckFailed, match="No answer yet"):
        check_threshold_function(unanswered, y_val, p_val, y_test, p_test, 0.6)


@pytest.mark.parametrize(
    ("answer", "kind"),
    [(-0.0172, "sign is flipped"), (1.72, "percentage"), (0.000172, "100 times larger"),
     (1 / 0.0172, "reciprocal"), (-3.0, "sign is wrong"), (0.9, "order of magnitude"),
     (0.011, "none of the usual")],
)
def test_check_close_names_the_kind_of_mistake_never_the_value(answer, kind):
    with pytest.raises(CheckFailed, match=kind) as err:
        check_close(answer, 0.0172, what="the rate")
    assert_no_leak(str(err.value), 0.0172, allowed=(answer,))


def test_correct_answers_do_not_print_the_value(capsys):
    check_no_skill_pr_auc(0.02, Y)
    check_output_bias(math.log(20 / 980), Y)
    out = capsys.readouterr().out
    assert out.count("Correct") == 2
    assert_no_leak(out, 0.02, math.log(20 / 980))


@pytest.mark.parametrize("answer", [0.3, 0.023, 0.016, 0.0, 1e-4, 0.5, 0.98, 2.0])
def test_no_wrong_no_skill_answer_learns_the_value(answer):
    with pytest.raises(CheckFailed) as err:
        check_no_skill_pr_auc(answer, Y[1:])  # rate 19/999, so that no guess is a round number
    assert_no_leak(str(err.value), 19 / 999, allowed=(answer,))


@pytest.mark.parametrize("answer", [-1.0, -5.0, 0.0, 1.0, -3.8])
def test_no_wrong_bias_or_loss_answer_learns_the_value(answer):
    y = Y[1:]
    with pytest.raises(CheckFailed) as err:
        check_output_bias(answer, y)
    assert_no_leak(str(err.value), math.log(19 / 980), allowed=(answer,))
    with pytest.raises(CheckFailed) as err:
        check_initial_loss(abs(answer) + 0.5, y)
    p = 19 / 999
    assert_no_leak(str(err.value), -(p * math.log(p) + (1 - p) * math.log(1 - p)),
                   allowed=(abs(answer) + 0.5,))
