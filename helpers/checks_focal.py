"""Exercise checks for chapter 4, *Focal loss*.

Same contract as :mod:`helpers.checks`: a short confirmation when the answer is right,
otherwise :class:`~helpers.checks.CheckFailed` saying *what* is wrong, naming the usual
mistake when the answer matches one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.checks import CheckFailed, check_close, reject_book_helper
from helpers.focal import alpha_for_ratio, focal_loss, focal_minimiser
from helpers.validation import as_binary_labels

__all__ = [
    "check_focal_constant",
    "check_focal_function",
    "check_positive_weighting",
]


def _loss_config(answer: Any) -> dict[str, Any]:
    if answer is None or answer is Ellipsis:
        raise CheckFailed("No answer yet: build a keras.losses.BinaryFocalCrossentropy(...).")
    if isinstance(answer, dict):
        return answer
    get_config = getattr(answer, "get_config", None)
    if get_config is None:
        raise CheckFailed(
            f"Expected a keras.losses.BinaryFocalCrossentropy object; got {type(answer).__name__}."
        )
    config = get_config()
    if "apply_class_balancing" not in config:
        raise CheckFailed(
            f"That is a {type(answer).__name__}, not a BinaryFocalCrossentropy: it has no "
            "apply_class_balancing argument."
        )
    return config


def check_positive_weighting(answer: Any, ratio: float = 3.0, gamma: float = 2.0) -> None:
    """Exercise 4.1: a Keras focal loss whose positives weigh ``ratio`` times its negatives."""
    config = _loss_config(answer)
    expected = alpha_for_ratio(ratio)
    alpha = float(config.get("alpha", 0.25))
    if not config.get("apply_class_balancing", False):
        raise CheckFailed(
            f"apply_class_balancing is False, so Keras ignores alpha = {alpha:g} and weighs both "
            "classes equally. Pass apply_class_balancing=True."
        )
    if not math.isclose(float(config.get("gamma", 2.0)), gamma):
        raise CheckFailed(
            f"gamma is {config.get('gamma')}; keep gamma = {gamma:g} and change alpha only."
        )
    if math.isclose(alpha, expected, rel_tol=1e-3):
        print(f"Correct: positives weigh {ratio:g} times as much as negatives, with gamma = "
              f"{gamma:g} and class balancing on.")
        return
    if not 0 < alpha < 1:
        raise CheckFailed(
            f"alpha = {alpha:g} is not a weight in (0, 1): class 0 would get 1 - alpha = "
            f"{1 - alpha:g}. alpha is the weight of class 1, not the ratio of the two weights."
        )
    if math.isclose(alpha, 1 - expected, rel_tol=1e-3):
        raise CheckFailed(
            f"alpha = {alpha:g} weighs positives {alpha / (1 - alpha):.3g} times the negatives, "
            "the wrong way round: in Keras alpha is the weight of class 1 (the positives) and "
            "1 - alpha that of class 0."
        )
    if math.isclose(alpha, 1 / ratio, rel_tol=1e-3):
        raise CheckFailed(
            f"alpha = {alpha:g} gives a weight ratio of {alpha / (1 - alpha):.3g}, not {ratio:g}. "
            "Solve alpha / (1 - alpha) = ratio for alpha."
        )
    raise CheckFailed(
        f"alpha = {alpha:g} gives positives {alpha / (1 - alpha):.3g} times the weight of "
        f"negatives; the exercise asks for {ratio:g}. Solve alpha / (1 - alpha) = {ratio:g}."
    )


def check_focal_constant(
    answer: Any, y_train: Any, gamma: float, alpha: float | None = None
) -> None:
    """Exercise 4.2: the constant prediction that minimises the focal loss on ``y_train``."""
    labels = as_binary_labels(y_train, "y_train")
    rate = float(labels.mean())
    expected = float(focal_minimiser(rate, gamma, alpha))
    mistakes = [
        (
            rate,
            "That is the positive rate, the best constant for cross-entropy (gamma = 0). "
            "The focal factor changes where the minimum lies.",
        ),
        (0.5, "0.5 is what a zero output bias predicts, not the minimum of the loss."),
        (
            math.log(expected / (1 - expected)),
            "That is the logit (the output bias); give the probability the sigmoid outputs.",
        ),
    ]
    for g in (0.0, 1.0, 2.0, 5.0):
        if not math.isclose(g, gamma):
            mistakes.append(
                (
                    float(focal_minimiser(rate, g, alpha)),
                    f"That is the best constant for gamma = {g:g}, not {gamma:g}.",
                )
            )
    if alpha is None:
        mistakes.append(
            (
                float(focal_minimiser(rate, gamma, 0.25)),
                "That is the minimum with alpha = 0.25 class balancing; the exercise "
                "uses no class balancing (Keras' default).",
            )
        )
    check_close(
        answer,
        expected,
        what=f"the best constant prediction for gamma = {gamma:g}",
        rtol=0.03,
        mistakes=[(w, m) for w, m in mistakes if not math.isclose(w, expected, rel_tol=0.03)],
    )


_GRID_P = np.array([0.0, 1e-9, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0])


def _close(got: np.ndarray, ref: np.ndarray, p: np.ndarray) -> bool:
    """Tight agreement inside (0, 1); at p = 0 or 1 only the clipping convention may differ
    (Keras clips in float32, a NumPy answer in float64: 15.94 against 16.12 nats)."""
    edge = (p == 0) | (p == 1)
    return bool(
        np.allclose(got[~edge], ref[~edge], rtol=1e-4, atol=1e-6)
        and np.allclose(got[edge], ref[edge], rtol=0.02, atol=1e-6)
    )


def _cases() -> list[tuple[np.ndarray, np.ndarray, float, float | None]]:
    y = np.repeat([0.0, 1.0], _GRID_P.size)
    p = np.tile(_GRID_P, 2)
    return [(y, p, g, a) for g in (0.0, 1.0, 2.0, 5.0) for a in (None, 0.25, 0.8)]


def _wrong_variants(
    y: np.ndarray, p: np.ndarray, g: float, a: float | None
) -> list[tuple[np.ndarray, str]]:
    variants = []
    if a is not None:
        variants.append(
            (
                focal_loss(y, p, g, 1 - a),
                "alpha weights the wrong class: class 1 (positives) gets alpha, class 0 "
                "gets 1 - alpha.",
            )
        )
        variants.append(
            (focal_loss(y, p, g, None), "alpha is ignored: with alpha given, multiply by alpha_t.")
        )
    if g > 0:
        q = np.clip(p, 1e-7, 1 - 1e-7)
        log_pt = np.where(y == 1, np.log(q), np.log1p(-q))
        variants.append(
            (
                -(np.where(y == 1, a or 1.0, 1 - a if a else 1.0)) * (1 - p) ** g * log_pt,
                "the focal factor uses (1 - p)**gamma for both classes; it must be "
                "(1 - p_t)**gamma, i.e. p**gamma for a negative.",
            )
        )
        variants.append(
            (focal_loss(y, p, 0.0, a), "gamma is ignored: that is (alpha-balanced) cross-entropy.")
        )
    return variants


def check_focal_function(fn: Callable[..., Any]) -> None:
    """Exercise 4.3: ``fn(y, p, gamma, alpha)`` returns per-example focal losses like Keras."""
    if fn is None or not callable(fn):
        raise CheckFailed("Define a function my_focal_loss(y, p, gamma, alpha) first.")
    reject_book_helper(fn, ("helpers.focal", "keras.losses", "keras.src.losses", "tensorflow.keras.losses"), name="my_focal_loss")
    for y, p, g, a in _cases():
        try:
            got = fn(y.copy(), p.copy(), g, a)
        except Exception as err:  # noqa: BLE001 - report any failure to the student
            raise CheckFailed(
                f"my_focal_loss(y, p, gamma={g:g}, alpha={a}) raised {type(err).__name__}: {err}"
            ) from None
        if got is None:
            raise CheckFailed("my_focal_loss returned None: return the array of losses.")
        got = np.asarray(got, dtype=np.float64)
        expected = focal_loss(y, p, g, a)
        if got.shape != expected.shape:
            if got.size == 1:
                raise CheckFailed(
                    "my_focal_loss returned one number; return one loss per example "
                    "(do not average)."
                )
            raise CheckFailed(
                f"my_focal_loss returned shape {got.shape}; expected {expected.shape}."
            )
        if not np.all(np.isfinite(got)):
            raise CheckFailed(
                f"my_focal_loss gives inf or nan for gamma={g:g}, alpha={a} at "
                "p = 0 or 1: clip p to [1e-7, 1 - 1e-7] inside the log, as Keras does."
            )
        if _close(got, expected, p):
            continue
        for wrong, message in _wrong_variants(y, p, g, a):
            if _close(got, wrong, p):
                raise CheckFailed(f"Not yet (gamma={g:g}, alpha={a}): {message}")
        worst = int(np.argmax(np.abs(got - expected)))
        side = "too large" if got[worst] > expected[worst] else "too small"
        raise CheckFailed(
            f"Not yet (gamma={g:g}, alpha={a}): for y={y[worst]:g}, p={p[worst]:g} your loss "
            f"{got[worst]:.6g} is {side}, and the error matches none of the usual mistakes. "
            "Compare each factor with -alpha_t (1 - p_t)**gamma log(p_t)."
        )
    print(f"Correct: your focal loss matches Keras on {len(_cases())} settings of gamma and alpha.")
