"""Accessibility of every page, light and dark: axe-core finds no serious or critical
problem.

axe-core (the engine of most accessibility checkers) runs inside the same headless
Chromium as the other browser tests, from the copy shipped with axe-playwright-python,
so nothing is fetched. Each page is checked in Material's light scheme and in its dark
scheme (chosen through the browser's colour preference, as a reader's system would).
"""

import pytest

from conftest import offline_context
from site_pages import built_pages
pytestmark = pytest.mark.slow(reason="builds the site; axe-core in Chromium")

SERIOUS = {"serious", "critical"}
SCHEMES = {"light": "default", "dark": "slate"}


def _violations(page):
    """[(rule id, impact, number of elements, first element)] of axe's serious findings.
    """
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        (v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"])
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.fixture(scope="module")
def audits(browser, server, site_dir):
    """{(scheme, url path): (scheme the page shows, serious violations)} for every page.
    """
    results = {}
    for scheme in SCHEMES:
        context, _ = offline_context(
            browser, viewport={"width": 1280, "height": 900}, color_scheme=scheme
        )
        page = context.new_page()
        for path, _ in built_pages(site_dir):
            page.goto(server + path, wait_until="load")
            page.evaluate(
                "async () => { if (window.MathJax && MathJax.startup) "
                "await MathJax.startup.promise; }"
            )
            if path == "draw/":  # the widget is built once the model has loaded
                page.wait_for_selector(
                    "[data-nnscratch-draw] .nns-draw__bar", timeout=60_000
                )
            shown = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            results[(scheme, path)] = (shown, _violations(page))
        context.close()
    return results


def test_both_colour_schemes_were_checked(audits):
    """Each page was audited once in the light scheme and once in the dark scheme."""
    assert {
        shown for (scheme, _), (shown, _) in audits.items() if scheme == "dark"
    } == {"slate"}
    assert {
        shown for (scheme, _), (shown, _) in audits.items() if scheme == "light"
    } == {"default"}
    assert len(audits) >= 2 * 30


def test_no_serious_or_critical_accessibility_violation(audits):
    """axe-core reports no serious or critical violation on any page, light or dark."""
    bad = {
        f"{scheme} {path or 'home'}": found
        for (scheme, path), (_, found) in audits.items()
        if found
    }
    assert not bad, "\n".join(f"{k}: {v}" for k, v in bad.items())


def test_axe_sees_a_low_contrast_button(browser):
    """The audit is live: a grey-on-grey button is reported as a serious contrast
    problem."""
    context, _ = offline_context(browser)
    page = context.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><button style="color:#777;'
        'background:#888">Clear</button></main></html>'
    )
    found = _violations(page)
    context.close()
    assert any(rule == "color-contrast" for rule, *_ in found), found
