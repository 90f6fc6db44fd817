"""helpers.checks_gan: right answers pass, the usual wrong answers are named."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from helpers.checks import CheckFailed
from helpers.checks_gan import (
    check_gan_test_function,
    check_minority_class_weight,
    check_smote_function,
    smote_segments,
)

Y = np.concatenate([np.repeat([0, 1, 2, 3, 4, 5, 7], 400), np.repeat([6, 8, 9], 20)])


def test_class_weight_right_and_wrong():
    right = len(Y) / (10 * 20)
    check_minority_class_weight(right, Y, 8)
    for wrong, fragment in ((len(Y) / (2 * 20), "two-class"), (len(Y) / 20, "number of classes"),
                            (400 / 20, "replication factor"), (20 / len(Y), "Inverted"),
                            (None, "No answer"), (1.0, "too small")):
        with pytest.raises(CheckFailed, match=fragment):
            check_minority_class_weight(wrong, Y, 8)


class Judge:
    """Predicts digit = brightest row block, a deterministic stand-in for a CNN."""

    def predict(self, images, verbose=0):
        x = np.asarray(images).reshape(len(images), -1)
        logits = np.zeros((len(x), 10))
        logits[np.arange(len(x)), (x.sum(axis=1) % 10).astype(int)] = 1.0
        return logits


def _images():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 3, (30, 28, 28, 1)).astype(np.float32)
    intended = rng.integers(0, 10, 30)
    return images, intended


def test_gan_test_function_right_and_wrong():
    images, intended = _images()

    def right(judge, imgs, want):
        return float(np.mean(judge.predict(imgs).argmax(axis=1) == want))

    expected = check_gan_test_function(right, Judge(), images, intended)
    assert 0 <= expected <= 1
    wrongs = {
        "count": (lambda j, i, w: float(np.sum(j.predict(i).argmax(axis=1) == w)), "count"),
        "percent": (lambda j, i, w: 100 * right(j, i, w), "percentage"),
        "raw": (lambda j, i, w: float(np.mean(j.predict(i)[np.arange(len(w)), w])), "argmax"),
        "none": (lambda j, i, w: None, "returned nothing"),
        "inverted": (lambda j, i, w: 1 - right(j, i, w), "not\\* recognised"),
        "half": (lambda j, i, w: 0.5 * right(j, i, w), "divide by the number of images"),
    }
    for fn, fragment in wrongs.values():
        with pytest.raises(CheckFailed, match=fragment):
            check_gan_test_function(fn, Judge(), images, intended)
    with pytest.raises(CheckFailed, match="function itself"):
        check_gan_test_function(0.5, Judge(), images, intended)


def _minority(n=20):
    rng = np.random.default_rng(1)
    return rng.random((n, 28, 28, 1))


def _smote(minority, n_new, k, seed, *, neighbours=True, per_pixel=False, copies=False):
    rng = np.random.default_rng(seed)
    flat = minority.reshape(len(minority), -1)
    _, nbrs = NearestNeighbors(n_neighbors=k + 1).fit(flat).kneighbors(flat)
    start = rng.integers(0, len(flat), n_new)
    if neighbours:
        partner = nbrs[start, rng.integers(1, k + 1, n_new)]
    else:  # the farthest image instead of a near neighbour
        far = NearestNeighbors(n_neighbors=len(flat)).fit(flat).kneighbors(flat)[1][:, -1]
        partner = far[start]
    lam = rng.random((n_new, flat.shape[1] if per_pixel else 1))
    if copies:
        lam = np.zeros_like(lam)
    new = flat[start] + lam * (flat[partner] - flat[start])
    return new.reshape(n_new, *minority.shape[1:])


def test_smote_function_right_and_wrong(capsys):
    minority = _minority()
    check_smote_function(_smote, minority, n_new=30, k=5)
    assert "Correct" in capsys.readouterr().out
    cases = [
        (lambda m, n, k, s: _smote(m, n, k, s, neighbours=False), "not among"),
        (lambda m, n, k, s: _smote(m, n, k, s, per_pixel=True), "one lambda"),
        (lambda m, n, k, s: _smote(m, n, k, s, copies=True), "random oversampling"),
        (lambda m, n, k, s: _smote(m, n - 1, k, s), "shape"),
        (lambda m, n, k, s: 2 * _smote(m, n, k, s), "outside the range"),
        (lambda m, n, k, s: None, "returned nothing"),
    ]
    for fn, fragment in cases:
        with pytest.raises(CheckFailed, match=fragment):
            check_smote_function(fn, minority, n_new=30, k=5)


def test_smote_segments_matches_imbalanced_learn():
    from imblearn.over_sampling import SMOTE

    rng = np.random.default_rng(2)
    x = np.vstack([rng.normal(0, 1, (100, 5)), rng.normal(3, 0.5, (12, 5))])
    y = np.repeat([0, 1], [100, 12])
    x_res, _ = SMOTE(k_neighbors=5, random_state=0).fit_resample(x, y)
    new = x_res[len(x):]
    assert smote_segments(new, x[y == 1], k=5).all()
    assert not smote_segments(new + 0.5, x[y == 1], k=5).any()
    with pytest.raises(ValueError, match="two minority"):
        smote_segments(new, x[y == 1][:1])
