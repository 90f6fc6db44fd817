"""Glue for prose numbers and the run's provenance line (introduced in chapter 0).

Every number in the book's prose is glued from a computed value with :func:`glue_number`,
which casts NumPy scalars to plain Python numbers first (myst-nb stores their repr).
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

import numpy as np


def _plain(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    raise ValueError(
        f"glue_number takes a number or a string; got {type(value).__name__}. "
        "Glue figures with myst_nb.glue directly."
    )


def glue_number(name: str, value: Any) -> None:
    """Store ``value`` (as a plain int/float/str) under ``name`` for ``{glue:text}`` in prose.

    Returns nothing, so a glue call at the end of a cell prints nothing. Without myst-nb
    (for example in Colab) it only checks the value, and the notebook still runs.
    """
    plain = _plain(value)
    try:
        from myst_nb import glue
    except ImportError:  # pragma: no cover - Colab without myst-nb
        return
    glue(name, plain, display=False)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def scientific_text(value: float, digits: int = 1) -> str:
    """A small or large number as prose writes it: ``4.7e-05`` becomes ``"4.7 × 10⁻⁵"``.

    Numbers from 0.0001 to 10,000 are written plainly (``"0.27"``); introduced in chapter 3.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"scientific_text takes a number; got {value!r}.")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits must be a non-negative integer; got {digits!r}.")
    x = float(value)
    if not np.isfinite(x):
        raise ValueError(f"scientific_text takes a finite number; got {value!r}.")
    if x == 0 or 1e-4 <= abs(x) < 1e4:
        return f"{x:.{digits + 1}g}"
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    power = f"10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return power if mantissa in ("1", "1." + "0" * digits) else f"{mantissa} × {power}"


def versions_line(packages: tuple[str, ...] = ("tensorflow", "keras", "scikit-learn", "imbalanced-learn", "numpy", "pandas")) -> str:
    """One line naming Python and the installed versions of the libraries a chapter uses."""
    parts = [f"Python {platform.python_version()}"]
    for name in packages:
        candidates = (name, f"{name}-cpu") if name == "tensorflow" else (name,)
        for dist in candidates:
            try:
                parts.append(f"{name} {metadata.version(dist)}")
                break
            except metadata.PackageNotFoundError:
                continue
        else:
            parts.append(f"{name} (not installed)")
    return "Versions: " + ", ".join(parts)
