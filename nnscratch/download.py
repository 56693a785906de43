"""Fetch the four MNIST files from public mirrors into a local cache, verified.

A file reaches its final name in the cache only after the SHA-256 of its
decompressed bytes matched the published digest (`nnscratch.data.FILES`):
it is streamed into a hidden temporary file in the same folder, checked,
then renamed into place. A dropped connection, a wrong file or a full disk
therefore never leaves anything under a final name.

No mirror can hang a download or fill the disk: each file is capped at the
largest size it can have (the official files' sizes are known), a mirror
that stays silent for `timeout` seconds, sends slower than `min_rate` bytes a
second on average after the first `grace` seconds, or takes longer than
`deadline` seconds in all, counts as failed, and the next mirror is tried.
Temporaries left by a killed download (`.NAME.gz.PID.part`) are removed by
the next one.

A cached file is trusted without reading it again only while its size and
modification time are those recorded when it was last verified (in the
hidden `.verified.json` of the cache folder); any change, or no record,
means its SHA-256 is computed again, and a wrong file is fetched again.

Every failure is raised as `nnscratch.data.DataError` (a `ValueError`),
including a cache folder that cannot be written and mirrors that cannot be
reached, so callers catch one type; the message names the folder or URL,
the reason and the fix, and the underlying `OSError` is kept as `__cause__`.
"""

from collections.abc import Callable
import gzip
import hashlib
import http.client
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

from .data import (
    FILES,
    RAW_SIZES,
    DataError,
    check_writable,
    file_sha256,
    find_idx,
    regular_file,
)
from .fileio import (
    NotRegularFile,
    atomic_write_text,
    check_regular,
    open_regular,
    remove_stale,
)

DATA_ENV = "NNSCRATCH_DATA"
MIRRORS_ENV = "NNSCRATCH_MNIST_MIRRORS"  # space-separated URLs, tried in order
# The mirrors that torchvision and TensorFlow Datasets download MNIST from.
DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
CHUNK = 1 << 16
TIMEOUT = 30  # seconds without a byte before a mirror counts as down
DEADLINE = 600  # seconds one file may take from one mirror, in all
MIN_RATE = 20_000  # bytes a second, on average, below which a mirror counts as too slow
GRACE = 15  # seconds before the average rate is judged
UNKNOWN_SIZE = 64 << 20  # the cap of a file whose size is not in RAW_SIZES
RECORD = ".verified.json"  # name -> size, mtime_ns and SHA-256 when last verified


def default_data_dir():
    """Cache folder: $NNSCRATCH_DATA, else $XDG_CACHE_HOME/nnscratch/mnist.

    Without $XDG_CACHE_HOME, ~/.cache stands for it. A leading `~` in either
    variable is the home folder, as the shell would expand it.
    """
    if os.environ.get(DATA_ENV):
        return Path(os.path.expanduser(os.environ[DATA_ENV]))
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(os.path.expanduser(base)) / "nnscratch" / "mnist"


def default_mirrors():
    """Mirror URLs from $NNSCRATCH_MNIST_MIRRORS (space-separated), else the default."""
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


def download_mnist(
    folder: str | os.PathLike | None = None,
    mirrors: list[str] | None = None,
    files: dict[str, str] = FILES,
    timeout: float = TIMEOUT,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    deadline: float = DEADLINE,
    min_rate: float = MIN_RATE,
    grace: float = GRACE,
    sizes: dict[str, int] = RAW_SIZES,
) -> list[str]:
    """Make `folder` hold every file of `files`, verified; return the names it fetched.

    Args:
        folder: cache folder (default `default_data_dir()`), created if needed.
        mirrors: base URLs tried in order (default `default_mirrors()`);
            file `name` is fetched from `mirror + name + ".gz"`.
        files: name -> SHA-256 of the decompressed bytes (default the official four).
        timeout: seconds a mirror may stay silent before it counts as down.
        progress: show a tqdm bar per file on stderr.
        log: function called with one line per event (default: silent).
        deadline: seconds one file may take from one mirror.
        min_rate: bytes per second a mirror must average after `grace` seconds.
        grace: seconds before the average rate is judged.
        sizes: name -> the most bytes the decompressed file may hold (default
            the official sizes; a name not listed is capped at 64 MiB).

    A file already in the cache is kept if its digest matches (computed again
    only when its size or modification time changed since it was verified)
    and fetched again otherwise.

    Raises:
        DataError: the folder cannot be written, or no mirror served a good copy.
    """
    folder = Path(default_data_dir() if folder is None else folder)
    mirrors = [
        m if m.endswith("/") else m + "/" for m in (mirrors or default_mirrors())
    ]
    log = log or (lambda line: None)
    for name in files:  # a FIFO or device in the cache is the user's: never replaced
        for candidate in (folder / (name + ".gz"), folder / name):
            regular_file(candidate)
    record = _read_record(folder)
    todo = {
        name: digest
        for name, digest in files.items()
        if not _cached_and_good(folder, name, digest, log, record)
    }
    if todo:  # a complete cache may sit in a read-only folder
        check_writable(
            folder,
            create=True,
            fix=(
                f"choose another cache folder with --dir or ${DATA_ENV}, "
                "or use --data sample"
            ),
        )
    limits = {
        "timeout": timeout,
        "deadline": deadline,
        "min_rate": min_rate,
        "grace": grace,
    }
    try:
        for name, digest in todo.items():
            path = fetch_file(
                name,
                digest,
                folder,
                mirrors,
                progress=progress,
                log=log,
                max_size=sizes.get(name, UNKNOWN_SIZE),
                **limits,
            )
            _remember(record, name, path, digest)
    finally:
        _write_record(folder, record)
    return list(todo)


def _read_record(folder):
    """The cache's record; a missing or damaged one is empty (files verified again)."""
    path = Path(folder) / RECORD
    try:
        with open_regular(path) as f:
            record = json.loads(f.read(1 << 20).decode("utf-8"))
    except NotRegularFile as e:
        raise DataError(
            f"{e.strerror}; remove it (nnscratch writes it again)"
        ) from None
    except (OSError, ValueError, RecursionError):
        return {}
    return record if isinstance(record, dict) else {}


def _write_record(folder, record):
    if record != _read_record(folder):
        try:
            atomic_write_text(
                Path(folder) / RECORD, json.dumps(record, indent=1) + "\n"
            )
        except OSError:
            pass  # a read-only cache: files are verified again next time, nothing worse


def _stamp(path):
    st = path.stat()
    return {"file": path.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _remember(record, name, path, digest):
    record[name] = {**_stamp(path), "sha256": digest}


def _cached_and_good(folder, name, digest, log, record):
    try:
        path = find_idx(folder, name)
    except DataError:
        return False
    if record.get(name) == {**_stamp(path), "sha256": digest}:
        return True  # unchanged since it was verified
    try:
        if file_sha256(path) == digest:
            _remember(record, name, path, digest)
            return True
        log(f"{path}: SHA-256 does not match; fetching it again")
    except DataError as e:  # a truncated or corrupt gzip
        log(f"{e}; fetching it again")
    record.pop(name, None)
    return False


def fetch_file(
    name,
    digest,
    folder,
    mirrors,
    timeout=TIMEOUT,
    progress=True,
    log=None,
    deadline=DEADLINE,
    min_rate=MIN_RATE,
    grace=GRACE,
    max_size=UNKNOWN_SIZE,
):
    """Download `name.gz` from the first mirror serving a copy with the right digest.

    At most `max_size` decompressed bytes (and a gzip of at most about that)
    are accepted; see `download_mnist` for the other limits.
    Returns the final path. Raises DataError listing every mirror's failure.
    """
    log = log or (lambda line: None)
    final = Path(folder) / (name + ".gz")
    tmp = final.with_name(f".{final.name}.{os.getpid()}.part")
    remove_stale(final.parent, final.name)  # parts of killed downloads
    limits = {
        "timeout": timeout,
        "deadline": deadline,
        "min_rate": min_rate,
        "grace": grace,
        "max_bytes": max_size + max_size // 100 + 1024,
    }  # gzip never grows data more
    failures = []
    try:
        for mirror in mirrors:
            url = mirror + name + ".gz"
            try:
                _stream(url, tmp, progress=progress, **limits)
                found = _gunzip_sha256(tmp, max_size)
            # URLError, HTTPError, timeouts and dropped connections are OSErrors, a
            # garbled response an HTTPException, a malformed URL a ValueError
            except (
                OSError,
                EOFError,
                zlib.error,
                http.client.HTTPException,
                ValueError,
            ) as e:
                failures.append(f"{url}: {_reason(e)}")
                if mirror != mirrors[-1]:
                    log(f"{url}: {_reason(e)}; trying the next mirror")
                continue
            if found != digest:
                failures.append(
                    f"{url}: SHA-256 {found[:12]}... is not the expected "
                    f"{digest[:12]}..."
                )
                continue
            os.replace(tmp, final)
            log(f"{final}: downloaded from {url}, SHA-256 verified")
            return final
    finally:
        tmp.unlink(missing_ok=True)
    raise DataError(f"could not download {name}.gz: " + "; ".join(failures))


class MirrorTooSlow(TimeoutError):
    """A mirror exceeded the file's deadline or sent below the minimum rate."""


class TooLarge(ConnectionError):
    """A mirror sent more bytes than the file can have."""


def _stream(url, tmp, timeout, progress, deadline, min_rate, grace, max_bytes):
    from tqdm import tqdm

    start = time.monotonic()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":  # a FIFO would block the open below, past any timeout
        check_regular(urllib.request.url2pathname(parts.path))
    request = urllib.request.Request(url, headers={"User-Agent": "nnscratch"})
    with (
        urllib.request.urlopen(request, timeout=min(timeout, deadline)) as response,
        open(tmp, "wb") as out,
    ):
        size = response.headers.get("Content-Length")
        size = int(size) if size and size.isdigit() else None
        if size is not None and size > max_bytes:
            raise TooLarge(f"announces {size} bytes; this file has at most {max_bytes}")
        received = 0
        with tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            file=sys.stderr,
            desc=url.rsplit("/", 1)[-1],
            disable=not progress,
            leave=False,
        ) as bar:
            while chunk := response.read1(CHUNK):  # returns as soon as any bytes arrive
                received += len(chunk)
                if received > max_bytes:
                    raise TooLarge(
                        f"sent more than {max_bytes} bytes, more than this file "
                        "can have; stopped"
                    )
                out.write(chunk)
                bar.update(len(chunk))
                _check_pace(
                    received, time.monotonic() - start, deadline, min_rate, grace
                )
    if size is not None and received != size:  # urllib returns short data silently
        raise ConnectionError(f"connection dropped after {received} of {size} bytes")


def _check_pace(received, elapsed, deadline, min_rate, grace):
    if elapsed > deadline:
        raise MirrorTooSlow(
            f"took longer than {deadline:g} s (after {received} bytes); " "stopped"
        )
    if elapsed > grace and received < min_rate * elapsed:
        raise MirrorTooSlow(
            f"sent {received} bytes in {elapsed:.1f} s, slower than "
            f"{min_rate:g} bytes/s; stopped"
        )


def _gunzip_sha256(path, max_size=UNKNOWN_SIZE):
    digest = hashlib.sha256()
    total = 0
    with gzip.open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            total += len(chunk)
            if total > max_size:
                raise TooLarge(
                    f"decompresses to more than {max_size} bytes, more than this "
                    "file can have"
                )
            digest.update(chunk)
    return digest.hexdigest()


def _reason(e):
    """One line: urllib's messages may span several (a redirect loop's does)."""
    if isinstance(e, urllib.error.HTTPError):
        text = f"HTTP {e.code} {e.reason}"
    elif isinstance(e, urllib.error.URLError):
        text = str(e.reason)
    else:
        text = str(e) or type(e).__name__
    return " ".join(text.split())
