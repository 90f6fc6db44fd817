"""Exercise checks that explain a wrong answer (introduced in chapter 0).

A check prints a short confirmation when the answer is right and raises
:class:`CheckFailed` (an ``AssertionError``) that says *what* is wrong otherwise: which
kind of mistake it looks like (a flipped sign, a percentage instead of a fraction, the test
split instead of the validation split, the wrong class). A check never prints the expected
value, neither after a wrong guess nor in its confirmation (the executed chapters are
published), and a write-a-function exercise refuses the book's own helper handed in as
the answer (:func:`reject_book_helper`).
"""

from __future__ import annotations

import functools
import math
import types
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from helpers.models import expected_initial_loss, initial_output_bias
from helpers.validation import as_binary_labels


class CheckFailed(AssertionError):
    """The answer is not right yet; the message says why."""


def _as_number(answer: Any, what: str) -> float:
    if answer is None or answer is Ellipsis:
        raise CheckFailed(f"No answer yet for {what}: replace the placeholder with your value.")
    try:
        value = float(np.asarray(answer).squeeze())
    except (TypeError, ValueError):
        raise CheckFailed(
            f"{what} should be a single number; got {type(answer).__name__} {answer!r}."
        ) from None
    if not math.isfinite(value):
        raise CheckFailed(f"{what} should be a finite number; got {value}.")
    return value


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def mistake_kind(value: float, expected: float, *, rtol: float = 0.01, atol: float = 1e-9) -> str | None:
    """The kind of slip that turns ``expected`` into ``value``, in words, or ``None``.

    Recognises a flipped sign, a percentage given for a fraction (and the reverse), an
    inverted ratio and an answer off by an order of magnitude or more, without saying what
    the right value is.
    """
    if expected != 0 and _close(value, -expected, rtol, atol):
        return "The sign is flipped: check which quantity goes first (numerator or minuend)."
    if _close(value, 100 * expected, rtol, atol) and not _close(value, expected, rtol, atol):
        return "That looks like a percentage: give a fraction (between 0 and 1 for a rate)."
    if _close(value, expected / 100, rtol, atol) and not _close(value, expected, rtol, atol):
        return "That looks like a fraction where a percentage, or a value 100 times larger, is asked."
    if expected != 0 and value != 0 and _close(value, 1 / expected, rtol, atol):
        return "That is the reciprocal: the ratio is upside down."
    if expected != 0 and value != 0 and (value > 0) != (expected > 0):
        return "The sign is wrong: check the direction of the ratio or the difference."
    if expected != 0 and value != 0:
        ratio = abs(value / expected)
        if ratio >= 10:
            return "That is off by an order of magnitude or more (far too large)."
        if ratio <= 0.1:
            return "That is off by an order of magnitude or more (far too small)."
    return None


def check_close(
    answer: Any,
    expected: float,
    *,
    what: str,
    rtol: float = 0.01,
    atol: float = 1e-9,
    mistakes: Sequence[tuple[float, str]] = (),
    hint: str = "",
) -> None:
    """Check a numeric answer; ``mistakes`` pairs known wrong values with an explanation.

    The messages never contain ``expected``: a wrong answer hears which known mistake it
    matches, else which kind of slip (:func:`mistake_kind`), else that it is not right yet
    (plus ``hint``, which must not give the value away either).
    """
    value = _as_number(answer, what)
    if _close(value, expected, rtol, atol):
        print(f"Correct: {what}.")
        return
    for wrong, explanation in mistakes:
        if _close(value, wrong, rtol, atol):
            raise CheckFailed(f"Not yet: {what} = {value:.6g}. {explanation}")
    kind = mistake_kind(value, expected, rtol=rtol, atol=atol)
    tail = f" {hint}" if hint else ""
    if kind:
        raise CheckFailed(f"Not yet: {what} = {value:.6g}. {kind}{tail}")
    raise CheckFailed(
        f"Not yet: {what} = {value:.6g} is not within {rtol:.2g} (relative) of the answer, and "
        f"it is none of the usual mistakes the check knows.{tail}"
    )


# --- the book's own helpers handed in as an answer ------------------------------------------

_MAX_DEPTH = 6


def _qualified_name(obj: Any) -> str | None:
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    if isinstance(module, str) and isinstance(name, str):
        return f"{module}.{name}"
    return None


def _matches(name: str | None, forbidden: Iterable[str]) -> bool:
    return name is not None and any(name == f or name.startswith(f + ".") for f in forbidden)


def _code_objects(code: types.CodeType) -> Iterable[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _referenced(fn: types.FunctionType) -> Iterable[Any]:
    """What a Python function can reach: globals and attributes it names, closure cells,
    default arguments."""
    names: set[str] = set()
    for code in _code_objects(fn.__code__):
        names.update(code.co_names)
    for cell in fn.__closure__ or ():
        try:
            yield cell.cell_contents
        except ValueError:  # an empty cell
            continue
    yield from fn.__defaults__ or ()
    yield from (fn.__kwdefaults__ or {}).values()
    namespace = fn.__globals__
    builtins = namespace.get("__builtins__")
    for name in names:
        if name in namespace:
            yield namespace[name]
        elif isinstance(builtins, dict) and name in builtins:
            continue
    # attributes reached from a module the function names: helpers.focal.focal_loss
    modules = [namespace[n] for n in names if isinstance(namespace.get(n), types.ModuleType)]
    for cell in fn.__closure__ or ():
        try:
            if isinstance(cell.cell_contents, types.ModuleType):
                modules.append(cell.cell_contents)
        except ValueError:
            continue
    seen: set[int] = set()
    while modules:
        module = modules.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        for name in names:
            value = vars(module).get(name)  # no lazy imports, no deprecation warnings
            if value is None:
                continue
            if isinstance(value, types.ModuleType):
                modules.append(value)
            else:
                yield value


def find_book_helper(fn: Any, forbidden: Iterable[str]) -> str | None:
    """The dotted name of a forbidden function that ``fn`` is, wraps or calls, or ``None``.

    ``forbidden`` holds dotted prefixes (``"helpers.focal"``, ``"imblearn"``,
    ``"helpers.evaluation.choose_threshold"``). ``fn`` itself, a ``functools.partial`` or
    ``functools.wraps`` wrapper, a bound method, a callable object, and the functions a
    lambda or ``def`` names (its globals, module attributes, closure and defaults, and the
    student's own functions it calls, a few levels deep) are all looked at. Any function of
    the book's ``helpers`` package handed in directly counts too.
    """
    forbidden = tuple(forbidden)
    seen: set[int] = set()

    def visit(obj: Any, depth: int, top: bool) -> str | None:
        if id(obj) in seen or depth > _MAX_DEPTH:
            return None
        seen.add(id(obj))
        while isinstance(obj, functools.partial):
            obj = obj.func
        if isinstance(obj, types.MethodType):
            obj = obj.__func__
        name = _qualified_name(obj)
        if _matches(name, forbidden) or (top and _matches(name, ("helpers",))):
            return name
        wrapped = getattr(obj, "__wrapped__", None)
        if wrapped is not None and not isinstance(obj, types.ModuleType):
            found = visit(wrapped, depth + 1, top)
            if found:
                return found
        if isinstance(obj, types.FunctionType):
            for ref in _referenced(obj):
                if isinstance(ref, types.ModuleType):
                    if _matches(ref.__name__, forbidden):
                        return ref.__name__
                    continue
                ref_name = _qualified_name(ref)
                if _matches(ref_name, forbidden):
                    return ref_name
                if isinstance(ref, (types.FunctionType, functools.partial, types.MethodType)):
                    found = visit(ref, depth + 1, False)
                    if found:
                        return found
        elif callable(obj) and not isinstance(obj, type):
            type_name = _qualified_name(type(obj))
            if _matches(type_name, forbidden) or (top and _matches(type_name, ("helpers",))):
                return type_name
            call = type(obj).__dict__.get("__call__")
            if isinstance(call, types.FunctionType):
                return visit(call, depth + 1, False)
        return None

    return visit(fn, 0, True)


def reject_book_helper(fn: Any, forbidden: Iterable[str], *, name: str) -> None:
    """Raise :class:`CheckFailed` if ``fn`` is, wraps or calls one of ``forbidden``
    (see :func:`find_book_helper`): the exercise asks the student to write it."""
    found = find_book_helper(fn, forbidden)
    if found:
        raise CheckFailed(
            f"{name} is, wraps or calls {found}, the book's own reference (or a library "
            "doing the same job): the exercise asks you to write it yourself. Replace it "
            "with your own code; the check then tests what you wrote."
        )


def check_no_skill_pr_auc(answer: Any, y: Any) -> None:
    """Exercise 0.1: the PR-AUC of a classifier with no skill is the positive rate."""
    labels = as_binary_labels(y)
    rate = float(labels.mean())
    check_close(
        answer,
        rate,
        what="the no-skill PR-AUC",
        rtol=0.05,
        mistakes=[
            (0.5, "0.5 is the no-skill ROC-AUC. A random ranking's precision is the fraction "
                  "of positives at every recall, so PR-AUC has a different baseline."),
            (1 - rate, "That is the fraction of negatives: precision counts positives among "
                       "the flagged examples."),
            (rate * 100, "That looks like a percentage: give a fraction between 0 and 1."),
        ],
    )


def check_output_bias(answer: Any, y_train: Any) -> None:
    """Exercise 0.2: the output bias ``log(pos/neg)`` for the training labels."""
    labels = as_binary_labels(y_train)
    pos = float(labels.sum())
    neg = float(labels.size - pos)
    check_close(
        answer,
        initial_output_bias(labels),
        what="the initial output bias",
        rtol=0.005,
        mistakes=[
            (math.log(neg / pos), "The sign is flipped: the ratio is positives over negatives, "
                                  "so the bias is negative for a rare positive class."),
            (pos / neg, "Take the logarithm: the bias lives on the logit scale."),
            (math.log(pos / (pos + neg)), "That is log(pos/total), the log of the rate; the "
                                          "logit of the rate is log(pos/neg)."),
            (math.log10(pos / neg), "Use the natural logarithm (np.log), not log10."),
        ],
    )


def check_initial_loss(answer: Any, y_train: Any) -> None:
    """Exercise 0.2: the expected initial cross-entropy with a careful bias."""
    labels = as_binary_labels(y_train)
    p = float(labels.mean())
    check_close(
        answer,
        expected_initial_loss(labels),
        what="the expected initial loss",
        rtol=0.01,
        mistakes=[
            (math.log(2), "log 2 is the loss of predicting 0.5, what a zero bias gives."),
            (-p * math.log(p), "You kept only the positives' term; negatives contribute "
                               "-(1 - p) log(1 - p) too."),
            (-(p * math.log2(p) + (1 - p) * math.log2(1 - p)),
             "That is in bits: Keras' cross-entropy uses natural logs."),
        ],
    )


def check_threshold_function(
    fn: Callable[[np.ndarray, np.ndarray, float], float],
    y_val: Any,
    p_val: Any,
    y_test: Any,
    p_test: Any,
    target: float,
) -> float:
    """Exercise 0.3: a function returning the lowest validation threshold reaching ``target`` precision.

    Checks it on a small hand-made case first, then on the chapter's validation data, and
    explains the answer it would give if it had peeked at the test split. Refuses
    :func:`helpers.evaluation.choose_threshold` (or a wrapper around it) as the function.
    Returns the threshold, so the chapter can go on with it.
    """
    from sklearn.metrics import precision_score

    from helpers.evaluation import choose_threshold

    if not callable(fn):
        raise CheckFailed("Pass your function itself, e.g. check_threshold_function(my_fn, ...).")
    reject_book_helper(fn, ("helpers.evaluation.choose_threshold",), name="threshold_for_precision")
    y_toy = np.array([0, 0, 1, 0, 1, 1])
    p_toy = np.array([0.1, 0.2, 0.3, 0.4, 0.8, 0.9])
    toy = _as_number(fn(y_toy, p_toy, 0.75), "your threshold on the toy case")
    if not math.isclose(toy, 0.3):
        got = precision_score(y_toy, p_toy >= toy, zero_division=0.0)
        where = (f"On labels {y_toy.tolist()} with scores {p_toy.tolist()} and target 0.75 you "
                 f"returned {toy:g}, where the precision is {got:.2f}")
        if got < 0.75:
            raise CheckFailed(f"{where}, below the target: keep only thresholds that meet it.")
        raise CheckFailed(
            f"{where}: it meets the target, but a lower threshold does too. Scan all "
            "candidate thresholds, keep those meeting the target, take the smallest."
        )
    value = _as_number(fn(np.asarray(y_val), np.asarray(p_val), target), "your threshold")
    expected = choose_threshold(y_val, p_val, objective="precision", min_precision=target)
    try:
        peeked = choose_threshold(y_test, p_test, objective="precision", min_precision=target)
    except ValueError:
        peeked = math.nan
    if math.isclose(value, expected, rel_tol=1e-6):
        print("Correct: the lowest threshold reaching the precision target, chosen on "
              "validation data.")
        return value
    if math.isclose(value, peeked, rel_tol=1e-6):
        raise CheckFailed(
            f"Your threshold {value:.4g} is the one the *test* split would choose. Choose it "
            "on (y_val, p_val): a threshold read off the test set makes test results optimistic."
        )
    reached = precision_score(np.asarray(y_val), np.asarray(p_val) >= value, zero_division=0.0)
    if reached < target:
        raise CheckFailed(
            f"At your threshold {value:.4g} the validation precision is {reached:.3f}, below "
            f"the target {target}: keep only thresholds whose precision reaches it."
        )
    raise CheckFailed(
        f"Your threshold {value:.4g} reaches the target on validation, but it is not the "
        "lowest one that does: check that you take the smallest threshold meeting the target."
    )
