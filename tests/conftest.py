"""Unit tests never see the machine's data mirror: each test sets up the data it needs.

The strict book build is made once per test session (``built_book_html``) and shared by
the build checks and the browser test.
"""

import subprocess
import sys

import pytest

from tests._paths import ROOT


@pytest.fixture(autouse=True)
def _no_data_mirror(monkeypatch):
    monkeypatch.delenv("IMBALANCED_BOOK_MIRROR", raising=False)


@pytest.fixture(scope="session")
def built_book_html(tmp_path_factory):
    """The HTML folder of one strict build of the book (tools/build_book.py)."""
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_book.py"), "--out", str(out)],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return out / "_build" / "html"
