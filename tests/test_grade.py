"""`make grade`: submissions are executed in fresh kernels and graded with the teacher's checks.

Three kinds of submission, as a teacher sees them: made from the solutions (full marks),
the untouched student edition (zero) and a mix of the usual mistakes (a flipped sign, a
percentage, an endless loop, a crash, an edited check cell, a monkeypatched check, a loop
that swallows the interrupt). The mix runs on a tiny synthetic chapter with the book's
structure; the full-marks and zero cases also on chapter 3 (the fastest real chapter).
"""

from __future__ import annotations

import csv
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell as code
from nbformat.v4 import new_markdown_cell as md

from tests._paths import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import grade  # noqa: E402
from strip_solutions import META, solved_edition, student_edition  # noqa: E402

pytestmark = pytest.mark.slow

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _exercise(label, answer, solution, check):
    return [md(f"```{{exercise}} {label}\n:label: {label}\n\nDo it.\n```"), code(answer),
            md(f"```{{solution-start}} {label}\n:class: dropdown\n```"), code(solution),
            md("```{solution-end}\n```"), code(check)]


def tiny_chapter():
    """A teacher's chapter with the book's structure, light enough to run in seconds."""
    cells = [md("# A tiny chapter"),
             code('import sys\nif "google.colab" in sys.modules:\n    pass'),
             code("import numpy as np\nfrom helpers import checks\n"
                  "from helpers import checks_blobs\nY = np.r_[np.ones(19, int), np.zeros(980, int)]"),
             md("## Exercises")]
    cells += _exercise("ex-bias", "bias_answer = None",
                       "bias_answer = np.log(Y.sum() / (Y.size - Y.sum()))",
                       "checks.check_output_bias(bias_answer, Y)")
    cells += _exercise("ex-k", "threshold_for_3 = None  # a number", "threshold_for_3 = 1 / (1 + 3)",
                       "checks_blobs.check_balanced_threshold(threshold_for_3, negatives_per_positive=3)")
    cells += _exercise("ex-bags", "def make_bags(y, n_bags, rng):\n    ...  # your code here",
                       "def make_bags(y, n_bags, rng):\n"
                       "    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)\n"
                       "    return [np.r_[pos, rng.choice(neg, pos.size, replace=False)]\n"
                       "            for _ in range(n_bags)]",
                       "checks_blobs.check_bags(make_bags, Y, n_bags=3)")
    cells += _exercise("ex-two", "no_skill = None\nloss = None",
                       "no_skill = Y.mean()\np = Y.mean()\n"
                       "loss = -(p * np.log(p) + (1 - p) * np.log(1 - p))",
                       "checks.check_no_skill_pr_auc(no_skill, Y)\nchecks.check_initial_loss(loss, Y)")
    cells += [md("## After the exercises"), code("after = 1")]
    return nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL,
                                                          "jupytext": {"formats": "ipynb,md:myst"}})


def _answers(nb):
    return {c.metadata[META]["exercise"]: c for c in nb.cells
            if c.metadata.get(META, {}).get("role") == "answer"}


MISTAKES = {
    # a flipped sign, after trying to switch the check off
    "ex-bias": "import helpers.checks\n"
               "helpers.checks.check_output_bias = lambda *a: print('Correct!')\n"
               "bias_answer = np.log((Y.size - Y.sum()) / Y.sum())",
    "ex-k": "threshold_for_3 = 25",  # a percentage
    "ex-bags": "def make_bags(y, n_bags, rng):\n    while True:\n        pass",  # endless loop
    # a crash after one right answer: half the points
    "ex-two": "p = Y.mean()\nloss = -(p * np.log(p) + (1 - p) * np.log(1 - p))\nno_skill = 1 / 0",
}


def _rows(out):
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {(r["student"], r["label"]): r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def tiny_grades(tmp_path_factory):
    root = tmp_path_factory.mktemp("grade")
    teacher_dir, subs = root / "chapters", root / "submissions"
    teacher_dir.mkdir()
    teacher = tiny_chapter()
    nbformat.write(teacher, teacher_dir / "00_tiny.ipynb")
    student, _ = student_edition(teacher, "00_tiny")
    for name in ("solved", "untouched", "mistakes", "stuck"):
        (subs / name).mkdir(parents=True)
    nbformat.write(solved_edition(teacher, "00_tiny"), subs / "solved" / "00_tiny.ipynb")
    nbformat.write(student, subs / "untouched" / "00_tiny.ipynb")
    mixed = nbformat.from_dict(student)
    for label, source in MISTAKES.items():
        _answers(mixed)[label].source = source
    for cell in mixed.cells:  # an edited check cell must not count
        if cell.metadata.get(META, {}).get("role") == "check":
            cell.source = "print('Correct')"
    nbformat.write(mixed, subs / "mistakes" / "renamed.ipynb")  # found by its metadata
    stuck = solved_edition(teacher, "00_tiny")
    _answers(stuck)["ex-k"].source = ("import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
                                      "    except BaseException:\n        pass")
    for cell in stuck.cells:  # as if the front end dropped the metadata: found by the labels
        cell.metadata.pop(META, None)
    nbformat.write(stuck, subs / "stuck" / "00_tiny.ipynb")
    out = root / "out"
    assert grade.main([str(subs), "--chapters", str(teacher_dir), "--out", str(out),
                       "--cell-timeout", "8"]) == 0
    return out


def test_solutions_get_full_marks(tiny_grades):
    rows = _rows(tiny_grades)
    for label in ("ex-bias", "ex-k", "ex-bags", "ex-two"):
        row = rows[("solved", label)]
        assert row["passed"] == "True" and float(row["points"]) == 1.0, row
        assert row["message"].startswith("Correct"), row


def test_the_untouched_student_edition_gets_zero(tiny_grades):
    rows = _rows(tiny_grades)
    for label in ("ex-bias", "ex-k", "ex-bags", "ex-two"):
        row = rows[("untouched", label)]
        assert float(row["points"]) == 0.0 and "No answer yet" in row["message"], row


def test_each_mistake_costs_only_its_exercise_and_is_named(tiny_grades):
    rows = _rows(tiny_grades)
    assert "sign is flipped" in rows[("mistakes", "ex-bias")]["message"]
    assert "percentage" in rows[("mistakes", "ex-k")]["message"]
    assert "endless loop" in rows[("mistakes", "ex-bags")]["message"]
    two = rows[("mistakes", "ex-two")]
    assert float(two["points"]) == 0.5 and "ZeroDivisionError" in two["message"], two
    assert all(rows[("mistakes", k)]["passed"] == "False" for k in MISTAKES)


def test_a_loop_that_swallows_the_interrupt_costs_only_its_exercise(tiny_grades):
    rows = _rows(tiny_grades)
    assert "endless loop" in rows[("stuck", "ex-k")]["message"]
    for label in ("ex-bias", "ex-bags", "ex-two"):
        assert rows[("stuck", label)]["passed"] == "True", rows[("stuck", label)]


def test_the_summary_counts_passes_per_exercise(tiny_grades):
    text = (tiny_grades / "summary.md").read_text()
    assert "| 00_tiny | 0.1 | ex-bias | 2 | 4 |" in text  # solved and stuck
    assert "| 00_tiny | 0.2 | ex-k | 1 | 4 |" in text


def test_bad_submissions_get_a_row_that_says_why(tmp_path):
    teacher_dir = tmp_path / "chapters"
    teacher_dir.mkdir()
    nbformat.write(tiny_chapter(), teacher_dir / "00_tiny.ipynb")
    (tmp_path / "subs" / "carol").mkdir(parents=True)
    (tmp_path / "subs" / "carol" / "00_tiny.ipynb").write_text("{not json")
    nbformat.write(nbformat.v4.new_notebook(metadata={"kernelspec": KERNEL}),
                   tmp_path / "subs" / "carol" / "holiday.ipynb")
    out = tmp_path / "out"
    assert grade.main([str(tmp_path / "subs"), "--chapters", str(teacher_dir), "--out", str(out),
                       "--expect", "00_tiny"]) == 0
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    messages = " ".join(r["message"] for r in rows)
    assert "not a readable notebook" in messages and "not one of the chapters" in messages
    with pytest.raises(SystemExit, match="no such folder"):
        grade.main([str(tmp_path / "nowhere"), "--chapters", str(teacher_dir)])


def test_chapter_3_solved_gets_full_marks_and_untouched_zero(tmp_path, monkeypatch):
    """The real chapter: the student edition runs to every exercise, the teacher's checks
    pass on the solutions and on nothing else."""
    chapter = "03_bagging_vs_two_phase"
    teacher = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4)
    student, exercises = student_edition(teacher, chapter)
    (tmp_path / "subs" / "solved").mkdir(parents=True)
    (tmp_path / "subs" / "untouched").mkdir(parents=True)
    nbformat.write(solved_edition(teacher, chapter), tmp_path / "subs" / "solved" / f"{chapter}.ipynb")
    nbformat.write(student, tmp_path / "subs" / "untouched" / f"{chapter}.ipynb")
    teacher_dir = tmp_path / "chapters"
    teacher_dir.mkdir()
    nbformat.write(teacher, teacher_dir / f"{chapter}.ipynb")
    out = tmp_path / "out"
    assert grade.main([str(tmp_path / "subs"), "--chapters", str(teacher_dir), "--out", str(out),
                       "--cell-timeout", "240"]) == 0
    rows = _rows(out)
    for e in exercises:
        assert rows[("solved", e.label)]["passed"] == "True", rows[("solved", e.label)]
        untouched = rows[("untouched", e.label)]
        assert float(untouched["points"]) == 0.0 and "No answer yet" in untouched["message"]
        assert "chapter cell failed" not in untouched["message"]  # runs to every exercise
