"""The strict book build (-W -n --keep-going) succeeds and renders what readers need."""

import re

import pytest

from tests._paths import ROOT, chapter_sources


@pytest.fixture(scope="module")
def built(built_book_html):
    return built_book_html


@pytest.mark.slow
def test_index_and_pages_exist(built):
    assert (built / "index.html").exists()
    assert (built / "appendix" / "execution_stats.html").exists()
    assert (built / "appendix" / "references.html").exists()


@pytest.mark.slow
@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_chapter_page(built, md):
    html = (built / "chapters" / f"{md.stem}.html").read_text()
    # Colab launch button opens the chapter's Colab edition on the configured repository/ref
    from helpers.colab import read_publication

    publication = read_publication(ROOT / "_config.yml")
    repo = publication.url.removeprefix("https://github.com/")
    assert (f"https://colab.research.google.com/github/{repo}/blob/{publication.ref}/"
            f"editions/colab/{md.stem}.ipynb") in html, "no Open-in-Colab link to the edition"
    assert not re.search(r"colab\.research\.google\.com/github/[^\"]*/chapters/", html)
    assert "<img" in html, "figures missing"
    assert "{glue" not in html, "an unresolved glue role"
    assert "solution" in html and "dropdown" in html, "gated solutions not rendered as dropdowns"


@pytest.mark.slow
def test_the_built_book_needs_no_network(built):
    """Math renders from the book's own MathJax copy; no page loads a script or style sheet
    from another host, so `_build/html` works offline."""
    assert (built / "_static" / "mathjax" / "tex-chtml.js").exists()
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        remote = [u for u in remote if not u.startswith("https://colab.research.google.com")]
        assert not remote, f"{page.relative_to(built)} loads {remote[:3]}"
    chapter = (built / "chapters" / "04_focal_loss.html").read_text(encoding="utf-8")
    assert 'src="../_static/mathjax/tex-chtml.js"' in chapter


@pytest.mark.slow
def test_theme_is_the_version_whose_phone_menu_works():
    """sphinx-book-theme 1.3.0 with pydata-sphinx-theme 0.17.1 leaves the phone menu and the
    'On this page' button dead (issue 16); 1.2.0 with 0.16.1 does not."""
    from importlib.metadata import version

    assert version("sphinx-book-theme") == "1.2.0"
    assert version("pydata-sphinx-theme") == "0.16.1"
