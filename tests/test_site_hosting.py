"""The site where GitHub Pages puts it, and its PDF edition.

A project site is served under /REPOSITORY/, not at the root. The session's build
(conftest's `site_dir`) is served here under /nnscratch/ on 127.0.0.1 the way
GitHub Pages serves it (a missing path gets the site's 404.html with status 404)
and opened in headless Chromium with every other host blocked.

The PDF edition comes from a second build with the print page on
(NNSCRATCH_PRINT_SITE=true, as tools/build_pdf.py and the Pages workflow build
it), printed by the same function `tools/build_pdf.py` uses; the PDF lands in
test-output/nnscratch.pdf, which CI uploads.
"""

import contextlib
import functools
import json
import http.server
import re
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, build_site, offline_context
from site_pages import built_pages

sys.path.insert(0, str(REPO / "tools"))
import build_pdf  # noqa: E402
pytestmark = pytest.mark.slow(reason="builds the site twice; Chromium prints the PDF")

PREFIX = "/nnscratch/"
OUTPUT = REPO / "test-output"
PDF = OUTPUT / "nnscratch.pdf"
# the width of the printed A4 page between build_pdf's 12 mm margins, in CSS pixels
PRINT_WIDTH = round((210 - 2 * 12) / 25.4 * 96)
TEX = re.compile(
    r"\\(frac|begin|end|sum|partial|hat|mathrm|operatorname|left|right|tfrac)\b")


@contextlib.contextmanager
def serve_under(site, prefix=PREFIX):
    """Serve `site` at http://127.0.0.1:PORT{prefix} as GitHub Pages serves a project
    site: nothing outside the prefix, and the site's 404.html, with status 404, for a
    missing path. Yields the base URL."""
    not_found = Path(site) / "404.html"

    class SubPath(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def inside(self):
            """Strip the prefix from the path; False for a path outside the site."""
            if not urlsplit(self.path).path.startswith(prefix):
                http.server.BaseHTTPRequestHandler.send_error(self, 404, "outside")
                return False
            self.path = self.path[len(prefix) - 1:]
            return True

        def do_GET(self):
            if self.inside():
                super().do_GET()

        def do_HEAD(self):
            if self.inside():
                super().do_HEAD()

        def send_header(self, keyword, value):
            if keyword == "Location" and value.startswith("/"):
                value = prefix.rstrip("/") + value  # a folder without its slash
            super().send_header(keyword, value)

        def send_error(self, code, message=None, explain=None):
            if code != 404 or not not_found.is_file():
                return super().send_error(code, message, explain)
            body = not_found.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(SubPath, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def base(site_dir):
    """The session's build, served under /nnscratch/."""
    with serve_under(site_dir) as url:
        yield url


def open_page(browser, url, responses=None, **options):
    """(page, context, log): `log` collects HTTP errors, failed and blocked requests and
    console errors of everything the page loads; `responses`, if given, receives the
    (URL, status) of every response."""
    context, blocked = offline_context(browser, **options)
    log = {"blocked": blocked, "http": [], "failed": [], "console": []}
    page = context.new_page()
    if responses is not None:
        page.on("response", lambda r: responses.append((r.url, r.status)))
    page.on("response",
            lambda r: r.status >= 400 and log["http"].append((r.status, r.url)))
    page.on("requestfailed", lambda r: log["failed"].append(r.url))
    page.on("console", lambda m: m.type == "error" and log["console"].append(m.text))
    page.on("pageerror", lambda e: log["console"].append(str(e)))
    page.goto(url, wait_until="load")
    return page, context, log


# --- links that break under a sub-path ------------------------------------------------
REFERENCE_ATTRIBUTES = ("href", "src", "action", "poster", "data")


def bad_references(html, root=None):
    """Every reference in `html` to 127.0.0.1/localhost or to a root-absolute path
    (one that does not start with `root`, the only absolute prefix allowed)."""
    soup = BeautifulSoup(html, "html.parser")
    values = [tag[a] for tag in soup.find_all(True) for a in REFERENCE_ATTRIBUTES
              if tag.has_attr(a)]
    config = soup.select_one("script#__config")  # Material's: the search worker's base
    if config is not None:
        values.append(json.loads(config.get_text())["base"])
    bad = []
    for value in values:
        if re.match(r"(https?:)?//(127\.0\.0\.1|localhost)\b", value):
            bad.append(value)
        elif value.startswith("//") or (value.startswith("/") and not (
                root and value.startswith(root))):
            bad.append(value)
    return bad


def test_the_reference_check_sees_localhost_and_root_absolute_paths():
    """The checker below reports a root-absolute asset and a local address, and lets
    relative links and the allowed root through."""
    html = ('<link href="/assets/site.css"><img src="http://127.0.0.1:8000/x.png">'
            '<a href="../backprop/">ok</a><a href="/nnscratch/">ok</a>'
            '<script id="__config">{"base": "/"}</script>')
    assert bad_references(html, root=PREFIX) == [
        "/assets/site.css", "http://127.0.0.1:8000/x.png", "/"]


def test_no_page_links_to_localhost_or_a_root_absolute_path(site_dir):
    """Every page's links, sources and search base are relative; only 404.html, which
    is served at every depth, uses absolute paths, all under the site's own root."""
    from mkdocs.config import load_config

    root = urlsplit(load_config(str(REPO / "mkdocs.yml")).site_url).path
    assert root == PREFIX  # the default site_url is a project site named nnscratch
    found = {}
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        bad = bad_references(path.read_text(), root=root if rel == "404.html" else None)
        if bad:
            found[rel] = bad[:5]
    assert found == {}


# --- every page under the sub-path in Chromium ----------------------------------------
MATH = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  return {
    math: document.querySelectorAll("article .arithmatex").length,
    typeset: document.querySelectorAll("article .arithmatex mjx-container").length,
    errors: document.querySelectorAll("mjx-merror").length,
  };
}"""


@pytest.fixture(scope="module")
def visited(browser, base, site_dir):
    """{url path: (math facts, log)} for every page opened under /nnscratch/."""
    results = {}
    for path, _ in built_pages(site_dir):
        page, context, log = open_page(browser, base + path)
        results[path] = (page.evaluate(MATH), log)
        context.close()
    return results


def test_every_page_loads_under_the_sub_path_with_no_missing_asset(visited):
    """No page under /nnscratch/ gets an HTTP error, a failed or blocked request or a
    console error."""
    assert len(visited) >= 15
    problems = {path: {k: v for k, v in log.items() if v}
                for path, (_, log) in visited.items() if any(log.values())}
    assert problems == {}


def test_mathjax_renders_under_the_sub_path(visited):
    """Every equation of every page is typeset without error when the site is served
    under /nnscratch/."""
    facts = {path: math for path, (math, _) in visited.items()}
    assert sum(f["math"] for f in facts.values()) > 100
    assert {p: f for p, f in facts.items()
            if f["typeset"] != f["math"] or f["errors"]} == {}


def test_search_returns_results_under_the_sub_path(browser, base):
    """Search finds pages under /nnscratch/ and its first result opens."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page, context, log = open_page(browser, base,
                                   viewport={"width": 1280, "height": 900})
    page.wait_for_load_state("networkidle")
    query = page.locator("input[data-md-component='search-query']")
    results = page.locator(".md-search-result__item a")
    for _ in range(5):  # the worker may still be indexing: type again until results
        query.fill("")
        query.press_sequentially("softmax", delay=30)
        try:
            results.first.wait_for(timeout=6_000)
            break
        except PlaywrightTimeout:
            continue
    count = results.count()
    href = urljoin(page.url, results.first.get_attribute("href")) if count else ""
    response = page.goto(href) if count else None
    context.close()
    assert count > 0
    assert href.startswith(base) and response.status == 200, href
    assert log["http"] == [] and log["blocked"] == []


def test_the_notebook_downloads_under_the_sub_path(browser, base, site_dir):
    """The notebook page's download button gives the notebook's source file."""
    notebooks = [p for p, _ in built_pages(site_dir) if p.startswith("notebooks/")]
    assert notebooks
    page, context, log = open_page(browser, base + notebooks[0])
    with page.expect_download() as download:
        page.click("a.nb-download")
    saved = Path(download.value.path()).read_text()
    context.close()
    source = REPO / "docs" / notebooks[0].rstrip("/")
    assert saved == source.with_suffix(".py").read_text()
    assert log["http"] == [] and log["blocked"] == []


def test_the_draw_page_loads_its_model_and_digits_under_the_sub_path(browser, base):
    """The draw page fetches model.json and digits.json from under /nnscratch/ and
    becomes ready."""
    fetched = []
    page, context, log = open_page(browser, base + "draw/", responses=fetched)
    page.wait_for_selector("[data-nnscratch-draw][data-ready]", timeout=60_000)
    context.close()
    for name in ("model.json", "digits.json"):
        assert (base + f"assets/draw/{name}", 200) in fetched, fetched
    assert log["http"] == [] and log["console"] == [] and log["blocked"] == []


def test_the_404_page_works_under_the_sub_path(browser, base):
    """A missing page deep under /nnscratch/ answers 404 with the site's own 404 page,
    fully styled (no asset missing), whose header link leads home."""
    context, blocked = offline_context(browser)
    page = context.new_page()
    errors = []
    page.on("response", lambda r: r.status >= 400 and errors.append(r.url))
    response = page.goto(base + "no/such/page/", wait_until="load")
    status, heading = response.status, page.locator(".md-content h1").first.inner_text()
    styled = page.evaluate("getComputedStyle(document.querySelector('.md-header'))"
                           ".position")
    home = page.locator("a.md-header__button.md-logo").get_attribute("href")
    landed = page.goto(urljoin(page.url, home))
    context.close()
    assert status == 404 and "404" in heading
    assert errors == [base + "no/such/page/"]  # the page itself, no asset
    assert styled in ("sticky", "fixed")  # Material's stylesheet applied
    assert landed.url == base and landed.status == 200
    assert blocked == []


# --- the PDF edition ------------------------------------------------------------------
@pytest.fixture(scope="module")
def print_site(tmp_path_factory):
    """A strict build with the print page on, as tools/build_pdf.py makes it."""
    out = tmp_path_factory.mktemp("print-site")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NNSCRATCH_PRINT_SITE", "true")
        result = build_site(REPO / "mkdocs.yml", out)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


@pytest.fixture(scope="module")
def printed(browser, print_site):
    """(facts, print base URL): the print page printed to test-output/nnscratch.pdf by
    build_pdf's own function; the PDF is also put beside the site for the link test."""
    PDF.unlink(missing_ok=True)
    with serve_under(print_site) as url:
        facts = build_pdf.print_page_to_pdf(browser, url + build_pdf.PRINT_PAGE, PDF)
    if PDF.exists():
        shutil.copy(PDF, print_site / "nnscratch.pdf")
    return facts


@pytest.fixture(scope="module")
def pdf_text(printed):
    from pypdf import PdfReader

    assert PDF.exists(), printed
    reader = PdfReader(PDF)
    return len(reader.pages), [p.extract_text() for p in reader.pages]


def squash(text):
    return re.sub(r"\s+", "", text)


def print_sections(print_site):
    """[(id, heading)] of the print page's sections, in order."""
    soup = BeautifulSoup((print_site / "print_page" / "index.html").read_text(),
                         "html.parser")
    sections = []
    pages = "#print-site-page section.print-page[id]:not(.md-section)"  # not nav sections
    for section in soup.select(pages):
        h1 = section.find("h1")
        sections.append((section["id"], h1.get_text(" ", strip=True).rstrip("¶ ")))
    return sections


def test_the_print_page_typesets_everything_without_error(printed):
    """On the print page every equation is typeset, with zero MathJax errors, no
    console error, nothing from another host, and every equation reference resolves."""
    assert printed["errors"] == []
    assert printed["console_errors"] == [] and printed["blocked"] == []
    assert printed["math"] > 100 and printed["typeset"] == printed["math"]
    assert printed["eqrefs"] and all(printed["eqrefs"])


def nav_order(site):
    """The URL paths of the site's pages in navigation order, read from the home page's
    navigation sidebar ("" is the home page)."""
    soup = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    paths = []
    for a in soup.select("nav.md-nav--primary a.md-nav__link[href]"):
        href = a["href"]
        if "#" in href or "//" in href:
            continue
        path = "" if href in (".", "./") else href
        if path not in paths:
            paths.append(path)
    return paths


def test_the_print_page_holds_the_teaching_pages_in_nav_order(print_site):
    """The print page has one section per teaching page, in navigation order, and
    none of the pages paper cannot use (API, notebook, draw, tests, this PDF page)."""
    left_out = ("api", "draw", "pdf", "tests", "notebooks")
    expected = [path.rstrip("/").replace("/", "-") or "index"
                for path in nav_order(print_site) if path.split("/")[0] not in left_out]
    assert [i for i, _ in print_sections(print_site)] == expected
    assert len(expected) >= 8


def test_each_page_numbers_its_equations_from_one_in_print(browser, print_site):
    """On the print page, as on the site, each page's numbered equations run 1, 2, 3...
    so a listing's `# (7)` means the same equation on paper."""
    tags = """() => {
      const out = {};
      for (const item of MathJax.startup.document.math) {
        const section = item.typesetRoot
            && item.typesetRoot.closest("section.print-page[id]:not(.md-section)");
        if (!section) continue;
        const mml = MathJax.startup.toMML(item.root);
        const found = mml.matchAll(
            /<mlabeledtr[^>]*>\\s*<mtd[^>]*>\\s*<mtext>\\((\\d+)\\)/g);
        (out[section.id] = out[section.id] || []).push(...[...found].map(m => +m[1]));
      }
      return out;
    }"""
    with serve_under(print_site) as url:
        page, context, _ = open_page(browser, url + build_pdf.PRINT_PAGE)
        page.wait_for_function(build_pdf.READY, timeout=180_000)
        numbers = {k: v for k, v in page.evaluate(tags).items() if v}
        context.close()
    assert len(numbers) >= 3
    assert {k: v for k, v in numbers.items() if v != list(range(1, len(v) + 1))} == {}


WIDE = """() => {
  const edge = document.querySelector("#print-site-page").getBoundingClientRect().right;
  const wide = [...document.querySelectorAll(
      "#print-site-page pre, #print-site-page table, #print-site-page img, " +
      "#print-site-page mjx-container")]
    .filter(e => e.getBoundingClientRect().right > edge + 1
                 || e.scrollWidth > e.clientWidth + 1);
  return wide.map(e => e.closest("section[id]").id + ": " + e.tagName);
}"""
WIDE_TABLE = """() => {
  const cells = Array.from({length: 12},
                           (_, i) => `<th>a_long_column_heading_${i}</th>`);
  const div = document.createElement("div");
  div.className = "md-typeset__scrollwrap";
  div.innerHTML = `<div class="md-typeset__table"><table><thead><tr>${cells.join("")}` +
      `</tr></thead><tbody><tr>${cells.join("").replaceAll("th>", "td>")}` +
      `</tr></tbody>` +
      `</table></div>`;
  document.querySelector("#print-site-page section.print-page[id] article, " +
      "#print-site-page section.print-page[id]").append(div);
}"""


@pytest.mark.parametrize("print_css", [True, False], ids=["print-css", "without-it"])
def test_nothing_is_cut_at_the_printed_page_edge(browser, print_site, print_css):
    """In print layout at the A4 width, no code listing, table, figure or equation
    (even an added 12-column table) runs past the page edge; without the print
    stylesheet the added table does, so the check can fail."""
    with serve_under(print_site) as url:
        context, _ = offline_context(browser, viewport={"width": PRINT_WIDTH,
                                                        "height": 1000})
        if not print_css:
            context.route("**/print-page.css",
                          lambda r: r.fulfill(body="", content_type="text/css"))
        page = context.new_page()
        page.goto(url + build_pdf.PRINT_PAGE, wait_until="load")
        page.wait_for_function(build_pdf.READY, timeout=180_000)
        page.evaluate(WIDE_TABLE)
        page.emulate_media(media="print")
        wide = page.evaluate(WIDE)
        context.close()
    if print_css:
        assert wide == []
    else:
        assert any(w.endswith("TABLE") for w in wide)


def test_the_pdf_holds_every_teaching_page_in_order(pdf_text, print_site):
    """nnscratch.pdf has a sane number of pages, and every teaching page's title
    appears in its text, in navigation order, after the contents."""
    count, pages = pdf_text
    sections = print_sections(print_site)
    assert len(sections) <= count <= 30 * len(sections)
    body = squash("".join(pages[1:]))  # past the contents page
    at = -1
    for _, title in sections:
        found = body.find(squash(title), at + 1)
        assert found > at, f"{title!r} missing or out of order"
        at = found


def test_the_pdf_text_has_no_raw_tex_outside_code_listings(pdf_text, print_site):
    """No line of the PDF's text holds raw TeX (a backslash command such as frac or
    begin), except lines of code listings printed verbatim."""
    soup = BeautifulSoup((print_site / "print_page" / "index.html").read_text(),
                         "html.parser")
    listings = squash(" ".join(c.get_text() for c in soup.select("pre > code")))
    _, pages = pdf_text
    lines = [line for text in pages for line in text.splitlines() if TEX.search(line)]
    assert [line for line in lines if squash(line) not in listings] == []
    assert not TEX.search(squash(" ".join(pages))) or TEX.search(listings)


def test_the_site_links_to_the_pdf_and_the_print_page(browser, print_site, printed):
    """The PDF edition page, in the nav, links to nnscratch.pdf and to the print page,
    and both links work under /nnscratch/ once the PDF is built."""
    with serve_under(print_site) as url:
        page, context, log = open_page(browser, url)
        in_nav = page.locator("nav.md-nav a[href$='pdf/']").count()
        page.goto(url + "pdf/", wait_until="load")
        links = [urljoin(page.url, a.get_attribute("href"))
                 for a in page.locator("article a").all()
                 if (a.get_attribute("href") or "").endswith(
                     ("nnscratch.pdf", "print_page/"))]
        answers = {link: page.request.get(link) for link in links}
        statuses = {link: (r.status, r.headers.get("content-type"), r.body()[:4])
                    for link, r in answers.items()}
        context.close()
    assert in_nav >= 1
    assert sorted(statuses) == [url + "nnscratch.pdf", url + "print_page/"]
    assert statuses[url + "nnscratch.pdf"] == (200, "application/pdf", b"%PDF")
    assert statuses[url + "print_page/"][:2] == (200, "text/html")


def test_build_pdf_refuses_a_site_without_its_print_page(tmp_path):
    """`tools/build_pdf.py --no-build` on a build without the print page ends with one
    line naming the missing page and the fix, exit status 2, and writes nothing."""
    import subprocess

    out = tmp_path / "x.pdf"
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_pdf.py"), "--site", str(tmp_path),
         "--no-build", "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "print_page/index.html not found" in result.stderr
    assert "NNSCRATCH_PRINT_SITE=true" in result.stderr
    assert not out.exists()


# --- the PDF as a book: read from the PDF itself (Chromium honours page-break hints
# only in part, so the stylesheet's intentions are checked on the printed sheets) ---
@pytest.fixture(scope="module")
def pdf_reader(printed):
    from pypdf import PdfReader

    assert PDF.exists(), printed
    return PdfReader(PDF)


def print_headings(print_site, levels=("h1", "h2")):
    """[(section id, level, text)] of the teaching pages' headings on the print page, in
    order (a navigation section's own heading and the contents' title excluded)."""
    soup = BeautifulSoup((print_site / "print_page" / "index.html").read_text(),
                         "html.parser")
    found = []
    for section in soup.select("#print-site-page section.print-page[id]:not(.md-section)"):
        for h in section.find_all(levels):
            if h.find_parent("section", class_="print-page") is section:
                found.append((section["id"], h.name, h.get_text(" ", strip=True)
                              .rstrip("¶ ")))
    return found


def outline_titles(outline):
    """Every bookmark's title, depth first (the order of the document)."""
    titles = []
    for item in outline:
        titles.extend(outline_titles(item) if isinstance(item, list) else [item.title])
    return titles


def test_the_pdf_has_a_document_title_and_a_title_page(pdf_reader, print_site):
    """The PDF's title (metadata) is the site's name and description, not the print
    page's "The whole site on one page"; its first sheet shows that title and the
    contents, and the text starts on the second sheet."""
    text = (REPO / "mkdocs.yml").read_text()
    config = {key: re.search(rf"^{key}: (.+)$", text, re.M).group(1)
              for key in ("site_name", "site_description")}
    title = f"{config['site_name']}: {config['site_description']}"
    assert pdf_reader.metadata.title == title
    first = squash(pdf_reader.pages[0].extract_text())
    assert first.startswith(squash(f"{config['site_name']}{config['site_description']}"))
    assert "Contents" in first
    home = print_headings(print_site, ("h1",))[0][2]
    assert squash(home) not in first and squash(pdf_reader.pages[1].extract_text())


def test_the_pdf_outline_has_every_page_and_section(pdf_reader, print_site):
    """The PDF's bookmarks hold every teaching page's title and every section (h2) of
    it, in reading order, and nothing for the left-out API reference."""
    titles = [squash(t) for t in outline_titles(pdf_reader.outline)]
    headings = print_headings(print_site)
    assert len(headings) > 60
    at = -1
    for section, level, text in headings:
        found = titles.index(squash(text), at + 1) if squash(text) in titles[at + 1:] \
            else -1
        assert found > at, f"no bookmark for {level} {text!r} of {section}"
        at = found
    assert squash("API reference") not in titles


def test_pdf_bookmarks_keep_the_spaces_of_their_headings(pdf_reader, print_site):
    """Each page title and section has a bookmark spelt as its heading, spaces
    included: Chromium drops the space where a heading wraps ("line byline"), so a
    heading must fit its line on the sheet."""
    titles = {" ".join(t.split()) for t in outline_titles(pdf_reader.outline)}
    missing = [text for _, _, text in print_headings(print_site)
               if " ".join(text.split()) not in titles]
    assert missing == []


def test_no_sheet_but_the_title_page_holds_little_text(pdf_reader):
    """Every sheet after the title page holds at least 200 characters of text: no
    heading alone, no navigation section's divider, no page's last line alone."""
    short = {i + 1: len(p.extract_text()) for i, p in enumerate(pdf_reader.pages)
             if i > 0 and len(p.extract_text()) < 200}
    assert short == {}
    assert len(pdf_reader.pages) > 20


def test_every_sheet_has_one_page_number(pdf_reader):
    """Sheets 2, 3, ... carry their number once, bare (no second "Page N" or "N / M"
    footer); the title page has none."""
    total = len(pdf_reader.pages)
    second = re.compile(rf"Page \d+|.*\b\d+ ?/ ?{total}")  # the two footers of old
    first = pdf_reader.pages[0].extract_text().splitlines()
    assert "1" not in [line.strip() for line in first]
    for number, page in enumerate(pdf_reader.pages[1:], start=2):
        lines = [line.strip() for line in page.extract_text().splitlines()]
        assert str(number) in lines, number
        assert not [line for line in lines if second.fullmatch(line)], number


def test_no_sheet_ends_with_a_heading(pdf_reader, print_site):
    """No sheet's last line of text is a section heading: headings stay with what
    follows them (the title page, whose contents list the pages' titles, aside)."""
    soup = BeautifulSoup((print_site / "print_page" / "index.html").read_text(),
                         "html.parser")
    headings = {squash(h.get_text(" ", strip=True).rstrip("¶ "))
                for h in soup.select("#print-site-page :is(h1, h2, h3, h4)")}
    ending = {}
    for number, page in enumerate(pdf_reader.pages[1:-1], start=2):
        footer = re.compile(rf"(Page )?{number}|nnscratch · {number} / \d+")
        lines = [line for line in page.extract_text().splitlines()
                 if line.strip() and not footer.fullmatch(line.strip())]
        last = [squash(line) for line in lines[-2:]]
        if last and (last[-1] in headings or "".join(last) in headings):
            ending[number] = lines[-1]
    assert ending == {}


CONTROLS = ("button.md-clipboard, .md-code__nav, .md-code__button, a.headerlink, "
            ".md-content__button")


def test_no_screen_control_is_printed(browser, print_site):
    """In print layout the print page shows no copy button, heading permalink or
    download button, all of which it has on screen."""
    visible = f"""() => [...document.querySelectorAll("#print-site-page :is({CONTROLS})")]
        .filter(e => {{ const r = e.getBoundingClientRect();
                        return r.width > 0 && r.height > 0; }}).length"""
    with serve_under(print_site) as url:
        context, _ = offline_context(browser, viewport={"width": PRINT_WIDTH,
                                                        "height": 1000})
        page = context.new_page()
        page.goto(url + build_pdf.PRINT_PAGE, wait_until="load")
        page.wait_for_function(build_pdf.READY, timeout=180_000)
        on_screen = page.evaluate(visible)
        page.emulate_media(media="print")
        printed = page.evaluate(visible)
        context.close()
    assert on_screen > 20 and printed == 0
