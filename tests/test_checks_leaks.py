"""No exercise check gives its answer away, and none accepts the book's own helper as the
student's function.

Every numeric answer field of the book is tried with a right answer (its confirmation must
not print the value: the executed chapters are published) and with a battery of wrong
guesses (the message must not print the value either, as a fraction or a percentage).
Every write-a-function exercise is handed the book's reference helper directly, through
``functools.partial``, through a lambda and through a ``def`` that calls it by its module.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

import helpers
import helpers.gan
import helpers.resampling
from helpers import checks as checks0
from helpers import (
    checks_blobs,
    checks_calibration,
    checks_comparison,
    checks_focal,
    checks_gan,
    checks_resampling,
    checks_weights,
)
from helpers.calibration import correct_probability, cost_threshold, sampling_transform
from helpers.checks import CheckFailed, find_book_helper
from helpers.evaluation import choose_threshold, threshold_metrics
from helpers.focal import focal_loss, focal_minimiser
from helpers.models import expected_initial_loss, initial_output_bias
from helpers.weights import effective_number_weights
from tests._no_leak import assert_no_leak

Y = np.r_[np.ones(19, int), np.zeros(980, int)]
Y_DIGITS = np.concatenate([np.repeat([0, 1, 2, 3, 4, 5, 7], 401), np.repeat([6, 8, 9], 23)])
ALPHA, BETA = 1.0, 0.0577


def _fields():
    """(name, check(answer), expected, numbers the exercise itself gives)."""
    k_rate = 3 * 19 / 980
    fields = [
        ("0.1 no-skill PR-AUC", lambda a: checks0.check_no_skill_pr_auc(a, Y), 19 / 999, ()),
        ("0.2a output bias", lambda a: checks0.check_output_bias(a, Y),
         initial_output_bias(Y), ()),
        ("0.2b initial loss", lambda a: checks0.check_initial_loss(a, Y),
         expected_initial_loss(Y), ()),
        ("1.1 minority weight", lambda a: checks_weights.check_minority_weight(a, [100, 7000], 0.9),
         float(effective_number_weights([100, 7000], 0.9)[0]), (0.9, 100, 7000, 1)),  # 'sum to 1'
        ("2.1 steps per epoch", lambda a: checks_resampling.check_steps_per_epoch(
            a, n_negatives=170_588, batch_size=2048, positive_fraction=0.3),
         math.ceil(170_588 / (2048 * 0.7)), (170_588, 2048, 0.3, 0.7)),
        ("3.1 matching threshold", lambda a: checks_blobs.check_balanced_threshold(a, 3),
         0.25, (3,)),
        ("4.2 best constant", lambda a: checks_focal.check_focal_constant(a, Y, gamma=1.0),
         float(focal_minimiser(Y.mean(), 1.0)), (1.0,)),
        ("5.1 class weight", lambda a: checks_gan.check_minority_class_weight(a, Y_DIGITS, 8),
         len(Y_DIGITS) / (10 * 23), (8,)),
        ("6.1a keep rate", lambda a: checks_calibration.check_keep_rate(a, Y, 3), k_rate, (3,)),
        ("6.1b corrected value", lambda a: checks_calibration.check_corrected_value(
            a, 0.5, ALPHA, BETA), float(correct_probability(0.5, ALPHA, BETA)), (0.5, ALPHA, BETA)),
        ("6.3 raw threshold", lambda a: checks_calibration.check_raw_threshold(
            a, 1, 30, ALPHA, BETA), float(sampling_transform(cost_threshold(1, 30), ALPHA, BETA)),
         (1, 30, ALPHA, BETA)),
    ]
    return fields


FIELDS = _fields()
GUESSES = (0.5, 0.8, 0.97, 1.04, 1.3, 2.0, 3.0, 20.0, -1.0, 100.0)


@pytest.mark.parametrize(("name", "check", "expected", "given"), FIELDS, ids=[f[0] for f in FIELDS])
def test_a_right_answer_is_confirmed_without_its_value(name, check, expected, given, capsys):
    check(expected)
    out = capsys.readouterr().out
    assert out.startswith("Correct")
    assert_no_leak(out, expected, allowed=given)


@pytest.mark.parametrize(("name", "check", "expected", "given"), FIELDS, ids=[f[0] for f in FIELDS])
def test_no_wrong_guess_learns_the_value(name, check, expected, given):
    guesses = [expected * g for g in GUESSES] + [0.0, 0.5, 1.0, 0.01]
    if name.startswith("2.1"):
        guesses = [round(g) for g in guesses]
    for guess in guesses:
        try:
            check(guess)
        except CheckFailed as err:
            assert_no_leak(str(err), expected, allowed=(guess, *given))
            continue
        # accepted: only a guess within the check's tolerance (5 % at most) may be
        assert math.isclose(guess, expected, rel_tol=0.05), f"{name} accepted {guess}"


def _split(seed, n=4000, rate=0.05):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    return y, 1 / (1 + np.exp(-(2.0 * y + rng.normal(size=n) - 3.5)))


def test_threshold_and_recall_answers_never_print_the_expected_pair(capsys):
    (y_val, p_val), (y_test, p_test) = _split(1), _split(2)
    t = choose_threshold(y_val, p_val, objective="precision", min_precision=0.5)
    r = threshold_metrics(y_test, p_test, t)["recall"]
    check = functools.partial(checks_comparison.check_recall_at_precision, y_val=y_val,
                              p_val=p_val, y_test=y_test, p_test=p_test, target=0.5)
    check(t, r)
    assert_no_leak(capsys.readouterr().out, t, r, allowed=(0.5,))
    for wrong_t in (t * 1.2, t * 0.8, float(np.quantile(p_val, 0.999))):
        with pytest.raises(CheckFailed) as err:
            check(wrong_t, r)
        assert_no_leak(str(err.value), t, allowed=(wrong_t, 0.5))
    for wrong_r in (r * 0.5, r * 100, 0.0):
        with pytest.raises(CheckFailed) as err:
            check(t, wrong_r)
        assert_no_leak(str(err.value), r, allowed=(wrong_r, t, 0.5))


def test_the_matching_threshold_check_does_not_print_the_best_recall():
    y, p = _split(3)
    target = 0.4
    best = choose_threshold(y, p, objective="precision", min_precision=target)
    best_recall = threshold_metrics(y, p, best)["recall"]
    higher = float(np.quantile(p, 0.9995))
    with pytest.raises(CheckFailed, match="lower threshold does too") as err:
        checks_resampling.check_matching_threshold(higher, y, p, target_precision=target)
    assert_no_leak(str(err.value), best, best_recall,
                   allowed=(higher, target, threshold_metrics(y, p, higher)["precision"]))


def test_a_wrong_verdict_or_difference_does_not_give_the_right_one():
    from helpers.evaluation import paired_difference_over_seeds, roc_auc

    y, a = _split(4)
    b = np.clip(a + 0.2 * y, 0, 1)  # clearly better
    diff = paired_difference_over_seeds(y, [a], [b], {"roc_auc": roc_auc}, n_resamples=100,
                                        seed=0)["roc_auc"]
    assert diff.low > 0
    for wrong in ("worse", "no clear difference"):
        with pytest.raises(CheckFailed) as err:
            checks_comparison.check_noise_verdict(wrong, diff, y, a, b)
        assert "better" not in str(err.value)
    from helpers.evaluation import Interval

    fake = Interval(0.5, 0.4, 0.6)
    with pytest.raises(CheckFailed, match="not the roc_auc difference") as err:
        checks_comparison.check_noise_verdict("better", fake, y, a, b)
    assert_no_leak(str(err.value), diff.estimate, allowed=(0.5,))


def test_the_weight_ratio_is_not_printed():
    raw = np.linspace(0.01, 0.9, 50)
    ratio = math.sqrt(980 / 19)
    for w1 in (980 / 19, 1 / ratio, 3.0):
        weights = {0: 1.0, 1: w1}
        with pytest.raises(CheckFailed) as err:
            checks_comparison.check_weight_correction(
                correct_probability(raw, w1, 1.0), raw, weights, expected_ratio=ratio)
        assert_no_leak(str(err.value), ratio, allowed=(w1,))


def test_one_epoch_and_focal_alpha_confirmations_do_not_answer_the_prediction(capsys):
    checks_blobs.check_short_fine_tune(0.1234, before=0.30, after_full=0.07, natural_rate=0.0625)
    import keras

    checks_focal.check_positive_weighting(keras.losses.BinaryFocalCrossentropy(
        gamma=2.0, alpha=0.75, apply_class_balancing=True), ratio=3, gamma=2.0)
    out = capsys.readouterr().out
    assert out.count("Correct") == 2
    assert_no_leak(out, 0.1234, 0.75, allowed=(0.30, 0.07))


# ---------------------------------------------------------------- the book's own helpers


class _Judge:
    def predict(self, images, verbose=0):
        return np.eye(3)[np.arange(len(images)) % 3]


def _reference_cases():
    from imblearn.over_sampling import SMOTE

    from helpers.calibration import correct_probability as cp
    from helpers.evaluation import choose_threshold as ct
    from helpers.resampling import oversample_minority

    minority = np.random.default_rng(0).random((12, 4, 4, 1))
    y, p = _split(5)
    return [
        ("threshold_for_precision", lambda fn: checks0.check_threshold_function(
            fn, y, p, y, p, 0.5), functools.partial(ct, objective="precision"),
         lambda yy, pp, t: helpers.evaluation.choose_threshold(yy, pp, objective="precision",
                                                               min_precision=t)),
        ("my_effective_weights", checks_weights.check_effective_weights_function,
         effective_number_weights, lambda c, b: effective_number_weights(c, b)),
        ("my_oversample", checks_resampling.check_oversample_function,
         lambda x, yy, seed: oversample_minority(x, yy, seed=seed),
         lambda x, yy, seed: helpers.resampling.oversample_minority(x, yy, seed=seed)),
        ("my_focal_loss", checks_focal.check_focal_function, focal_loss,
         lambda yy, pp, g, a: focal_loss(yy, pp, g, a)),
        ("gan_test", lambda fn: checks_gan.check_gan_test_function(
            fn, _Judge(), np.zeros((6, 28, 28, 1)), np.arange(6) % 3),
         lambda j, i, w: helpers.gan.predict_digits(j, i).mean(), None),
        ("my_smote", lambda fn: checks_gan.check_smote_function(fn, minority, n_new=5, k=3),
         lambda m, n, k, seed: SMOTE(k_neighbors=k).fit_resample(m.reshape(len(m), -1), m[:, 0, 0, 0] > 0.5),
         None),
        ("correct_replicated", checks_calibration.check_replication_function,
         functools.partial(cp, beta=1.0), lambda ps, k: cp(ps, k, 1.0)),
    ]


REFERENCES = _reference_cases()


@pytest.mark.parametrize(("name", "check", "wrapper", "other"), REFERENCES,
                         ids=[r[0] for r in REFERENCES])
def test_the_books_own_helper_is_refused_as_the_answer(name, check, wrapper, other):
    for fn in (wrapper, other):
        if fn is None:
            continue
        with pytest.raises(CheckFailed, match=f"{name} is, wraps or calls") as err:
            check(fn)
        assert "write it yourself" in str(err.value)


def test_a_helper_reached_through_the_students_own_function_is_refused():
    import helpers.focal as hf

    def inner(y, p, g, a):
        return hf.focal_loss(y, p, g, a)

    def outer(y, p, g, a):
        return inner(y, p, g, a)

    with pytest.raises(CheckFailed, match="helpers.focal"):
        checks_focal.check_focal_function(outer)
    with pytest.raises(CheckFailed, match="helpers.focal"):
        checks_focal.check_focal_function(functools.partial(focal_loss))

    def default_argument(y, p, g, a, _impl=focal_loss):
        return _impl(y, p, g, a)

    assert find_book_helper(default_argument, ("helpers.focal",)) == "helpers.focal.focal_loss"


def test_a_helper_of_another_library_is_refused_where_the_exercise_forbids_it():
    from imblearn.over_sampling import RandomOverSampler

    def with_imblearn(x, y, seed):
        return RandomOverSampler(random_state=seed).fit_resample(x, y)

    with pytest.raises(CheckFailed, match="imblearn"):
        checks_resampling.check_oversample_function(with_imblearn)


def test_the_students_own_numpy_code_is_not_mistaken_for_a_helper(capsys):
    def my_focal_loss(y, p, gamma, alpha):
        y, p = np.asarray(y, float), np.asarray(p, float)
        p_t = np.where(y == 1, p, 1 - p)
        alpha_t = 1.0 if alpha is None else np.where(y == 1, alpha, 1 - alpha)
        return -alpha_t * (1 - p_t) ** gamma * np.log(np.clip(p_t, 1e-7, 1 - 1e-7))

    def my_effective_weights(counts, beta):
        n = np.asarray(counts, dtype=float)
        if np.any(n < 1) or not 0 <= beta < 1:
            raise ValueError("counts must be >= 1 and beta in [0, 1)")
        raw = (1 - beta) / (1 - beta ** n)
        return raw * n.size / raw.sum()

    assert find_book_helper(my_focal_loss, ("helpers.focal",)) is None
    checks_focal.check_focal_function(my_focal_loss)
    checks_weights.check_effective_weights_function(my_effective_weights)
    assert capsys.readouterr().out.count("Correct") == 2


def test_bags_can_be_checked_through_the_function():
    y = np.r_[np.ones(10, int), np.zeros(200, int)]

    def make_bags(y, n_bags, rng):
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        return [np.r_[pos, rng.choice(neg, pos.size, replace=False)] for _ in range(n_bags)]

    checks_blobs.check_bags(make_bags, y, n_bags=4)
    with pytest.raises(CheckFailed, match="make_bags raised ZeroDivisionError"):
        checks_blobs.check_bags(lambda y, n, rng: 1 / 0, y, n_bags=4)
