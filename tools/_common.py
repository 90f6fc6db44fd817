"""Shared paths and chapter discovery for the tools/ scripts."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
STATS_JSON = ROOT / "appendix" / "execution_stats.json"
STATS_PAGE = ROOT / "appendix" / "execution_stats.md"


def is_paired_notebook_source(md: Path) -> bool:
    """A chapter source is a MyST .md whose front matter has a jupytext section."""
    return "jupytext:" in md.read_text(encoding="utf-8")[:600]


def chapter_sources(names: list[str] | None = None) -> list[Path]:
    """The paired .md sources, optionally only those whose stem matches ``names``."""
    sources = sorted(p for p in CHAPTERS.glob("*.md") if is_paired_notebook_source(p))
    if names:
        wanted = {Path(n).stem for n in names}
        unknown = wanted - {p.stem for p in sources}
        if unknown:
            raise SystemExit(f"unknown chapter(s) {sorted(unknown)}; have {[p.stem for p in sources]}")
        sources = [p for p in sources if p.stem in wanted]
    return sources

#: The data the stored book is executed on. ``make execute`` runs every chapter with
#: IMBALANCED_BOOK_DATA_SOURCE set to this (unless the caller set it), so a machine that
#: cannot read the real data fails loudly instead of storing stand-in outputs.
STORED_DATA_SOURCE = "real"
