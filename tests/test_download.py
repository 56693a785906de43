"""The real download code against a local HTTP server; nothing reaches the internet."""

import gzip
import hashlib
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from nnscratch import DataError, load_data
from nnscratch.cli import main, resolve_data
from nnscratch.download import (
    DEFAULT_MIRRORS,
    default_data_dir,
    default_mirrors,
    download_mnist,
)


def idx_bytes(array):
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 8, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + array.tobytes()


RNG = np.random.default_rng(7)
ARRAYS = {
    "train-images-idx3-ubyte": RNG.integers(0, 256, (12, 28, 28)),
    "train-labels-idx1-ubyte": RNG.integers(0, 10, 12),
    "t10k-images-idx3-ubyte": RNG.integers(0, 256, (5, 28, 28)),
    "t10k-labels-idx1-ubyte": RNG.integers(0, 10, 5),
}
RAW = {name: idx_bytes(a) for name, a in ARRAYS.items()}
# the digest table handed to download(): SHA-256 of the decompressed bytes
DIGESTS = {name: hashlib.sha256(raw).hexdigest() for name, raw in RAW.items()}
GZ = {name + ".gz": gzip.compress(raw, mtime=0) for name, raw in RAW.items()}


class Handler(BaseHTTPRequestHandler):
    """GET /MODE/NAME.gz where MODE is good, wrong, forbidden, missing, flaky or
    stall."""

    def do_GET(self):
        mode, _, name = self.path.strip("/").partition("/")
        self.server.requests.append(self.path)
        body = GZ.get(name)
        if mode == "forbidden":
            return self.send_error(403)
        if body is None or mode == "missing":
            return self.send_error(404)
        if mode == "wrong":
            body = gzip.compress(b"\0" * len(RAW[name[:-3]]))
        if mode == "stall":
            time.sleep(1.5)
        # flaky: the first request of the first file is cut in half, later ones succeed
        first = self.path not in self.server.requests[:-1] and name.startswith(
            "train-images"
        )
        cut = len(body) // 2 if mode == "flaky" and first else len(body)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:cut])  # then the server closes the connection

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up is expected here


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    httpd.shutdown()
    httpd.server_close()


def get(folder, *mirrors, **kw):
    return download_mnist(
        folder, mirrors=list(mirrors), files=DIGESTS, progress=False, **kw
    )


def assert_loads_the_served_arrays(folder):
    d = load_data(folder)
    assert np.array_equal(d.y_train, ARRAYS["train-labels-idx1-ubyte"])
    assert np.array_equal(
        d.X_test[:, 4] * 255, ARRAYS["t10k-images-idx3-ubyte"][4].ravel()
    )


def test_download_fills_the_cache_and_a_second_run_fetches_nothing(server, tmp_path):
    url, httpd = server
    folder = tmp_path / "new" / "cache"
    assert get(folder, f"{url}/good") == list(DIGESTS)  # no trailing slash needed
    assert sorted(p.name for p in folder.iterdir()) == sorted([*GZ, ".verified.json"])
    assert_loads_the_served_arrays(folder)
    before = len(httpd.requests)
    assert get(folder, f"{url}/good/") == []
    assert len(httpd.requests) == before


def test_first_mirror_down_second_good(server, tmp_path, dead_mirror):
    url, _ = server
    assert get(tmp_path, dead_mirror, f"{url}/good/") == list(DIGESTS)
    assert_loads_the_served_arrays(tmp_path)


def test_wrong_bytes_on_every_mirror_leave_nothing(server, tmp_path):
    url, _ = server
    with pytest.raises(
        DataError,
        match=r"wrong/train-images-idx3-ubyte.gz: SHA-256 .* is not the expected",
    ) as e:
        get(tmp_path, f"{url}/wrong/", f"{url}/wrong/")
    assert e.value.args[0].count("is not the expected") == 2  # both mirrors were tried
    assert list(tmp_path.iterdir()) == []


def test_dropped_connection_leaves_nothing_and_the_next_run_recovers(server, tmp_path):
    url, _ = server
    with pytest.raises(DataError, match="connection dropped after"):
        get(tmp_path, f"{url}/flaky/")
    assert list(tmp_path.iterdir()) == []  # no final name, no temporary file
    assert get(tmp_path, f"{url}/flaky/") == list(DIGESTS)
    assert_loads_the_served_arrays(tmp_path)


@pytest.mark.parametrize(
    "mode,needle", [("forbidden", "HTTP 403"), ("missing", "HTTP 404")]
)
def test_http_errors_are_named_per_mirror(server, tmp_path, mode, needle):
    url, _ = server
    with pytest.raises(DataError, match=f"{mode}/train-images-idx3-ubyte.gz: {needle}"):
        get(tmp_path, f"{url}/{mode}/")
    assert list(tmp_path.iterdir()) == []
    assert get(tmp_path, f"{url}/{mode}/", f"{url}/good/") == list(DIGESTS)


def test_a_silent_mirror_times_out_and_the_next_is_tried(server, tmp_path):
    url, _ = server
    files = {"t10k-labels-idx1-ubyte": DIGESTS["t10k-labels-idx1-ubyte"]}
    fetched = download_mnist(
        tmp_path, [f"{url}/stall/", f"{url}/good/"], files, timeout=0.3, progress=False
    )
    assert fetched == list(files)


def test_a_wrong_or_truncated_cached_file_is_fetched_again(server, tmp_path):
    url, _ = server
    get(tmp_path, f"{url}/good/")
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"junk"))
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(
        GZ["t10k-images-idx3-ubyte.gz"][:-9]
    )
    lines = []
    assert get(tmp_path, f"{url}/good/", log=lines.append) == [
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
    ]
    assert (
        "does not match" in lines[0] and "truncated gzip" in lines[1]
    )  # checks come first
    assert_loads_the_served_arrays(tmp_path)


def test_cache_folder_and_mirrors_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path))
    monkeypatch.setenv("NNSCRATCH_MNIST_MIRRORS", " http://a/x/  http://b/ ")
    assert default_data_dir() == tmp_path
    assert default_mirrors() == ("http://a/x/", "http://b/")
    monkeypatch.delenv("NNSCRATCH_DATA")
    monkeypatch.delenv("NNSCRATCH_MNIST_MIRRORS")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "nnscratch" / "mnist"
    assert default_mirrors() == DEFAULT_MIRRORS and len(DEFAULT_MIRRORS) >= 2


def test_cli_download_failure_is_one_line(server, tmp_path, capsys):
    url, _ = server
    assert (
        main(
            [
                "data",
                "download",
                "--dir",
                str(tmp_path),
                "--mirror",
                f"{url}/missing/",
                "--quiet",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert (
        "HTTP 404" in err
        and len(err.strip().splitlines()) == 1
        and "Traceback" not in err
    )
    assert list(tmp_path.iterdir()) == []


def test_without_data_the_cache_is_used_and_only_missing_files_are_fetched(
    server, tmp_path, monkeypatch, capsys
):
    url, httpd = server
    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path))
    monkeypatch.setenv("NNSCRATCH_MNIST_MIRRORS", f"{url}/good/")
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        (tmp_path / name).write_bytes(GZ[name])
    before = len(httpd.requests)
    d = resolve_data(None, progress=False, files=DIGESTS)
    assert sorted(httpd.requests[before:]) == [
        "/good/t10k-images-idx3-ubyte.gz",
        "/good/t10k-labels-idx1-ubyte.gz",
    ]
    assert np.array_equal(d.y_test, ARRAYS["t10k-labels-idx1-ubyte"])
    assert "downloaded from" in capsys.readouterr().err
    resolve_data(None, progress=False, files=DIGESTS)
    assert len(httpd.requests) == before + 2  # complete cache: nothing fetched
