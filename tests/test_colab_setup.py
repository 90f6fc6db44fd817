"""The Colab set-up cell: identical in every chapter, inert outside Colab, safe inside.

The simulation puts a fake ``google.colab`` module in place, lets a local bare git
repository (file:// URL) stand in for the book's URL, runs the cell in a fresh isolated
interpreter in a temporary directory, and imports ``helpers`` from what it fetched. Other
tests serve a repository whose helpers differ from the recorded hash, a URL that does not
exist, and an HTTP server that asks for a password.
"""

import http.server
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import jupytext
import nbformat
import pytest

from helpers import colab
from helpers.colab import (
    book_setup_cell,
    constraints_text,
    helpers_sha256,
    install_missing,
    parse_pip_freeze,
    project_name,
    read_publication,
    read_repository,
    setup_cell_source,
    student_setup_cell_source,
)
from tests._paths import ROOT, chapter_sources

COLAB_FREEZE = ROOT.parent / "shared" / "data" / "colab" / "pip-freeze.txt"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]


def _first_code_cell(cells):
    return next(c for c in cells if c.cell_type == "code")


@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_every_chapter_starts_with_the_setup_cell(md):
    expected = book_setup_cell("book")
    hint = ("must be helpers.colab.book_setup_cell() for _config.yml's repository and the "
            "current helpers/ (their SHA-256 changes with every edit): run `make publish`")
    assert _first_code_cell(jupytext.read(md).cells).source == expected, f"{md.name} {hint}"
    ipynb = md.with_suffix(".ipynb")
    if ipynb.exists():
        cells = nbformat.read(ipynb, as_version=4).cells
        assert _first_code_cell(cells).source == expected, f"{ipynb.name} {hint}"


def _run_cell(source: str, cwd, fake_colab: bool, env=None) -> subprocess.CompletedProcess:
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
        capture_output=True, text=True, timeout=300, env=env,
    )


def _make_origin(tmp_path, name="origin", tamper=False):
    """A bare repository with the book's helpers/, a chapter and an executed notebook."""
    work = tmp_path / f"{name}-work"
    shutil.copytree(ROOT / "helpers", work / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    (work / "chapters").mkdir()
    (work / "chapters" / "00_x.md").write_text("solution: 0.00172045\n")
    (work / "chapters" / "00_x.ipynb").write_text("{}\n")
    shutil.copy(ROOT / "_config.yml", work / "_config.yml")
    if tamper:
        with (work / "helpers" / "colab.py").open("a") as handle:
            handle.write("\nprint('code from whoever controls the URL')\n")
    subprocess.run([*GIT, "init", "-q", str(work)], check=True)
    subprocess.run([*GIT, "-C", str(work), "add", "."], check=True)
    subprocess.run([*GIT, "-C", str(work), "commit", "-q", "-m", "book"], check=True)
    subprocess.run(["git", "-C", str(work), "tag", "v-test"], check=True)
    bare = tmp_path / f"{name}.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


@pytest.fixture
def origin(tmp_path):
    return _make_origin(tmp_path)


def _cell(url, ref, dest, edition="book"):
    return setup_cell_source(url, ref, helpers_sha256(ROOT), dest=str(dest), edition=edition)


@pytest.mark.parametrize("ref", ["v-test", "main"])
@pytest.mark.parametrize("edition", ["colab", "student"])
def test_setup_cell_fetches_only_the_pinned_helpers(origin, tmp_path, ref, edition):
    dest = tmp_path / "content" / "imbalanced-book"
    work = tmp_path / "work"
    work.mkdir()
    cell = _cell(f"file://{origin}", ref, dest, edition)
    result = _run_cell(cell, work, fake_colab=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"HELPERS_FROM {dest}/helpers/__init__.py" in result.stdout
    # only what the notebooks need: no chapter sources or executed notebooks, no git history
    assert not (dest / "chapters").exists()
    assert not (dest / ".git").exists()
    assert helpers_sha256(dest) == helpers_sha256(ROOT)
    # running the cell again (Colab "Run all" again) reuses the checked copy, offline
    shutil.rmtree(origin)
    again = _run_cell(cell, work, fake_colab=True)
    assert again.returncode == 0, again.stderr[-3000:]


def test_setup_cell_refuses_helpers_that_differ_from_the_recorded_hash(tmp_path):
    evil = _make_origin(tmp_path, "evil", tamper=True)
    dest = tmp_path / "content" / "imbalanced-book"
    result = _run_cell(_cell(f"file://{evil}", "v-test", dest), tmp_path, fake_colab=True)
    assert result.returncode != 0
    assert "code from whoever controls the URL" not in result.stdout
    assert "are not the ones this notebook was made with" in result.stderr
    assert not dest.exists(), "refused helpers must not stay where a later cell could import them"
    assert "HELPERS_FROM" not in result.stdout


def test_a_locally_changed_copy_is_fetched_again(origin, tmp_path):
    dest = tmp_path / "content" / "imbalanced-book"
    cell = _cell(f"file://{origin}", "v-test", dest)
    assert _run_cell(cell, tmp_path, fake_colab=True).returncode == 0
    (dest / "helpers" / "colab.py").write_text("raise SystemExit('edited copy imported')\n")
    result = _run_cell(cell, tmp_path, fake_colab=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert helpers_sha256(dest) == helpers_sha256(ROOT)


def test_a_failed_fetch_says_what_failed_in_one_line(tmp_path):
    url = f"file://{tmp_path}/no-such-repository.git"
    dest = tmp_path / "content" / "imbalanced-book"
    result = _run_cell(_cell(url, "v1.0", dest), tmp_path, fake_colab=True)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert url in last and "ref v1.0" in last and "rerun this cell" in last
    assert "No module named 'helpers'" not in result.stderr
    assert not dest.exists()


class _AsksForPassword(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_fetch_never_prompts_for_credentials(tmp_path):
    """A URL that asks for a password (what GitHub answers for an unclaimed or private
    repository) fails at once: no terminal prompt, no askpass program, no credential helper."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AsksForPassword)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    marker = tmp_path / "asked"
    spy = tmp_path / "spy.sh"
    spy.write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\necho secret\n")
    spy.chmod(0o755)
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f"[credential]\n\thelper = !{spy}\n[core]\n\taskPass = {spy}\n")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_ASKPASS": str(spy),
           "SSH_ASKPASS": str(spy), "HOME": str(tmp_path)}
    url = f"http://127.0.0.1:{server.server_address[1]}/imbalanced-keras/imbalanced-book"
    try:
        result = _run_cell(_cell(url, "main", tmp_path / "dest"), tmp_path, True, env=env)
    finally:
        server.shutdown()
    assert result.returncode != 0
    assert not marker.exists(), f"git asked for credentials: {marker.read_text()}"
    last = result.stderr.strip().splitlines()[-1]
    assert url in last and "ref main" in last


def test_setup_cell_does_nothing_outside_colab(origin, tmp_path):
    dest = tmp_path / "never-created"
    result = _run_cell(_cell(f"file://{origin}", "v-test", dest), tmp_path, fake_colab=False)
    assert not dest.exists()
    assert "No module named 'helpers'" in result.stderr


def test_setup_cell_rejects_bad_values():
    digest = helpers_sha256(ROOT)
    with pytest.raises(ValueError, match="edition must be one of"):
        setup_cell_source("https://x/y", "main", digest, edition="teacher")
    with pytest.raises(ValueError, match="not a SHA-256"):
        setup_cell_source("https://x/y", "main", "abc")
    with pytest.raises(ValueError, match="as an option"):
        setup_cell_source("https://x/y", "--upload-pack=evil", digest)
    with pytest.raises(ValueError, match="without spaces, quotes"):
        setup_cell_source('https://x/y"; import os; "', "main", digest)


def test_student_cell_is_the_student_edition():
    cell = student_setup_cell_source("00_measuring_imbalance")
    assert "no chapters, no solutions" in cell
    assert helpers_sha256(ROOT) in cell
    compile(cell, "student-setup", "exec")


def test_helpers_hash_sees_every_file_but_caches(tmp_path):
    shutil.copytree(ROOT / "helpers", tmp_path / "helpers",
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = helpers_sha256(tmp_path)
    (tmp_path / "helpers" / "__pycache__").mkdir()
    (tmp_path / "helpers" / "__pycache__" / "x.pyc").write_bytes(b"cache")
    assert helpers_sha256(tmp_path) == before
    (tmp_path / "helpers" / "extra.txt").write_text("x")
    assert helpers_sha256(tmp_path) != before
    with pytest.raises(ValueError, match="no files to hash"):
        helpers_sha256(tmp_path / "nothing")


def test_install_missing_never_touches_tensorflow():
    for name in ("tensorflow", "TensorFlow_CPU>=2.15", "Keras", "tf.keras"):
        with pytest.raises(ValueError, match="Colab ships its own"):
            install_missing({"x": name}, dry_run=True)
    assert install_missing({"json": "json-is-stdlib"}, dry_run=True) == []
    assert install_missing({"surely_not_a_module_xyz": "xyz-pkg"}, dry_run=True) == ["xyz-pkg"]


def test_install_missing_pins_what_is_installed_and_colabs_versions(monkeypatch):
    calls = []

    def fake_run(cmd, **kwargs):
        constraints = Path(cmd[cmd.index("-c") + 1]).read_text()
        calls.append((cmd, constraints))
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(colab.subprocess, "run", fake_run)
    installed = colab.installed_pins()
    assert install_missing({"surely_not_a_module_xyz": "mlxtend"}) == ["mlxtend"]
    (cmd, constraints), = calls
    assert cmd[-1] == "mlxtend"
    pins = parse_pip_freeze(constraints)
    assert pins["numpy"] == installed["numpy"], "an installed package could be upgraded"
    if "tensorflow" not in installed:  # held at Colab's version when not installed here
        assert pins["tensorflow"] == colab.colab_pins()["tensorflow"]


def test_install_missing_failure_says_what_to_do(monkeypatch):
    monkeypatch.setattr(colab.subprocess, "run",
                        lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1))
    with pytest.raises(RuntimeError, match="without changing a package"):
        install_missing({"surely_not_a_module_xyz": "xyz-pkg"})


def test_installed_versions_win_over_colabs():
    pins = colab.install_constraints(installed={"numpy": "9.9"},
                                     published={"numpy": "2.1.3", "mlxtend": "0.23.4"})
    assert pins == {"numpy": "9.9", "mlxtend": "0.23.4"}


def test_constraints_are_colabs_published_versions():
    if not COLAB_FREEZE.exists():
        pytest.skip(f"{COLAB_FREEZE} not present on this machine")
    expected = constraints_text(COLAB_FREEZE.read_text(encoding="utf-8"), "Colab's pip-freeze.txt")
    assert colab.CONSTRAINTS_FILE.read_text(encoding="utf-8") == expected, (
        "helpers/colab_constraints.txt is not Colab's pip-freeze.txt: run `make colab-constraints`")
    assert colab.colab_pins()["mlxtend"] == "0.23.4"


def test_parse_pip_freeze():
    text = "# comment\nNumPy==2.1.3\ngoogle-colab @ file:///x.tar.gz\n\nscikit_learn==1.6.1\n"
    assert parse_pip_freeze(text) == {"numpy": "2.1.3", "scikit-learn": "1.6.1"}
    with pytest.raises(ValueError, match="not 'name==version'"):
        parse_pip_freeze("numpy>=2\n")
    assert project_name("Imbalanced_Learn[extra]==0.14") == "imbalanced-learn"


def test_read_repository_requires_url(tmp_path):
    cfg = tmp_path / "_config.yml"
    cfg.write_text("title: x\n")
    with pytest.raises(ValueError, match="repository.url"):
        read_repository(cfg)
    cfg.write_text("repository: {url: 'https://github.com/Org/book', branch: v1}\n"
                   "publish: {placeholder: 'yes'}\n")
    with pytest.raises(ValueError, match="placeholder must be true or false"):
        read_publication(cfg)
    cfg.write_text("repository: {url: 'https://github.com/Org/book', branch: v1}\n")
    publication = read_publication(cfg)
    assert publication.book_url == "https://org.github.io/book/"
    assert not publication.placeholder


def test_in_a_kernel_a_failed_fetch_is_one_line_and_stops_run_all(tmp_path):
    """In Jupyter (as in Colab) the set-up error shows as one line, not a traceback, and
    it is an error, so "Run all" stops before the cells that need helpers."""
    from nbclient import NotebookClient

    url = f"file://{tmp_path}/no-such-repository.git"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'),
        nbformat.v4.new_code_cell(_cell(url, "main", tmp_path / "content" / "book")),
        nbformat.v4.new_code_cell("print('a later cell ran')"),
    ]
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(Exception, match="BookSetupError"):
        client.execute()
    (error,) = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert len(error.traceback) == 1
    assert error.traceback[0].startswith("Set-up stopped: could not fetch the book's helpers")
    assert url in error.traceback[0]
    assert not nb.cells[2].outputs, "run-all went on past the failed set-up"
