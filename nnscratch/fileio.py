"""Writing files and folders so that a kill, crash or full disk leaves no partial one.

Every output goes to a hidden temporary beside its final name,
`.NAME.PID.tmp` for a file and `.NAME.PID.new` for a folder; the temporary is
flushed to disk (fsync), renamed over the final name in one step, and the
folder holding it is flushed too, so that after a power cut the final name
holds the old contents or all of the new. Temporaries left by a process that
was killed are recognised by their PID and removed by the next writer.

Only regular files are read or replaced: a FIFO or a device node given as an
input or an output is refused (`open_regular`, `check_target`) instead of
blocking on it or replacing it. A command interrupted by Ctrl-C renames
nothing into place once the interrupt has been noticed, even if the
KeyboardInterrupt itself was swallowed (Python ignores one raised inside a
destructor): the entry module `nnscratch_entry` records it, and every rename
here asks `raise_if_interrupted` first.
"""

import ctypes
import errno
import fcntl
import os
import re
import shutil
import stat
import sys
from contextlib import contextmanager
from pathlib import Path

# hidden temporaries: .NAME.PID.KIND
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<kind>tmp|part|new|old)$")


class OutputError(OSError):
    """An output file or folder cannot be written; the message names it and the fix."""


class NotRegularFile(OSError):
    """A path to read or replace is a FIFO, device, socket or folder."""


KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def kind_of(mode: int) -> str | None:
    """None for a regular file's st_mode, else what it is ("a FIFO", ...)."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in KINDS if test(mode)), "not a regular file")


def not_regular(path, what) -> NotRegularFile:
    """A NotRegularFile whose message (`strerror`) reads "PATH: is WHAT, not a ..."."""
    return NotRegularFile(errno.EINVAL, f"{path}: is {what}, not a regular file")


def open_regular(path: Path):
    """Open `path` for reading in binary; refuse at once what is not a regular file.

    The file is opened without blocking (a FIFO would otherwise wait for a
    writer forever) and checked with fstat on the open descriptor, so a file
    swapped between a check and the open is caught too.

    Raises:
        NotRegularFile: a FIFO, device, socket or folder (message: `strerror`).
        OSError: the file cannot be opened (FileNotFoundError if missing).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        what = kind_of(os.fstat(fd).st_mode)
        if what is not None:
            raise not_regular(path, what)
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def check_regular(path: Path) -> None:
    """Raise NotRegularFile if `path` exists and is no regular file (follows links)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing (or unreadable): the reader says so in its own words
    what = kind_of(mode)
    if what is not None:
        raise not_regular(path, what)


def check_target(path: Path) -> None:
    """Raise OutputError if `path` exists and is not a regular file to replace.

    Replacing a FIFO or a device node (/dev/null, as root) by a regular file
    would break whatever uses it; a folder cannot be replaced by a file.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    what = kind_of(mode)
    if what is not None:
        raise OutputError(
            errno.EEXIST,
            f"{path}: is {what}, not a regular file; give the path of a "
            "file to write",
        )


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed, even if it was swallowed.

    The console script's entry module (`nnscratch_entry`) records every
    SIGINT; called before each rename into place, so that no output claims
    to be complete after an interrupt.
    """
    entry = sys.modules.get("nnscratch_entry")
    if entry is not None and getattr(entry, "interrupted", False):
        raise KeyboardInterrupt


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
def staged_files(paths, shown=None):
    """Yield one temporary beside each of `paths`; rename them all when all are done.

    Every output of the package goes through here (`atomic_path` is the case
    of one file). Each target must be absent or a regular file. The block
    writes every temporary; only when it succeeded are they flushed and then
    renamed into place, one after the other, so a failure before the renames
    leaves every old file as it was. Temporaries are removed on failure. An
    OSError becomes an `OutputError` naming the file (or `shown`).
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        check_target(path)
    tmps = [temporary(path) for path in paths]
    for path in paths:
        remove_stale(path.parent, path.name)
    # the file a failure names: the one being renamed, else (while the block wrote
    # them) the only one, or all of them
    current = paths[0] if len(paths) == 1 else ", ".join(map(str, paths))
    try:
        yield tmps
        for current, tmp in zip(paths, tmps):
            _fsync_file(tmp)
        raise_if_interrupted()
        for current, tmp in zip(paths, tmps):
            os.replace(tmp, current)
        for folder in dict.fromkeys(path.parent for path in paths):
            fsync_folder(folder)
    except OutputError:
        raise
    except OSError as e:
        raise write_failure(e, shown or current) from e
    finally:
        for tmp in tmps:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass


@contextmanager
def atomic_path(path: Path, shown: Path | None = None):
    """Yield a temporary path beside `path`; flush it, rename it to `path` on success.

    The temporary is removed if the block fails. An OSError becomes an
    `OutputError` naming `shown` (default `path`).
    """
    with staged_files([path], shown) as (tmp,):
        yield tmp


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


RENAME_NOREPLACE = 1  # linux/fs.h
RENAME_EXCHANGE = 2
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


def rename_noreplace(src: Path, dst: Path) -> None:
    """Rename `src` to `dst`, failing with FileExistsError if `dst` exists.

    Atomic on Linux (renameat2 RENAME_NOREPLACE); elsewhere checked just before.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        renameat2 = None
    if renameat2 is not None:
        if renameat2(AT_FDCWD, os.fsencode(src), AT_FDCWD, os.fsencode(dst),
                     RENAME_NOREPLACE) == 0:  # fmt: skip
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(dst))
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    os.rename(src, dst)


def foreign_content(final: Path, written=(), new: Path | None = None) -> list[str]:
    """What in `final` is not an earlier run's: names a swap would delete.

    An earlier run's folder holds only regular files (and stale temporaries).
    Foreign are: `final` itself if it is not a folder, everything in it that
    is not a file (or a link to one): sub-folders, FIFOs, broken links; and,
    given `written` (the names this run wrote) and `new` (this run's folder),
    every file that is neither one of those names nor carried into `new`
    (hard-linked, or copied with its size and time: notes kept beside a run).
    """
    final = Path(final)
    if not os.path.lexists(final):
        return []
    if final.is_symlink() or not final.is_dir():
        return [str(final)]
    found = []
    for entry in sorted(final.iterdir()):
        if _TEMPORARY.match(entry.name):
            continue
        if not entry.is_file():  # a folder, FIFO, broken link...
            found.append(entry.name)
        elif new is not None and entry.name not in written:
            carried = _same_file(entry, Path(new) / entry.name)
            if not carried:
                found.append(entry.name)
    return found


def _same_file(a, b):
    """True if `b` is `a` carried over: a hard link, or a copy of its size and time."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino) or (
        (sa.st_size, sa.st_mtime_ns) == (sb.st_size, sb.st_mtime_ns)
    )


def keep_aside(new: Path, final: Path) -> Path:
    """Rename the run folder `new` to a visible, free name beside `final`."""
    for n in range(1, 1000):
        kept = final.with_name(f"{final.name}.new" + (f"-{n}" if n > 1 else ""))
        try:
            rename_noreplace(new, kept)
        except FileExistsError:
            continue
        except OSError as e:
            if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            continue
        fsync_folder(final.parent)
        return kept
    raise OutputError(errno.EEXIST, f"{final}: no free name beside it to keep this run")


def _foreign_error(final, found, kept):
    what = (
        "a file or something else now stands at this path"
        if found == [str(final)]
        else f"{', '.join(found)} appeared in it"
    )
    return OutputError(
        errno.EEXIST,
        f"{final}: {what} while this run was writing, and a run replaces its --out "
        f"folder as a whole; nothing of it was touched: this run was kept in {kept} "
        "instead; move what you need",
    )


def replace_folder(new: Path, final: Path, written=None) -> bool:
    """Put folder `new` at `final` in one step; an earlier `final` run is removed.

    Where the system can swap two names atomically (Linux), readers see the
    old folder or the new one, never neither. Elsewhere the old folder is
    first renamed to `.NAME.PID.old`, which `remove_stale` renames back if the
    process dies between the two renames.

    Nothing but an earlier run is ever removed: if `final` holds anything
    else (`foreign_content`; `written` names the files this run wrote, by
    default every name in `new`), found
    before the swap or in the earlier folder after it, the earlier folder
    stays (or is put back) at `final`, the new run is renamed to a visible
    `NAME.new` beside it, and an OutputError names both.

    Returns True if an earlier folder was replaced.
    """
    new, final = Path(new), Path(final)
    if written is None:
        written = {entry.name for entry in new.iterdir()}
    raise_if_interrupted()
    found = foreign_content(final, written, new)
    if found:
        raise _foreign_error(final, found, keep_aside(new, final))
    if not os.path.lexists(final):
        try:
            rename_noreplace(new, final)
        except FileExistsError:  # appeared since the check
            raise _foreign_error(final, [str(final)], keep_aside(new, final)) from None
        fsync_folder(final.parent)
        return False
    if exchange(new, final):
        old = new  # the swap left the earlier folder under the temporary name
        found = foreign_content(old, written, final)
        if found:
            exchange(new, final)  # put it back
    else:
        old = temporary(final, "old")
        os.rename(final, old)
        found = foreign_content(old, written, new)
        if found:
            os.rename(old, final)
        else:
            os.rename(new, final)
    if found:
        fsync_folder(final.parent)
        raise _foreign_error(final, found, keep_aside(new, final))
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
    found = foreign_content(final)  # what the swap would refuse to delete
    if found:
        folders = all((final / name).is_dir() for name in found)
        raise OutputError(
            errno.EISDIR,
            (
                f"{final}: holds "
                f"{'the folder(s)' if folders else 'what is not a plain file:'} "
                f"{', '.join(found)}; a run replaces "
                "its --out folder as a whole, so choose a new folder or one holding "
                "only an earlier run"
            ),
        )


def check_output_files(paths) -> None:
    """Raise OutputError unless every one of `paths` can be written (creates nothing).

    Each must be absent or a regular file, and the nearest existing folder
    above it a folder this process can write.
    """
    for path in map(Path, paths):
        check_target(path)
        for p in path.parents:
            if p.exists():
                break
        if not p.is_dir():
            raise OutputError(
                errno.ENOTDIR, f"{path}: {p} is not a folder; choose another --out"
            )
        if not os.access(p, os.W_OK | os.X_OK):
            raise OutputError(
                errno.EACCES, f"{path}: folder {p} cannot be written; choose another"
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
            written = {entry.name for entry in new.iterdir()}
            if final.is_dir() and not final.is_symlink():
                _carry_over(final, new)
            fsync_folder(new)
            result["replaced"] = replace_folder(new, final, written)
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
