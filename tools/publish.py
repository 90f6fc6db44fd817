"""Publishing the book: the repository URL and ref come from ``_config.yml`` only.

Commands (the Makefile targets in brackets):

- ``check [--url URL] [--ref REF]`` (``make publish-check``): the URL and ref resolve
  (``git ls-remote``, never prompting) and the helpers/ at that ref have the SHA-256 the
  notebooks record; fails while ``publish.placeholder`` is true.
- ``setup-cells`` (``make setup-cells``): rewrite the first code cell of every chapter
  (``chapters/*.md`` and ``.ipynb``, source only: outputs untouched, nothing executed) to
  ``helpers.colab.book_setup_cell()``.
- ``all`` (``make publish``): ``setup-cells``, then the Colab editions (tools/editions.py).
- ``note`` (``make book``): one line while the URL is a placeholder.
- ``constraints [--freeze FILE]`` (``make colab-constraints``): helpers/colab_constraints.txt
  from Colab's published ``pip freeze``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.colab import (  # noqa: E402
    CONSTRAINTS_FILE,
    book_setup_cell,
    constraints_text,
    helpers_sha256,
    read_publication,
)

CONFIG = ROOT / "_config.yml"
COLAB_FREEZE = ROOT.parent / "shared" / "data" / "colab" / "pip-freeze.txt"
_CODE_CELL = re.compile(r"^(?P<fence>`{3,})\{code-cell\}[^\n]*\n", re.M)
_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": "",
              "GCM_INTERACTIVE": "never"}
_GIT = ["git", "-c", "credential.helper=", "-c", "core.askPass="]


def placeholder_note(config: Path = CONFIG) -> str | None:
    publication = read_publication(config)
    if not publication.placeholder:
        return None
    return (f"Note: the repository {publication.url} is a placeholder (publish.placeholder in "
            "_config.yml): the launch buttons and Colab set-up cells point at it and will not "
            "work until it exists; see README, 'Publishing the book'.")


def _git(args: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*_GIT, *args], env={**os.environ, **_NO_PROMPT},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout)


def check(url: str, ref: str, expected_digest: str, *, placeholder: bool = False) -> list[str]:
    """Problems that keep ``url`` at ``ref`` from serving the notebooks (empty: none)."""
    if placeholder:
        return [f"{url} is marked as a placeholder (publish.placeholder: true in _config.yml); "
                "set repository.url to the real repository and publish.placeholder to false."]
    try:
        listed = _git(["ls-remote", "--exit-code", url, ref])
    except subprocess.TimeoutExpired:
        return [f"git ls-remote {url} timed out; check the network."]
    if listed.returncode == 2:
        return [f"{url} has no branch or tag {ref!r}: push it (git push origin {ref}) or set "
                "repository.branch in _config.yml to one that exists."]
    if listed.returncode:
        why = (listed.stderr.strip().splitlines() or ["no message"])[-1]
        return [f"{url} cannot be read ({why}): create the repository (public), or fix "
                "repository.url in _config.yml."]
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "book"
        fetched = _git(["clone", "-q", "--depth", "1", "--filter=blob:none", "--sparse",
                        "--branch", ref, url, str(dest)])
        if not fetched.returncode:
            fetched = _git(["-C", str(dest), "sparse-checkout", "set", "helpers"])
        if fetched.returncode:
            why = (fetched.stderr.strip().splitlines() or ["no message"])[-1]
            return [f"{url} at {ref} resolves but cannot be fetched ({why})."]
        found = helpers_sha256(dest)
    if found != expected_digest:
        return [f"helpers/ at {url} {ref} has SHA-256 {found[:12]}..., the notebooks record "
                f"{expected_digest[:12]}...: commit and push helpers/ and the regenerated "
                "notebooks (make publish), so Colab readers get the helpers they were made with."]
    return []


def rewrite_markdown_setup_cell(text: str, new_source: str, name: str = "chapter") -> str:
    """``text`` (a MyST notebook) with only its first code cell's source replaced."""
    match = _CODE_CELL.search(text)
    if not match:
        raise ValueError(f"{name}: no {{code-cell}} to hold the set-up cell.")
    fence = match["fence"]
    start = match.end()
    lines = text[start:].split("\n")
    i = 0
    if lines and lines[0].strip() == "---":  # YAML options block
        i = next(j for j in range(1, len(lines)) if lines[j].strip() == "---") + 1
    else:
        while i < len(lines) and lines[i].startswith(":"):
            i += 1
    if i and i < len(lines) and not lines[i].strip():
        i += 1  # the blank line after the options
    body_start = start + sum(len(line) + 1 for line in lines[:i])
    close = re.compile(rf"^{fence}\s*$", re.M).search(text, body_start)
    if not close:
        raise ValueError(f"{name}: the first code cell is never closed.")
    result = text[:body_start] + new_source + "\n" + text[close.start():]
    before, after = jupytext.reads(text, fmt="md:myst"), jupytext.reads(result, fmt="md:myst")
    _same_but_first_code(before.cells, after.cells, new_source, name)
    return result


def _same_but_first_code(before, after, new_source: str, name: str) -> None:
    first = next(i for i, c in enumerate(before) if c.cell_type == "code")
    if len(before) != len(after) or after[first].source != new_source:
        raise ValueError(f"{name}: rewriting the set-up cell would change more than that cell.")
    for i, (old, new) in enumerate(zip(before, after, strict=True)):
        if i != first and (old.source != new.source or old.cell_type != new.cell_type):
            raise ValueError(f"{name}: rewriting the set-up cell would change cell {i}.")


def rewrite_notebook_setup_cell(text: str, new_source: str, name: str = "notebook") -> str:
    """An .ipynb's JSON with only its first code cell's source replaced (outputs kept)."""
    nb = nbformat.reads(text, as_version=4)
    if nbformat.writes(nb) + "\n" != text and nbformat.writes(nb) != text:
        raise ValueError(f"{name} is not in nbformat's layout; rewriting it would change more "
                         "than the set-up cell (run make execute for it first).")
    cell = next((c for c in nb.cells if c.cell_type == "code"), None)
    if cell is None:
        raise ValueError(f"{name}: no code cell to hold the set-up cell.")
    cell.source = new_source
    out = nbformat.writes(nb)
    return out + "\n" if text.endswith("\n") and not out.endswith("\n") else out


def setup_cells(chapters: Path = ROOT / "chapters") -> list[Path]:
    """Rewrite every chapter's set-up cell; returns the files that changed."""
    new_source = book_setup_cell("book")
    changed = []
    for md in sorted(chapters.glob("*.md")):
        if "jupytext:" not in md.read_text(encoding="utf-8")[:600]:
            continue
        for path, rewrite in ((md, rewrite_markdown_setup_cell),
                              (md.with_suffix(".ipynb"), rewrite_notebook_setup_cell)):
            if not path.exists():
                continue
            text = path.read_text(encoding="utf-8")
            result = rewrite(text, new_source, path.name)
            if result != text:
                path.write_text(result, encoding="utf-8")
                changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="the URL and ref resolve and serve these helpers")
    p_check.add_argument("--url", help="default: repository.url in _config.yml")
    p_check.add_argument("--ref", help="default: repository.branch in _config.yml")
    sub.add_parser("setup-cells", help="rewrite every chapter's Colab set-up cell")
    sub.add_parser("all", help="setup-cells, then make editions")
    sub.add_parser("note", help="one line while the repository URL is a placeholder")
    p_con = sub.add_parser("constraints", help="helpers/colab_constraints.txt from Colab's pip freeze")
    p_con.add_argument("--freeze", type=Path, default=COLAB_FREEZE)
    args = parser.parse_args(argv)
    if args.command == "note":
        note = placeholder_note()
        if note:
            print(note)
        return 0
    if args.command == "check":
        publication = read_publication(CONFIG)
        overridden = bool(args.url or args.ref)
        url, ref = args.url or publication.url, args.ref or publication.ref
        problems = check(url, ref, helpers_sha256(ROOT),
                         placeholder=publication.placeholder and not overridden)
        for problem in problems:
            print(f"publish-check: {problem}", file=sys.stderr)
        if not problems:
            print(f"publish-check: {url} at {ref} resolves and serves these helpers.")
        return 1 if problems else 0
    if args.command == "constraints":
        if not args.freeze.exists():
            print(f"{args.freeze} not found; pass --freeze with Colab's pip-freeze.txt.",
                  file=sys.stderr)
            return 1
        CONSTRAINTS_FILE.write_text(constraints_text(args.freeze.read_text(encoding="utf-8"),
                                                     "Colab's pip-freeze.txt"), encoding="utf-8")
        print(f"wrote {CONSTRAINTS_FILE.relative_to(ROOT)}")
        return 0
    try:
        changed = setup_cells()
    except ValueError as exc:
        print(f"setup-cells: {exc}", file=sys.stderr)
        return 1
    print(f"set-up cells: {len(changed)} file(s) rewritten"
          + (f" ({', '.join(p.name for p in changed)})" if changed else ""))
    if args.command == "all":
        return subprocess.run([sys.executable, str(ROOT / "tools" / "editions.py")]).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
