"""`make student`: copies of the chapter notebooks with the exercise solutions removed.

Everything between a ``{solution-start}`` and its ``{solution-end}`` markdown cell
(both included) is dropped and all outputs are cleared. The exercise text, the
"your answer" cells and the automatic check cells stay, so students run the check
and read what is wrong. Usage: python tools/strip_solutions.py --out DIR NOTEBOOK...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat


def strip(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return the student version of ``nb`` and the number of solutions removed."""
    kept, inside, removed = [], False, 0
    for cell in nb.cells:
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if cell.cell_type == "markdown" and "{solution-start}" in source:
            if inside:
                raise ValueError("a solution-start inside another solution: close it with solution-end.")
            inside, removed = True, removed + 1
            continue
        if cell.cell_type == "markdown" and "{solution-end}" in source:
            if not inside:
                raise ValueError("a solution-end without a solution-start.")
            inside = False
            continue
        if inside:
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        kept.append(cell)
    if inside:
        raise ValueError("a solution-start is never closed by a solution-end.")
    student = nbformat.from_dict(dict(nb))
    student.cells = kept
    return student, removed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        student, removed = strip(nbformat.read(path, as_version=4))
        target = args.out / path.name
        nbformat.write(student, target)
        print(f"{target}: {removed} solution(s) removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
