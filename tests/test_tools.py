"""The tools behind `make execute` and `make student`."""

import subprocess
import sys
import time

import nbformat
import pytest

from tests._paths import ROOT, chapter_sources

sys.path.insert(0, str(ROOT / "tools"))
import execute  # noqa: E402
from execute import PeakMemory  # noqa: E402
from strip_solutions import strip  # noqa: E402


def test_peak_memory_sees_a_child_process():
    with PeakMemory() as mem:
        proc = subprocess.Popen(
            [sys.executable, "-c", "import time; b = bytearray(300 * 2**20); time.sleep(1.0)"]
        )
        proc.wait()
        time.sleep(0.2)
    assert mem.peak > 250 * 2**20


def _md(text):
    return nbformat.v4.new_markdown_cell(text)


def test_strip_removes_solutions_and_keeps_checks():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _md("```{exercise} E\n:label: e\n```"),
        nbformat.v4.new_code_cell("answer = None", execution_count=3),
        _md("```{solution-start} e\n```"),
        nbformat.v4.new_code_cell("answer = 42"),
        _md("```{solution-end}\n```"),
        nbformat.v4.new_code_cell("check(answer)"),
    ]
    student, removed = strip(nb)
    sources = [c.source for c in student.cells]
    assert removed == 1
    assert "answer = 42" not in sources and "check(answer)" in sources
    assert all(c.execution_count is None for c in student.cells if c.cell_type == "code")


def test_strip_rejects_unbalanced_markers():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_md("```{solution-start} e\n```")]
    with pytest.raises(ValueError, match="never closed"):
        strip(nb)


@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_student_version_of_each_chapter(md):
    nb = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    student, removed = strip(nb)
    assert removed == md.read_text().count("```{solution-start}")
    assert not any("{solution" in c.source for c in student.cells)


def test_concurrent_stats_updates_lose_no_chapter(tmp_path, monkeypatch):
    """Two `make execute` runs at once must not drop each other's statistics."""
    import threading

    monkeypatch.setattr(execute, "STATS_JSON", tmp_path / "stats.json")
    monkeypatch.setattr(execute, "STATS_PAGE", tmp_path / "stats.md")
    names = [f"{i:02d}_chapter" for i in range(8)]
    record = {"seconds": 1, "peak_memory_mib": 2, "notebook_kib": 3, "data": "d",
              "executed": "today", "machine": "m"}
    threads = [threading.Thread(target=execute.update_stats, args=(set(names), n, record))
               for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    import json

    assert sorted(json.loads((tmp_path / "stats.json").read_text())) == names
    page = (tmp_path / "stats.md").read_text()
    assert all(f"| {n} |" in page for n in names)
    execute.update_stats({"00_chapter"})  # a chapter whose source is gone is dropped
    assert sorted(json.loads((tmp_path / "stats.json").read_text())) == ["00_chapter"]


def test_rerun_reseeds_the_seed_lines_only():
    import rerun

    src = "x = 1\nSEED = 42\nSEEDS = (0, 1, 2)  # three seeds\nMY_SEED = 42\n"
    out = rerun.reseed(src, 7, (8, 9, 10))
    assert "SEED = 7  # changed by tools/rerun.py" in out
    assert "SEEDS = (8, 9, 10)  # three seeds" in out and "MY_SEED = 42" in out
    assert rerun.reseed("SEED = 42\n", 3, (4,)) == "SEED = 3  # changed by tools/rerun.py\n"
    with pytest.raises(ValueError, match="exactly once"):
        rerun.reseed("seed = 42\n", 7, None)
    with pytest.raises(ValueError, match="non-negative"):
        rerun.reseed(src, -1, None)


@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_every_chapter_can_be_reseeded(md):
    import rerun

    assert "changed by tools/rerun.py" in rerun.reseed(md.read_text(encoding="utf-8"), 7, None)


def test_rerun_reads_glued_texts_from_a_stored_chapter():
    import rerun

    nb = nbformat.read(ROOT / "chapters" / "01_class_weights.ipynb", as_version=4)
    texts = rerun.glued_texts(nb)
    assert texts["data_source"] == "the real credit-card data"
    assert all(isinstance(v, str) for v in texts.values())
