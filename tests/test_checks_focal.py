"""Chapter 4's exercise checks accept right answers and explain the usual wrong ones."""

import math

import numpy as np
import pytest

from helpers.checks import CheckFailed
from helpers.checks_focal import (
    check_focal_constant,
    check_focal_function,
    check_positive_weighting,
)
from helpers.focal import focal_minimiser

# ------------------------------------------------------------------ exercise 4.1


def test_positive_weighting_right_answer(capsys):
    import keras

    check_positive_weighting(
        keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.75, gamma=2.0)
    )
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alpha": 0.75}, "apply_class_balancing is False"),
        ({"apply_class_balancing": True}, "wrong way round"),
        ({"apply_class_balancing": True, "alpha": 0.25}, "wrong way round"),
        ({"apply_class_balancing": True, "alpha": 3.0}, "not a weight in"),
        ({"apply_class_balancing": True, "alpha": 1 / 3}, "Solve alpha"),
        ({"apply_class_balancing": True, "alpha": 0.6}, "Solve alpha"),
        ({"apply_class_balancing": True, "alpha": 0.75, "gamma": 0.0}, "keep gamma"),
    ],
)
def test_positive_weighting_mistakes(kwargs, match):
    import keras

    with pytest.raises(CheckFailed, match=match):
        check_positive_weighting(keras.losses.BinaryFocalCrossentropy(**kwargs))


def test_positive_weighting_wrong_types():
    import keras

    with pytest.raises(CheckFailed, match="No answer yet"):
        check_positive_weighting(None)
    with pytest.raises(CheckFailed, match="not a BinaryFocalCrossentropy"):
        check_positive_weighting(keras.losses.BinaryCrossentropy())
    with pytest.raises(CheckFailed, match="Expected a keras"):
        check_positive_weighting(0.75)


# ------------------------------------------------------------------ exercise 4.2

Y = np.r_[np.ones(17), np.zeros(9983)].astype(int)


def test_focal_constant_right_answer(capsys):
    check_focal_constant(float(focal_minimiser(Y.mean(), 1.0)), Y, gamma=1.0)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "match"),
    [
        (None, "No answer yet"),
        (0.0017, "positive rate"),
        (0.5, "zero output bias"),
        (float(focal_minimiser(0.0017, 2.0)), "gamma = 2"),
        (float(focal_minimiser(0.0017, 1.0, 0.25)), "alpha = 0.25"),
        (
            math.log(
                float(focal_minimiser(0.0017, 1.0)) / (1 - float(focal_minimiser(0.0017, 1.0)))
            ),
            "logit",
        ),
        (0.2, "order of magnitude|none of the usual mistakes"),
    ],
)
def test_focal_constant_mistakes(answer, match):
    with pytest.raises(CheckFailed, match=match):
        check_focal_constant(answer, Y, gamma=1.0)


# ------------------------------------------------------------------ exercise 4.3

EPS = 1e-7


def right(y, p, gamma, alpha):
    q = np.clip(p, EPS, 1 - EPS)
    p_t = np.where(y == 1, p, 1 - p)
    log_pt = np.where(y == 1, np.log(q), np.log(1 - q))
    a_t = 1.0 if alpha is None else np.where(y == 1, alpha, 1 - alpha)
    return -a_t * (1 - p_t) ** gamma * log_pt


def swapped_alpha(y, p, gamma, alpha):
    return right(y, p, gamma, None if alpha is None else 1 - alpha)


def no_alpha(y, p, gamma, alpha):
    return right(y, p, gamma, None)


def factor_on_p(y, p, gamma, alpha):
    q = np.clip(p, EPS, 1 - EPS)
    a_t = 1.0 if alpha is None else np.where(y == 1, alpha, 1 - alpha)
    return -a_t * (1 - p) ** gamma * np.where(y == 1, np.log(q), np.log(1 - q))


def no_gamma(y, p, gamma, alpha):
    return right(y, p, 0.0, alpha)


def unclipped(y, p, gamma, alpha):
    with np.errstate(divide="ignore", invalid="ignore"):
        p_t = np.where(y == 1, p, 1 - p)
        return -((1 - p_t) ** gamma) * np.log(p_t)


def averaged(y, p, gamma, alpha):
    return float(np.mean(right(y, p, gamma, alpha)))


def returns_none(y, p, gamma, alpha):
    return None


def raises(y, p, gamma, alpha):
    raise TypeError("boom")


def test_focal_function_right_answer(capsys):
    check_focal_function(right)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (None, "Define a function"),
        (swapped_alpha, "wrong class"),
        (no_alpha, "alpha is ignored"),
        (factor_on_p, r"\(1 - p_t\)\*\*gamma"),
        (no_gamma, "gamma is ignored"),
        (unclipped, "inf or nan"),
        (averaged, "one loss per example"),
        (returns_none, "returned None"),
        (raises, "raised TypeError"),
        (lambda y, p, gamma, alpha: right(y, p, gamma, alpha) * 2, "is too large"),
    ],
)
def test_focal_function_mistakes(fn, match):
    with pytest.raises(CheckFailed, match=match):
        check_focal_function(fn)
