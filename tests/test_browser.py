"""The built book in a real browser: Debian's Chromium driven by Playwright.

The book is built strictly (tools/build_book.py), served on 127.0.0.1 and every page of
the table of contents is opened at 1280 px (desktop) and 390 px (phone). Each visit
records what a reader would meet; the tests below then check one thing each:

* no console error and no uncaught script error;
* math rendered by the book's own MathJax (every ``.math`` element typeset, no error);
* every glued value non-empty and no raw MyST (``{glue:``, ``{cite}``, a directive fence)
  in the text;
* every internal link points at a file of the build and, with a ``#id``, at an element of
  that page;
* solutions hidden until their bar is clicked (on the link text, the click that used to
  jump to the exercise), shown after, hidden again on a second click, without leaving the
  page;
* at 390 px the menu (primary sidebar) and "On this page" (secondary sidebar) open; at
  1280 px the menu button collapses the sidebar and brings it back;
* a full-page screenshot in ``_build/screenshots/<page>-<width>.png`` (and, at 390 px,
  ``<page>-390-menu.png`` with the menu open) for a person to look at.

Chromium is the system browser (/usr/bin/chromium, or $CHROMIUM): Playwright's own browser
downloads are not used. `.ci/run` installs it with apt-get where it is missing; where it
cannot be had the whole module is skipped with one message. IMBALANCED_BOOK_HTML=<folder>
checks an existing build (e.g. _build/html after `make book`) instead of building one.
"""

from __future__ import annotations

import functools
import html
import os
import re
import struct
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from tests._paths import ROOT

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip("browser test skipped: Playwright for Python is not installed "
                "(pip install -r requirements.txt)", allow_module_level=True)

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
if not os.access(CHROMIUM, os.X_OK):  # pragma: no cover - depends on the machine
    pytest.skip(f"browser test skipped: no Chromium at {CHROMIUM} (install Debian's "
                "package with `apt-get install -y chromium`, as .ci/run does, or set "
                "$CHROMIUM to a Chromium executable)", allow_module_level=True)

pytestmark = pytest.mark.slow

SCREENSHOTS = ROOT / "_build" / "screenshots"
WIDTHS = {1280: 900, 390: 844}  # viewport width: height (a desktop, a phone)
RAW_MYST = re.compile(r"\{(?:glue|cite|doc|ref|numref|eq|term|download)(?::[\w-]*)?\}|```\{|:::\{")
MATH_TIMEOUT_MS = 15_000


def toc_pages() -> list[str]:
    """The book's pages in reading order: the root, then every file of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part.get("chapters", [])]
    return pages


PAGES = toc_pages()
CASES = [(page, width) for page in PAGES for width in WIDTHS]
PHONE = [(page, 390) for page in PAGES]
DESKTOP = [(page, 1280) for page in PAGES]


def case_id(case) -> str:
    return f"{Path(case[0]).name}-{case[1]}" if isinstance(case, tuple) else str(case)


@pytest.fixture(scope="module")
def html_root(request) -> Path:
    existing = os.environ.get("IMBALANCED_BOOK_HTML")
    if existing:
        return Path(existing).resolve()
    return request.getfixturevalue("built_book_html")  # the session's strict build


@pytest.fixture(scope="module")
def base_url(html_root):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=html_root))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Visit:
    """What one page showed at one width (filled by ``visit_page``)."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    math_count: int = 0
    untypeset_math: list[str] = field(default_factory=list)
    math_errors: list[str] = field(default_factory=list)
    glue_count: int = 0
    empty_glue: list[str] = field(default_factory=list)
    raw_myst: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    page_height: int = 0
    solutions: int = 0
    solution_problems: list[str] = field(default_factory=list)
    menu_problems: list[str] = field(default_factory=list)
    menu_screenshot: Path | None = None
    tables: int = 0
    cut_tables: list[str] = field(default_factory=list)
    wrapped_intervals: list[str] = field(default_factory=list)
    wide_tables: list[str] = field(default_factory=list)


JS_UNTYPESET_MATH = """() => [...document.querySelectorAll('.bd-article .math')]
    .filter(e => !e.querySelector('mjx-container'))
    .map(e => e.textContent.trim().slice(0, 80))"""
JS_MATH_ERRORS = """() => [...document.querySelectorAll('mjx-merror, [data-mjx-error]')]
    .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120))"""
JS_EMPTY_GLUE = """() => [...document.querySelectorAll('.bd-article .pasted-text, .bd-article .pasted-inline')]
    .filter(e => !e.textContent.trim())
    .map(e => (e.parentElement ? e.parentElement.textContent : '').trim().slice(0, 120))"""
# the reader's text: the article without the notebook's code cells (code may quote MyST)
JS_PROSE_TEXT = """() => {
    const article = document.querySelector('.bd-article').cloneNode(true);
    article.querySelectorAll('.cell_input, script, style').forEach(e => e.remove());
    return article.textContent;
}"""
# A table wider than the text column must sit in a box that scrolls sideways (else its
# right-hand columns are cut); an interval ("0.248 ± 0.003", "0.82 (0.80–0.84)") in a
# cell must stay on one line (one client rect per text run).
JS_TABLES = """() => {
    const article = document.querySelector('.bd-article');
    const right = article.getBoundingClientRect().right;
    const out = {count: 0, cut: [], wrapped: [], scrolling: []};
    for (const table of article.querySelectorAll('table')) {
        out.count += 1;
        const head = (table.querySelector('th, td')?.textContent || '').trim().slice(0, 40);
        let box = table.parentElement, scrolls = false;
        while (box && box !== article) {
            if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) { scrolls = box; break; }
            box = box.parentElement;
        }
        const wide = table.getBoundingClientRect().width > (scrolls || article).clientWidth + 1;
        if (table.getBoundingClientRect().right > right + 1 && !scrolls) out.cut.push(head);
        if (wide) out.scrolling.push(head);
        for (const cell of table.querySelectorAll('td')) {
            const text = cell.textContent.trim();
            if (!/\\d\\s*(±|\\(.*–)/.test(text)) continue;
            const range = document.createRange();
            range.selectNodeContents(cell);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (lines.size > 1) out.wrapped.push(text);
        }
    }
    return out;
}"""
JS_SOLUTION_SHOWN = """(solution) => [...solution.children]
    .filter(c => !c.classList.contains('admonition-title'))
    .some(c => c.getClientRects().length > 0 && getComputedStyle(c).visibility !== 'hidden')"""


def visit_page(context, base_url: str, page_name: str, width: int) -> Visit:
    url = f"{base_url}/{page_name}.html"
    visit = Visit(url=url)
    page = context.new_page()

    def on_console(message):
        # a browser asks any site for /favicon.ico; the book (a folder of files) has none
        if message.type == "error" and not urlsplit(
                message.location.get("url", "")).path.endswith("/favicon.ico"):
            visit.console_errors.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.console_errors.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: visit.console_errors.append(
        f"request failed: {request.url} ({request.failure})"))
    try:
        page.goto(url, wait_until="load")
        visit.math_count = page.locator(".bd-article .math").count()
        if visit.math_count:
            if becomes(page, "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                       timeout=MATH_TIMEOUT_MS):
                page.evaluate("() => MathJax.startup.promise.then(() => true)")
            else:
                visit.math_errors.append("MathJax did not load (or never started)")
            visit.untypeset_math = page.evaluate(JS_UNTYPESET_MATH)
            visit.math_errors += page.evaluate(JS_MATH_ERRORS)
        visit.glue_count = page.locator(".bd-article .pasted-text, .bd-article .pasted-inline").count()
        visit.empty_glue = page.evaluate(JS_EMPTY_GLUE)
        prose = page.evaluate(JS_PROSE_TEXT)
        visit.raw_myst = sorted({prose[max(m.start() - 40, 0):m.end() + 40].replace("\n", " ")
                                 for m in RAW_MYST.finditer(prose)})
        tables = page.evaluate(JS_TABLES)
        visit.tables = tables["count"]
        visit.cut_tables = tables["cut"]
        visit.wrapped_intervals = tables["wrapped"]
        visit.wide_tables = tables["scrolling"]
        visit.links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = Path(page_name).name
        visit.screenshot = SCREENSHOTS / f"{stem}-{width}.png"
        visit.page_height = page.evaluate("() => document.documentElement.scrollHeight")
        page.screenshot(path=str(visit.screenshot), full_page=True)

        check_solutions(page, visit)
        if width < 992:  # the theme's phone layout: both sidebars behind buttons
            check_phone_menus(page, visit, SCREENSHOTS / f"{stem}-{width}-menu.png")
        else:
            check_desktop_sidebar(page, visit)
        page.wait_for_timeout(100)  # let a late script error arrive before the page closes
    finally:
        page.close()
    return visit


def becomes(page, js: str, arg=None, timeout: int = 3000) -> bool:
    """Whether ``js(arg)`` turns true within ``timeout`` ms (a click's effect, say)."""
    try:
        page.wait_for_function(js, arg=arg, timeout=timeout)
        return True
    except PlaywrightTimeoutError:
        return False


JS_SOLUTION_HIDDEN = f"(solution) => !({JS_SOLUTION_SHOWN})(solution)"
JS_DIALOG_OPEN = "(id) => !!document.querySelector(`#${id}[open]`)"
JS_DIALOG_CLOSED = "(id) => !document.querySelector(`#${id}[open]`)"
JS_SIDEBAR_WIDTH = """() => {
    const s = document.querySelector('#pst-primary-sidebar');
    const style = getComputedStyle(s);
    return style.display === 'none' || style.visibility === 'hidden'
        ? 0 : s.getBoundingClientRect().width;
}"""


def check_solutions(page, visit: Visit) -> None:
    solutions = page.locator(".bd-article .solution.dropdown")
    visit.solutions = solutions.count()
    for i in range(visit.solutions):
        solution = solutions.nth(i)
        handle = solution.element_handle()
        title = solution.locator("> .admonition-title")
        name = " ".join(title.inner_text().split())
        if solution.evaluate(JS_SOLUTION_SHOWN):
            visit.solution_problems.append(f"{name!r}: shown before any click")
            continue
        link = title.locator("a").first
        (link if link.count() else title).click()  # the link text: the click that jumped
        shown = becomes(page, JS_SOLUTION_SHOWN, handle)
        if page.url != visit.url:
            visit.solution_problems.append(f"{name!r}: the click left the page for {page.url}")
            page.goto(visit.url, wait_until="load")
            continue
        if not shown:
            visit.solution_problems.append(f"{name!r}: still hidden after a click on its bar")
            continue
        title.click(position={"x": 5, "y": 5})  # the bar itself closes it again
        if not becomes(page, JS_SOLUTION_HIDDEN, handle):
            visit.solution_problems.append(f"{name!r}: a second click did not hide it")


def _visible_links(page, selector: str) -> int:
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter(a => {
            const r = a.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth + 1;
        }).length""", selector)


def check_phone_menus(page, visit: Visit, menu_shot: Path) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")
    toggle = page.locator("button.primary-toggle").first
    if not toggle.is_visible():
        visit.menu_problems.append("no visible menu button")
    else:
        toggle.click()
        if not becomes(page, JS_DIALOG_OPEN, "pst-primary-sidebar-modal"):
            visit.menu_problems.append("the menu button opened no menu")
        elif _visible_links(page, "#pst-primary-sidebar-modal a.reference.internal") < len(PAGES) - 1:
            visit.menu_problems.append("the open menu does not show a link to every page")
        page.wait_for_timeout(150)  # the menu slides in: let it settle for the screenshot
        page.screenshot(path=str(menu_shot))
        visit.menu_screenshot = menu_shot
        page.keyboard.press("Escape")
        if not becomes(page, JS_DIALOG_CLOSED, "pst-primary-sidebar-modal"):
            visit.menu_problems.append("Escape did not close the menu")
    has_sections = page.evaluate("() => document.querySelectorAll('.bd-article section section').length > 0")
    secondary = page.locator("button.secondary-toggle").first
    if has_sections:
        if not (secondary.count() and secondary.is_visible()):
            visit.menu_problems.append("no visible 'On this page' button on a page with sections")
            return
        secondary.click()
        if not becomes(page, JS_DIALOG_OPEN, "pst-secondary-sidebar-modal"):
            visit.menu_problems.append("the 'On this page' button opened nothing")
        elif _visible_links(page, "#pst-secondary-sidebar-modal a.nav-link") == 0:
            visit.menu_problems.append("'On this page' opened without a visible section link")
        page.keyboard.press("Escape")
        if not becomes(page, JS_DIALOG_CLOSED, "pst-secondary-sidebar-modal"):
            visit.menu_problems.append("Escape did not close 'On this page'")


def check_desktop_sidebar(page, visit: Visit) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")
    if page.evaluate(JS_SIDEBAR_WIDTH) < 100:
        visit.menu_problems.append("the sidebar is not shown on a desktop screen")
        return
    toggle = page.locator("button.primary-toggle").first
    toggle.click()
    if not becomes(page, f"() => ({JS_SIDEBAR_WIDTH})() <= 1"):
        visit.menu_problems.append("the menu button did not collapse the sidebar")
    toggle.click()
    if not becomes(page, f"() => ({JS_SIDEBAR_WIDTH})() >= 100"):
        visit.menu_problems.append("a second click did not bring the sidebar back")


def visit_all(base_url: str, width: int, height: int, results: dict) -> None:
    """Every page at one width, in one browser context; a failure is kept per page."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            for page_name in PAGES:
                try:
                    results[page_name, width] = visit_page(context, base_url, page_name, width)
                except Exception as exc:  # noqa: BLE001 - reported by that page's tests
                    results[page_name, width] = exc
        finally:
            browser.close()


@pytest.fixture(scope="module")
def visits(base_url):
    """All visits, made once: one Chromium per width, the two widths side by side (two
    cores), each reusing one context for every page."""
    results: dict[tuple[str, int], Visit | Exception] = {}
    threads = [threading.Thread(target=visit_all, args=(base_url, width, height, results))
               for width, height in WIDTHS.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def get(page_name: str, width: int) -> Visit:
        visit = results.get((page_name, width))
        if visit is None:
            raise RuntimeError(f"{page_name} was not visited at {width} px (the browser failed)")
        if isinstance(visit, Exception):
            raise visit
        return visit

    return get


@functools.cache
def element_ids(path: Path) -> frozenset[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return frozenset(html.unescape(i) for i in re.findall(r'\b(?:id|name)="([^"]+)"', text))


def test_every_toc_page_is_checked():
    """The cases come from _toc.yml: a page added to the book is checked too."""
    assert PAGES[0] == "intro" and any(p.startswith("chapters/") for p in PAGES)
    assert len(CASES) == 2 * len(PAGES)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_no_console_errors(visits, case):
    visit = visits(*case)
    assert not visit.console_errors, "\n".join(visit.console_errors)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_math_is_rendered_by_mathjax(visits, case):
    visit = visits(*case)
    assert not visit.untypeset_math, f"math left as TeX: {visit.untypeset_math[:5]}"
    assert not visit.math_errors, f"MathJax errors: {visit.math_errors[:5]}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_glued_values_and_no_raw_myst(visits, case):
    visit = visits(*case)
    assert not visit.empty_glue, f"{len(visit.empty_glue)} empty glued values, in: {visit.empty_glue[:5]}"
    assert not visit.raw_myst, f"raw MyST in the page text: {visit.raw_myst[:5]}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_tables_fit(visits, case):
    """No table is cut at the page edge (a wide one scrolls in its own box) and intervals
    stay on one line; the execution-statistics table fits even a phone without scrolling."""
    visit = visits(*case)
    assert not visit.cut_tables, f"tables cut at the right edge: {visit.cut_tables}"
    assert not visit.wrapped_intervals, f"intervals broken over lines: {visit.wrapped_intervals[:5]}"
    if case[0] == "appendix/execution_stats":
        assert visit.tables == 1
        assert not visit.wide_tables, "the statistics table needs sideways scrolling"


@pytest.mark.parametrize("case", DESKTOP, ids=case_id)
def test_internal_links_and_anchors_resolve(visits, html_root, base_url, case):
    visit = visits(*case)
    broken = []
    for href in visit.links:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base_url:
            continue  # another site (the repository, Colab): not part of the built book
        target = html_root / unquote(parts.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href}: no such file in the build")
        elif parts.fragment and target.suffix == ".html" and \
                unquote(parts.fragment) not in element_ids(target):
            broken.append(f"{href}: no element with id {unquote(parts.fragment)!r}")
    assert visit.links, "no links at all: the page did not render"
    assert not broken, "\n".join(sorted(set(broken)))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_solutions_hidden_until_their_bar_is_clicked(visits, case):
    visit = visits(*case)
    if case[0].startswith("chapters/"):
        assert visit.solutions >= 2, "a chapter has 2 to 4 exercises, each with a solution"
    assert not visit.solution_problems, "\n".join(visit.solution_problems)


@pytest.mark.parametrize("case", PHONE, ids=case_id)
def test_phone_menu_and_on_this_page_open(visits, case):
    visit = visits(*case)
    assert not visit.menu_problems, "\n".join(visit.menu_problems)
    assert visit.menu_screenshot is not None and visit.menu_screenshot.exists()


@pytest.mark.parametrize("case", DESKTOP, ids=case_id)
def test_desktop_menu_button_collapses_the_sidebar(visits, case):
    visit = visits(*case)
    assert not visit.menu_problems, "\n".join(visit.menu_problems)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_full_page_screenshot_written(visits, case):
    visit = visits(*case)
    assert visit.screenshot is not None and visit.screenshot.exists()
    width, height = png_size(visit.screenshot)
    assert width == case[1], f"screenshot {width} px wide at a {case[1]} px viewport: it scrolls sideways"
    assert height >= min(visit.page_height, 16_000) - 1, "not the full page"
