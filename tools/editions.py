"""`make editions`: the Colab edition of every chapter, in editions/colab/ (committed).

Each edition notebook is generated from the executed ``chapters/NAME.ipynb`` (never run
here) and holds plain Jupyter Markdown only, since Colab does not read MyST:

- ``{glue:text}`key:fmt``` (and ``{glue}`` / ``{glue:}`` / ``{glue:md}``) become the value
  the book's run glued, formatted as myst-nb formats it in the HTML book; one line under
  the title says these numbers come from the book's run and that the reader's run prints
  its own;
- ``{cite}`` / ``{cite:p}`` / ``{cite:t}`` become author-year text from references.bib,
  linked to the book's references page; ``{doc}`` / ``{ref}`` become links to the HTML
  pages at the published book URL (``publish.book_url`` or the GitHub Pages address);
- ``{exercise}`` becomes a numbered heading ("Exercise 3.1 (...)"), a gated
  ``{solution-start}`` ... ``{solution-end}`` becomes collapsed ``<details>`` blocks with
  the solution's code cells folded (Colab's form view); admonitions become block quotes;
- the first code cell is the Colab edition's set-up cell (helpers.colab), outputs are
  cleared, jupytext metadata is dropped, and hide-input / remove-* cells are folded.

Usage: python tools/editions.py [--check]   (--check: exit 1 if an edition is stale)
"""

from __future__ import annotations

import argparse
import copy
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.colab import book_setup_cell, read_publication  # noqa: E402

OUT = ROOT / "editions" / "colab"
REFERENCES_DOC = "appendix/references"
GLUE_PREFIX = "application/papermill.record/"

HEADER_LINE = ("*The numbers in this text come from the book's own run on the real data "
               "([the book]({page})); when you run this notebook, its outputs are your "
               "run's, which can differ a little.*")

ADMONITIONS = {"note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
               "warning": "Warning", "caution": "Caution", "attention": "Attention",
               "danger": "Danger", "error": "Error", "seealso": "See also",
               "admonition": "", "margin": "", "sidebar": "", "epigraph": "", "topic": ""}

ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}`(?P<content>[^`]+)`")
DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})[ \t]*"
                       r"\{(?P<name>[\w:.+-]+)\}[ \t]*(?P<arg>.*?)[ \t]*$")
PLAIN_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*$")
EMPTY_DETAILS = re.compile(r"<details>\n<summary>[^<]*</summary>\s*</details>")
SUBSTITUTION = re.compile(r"\{\{[^{}]*\}\}")
HIDDEN_TAGS = {"hide-input", "remove-input", "remove-cell", "hide-cell"}
NO_OUTPUT_TAGS = {"hide-output", "remove-output", "remove-cell", "hide-cell"}


class EditionError(ValueError):
    """A chapter uses MyST that has no plain-Markdown form here (the message says what)."""


# --- what a chapter can refer to ----------------------------------------------------------------

@dataclass
class Book:
    """What the conversion needs to know about the whole book."""

    book_url: str
    titles: dict[str, str]               # docname -> page title
    chapter_numbers: dict[str, int]      # docname -> chapter number as the book prints it
    citations: dict[str, tuple[str, str]]  # bib key -> (authors as cited, year)
    targets: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # label -> (doc, anchor, text)

    def page(self, docname: str, anchor: str = "") -> str:
        return f"{self.book_url}{docname}.html" + (f"#{anchor}" if anchor else "")


def _plain_latex(text: str) -> str:
    from pybtex.richtext import Text

    return Text.from_latex(text).render_as("text")


def load_citations(bib: Path) -> dict[str, tuple[str, str]]:
    """``{key: (who, year)}`` as the book cites: one or two surnames, else "X *et al.*"."""
    from pybtex.database import parse_file

    citations = {}
    for key, entry in parse_file(str(bib)).entries.items():
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_plain_latex(" ".join(p.prelast_names + p.last_names)) for p in persons]
        if not names:
            who = key
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} *et al.*"
        citations[key] = (who, entry.fields.get("year", ""))
    return citations


def _first_heading(markdown: str) -> str | None:
    for line in markdown.splitlines():
        match = re.match(r"^#\s+(.+?)\s*#*\s*$", line)
        if match:
            return match[1]
    return None


def _toc_docs(root: Path) -> tuple[list[str], list[str]]:
    """(every docname in _toc.yml, the numbered chapters in order)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    docs, numbered = [toc["root"]], []
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            docs.append(chapter["file"])
            if part.get("numbered"):
                numbered.append(chapter["file"])
    return docs, numbered


def load_book(root: Path = ROOT) -> Book:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    start = int(((config.get("sphinx") or {}).get("config") or {}).get("chapter_number_start", 1))
    docs, numbered = _toc_docs(root)
    titles, targets = {}, {}
    for doc in docs:
        ipynb, md = root / f"{doc}.ipynb", root / f"{doc}.md"
        if ipynb.exists():
            nb = nbformat.read(ipynb, as_version=4)
            text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        elif md.exists():
            text = md.read_text(encoding="utf-8")
        else:
            raise EditionError(f"_toc.yml lists {doc!r} but neither {doc}.ipynb nor {doc}.md exists.")
        titles[doc] = _first_heading(text) or doc
        lines = text.splitlines()
        for i, line in enumerate(lines):
            target = TARGET.match(line)
            if target:
                heading = next((ln.lstrip("#").strip() for ln in lines[i + 1:] if ln.strip()), "")
                targets[target["label"]] = (doc, target["label"], heading)
    chapter_numbers = {doc: start + i for i, doc in enumerate(numbered)}
    return Book(read_publication(root / "_config.yml").book_url, titles, chapter_numbers,
                load_citations(root / "references.bib"), targets)


# --- roles ------------------------------------------------------------------------------------

def _escape(text: str) -> str:
    """A glued value as literal Markdown text (the book shows it as plain text)."""
    return re.sub(r"([\\`*_\[\]<>|$#~])", r"\\\1", text)


def _link(text: str, url: str) -> str:
    return f"[{text}]({url})"


def format_glue(data: dict, fmt: str, name: str, where: str) -> str:
    from myst_nb.core.variables import format_plain_text

    if "text/plain" not in data:
        raise EditionError(f"{where}: glued {name!r} has no text/plain value; glue a number or text.")
    return format_plain_text(data["text/plain"], fmt)


def convert_cite(role: str, content: str, book: Book, where: str) -> str:
    """``{cite}`` as the book prints it: "[Lin *et al.*, 2017]"; ``{cite:t}``: "Lin *et al.* [2017]"."""
    keys = [k.strip() for k in content.split(",") if k.strip()]
    unknown = [k for k in keys if k not in book.citations]
    if unknown:
        raise EditionError(f"{where}: {{{role}}} cites {unknown}, which references.bib does not have.")
    url = book.page(REFERENCES_DOC)
    textual = role in ("cite:t", "cite:ts", "cite:ct", "cite:cts")
    if role not in ("cite", "cite:p", "cite:ps", "cite:t", "cite:ts"):
        raise EditionError(f"{where}: no plain form for {{{role}}}; use {{cite}}, {{cite:p}} or {{cite:t}}.")
    if textual:
        return ", ".join(f"{book.citations[k][0]} \\[{_link(book.citations[k][1], url)}\\]" for k in keys)
    inner = ", ".join(_link(f"{book.citations[k][0]}, {book.citations[k][1]}", url) for k in keys)
    return f"\\[{inner}\\]"


def _explicit(content: str) -> tuple[str | None, str]:
    match = re.fullmatch(r"\s*(?P<text>.*?)\s*<(?P<target>[^<>]+)>\s*", content, re.S)
    return (match["text"], match["target"].strip()) if match else (None, content.strip())


def convert_doc(content: str, docname: str, book: Book, where: str) -> str:
    text, target = _explicit(content)
    target = target.removesuffix(".md").removesuffix(".ipynb")
    resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join(posixpath.dirname(docname), target))
    if resolved not in book.titles:
        raise EditionError(f"{where}: {{doc}} `{content}` names {resolved!r}, which is not in _toc.yml.")
    return _link(text or book.titles[resolved], book.page(resolved))


def convert_ref(content: str, book: Book, exercises: dict[str, str], docname: str, where: str) -> str:
    text, label = _explicit(content)
    if label in exercises:
        return _link(text or f"Exercise {exercises[label]}", book.page(docname, label))
    if label not in book.targets:
        raise EditionError(f"{where}: {{ref}} `{content}`: no target ({label})= in the book.")
    doc, anchor, heading = book.targets[label]
    return _link(text or heading, book.page(doc, anchor))


def convert_roles(text: str, chapter: Chapter) -> str:
    def replace(match: re.Match) -> str:
        name, content = match["name"], match["content"]
        where = f"{chapter.docname}: {{{name}}}`{content}`"
        if name in ("glue:text", "glue", "glue:", "glue:any", "glue:md"):
            key, fmt = content, ""
            if name == "glue:text" and ":" in content.replace("::", ""):
                key, fmt = content.rsplit(":", 1)  # myst-nb: key:format_spec
            key = key.strip()
            if "::" in key:
                raise EditionError(f"{where}: glue from another document is not supported here.")
            if key not in chapter.glue:
                raise EditionError(f"{where}: {key!r} is not glued in the executed notebook; "
                                   "run `make execute CHAPTER=...` first.")
            data = chapter.glue[key]
            if name == "glue:md":
                if "text/markdown" not in data:
                    raise EditionError(f"{where}: glued {key!r} has no text/markdown value.")
                return data["text/markdown"]
            if name == "glue:text":
                return _escape(format_glue(data, fmt or "s", key, where))
            if "text/plain" not in data:  # myst-nb pastes text/plain as it is (repr)
                raise EditionError(f"{where}: glued {key!r} has no text/plain value.")
            return _escape(data["text/plain"])
        if name.startswith("cite"):
            return convert_cite(name, content, chapter.book, where)
        if name == "doc":
            return convert_doc(content, chapter.docname, chapter.book, where)
        if name == "ref":
            return convert_ref(content, chapter.book, chapter.exercises, chapter.docname, where)
        if name == "math":
            return f"${content}$"
        if name in ("code", "literal", "samp", "file", "kbd"):
            return f"`{content}`"
        raise EditionError(f"{where}: no plain-Markdown form for the role {{{name}}}; add one to "
                           "tools/editions.py or write plain Markdown in the chapter.")

    return ROLE.sub(replace, text)


# --- directives and cells ---------------------------------------------------------------------

@dataclass
class Chapter:
    docname: str
    number: int
    book: Book
    glue: dict[str, dict]
    exercises: dict[str, str] = field(default_factory=dict)  # label -> "3.1"
    solution: str | None = None     # the exercise number of the open gated solution
    solution_parts: int = 0
    details_open: bool = False


def _parse_directive(lines: list[str], start: int) -> tuple[dict, int]:
    """The directive opening at ``lines[start]``: name, argument, options, body, next line."""
    opener = DIRECTIVE.match(lines[start])
    fence = opener["fence"]
    closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    i, options = start + 1, {}
    if i < len(lines) and lines[i].strip() == "---":
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "---"), None)
        if end is None:
            raise EditionError(f"directive {opener['name']!r}: its --- options block is not closed.")
        options = yaml.safe_load("\n".join(lines[i + 1:end])) or {}
        i = end + 1
    else:
        while i < len(lines) and re.match(r"^[ \t]*:[\w-]+:", lines[i]):
            key, _, value = lines[i].strip()[1:].partition(":")
            options[key] = value.strip()
            i += 1
    body, depth = [], 0
    while i < len(lines):
        line = lines[i]
        if DIRECTIVE.match(line) and DIRECTIVE.match(line)["fence"][0] == fence[0]:
            depth += 1
        elif closing.match(line):
            if depth == 0:
                break
            depth -= 1
        body.append(line)
        i += 1
    else:
        raise EditionError(f"directive {opener['name']!r} opened with {fence} is never closed.")
    while body and not body[0].strip():
        body.pop(0)
    return {"name": opener["name"], "arg": opener["arg"], "options": options,
            "body": "\n".join(body).rstrip()}, i + 1


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def _open_details(chapter: Chapter) -> str:
    chapter.solution_parts += 1
    more = " (continued)" if chapter.solution_parts > 1 else ""
    chapter.details_open = True
    return f"<details>\n<summary>Solution to Exercise {chapter.solution}{more}</summary>\n\n"


def render_directive(d: dict, chapter: Chapter) -> str:
    name, arg, body = d["name"], d["arg"], d["body"]
    where = f"{chapter.docname}: {{{name}}}"
    if name == "exercise":
        number = f"{chapter.number}.{len(chapter.exercises) + 1}"
        label = str(d["options"].get("label", f"exercise-{number}"))
        chapter.exercises[label] = number
        title = f"### Exercise {number}" + (f" ({convert_roles(arg, chapter)})" if arg else "")
        return f"{title}\n\n{convert_markdown(body, chapter)}"
    if name == "solution-start":
        if arg not in chapter.exercises:
            raise EditionError(f"{where} {arg}: no exercise with that label before it.")
        chapter.solution, chapter.solution_parts = chapter.exercises[arg], 0
        return _open_details(chapter)
    if name == "solution-end":
        if chapter.solution is None:
            raise EditionError(f"{where}: no {{solution-start}} before it.")
        chapter.solution = None
        if chapter.details_open:
            chapter.details_open = False
            return "</details>"
        return ""
    if name == "solution":
        number = chapter.exercises.get(arg)
        if number is None:
            raise EditionError(f"{where} {arg}: no exercise with that label before it.")
        return (f"<details>\n<summary>Solution to Exercise {number}</summary>\n\n"
                f"{convert_markdown(body, chapter)}\n\n</details>")
    if name in ADMONITIONS or name == "dropdown":
        title = convert_roles(arg, chapter) if arg else ADMONITIONS.get(name, "")
        inner = convert_markdown(body, chapter)
        if name == "dropdown" or "dropdown" in str(d["options"].get("class", "")):
            return f"<details>\n<summary>{title or 'More'}</summary>\n\n{inner}\n\n</details>"
        return _quote((f"**{title}**\n\n" if title else "") + inner)
    raise EditionError(f"{where}: no plain-Markdown form for this directive; add one to "
                       "tools/editions.py or write plain Markdown in the chapter.")


def convert_markdown(text: str, chapter: Chapter) -> str:
    """One markdown cell's MyST as plain Markdown (plain code blocks are left as they are)."""
    lines, out, i, prose = text.splitlines(), [], 0, []

    def flush():
        if prose:
            out.append(convert_roles("\n".join(prose), chapter))
            prose.clear()

    while i < len(lines):
        line = lines[i]
        if DIRECTIVE.match(line):
            flush()
            directive, i = _parse_directive(lines, i)
            out.append(render_directive(directive, chapter))
            continue
        plain = PLAIN_FENCE.match(line)
        if plain:  # a code block: copied as it is, up to its closing fence
            flush()
            fence = plain["fence"]
            closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
            end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), len(lines) - 1)
            out.append("\n".join(lines[i:end + 1]))
            i = end + 1
            continue
        if TARGET.match(line) or line.startswith("% "):
            i += 1  # (label)= targets and MyST comments have no plain form; links use the HTML
            continue
        if SUBSTITUTION.search(line):
            raise EditionError(f"{chapter.docname}: substitution {line.strip()!r} has no plain form.")
        prose.append(line)
        i += 1
    flush()
    joined = "\n".join(part for part in out)
    return re.sub(r"\n{3,}", "\n\n", joined).strip("\n")


def _glue_data(nb) -> dict[str, dict]:
    data = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            meta = (output.get("metadata") or {}).get("scrapbook")
            if meta:
                prefix = len(meta.get("mime_prefix", ""))
                data[meta["name"]] = {k[prefix:]: v for k, v in output.get("data", {}).items()}
    return data


def _fold(cell, title: str | None = None) -> None:
    """Colab's form view hides the code (a title shows what it is); JupyterLab's flag too."""
    cell.metadata["cellView"] = "form"
    cell.metadata["jupyter"] = {**cell.metadata.get("jupyter", {}), "source_hidden": True}
    if title and not cell.source.startswith("# @title"):
        cell.source = f"# @title {title}\n{cell.source}"


def build_edition(ipynb: Path, book: Book, root: Path = ROOT,
                  docname: str | None = None) -> nbformat.NotebookNode:
    """The Colab edition of one executed chapter notebook, in memory (``docname``: the
    chapter's name in the book, by default its path under ``root`` without suffix)."""
    docname = docname or ipynb.relative_to(root).with_suffix("").as_posix()
    if docname not in book.chapter_numbers:
        raise EditionError(f"{docname} is not a numbered chapter in _toc.yml.")
    source = nbformat.read(ipynb, as_version=4)
    chapter = Chapter(docname, book.chapter_numbers[docname], book, _glue_data(source))
    cells, setup_done, header_done = [], False, False
    for original in source.cells:
        cell = copy.deepcopy(original)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "markdown":
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            opener = DIRECTIVE.match(first)
            ends_first = bool(opener) and opener["name"] == "solution-end"
            prefix = ""
            if chapter.solution is not None and not chapter.details_open and not ends_first:
                prefix = _open_details(chapter)
            text = prefix + convert_markdown(cell.source, chapter)
            if chapter.details_open and chapter.solution is not None:
                text += "\n\n</details>"
                chapter.details_open = False
            if not header_done and text.lstrip().startswith("# "):
                title, _, rest = text.lstrip().partition("\n")
                text = f"{title}\n\n{HEADER_LINE.format(page=book.page(docname))}\n{rest}"
                header_done = True
            text, empty = EMPTY_DETAILS.subn("", text)
            chapter.solution_parts -= empty  # "(continued)" counts only parts with text
            text = text.strip("\n")
            if not text.strip():
                continue  # a cell that held only {solution-start} or {solution-end}
            cell.source = text
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            tags = set(cell.metadata.get("tags", []))
            if not setup_done:
                cell.source = book_setup_cell("colab", root)
                setup_done = True
                _fold(cell, "Colab set-up (run this first)")
            elif chapter.solution is not None:
                _fold(cell, f"Solution to Exercise {chapter.solution} (code)")
            elif tags & HIDDEN_TAGS:
                _fold(cell)
            if tags & NO_OUTPUT_TAGS:
                cell.metadata["jupyter"] = {**cell.metadata.get("jupyter", {}), "outputs_hidden": True}
        cells.append(cell)
    if chapter.solution is not None:
        raise EditionError(f"{docname}: the solution to Exercise {chapter.solution} has no {{solution-end}}.")
    if not header_done:
        raise EditionError(f"{docname}: no '# Title' heading to put the provenance line under.")
    nb = nbformat.v4.new_notebook()
    nb.nbformat, nb.nbformat_minor = source.nbformat, source.nbformat_minor
    nb.metadata = {
        "colab": {"name": ipynb.name, "provenance": [], "toc_visible": True},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "imbalanced_book": {"edition": "colab", "generated_from": f"{docname}.ipynb",
                            "generator": "tools/editions.py (make editions)"},
    }
    nb.cells = cells
    leftovers = myst_constructs(nb)
    if leftovers:
        raise EditionError(f"{docname}: MyST left in the edition: {leftovers[:5]}")
    return nb


def myst_constructs(nb) -> list[str]:
    """MyST roles, directives, targets and substitutions in a notebook's markdown cells."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            hits = [m.group(0) for m in ROLE.finditer(line)]
            if DIRECTIVE.match(line) or TARGET.match(line):
                hits.append(line.strip())
            hits += SUBSTITUTION.findall(line)
            found += [f"cell {index}: {hit}" for hit in hits]
    return found


def edition_text(nb) -> str:
    return nbformat.writes(nb) + "\n"


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    _, numbered = _toc_docs(root)
    return [root / f"{doc}.ipynb" for doc in numbered]


def expected_editions(root: Path = ROOT) -> dict[Path, str]:
    """``{edition path: its text}`` for every chapter, generated in memory."""
    book = load_book(root)
    out = root / "editions" / "colab"
    missing = [p.name for p in chapter_notebooks(root) if not p.exists()]
    if missing:
        raise EditionError(f"no executed notebook for {missing}: run `make execute` first.")
    return {out / p.name: edition_text(build_edition(p, book, root)) for p in chapter_notebooks(root)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if an edition is missing or stale")
    args = parser.parse_args()
    try:
        expected = expected_editions()
    except EditionError as exc:
        print(f"editions: {exc}", file=sys.stderr)
        return 1
    stale = [p for p, text in expected.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    extra = sorted(set(OUT.glob("*.ipynb")) - set(expected)) if OUT.exists() else []
    if args.check:
        for path in stale + extra:
            print(f"{path.relative_to(ROOT)} is stale or unexpected: run `make editions`.")
        return 1 if stale or extra else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_text(expected[path], encoding="utf-8")
    for path in extra:
        path.unlink()
    print(f"editions/colab: {len(stale)} written, {len(expected) - len(stale)} unchanged"
          + (f", {len(extra)} removed" if extra else "") + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())

