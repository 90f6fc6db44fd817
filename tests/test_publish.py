"""tools/publish.py: the URL and ref check against a local bare repository, the mechanical
rewrite of the chapters' set-up cells, and the placeholder note of `make book`."""

import shutil
import subprocess
import sys

import jupytext
import nbformat
import pytest

from helpers.colab import helpers_sha256
from tests._paths import ROOT, chapter_sources

sys.path.insert(0, str(ROOT / "tools"))
import publish  # noqa: E402

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("origin")
    work = tmp / "work"
    shutil.copytree(ROOT / "helpers", work / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([*GIT, "init", "-q", str(work)], check=True)
    subprocess.run([*GIT, "-C", str(work), "add", "."], check=True)
    subprocess.run([*GIT, "-C", str(work), "commit", "-q", "-m", "book"], check=True)
    subprocess.run(["git", "-C", str(work), "tag", "v1.0"], check=True)
    (work / "helpers" / "later.py").write_text("x = 1\n")
    subprocess.run([*GIT, "-C", str(work), "add", "."], check=True)
    subprocess.run([*GIT, "-C", str(work), "commit", "-q", "-m", "later"], check=True)
    subprocess.run(["git", "-C", str(work), "branch", "moved"], check=True)
    subprocess.run(["git", "-C", str(work), "reset", "-q", "--hard", "v1.0"], check=True)
    repo = tmp / "book.git"
    subprocess.run(["git", "clone", "-q", "--bare", "--no-local", str(work), str(repo)], check=True)
    return f"file://{repo}"


def test_check_passes_for_a_ref_that_serves_these_helpers(bare):
    digest = helpers_sha256(ROOT)
    assert publish.check(bare, "v1.0", digest) == []
    assert publish.check(bare, "main", digest) == []


def test_check_names_what_is_wrong(bare, tmp_path):
    digest = helpers_sha256(ROOT)
    (missing_ref,) = publish.check(bare, "v9.9", digest)
    assert "no branch or tag 'v9.9'" in missing_ref
    (other_helpers,) = publish.check(bare, "moved", digest)
    assert "SHA-256" in other_helpers and "make publish" in other_helpers
    (no_repo,) = publish.check(f"file://{tmp_path}/nothing.git", "main", digest)
    assert "cannot be read" in no_repo and "repository.url" in no_repo
    (placeholder,) = publish.check(bare, "main", digest, placeholder=True)
    assert "placeholder" in placeholder


def test_make_book_says_when_the_url_is_a_placeholder(tmp_path):
    cfg = tmp_path / "_config.yml"
    cfg.write_text("repository: {url: 'https://github.com/org/book', branch: main}\n"
                   "publish: {placeholder: true}\n")
    note = publish.placeholder_note(cfg)
    assert note.count("\n") == 0 and "https://github.com/org/book is a placeholder" in note
    cfg.write_text("repository: {url: 'https://github.com/org/book', branch: main}\n")
    assert publish.placeholder_note(cfg) is None


@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_rewriting_the_setup_cell_changes_that_cell_only(md):
    new = "import sys\nprint('new set-up')"
    text = md.read_text(encoding="utf-8")
    result = publish.rewrite_markdown_setup_cell(text, new, md.name)
    before, after = jupytext.reads(text, fmt="md:myst"), jupytext.reads(result, fmt="md:myst")
    first = next(i for i, c in enumerate(after.cells) if c.cell_type == "code")
    assert after.cells[first].source == new
    assert after.cells[first].metadata == before.cells[first].metadata  # tags kept
    assert [c.source for i, c in enumerate(after.cells) if i != first] == \
        [c.source for i, c in enumerate(before.cells) if i != first]
    assert publish.rewrite_markdown_setup_cell(result, new, md.name) == result

    ipynb = md.with_suffix(".ipynb")
    raw = ipynb.read_text(encoding="utf-8")
    rewritten = publish.rewrite_notebook_setup_cell(raw, new, ipynb.name)
    old_nb, new_nb = nbformat.reads(raw, as_version=4), nbformat.reads(rewritten, as_version=4)
    first = next(i for i, c in enumerate(new_nb.cells) if c.cell_type == "code")
    assert new_nb.cells[first].source == new
    assert new_nb.cells[first].outputs == old_nb.cells[first].outputs
    old_nb.cells[first].source = new
    assert old_nb == new_nb, "the rewrite touched something besides the set-up cell's source"


def test_rewrite_refuses_a_notebook_without_a_code_cell():
    with pytest.raises(ValueError, match="no \\{code-cell\\}"):
        publish.rewrite_markdown_setup_cell("---\njupytext: {}\n---\n# T\n", "x", "t.md")
