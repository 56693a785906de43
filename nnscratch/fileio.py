"""Writing files and folders so that a kill, crash or full disk leaves no partial one.

Every output goes to a hidden temporary beside its final name,
`.NAME.PID.tmp` for a file and `.NAME.PID.new` for a folder; the temporary is
flushed to disk (fsync), renamed over the final name in one step, and the
folder holding it is flushed too, so that after a power cut the final name
holds the old contents or all of the new. Temporaries left by a process that
was killed are recognised by their PID and removed by the next writer.
"""

import ctypes
import errno
import fcntl
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

# hidden temporaries: .NAME.PID.KIND
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<kind>tmp|part|new|old)$")


class OutputError(OSError):
    """An output file or folder cannot be written; the message names it and the fix."""


def temporary(path: Path, kind: str = "tmp") -> Path:
    """The hidden temporary of this process for `path`: `.NAME.PID.KIND` beside it."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.{kind}")


def pid_alive(pid: int) -> bool:
    """True if a process with this id exists (this process included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def remove_stale(folder: Path, name: str | None = None) -> list[Path]:
    """Remove the temporaries in `folder` left by processes that no longer run.

    Only hidden entries named `.NAME.PID.KIND` (KIND tmp, part, new or old)
    whose PID is not alive are touched; with `name`, only those of that NAME.
    A `.NAME.PID.old` folder whose NAME is missing is the earlier run of an
    interrupted swap: it is renamed back to NAME instead of being removed.

    Returns the paths removed or restored.
    """
    folder = Path(folder)
    done = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return done
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if not match or (name is not None and match["name"] != name):
            continue
        if pid_alive(int(match["pid"])):
            continue
        final = folder / match["name"]
        try:
            if match["kind"] == "old" and not os.path.lexists(final):
                os.rename(entry, final)
            elif entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            done.append(entry)
        except OSError:
            pass  # another process got there first, or no permission: not ours to force
    return done


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (new names, renames) to disk, where the system can."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename is still atomic
    finally:
        os.close(fd)


def _fsync_file(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_failure(e: OSError, path: Path) -> OutputError:
    """An `OutputError` naming `path`, for an OSError raised while writing it."""
    reason = e.strerror or str(e) or type(e).__name__
    fix = {
        errno.ENOSPC: "free some space or write somewhere else",
        errno.EFBIG: "the file size limit (ulimit -f) is too small; raise it",
        errno.EDQUOT: "the disk quota is full; free some space",
        errno.EACCES: "choose a folder you can write",
        errno.EROFS: "choose a folder on a writable disk",
    }.get(e.errno, "write elsewhere")
    return OutputError(e.errno, f"cannot write {path} ({reason}); {fix}")


@contextmanager
def atomic_path(path: Path, shown: Path | None = None):
    """Yield a temporary path beside `path`; flush it, rename it to `path` on success.

    The temporary is removed if the block fails. An OSError becomes an
    `OutputError` naming `shown` (default `path`).
    """
    path = Path(path)
    tmp = temporary(path)
    remove_stale(path.parent, path.name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, path)
        fsync_folder(path.parent)
    except OutputError:
        raise
    except OSError as e:
        raise write_failure(e, shown or path) from e
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def atomic_write(path: Path, write, shown: Path | None = None) -> None:
    """Call write(file) on a temporary beside `path`, flush it, rename it into place."""
    with atomic_path(path, shown) as tmp, open(tmp, "wb") as f:
        write(f)
        f.flush()


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` as UTF-8: readers see the old file or all of the new."""
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path`: readers see the old file or all of the new."""
    atomic_write(path, lambda f: f.write(data))


RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically (Linux renameat2); False if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    result = renameat2(
        AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def replace_folder(new: Path, final: Path) -> bool:
    """Put folder `new` at `final` in one step; an earlier `final` is removed.

    Where the system can swap two names atomically (Linux), readers see the
    old folder or the new one, never neither. Elsewhere the old folder is
    first renamed to `.NAME.PID.old`, which `remove_stale` renames back if the
    process dies between the two renames.

    Returns True if an earlier folder was replaced.
    """
    new, final = Path(new), Path(final)
    if not final.exists():
        os.rename(new, final)
        fsync_folder(final.parent)
        return False
    if exchange(new, final):
        old = new  # the swap left the earlier folder under the temporary name
    else:
        old = temporary(final, "old")
        os.rename(final, old)
        os.rename(new, final)
    fsync_folder(final.parent)
    shutil.rmtree(old, ignore_errors=True)
    return True


@contextmanager
def folder_lock(final: Path):
    """Hold an exclusive lock on `final`: a hidden `.NAME.lock` file beside it.

    Raises OutputError at once if another process holds it. The lock dies
    with its process, even on `kill -9`; the file is removed on release
    (a file left by a killed process is simply locked again by the next run).
    """
    final = Path(final)
    lock = final.with_name(f".{final.name}.lock")
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise write_failure(e, final.parent) from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(
                errno.EBUSY,
                (
                    f"{final}: another nnscratch process is writing this folder now; "
                    "wait for it to finish or choose another --out"
                ),
            ) from None
        try:  # the holder may have removed the file between our open and our lock
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
        os.close(fd)


def _missing_ancestors(folder):
    """The folders from `folder` upwards that do not exist yet, deepest first."""
    missing = []
    for p in (folder, *folder.parents):
        if p.exists():
            break
        missing.append(p)
    return missing


def check_output_folder(final: Path) -> None:
    """Raise OutputError unless `final` can become an output folder (creates nothing).

    It must be absent, or a folder holding only files (an earlier run and
    notes beside it); its nearest existing ancestor must be a folder.
    """
    final = Path(final)
    if final.name in ("", ".", ".."):
        raise OutputError(
            errno.EINVAL, f"{final}: give --out a folder of its own, such as run/"
        )
    if final.is_symlink():
        raise OutputError(
            errno.EINVAL,
            f"{final}: is a symbolic link; give the folder it points to, "
            f"{final.resolve()}, or another --out",
        )
    for p in (final, *final.parents):
        if p.exists():
            break
    if not p.is_dir():
        raise OutputError(
            errno.ENOTDIR, f"{final}: {p} is not a folder; choose another --out"
        )
    if p != final:
        return
    if not os.access(final, os.W_OK | os.X_OK):
        raise OutputError(
            errno.EACCES, f"{final}: folder cannot be written; choose another --out"
        )
    folders = sorted(
        e.name for e in final.iterdir() if e.is_dir() and not _TEMPORARY.match(e.name)
    )
    if folders:
        raise OutputError(
            errno.EISDIR,
            (
                f"{final}: holds the folder(s) {', '.join(folders)}; a run replaces "
                "its --out folder as a whole, so choose a new folder or one holding "
                "only an earlier run"
            ),
        )


@contextmanager
def staged_folder(final: Path):
    """Yield (staging folder, result); on success the staging folder replaces `final`.

    Files already in `final` that the block did not write (notes kept beside
    a run) are carried over, hard-linked. Until the swap, `final` is untouched;
    if the block fails, the staging folder and any parent folder this call
    created are removed. `result["replaced"]` tells whether an earlier
    folder was replaced. Raises OutputError naming `final` for any OSError.
    """
    final = Path(final)
    check_output_folder(final)
    created = _missing_ancestors(final.parent)
    new = temporary(final, "new")
    result = {"replaced": False}
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        with folder_lock(final):
            remove_stale(final.parent, final.name)
            new.mkdir()
            try:
                yield new, result
            except OSError as e:  # name the run's folder, not the staging folder
                raise write_failure(_plain(e), final) from e
            if final.is_dir():
                _carry_over(final, new)
            fsync_folder(new)
            result["replaced"] = replace_folder(new, final)
    except OutputError:
        _undo(new, created)
        raise
    except OSError as e:
        _undo(new, created)
        raise write_failure(e, final) from e
    except BaseException:
        _undo(new, created)
        raise


def _plain(e):
    """The OSError behind `e` (an OutputError wraps the one that caused it)."""
    while isinstance(e, OutputError) and isinstance(e.__cause__, OSError):
        e = e.__cause__
    return e


def _carry_over(old, new):
    for entry in old.iterdir():
        if (
            entry.is_file()
            and not _TEMPORARY.match(entry.name)
            and not (new / entry.name).exists()
        ):
            try:
                os.link(entry, new / entry.name)
            except OSError:
                shutil.copy2(entry, new / entry.name)


def _undo(new, created):
    shutil.rmtree(new, ignore_errors=True)
    for folder in created:
        try:
            folder.rmdir()
        except OSError:
            break
