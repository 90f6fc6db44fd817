"""Exercise checks for chapter 5, *GAN-based oversampling*, and the SMOTE segment test.

Same contract as :mod:`helpers.checks`: a short confirmation when the answer is right,
otherwise :class:`~helpers.checks.CheckFailed` saying *what* is wrong, naming the usual
mistake when the answer matches one. :func:`smote_segments` is also used in the chapter
to confirm that imbalanced-learn's SMOTE images are the interpolations the text describes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.checks import CheckFailed, check_close, reject_book_helper

__all__ = [
    "check_gan_test_function",
    "check_minority_class_weight",
    "check_smote_function",
    "smote_segments",
]


def check_minority_class_weight(answer: Any, y_train: Any, digit: int) -> None:
    """Exercise 5.1: the ``"balanced"`` class weight of ``digit`` for labels ``y_train``."""
    y = np.asarray(y_train)
    counts = np.bincount(y, minlength=10)
    n_classes = int(np.count_nonzero(counts))
    n_c = int(counts[digit])
    if n_c == 0:
        raise ValueError(f"digit {digit} does not occur in y_train.")
    expected = y.size / (n_classes * n_c)
    majority = int(counts.max())
    check_close(
        answer, expected, what=f"the class weight of digit {digit}", rtol=0.005,
        mistakes=[
            (y.size / (2 * n_c), "That is the two-class formula total / (2 n_c); with ten "
                                 "classes the denominator is 10 n_c."),
            (y.size / n_c, "Divide by the number of classes as well: total / (classes x n_c)."),
            (majority / n_c, "That is the majority-to-minority ratio, the replication "
                             "factor of random oversampling, not the balanced weight."),
            (n_c / y.size, "Inverted: the weight is total / (classes x n_c), large for a "
                           "rare digit."),
            (1 / n_c, "That is 1 / n_c alone; scale it by total / classes."),
        ],
    )


def _predicted_labels(judge: Any, images: np.ndarray) -> np.ndarray:
    return np.asarray(judge.predict(images, verbose=0)).argmax(axis=1)


class _FixedJudge:
    """A stand-in classifier: returns fixed logits, whatever the images."""

    def __init__(self, logits: np.ndarray) -> None:
        self.logits = logits

    def predict(self, images: Any, verbose: int = 0, **_: Any) -> np.ndarray:
        return self.logits[: len(images)]


def check_gan_test_function(fn: Callable[[Any, Any, Any], float], judge: Any, images: Any,
                            intended: Any) -> float:
    """Exercise 5.2: ``fn(judge, images, intended)`` returns the fraction recognised as intended.

    Tried first on a stand-in judge with known logits, then on the chapter's judge and
    generated images.
    """
    if not callable(fn):
        raise CheckFailed("Pass your function itself, e.g. check_gan_test_function(gan_test, ...).")
    reject_book_helper(fn, ("helpers.gan", "helpers.checks_gan"), name="gan_test")
    logits = np.array([[0.1, 2.0, 0.3], [3.0, 0.0, 0.2], [0.0, 0.1, 0.5], [0.2, 0.9, 0.1]])
    toy_intended = np.array([1, 1, 2, 1])
    toy_images = np.zeros((4, 28, 28, 1), np.float32)
    got = fn(_FixedJudge(logits), toy_images, toy_intended)
    if got is None or got is Ellipsis:
        raise CheckFailed("Your function returned nothing: return the fraction as a number.")
    try:
        value = float(np.asarray(got).squeeze())
    except (TypeError, ValueError):
        raise CheckFailed(f"Return one number (a fraction); got {type(got).__name__}.") from None
    if np.isclose(value, 3.0):
        raise CheckFailed("You returned the count (3 of 4); divide by the number of images.")
    if np.isclose(value, 75.0):
        raise CheckFailed("You returned a percentage; return a fraction between 0 and 1.")
    if np.isclose(value, np.mean(logits[np.arange(4), toy_intended])):
        raise CheckFailed("You averaged the judge's raw outputs for the intended digit; take the "
                          "predicted digit (argmax over the ten outputs) and compare it with the "
                          "intended one.")
    if np.isclose(value, 0.25):
        raise CheckFailed("On a toy judge your function returned the fraction *not* recognised "
                          "as intended: count the images whose predicted digit equals the "
                          "intended one.")
    if not np.isclose(value, 0.75):
        raise CheckFailed(f"On a toy judge whose predicted digits are [1, 0, 2, 1] for intended "
                          f"[1, 1, 2, 1] your function returned {value:.4g}: count the images "
                          "whose predicted digit (argmax) equals the intended digit, and divide "
                          "by the number of images.")
    x = np.asarray(images)
    expected = float(np.mean(_predicted_labels(judge, x) == np.asarray(intended)))
    check_close(fn(judge, x, intended), expected, what="the GAN-test score", rtol=1e-6,
                atol=1e-9)
    return expected


def smote_segments(synthetic: Any, minority: Any, k: int = 5,
                   tol: float = 1e-4) -> np.ndarray:
    """For each synthetic image, whether it lies on a segment from a minority image to one of
    its ``k`` nearest minority neighbours (Euclidean distance over pixels).

    That is SMOTE's construction: ``x_i + lambda (x_j - x_i)`` with ``lambda`` in [0, 1].
    Images may have any shape; they are flattened. Returns a boolean array.
    """
    from sklearn.neighbors import NearestNeighbors

    s = np.asarray(synthetic, dtype=np.float64).reshape(len(synthetic), -1)
    m = np.asarray(minority, dtype=np.float64).reshape(len(minority), -1)
    if s.shape[1] != m.shape[1]:
        raise ValueError("synthetic and minority images differ in size.")
    k = min(k, len(m) - 1)
    if k < 1:
        raise ValueError("need at least two minority images.")
    _, nbrs = NearestNeighbors(n_neighbors=k + 1).fit(m).kneighbors(m)
    starts = np.repeat(np.arange(len(m)), k)
    ends = nbrs[:, 1:].ravel()
    a, d = m[starts], m[ends] - m[starts]  # (pairs, pixels)
    dd = np.einsum("ij,ij->i", d, d)
    ok = np.zeros(len(s), dtype=bool)
    scale = max(1.0, float(np.abs(m).max()))
    for n, point in enumerate(s):
        rel = point - a
        lam = np.where(dd > 0, np.einsum("ij,ij->i", rel, d) / np.where(dd > 0, dd, 1), 0.0)
        lam = np.clip(lam, 0.0, 1.0)
        residual = np.abs(rel - lam[:, None] * d).max(axis=1)
        ok[n] = bool(np.any(residual <= tol * scale))
    return ok


def check_smote_function(fn: Callable[..., Any], minority: Any, *, n_new: int = 40,
                         k: int = 5, seed: int = 0) -> None:
    """Exercise 5.3: ``fn(minority, n_new, k, seed)`` returns ``n_new`` SMOTE images.

    Every new image must lie on a segment between a minority image and one of its ``k``
    nearest minority neighbours, have the minority images' shape, and the images must not
    all be copies of the originals.
    """
    if not callable(fn):
        raise CheckFailed("Pass your function itself, e.g. check_smote_function(my_smote, ...).")
    reject_book_helper(fn, ("helpers.gan", "helpers.checks_gan", "imblearn"), name="my_smote")
    m = np.asarray(minority, dtype=np.float64)
    out = fn(m, n_new, k, seed)
    if out is None or out is Ellipsis:
        raise CheckFailed("Your function returned nothing: return the array of new images.")
    out = np.asarray(out, dtype=np.float64)
    if out.shape != (n_new, *m.shape[1:]):
        raise CheckFailed(f"Expected {n_new} images of shape {m.shape[1:]}, i.e. an array of shape "
                          f"{(n_new, *m.shape[1:])}; got {out.shape}.")
    if out.min() < m.min() - 1e-9 or out.max() > m.max() + 1e-9:
        raise CheckFailed("Some pixels fall outside the range of the minority images: lambda must "
                          "lie in [0, 1], so every new pixel lies between two existing ones.")
    flat_m = m.reshape(len(m), -1)
    copies = np.array([np.any(np.abs(flat_m - o).max(axis=1) < 1e-9)
                       for o in out.reshape(n_new, -1)])
    if copies.all():
        raise CheckFailed("Every new image is a copy of a minority image: that is random "
                          "oversampling. Draw lambda from U(0, 1) and move part of the way to a "
                          "neighbour.")
    on_segment = smote_segments(out, m, k=k)
    if on_segment.all():
        print(f"Correct: all {n_new} images lie between a minority image and one of its "
              f"{k} nearest neighbours ({int(copies.sum())} coincide with an original).")
        return
    on_any = smote_segments(out, m, k=len(m) - 1)
    bad = int((~on_segment).sum())
    if on_any.all():
        raise CheckFailed(f"{bad} of {n_new} images interpolate towards a minority image that is "
                          f"not among the start image's {k} nearest neighbours: find neighbours with "
                          "NearestNeighbors(n_neighbors=k + 1) and skip the first (the image "
                          "itself).")
    raise CheckFailed(f"{bad} of {n_new} images do not lie on a segment between two minority "
                      "images: each new image is x_i + lambda * (x_j - x_i), one lambda in [0, 1] "
                      "for all pixels of the image.")
