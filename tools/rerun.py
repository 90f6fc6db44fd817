"""`make rerun`: execute a chapter with other seeds and check that its assertions hold.

The stored book uses ``SEED = 42`` (the split, the samplers, the bootstrap) and, where a
chapter trains several seeds, ``SEEDS = (0, 1, 2)``. A reader who reruns with other seeds
should see the same claims hold, because every assertion's margin is set from the measured
seed spread. This tool rewrites those two lines in a copy of the chapter's source, executes
it in a fresh kernel, and prints either the first failing cell or the glued verdicts (the
text values the prose shows), so that a changed verdict is easy to spot. It writes nothing
in the repository.

Usage: python tools/rerun.py CHAPTER [--seed 7] [--training-seeds 3,4,5]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CHAPTERS, STORED_DATA_SOURCE, chapter_sources  # noqa: E402

SEED_LINE = re.compile(r"^SEED = \d+\b.*$", re.MULTILINE)
SEEDS_LINE = re.compile(r"^SEEDS = \([\d, ]+\)(.*)$", re.MULTILINE)


def reseed(source: str, seed: int, training_seeds: tuple[int, ...] | None) -> str:
    """The chapter source with ``SEED = seed`` and, if it has one, ``SEEDS = training_seeds``."""
    if seed < 0 or (training_seeds is not None and (not training_seeds or min(training_seeds) < 0)):
        raise ValueError("seeds must be non-negative integers.")
    if len(SEED_LINE.findall(source)) != 1:
        raise ValueError("the chapter must define its seed exactly once, as a line 'SEED = 42'.")
    out = SEED_LINE.sub(f"SEED = {seed}  # changed by tools/rerun.py", source)
    if training_seeds is not None and SEEDS_LINE.search(out):
        tup = "(" + ", ".join(str(s) for s in training_seeds) + ("," if len(training_seeds) == 1
                                                                  else "") + ")"
        out = SEEDS_LINE.sub(lambda m: f"SEEDS = {tup}{m.group(1)}", out)
    return out


def glued_texts(nb: object) -> dict[str, str]:
    """The text values glued by a notebook (myst-nb stores them as outputs with a name)."""
    found: dict[str, str] = {}
    for cell in nb.cells:  # type: ignore[attr-defined]
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            data = out.get("data", {})
            text = data.get("application/papermill.record/text/plain", data.get("text/plain"))
            if name and isinstance(text, str) and text[:1] in "'\"":
                found[name] = text.strip("'\"")
    return found


def main() -> int:
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter")
    parser.add_argument("--seed", type=int, default=7, help="replaces SEED = 42")
    parser.add_argument("--training-seeds", default=None,
                        help="comma-separated; replaces SEEDS = (0, 1, 2) (default: seed+1..+3)")
    parser.add_argument("--timeout", type=int, default=900, help="per-cell timeout in seconds")
    args = parser.parse_args()
    training = (tuple(int(s) for s in args.training_seeds.split(",")) if args.training_seeds
                else (args.seed + 1, args.seed + 2, args.seed + 3))
    (md,) = chapter_sources([args.chapter])
    os.environ.setdefault("IMBALANCED_BOOK_DATA_SOURCE", STORED_DATA_SOURCE)
    nb = jupytext.reads(reseed(md.read_text(encoding="utf-8"), args.seed, training), fmt="md:myst")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    print(f"rerunning {md.stem} with SEED = {args.seed}, SEEDS = {training} "
          f"(data source {os.environ['IMBALANCED_BOOK_DATA_SOURCE']}) ...", flush=True)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(CHAPTERS)}})
    try:
        client.execute()
    except CellExecutionError as err:
        print(f"FAILED after {time.perf_counter() - start:.0f} s:\n{str(err)[-2500:]}",
              file=sys.stderr)
        return 1
    print(f"passed in {time.perf_counter() - start:.0f} s; glued texts:")
    for name, text in glued_texts(nb).items():
        print(f"  {name}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
