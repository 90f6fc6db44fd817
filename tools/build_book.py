"""`make book`: strict Jupyter Book build of the executed notebooks into _build/html.

Warnings are errors (-W), nitpicky references (-n), every page is rebuilt (--all) so a
warning in an unchanged page is not hidden by the cache, and --keep-going lists all of
them at once. Usage: python tools/build_book.py [--out DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="folder that receives _build/")
    args = parser.parse_args()
    missing = [p for p in sorted((ROOT / "chapters").glob("*.md"))
               if "jupytext:" in p.read_text()[:600] and not p.with_suffix(".ipynb").exists()]
    if missing:
        print(f"No executed notebook for {[p.name for p in missing]}: run `make execute` first.",
              file=sys.stderr)
        return 1
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--path-output", str(args.out),
           "--builder", "html", "--all", "-W", "-n", "--keep-going"]
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT)
    took = time.perf_counter() - start
    index = args.out / "_build" / "html" / "index.html"
    if result.returncode == 0:
        print(f"Book built in {took:.0f} s: {index}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
