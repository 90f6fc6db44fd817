"""The code style the README promises: ruff is clean on helpers, tests and tools."""

import subprocess
import sys
from pathlib import Path

from tests._paths import ROOT


def test_ruff_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "helpers", "tests", "tools"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
