"""The stored book says which data it ran on, and says it consistently.

The stored chapters are executed on the real data (``tools/_common.STORED_DATA_SOURCE``);
the offline stand-in stays tested by executing one fraud chapter on it end to end.
"""

from __future__ import annotations

import json
import os
import sys

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from tests._paths import CHAPTERS, ROOT, chapter_sources

sys.path.insert(0, str(ROOT / "tools"))
from _common import STORED_DATA_SOURCE  # noqa: E402

SOURCES = chapter_sources()
FRAUD = [md for md in SOURCES if "load_creditcard(" in md.read_text()]
DIGITS = [md for md in SOURCES if "load_mnist(" in md.read_text()]
STAND_IN_CHAPTER = "00_measuring_imbalance"


def _data_lines(nb) -> list[str]:
    return [line for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream"
            for line in o.text.splitlines() if line.startswith("Data: ")]


def _stored_line(md) -> str:
    lines = _data_lines(nbformat.read(md.with_suffix(".ipynb"), as_version=4))
    assert lines, f"{md.stem} prints no Data: line"
    return lines[0]


def test_the_fraud_chapters_agree_about_their_data():
    assert FRAUD and DIGITS
    kinds = {md.stem: _stored_line(md).split(",")[0] for md in FRAUD}
    assert len(set(kinds.values())) == 1, f"stored fraud chapters disagree: {kinds}"


def test_the_stored_book_ran_on_the_configured_data():
    assert STORED_DATA_SOURCE in ("real", "surrogate")
    for md in FRAUD:
        line = _stored_line(md)
        if STORED_DATA_SOURCE == "real":
            assert line.startswith("Data: REAL credit-card"), f"{md.stem}: {line}"
        else:
            assert "OFFLINE SURROGATE" in line, f"{md.stem}: {line}"
    for md in DIGITS:
        line = _stored_line(md)
        assert line.startswith("Data: REAL MNIST, full set") == (STORED_DATA_SOURCE == "real"), line


def test_the_statistics_page_shows_each_chapters_data_line():
    stats = json.loads((ROOT / "appendix" / "execution_stats.json").read_text())
    for md in FRAUD + DIGITS:
        assert stats[md.stem]["data"] in _stored_line(md), md.stem
        if STORED_DATA_SOURCE == "real":
            assert stats[md.stem]["data"].startswith("REAL"), md.stem


@pytest.mark.slow
def test_a_fraud_chapter_still_runs_end_to_end_on_the_offline_stand_in(monkeypatch):
    """The fallback a reader without a network gets: the chapter's own assertions must hold."""
    monkeypatch.setenv("IMBALANCED_BOOK_DATA_SOURCE", "surrogate")
    monkeypatch.delenv("IMBALANCED_BOOK_MIRROR", raising=False)
    assert os.environ["IMBALANCED_BOOK_DATA_SOURCE"] == "surrogate"
    nb = jupytext.read(CHAPTERS / f"{STAND_IN_CHAPTER}.md")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(CHAPTERS)}}).execute()
    lines = _data_lines(nb)
    assert lines and "OFFLINE SURROGATE" in lines[0], lines
