"""Paths shared by the tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"


def chapter_sources() -> list[Path]:
    """The paired MyST sources (front matter with a jupytext section)."""
    return sorted(p for p in CHAPTERS.glob("*.md") if "jupytext:" in p.read_text()[:600])
