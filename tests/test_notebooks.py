"""Pairing and execution hygiene of every chapter notebook.

A chapter's .ipynb must hold the same code as its .md, be executed top to bottom in
one kernel, store no error, stay small, and satisfy the chapter standard's structure.
"""

import json
import re

import jupytext
import nbformat
import pytest

from tests._paths import CHAPTERS, ROOT, chapter_sources

SOURCES = chapter_sources()
IDS = [p.stem for p in SOURCES]


def _code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _notebook(md):
    path = md.with_suffix(".ipynb")
    assert path.exists(), f"{path.name} is missing: run `make execute CHAPTER={md.stem}`"
    return nbformat.read(path, as_version=4)


def test_there_is_at_least_one_chapter():
    assert SOURCES, "no paired chapter sources found in chapters/"


def test_no_notebook_without_source():
    orphans = {p.stem for p in CHAPTERS.glob("*.ipynb")} - {p.stem for p in SOURCES}
    assert not orphans, f"notebooks without a paired .md: {sorted(orphans)}; `make execute` removes them"


@pytest.mark.parametrize("md", SOURCES, ids=IDS)
def test_code_matches_source(md):
    assert _code(jupytext.read(md)) == _code(_notebook(md)), (
        f"{md.stem}.ipynb differs from {md.name}: run `make execute CHAPTER={md.stem}`"
    )


@pytest.mark.parametrize("md", SOURCES, ids=IDS)
def test_executed_top_to_bottom_without_errors(md):
    nb = _notebook(md)
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), f"execution counts {counts} are not 1..n"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"stored error output: {errors[0].get('ename')}: {errors[0].get('evalue')}"


@pytest.mark.parametrize("md", SOURCES, ids=IDS)
def test_outputs_are_compact(md):
    path = md.with_suffix(".ipynb")
    assert path.stat().st_size < 2 * 2**20, f"{path.name} is over 2 MB"
    for cell in _notebook(md).cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "")
            assert "\r" not in text and text.count("\n") < 60, (
                "a cell prints progress bars or long logs; use helpers.training.compact_progress"
            )


@pytest.mark.parametrize("md", SOURCES, ids=IDS)
def test_says_which_data_it_used(md):
    nb = _notebook(md)
    lines = [line for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream"
             for line in o.text.splitlines()]
    assert any(line.startswith("Data: ") for line in lines), "print(data.describe()) near the top"
    assert any(line.startswith("Versions: ") for line in lines), "print(versions_line()) near the top"


def _glued_keys(nb) -> set[str]:
    keys = set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "display_data":
                keys.update(out.get("metadata", {}).get("scrapbook", {}).get("name", "").split() or [])
    return keys


@pytest.mark.parametrize("md", SOURCES, ids=IDS)
def test_every_glue_reference_is_glued(md):
    text = md.read_text()
    used = set(re.findall(r"\{glue(?::\w+)?\}`([\w.-]+)(?::[^`]*)?`", text))
    glued = _glued_keys(_notebook(md))
    missing = sorted(used - glued)
    assert not missing, f"prose glues names no cell stores: {missing}"


@pytest.mark.parametrize("md", SOURCES, ids=IDS)
def test_exercises_have_gated_solutions_and_checks(md):
    nb = jupytext.read(md)
    text = md.read_text()
    n_ex = len(re.findall(r"```\{exercise\}", text))
    assert 2 <= n_ex <= 4, f"{n_ex} exercises; the chapter standard asks for 2 to 4"
    assert len(re.findall(r"```\{solution-start\}", text)) == n_ex
    assert len(re.findall(r"```\{solution-end\}", text)) == n_ex
    # after every solution-end, the next code cell runs a check from helpers.checks
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and "{solution-end}" in cell.source:
            nxt = next(c for c in cells[i + 1:] if c.cell_type == "code")
            assert "checks.check_" in nxt.source, "a solution is not followed by its check"


@pytest.mark.parametrize("md", SOURCES, ids=IDS)
def test_has_check_output_markers(md):
    assert "# NBVAL_CHECK_OUTPUT" in md.read_text(), "mark outputs that must not drift"


def test_execution_statistics_cover_every_chapter():
    stats = json.loads((ROOT / "appendix" / "execution_stats.json").read_text())
    assert set(stats) == set(IDS), "run `make execute` to record every chapter"
    for name, record in stats.items():
        assert record["seconds"] > 0 and record["peak_memory_mib"] > 0, name
