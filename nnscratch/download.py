"""Fetch the four MNIST files from public mirrors into a local cache, verified.

A file reaches its final name in the cache only after the SHA-256 of its
decompressed bytes matched the published digest (`nnscratch.data.FILES`):
it is streamed into a hidden temporary file in the same folder, checked,
then renamed into place. A dropped connection, a wrong file or a full disk
therefore never leaves anything under a final name.

Every failure is raised as `nnscratch.data.DataError` (a `ValueError`),
including a cache folder that cannot be written and mirrors that cannot be
reached, so callers catch one type; the message names the folder or URL,
the reason and the fix, and the underlying `OSError` is kept as `__cause__`.
"""

import gzip
import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
import zlib
from pathlib import Path

from .data import FILES, DataError, check_writable, file_sha256, find_idx

DATA_ENV = "NNSCRATCH_DATA"
MIRRORS_ENV = "NNSCRATCH_MNIST_MIRRORS"  # space-separated URLs, tried in order
# The mirrors that torchvision and TensorFlow Datasets download MNIST from.
DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
CHUNK = 1 << 16
TIMEOUT = 30  # seconds without a byte before a mirror counts as down


def default_data_dir():
    """Cache folder: $NNSCRATCH_DATA, else $XDG_CACHE_HOME or ~/.cache, then nnscratch/mnist."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnscratch" / "mnist"


def default_mirrors():
    """Mirror URLs from $NNSCRATCH_MNIST_MIRRORS (space-separated), else `DEFAULT_MIRRORS`."""
    return tuple(os.environ.get(MIRRORS_ENV, "").split()) or DEFAULT_MIRRORS


def missing_files(folder, files=FILES):
    """Names in `files` that have neither `name.gz` nor `name` in `folder`."""
    missing = []
    for name in files:
        try:
            find_idx(folder, name)
        except DataError:
            missing.append(name)
    return missing


def download_mnist(folder=None, mirrors=None, files=FILES, timeout=TIMEOUT, progress=True, log=None):
    """Make `folder` hold every file of `files`, verified; return the names it fetched.

    Args:
        folder: cache folder (default `default_data_dir()`), created if needed.
        mirrors: base URLs tried in order (default `default_mirrors()`);
            file `name` is fetched from `mirror + name + ".gz"`.
        files: name -> SHA-256 of the decompressed bytes (default the official four).
        timeout: seconds a mirror may stay silent before it counts as down.
        progress: show a tqdm bar per file on stderr.
        log: function called with one line per event (default: silent).

    A file already in the cache is kept if its digest matches and fetched
    again otherwise.

    Raises:
        DataError: the folder cannot be written, or no mirror served a good copy.
    """
    folder = Path(default_data_dir() if folder is None else folder)
    mirrors = [m if m.endswith("/") else m + "/" for m in (mirrors or default_mirrors())]
    log = log or (lambda line: None)
    todo = {name: digest for name, digest in files.items()
            if not _cached_and_good(folder, name, digest, log)}
    if todo:  # a complete cache may sit in a read-only folder
        check_writable(folder, create=True, fix=(
            f"choose another cache folder with --dir or ${DATA_ENV}, or use --data sample"))
    for name, digest in todo.items():
        fetch_file(name, digest, folder, mirrors, timeout, progress, log)
    return list(todo)


def _cached_and_good(folder, name, digest, log):
    try:
        path = find_idx(folder, name)
    except DataError:
        return False
    try:
        if file_sha256(path) == digest:
            return True
        log(f"{path}: SHA-256 does not match; fetching it again")
    except DataError as e:  # a truncated or corrupt gzip
        log(f"{e}; fetching it again")
    return False


def fetch_file(name, digest, folder, mirrors, timeout=TIMEOUT, progress=True, log=None):
    """Download `name.gz` from the first mirror that serves a copy with the right digest.

    Returns the final path. Raises DataError listing every mirror's failure.
    """
    log = log or (lambda line: None)
    final = Path(folder) / (name + ".gz")
    tmp = final.with_name(f".{final.name}.{os.getpid()}.part")
    failures = []
    try:
        for mirror in mirrors:
            url = mirror + name + ".gz"
            try:
                _stream(url, tmp, timeout, progress)
                found = _gunzip_sha256(tmp)
            # URLError, HTTPError, timeouts and dropped connections are OSErrors, a
            # garbled response an HTTPException, a malformed URL a ValueError
            except (OSError, EOFError, zlib.error, http.client.HTTPException, ValueError) as e:
                failures.append(f"{url}: {_reason(e)}")
                continue
            if found != digest:
                failures.append(f"{url}: SHA-256 {found[:12]}... is not the expected {digest[:12]}...")
                continue
            os.replace(tmp, final)
            log(f"{final}: downloaded from {url}, SHA-256 verified")
            return final
    finally:
        tmp.unlink(missing_ok=True)
    raise DataError(f"could not download {name}.gz: " + "; ".join(failures))


def _stream(url, tmp, timeout, progress):
    from tqdm import tqdm

    request = urllib.request.Request(url, headers={"User-Agent": "nnscratch"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(tmp, "wb") as out:
        size = response.headers.get("Content-Length")
        size = int(size) if size and size.isdigit() else None
        received = 0
        with tqdm(total=size, unit="B", unit_scale=True, file=sys.stderr,
                  desc=url.rsplit("/", 1)[-1], disable=not progress, leave=False) as bar:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if size is not None and received != size:  # urllib returns short data silently
        raise ConnectionError(f"connection dropped after {received} of {size} bytes")


def _gunzip_sha256(path):
    digest = hashlib.sha256()
    with gzip.open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _reason(e):
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    return str(e) or type(e).__name__
