"""Local Sphinx extension of the book (loaded through ``sphinx.local_extensions``).

Two things the stock extensions do not offer:

* **Author-year bibliography.** The text cites author-year (``bibtex_reference_style:
  author_year``: "Lin et al. [2017]", "[Breiman, 1996]"), but pybtex's styles label the
  bibliography with short codes ("[LGG+17]"). The ``author_year`` pybtex style registered
  here labels each entry exactly as the text cites it ("Lin et al., 2017") and sorts the
  list by that label, so a reader finds an entry where its label says it is.
* **Chapters numbered from 0.** The prose says "chapter 0" to "chapter 7" (files 00_ to
  07_), while Sphinx numbers a toctree from 1. ``chapter_number_start`` shifts the first
  component of every section number, so the navigation, page titles and the per-chapter
  exercise numbers (numfig: "3.1", "3.2", ...) all match the prose.

And two fixes for errors the browser test (tests/test_browser.py) saw on every page:

* each inline script that an extension adds while the docs are read (sphinx-thebe's
  ``const THEBE_JS_URL = ...``, sphinx-togglebutton's selector) was written twice into
  every page, and the second ``const`` threw "Identifier 'THEBE_JS_URL' has already been
  declared"; identical script tags are now written once;
* pydata-sphinx-theme logged "Got invalid theme mode" because Jupyter Book sets no
  ``default_mode`` (an html_context value); it is "auto", the mode the theme fell back to anyway.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle

STYLE = "author_year"


def _plain(latex: str) -> str:
    """'{TensorFlow Authors}' -> 'TensorFlow Authors' (braces and LaTeX markup rendered)."""
    return Text.from_latex(latex).render_as("text")


def surname(person) -> str:
    """The surname as the author-year citations print it: von part and last name."""
    return _plain(" ".join(person.prelast_names + person.last_names))


def author_year_label(entry) -> str:
    """'Breiman, 1996', 'Zadrozny and Elkan, 2002', 'Lin et al., 2017'.

    The same rule as sphinxcontrib-bibtex's author_year references: one or two surnames,
    the first and "et al." from three authors on; editors stand in when there is no
    author, the key when there is neither."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [surname(p) for p in persons]
    if not names:
        who = entry.key
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    year = entry.fields.get("year", "")
    return f"{who}, {year}" if year else who


def _fold(text: str) -> str:
    """Case- and accent-insensitive sort text: 'Lemaître' sorts as 'lemaitre'."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c)).casefold()


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        labels = [author_year_label(entry) for entry in sorted_entries]
        count = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if count[label] == 1:
                yield label
            else:  # two works by the same authors in one year: 2017a, 2017b
                yield label + chr(ord("a") + seen[label])
                seen[label] += 1


class AuthorYearSortingStyle(BaseSortingStyle):
    def sorting_key(self, entry):
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        authors = " ".join(_fold(surname(p)) for p in persons) or _fold(entry.key)
        return (_fold(author_year_label(entry).rsplit(",", 1)[0]), entry.fields.get("year", ""),
                authors, _fold(_plain(entry.fields.get("title", ""))))


class AuthorYearStyle(UnsrtStyle):
    default_label_style = STYLE
    default_sorting_style = STYLE


register_plugin("pybtex.style.labels", STYLE, AuthorYearLabelStyle)
register_plugin("pybtex.style.sorting", STYLE, AuthorYearSortingStyle)
register_plugin("pybtex.style.formatting", STYLE, AuthorYearStyle)


def _shift_chapter_numbers(env, shift: int) -> None:
    """Add ``shift`` to the first component of every section number (toc and titles)."""
    from docutils import nodes

    def shifted(number):
        return None if number is None else (number[0] + shift, *number[1:])

    env.toc_secnumbers = {doc: {anchor: shifted(num) for anchor, num in numbers.items()}
                          for doc, numbers in env.toc_secnumbers.items()}
    for doc in env.toc_secnumbers:
        for node in env.tocs[doc].findall(nodes.reference):
            if node.get("secnumber"):
                node["secnumber"] = list(shifted(tuple(node["secnumber"])))
        title = env.titles.get(doc)
        if title is not None and title.get("secnumber"):
            title["secnumber"] = list(shifted(tuple(title["secnumber"])))


def _write_each_script_once(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # the same tag whatever its priority, and whether its filename is None or ''
        attributes = getattr(script, "attributes", {}) or {}
        key = (str(getattr(script, "filename", script) or ""),
               tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _default_colour_mode(app, pagename, templatename, context, doctree) -> None:
    # pydata-sphinx-theme reads the page-context variable (html_context), not an option
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def setup(app):
    app.add_config_value("chapter_number_start", 1, "env", types=[int])
    app.connect("html-page-context", _default_colour_mode)
    app.connect("html-page-context", _write_each_script_once, priority=900)
    # Jupyter Book numbers through sphinx-external-toc's collector, which renumbers the
    # chapters after Sphinx's own pass (continuing across parts): shift after it.
    try:
        from sphinx_external_toc.collectors import TocTreeCollectorWithStyles as Collector
    except ImportError:  # plain Sphinx
        from sphinx.environment.collectors.toctree import TocTreeCollector as Collector
    numbering = Collector.assign_section_numbers
    if not getattr(numbering, "_shifts_chapters", False):
        def assign_section_numbers(self, env):
            old = env.toc_secnumbers
            numbering(self, env)
            shift = env.config.chapter_number_start - 1
            if shift:
                _shift_chapter_numbers(env, shift)
            return [doc for doc, numbers in env.toc_secnumbers.items() if numbers != old.get(doc)]

        assign_section_numbers._shifts_chapters = True
        Collector.assign_section_numbers = assign_section_numbers
    return {"parallel_read_safe": True, "parallel_write_safe": True}
