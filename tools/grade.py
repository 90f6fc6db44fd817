"""`make grade SUBMISSIONS=folder`: grade students' notebooks with the teacher's checks.

Each submitted notebook (``folder/STUDENT/NAME.ipynb``, or ``folder/STUDENT.ipynb`` for
one chapter per student) is executed top to bottom in a fresh kernel. Its exercises are
found by the labels ``make student`` put in the cells' metadata (or, failing that, by the
``:label:`` of the exercise text). The student's own check cells are dropped; in their
place the grader runs the check cell of the teacher's chapter (``chapters/NAME.ipynb``),
one check call per cell, against fresh copies of the book's ``helpers`` (whatever the
answers did to them). Every cell runs under a time limit and is interrupted past it;
errors do not stop the run, and a dead or stuck kernel is restarted and the cells before
replayed, so a crash or an endless loop costs only its own exercise.

Writes ``OUT/grades.csv`` (one row per student and exercise: student, chapter, exercise,
label, points, max_points, passed, message), ``OUT/summary.md`` (per exercise: how many
passed) and the executed notebooks under ``OUT/executed/`` for review.

Usage: python tools/grade.py SUBMISSIONS [--out DIR] [--chapters DIR] [--cell-timeout S]
       [--chapter-cell-timeout S] [--notebook-timeout S] [--expect CHAPTER ...]
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from strip_solutions import META, Exercise, exercise_label, find_exercises  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["student", "chapter", "exercise", "label", "points", "max_points", "passed", "message"]
_CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")
_CHECKS_IMPORT = re.compile(r"^\s*(from\s+helpers(\.\w+)*\s+import\s+.*checks.*|import\s+helpers\.checks\w*.*)$")
_TIMEOUT = "GraderTimeout"


@dataclass
class Row:
    student: str
    chapter: str
    exercise: str
    label: str
    points: float
    max_points: float
    message: str

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points > 0

    def as_dict(self) -> dict[str, object]:
        return {"student": self.student, "chapter": self.chapter, "exercise": self.exercise,
                "label": self.label, "points": round(self.points, 3),
                "max_points": self.max_points, "passed": self.passed, "message": self.message}


@dataclass
class Teacher:
    """What the grader takes from the teacher's chapter: exercises, checks, imports."""

    chapter: str
    exercises: list[Exercise]
    check_sources: dict[str, str]
    imports: list[str]

    @classmethod
    def load(cls, path: Path) -> Teacher:
        nb = nbformat.read(path, as_version=4)
        exercises = [e for e in find_exercises(nb, path.stem) if e.label]
        checks = {e.label: "\n".join(nb.cells[i].source for i in e.checks) for e in exercises}
        imports = [line.strip() for cell in nb.cells if cell.cell_type == "code"
                   for line in cell.source.splitlines() if _CHECKS_IMPORT.match(line)]
        return cls(path.stem, exercises, checks, imports)


def check_parts(source: str) -> list[tuple[str, bool]]:
    """The top-level statements of a check cell, each with whether it calls a check."""
    tree = ast.parse(source)
    lines = source.splitlines()
    parts = []
    for node in tree.body:
        text = "\n".join(lines[node.lineno - 1: node.end_lineno])
        parts.append((text, bool(_CHECK_CALL.search(text))))
    return parts


@dataclass
class Graded:
    """The notebook the grader executes, and what each of its cells is for."""

    nb: nbformat.NotebookNode
    nonce: str
    roles: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # cell -> (label, role, part)
    missing: list[str] = field(default_factory=list)


def _regions(nb: nbformat.NotebookNode) -> dict[str, dict[str, list[int] | int]]:
    """label -> {"prompt": i, "answers": [...], "checks": [...], "end": j} in a submission."""
    regions: dict[str, dict] = {}
    current = None
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get(META, {}) if isinstance(cell.metadata.get(META), dict) else {}
        label, role = meta.get("exercise"), meta.get("role")
        if cell.cell_type == "markdown":
            found = label if role == "prompt" else None
            if found is None:
                try:
                    found = exercise_label(cell.source)
                except ValueError:
                    found = None
            if found is not None:
                if current is not None:
                    current["end"] = i
                current = regions.setdefault(found, {"prompt": i, "answers": [], "checks": []})
                continue
            if cell.source.lstrip().startswith("#") and current is not None:
                current["end"] = i
                current = None
            continue
        if role in ("answer", "check") and label in regions:
            regions[label]["answers" if role == "answer" else "checks"].append(i)
        elif role is None and current is not None:
            key = "checks" if _CHECK_CALL.search(cell.source) else "answers"
            current[key].append(i)
    if current is not None:
        current["end"] = len(nb.cells)
    return regions


def build_graded(submission: nbformat.NotebookNode, teacher: Teacher) -> Graded:
    nonce = secrets.token_hex(8)
    regions = _regions(submission)
    insert_at: dict[int, list[str]] = {}
    for e in teacher.exercises:
        region = regions.get(e.label)
        if region is None:
            continue
        at = region["checks"][0] if region["checks"] else region.get("end", len(submission.cells))
        insert_at.setdefault(at, []).append(e.label)
    student_checks = {i for r in regions.values() for i in r["checks"]}
    answer_of = {i: label for label, r in regions.items() for i in r["answers"]}
    graded = Graded(nbformat.v4.new_notebook(metadata=submission.metadata), nonce)
    graded.missing = [e.label for e in teacher.exercises if e.label not in regions]

    def add(cell, label="", role="chapter", part=-1):
        graded.roles[len(graded.nb.cells)] = (label, role, part)
        graded.nb.cells.append(cell)

    def add_checks(label: str) -> None:
        setup = ("# grader: fresh copies of the book's helpers, whatever the answers did to them\n"
                 "import sys as _grader_sys\n"
                 "for _grader_name in [n for n in list(_grader_sys.modules)\n"
                 "                     if n == 'helpers' or n.startswith('helpers.')]:\n"
                 "    del _grader_sys.modules[_grader_name]\n"
                 + "\n".join(teacher.imports) + f"\nprint({nonce!r} + ' ready')\n")
        add(nbformat.v4.new_code_cell(setup), label, "setup")
        part = 0
        for text, is_check in check_parts(teacher.check_sources[label]):
            if is_check:
                add(nbformat.v4.new_code_cell(f"{text}\nprint({nonce!r} + ' passed {part}')"),
                    label, "part", part)
                part += 1
            else:
                add(nbformat.v4.new_code_cell(text), label, "extra")

    for i, cell in enumerate(submission.cells):
        for label in insert_at.get(i, []):
            add_checks(label)
        if i in student_checks:
            continue
        cell = nbformat.from_dict(dict(cell))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        add(cell, answer_of.get(i, ""), "answer" if i in answer_of else "chapter")
    for label in insert_at.get(len(submission.cells), []):
        add_checks(label)
    return graded


class Runner:
    """Executes a graded notebook cell by cell, surviving timeouts and dead kernels."""

    def __init__(self, graded: Graded, *, cell_timeout: int, chapter_cell_timeout: int,
                 notebook_timeout: int, workdir: Path) -> None:
        self.graded = graded
        self.replies: dict[int, dict] = {}
        self.status: dict[int, str] = {}  # cell -> ok | error | timeout | died | skipped
        self.cell_timeout, self.chapter_cell_timeout = cell_timeout, chapter_cell_timeout
        self.deadline = time.monotonic() + notebook_timeout
        self.notes: list[str] = []
        roles = graded.roles

        def timeout_for(cell) -> int:
            if "grader_timeout" in cell.metadata:
                return int(cell.metadata["grader_timeout"])
            index = cell.metadata.get("grader_index", -1)
            role = roles.get(index, ("", "chapter", -1))[1]
            limit = self.chapter_cell_timeout if role == "chapter" else self.cell_timeout
            return max(1, min(limit, int(self.deadline - time.monotonic()) + 1))

        def executed(cell, cell_index, execute_reply):
            self.replies[cell_index] = execute_reply.get("content", {}) if execute_reply else {}

        self.client = NotebookClient(
            graded.nb, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
            error_on_timeout={"ename": _TIMEOUT, "evalue": "ran past its time limit",
                              "traceback": []},
            timeout_func=timeout_for, on_cell_executed=executed, shutdown_kernel="immediate",
            resources={"metadata": {"path": str(workdir)}}, record_timing=False)

    def _start(self) -> None:
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel()
        self.client.start_new_kernel_client()

    def _stop(self) -> None:
        try:
            if self.client.km is not None:
                self.client._cleanup_kernel()
        except Exception:  # noqa: BLE001 - a kernel that is gone already is fine
            self.client.km, self.client.kc = None, None

    def _responsive(self) -> bool:
        limit = max(3, min(15, self.cell_timeout))
        probe = nbformat.v4.new_code_cell("None", metadata={"grader_timeout": limit})
        self.replies.pop(0, None)
        try:
            self.client.execute_cell(probe, 0)
        except DeadKernelError:
            return False
        return self.replies.get(0, {}).get("ename") != _TIMEOUT

    def _restart_and_replay(self, upto: int) -> None:
        self._stop()
        self._start()
        for j in range(upto):
            cell = self.graded.nb.cells[j]
            if cell.cell_type != "code" or self.status.get(j) not in ("ok", "error"):
                continue
            if time.monotonic() > self.deadline:
                return
            copy = nbformat.from_dict(dict(cell, outputs=[]))
            try:
                self.client.execute_cell(copy, j)
            except DeadKernelError:
                self._stop()
                self._start()

    def run(self) -> None:
        nb = self.graded.nb
        for i, cell in enumerate(nb.cells):
            cell.metadata["grader_index"] = i
        self._start()
        try:
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if time.monotonic() > self.deadline:
                    self.status[i] = "skipped"
                    continue
                self.replies.pop(i, None)
                try:
                    self.client.execute_cell(cell, i)
                except DeadKernelError:
                    self.status[i] = "died"
                    self.notes.append(f"the kernel died in cell {i}")
                    self._restart_and_replay(i)
                    continue
                reply = self.replies.get(i, {})
                if reply.get("ename") == _TIMEOUT:
                    self.status[i] = "timeout"
                    if not self._responsive():
                        self.notes.append(f"cell {i} could not be interrupted")
                        self._restart_and_replay(i)
                elif reply.get("status") == "error":
                    self.status[i] = "error"
                else:
                    self.status[i] = "ok"
        finally:
            self._stop()
            for cell in nb.cells:
                cell.metadata.pop("grader_index", None)


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def _error(cell) -> str | None:
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            name, value = o.get("ename", "Error"), o.get("evalue", "")
            return value if name in ("CheckFailed", "AssertionError") and value else f"{name}: {value}"
    return None


def results(graded: Graded, runner: Runner, teacher: Teacher, student: str) -> list[Row]:
    nb, nonce = graded.nb, graded.nonce
    rows = []
    chapter_errors: list[tuple[int, str]] = []
    by_label: dict[str, list[int]] = {}
    for i, (label, role, _) in graded.roles.items():
        if label:
            by_label.setdefault(label, []).append(i)
        if role == "chapter" and runner.status.get(i) in ("error", "timeout", "died"):
            chapter_errors.append((i, _error(nb.cells[i]) or runner.status[i]))
    limit = runner.cell_timeout
    for e in teacher.exercises:
        if e.label in graded.missing:
            rows.append(Row(student, teacher.chapter, e.number, e.label, 0.0, 1.0,
                            "exercise not found in the submission (its cells were deleted?)"))
            continue
        cells = by_label.get(e.label, [])
        messages, passed, n_parts = [], 0, 0
        for i in cells:
            label, role, part = graded.roles[i]
            status, cell = runner.status.get(i), nb.cells[i]
            if role == "answer" and status in ("error", "timeout", "died"):
                what = {"timeout": f"ran past the {limit} s limit and was interrupted (an "
                                   "endless loop?)",
                        "died": "crashed the kernel"}.get(status, f"raised {_error(cell)}")
                messages.append(f"your answer cell {what}")
            elif role == "setup" and f"{nonce} ready" not in _stdout(cell):
                messages.append(f"the grader could not import the checks ({_error(cell)})")
            elif role == "part":
                n_parts += 1
                out = _stdout(cell)
                if f"{nonce} passed {part}" in out:
                    passed += 1
                    text = " ".join(line for line in out.splitlines()
                                    if nonce not in line and line.strip())
                    messages.append(text or "passed")
                elif status == "timeout":
                    messages.append(f"the check ran past the {limit} s limit and was "
                                    "interrupted (an endless loop in your code?)")
                elif status == "died":
                    messages.append("your code crashed the kernel during the check")
                elif status == "skipped":
                    messages.append("not run: the notebook ran past its time limit")
                else:
                    messages.append(_error(cell) or "the check did not report (output "
                                    "changed or suppressed)")
        before = [msg for i, msg in chapter_errors if cells and i < cells[0]]
        if before and passed < n_parts:
            messages.append(f"(earlier, a chapter cell failed: {before[0]})")
        points = passed / n_parts if n_parts else 0.0
        rows.append(Row(student, teacher.chapter, e.number, e.label, points, 1.0,
                        " | ".join(m.replace("\n", " ") for m in messages)))
    return rows


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    if not folder.is_dir():
        raise SystemExit(f"{folder}: no such folder. Pass SUBMISSIONS=folder with one "
                         "sub-folder per student (or one STUDENT.ipynb per student).")
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        rel = path.relative_to(folder)
        found.append((rel.parts[0] if len(rel.parts) > 1 else path.stem, path))
    if not found:
        raise SystemExit(f"{folder}: no .ipynb files found.")
    return found


def chapter_of(nb: nbformat.NotebookNode, path: Path, known: list[str]) -> str | None:
    meta = nb.metadata.get(META, {})
    if isinstance(meta, dict) and meta.get("chapter") in known:
        return meta["chapter"]
    for name in known:
        if path.stem.startswith(name):
            return name
    return None


def grade_one(student: str, path: Path, teachers: dict[str, Teacher], args) -> list[Row]:
    try:
        submission = nbformat.read(path, as_version=4)
    except Exception as err:  # noqa: BLE001 - any unreadable file is reported, not fatal
        return [Row(student, path.stem, "-", "-", 0.0, 0.0,
                    f"{path.name} is not a readable notebook ({type(err).__name__}: {err})")]
    chapter = chapter_of(submission, path, sorted(teachers))
    if chapter is None:
        return [Row(student, path.stem, "-", "-", 0.0, 0.0,
                    f"{path.name} is not one of the chapters {sorted(teachers)} (neither by its "
                    "metadata nor by its file name)")]
    teacher = teachers[chapter]
    graded = build_graded(submission, teacher)
    with tempfile.TemporaryDirectory(prefix="grade-") as workdir:
        runner = Runner(graded, cell_timeout=args.cell_timeout,
                        chapter_cell_timeout=args.chapter_cell_timeout,
                        notebook_timeout=args.notebook_timeout, workdir=Path(workdir))
        runner.run()
    out = args.out / "executed" / student / f"{chapter}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(graded.nb, out)
    return results(graded, runner, teacher, student)


def summary(rows: list[Row]) -> str:
    lines = ["| chapter | exercise | label | passed | submissions | mean points |",
             "|---|---|---|---|---|---|"]
    keys: dict[tuple[str, str, str], list[Row]] = {}
    for row in rows:
        if row.label != "-":
            keys.setdefault((row.chapter, row.exercise, row.label), []).append(row)
    for (chapter, number, label), group in sorted(keys.items()):
        mean = sum(r.points for r in group) / len(group)
        lines.append(f"| {chapter} | {number} | {label} | {sum(r.passed for r in group)} | "
                     f"{len(group)} | {mean:.2f} |")
    bad = [r for r in rows if r.label == "-"]
    if bad:
        lines.append("")
        lines += [f"- {r.student}: {r.message}" for r in bad]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "grades")
    parser.add_argument("--chapters", type=Path, default=ROOT / "chapters",
                        help="the teacher's executed chapter notebooks")
    parser.add_argument("--cell-timeout", type=int, default=300,
                        help="seconds for each answer and check cell")
    parser.add_argument("--chapter-cell-timeout", type=int, default=900,
                        help="seconds for each other cell")
    parser.add_argument("--notebook-timeout", type=int, default=3600,
                        help="seconds for a whole notebook")
    parser.add_argument("--expect", nargs="*", default=[],
                        help="chapters every student should hand in (a missing one scores 0)")
    args = parser.parse_args(argv)
    teachers = {p.stem: Teacher.load(p) for p in sorted(args.chapters.glob("*.ipynb"))}
    teachers = {k: t for k, t in teachers.items() if t.exercises}
    if not teachers:
        raise SystemExit(f"{args.chapters}: no chapter notebooks with exercises.")
    unknown = set(args.expect) - set(teachers)
    if unknown:
        raise SystemExit(f"--expect names unknown chapters {sorted(unknown)}; "
                         f"have {sorted(teachers)}.")
    rows: list[Row] = []
    handed_in: dict[str, set[str]] = {}
    for student, path in find_submissions(args.submissions):
        start = time.monotonic()
        graded_rows = grade_one(student, path, teachers, args)
        rows += graded_rows
        handed_in.setdefault(student, set()).update(r.chapter for r in graded_rows)
        score = sum(r.points for r in graded_rows)
        print(f"{student}/{path.name}: {score:g} of {len(graded_rows)} points "
              f"({time.monotonic() - start:.0f} s)", flush=True)
    for student, chapters in sorted(handed_in.items()):
        for chapter in args.expect:
            if chapter not in chapters:
                rows += [Row(student, chapter, e.number, e.label, 0.0, 1.0, "no submission")
                         for e in teachers[chapter].exercises]
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(r.as_dict() for r in rows)
    text = summary(rows)
    (args.out / "summary.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {args.out / 'grades.csv'} and {args.out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
