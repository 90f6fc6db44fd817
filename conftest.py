"""Which data the notebook tests (nbval over ``chapters/*.ipynb``) can use.

The stored chapters were executed on the real data. Re-executing them on the offline
stand-in would compare stand-in outputs with real ones, so a chapter that loads the real
fraud data or MNIST is skipped, with one line saying why, when the real data cannot be
had here (no mirror, no cached file, no network). Everything else still runs.
"""

from __future__ import annotations

import os
import urllib.request
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
REAL_DATA_CALLS = ("load_creditcard(", "load_mnist(")


@cache
def real_data_status() -> tuple[bool, str]:
    """(available, one line saying where the real data comes from, or why not)."""
    from helpers.data import CREDITCARD, CREDITCARD_URL, data_dir, mirror_dir

    source = os.environ.get("IMBALANCED_BOOK_DATA_SOURCE", "").strip().lower()
    if source == "surrogate":
        return False, "IMBALANCED_BOOK_DATA_SOURCE=surrogate"
    mirror = mirror_dir()
    if mirror is not None:
        return True, f"real data from the local mirror {mirror}"
    if (data_dir() / CREDITCARD.filename).exists():
        return True, f"real fraud data from the cache {data_dir()}"
    try:
        with urllib.request.urlopen(
            urllib.request.Request(CREDITCARD_URL, method="HEAD"), timeout=5
        ):
            return True, "real data downloaded on first use"
    except Exception as exc:  # noqa: BLE001 - any failure means: no real data here
        return False, f"no local mirror, no cached file and no network ({type(exc).__name__})"


def needs_real_data(path: Path) -> bool:
    md = path.with_suffix(".md")
    text = md.read_text(encoding="utf-8") if md.exists() else ""
    return any(call in text for call in REAL_DATA_CALLS)


def pytest_report_header(config):
    available, why = real_data_status()
    if available:
        return f"Data: {why}; the stored chapters are re-executed on it."
    return (f"Data: {why}: the chapters that need the real data are skipped; "
            "the offline stand-in test and everything else still run.")


def pytest_collection_modifyitems(config, items):
    available, why = real_data_status()
    if available:
        return
    skip = pytest.mark.skip(reason=f"needs the real data ({why})")
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb" and path.parent.name == "chapters" and needs_real_data(path):
            item.add_marker(skip)
