"""`make benchmark`: measure the budgets and print a table.

Measures, on this machine: each chapter's execution (time and peak memory, via
tools/execute.py, which also refreshes the stored notebooks), the strict book build, and
the test suite (total, and nbval's time per chapter from pytest's durations).
Budgets (issue 12: 2 cores, 24 GiB): chapter <= 180 s (GAN chapter 360 s) and < 4 GiB;
the whole `make execute` <= 20 min; book build <= 90 s; whole test suite <= 45 min.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:  # say why, not only that it failed
        print(f"{' '.join(cmd)} failed (exit {result.returncode}); its last lines:")
        print((result.stdout + result.stderr)[-4000:])
    return time.perf_counter() - start, result


def main() -> int:
    rows: list[tuple[str, str, str, str]] = []
    ok = True

    took, result = timed([PY, "tools/execute.py"])
    ok &= result.returncode == 0
    rows.append(("make execute (all chapters)", f"{took:.0f} s", "<= 1200 s",
                 "ok" if took <= 1200 and result.returncode == 0 else "OVER/FAILED"))
    stats = json.loads((ROOT / "appendix" / "execution_stats.json").read_text())
    for name, s in sorted(stats.items()):
        budget = 360 if "gan" in name else 180
        rows.append((f"execute {name}", f"{s['seconds']:.0f} s", f"<= {budget} s",
                     "ok" if s["seconds"] <= budget else "OVER"))
        rows.append((f"peak memory {name}", f"{s['peak_memory_mib']} MiB", "< 4096 MiB",
                     "ok" if s["peak_memory_mib"] < 4096 else "OVER"))

    with tempfile.TemporaryDirectory() as out:
        took, result = timed([PY, "tools/build_book.py", "--out", out])
    ok &= result.returncode == 0
    rows.append(("make book (strict build)", f"{took:.0f} s", "<= 90 s",
                 "ok" if took <= 90 and result.returncode == 0 else "OVER/FAILED"))

    took, result = timed([PY, "-m", "pytest", "-q", "--durations=0", "-p", "no:cacheprovider"])
    ok &= result.returncode == 0
    rows.append(("make test (whole suite)", f"{took:.0f} s", "<= 2700 s",
                 "ok" if took <= 2700 and result.returncode == 0 else "OVER/FAILED"))
    per_nb: dict[str, float] = {}
    for line in result.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)s \w+\s+chapters/(\w+)\.ipynb::", line)
        if m:
            per_nb[m.group(2)] = per_nb.get(m.group(2), 0.0) + float(m.group(1))
    for name, seconds in sorted(per_nb.items()):
        limit = 420 if "gan" in name else 240  # the GAN chapter's own budget is 360 s
        rows.append((f"nbval {name}", f"{seconds:.0f} s", f"< {limit} s",
                     "ok" if seconds < limit else "OVER"))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  {'budget':>12}  status")
    for name, value, budget, status in rows:
        print(f"{name:<{width}}  {value:>10}  {budget:>12}  {status}")
    print("machine:", next(iter(stats.values()))["machine"] if stats else "?")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
