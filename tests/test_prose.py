"""The chapters' prose reads as written for a person (issue 16).

* No sentence of more than 12 words appears twice in a chapter: a repeated long sentence
  (a bold verdict pasted three times) reads as boilerplate.
* No e-notation in the prose ("4.7e-05 %"), neither typed nor produced by a glued value
  as the page shows it: a reader gets a plain decimal, a percentage or words.

The prose is each chapter's MyST source without its code (code cells and fenced code);
a glued value is looked up in the executed notebook's stored glue outputs and formatted
as ``{glue:text}`name:fmt``` renders it.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests._paths import chapter_sources

LONG = 12  # words: a sentence longer than this is not repeated within a chapter
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\{[\w:-]+\}|[\w+-]*)")
CODE_FENCES = {"{code-cell}", "{code-block}", "{code}", "{sourcecode}"}
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
E_NOTATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d+(?![\w.])")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[A-Z0-9\"“‘(\[*_{`$])")


def prose_blocks(md: Path) -> list[str]:
    """The chapter's prose as paragraphs (headings and list items are blocks of their
    own), without front matter, code, cell markers, comments or directive options."""
    lines = md.read_text(encoding="utf-8").splitlines()
    if lines and lines[0].strip() == "---":  # front matter
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
        lines = lines[end + 1:]
    blocks: list[list[str]] = [[]]
    fences: list[tuple[str, bool]] = []  # (fence, is code) for each open fence
    in_comment = False
    for line in lines:
        stripped = line.strip()
        if in_comment:
            in_comment = "-->" not in stripped
            continue
        match = FENCE.match(line)
        if match:
            fence, info = match.group(1), match.group(2)
            if fences and fence[0] == fences[-1][0][0] and len(fence) >= len(fences[-1][0]) \
                    and not stripped[len(fence):].strip():
                fences.pop()  # a closing fence
            else:
                code = info in CODE_FENCES or not info.startswith("{")
                fences.append((fence, code or any(c for _, c in fences)))
            blocks.append([])
            continue
        if fences and fences[-1][1]:
            continue  # inside code
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        if (not stripped or stripped == "+++" or stripped.startswith(("%", "#", "|"))
                or re.match(r"^:[\w-]+:", stripped) or re.match(r"^([-*+]|\d+\.)\s", stripped)):
            blocks.append([])  # a paragraph ends; a heading, table row, list item stands alone
            if stripped.startswith("#"):
                blocks.append([stripped.lstrip("#").strip()])
                blocks.append([])
            elif re.match(r"^([-*+]|\d+\.)\s", stripped):
                blocks[-1].append(re.sub(r"^([-*+]|\d+\.)\s+", "", stripped))
            continue
        blocks[-1].append(stripped)
    return [" ".join(block) for block in blocks if block]


def sentences(block: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(block) if s.strip()]


def normalise(sentence: str) -> str:
    """Case, emphasis and spacing do not make a sentence a different one."""
    text = re.sub(r"[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}", "", sentence)
    return " ".join(text.split()).casefold()


def word_count(sentence: str) -> int:
    """Words of the sentence as read: a role (a glued value, a citation) is one word."""
    return len(re.findall(r"[\w'’.%±-]+", ROLE.sub(" VALUE ", sentence)))


def with_glued_values(block: str, values: dict[str, str]) -> str:
    """The block as the page reads: each glue role replaced by the text it shows."""
    def shown(match: re.Match) -> str:
        role, content = match.groups()
        name, _, fmt = content.partition(":")
        if role.startswith("glue") and name in values:
            return rendered_glue(values[name], fmt)
        return match.group(0)

    return ROLE.sub(shown, block)


def repeated_sentences(md: Path) -> list[tuple[int, str]]:
    """(times, sentence) for each sentence of more than LONG words said twice or more,
    read with the glued values in place (a glued verdict sentence counts as written)."""
    values = glued_values(md.with_suffix(".ipynb"))
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for block in prose_blocks(md):
        for sentence in sentences(with_glued_values(block, values)):
            if word_count(sentence) > LONG:
                key = normalise(sentence)
                counts[key] += 1
                first.setdefault(key, sentence)
    return [(n, first[key]) for key, n in counts.items() if n > 1]


def glued_values(notebook: Path) -> dict[str, str]:
    """name -> stored text/plain of every value glued in the executed notebook."""
    values = {}
    if not notebook.exists():
        return values
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap:
                data = output.get("data", {})
                plain = data.get(scrap.get("mime_prefix", "") + "text/plain", data.get("text/plain"))
                if plain is not None:
                    values[scrap["name"]] = "".join(plain) if isinstance(plain, list) else plain
    return values


def rendered_glue(plain: str, fmt: str) -> str:
    """The text ``{glue:text}`name:fmt``` shows (myst-nb formats the stored literal)."""
    if fmt:
        try:
            return format(ast.literal_eval(plain), fmt)
        except (ValueError, SyntaxError, TypeError):
            pass
    return plain.strip("'\"")


def e_notation_in_prose(md: Path) -> list[str]:
    values = glued_values(md.with_suffix(".ipynb"))
    found = []
    for block in prose_blocks(md):
        without_roles = ROLE.sub(" ", re.sub(r"`[^`]*`", " ", block.replace("``", "")))
        found += [f"typed: {m.group(0)}" for m in E_NOTATION.finditer(without_roles)]
        for role, content in ROLE.findall(block):
            if not role.startswith("glue"):
                continue
            name, _, fmt = content.partition(":")
            if name in values:
                shown = rendered_glue(values[name], fmt)
                if E_NOTATION.search(shown):
                    found.append(f"glued {content} shows {shown}")
    return found


# Chapters whose current text breaks a rule: the chapter fixes are the lead's (issue 16,
# item 6); each entry is removed with its fix (strict: a fixed chapter fails here until
# then, so the list cannot go stale).
AWAITING_REPEAT_FIX: set[str] = set()
AWAITING_E_NOTATION_FIX: set[str] = set()


def chapters_marked(awaiting: set[str], reason: str):
    return [pytest.param(md, id=md.stem, marks=pytest.mark.xfail(strict=True, reason=reason))
            if md.stem in awaiting else pytest.param(md, id=md.stem)
            for md in chapter_sources()]


def test_the_rules_find_what_they_look_for(tmp_path):
    """The checks themselves: a long repeated sentence (emphasis aside) and e-notation,
    typed or glued, are found; code, short repeats and plain decimals are not."""
    md = tmp_path / "chapter.md"
    long = "Weighting the loss moves the threshold but it does not improve the ranking at all."
    md.write_text(
        "---\njupytext: {}\n---\n\n# Title\n\n"
        f"{long} Short sentence here. Short sentence here.\n\n"
        "```{code-cell} ipython3\n"
        f"# {long}\nx = 4.7e-05\n```\n\n"
        f"A list:\n\n- **{long}**\n\n"
        "The rate was 4.7e-05 at most, and {glue:text}`tiny:.2e` or {glue:text}`ok:.3f` "
        "glued, and 0.25 typed.\n",
        encoding="utf-8")
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": n, "mime_prefix": ""}},
         "data": {"text/plain": v}} for n, v in (("tiny", "4.7e-05"), ("ok", "0.25"))]}]}
    md.with_suffix(".ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert repeated_sentences(md) == [(2, long)]
    assert e_notation_in_prose(md) == ["typed: 4.7e-05", "glued tiny:.2e shows 4.70e-05"]
    # a sentence glued under two names reads twice on the page
    glued = "Undersampling ranked measurably worse than the baseline on every one of the seeds."
    md.write_text("---\njupytext: {}\n---\n\n{glue:text}`a`.\n\n{glue:text}`b`.\n",
                  encoding="utf-8")
    nb["cells"][0]["outputs"] = [
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": n, "mime_prefix": ""}},
         "data": {"text/plain": repr(glued[:-1])}} for n in ("a", "b")]
    md.with_suffix(".ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert [n for n, _ in repeated_sentences(md)] == [2]


@pytest.mark.parametrize("md", chapters_marked(
    AWAITING_REPEAT_FIX, "awaits the chapter fix: long sentences repeated (issue 16, item 6)"))
def test_no_long_sentence_repeated_within_a_chapter(md):
    repeated = repeated_sentences(md)
    assert not repeated, "\n".join(f"{n}x: {s}" for n, s in repeated)


@pytest.mark.parametrize("md", chapters_marked(
    AWAITING_E_NOTATION_FIX, "awaits the chapter fix: e-notation in the prose (issue 16, item 6)"))
def test_no_e_notation_in_prose(md):
    found = e_notation_in_prose(md)
    assert not found, "\n".join(found)
