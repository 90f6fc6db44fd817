"""`make execute`: regenerate each chapter .ipynb from its .md and run it top to bottom.

Each notebook is rebuilt from the .md (no old outputs survive), executed in a fresh
kernel, and written next to its source. The wall time and the peak resident memory of
the kernel process tree are recorded in appendix/execution_stats.json and rendered into
appendix/execution_stats.md, the book's execution-statistics page. Before the first
chapter, one throw-away process imports the libraries the chapters use, so the first
chapter's time does not include Python's one-off byte-code compilation after an install.
After the chapters, the Colab editions (tools/editions.py) are regenerated from the new
outputs, so they never go stale.

Usage: python tools/execute.py [chapter-name ...]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

import jupytext
import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    CHAPTERS,
    ROOT,
    STATS_JSON,
    STATS_PAGE,
    STORED_DATA_SOURCE,
    chapter_sources,
)


class PeakMemory:
    """Samples the summed RSS of this process's children (the kernel) every 0.1 s."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def data_line(nb: nbformat.NotebookNode) -> str:
    """The chapter's 'Data: ...' provenance line, if it printed one."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                for line in out.get("text", "").splitlines():
                    if line.startswith("Data:"):
                        # the table keeps what was used, not the long why-and-how-to-fix
                        return line[len("Data:"):].split("; real data unavailable")[0].strip()
    return "(no data line printed)"


def execute(md: Path, timeout: int) -> dict:
    nb = jupytext.read(md)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(CHAPTERS)}}
    )
    start = time.perf_counter()
    with PeakMemory() as mem:
        client.execute()
    seconds = time.perf_counter() - start
    out = md.with_suffix(".ipynb")
    nbformat.write(nb, out)
    return {
        "chapter": md.stem,
        "seconds": round(seconds, 1),
        "peak_memory_mib": round(mem.peak / 2**20),
        "notebook_kib": round(out.stat().st_size / 1024),
        "data": data_line(nb),
        "executed": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{psutil.cpu_count()} cores, {round(psutil.virtual_memory().total / 2**30)} GiB, "
        f"Python {platform.python_version()}",
    }


def render_stats_page(stats: dict[str, dict]) -> str:
    """The execution-statistics page: a narrow numbers table that fits a phone screen,
    then each run's data line, time and machine as a list (long text wraps there)."""
    lines = [
        "# Execution statistics",
        "",
        "Each chapter's notebook is regenerated from its MyST source and executed top to bottom",
        "in a fresh kernel by `make execute`, which records the numbers below. Budgets: 3 minutes",
        "per chapter (6 for the GAN chapter) and 4 GiB of peak memory, on 2 CPU cores. The",
        "size is the stored notebook's, outputs included.",
        "",
        "| chapter | run time (s) | peak memory (MiB) | size (KiB) |",
        "|---|---:|---:|---:|",
    ]
    for name in sorted(stats):
        s = stats[name]
        lines.append(f"| {name} | {s['seconds']} | {s['peak_memory_mib']} | {s['notebook_kib']} |")
    lines += [
        "",
        "## Data, time and machine of each run",
        "",
        "Each chapter's own `Data:` line: REAL means the real file was read.",
        "",
    ]
    for name in sorted(stats):
        s = stats[name]
        lines.append(f"- **{name}**, executed {s['executed']} on {s['machine']}: {s['data']}")
    return "\n".join(lines) + "\n"


def write_stats(stats: dict[str, dict]) -> None:
    STATS_JSON.write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    STATS_PAGE.write_text(render_stats_page(stats), encoding="utf-8")


@contextlib.contextmanager
def stats_lock():
    """Serialise updates of the statistics file: two ``make execute`` runs may overlap."""
    with open(STATS_JSON.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update_stats(known: set[str], name: str | None = None, record: dict | None = None) -> None:
    """Re-read the statistics under the lock, keep known chapters, add ``record``, write."""
    with stats_lock():
        stats = json.loads(STATS_JSON.read_text()) if STATS_JSON.exists() else {}
        stats = {k: v for k, v in stats.items() if k in known}
        if name is not None:
            stats[name] = record
        write_stats(stats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter names (default: all)")
    parser.add_argument("--timeout", type=int, default=900, help="per-cell timeout in seconds")
    args = parser.parse_args()

    source = os.environ.setdefault("IMBALANCED_BOOK_DATA_SOURCE", STORED_DATA_SOURCE)
    print(f"data source: {source} (IMBALANCED_BOOK_DATA_SOURCE; the stored book uses "
          f"{STORED_DATA_SOURCE!r}); mirror: {os.environ.get('IMBALANCED_BOOK_MIRROR') or 'none'}")
    sources = chapter_sources(args.chapters)
    # Nothing stale: drop notebooks and statistics of chapters whose source is gone.
    known = {p.stem for p in chapter_sources()}
    for nb_path in CHAPTERS.glob("*.ipynb"):
        if nb_path.stem not in known:
            print(f"removing stale {nb_path.relative_to(ROOT)} (no paired .md)")
            nb_path.unlink()
    update_stats(known)

    import subprocess

    subprocess.run([sys.executable, "-c", "import tensorflow, keras, sklearn, imblearn, "
                    "matplotlib.pyplot, pandas, scipy, helpers.plots, helpers.evaluation"],
                   cwd=ROOT, capture_output=True, check=False)  # warm-up, not timed
    failed = []
    for md in sources:
        print(f"executing {md.relative_to(ROOT)} ...", flush=True)
        try:
            record = execute(md, args.timeout)
        except CellExecutionError as err:
            print(f"FAILED {md.name}: {str(err)[-2000:]}", file=sys.stderr)
            failed.append(md.name)
            continue
        update_stats(known, md.stem, record)
        print(f"  {record['seconds']} s, peak {record['peak_memory_mib']} MiB, "
              f"{record['notebook_kib']} KiB; data: {record['data']}")
    editions = subprocess.run([sys.executable, "tools/editions.py"], cwd=ROOT,
                              capture_output=True, text=True, check=False)
    print(f"Colab editions regenerated (tools/editions.py, exit {editions.returncode})")
    if editions.returncode != 0:
        print(editions.stdout[-2000:] + editions.stderr[-2000:], file=sys.stderr)
    if failed:
        print(f"{len(failed)} chapter(s) failed: {failed}; their .ipynb were not rewritten.",
              file=sys.stderr)
        return 1
    return editions.returncode


if __name__ == "__main__":
    sys.exit(main())
