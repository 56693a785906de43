"""Every page of the built site in headless Debian Chromium, with other hosts blocked.

One browser and one local server (the `browser` and `server` fixtures of
conftest.py, shared with tests/test_draw_page.py). For each page: all math
typeset with no MathJax error and no raw TeX left, glyphs that really have a
shape (the CHTML font CSS is present and the MathJax font is loaded), a copy
button on every code block, no console error, no request to another host.
Screenshots of the derivation pages go to test-output/screenshots/ for a human to look
at.
"""

import sys

import pytest

from conftest import REPO, offline_context
from site_pages import built_pages
pytestmark = pytest.mark.slow(reason="builds the site; every page in Chromium")

SCREENSHOTS = REPO / "test-output" / "screenshots"
DERIVATION_PAGES = (
    "data/",
    "initialisation/",
    "activations/",
    "softmax/",
    "backprop/",
    "autodiff/",
    "training/",
    "further/",
    "results/",
    "inside/",
    "corrections/",
    "symbols/",
)
# pages a learner reads (the generated test pages and the API reference are references)
TEACHING_PAGES = ("",) + DERIVATION_PAGES + ("draw/", "exercises/")

# Pages being rewritten on other branches; the merge empties these sets.
# listings wider than their block at 1280 px (long raw-LaTeX docstrings, lines over 88)
KNOWN_WIDE_LISTING_PAGES: set[str] = set()
# display equations still wider than the column at 390 px, even scaled to 60%
KNOWN_OVERFLOW_EQUATION_PAGES: set[str] = set()


# Runs in the page once MathJax has finished; returns what the assertions need.
INSPECT = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  const article = document.querySelector("article");
  const clone = article.cloneNode(true);
  clone.querySelectorAll("pre, code, mjx-container, script, style")
      .forEach(e => e.remove());
  const text = clone.textContent;
  // U+2061..2064 (function application, invisible times, ...) have no shape
  const shapeless = ["mjx-c2061", "mjx-c2062", "mjx-c2063", "mjx-c2064"];
  const glyphs = [...article.querySelectorAll("mjx-c")]
      .filter(g => !shapeless.some(c => g.classList.contains(c)))
      .slice(0, 40);
  const shaped = glyphs.filter(g => {
    const content = getComputedStyle(g, "::before").content;
    const box = g.getBoundingClientRect();
    return content && content !== "none" && content !== '""'
        && box.width > 0 && box.height > 0;
  });
  const codeBlocks = [...article.querySelectorAll("pre > code")]
      .filter(c => c.offsetParent !== null || c.closest("details"));
  const copyable = codeBlocks.filter(c => c.parentElement
      .querySelector("button[data-md-type='copy'], button.md-clipboard"));
  return {
    math: article.querySelectorAll(".arithmatex").length,
    typeset: article.querySelectorAll(".arithmatex mjx-container").length,
    containers: article.querySelectorAll("mjx-container").length,
    errors: [...article.querySelectorAll("mjx-merror")]
        .map(e => e.getAttribute("data-mjx-error") || e.textContent),
    // math delimiters or TeX commands left in the text (an eqref outside \( \) stays)
    rawTeX: text.match(/\\[()\[\]]|\$\$|\\[a-zA-Z]+/g) || [],
    glyphs: glyphs.length, shaped: shaped.length,
    mathFontLoaded: [...document.fonts]
        .some(f => f.family.startsWith("MJXTEX") && f.status === "loaded"),
    code: codeBlocks.length, copy: copyable.length,
    // an eqref links to the numbered row; its digits are CSS glyphs: check the target
    eqref: [...article.querySelectorAll("mjx-container a[href^='#mjx-eqn']")].map(a =>
        !!document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)))),
    tags: article.querySelectorAll("mjx-mtd[id^='mjx-eqn']").length,
    // listings that scroll sideways at this width: the start of their longest line
    wideCode: [...article.querySelectorAll("pre > code")]
        .filter(c => c.scrollWidth > c.clientWidth + 1)
        .map(c => c.textContent.split("\n")
            .reduce((a, l) => l.length > a.length ? l : a, "").slice(0, 60)),
    palette: document.querySelectorAll(
        "form[data-md-component='palette'] input[name='__palette']").length,
    search: !!document.querySelector("input[data-md-component='search-query']"),
  };
}"""


@pytest.fixture(scope="module")
def inspected(browser, server, site_dir):
    """{url path: (facts, console errors, blocked external requests)} for every page,
    one visit each."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    results = {}
    for path, _ in built_pages(site_dir):
        context, blocked = offline_context(
            browser, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        errors = []
        page.on(
            "console",
            lambda m, errors=errors: m.type == "error" and errors.append(m.text),
        )
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(server + path, wait_until="load")
        facts = page.evaluate(INSPECT)
        if path in DERIVATION_PAGES or path.startswith("notebooks/") or path == "":
            name = (path.strip("/").replace("/", "_") or "home") + ".png"
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        results[path] = (facts, errors, blocked)
        context.close()
    return results


def test_every_page_was_visited(inspected, site_dir):
    """Every built page, the derivation pages included, was opened in Chromium."""
    assert len(inspected) >= 15
    assert set(DERIVATION_PAGES) <= set(inspected)


def test_every_equation_is_typeset_without_error(inspected):
    """Every formula on every page is typeset by MathJax, with no error and no raw TeX
    left in the text."""
    problems = {}
    for path, (facts, _, _) in inspected.items():
        if facts["typeset"] < facts["math"] or facts["errors"] or facts["rawTeX"]:
            problems[path] = facts
    assert not problems
    assert sum(f["containers"] for f, _, _ in inspected.values()) > 100


def test_math_glyphs_are_visible(inspected):
    """MathJax's glyphs have a shape on screen (its font loaded and its CSS present),
    not just elements."""
    invisible = {
        p: f
        for p, (f, _, _) in inspected.items()
        if f["containers"]
        and (f["shaped"] < f["glyphs"] or not f["glyphs"] or not f["mathFontLoaded"])
    }
    assert not invisible, {
        p: {k: f[k] for k in ("glyphs", "shaped", "mathFontLoaded")}
        for p, f in invisible.items()
    }


def test_equations_are_numbered_and_eqref_links_resolve(inspected):
    """Equations carry numbers, and every eqref link points at a numbered equation on
    its page."""
    facts = inspected["backprop/"][0]
    assert facts["tags"] >= 6
    assert facts["eqref"], "the backpropagation page cites its equations with \\eqref"
    dangling = {
        p: f["eqref"].count(False)
        for p, (f, _, _) in inspected.items()
        if not all(f["eqref"])
    }
    assert not dangling, "every \\eqref must point at a numbered equation on its page"


def test_every_code_block_has_a_copy_button(inspected):
    """Every code block on every page has Material's copy button."""
    missing = {
        p: (f["code"], f["copy"])
        for p, (f, _, _) in inspected.items()
        if f["copy"] < f["code"]
    }
    assert not missing
    assert sum(f["code"] for f, _, _ in inspected.values()) > 50


def test_every_page_has_the_light_dark_toggle_and_search(inspected):
    """Every page offers the light/dark toggle and the search box."""
    assert {
        p: (f["palette"], f["search"])
        for p, (f, _, _) in inspected.items()
        if f["palette"] != 2 or not f["search"]
    } == {}


def test_search_finds_a_page_offline(browser, server):
    """Search works offline: a query for Jacobian lists the Softmax page."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(
        server, wait_until="networkidle"
    )  # the search worker has fetched its index
    query = page.locator("input[data-md-component='search-query']")
    results = page.locator(".md-search-result__item")
    for _ in range(
        5
    ):  # the worker may still be indexing: type again until results show
        query.fill("")
        query.press_sequentially("Jacobian", delay=30)
        try:
            results.first.wait_for(timeout=4_000)
            break
        except PlaywrightTimeout:
            continue
    titles = results.all_inner_texts()
    context.close()
    assert any("Softmax" in t for t in titles), titles


def test_the_dark_toggle_switches_the_scheme(browser, server):
    """Clicking the toggle switches the page from the light to the dark scheme."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "backprop/", wait_until="load")
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.click("label.md-header__button[for='__palette_1']")
    after = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.screenshot(path=str(SCREENSHOTS / "backprop_dark.png"))
    context.close()
    assert (before, after) == ("default", "slate")


def test_the_request_counter_sees_a_request_to_another_host(browser):
    """The blocking route used for every page counts a request that leaves 127.0.0.1."""
    context, blocked = offline_context(browser)
    page = context.new_page()
    page.set_content('<img src="https://fonts.googleapis.com/x.png">')
    page.wait_for_timeout(500)
    context.close()
    assert blocked == ["https://fonts.googleapis.com/x.png"]


def test_no_console_errors(inspected):
    """No page logs a JavaScript error in the console."""
    assert {p: e for p, (_, e, _) in inspected.items() if e} == {}


def test_no_request_leaves_the_site(inspected):
    """No page requests anything from a host other than the local server."""
    assert {p: b for p, (_, _, b) in inspected.items() if b} == {}


def test_screenshots_of_the_derivation_pages_were_saved(inspected):
    """A full-page screenshot of each derivation page was written for a human to look
    at."""
    for path in DERIVATION_PAGES:
        shot = SCREENSHOTS / (path.strip("/") + ".png")
        assert shot.stat().st_size > 20_000, shot


def test_the_glyph_check_sees_the_clear_cache_pitfall(browser, server, site_dir):
    """Serve a config that clears MathJax's output cache on the first page emission: the
    containers are still there, but no glyph has a shape, and INSPECT must say so."""
    config = (site_dir / "assets" / "mathjax-config.js").read_text()
    broken = config.replace(
        "if (first) { first = false; return; }", "if (first) { first = false; }"
    )
    assert broken != config
    context = browser.new_context()
    context.route(
        "**/assets/mathjax-config.js",
        lambda route: route.fulfill(body=broken, content_type="text/javascript"),
    )
    page = context.new_page()
    page.goto(server + "data/", wait_until="load")
    facts = page.evaluate(INSPECT)
    context.close()
    assert facts["containers"] > 5 and facts["glyphs"] > 10
    assert facts["shaped"] == 0


def test_no_listing_of_a_teaching_page_scrolls_sideways_at_1280(inspected):
    """At 1280 px every code block of a teaching page shows its longest line whole."""
    wide = {
        p: f["wideCode"]
        for p, (f, _, _) in inspected.items()
        if p in TEACHING_PAGES and f["wideCode"]
    }
    unexpected = {p: w for p, w in wide.items() if p not in KNOWN_WIDE_LISTING_PAGES}
    assert not unexpected, unexpected
    fixed = KNOWN_WIDE_LISTING_PAGES - set(wide)
    assert not fixed, f"fixed, remove from KNOWN_WIDE_LISTING_PAGES: {fixed}"


# Runs in a page at phone width once MathJax has typeset it and scaled the wide
# equations.
PHONE = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  if (window.nnscratchFitEquations) window.nnscratchFitEquations();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const article = document.querySelector("article");
  const viewport = document.documentElement.clientWidth;
  const equations = [...article.querySelectorAll("mjx-container[display]")]
      .filter(e => e.offsetParent);
  const wide = equations.filter(e => {
    const column = e.parentElement.clientWidth;
    return e.getBoundingClientRect().width > column + 1 || e.scrollWidth > column + 1;
  }).map(e => e.getAttribute("aria-label") || e.textContent.slice(0, 60));
  const numbers = [...article.querySelectorAll(
      "mjx-container[display] mjx-mtd[id^='mjx-eqn']")].filter(n => n.offsetParent);
  const hidden = numbers.filter(n => {
    const r = n.getBoundingClientRect();
    return r.right > viewport + 1 || r.left < -1;
  }).map(n => n.id);
  // copy buttons against the text they might cover: the line boxes of every non-blank
  // text node of the code, clipped to the part of the block that is visible
  const overlaps = [];
  const pairs = [...article.querySelectorAll("pre > code")].map(code => [code,
      code.parentElement.querySelector(
          "button[data-md-type='copy'], button.md-clipboard, .md-code__button")]);
  // the notebook's cells: a clipboard-copy element over a highlighted <pre>
  for (const cell of article.querySelectorAll(".jp-CodeCell .CodeMirror")) {
    pairs.push([cell.querySelector(".highlight-ipynb pre"),
                cell.querySelector("clipboard-copy")]);
  }
  for (const [code, button] of pairs) {
    if (!button || !code || !code.offsetParent) continue;
    const b = button.getBoundingClientRect(), view = code.getBoundingClientRect();
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        const left = Math.max(r.left, view.left), right = Math.min(r.right, view.right);
        if (right <= left) continue;  // scrolled out of view
        if (left < b.right && right > b.left && r.top < b.bottom && r.bottom > b.top) {
          overlaps.push(node.textContent.slice(0, 40));
        }
      }
    }
  }
  // every figure as the browser shows it: the file it chose (a <picture> may pick a
  // phone variant), its drawn width and the width it is shown at, in CSS px
  const images = [...article.querySelectorAll("img")].filter(i => i.offsetParent)
      .map(i => ({src: i.currentSrc, natural: i.naturalWidth,
                  shown: i.getBoundingClientRect().width}));
  // printed notebook output (the classification report) whose lines wrap: more line
  // boxes than lines of text
  const wrapped = [...article.querySelectorAll(".jp-RenderedText pre")].filter(pre => {
    const style = getComputedStyle(pre);
    const lines = pre.textContent.replace(/\n$/, "").split("\n").length;
    const height = pre.getBoundingClientRect().height - parseFloat(style.paddingTop)
        - parseFloat(style.paddingBottom);
    return height > (lines + 0.5) * parseFloat(style.lineHeight);
  }).map(pre => pre.textContent.slice(0, 40));
  return {equations: equations.length, wide, numbers: numbers.length, hidden, overlaps,
          images, wrapped, outputs: article.querySelectorAll(".jp-RenderedText pre").length,
          pageScrolls: document.documentElement.scrollWidth > viewport + 1};
}"""


@pytest.fixture(scope="module")
def phone(browser, server, site_dir):
    """{url path: facts} of every page at 390 x 844 px, with phone screenshots."""
    shots = SCREENSHOTS / "phone"
    shots.mkdir(parents=True, exist_ok=True)
    results = {}
    for path, _ in built_pages(site_dir):
        context, _ = offline_context(
            browser,
            viewport={"width": 390, "height": 844},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        page.goto(server + path, wait_until="load")
        results[path] = page.evaluate(PHONE)
        if path in TEACHING_PAGES:
            name = (path.strip("/").replace("/", "_") or "home") + ".png"
            page.screenshot(path=str(shots / name), full_page=True)
        context.close()
    return results


def test_display_equations_fit_the_column_at_390(phone):
    """At 390 px no display equation is wider than its column, and no page scrolls
    sideways."""
    wide = {p: f["wide"] for p, f in phone.items() if f["wide"]}
    unexpected = {
        p: w for p, w in wide.items() if p not in KNOWN_OVERFLOW_EQUATION_PAGES
    }
    assert not unexpected, unexpected
    fixed = KNOWN_OVERFLOW_EQUATION_PAGES - set(wide)
    assert not fixed, f"fixed, remove from KNOWN_OVERFLOW_EQUATION_PAGES: {fixed}"
    assert {p for p, f in phone.items() if f["pageScrolls"]} == set()
    assert sum(f["equations"] for f in phone.values()) > 40


def test_equation_numbers_stay_on_screen_at_390(phone):
    """At 390 px every equation number lies inside the screen."""
    hidden = {
        p: f["hidden"]
        for p, f in phone.items()
        if f["hidden"] and p not in KNOWN_OVERFLOW_EQUATION_PAGES
    }
    assert not hidden
    assert sum(f["numbers"] for f in phone.values()) > 20


def test_no_copy_button_covers_code_text_at_390(phone):
    """At 390 px the copy button of a code block never lies over a character of its
    code."""
    assert {p: f["overlaps"] for p, f in phone.items() if f["overlaps"]} == {}


def test_notebook_output_keeps_its_columns_at_390(phone):
    """At 390 px no printed output of the notebook (the epoch lines, the classification
    report) wraps its lines: columns stay aligned and scroll sideways instead."""
    notebook = {p: f for p, f in phone.items() if p.startswith("notebooks/")}
    assert notebook and sum(f["outputs"] for f in notebook.values()) >= 3
    assert {p: f["wrapped"] for p, f in notebook.items() if f["wrapped"]} == {}


def figure_drawings():
    """{site path: (function drawing the figure, dpi)} for every PNG the repository
    draws for the site: the figure hooks' registries (phone variants included) and the
    figures the result commands wrote into docs/results/ (at their dpi, 120)."""
    import json

    import numpy as np

    from nnscratch.plots import plot_confusion, plot_history
    from nnscratch.sweep import plot_spread

    sys.path.insert(0, str(REPO / "hooks"))
    try:
        import diagrams
        import figures
        import figures_autodiff
        import figures_inside
        import figures_training
        import generated_figures
    finally:
        sys.path.remove(str(REPO / "hooks"))
    drawings = {uri: (draw, generated_figures.DPI) for registry in (
        figures.FIGURES, diagrams.FIGURES, figures_training.FIGURES,
        figures_autodiff.FIGURES, figures_inside.FIGURES)
        for uri, draw in registry.items()}
    results = REPO / "docs" / "results"

    def history():
        return plot_history(json.loads((results / "writeup/history.json").read_text()))

    def spread(name):
        return lambda: plot_spread(
            json.loads((results / f"sweep/{name}.json").read_text()), None)

    drawings.update({
        "results/writeup/curves.png": (history, 120),
        "results/writeup/confusion.png": (  # the counts only change the colours
            lambda: plot_confusion(np.full((10, 10), 1000)), 120),
        "results/sweep/writeup.png": (spread("writeup"), 120),
        "results/sweep/best.png": (spread("best"), 120),
        "results/sweep/simard.png": (spread("simard"), 120),
        "results/sweep/simard-elastic.png": (spread("simard-elastic"), 120),
        "results/sweep/simard-kappa5.png": (spread("simard-kappa5"), 120),
    })
    return drawings, generated_figures.smallest_text


def test_figure_text_is_at_least_9_css_px_at_390(phone):
    """At 390 px the smallest text of every figure the repository draws is at least
    9 CSS px: its smallest font size (points) x dpi / 72 x the width the browser shows
    it at / its drawn width. A notebook figure (inline PNG) keeps its drawn size."""
    import matplotlib.pyplot as plt
    from urllib.parse import urlsplit

    drawings, smallest_text = figure_drawings()
    sizes, small, shrunk, unknown = {}, {}, {}, set()
    for path, facts in phone.items():
        for image in facts["images"]:
            if image["src"].startswith("data:image/png"):
                if image["shown"] < image["natural"] - 1:
                    shrunk[path] = (image["natural"], round(image["shown"]))
                continue
            uri = urlsplit(image["src"]).path.lstrip("/")  # the site is served at /
            if not uri.endswith(".png"):
                continue
            if uri not in drawings:
                unknown.add(uri)
                continue
            if uri not in sizes:
                draw, dpi = drawings[uri]
                fig = draw()
                sizes[uri] = (smallest_text(fig), fig.get_size_inches()[0] * dpi, dpi)
                plt.close(fig)
            points, width, dpi = sizes[uri]
            assert abs(width - image["natural"]) <= 1, (uri, width, image["natural"])
            px = points * dpi / 72 * image["shown"] / image["natural"]
            if px < 9:
                small[uri] = round(px, 1)
    assert unknown == set()
    assert shrunk == {}
    assert small == {}
    assert len(sizes) >= 8


def test_the_layout_checks_see_an_overflowing_equation_and_a_covered_line(
    browser, server
):
    """PHONE reports a display equation wider than the column and a copy button over
    text
    once the site's fixes are switched off."""
    context, _ = offline_context(browser, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + "backprop/", wait_until="load")
    page.evaluate("""async () => {
      await MathJax.startup.promise;
      window.nnscratchFitEquations = null;
      document.querySelectorAll("mjx-container[display]")
        .forEach(e => e.style.fontSize = "");
      const style = document.createElement("style");
      style.textContent = ".md-typeset pre > code { padding-top: 0 !important; }";
      document.head.appendChild(style);
      document.querySelector("article pre > code").prepend("x".repeat(200) + "\\n");
    }""")
    facts = page.evaluate(PHONE)
    context.close()
    assert facts["wide"] and facts["overlaps"]


SEARCHES = {  # concept word -> the teaching page that must come first
    "sigmoid": "activations/",
    "softmax": "softmax/",
    "backpropagation": "backprop/",
    "momentum": "training/",
    "initialisation": "initialisation/",
}


def _first_result(page, word):
    """URL path of the first search result for `word`, typed into Material's search box."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    query = page.locator("input[data-md-component='search-query']")
    results = page.locator(".md-search-result__item > a")
    for _ in range(
        6
    ):  # the worker may still be indexing: type again until results show
        query.fill("")
        query.press_sequentially(word, delay=30)
        try:
            results.first.wait_for(timeout=5_000)
            page.wait_for_timeout(300)  # the list is replaced once per keystroke
            return results.first.get_attribute("href")
        except PlaywrightTimeout:
            continue
    return None


def test_teaching_pages_rank_first_in_search(browser, server):
    """For each concept word the first search result is the page that teaches it."""
    from urllib.parse import urljoin, urlsplit

    context, _ = offline_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + "api/", wait_until="networkidle")
    firsts = {}
    for word in SEARCHES:
        href = _first_result(page, word)
        firsts[word] = href and urlsplit(urljoin(page.url, href)).path.lstrip("/")
    context.close()
    assert firsts == {w: p for w, p in SEARCHES.items()}, firsts


# --- contrast of the draw page's buttons in every state -------------------------------
CONTRAST = """(el) => {
  const parse = s => { const v = s.match(/[\\d.]+/g).map(Number);
                       return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3]))
      .concat([1]);
  const layers = [];
  for (let e = el; e; e = e.parentElement) layers.push(getComputedStyle(e).backgroundColor);
  let bg = [255, 255, 255, 1];
  for (const layer of layers.reverse()) bg = over(parse(layer), bg);
  const fg = over(parse(getComputedStyle(el).color), bg);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""


def button_contrasts(browser, server, scheme):
    """{(button label, state): contrast ratio of its label on its background} for the
    draw page's buttons at rest, hovered, focused by keyboard and focused after a
    click, in the given colour scheme."""
    context, _ = offline_context(browser, viewport={"width": 1280, "height": 900},
                                 color_scheme=scheme)
    page = context.new_page()
    page.goto(server + "draw/", wait_until="load")
    page.wait_for_selector("[data-nnscratch-draw][data-ready]")
    ratios = {}
    buttons = page.locator(".nns-draw__button")
    for i in range(buttons.count()):
        button = buttons.nth(i)
        label = button.inner_text().strip()
        for state in ("rest", "hover", "focus", "clicked"):
            page.mouse.move(0, 0)
            page.evaluate("document.activeElement && document.activeElement.blur()")
            if state == "hover":
                button.hover()
            elif state == "focus":
                button.focus()
            elif state == "clicked":
                button.click()
                page.mouse.move(0, 0)  # the pointer leaves; the button keeps focus
            page.wait_for_timeout(300)  # the theme's colour transitions
            ratios[(label, state)] = button.evaluate(CONTRAST)
    context.close()
    return ratios


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_draw_buttons_labels_keep_4_5_to_1_in_every_state(browser, server, scheme):
    """Every button of the draw page has its label at 4.5:1 or more on its background
    at rest, hovered, focused, and still focused after a click."""
    ratios = button_contrasts(browser, server, scheme)
    assert len(ratios) >= 8
    assert {k: round(v, 2) for k, v in ratios.items() if v < 4.5} == {}


def test_the_contrast_check_sees_the_theme_hover_colours(browser, server):
    """With the page's own button states removed, a hovered button's label falls below
    4.5:1 (the theme's accent background), so the check can fail."""
    context, _ = offline_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/draw.css", lambda r: r.fulfill(
        body=r.fetch().text().split("/* hovered, focused")[0], content_type="text/css"))
    page.goto(server + "draw/", wait_until="load")
    button = page.locator(".nns-draw__button").first
    button.hover()
    page.wait_for_timeout(300)
    ratio = button.evaluate(CONTRAST)
    context.close()
    assert ratio < 4.5


# --- the navigation sidebar at 1280 px ------------------------------------------------
SIDEBAR = """() => {
  const wrap = document.querySelector(".md-sidebar--primary .md-sidebar__scrollwrap");
  const title = document.querySelector(".md-sidebar--primary .md-nav__title");
  const home = [...document.querySelectorAll(".md-sidebar--primary a.md-nav__link")]
      .find(a => a.textContent.trim() === "Home");
  const t = title.getBoundingClientRect(), h = home.getBoundingClientRect();
  return {scrollTop: wrap.scrollTop, clipped: h.top < t.bottom - 0.5 && h.bottom > t.top};
}"""


@pytest.mark.parametrize("height", [720, 800, 900])
def test_home_is_never_clipped_under_the_sidebar_title_at_1280(browser, server, height):
    """At 1280 px wide and 720-900 px high, on the pages far down the navigation
    (Exercises, Draw, PDF edition), the sidebar is not scrolled and no part of "Home"
    lies under its sticky site title."""
    found = {}
    for path in ("exercises/", "draw/", "pdf/"):
        context, _ = offline_context(browser, viewport={"width": 1280, "height": height})
        page = context.new_page()
        page.goto(server + path, wait_until="load")
        page.wait_for_timeout(300)
        found[path] = page.evaluate(SIDEBAR)
        context.close()
    assert {p: f for p, f in found.items() if f["clipped"] or f["scrollTop"]} == {}


EXERCISE_TABLE = """() => {
  const table = [...document.querySelectorAll("article table")]
      .find(t => t.querySelector("td a[download$='.py']"));
  const width = document.documentElement.clientWidth;
  const cells = [...table.querySelectorAll("td")];
  return {
    rows: table.querySelectorAll("tbody tr").length,
    // a name broken across lines has more than one line box
    broken: [...table.querySelectorAll("td:first-child code")]
        .filter(c => c.getClientRects().length > 1).map(c => c.textContent),
    offScreen: cells.filter(c => { const r = c.getBoundingClientRect();
                                   return r.right > width + 1 || r.left < -1; })
        .map(c => c.textContent.trim().slice(0, 30)),
  };
}"""


@pytest.mark.parametrize("own_css", [True, False], ids=["site-css", "without-it"])
def test_the_exercises_table_fits_a_phone(browser, server, own_css):
    """At 390 px every cell of the Exercises table (names, pages, starters) lies on the
    screen and no exercise name breaks mid-word; without the site's phone layout for
    it the check fails."""
    context, _ = offline_context(browser, viewport={"width": 390, "height": 844},
                                 is_mobile=True, has_touch=True)
    page = context.new_page()
    if not own_css:
        page.route("**/site.css", lambda r: r.fulfill(
            body=r.fetch().text().split("/* The Exercises page's table")[0],
            content_type="text/css"))
    page.goto(server + "exercises/", wait_until="load")
    facts = page.evaluate(EXERCISE_TABLE)
    context.close()
    assert facts["rows"] >= 8
    if own_css:
        assert facts["broken"] == [] and facts["offScreen"] == []
    else:
        assert facts["broken"] or facts["offScreen"]
