"""Build the site with its one-page view and print that page to nnscratch.pdf.

    python tools/build_pdf.py       # build site/ strictly, write site/nnscratch.pdf
    python tools/build_pdf.py --site DIR --no-build --out FILE   # an existing build

The site is built by ProperDocs (MkDocs when ProperDocs is not installed) with
NNSCRATCH_PRINT_SITE=true, which turns on the print-site plugin: `print_page/`
holds every teaching page in navigation order. That page is served on
127.0.0.1, opened in headless Chromium (Debian's /usr/bin/chromium, or
$NNSCRATCH_CHROMIUM) with every other host blocked, and printed once MathJax
has typeset every section (hooks/print_edition.py marks the page ready), as a
tagged PDF whose outline (bookmarks) holds every heading. Any
MathJax error, console error or request to another host stops the command with
exit status 2 and nothing written; the PDF is written to a temporary file and
renamed into place.
"""

import argparse
import contextlib
import functools
import http.server
import importlib.util
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("NNSCRATCH_CHROMIUM", "/usr/bin/chromium")
PRINT_PAGE = "print_page/"
READY = "document.documentElement.dataset.printReady === 'true'"

# Runs in the print page once it is ready; what the checks and the tests need.
INSPECT = """() => ({
  // one section per page of the site (a nav section is a container, not a page)
  sections: [...document.querySelectorAll(
      '#print-site-page section.print-page[id]:not(.md-section)')]
      .map(s => s.id),
  math: document.querySelectorAll('#print-site-page .arithmatex').length,
  typeset: document.querySelectorAll('#print-site-page .arithmatex mjx-container')
      .length,
  errors: [...document.querySelectorAll('mjx-merror')]
      .map(e => e.getAttribute('data-mjx-error') || e.textContent),
  eqrefs: [...document.querySelectorAll("mjx-container a[href^='#mjx-eqn']")]
      .map(a => decodeURIComponent(a.getAttribute('href').slice(1)))
      .map(id => !!document.getElementById(id)),
})"""


class PdfError(Exception):
    """A build or print problem, reported as one line with exit status 2."""


def engine():
    """The docs engine's module: ProperDocs when installed (the project's choice)."""
    return "properdocs" if importlib.util.find_spec("properdocs") else "mkdocs"


def build_site(out):
    """Build the site strictly into `out` with the print page on."""
    env = dict(os.environ, NNSCRATCH_PRINT_SITE="true", NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", engine(), "build", "--strict",
               "-f", str(REPO / "mkdocs.yml"), "-d", str(out)]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise PdfError(f"{' '.join(command[2:4])} failed: {last}")


@contextlib.contextmanager
def serve(site):
    """Serve the folder `site` on 127.0.0.1; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def print_page_to_pdf(browser, url, out, timeout_ms=180_000):
    """Open the print page `url`, wait for MathJax, print it to `out` (A4).

    Returns the facts of INSPECT plus `console_errors` and `blocked` (requests to
    other hosts, which are aborted). Writes `out` through a temporary file, and
    only when there was no MathJax error, console error or blocked request.
    """
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    blocked, console_errors = [], []

    def route(r):
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400
            and console_errors.append(f"HTTP {r.status}: {r.url}"))
    try:
        page.goto(url, wait_until="load", timeout=timeout_ms)
        page.wait_for_function(READY, timeout=timeout_ms)
        page.evaluate("document.fonts.ready")
        facts = page.evaluate(INSPECT)
        facts.update(console_errors=console_errors, blocked=blocked)
        problems = (facts["errors"] or console_errors or blocked
                    or not facts["sections"] or facts["typeset"] < facts["math"])
        if problems:
            return facts
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(out.name + ".part")
        # the page number is the print stylesheet's (one per page, none on the title
        # page); a tagged PDF with an outline: a bookmark for every heading
        page.pdf(path=str(temporary), format="A4", print_background=True,
                 outline=True, tagged=True,
                 margin={"top": "14mm", "bottom": "16mm", "left": "12mm",
                         "right": "12mm"})
        os.replace(temporary, out)
        return facts
    finally:
        context.close()


def launch(playwright):
    """Headless Debian Chromium (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        raise PdfError(f"{CHROMIUM} not found: apt-get install chromium, "
                       "or set NNSCRATCH_CHROMIUM to a Chromium executable")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-proxy-server"])


def make_pdf(site, out):
    """Print `site`/print_page/ to `out`; returns the facts of print_page_to_pdf."""
    if not (Path(site) / PRINT_PAGE / "index.html").is_file():
        raise PdfError(f"{site}/{PRINT_PAGE}index.html not found: build the site with "
                       "NNSCRATCH_PRINT_SITE=true (or run without --no-build)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError("playwright not installed: "
                       "python -m pip install -e '.[pdf]'") from None
    with sync_playwright() as p, serve(site) as base:
        browser = launch(p)
        try:
            facts = print_page_to_pdf(browser, base + PRINT_PAGE, out)
        finally:
            browser.close()
    if facts["errors"] or facts["console_errors"] or facts["blocked"]:
        first = (facts["errors"] + facts["console_errors"] + facts["blocked"])[0]
        raise PdfError(f"print page not printed: {len(facts['errors'])} MathJax "
                       f"errors, {len(facts['console_errors'])} console errors, "
                       f"{len(facts['blocked'])} requests to other hosts; "
                       f"first: {first}")
    if facts["typeset"] < facts["math"] or not facts["sections"]:
        raise PdfError(f"print page not printed: {facts['typeset']} of {facts['math']} "
                       f"equations typeset in {len(facts['sections'])} sections")
    return facts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "site",
                        help="folder of the built site (default: site/)")
    parser.add_argument("--out", type=Path,
                        help="the PDF (default: SITE/nnscratch.pdf)")
    parser.add_argument("--no-build", action="store_true",
                        help="print an existing build of --site instead of building it")
    args = parser.parse_args(argv)
    out = args.out or args.site / "nnscratch.pdf"
    try:
        if not args.no_build:
            build_site(args.site)
        facts = make_pdf(args.site, out)
    except PdfError as error:
        print(f"build_pdf: {error}", file=sys.stderr)
        return 2
    size = out.stat().st_size / 1e6
    print(f"wrote {out} ({size:.1f} MB): {len(facts['sections'])} pages of the site, "
          f"{facts['typeset']} equations typeset")
    return 0


if __name__ == "__main__":
    sys.exit(main())
