"""The draw-a-digit page of the built site in headless Chromium: same numbers as the
package, working pad.

The page is docs/draw.md with docs/assets/draw/draw.js, as `mkdocs build --strict`
renders it, served on 127.0.0.1 (conftest's `site_dir`, `server` and `browser`).
Every request to another host is blocked and counted; each test ends by
asserting zero such requests and zero console errors.
"""

import base64
import json

import numpy as np
import pytest

from nnscratch import feed_forward, load_sample
from nnscratch.export import read_web_model, web_model

from conftest import REPO, offline_context
pytestmark = pytest.mark.slow(reason="builds the site; draws digits in Chromium")

ASSETS = REPO / "docs" / "assets" / "draw"
SCREENSHOTS = REPO / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def page_url(server):
    """The draw page of the built site (the session's `site_dir`, served by conftest's
    `server`)."""
    return server + "draw/"


def open_page(browser, url, **context_options):
    """Open `url` with external requests blocked; return (page, context, log of
    problems)."""
    context, blocked = offline_context(
        browser, viewport={"width": 900, "height": 800}, **context_options
    )
    log = {"external": blocked, "console_errors": []}
    page = context.new_page()
    page.on(
        "console", lambda m: m.type == "error" and log["console_errors"].append(m.text)
    )
    page.on("pageerror", lambda e: log["console_errors"].append(str(e)))
    page.goto(url)
    page.wait_for_selector("[data-nnscratch-draw][data-ready]")
    return page, context, log


@pytest.fixture
def draw_page(browser, page_url):
    page, context, log = open_page(browser, page_url)
    page.evaluate("nnscratchDraw.ready()")
    yield page
    assert log["console_errors"] == []
    assert log["external"] == []
    context.close()


@pytest.fixture(scope="module")
def page_model():
    return read_web_model(ASSETS / "model.json")


@pytest.fixture(scope="module")
def shipped_digits():
    doc = json.loads((ASSETS / "digits.json").read_text())
    pixels = np.frombuffer(base64.b64decode(doc["pixels"]), dtype=np.uint8).reshape(
        -1, 784
    )
    return pixels, np.array(doc["labels"])


def test_page_forward_pass_matches_feed_forward_on_shipped_digits(
    draw_page, page_model, shipped_digits
):
    """The page's JavaScript forward pass gives feed_forward's probabilities within
    1e-4 on the shipped test digits."""
    params, activation = page_model
    pixels, labels = shipped_digits
    assert len(labels) >= 20
    X = (pixels.T / np.float32(255)).astype(np.float32)
    js = np.array(
        draw_page.evaluate("xs => xs.map(x => nnscratchDraw.predict(x))", X.T.tolist())
    ).T
    python = feed_forward(X, params, activation)["A2"]
    assert js.shape == python.shape == (10, len(labels))
    assert np.abs(js - python).max() <= 1e-4
    # JavaScript computes in float64: against a float64 forward pass it must agree to
    # rounding
    exact = feed_forward(
        X.astype(np.float64),
        {k: v.astype(np.float64) for k, v in params.items()},
        activation,
    )
    assert np.abs(js - exact["A2"]).max() <= 1e-9
    hidden = np.array(
        draw_page.evaluate(
            "xs => xs.map(x => nnscratchDraw.forward(x).a1)", X.T.tolist()
        )
    ).T
    assert np.abs(hidden - exact["A1"]).max() <= 1e-9
    assert np.mean(js.argmax(axis=0) == labels) >= 0.9


def test_page_forward_pass_is_stable_for_huge_logits(
    draw_page, page_model, shipped_digits
):
    """Output weights scaled by 200 put logits in the thousands: exp overflows without
    the max shift."""
    params, activation = page_model
    sharp = dict(params, W2=params["W2"] * 200, b2=params["b2"] * 200)
    X = shipped_digits[0][:10].T / 255
    js = np.array(
        draw_page.evaluate(
            "([doc, xs]) => { const m = nnscratchDraw.parseModel(doc); return xs.map(x => nnscratchDraw.predict(x, m)); }",
            [web_model(sharp, activation), X.T.tolist()],
        )
    ).T
    exact = feed_forward(
        X, {k: v.astype(np.float64) for k, v in sharp.items()}, activation
    )
    assert np.abs(exact["Z2"]).max() > 1000
    assert np.isfinite(js).all() and np.abs(js - exact["A2"]).max() <= 1e-9


def test_page_decodes_float16_models_exactly(draw_page, page_model, shipped_digits):
    """The page decodes a float16 model file to exactly the float16 parameters."""
    params, activation = page_model
    X = (shipped_digits[0][:20].T / np.float32(255)).astype(np.float32)
    doc = web_model(params, activation, "float16")
    js = np.array(
        draw_page.evaluate(
            "([doc, xs]) => { const m = nnscratchDraw.parseModel(doc); return xs.map(x => nnscratchDraw.predict(x, m)); }",
            [doc, X.T.tolist()],
        )
    ).T
    half = {k: v.astype(np.float16).astype(np.float64) for k, v in params.items()}
    assert (
        np.abs(js - feed_forward(X.astype(np.float64), half, activation)["A2"]).max()
        <= 1e-9
    )
    assert np.abs(js - feed_forward(X, params, activation)["A2"]).max() <= 1e-3


def bar_widths(page):
    return page.eval_on_selector_all(
        ".nns-draw__fill", "els => els.map(e => parseFloat(e.style.width) || 0)"
    )


def draw(page, points, steps=6):
    """A stroke through `points` (fractions of the pad) with real mouse input."""
    box = page.locator(".nns-draw__canvas").bounding_box()
    xy = [
        (box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        for fx, fy in points
    ]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=steps)
    page.mouse.up()
    page.wait_for_function("nnscratchDraw.state().source === 'drawing'")


SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.42, 0.85)]
ONE = [(0.5, 0.15), (0.5, 0.85)]


def test_a_drawn_stroke_is_predicted_and_updates_the_bars(draw_page):
    """A stroke drawn with the mouse gives probabilities that sum to 1 and bars of the
    same widths."""
    assert sum(bar_widths(draw_page)) == 0
    draw(draw_page, SEVEN)
    state = draw_page.evaluate("nnscratchDraw.state()")
    probabilities = np.array(state["probabilities"])
    assert probabilities.shape == (10,) and abs(probabilities.sum() - 1) < 1e-9
    widths = np.array(bar_widths(draw_page))
    assert np.allclose(widths, 100 * probabilities, atol=0.01)
    top = draw_page.locator(".nns-draw__bar--top")
    assert top.count() == 1 and top.get_attribute("data-digit") == str(
        probabilities.argmax()
    )
    assert (
        f"reads {probabilities.argmax()}"
        in draw_page.locator(".nns-draw__status").inner_text()
    )
    # the bars show the page's own forward pass of the preprocessed drawing
    again = draw_page.evaluate("s => nnscratchDraw.predict(s.input)", state)
    assert np.allclose(again, probabilities, atol=1e-12)
    assert probabilities.argmax() == 7
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    draw_page.locator("[data-nnscratch-draw]").screenshot(
        path=str(SCREENSHOTS / "draw-seven.png")
    )
    draw_page.screenshot(path=str(SCREENSHOTS / "draw-page.png"), full_page=True)


def test_a_vertical_stroke_reads_as_one_and_clear_resets(draw_page):
    """A vertical stroke is read as a 1, and Clear empties the pad and the bars."""
    draw(draw_page, ONE)
    assert np.argmax(draw_page.evaluate("nnscratchDraw.state().probabilities")) == 1
    draw_page.locator("[data-nnscratch-draw]").get_by_role(
        "button", name="Clear"
    ).click()
    assert draw_page.evaluate("nnscratchDraw.state().probabilities") is None
    assert sum(bar_widths(draw_page)) == 0
    ink = draw_page.evaluate("""() => { const c = document.querySelector('.nns-draw__canvas');
        return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v > 0); }""")
    assert ink is False


def test_load_a_test_digit_shows_a_shipped_digit_and_its_label(
    draw_page, shipped_digits
):
    """Load a test digit feeds one of the shipped MNIST digits and names its label."""
    pixels, labels = shipped_digits
    draw_page.locator("[data-nnscratch-draw]").get_by_role(
        "button", name="Load a test digit"
    ).click()
    state = draw_page.evaluate("nnscratchDraw.state()")
    assert state["source"] == "digit"
    shown = np.rint(np.array(state["input"]) * 255).astype(np.uint8)
    matches = np.flatnonzero((pixels == shown).all(axis=1))
    assert matches.size >= 1
    assert (
        f"labelled {labels[matches[0]]}"
        in draw_page.locator(".nns-draw__status").inner_text()
    )
    assert sum(bar_widths(draw_page)) == pytest.approx(100, abs=0.05)


def test_preprocessing_fits_20x20_and_centres_the_mass(draw_page):
    """An off-centre, wide block of ink: scaled to 20 pixels wide, centre of mass on
    pixel (14, 14)."""
    width, height = 280, 280
    ink = np.zeros((height, width))
    ink[30:70, 150:250] = 1.0  # 100 wide, 40 tall: scale 0.2 -> 20 x 8
    ink[30:40, 150:170] = (
        0.5  # lighter corner moves the centre of mass off the box centre
    )
    out = np.array(
        draw_page.evaluate(
            "([ink, w, h]) => nnscratchDraw.preprocess(ink, w, h)",
            [ink.ravel().tolist(), width, height],
        )
    ).reshape(28, 28)
    assert out.min() >= 0 and out.max() == pytest.approx(1)
    assert out.sum() == pytest.approx(
        ink.sum() * 0.2**2, rel=1e-9
    )  # area resampling keeps the ink
    rows, cols = np.nonzero(out > 1e-12)
    assert cols.max() - cols.min() + 1 in (20, 21) and rows.max() - rows.min() + 1 in (
        8,
        9,
    )
    assert np.allclose(centre_of_mass(out), 14, atol=0.1)
    assert (
        draw_page.evaluate("nnscratchDraw.preprocess(new Array(100).fill(0), 10, 10)")
        is None
    )


def centre_of_mass(image):
    """(row, column) of the centre of mass of a 28x28 image, in 0-based pixel indexes.
    """
    return [
        (image.sum(axis=1) * np.arange(28)).sum() / image.sum(),
        (image.sum(axis=0) * np.arange(28)).sum() / image.sum(),
    ]


def test_mnist_puts_the_centre_of_mass_on_pixel_14():
    """The convention the page copies, measured on the shipped sample (no browser
    needed)."""
    X = load_sample().X_test
    centres = np.array([centre_of_mass(x.reshape(28, 28)) for x in X.T])
    assert np.abs(centres - 14).max() <= 0.5
    assert np.abs(centres - 13.5).max() > 0.5


def test_preprocessing_an_enlarged_mnist_digit_gives_it_back(
    draw_page, page_model, shipped_digits
):
    """MNIST digits already obey the rules, so a 10x enlargement must come back nearly
    unchanged."""
    params, activation = page_model
    pixels, labels = shipped_digits
    back = np.array(
        draw_page.evaluate(
            """xs => xs.map(x => { const ink = new Float64Array(280 * 280);
             for (let r = 0; r < 280; r++) for (let c = 0; c < 280; c++)
               ink[r * 280 + c] = x[Math.floor(r / 10) * 28 + Math.floor(c / 10)] / 255;
             return nnscratchDraw.preprocess(ink, 280, 280); })""",
            pixels[:20].tolist(),
        )
    ).T
    original = pixels[:20].T / 255
    assert np.abs(back - original).mean() < 0.04
    predicted = feed_forward(back.astype(np.float32), params, activation)["A2"].argmax(
        axis=0
    )
    assert np.mean(predicted == labels[:20]) >= 0.9


def test_touch_drawing_predicts_without_scrolling(browser, page_url):
    """Drawing with a finger on a phone predicts a digit and does not scroll the page.
    """
    page, context, log = open_page(
        browser, page_url, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    assert page.evaluate("document.querySelector('.nns-draw__canvas').width") == 560
    box = page.locator(".nns-draw__canvas").bounding_box()
    before = page.evaluate("window.scrollY")
    assert page.evaluate(
        "document.documentElement.scrollHeight > window.innerHeight + 200"
    )  # it could scroll
    cdp = context.new_cdp_session(page)
    points = [
        (box["x"] + box["width"] * 0.5, box["y"] + box["height"] * (0.1 + 0.08 * i))
        for i in range(11)
    ]
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": "touchStart", "touchPoints": [dict(zip("xy", points[0]))]},
    )
    for x, y in points[1:]:
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]},
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function("nnscratchDraw.state().source === 'drawing'")
    assert page.evaluate("window.scrollY") == before
    assert sum(bar_widths(page)) == pytest.approx(100, abs=0.05)
    assert log["console_errors"] == [] and log["external"] == []
    context.close()


def test_external_requests_are_caught_by_the_harness(browser, page_url):
    """The zero-external-requests checks above can fail: a request to another host is
    counted."""
    page, context, log = open_page(browser, page_url)
    page.evaluate("fetch('https://example.com/x.js').catch(() => null)")
    page.wait_for_timeout(100)
    assert log["external"] == ["https://example.com/x.js"]
    context.close()
