"""A message leaks an answer when it prints a number equal to it (as a fraction or a
percentage, to the few digits a message shows)."""

from __future__ import annotations

import math
import re

NUMBER = re.compile(r"[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def numbers_in(text: str) -> list[float]:
    out = []
    for token in NUMBER.findall(text):
        try:
            out.append(float(token.replace(",", "")))
        except ValueError:
            continue
    return out


def leaked(text: str, expected: float, *, allowed=(), rel: float = 5e-3) -> list[float]:
    """The numbers of ``text`` that show ``expected`` (and are not in ``allowed``)."""
    hits = []
    for x in numbers_in(text):
        if any(math.isclose(x, a, rel_tol=1e-4, abs_tol=1e-12) for a in allowed):  # shown to 6 digits
            continue
        for shown in (x, x / 100, -x):
            if math.isclose(shown, expected, rel_tol=rel, abs_tol=1e-12):
                hits.append(x)
    return hits


def assert_no_leak(text: str, *expected: float, allowed=()) -> None:
    for e in expected:
        hits = leaked(text, float(e), allowed=allowed)
        assert not hits, f"the message shows the expected value {e!r} as {hits}: {text!r}"
