"""The Colab edition (editions/colab/, `make editions`): plain Jupyter Markdown, current
against the executed chapters, with the book's glued numbers, citations and links."""

import re
import sys

import nbformat
import pytest

from helpers.colab import book_setup_cell
from tests._paths import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402
from editions import Book, EditionError, build_edition, convert_cite, convert_doc  # noqa: E402

EDITIONS = ROOT / "editions" / "colab"
CHAPTERS = editions.chapter_notebooks(ROOT)
GLUE_TEXT = re.compile(r"\{glue:text\}`(?P<content>[^`]+)`")
URL = "https://example.org/book/"


def _edition(chapter):
    path = EDITIONS / chapter.name
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make editions`"
    return nbformat.read(path, as_version=4)


def _markdown(nb) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_edition_has_no_myst(chapter):
    nb = _edition(chapter)
    assert editions.myst_constructs(nb) == []
    text = _markdown(nb)
    for leftover in ("{glue", "{cite", "{doc}", "{ref}", "{exercise}", "{solution", "```{", ":::{"):
        assert leftover not in text, f"{chapter.stem}: MyST {leftover!r} left for Colab"


def test_every_edition_is_current():
    """An edition stale against its chapter (or the helpers' hash, _config.yml, the
    bibliography) fails: regenerate in memory and compare byte for byte."""
    expected = editions.expected_editions(ROOT)
    stale = [p.name for p, text in expected.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    extra = sorted(p.name for p in EDITIONS.glob("*.ipynb") if p not in expected)
    assert not stale and not extra, f"stale {stale}, unexpected {extra}: run `make editions`"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_glued_values_are_in_the_text(chapter):
    """Every {glue:text} of the chapter appears in the edition, formatted as the book does."""
    from myst_nb.core.variables import format_plain_text

    source = nbformat.read(chapter, as_version=4)
    glued = editions._glue_data(source)
    text = _markdown(_edition(chapter))
    roles = [m["content"] for c in source.cells if c.cell_type == "markdown"
             for m in GLUE_TEXT.finditer(c.source)]
    assert roles, f"{chapter.stem} glues nothing; is this the executed notebook?"
    for content in roles:
        key, _, fmt = content.rpartition(":") if ":" in content else (content, "", "s")
        value = format_plain_text(glued[key]["text/plain"], fmt)
        assert editions._escape(value) in text, f"{chapter.stem}: glued {key} ({value!r}) missing"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_edition_notebook_is_what_colab_needs(chapter):
    nb = _edition(chapter)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert book_setup_cell("colab") in first_code.source, (
        f"{chapter.stem}: the edition's set-up cell is not helpers.colab.book_setup_cell('colab') "
        "for _config.yml and the current helpers/ (their SHA-256): run `make publish`")
    assert "jupytext" not in nb.metadata
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    title_cell = nb.cells[0].source
    assert title_cell.startswith("# ") and "come from the book's own run on the real data" in title_cell
    assert "your run's" in title_cell
    number = editions.load_book(ROOT).chapter_numbers[f"chapters/{chapter.stem}"]
    headings = re.findall(r"^### Exercise (\d+)\.(\d+)", _markdown(nb), re.M)
    assert headings and all(int(n) == number for n, _ in headings)
    assert [int(m) for _, m in headings] == list(range(1, len(headings) + 1))
    assert "<details>\n<summary>Solution to Exercise" in _markdown(nb)


def _book(**extra):
    return Book(URL, {"chapters/00_a": "Chapter A", "appendix/references": "References"},
                {"chapters/00_a": 0},
                {"lin2017": ("Lin *et al.*", "2017"), "breiman1996": ("Breiman", "1996")}, **extra)


def test_cite_is_author_year_linked_to_the_references_page():
    book = _book()
    refs = f"{URL}appendix/references.html"
    assert convert_cite("cite", "lin2017", book, "x") == f"\\[[Lin *et al.*, 2017]({refs})\\]"
    assert convert_cite("cite:p", "lin2017, breiman1996", book, "x") == (
        f"\\[[Lin *et al.*, 2017]({refs}), [Breiman, 1996]({refs})\\]")
    assert convert_cite("cite:t", "breiman1996", book, "x") == f"Breiman \\[[1996]({refs})\\]"
    with pytest.raises(EditionError, match="references.bib does not have"):
        convert_cite("cite", "nobody2020", book, "x")


def test_citations_match_the_books_bibliography_labels():
    """The same author-year text as the HTML bibliography (_ext/book_extras.py)."""
    from pybtex.database import parse_file

    sys.path.insert(0, str(ROOT / "_ext"))
    from book_extras import author_year_label

    ours = editions.load_citations(ROOT / "references.bib")
    for key, entry in parse_file(str(ROOT / "references.bib")).entries.items():
        who, year = ours[key]
        assert f"{who.replace('*', '')}, {year}" == author_year_label(entry), key


def test_doc_links_to_the_html_page():
    book = _book()
    assert convert_doc("00_a", "chapters/00_a", book, "x") == f"[Chapter A]({URL}chapters/00_a.html)"
    assert convert_doc("the list <../appendix/references>", "chapters/00_a", book, "x") == (
        f"[the list]({URL}appendix/references.html)")
    with pytest.raises(EditionError, match="not in _toc.yml"):
        convert_doc("99_missing", "chapters/00_a", book, "x")


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _glue(name, value):
    return nbformat.v4.new_output("display_data", data={
        "application/papermill.record/text/plain": repr(value)},
        metadata={"scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}})


def _write(tmp_path, nb):
    path = tmp_path / "00_a.ipynb"
    nbformat.write(nb, path)
    return path


def test_exercises_solutions_and_glue_in_a_small_chapter(tmp_path):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    glue_cell = code("glue_number('share', 0.01234)")
    glue_cell.outputs = [_glue("share", 0.01234), _glue("name", "the real data")]
    nb = _notebook(
        md("# Chapter A\n\nIntro {cite:t}`lin2017`, see {doc}`00_a`."),
        code('import sys\nif "google.colab" in sys.modules:\n    pass'),
        glue_cell,
        md("Share {glue:text}`share:.1%` on {glue:text}`name`.\n\n```{note}\nA *note*.\n```"),
        md("## Exercises\n\n```{exercise} Try it\n:label: ex-a\n\nDo {glue:text}`share:.3f`.\n```"),
        code("answer = None"),
        md("```{solution-start} ex-a\n:class: dropdown\n```\n\nBecause."),
        code("answer = 1"),
        md("```{solution-end}\n```"),
        code("check(answer)"),
    )
    out = build_edition(_write(tmp_path, nb), _book(), ROOT, docname="chapters/00_a")
    text = _markdown(out)
    assert "Share 1.2% on the real data." in text
    assert "### Exercise 0.1 (Try it)\n\nDo 0.012." in text
    assert "<details>\n<summary>Solution to Exercise 0.1</summary>\n\nBecause.\n\n</details>" in text
    assert "> **Note**\n>\n> A *note*." in text
    solution = out.cells[-2]
    assert solution.source.startswith("# @title Solution to Exercise 0.1")
    assert solution.metadata["cellView"] == "form"
    assert out.cells[-1].source == "check(answer)" and "cellView" not in out.cells[-1].metadata
    assert editions.myst_constructs(out) == []


def test_unknown_myst_is_refused_with_what_to_do(tmp_path):
    md = nbformat.v4.new_markdown_cell
    for source, match in [("# A\n\n```{figure} x.png\n```", "directive"),
                          ("# A\n\nSee {numref}`fig-x`.", "role {numref}"),
                          ("# A\n\n{glue:text}`never_glued:.2f`", "not glued")]:
        path = _write(tmp_path, _notebook(md(source), nbformat.v4.new_code_cell("x = 1")))
        with pytest.raises(EditionError, match=match):
            build_edition(path, _book(), ROOT, docname="chapters/00_a")


def test_myst_detector_finds_roles_and_directives():
    md = nbformat.v4.new_markdown_cell
    nb = _notebook(md("A {cite}`x`."), md("```{note}\nx\n```"), md("(label)=\n# T"),
                   md("plain `code` and {a, b} sets"))
    found = editions.myst_constructs(nb)
    assert len(found) == 3 and not any("cell 3" in f for f in found)
