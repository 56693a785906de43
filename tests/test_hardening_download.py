"""Hostile mirrors and damaged caches: a download cannot hang or fill the disk, a
gzip bomb cannot fill the memory, and a cached file changed after its check is noticed.

Every mirror here is a local server on 127.0.0.1, and every limit is passed in small,
so no test waits more than about a second for a slow mirror."""

import gzip
import struct
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler

import numpy as np
import pytest

from nnscratch import DataError, read_idx
from nnscratch.cli import main, resolve_data
from nnscratch.data import file_sha256
from test_download import (
    ARRAYS,
    DIGESTS,
    GZ,
    QuietServer,
    assert_loads_the_served_arrays,
)
from test_hardening_runs import dead_pid

NAME = "t10k-labels-idx1-ubyte"
ONE = {NAME: DIGESTS[NAME]}


class Hostile(BaseHTTPRequestHandler):
    """GET /MODE/NAME.gz: good, endless (no length, never ends), liar (announces 10 GB),
    trickle (one byte every 0.1 s), steady (1 kB every 0.02 s, without end)."""

    def do_GET(self):
        mode, _, name = self.path.strip("/").partition("/")
        self.server.requests.append(self.path)
        self.send_response(200)
        if mode == "good":
            self.send_header("Content-Length", str(len(GZ[name])))
        if mode == "liar":
            self.send_header("Content-Length", str(10 << 30))
        self.end_headers()
        try:
            if mode == "good":
                self.wfile.write(GZ[name])
            elif mode == "endless":
                while True:
                    self.wfile.write(b"\0" * 65536)
            elif mode == "trickle":
                for byte in GZ[name]:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)
            elif mode == "steady":
                for _ in range(10_000):
                    self.wfile.write(b"\0" * 1024)
                    self.wfile.flush()
                    time.sleep(0.02)
        except OSError:
            pass  # the client hung up, as it should

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hostile():
    httpd = QuietServer(("127.0.0.1", 0), Hostile)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(folder, *modes, url, **limits):
    from nnscratch.download import download_mnist

    lines = []
    fetched = download_mnist(
        folder,
        [f"{url}/{m}/" for m in modes],
        ONE,
        progress=False,
        log=lines.append,
        **limits,
    )
    return fetched, lines


@pytest.mark.parametrize(
    "mode,limits,needle",
    [
        ("endless", {"sizes": {NAME: 20_000}}, "sent more than 21224 bytes"),
        ("liar", {}, "announces 10737418240 bytes"),
        ("trickle", {"min_rate": 1000, "grace": 0.3}, "slower than 1000 bytes/s"),
        (
            "steady",
            {"deadline": 0.6, "min_rate": 100, "grace": 0.1, "sizes": {NAME: 10**7}},
            "took longer than 0.6 s",
        ),
    ],
)
def test_a_hostile_mirror_is_stopped_named_and_the_next_one_used(
    hostile, tmp_path, mode, limits, needle
):
    """Endless, lying, trickling or merely too long answers are cut off within the
    limits, the failure names the mirror and the reason, and the next mirror serves the
    file."""
    start = time.monotonic()
    fetched, lines = fetch(tmp_path, mode, "good", url=hostile, timeout=2, **limits)
    assert time.monotonic() - start < 10
    assert fetched == [NAME]
    assert len(lines) == 2 and lines[0].startswith(f"{hostile}/{mode}/{NAME}.gz: ")
    assert needle in lines[0] and "trying the next mirror" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".verified.json",
        f"{NAME}.gz",
    ]


def test_every_mirror_hostile_is_one_data_error_and_nothing_on_disk(
    hostile, tmp_path, capsys
):
    """When every mirror fails, the error lists each with its reason and leaves no
    file."""
    with pytest.raises(DataError, match="could not download") as e:
        fetch(
            tmp_path,
            "endless",
            "trickle",
            url=hostile,
            timeout=2,
            min_rate=1000,
            grace=0.3,
            sizes={NAME: 20_000},
        )
    assert (
        "endless" in str(e.value)
        and "trickle" in str(e.value)
        and "\n" not in str(e.value)
    )
    assert list(tmp_path.iterdir()) == []


def bomb(path, declared, data_bytes):
    """A small gzip holding an IDX labels header declaring `declared` items and then
    `data_bytes` zero bytes."""
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(struct.pack(">HBBI", 0, 8, 1, declared))
        for _ in range(data_bytes // (1 << 20)):
            f.write(bytes(1 << 20))
        f.write(bytes(data_bytes % (1 << 20)))
    return path


def peak_memory(call):
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_gzip_bomb_is_refused_before_allocating(tmp_path):
    """An official name whose header declares more than the official size, or any file
    that holds more than its header declares, is refused using a few MB, never the full
    size."""
    declared = bomb(tmp_path / f"{NAME}.gz", 300_000_000, 1 << 20)
    with pytest.raises(DataError, match="more than the 10008 this file can hold"):
        read_idx(declared)
    assert peak_memory(lambda: pytest.raises(DataError, read_idx, declared)) < 5_000_000
    hidden = bomb(
        tmp_path / "other-labels.gz", 10, 40 << 20
    )  # 40 MB of zeros after 10 labels
    with pytest.raises(
        DataError,
        match="header promises 18 bytes for shape \\(10,\\), " "file has more",
    ):
        read_idx(hidden)
    assert peak_memory(lambda: pytest.raises(DataError, read_idx, hidden)) < 5_000_000


def test_the_sha256_of_a_large_file_is_streamed(tmp_path):
    """`data verify` hashes a file that expands to 40 MB with a few MB of memory."""
    path = bomb(tmp_path / "big.gz", 10, 40 << 20)
    assert peak_memory(lambda: file_sha256(path)) < 5_000_000


def test_parts_left_by_a_killed_download_are_removed(hostile, tmp_path):
    """A `.NAME.gz.PID.part` of a dead process is removed by the next download."""
    part = tmp_path / f".{NAME}.gz.{dead_pid()}.part"
    part.write_bytes(b"cut short")
    assert fetch(tmp_path, "good", url=hostile)[0] == [NAME]
    assert not part.exists()


def test_a_cached_file_changed_after_its_check_is_fetched_again(
    hostile, tmp_path, monkeypatch, capsys
):
    """An unchanged cache is not hashed again; a file replaced after its check (other
    size or modification time) is hashed, found wrong, and fetched again before
    training."""
    import test_download as td

    httpd = td.QuietServer(("127.0.0.1", 0), td.Handler)
    httpd.requests = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path))
        monkeypatch.setenv(
            "NNSCRATCH_MNIST_MIRRORS",
            f"http://127.0.0.1:{httpd.server_address[1]}/good/",
        )
        resolve_data(None, progress=False, files=DIGESTS)
        assert len(httpd.requests) == 4
        hashed = []
        real = file_sha256
        monkeypatch.setattr(
            "nnscratch.download.file_sha256", lambda p: hashed.append(p.name) or real(p)
        )
        resolve_data(None, progress=False, files=DIGESTS)
        assert (
            hashed == [] and len(httpd.requests) == 4
        )  # trusted: unchanged since checked
        altered = tmp_path / "train-labels-idx1-ubyte.gz"
        altered.write_bytes(
            gzip.compress(td.idx_bytes(ARRAYS["train-labels-idx1-ubyte"][::-1]))
        )
        d = resolve_data(None, progress=False, files=DIGESTS)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert hashed == ["train-labels-idx1-ubyte.gz"]
    assert httpd.requests[4:] == ["/good/train-labels-idx1-ubyte.gz"]
    assert "SHA-256 does not match; fetching it again" in capsys.readouterr().err
    assert np.array_equal(d.y_train, ARRAYS["train-labels-idx1-ubyte"])
    assert_loads_the_served_arrays(tmp_path)


def test_data_export_hdf5_on_a_full_disk_is_one_line(tmp_path):
    """Under a file-size limit, `data export-hdf5` exits 2 with one line naming the file
    (before: a segmentation fault inside h5py), and leaves nothing behind."""
    import resource
    import subprocess
    import sys

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    out = tmp_path / "mnist.hdf5"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnscratch",
            "data",
            "export-hdf5",
            str(out),
            "--data",
            "sample",
        ],
        preexec_fn=limit,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"cannot write {out} (File too large)" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("split", ["train", "test"])
def test_an_empty_split_is_refused_by_name(split, tmp_path, capsys):
    """An HDF5 or IDX source with 0 images in a split is refused naming the file and
    split; export-hdf5 never writes one."""
    import h5py

    from nnscratch import load_sample
    from nnscratch.data import export_hdf5

    d = load_sample()
    path = tmp_path / "empty.hdf5"
    with h5py.File(path, "w") as f:
        for s, X, y in (("train", d.X_train, d.y_train), ("test", d.X_test, d.y_test)):
            keep = 0 if s == split else len(y)
            f[f"x_{s}"], f[f"y_{s}"] = X.T[:keep], y[:keep].reshape(-1, 1)
    assert (
        main(["evaluate", "x.npz", "--data", str(path)]) == 2
    )  # the model is read first
    assert (
        main(["data", "export-hdf5", str(tmp_path / "o.hdf5"), "--data", str(path)])
        == 2
    )
    err = capsys.readouterr().err.splitlines()[-1]
    assert f"{path}: x_{split} holds 0 images" in err
    setattr(d, f"X_{split}", d.X_train[:, :0])
    setattr(d, f"y_{split}", d.y_train[:0])
    with pytest.raises(DataError, match=f"empty x_{split}"):
        export_hdf5(d, tmp_path / "o.hdf5")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.hdf5"]
