"""`make student`: the student edition of the chapter notebooks, in _build/student/.

For every chapter notebook:

- everything between a ``{solution-start}`` and its ``{solution-end}`` markdown cell (both
  included) is dropped, and all outputs and execution counts are cleared;
- the notebook's ``jupytext`` metadata is removed, so a student edition opened next to
  ``chapters/`` and saved is not paired with (and cannot overwrite) the teacher's ``.md``;
- every exercise cell is labelled in its metadata (``imbalanced_book``: chapter, exercise
  label, role ``prompt``/``answer``/``check``) and tagged (``exercise-answer``,
  ``exercise-check``): ``tools/grade.py`` finds the exercises by these labels, whatever
  the student did to the text around them. Check cells are also tagged
  ``raises-exception``, so executing the whole notebook goes past an unanswered exercise;
- the Colab set-up cell is replaced by the student set-up cell when one is available (the
  ``setup_cell`` hook of :func:`student_edition`; ``main`` takes it from
  ``helpers.colab.student_setup_cell_source(chapter)`` if that exists, else it keeps the
  chapter's own cell and says so).

The exercise text, the "your answer" cells and the check cells stay, so students run the
check and read what is wrong. Usage: python tools/strip_solutions.py --out DIR NOTEBOOK...
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

META = "imbalanced_book"
TAG_ANSWER, TAG_CHECK, TAG_RAISES = "exercise-answer", "exercise-check", "raises-exception"
_EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n(?P<opts>(?::[^\n]*\n)*)")
_LABEL = re.compile(r"^:label:\s*(\S+)", re.M)
_CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")
_SETUP = '"google.colab" in sys.modules'

#: A student set-up cell: given the chapter's name, the source of the cell that replaces the
#: chapter's Colab set-up cell (None keeps the chapter's cell).
SetupCell = Callable[[str], "str | None"]


def _source(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


@dataclass
class Exercise:
    """The cells of one exercise, as indices into the notebook's cells."""

    label: str
    number: str
    prompt: int
    answers: list[int] = field(default_factory=list)
    solutions: list[int] = field(default_factory=list)
    checks: list[int] = field(default_factory=list)


def exercise_label(markdown: str) -> str | None:
    """The ``:label:`` of an ``{exercise}`` directive in ``markdown``, or None if none."""
    match = _EXERCISE.search(markdown)
    if not match:
        return None
    label = _LABEL.search(match.group("opts"))
    if not label:
        raise ValueError("an {exercise} directive without a :label: option: give every "
                         "exercise a label (the grader identifies it by the label).")
    return label.group(1)


def chapter_number(name: str) -> str:
    match = re.match(r"0*(\d+)_", name)
    return match.group(1) if match else "?"


def find_exercises(nb: nbformat.NotebookNode, chapter: str = "") -> list[Exercise]:
    """The exercises of a teacher's chapter notebook, in order.

    After an ``{exercise}`` prompt, code cells up to the ``{solution-start}`` are the
    "your answer" cells; after the ``{solution-end}``, code cells that call a ``check_*``
    function are the check cells, up to the next exercise or heading.
    """
    found: list[Exercise] = []
    orphans: list[Exercise] = []
    current: Exercise | None = None
    inside, after_solution = False, False
    for i, cell in enumerate(nb.cells):
        text = _source(cell)
        if cell.cell_type == "markdown":
            if "{solution-start}" in text:
                if inside:
                    raise ValueError("a solution-start inside another solution: close it with "
                                     "solution-end.")
                if current is None:  # a solution outside any exercise is still removed
                    current = Exercise("", "", i)
                    orphans.append(current)
                inside = True
                current.solutions.append(i)
                continue
            if "{solution-end}" in text:
                if not inside:
                    raise ValueError("a solution-end without a solution-start.")
                inside, after_solution = False, True
                current.solutions.append(i)
                continue
            if inside:
                current.solutions.append(i)
                continue
            label = exercise_label(text)
            if label is not None:
                if any(e.label == label for e in found):
                    raise ValueError(f"two exercises share the label {label!r}.")
                current = Exercise(label, f"{chapter_number(chapter)}.{len(found) + 1}", i)
                found.append(current)
                after_solution = False
            elif text.lstrip().startswith("#"):
                current = None
            continue
        if inside:
            current.solutions.append(i)
        elif current is not None:
            if _CHECK_CALL.search(text):
                current.checks.append(i)
            elif not after_solution:
                current.answers.append(i)
    if inside:
        raise ValueError("a solution-start is never closed by a solution-end.")
    if orphans:
        found += [o for o in orphans if o.solutions]
        found.sort(key=lambda e: e.prompt)
    return found


def _bound_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _used_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def dangling_names(nb: nbformat.NotebookNode) -> list[tuple[str, str, int]]:
    """(exercise, name, cell) for every name that only a solution defines and a later cell of
    the student edition uses: that cell would fail with a NameError for every student."""
    exercises = [e for e in find_exercises(nb) if e.label]
    solution_cells = {i for e in exercises for i in e.solutions}
    defined_outside: set[str] = set()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and i not in solution_cells:
            defined_outside |= _bound_names(_source(cell))
    problems = []
    for e in exercises:
        only_here = set()
        for i in e.solutions:
            if nb.cells[i].cell_type == "code":
                only_here |= _bound_names(_source(nb.cells[i]))
        only_here -= defined_outside
        for j in range(e.prompt, len(nb.cells)):
            cell = nb.cells[j]
            if j in solution_cells or cell.cell_type != "code":
                continue
            problems += [(e.label, name, j) for name in sorted(_used_names(_source(cell)) & only_here)]
    return problems


def _tag(cell, *tags: str) -> None:
    existing = list(cell.metadata.get("tags", []))
    cell.metadata["tags"] = existing + [t for t in tags if t not in existing]


def student_edition(
    nb: nbformat.NotebookNode, chapter: str, *, setup_cell: SetupCell | None = None
) -> tuple[nbformat.NotebookNode, list[Exercise]]:
    """The student edition of the teacher's notebook ``nb`` of ``chapter`` (its file stem),
    and its exercises (cell indices refer to the student edition)."""
    everything = find_exercises(nb, chapter)
    exercises = [e for e in everything if e.label]
    role: dict[int, tuple[Exercise, str]] = {}
    for e in exercises:
        role[e.prompt] = (e, "prompt")
        role.update({i: (e, "answer") for i in e.answers})
        role.update({i: (e, "check") for i in e.checks})
    dropped = {i for e in everything for i in e.solutions}
    student = nbformat.from_dict(copy.deepcopy(dict(nb)))
    student.metadata.pop("jupytext", None)
    student.metadata[META] = {"edition": "student", "chapter": chapter,
                              "exercises": [e.label for e in exercises]}
    kept, index_of = [], {}
    replaced_setup = False
    for i, cell in enumerate(student.cells):
        if i in dropped:
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
            if not replaced_setup and setup_cell is not None and _SETUP in _source(cell):
                new = setup_cell(chapter)
                if new is not None:
                    cell.source = new
                replaced_setup = True
        if i in role:
            e, what = role[i]
            cell.metadata[META] = {"chapter": chapter, "exercise": e.label,
                                   "number": e.number, "role": what}
            if what == "answer":
                _tag(cell, TAG_ANSWER)
            elif what == "check":
                _tag(cell, TAG_CHECK, TAG_RAISES)
        index_of[i] = len(kept)
        kept.append(cell)
    student.cells = kept
    renumbered = [Exercise(e.label, e.number, index_of[e.prompt],
                           [index_of[i] for i in e.answers], [],
                           [index_of[i] for i in e.checks]) for e in exercises]
    return student, renumbered


def solved_edition(nb: nbformat.NotebookNode, chapter: str) -> nbformat.NotebookNode:
    """The student edition with every "your answer" cell replaced by the teacher's solution
    code: what a student who solved everything hands in (the grader's full-marks case)."""
    teacher = {e.label: e for e in find_exercises(nb, chapter) if e.label}
    student, exercises = student_edition(nb, chapter)
    for e in exercises:
        code = [_source(nb.cells[i]) for i in teacher[e.label].solutions
                if nb.cells[i].cell_type == "code"]
        for k, i in enumerate(e.answers):
            student.cells[i].source = "\n\n".join(code) if k == 0 else ""
    return student


def strip(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return the student version of ``nb`` and the number of solutions removed."""
    student, exercises = student_edition(nb, "")
    removed = sum(1 for c in nb.cells
                  if c.cell_type == "markdown" and "{solution-start}" in _source(c))
    return student, removed


def default_setup_cell() -> SetupCell | None:
    """``helpers.colab.student_setup_cell_source`` when the helpers provide it."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        from helpers import colab
    except ImportError:
        return None
    return getattr(colab, "student_setup_cell_source", None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    setup = default_setup_cell()
    if setup is None:
        print("note: helpers.colab has no student_setup_cell_source yet, so the chapters' own "
              "Colab set-up cells are kept (they fetch the whole repository).")
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in args.notebooks:
        if not path.is_file():
            print(f"{path}: no such notebook; run make student from the repository root.")
            failed += 1
            continue
        teacher = nbformat.read(path, as_version=4)
        dangling = dangling_names(teacher)
        if dangling:
            failed += 1
            for label, name, cell in dangling:
                print(f"{path}: cell {cell} uses {name!r}, which only the solution of "
                      f"{label} defines: the student edition would fail there. Define it "
                      "outside the solution.")
        student, exercises = student_edition(teacher, path.stem, setup_cell=setup)
        target = args.out / path.name
        nbformat.write(student, target)
        print(f"{target}: {len(exercises)} exercise(s), solutions removed, outputs cleared")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
