"""Download size and time to the first prediction of the draw page: its model against candidates.

Commands (from the repository root, with the venv active):

    properdocs build --strict -d /tmp/site_draw          # once: the built site
    nnscratch export RUN/model.npz /tmp/record_model.json   # RUN: an 800-unit run's folder
    python bench/bench_draw_model.py /tmp/record_model.json [MORE.json ...] \\
        [--site /tmp/site_draw] [--loads 7] [--gzip]

Each CANDIDATE is a model file written by `nnscratch export` (a model.npz from
`nnscratch train` is exported into a temporary folder first). The page's
current model is the built site's own assets/draw/model.json. For each
candidate the site is copied to a folder under /tmp with assets/draw/model.json
replaced; nothing else is built or written, and the copies are removed at the end.
Each site is served on 127.0.0.1 by `python -m http.server` (or, with --gzip, by
this script's own server, which gzips HTML, JS, CSS and JSON as static hosts do).

Time to the first prediction: the page shows no prediction by itself. Once the
model and the test digits are loaded and parsed, draw.js marks its widget
`data-ready` and enables "Load a test digit"; a click on it runs the forward pass
and fills the bars (state.probabilities). An init script clicks that button the
moment `data-ready` appears (a MutationObserver, no sleep), checks the page's
own state holds the ten probabilities, and takes the time of the next animation
frame, on the page's clock, whose 0 is the navigation start. So the figure is the
earliest a reader can see a prediction: every byte the page needs (MathJax's
1.3 MB script loads before draw.js), fetching and parsing the model, one forward
pass and the paint.

Every load is a fresh browser context with the HTTP cache disabled, in Debian's
headless /usr/bin/chromium driven by playwright (never `playwright install`).
Loads run one after another, the models interleaved, `--loads` of each per
network profile: throttled through CDP `Network.emulateNetworkConditions`
(default 1.6 Mbit/s down, 0.75 Mbit/s up, 150 ms latency: "Fast 3G"-like) and
unthrottled (loopback). The first table gives medians and their ratio to the
current model; the second, medians of where the time goes.
"""

import argparse
import gzip
import http.server
import json
import mimetypes
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("NNSCRATCH_CHROMIUM", "/usr/bin/chromium")
MODEL = Path("assets/draw/model.json")
GZIP_LEVEL = 6  # nginx's and most hosts' choice is 1 to 6; base64 weights barely differ
COMPRESSED = {".html", ".js", ".css", ".json", ".svg", ".txt", ".xml"}

# Runs in the page before any of its scripts. Times are performance.now(): 0 = navigation start.
INIT_SCRIPT = r"""
(() => {
  const bench = window.__bench = {};
  function first() {
    const root = document.querySelector('[data-nnscratch-draw][data-ready]');
    if (!root) return false;
    bench.ready = performance.now();
    root.querySelector('button[data-action="digit"]').click();  // the reader's first click
    const state = root.nnscratchState;
    if (!state || !state.probabilities || state.probabilities.length !== 10) {
      bench.error = 'no prediction after clicking "Load a test digit": ' + root.textContent.slice(0, 200);
      return true;
    }
    bench.predicted = performance.now();
    bench.hidden = state.hidden.length;
    bench.status = root.querySelector('.nns-draw__status').textContent;
    requestAnimationFrame(() => { bench.shown = performance.now(); });
    return true;
  }
  const observer = new MutationObserver(() => { if (first()) observer.disconnect(); });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
})();
"""

COLLECT = r"""
() => {
  const resources = performance.getEntriesByType('resource');
  const nav = performance.getEntriesByType('navigation')[0];
  const model = resources.find(e => new URL(e.name).pathname.endsWith('/assets/draw/model.json'));
  const bytes = resources.reduce((s, e) => s + e.transferSize, nav ? nav.transferSize : 0);
  return Object.assign({}, window.__bench, {
    model_start: model ? model.startTime : null,
    model_end: model ? model.responseEnd : null,
    model_transfer: model ? model.transferSize : null,
    page_bytes: bytes,
    requests: resources.length + 1,
    largest: resources.map(e => [new URL(e.name).pathname, e.transferSize])
      .sort((a, b) => b[1] - a[1]).slice(0, 6),
  });
}
"""


# ------------------------------------------------------------------ models


def describe(path):
    """(label, units, activation, architecture) of a model file written by `nnscratch export`."""
    doc = json.loads(Path(path).read_text())
    if doc.get("format") != "nnscratch-web-model":
        sys.exit(f"{path}: not a file written by 'nnscratch export'")
    w1, w2 = doc["shapes"]["W1"], doc["shapes"]["W2"]
    return {
        "units": w1[0],
        "activation": doc["activation"],
        "dtype": doc["dtype"],
        "shape": f"{w1[1]}-{w1[0]}-{w2[0]}",
    }


def as_web_model(path, tmp):
    """The exported JSON for `path`: itself, or a model.npz exported into `tmp`."""
    path = Path(path)
    if path.suffix != ".npz":
        return path
    from nnscratch.export import export_model

    out = Path(tmp) / f"{path.parent.name}-{path.stem}.json"
    export_model(path, out)
    return out


# ----------------------------------------------------------------- serving


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text types gzipped (Content-Encoding) when the browser accepts it."""

    cache = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and urlsplit(self.path).path.endswith("/"):
            path = path / "index.html"
        if (
            path.suffix not in COMPRESSED
            or not path.is_file()
            or "gzip" not in self.headers.get("Accept-Encoding", "")
        ):
            return super().do_GET()  # also redirects a folder without its final slash
        if path not in self.cache:
            self.cache[path] = gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0)
        body = self.cache[path]
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_gzip(directory, port):
    handler = lambda *a, **k: GzipHandler(*a, directory=directory, **k)  # noqa: E731
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(directory, compress):
    port = free_port()
    if compress:
        argv = [sys.executable, __file__, "--serve-gzip", str(directory), str(port)]
    else:
        argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 20
    while True:  # wait until it answers
        try:
            opener.open(url + "draw/", timeout=2).read()
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                sys.exit(f"the server for {directory} did not start")
            time.sleep(0.1)


# ------------------------------------------------------------- measuring


def load_once(browser, url, throttle, timeout_s):
    """One fresh load of the draw page; the page's own timings (ms) and bytes."""
    context = browser.new_context(viewport={"width": 412, "height": 915})
    problems = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on(
            "request",
            lambda r: urlsplit(r.url).hostname not in (None, "127.0.0.1")
            and urlsplit(r.url).scheme in ("http", "https")
            and problems.append("external request " + r.url),
        )
        page.add_init_script(INIT_SCRIPT)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if throttle:
            cdp.send("Network.emulateNetworkConditions", throttle)
        page.goto(url + "draw/", wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function(
            "() => window.__bench && (window.__bench.shown !== undefined || window.__bench.error)",
            timeout=timeout_s * 1000,
            polling="raf",
        )
        result = page.evaluate(COLLECT)
    finally:
        context.close()
    if result.get("error"):
        sys.exit(f"{url}: {result['error']}")
    result["problems"] = problems
    return result


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-gzip":
        return serve_gzip(sys.argv[2], int(sys.argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("candidates", nargs="+", help="model files from 'nnscratch export' (or model.npz)")
    parser.add_argument("--site", default="/tmp/site_draw", help="built site (properdocs build -d ...)")
    parser.add_argument("--loads", type=int, default=7, help="loads per model and profile (default 7)")
    parser.add_argument("--down-mbit", type=float, default=1.6)
    parser.add_argument("--up-mbit", type=float, default=0.75)
    parser.add_argument("--latency-ms", type=float, default=150)
    parser.add_argument("--gzip", action="store_true", help="serve text files gzipped, as static hosts do")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed for one load")
    args = parser.parse_args()

    site = Path(args.site)
    if not (site / MODEL).is_file() or not (site / "draw" / "index.html").is_file():
        sys.exit(f"{site}: no built draw page; build it first: properdocs build --strict -d {site}")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} not found: apt-get install chromium, or set NNSCRATCH_CHROMIUM")

    from playwright.sync_api import sync_playwright

    throttle = {
        "offline": False,
        "latency": args.latency_ms,
        "downloadThroughput": args.down_mbit * 1e6 / 8,
        "uploadThroughput": args.up_mbit * 1e6 / 8,
        "connectionType": "cellular3g",
    }
    profiles = {"throttled": throttle, "unthrottled": None}

    tmp = Path(tempfile.mkdtemp(prefix="bench_draw_model_", dir="/tmp"))
    servers = []
    try:
        entries = [dict(describe(site / MODEL), name="current (page's model.json)", file=site / MODEL, site=site)]
        for i, candidate in enumerate(args.candidates):
            path = as_web_model(candidate, tmp)
            copy = tmp / f"site{i}"
            shutil.copytree(site, copy)
            shutil.copyfile(path, copy / MODEL)
            entries.append(dict(describe(path), name=Path(candidate).name, file=path, site=copy))
        for e in entries:
            raw = Path(e["file"]).read_bytes()
            e["bytes"], e["gzip"] = len(raw), len(gzip.compress(raw, GZIP_LEVEL, mtime=0))
            proc, e["url"] = start_server(e["site"], args.gzip)
            servers.append(proc)
            e["runs"] = {p: [] for p in profiles}

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                      "--disable-background-networking", "--disable-component-update", "--no-first-run",
                      "--disable-default-apps", "--no-proxy-server"],
            )
            try:
                for _ in range(args.loads):  # interleaved: background load hits every model alike
                    for profile, conditions in profiles.items():
                        for e in entries:
                            r = load_once(browser, e["url"], conditions, args.timeout)
                            e["runs"][profile].append(r)
                            print(f"  {profile:11s} {e['name']:30s} first prediction {r['shown']:8.0f} ms",
                                  file=sys.stderr, flush=True)
            finally:
                browser.close()
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    base = {p: median([r["shown"] for r in entries[0]["runs"][p]]) for p in profiles}
    print(
        f"Draw page, time to the first prediction: median of {args.loads} loads each, headless Chromium; "
        f"throttled = {args.down_mbit:g} Mbit/s down, {args.up_mbit:g} Mbit/s up, {args.latency_ms:g} ms latency "
        f"(CDP Network.emulateNetworkConditions); served {'gzipped' if args.gzip else 'uncompressed (python -m http.server)'}; "
        f"gzip bytes at level {GZIP_LEVEL}.\n"
    )
    print("| model | units | activation | bytes | gzip bytes | first prediction, throttled | ratio | "
          "first prediction, unthrottled | ratio |")
    print("|---|--:|---|--:|--:|--:|--:|--:|--:|")
    for e in entries:
        t = {p: median([r["shown"] for r in e["runs"][p]]) for p in profiles}
        print(
            f"| {e['name']} ({e['shape']}, {e['dtype']}) | {e['units']} | {e['activation']} | {e['bytes']:,} "
            f"| {e['gzip']:,} | {t['throttled'] / 1000:.2f} s | {t['throttled'] / base['throttled']:.2f} "
            f"| {t['unthrottled']:.0f} ms | {t['unthrottled'] / base['unthrottled']:.2f} |"
        )
    print("\nWhere the time goes (medians; ms from navigation start; page bytes = all the page's "
          "transfers):\n")
    print("| model | profile | page bytes | model.json requested | model.json received | widget ready (parsed) | "
          "parse after receipt | click to shown | first prediction | range |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for e in entries:
        for profile in profiles:
            runs = e["runs"][profile]
            shown = [r["shown"] for r in runs]
            print(
                f"| {e['name']} | {profile} | {median([r['page_bytes'] for r in runs]):,.0f} "
                f"| {median([r['model_start'] for r in runs]):.0f} | {median([r['model_end'] for r in runs]):.0f} | {median([r['ready'] for r in runs]):.0f} "
                f"| {median([r['ready'] - r['model_end'] for r in runs]):.0f} "
                f"| {median([r['shown'] - r['ready'] for r in runs]):.1f} | {median(shown):.0f} "
                f"| {min(shown):.0f}–{max(shown):.0f} |"
            )
    problems = sorted({p for e in entries for runs in e["runs"].values() for r in runs for p in r["problems"]})
    hidden = {e["name"]: sorted({r["hidden"] for runs in e["runs"].values() for r in runs}) for e in entries}
    largest = entries[0]["runs"]["unthrottled"][0]["largest"]
    print("\nLargest transfers of the page (current model): "
          + ", ".join(f"{path} {size:,}" for path, size in largest))
    print(f"Hidden activations the page computed per model: {hidden}")
    print("Console errors or external requests: " + ("; ".join(problems) if problems else "none"))


if __name__ == "__main__":
    main()
