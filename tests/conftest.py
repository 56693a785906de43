"""Fixtures shared by the tests; the site's test pages include each one a page's tests
use."""

import numpy as np
import pytest


# --8<-- [start:rng]
@pytest.fixture
def rng():
    """A NumPy generator with a fixed seed: every test that uses it draws the same
    numbers."""
    return np.random.default_rng(12345)


# --8<-- [end:rng]


# --8<-- [start:small_net]
@pytest.fixture
def small_net(rng):
    """A float64 784-free toy network (n_x=7, n_h=5, K=4) with a batch of m=6 examples.
    """
    n_x, n_h, K, m = 7, 5, 4, 6
    params = {
        "W1": rng.standard_normal((n_h, n_x)),
        "b1": rng.standard_normal((n_h, 1)) * 0.1,
        "W2": rng.standard_normal((K, n_h)),
        "b2": rng.standard_normal((K, 1)) * 0.1,
    }
    X = rng.standard_normal((n_x, m))
    Y = np.eye(K)[:, rng.integers(0, K, m)]
    return X, Y, params


# --8<-- [end:small_net]


# --- the documentation site (tests/test_site_*.py) ------------------------------------
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


# --8<-- [start:build_site]
def build_site(config, out, cwd=REPO):
    """Run `properdocs build --strict` (the maintained fork of MkDocs 1.x that the
    `docs` extra installs) with `config` into `out`; return the CompletedProcess."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "properdocs",
            "build",
            "--strict",
            "-f",
            str(config),
            "-d",
            str(out),
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


# --8<-- [end:build_site]


# --8<-- [start:site_build]
@pytest.fixture(scope="session")
def site_build(tmp_path_factory):
    """The site, built once per test session with --strict into a temporary folder:
    (folder, the build's CompletedProcess, whose stdout and stderr it captured)."""
    out = tmp_path_factory.mktemp("site")
    result = build_site(REPO / "mkdocs.yml", out)
    assert result.returncode == 0, (
        f"mkdocs build --strict failed:\n{result.stderr[-4000:]}"
    )
    return out, result


# --8<-- [end:site_build]


# --8<-- [start:site_dir]
@pytest.fixture(scope="session")
def site_dir(site_build):
    """The folder of the session's strict build of the site."""
    return site_build[0]


# --8<-- [end:site_dir]


# --- headless Chromium and a local server of the built site, shared by the browser test
# Debian's Chromium, or another Chromium executable named by NNSCRATCH_CHROMIUM, as in
# tools/build_pdf.py
CHROMIUM = os.environ.get("NNSCRATCH_CHROMIUM", "/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1"}


# --8<-- [start:offline_context]
def offline_context(browser, **options):
    """A browser context in which every request to a host other than 127.0.0.1 is
    aborted.

    Returns:
        (context, blocked): `blocked` lists the URL of every request stopped, in order;
        every browser test opens its pages through this one function.
    """
    from urllib.parse import urlsplit

    context = browser.new_context(**options)
    blocked = []

    def route(r):
        if urlsplit(r.request.url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context, blocked


# --8<-- [end:offline_context]


# --8<-- [start:server]
@pytest.fixture(scope="session")
def server(site_dir):
    """Base URL of the built site, served on 127.0.0.1 for the whole session."""
    import functools
    import http.server
    import threading

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site_dir))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


# --8<-- [end:server]


# --8<-- [start:browser]
@pytest.fixture(scope="session")
def browser():
    """Debian's /usr/bin/chromium (or $NNSCRATCH_CHROMIUM) driven by playwright (never
    `playwright install`)."""
    from playwright.sync_api import sync_playwright

    if not Path(
        CHROMIUM
    ).exists():  # not a skip: CI installs it, and a missing browser is a failure
        pytest.fail(
            f"{CHROMIUM} not found: apt-get install chromium (see .ci/run), or set "
            "NNSCRATCH_CHROMIUM to a Chromium executable",
            pytrace=False,
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-default-apps",
                "--disable-domain-reliability",
                "--no-proxy-server",  # 127.0.0.1 directly, whatever proxy the environment sets
            ],
        )
        yield browser
        browser.close()


# --8<-- [end:browser]


# --8<-- [start:dead_mirror]
@pytest.fixture(scope="session")
def dead_mirror():
    """A URL on a local port nobody listens on: connecting to it is refused at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# --8<-- [end:dead_mirror]


# --8<-- [start:offline_data]
@pytest.fixture(autouse=True)
def offline_data(dead_mirror, tmp_path_factory, monkeypatch):
    """No test touches the internet or the user's cache: mirrors point at a dead
    local port and the cache folder is an empty temporary folder, unless a test
    sets these variables itself."""
    monkeypatch.setenv("NNSCRATCH_MNIST_MIRRORS", dead_mirror)
    for var in ("no_proxy", "NO_PROXY"):  # local test servers never go through a proxy
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path_factory.mktemp("cache")))


# --8<-- [end:offline_data]


# --- the fast tier: `python -m pytest -m "not slow"` (README: Tests) -----------------
# A slow test carries `pytest.mark.slow(reason="...")`, on the test or as the module's
# `pytestmark`; the reason says what makes it slow. Every test that builds the site or
# starts Chromium (it asks for one of these fixtures) must carry the mark, so a new one
# cannot slow the fast tier down unnoticed.
SLOW_FIXTURES = ("site_build", "site_dir", "browser")


def slow_mark_problems(items):
    """One line per test whose slow mark has no reason, or which asks for a fixture of
    SLOW_FIXTURES without a slow mark; empty when every mark is right."""
    problems = []
    for item in items:
        marks = list(item.iter_markers("slow"))
        for mark in marks:
            reason = mark.kwargs.get("reason")
            if mark.args or not isinstance(reason, str) or not reason.strip():
                problems.append(
                    f"{item.nodeid}: a slow mark needs its reason and nothing else, "
                    f'as pytest.mark.slow(reason="builds the site"); found {mark}'
                )
        needs = [f for f in SLOW_FIXTURES if f in getattr(item, "fixturenames", ())]
        if needs and not marks:
            problems.append(
                f"{item.nodeid}: uses {', '.join(needs)} but is not marked slow; add "
                f'pytestmark = pytest.mark.slow(reason="...") to the module or '
                f'@pytest.mark.slow(reason="...") to the test'
            )
    return problems


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects anything
def pytest_collection_modifyitems(items):
    problems = slow_mark_problems(items)
    if problems:
        raise pytest.UsageError(
            "slow marks (tests/conftest.py):\n  " + "\n  ".join(problems)
        )
