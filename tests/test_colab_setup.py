"""The Colab set-up cell: identical in every chapter, inert outside Colab, working inside.

The simulation puts a fake ``google.colab`` module in place, lets a local git repository
stand in for the book's URL, runs the cell in a fresh interpreter in a temporary
directory, and imports ``helpers`` from the clone.
"""

import shutil
import subprocess
import sys
import textwrap

import jupytext
import pytest

from helpers.colab import install_missing, read_repository, setup_cell_source
from tests._paths import ROOT, chapter_sources


def test_every_chapter_starts_with_the_setup_cell():
    url, ref = read_repository(ROOT / "_config.yml")
    expected = setup_cell_source(url, ref)
    for md in chapter_sources():
        first = next(c for c in jupytext.read(md).cells if c.cell_type == "code")
        assert first.source == expected, (
            f"{md.name}: the first code cell must be helpers.colab.setup_cell_source(...) "
            "for the repository in _config.yml"
        )


def _run_cell(source: str, cwd, fake_colab: bool) -> subprocess.CompletedProcess:
    program = textwrap.dedent(
        """
        import pathlib, sys, types
        # the venv's .pth makes the checkout importable; hide it to act like a fresh runtime
        sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != pathlib.Path({root!r})]
        if {fake!r}:
            sys.modules["google.colab"] = types.ModuleType("google.colab")
        exec(compile(sys.stdin.read(), "setup-cell", "exec"))
        import helpers
        print("HELPERS_FROM", helpers.__file__)
        """
    ).format(fake=fake_colab, root=str(ROOT))
    # -I: isolated mode, so neither the current directory nor PYTHONPATH can supply helpers
    return subprocess.run(
        [sys.executable, "-I", "-c", program], input=source, cwd=cwd,
        capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def local_repo(tmp_path):
    """A git repository holding the book's helpers, standing in for the GitHub URL."""
    repo = tmp_path / "origin"
    shutil.copytree(ROOT / "helpers", repo / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "_config.yml", repo / "_config.yml")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-q", "-m", "book"], check=True)
    subprocess.run(["git", "-C", str(repo), "tag", "v-test"], check=True)
    return repo


def test_setup_cell_clones_and_makes_helpers_importable(local_repo, tmp_path):
    dest = tmp_path / "content" / "imbalanced-book"
    work = tmp_path / "work"
    work.mkdir()
    cell = setup_cell_source(f"file://{local_repo}", "v-test", dest=str(dest))
    result = _run_cell(cell, work, fake_colab=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"HELPERS_FROM {dest}/helpers/__init__.py" in result.stdout
    # running the cell a second time (Colab "run all" again) reuses the clone
    again = _run_cell(cell, work, fake_colab=True)
    assert again.returncode == 0, again.stderr[-3000:]


def test_setup_cell_does_nothing_outside_colab(local_repo, tmp_path):
    dest = tmp_path / "never-created"
    cell = setup_cell_source(f"file://{local_repo}", "v-test", dest=str(dest))
    result = _run_cell(cell, tmp_path, fake_colab=False)
    assert not dest.exists()
    assert "No module named 'helpers'" in result.stderr


def test_install_missing_never_touches_tensorflow():
    with pytest.raises(ValueError, match="Colab ships its own"):
        install_missing({"tensorflow": "tensorflow"}, dry_run=True)
    assert install_missing({"json": "json-is-stdlib"}, dry_run=True) == []
    assert install_missing({"surely_not_a_module_xyz": "xyz-pkg"}, dry_run=True) == ["xyz-pkg"]


def test_read_repository_requires_url(tmp_path):
    cfg = tmp_path / "_config.yml"
    cfg.write_text("title: x\n")
    with pytest.raises(ValueError, match="repository.url"):
        read_repository(cfg)
