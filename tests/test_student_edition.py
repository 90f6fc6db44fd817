"""`make student`: what the student edition of every chapter keeps, drops and labels."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from tests._paths import ROOT, chapter_sources

sys.path.insert(0, str(ROOT / "tools"))
from strip_solutions import (  # noqa: E402
    META,
    TAG_ANSWER,
    TAG_CHECK,
    TAG_RAISES,
    dangling_names,
    find_exercises,
    solved_edition,
    student_edition,
)


def _edition(md):
    teacher = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    return teacher, *student_edition(teacher, md.stem, setup_cell=lambda ch: f"# set-up {ch}")


@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_student_edition_of_each_chapter(md):
    teacher, student, exercises = _edition(md)
    text = md.read_text(encoding="utf-8")
    assert len(exercises) == text.count("```{exercise}") > 0
    assert "jupytext" not in student.metadata  # not paired: saving it cannot touch the .md
    assert student.metadata[META] == {"edition": "student", "chapter": md.stem,
                                      "exercises": [e.label for e in exercises]}
    for cell in student.cells:
        assert "{solution" not in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    solutions = [teacher.cells[i].source for e in find_exercises(teacher) for i in e.solutions
                 if teacher.cells[i].cell_type == "code"]
    assert not any(s in c.source for s in solutions for c in student.cells if s.strip())
    for e in exercises:
        assert e.answers and e.checks, e
        for i in e.answers:
            assert TAG_ANSWER in student.cells[i].metadata["tags"]
            assert student.cells[i].metadata[META]["exercise"] == e.label
        for i in e.checks:
            tags = student.cells[i].metadata["tags"]
            assert TAG_CHECK in tags and TAG_RAISES in tags
            assert "check_" in student.cells[i].source
    assert sum(c.source == f"# set-up {md.stem}" for c in student.cells) == 1


@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_no_later_cell_needs_a_name_only_a_solution_defines(md):
    assert dangling_names(nbformat.read(md.with_suffix(".ipynb"), as_version=4)) == []


def test_a_name_defined_only_in_a_solution_is_reported():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("```{exercise} E\n:label: e\n```"),
        nbformat.v4.new_code_cell("answer = None"),
        nbformat.v4.new_markdown_cell("```{solution-start} e\n```"),
        nbformat.v4.new_code_cell("answer = 42\nhelper_table = [1, 2]"),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
        nbformat.v4.new_code_cell("check_answer(answer)"),
        nbformat.v4.new_markdown_cell("## Later"),
        nbformat.v4.new_code_cell("print(helper_table)"),
    ])
    assert dangling_names(nb) == [("e", "helper_table", 7)]


def test_an_exercise_without_a_label_is_refused():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("```{exercise} E\n```")])
    with pytest.raises(ValueError, match=":label:"):
        find_exercises(nb)


def test_the_solved_edition_puts_the_solution_in_the_answer_cell():
    md = ROOT / "chapters" / "03_bagging_vs_two_phase.md"
    teacher = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    solved = solved_edition(teacher, md.stem)
    answers = [c.source for c in solved.cells if TAG_ANSWER in c.metadata.get("tags", [])]
    assert any("correct_undersampling(0.5, 1 / 3)" in a for a in answers)
    assert not any("{solution" in c.source for c in solved.cells)


def test_make_student_writes_every_chapter(tmp_path):
    notebooks = [str(p.with_suffix(".ipynb")) for p in chapter_sources()]
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "strip_solutions.py"), "--out",
                           str(tmp_path), *notebooks], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == sorted(
        p.with_suffix(".ipynb").name for p in chapter_sources())
    missing = subprocess.run([sys.executable, str(ROOT / "tools" / "strip_solutions.py"), "--out",
                              str(tmp_path), "nowhere.ipynb"], capture_output=True, text=True,
                             check=False)
    assert missing.returncode == 1 and "no such notebook" in missing.stdout
