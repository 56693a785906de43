"""The grader's side of `nnscratch check`: run the reader's file in a child process,
exchange data with it through files, and end every process it started.

The child (`child.py`) runs in its own session and process group, with one BLAS
thread, limits on its address space and CPU time, and a fresh temporary folder as
its working folder. The grader writes each call's arguments as `.npy` files, the
child writes back what the function returned; the grader checks every file (a
regular file, a header with a numeric dtype and a shape whose size matches the
file) before it reads it, and never unpickles. While a check runs, this process is
a child subreaper (Linux), so a descendant that leaves its parent, or starts a
session of its own, becomes its child; `close()` kills and reaps them all, then
removes the temporary folder.
"""

import ctypes
import json
import math
import os
import re
import resource
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from .child import decode, encode

CALL_SECONDS = 10  # time limit of one call of the reader's function
MEMORY_BYTES = 2 * 1024**3  # RLIMIT_AS of the child: 2 GiB
OUTPUT_BYTES = 64 * 1024  # the tail of the reader's output that is kept
MAX_ARRAY_BYTES = 64 * 1024**2  # one returned array
MAX_JSON_BYTES = 1024**2  # one result.json
PR_SET_CHILD_SUBREAPER = 36
# held back while a session starts or ends
MASKED = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


class Ungradable(Exception):
    """The child ended, or sent something other than the expected data; exit 2."""


class Unloadable(Exception):
    """The reader's file cannot be imported or lacks a function; exit 2, one line."""


class TimeUp(Exception):
    """The whole check ran past its time limit; exit 1."""


class CallTimeUp(Exception):
    """One call of the reader's function ran past CALL_SECONDS; exit 1."""


class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived while checking."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _set_subreaper(on: bool) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0)


def _children(pid: int) -> set[int]:
    """Process ids whose parent is `pid` (from /proc; none where there is none)."""
    found = set()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                text = Path("/proc", entry, "stat").read_text()
            except OSError:
                continue
            if int(text.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def read_npy(path: Path, limit: int = MAX_ARRAY_BYTES) -> np.ndarray:
    """The array in the `.npy` file at `path`, after checking that it is a regular
    file of at most `limit` bytes with a numeric dtype and a shape that matches its
    size. Raises Ungradable otherwise; never follows a link, never unpickles."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise Ungradable(f"result file {path.name}: {e.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise Ungradable(f"result file {path.name} is not a small regular file")
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"version {version}")
        except ValueError as e:
            problem = f"result file {path.name}: not a .npy header ({e})"
            raise Ungradable(problem) from None
        numeric = dtype.kind in "biuf" and not dtype.hasobject and not dtype.fields
        if not numeric or len(shape) > 8:
            raise Ungradable(f"result file {path.name}: dtype {dtype} shape {shape}")
        size = math.prod(shape) * dtype.itemsize
        if size != info.st_size - f.tell():
            raise Ungradable(
                f"result file {path.name}: its header says {shape} {dtype}, "
                f"which does not match the {info.st_size} bytes of the file"
            )
        data = f.read(size)
    order = "F" if fortran else "C"
    return np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy()


def _referenced(spec, found: list) -> list:
    """The array names a valid value description refers to, in order, appended to
    `found` (each once)."""
    t = spec["t"]
    if t in ("array", "npscalar") and spec["array"] not in found:
        found.append(spec["array"])
    elif t == "dict":
        for v in spec["items"].values():
            _referenced(v, found)
    elif t in ("tuple", "list"):
        for v in spec["items"]:
            _referenced(v, found)
    return found


def _valid_spec(spec, names: set, depth: int = 0) -> bool:
    """Whether `spec` is a value description as `child.encode` writes it."""
    if not isinstance(spec, dict) or depth > 4:
        return False
    t = spec.get("t")
    if t in ("array", "npscalar"):
        return spec.get("array") in names
    if t == "int":
        return type(spec.get("value")) is int
    if t == "float":
        return type(spec.get("value")) is float
    if t == "dict":
        items = spec.get("items")
        return isinstance(items, dict) and all(
            isinstance(k, str) and _valid_spec(v, names, depth + 1)
            for k, v in items.items()
        )
    if t in ("tuple", "list"):
        items = spec.get("items")
        return isinstance(items, list) and all(
            _valid_spec(v, names, depth + 1) for v in items
        )
    if t == "other":
        return isinstance(spec.get("type"), str) and isinstance(spec.get("repr"), str)
    return False


def _read_json(path: Path) -> dict:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise Ungradable(f"{path.name}: {e.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_JSON_BYTES:
            raise Ungradable(f"{path.name} is not a small regular file")
        try:
            record = json.loads(f.read(MAX_JSON_BYTES).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise Ungradable(f"{path.name} is not the expected JSON") from None
    if not isinstance(record, dict):
        raise Ungradable(f"{path.name} is not the expected JSON")
    return record


class OutputTail:
    """Read a pipe to its end in a thread, keeping only the last `keep` bytes."""

    def __init__(self, fd: int, keep: int = OUTPUT_BYTES):
        self.fd, self.keep, self.total, self.tail = fd, keep, 0, bytearray()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.total += len(chunk)
            self.tail += chunk
            if len(self.tail) > self.keep:
                del self.tail[: len(self.tail) - self.keep]
        os.close(self.fd)

    def text(self) -> tuple[str, int]:
        """(the kept output, decoded with replacement; the number of bytes cut)."""
        self.thread.join(timeout=5)
        data = bytes(self.tail)
        return data.decode("utf-8", errors="replace"), self.total - len(data)


class Session:
    """One child process running the reader's file, and everything it starts.

    Use as a context manager: leaving it (normally or by an exception) kills and
    reaps every descendant and removes the temporary folder.
    """

    def __init__(self, path: Path, names: tuple[str, ...], timeout: float):
        self.path, self.names, self.timeout = str(path), names, timeout
        self.proc = self.folder_fd = None
        self.calls = 0
        self.cpu_seconds = int(math.ceil(timeout)) + 2

    def __enter__(self):
        masked = signal.pthread_sigmask(signal.SIG_BLOCK, MASKED)
        try:
            return self._start()
        except BaseException:
            self.close()
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, masked)

    def _start(self):
        self.deadline = time.monotonic() + self.timeout
        self.before = _children(os.getpid())
        _set_subreaper(True)
        self.folder = Path(tempfile.mkdtemp(prefix="nnscratch-check-"))
        self.folder_fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        self.exchange = self.folder / ".exchange"
        self.exchange.mkdir()
        command_r, self.command_w = os.pipe()
        self.answer_r, answer_w = os.pipe()
        output_r, output_w = os.pipe()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(
            os.environ,
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONUNBUFFERED="1",
            PYTHONPATH=os.pathsep.join(
                filter(None, [package_root, os.environ.get("PYTHONPATH")])
            ),
        )
        child = Path(__file__).with_name("child.py")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-B", str(child), str(self.exchange), self.path]
                + [str(command_r), str(answer_w), *self.names],
                cwd=self.folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output_w,
                stderr=output_w,
                pass_fds=(command_r, answer_w),
                start_new_session=True,
            )
        finally:
            for fd in (command_r, answer_w, output_w):
                os.close(fd)
        self.output = OutputTail(output_r)
        # Linux; the reader's file is imported only on the first command, sent after
        if hasattr(resource, "prlimit"):
            memory = (MEMORY_BYTES, MEMORY_BYTES)
            resource.prlimit(self.proc.pid, resource.RLIMIT_AS, memory)
            cpu = (self.cpu_seconds, self.cpu_seconds + 1)
            resource.prlimit(self.proc.pid, resource.RLIMIT_CPU, cpu)
        self.pending = b""
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- the exchange ---------------------------------------------------------

    def _send(self, line: str) -> None:
        try:
            os.write(self.command_w, line.encode("ascii") + b"\n")
        except BrokenPipeError:
            raise self._ended() from None

    def _wait_for(self, expected: str, limit: float | None) -> None:
        """Wait until the child answers `expected`, the child ends, or a time limit."""
        call_deadline = None if limit is None else time.monotonic() + limit
        while True:
            if b"\n" in self.pending:
                line, self.pending = self.pending.split(b"\n", 1)
                if line != expected.encode("ascii"):
                    raise Ungradable(
                        "the process running your file sent a message that is not "
                        "the expected one"
                    )
                return
            now = time.monotonic()
            if now >= self.deadline:
                raise TimeUp
            if call_deadline is not None and now >= call_deadline:
                raise CallTimeUp
            ready, _, _ = select.select([self.answer_r], [], [], 0.05)
            if ready:
                chunk = os.read(self.answer_r, 256)
                if chunk:
                    self.pending += chunk
                    if len(self.pending) > 256:
                        raise Ungradable("the process running your file sent too much")
                    continue
                try:  # every writer closed the pipe: the child is ending
                    self.proc.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
                raise self._ended()
            if self.proc.poll() is not None:
                raise self._ended()

    def _ended(self) -> Exception:
        """The exception for a child that ended before sending every result."""
        status = self.proc.poll()
        if status is None:
            return Ungradable("the process running your file closed its pipe")
        if status == -signal.SIGXCPU:
            return TimeUp(f"it used its {self.cpu_seconds} s of CPU time")
        if status < 0:
            known = -status in signal.valid_signals()
            name = signal.Signals(-status).name if known else ""
            how = f"was killed by signal {-status} {name}".rstrip()
        else:
            how = f"ended with exit status {status}"
        return Ungradable(
            f"the process running your file {how} before sending every result"
        )

    def load(self) -> dict:
        """Import the reader's file in the child; the outcome (see child.load_file)."""
        self._send("load")
        self._wait_for("load", None)
        record = _read_json(self.exchange / "load.json")
        kind = record.get("kind")
        if kind not in ("loaded", "syntax", "import", "missing"):
            raise Ungradable("load.json is not the expected JSON")
        return record

    def call(self, function: str, args: list) -> dict:
        """Run `function(*args)` in the child; its outcome, checked, as data:
        {"kind": "ok", "value", "args_after", "warnings"} or {"kind": "raised", ...}.
        """
        self.calls += 1
        here = self.exchange / str(self.calls)
        arrays = {}
        specs = [encode(a, arrays) for a in args]
        request = {"function": function, "args": specs, "arrays": list(arrays)}
        try:
            here.mkdir()
            for name, a in arrays.items():
                np.save(here / f"{name}.npy", a, allow_pickle=False)
            (here / "call.json").write_text(json.dumps(request), encoding="utf-8")
        except OSError as e:
            raise Ungradable(
                f"the temporary folder was changed under the check ({e.strerror})"
            ) from None
        self._send(str(self.calls))
        self._wait_for(str(self.calls), CALL_SECONDS)
        out = here / "out"
        record = _read_json(out / "result.json")
        return self._checked(record, out)

    def _checked(self, record: dict, out: Path) -> dict:
        """`record` with its arrays read and decoded, or Ungradable."""
        if record.get("kind") == "raised":
            ok = isinstance(record.get("type"), str) and isinstance(
                record.get("message"), str
            )
            line = record.get("line")
            ok = ok and (line is None or type(line) is int)
            shapes = record.get("shapes")
            if not ok or not isinstance(shapes, dict):
                raise Ungradable("result.json is not the expected JSON")
            return record
        files = {
            p.name.removesuffix(".npy")
            for p in out.iterdir()
            if re.fullmatch(r"a\d{1,4}\.npy", p.name)
        }
        value, after = record.get("value"), record.get("args_after")
        warns = record.get("warnings")
        ok = record.get("kind") == "ok" and _valid_spec(value, files)
        ok = ok and isinstance(after, list)
        ok = ok and all(_valid_spec(a, files) for a in after)
        ok = ok and isinstance(warns, list) and all(isinstance(w, dict) for w in warns)
        if not ok:
            raise Ungradable("result.json is not the expected JSON")
        # Only the arrays the record refers to are read, and all of them together
        # within 4 * MAX_ARRAY_BYTES: each file is refused before it is read if it
        # would go over, so extra or huge files cannot make the check allocate.
        names = []
        for spec in [value, *after]:
            _referenced(spec, names)
        arrays, budget = {}, 4 * MAX_ARRAY_BYTES
        for name in names:
            limit = min(MAX_ARRAY_BYTES, budget)
            path = out / f"{name}.npy"
            try:
                too_big = os.lstat(path).st_size > limit
            except OSError as e:
                raise Ungradable(f"result file {path.name}: {e.strerror}") from None
            if too_big:
                raise Ungradable("the results are larger than the check allows")
            arrays[name] = read_npy(path, limit)
            budget -= arrays[name].nbytes
        return {
            "kind": "ok",
            "value": decode(value, arrays),
            "args_after": [decode(a, arrays) for a in after],
            "warnings": [
                {
                    "category": str(w.get("category", ""))[:64],
                    "message": str(w.get("message", ""))[:300],
                    "line": w.get("line") if type(w.get("line")) is int else None,
                }
                for w in warns[:5]
            ],
        }

    # --- the end ----------------------------------------------------------------

    def close(self) -> None:
        """Kill and reap every descendant; remove the temporary folder. Idempotent.
        SIGINT, SIGTERM and SIGHUP wait until it is done."""
        masked = signal.pthread_sigmask(signal.SIG_BLOCK, MASKED)
        try:
            self._close()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, masked)

    def _close(self) -> None:
        if self.proc is None:
            if getattr(self, "folder_fd", None) is not None:
                self._remove_folder()
            return
        proc, self.proc = self.proc, None
        try:
            os.write(self.command_w, b"quit\n")
        except OSError:
            pass
        for fd in (self.command_w, self.answer_r):
            os.close(fd)
        try:
            proc.wait(timeout=0.5)  # a child that finished ends by itself
        except subprocess.TimeoutExpired:
            pass
        for kill in (lambda: os.killpg(proc.pid, signal.SIGKILL),
                     lambda: proc.send_signal(signal.SIGKILL)):
            try:
                kill()
            except (ProcessLookupError, PermissionError):
                pass
        self.status = proc.wait()  # the direct child's status, from its own wait
        self._reap()
        _set_subreaper(False)
        self._reap()
        self.output_text, self.output_cut = self.output.text()
        self._remove_folder()

    def _reap(self) -> None:
        """Kill and reap the processes that became our children, until none is left."""
        for _ in range(10_000):
            orphans = _children(os.getpid()) - self.before
            if not orphans:
                return
            for pid in orphans:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for pid in orphans:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass

    def _remove_folder(self) -> None:
        """Remove the temporary folder, wherever the child moved it, without
        following a link that the child put in its place."""
        fd, self.folder_fd = self.folder_fd, None
        try:
            real = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            real = str(self.folder)
        try:
            if os.path.islink(self.folder):
                os.unlink(self.folder)
            for place in {real.removesuffix(" (deleted)"), str(self.folder)}:
                if os.path.isdir(place) and not os.path.islink(place):
                    if os.path.samestat(os.lstat(place), os.fstat(fd)):
                        shutil.rmtree(place, ignore_errors=True)
        finally:
            os.close(fd)
