"""`nnscratch exercises [start NAME [DIR]]` and `nnscratch check NAME FILE.py`.

`add_exercise_commands` adds both to the top-level sub-parsers; each sets
`func=run_exercise_command`, which handles its own usage errors: one line on stderr,
exit status 2. The reader's file is imported and run only in a child process
(`sandbox.Session`, `child.py`); this process computes the references, compares and
writes the report. Nothing is written except the starter that `exercises start` is
asked for.
"""

import argparse
import difflib
import math
import signal
import sys
from pathlib import Path

from ..data import atomic_write_text
from .registry import EXERCISES
from .runner import grade, import_error, missing_function
from .sandbox import Interrupted, Session, TimeUp, Ungradable
from .tools import RemoteFunction

CHECK_SECONDS = 120  # default time limit of one `nnscratch check`
MAX_SECONDS = 86400  # --timeout must be below a day
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class UsageError(Exception):
    """A mistake on the command line; the message is the one line shown."""


def add_exercise_commands(commands) -> None:
    """Add `exercises` and `check` to the top-level parser's sub-parsers `commands`."""
    p = commands.add_parser(
        "exercises", help="list the exercises, or write one's starter file"
    )
    sub = p.add_subparsers(dest="exercises_command", metavar="start")
    start = sub.add_parser("start", help="write the starter file of an exercise")
    start.add_argument("name", help="exercise name, as listed by 'nnscratch exercises'")
    start.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path("."),
        help="folder to write it into (default: the current folder)",
    )
    p.set_defaults(func=run_exercise_command)

    p = commands.add_parser("check", help="grade your solution of an exercise")
    p.add_argument("name", help="exercise name, as listed by 'nnscratch exercises'")
    p.add_argument("file", type=Path, help="your Python file, e.g. softmax.py")
    p.add_argument(
        "--seed",
        default=None,
        help="also check one random case drawn from this seed, a non-negative "
        "integer (default: the fixed cases only)",
    )
    p.add_argument(
        "--timeout",
        default=str(CHECK_SECONDS),
        help="seconds before the check is stopped (default %(default)s)",
    )
    p.set_defaults(func=run_exercise_command)


def run_exercise_command(args: argparse.Namespace) -> int:
    """Run `exercises`, `exercises start` or `check`; return the exit status."""
    try:
        if args.command == "check":
            seed, timeout = parse_seed(args.seed), parse_timeout(args.timeout)
            return check(args.name, args.file, seed, timeout)
        if args.exercises_command == "start":
            return start(args.name, args.dir)
        return list_exercises()
    except UsageError as e:
        print(f"nnscratch: error: {e}", file=sys.stderr)
        return 2


def parse_seed(text: str | None) -> int | None:
    """--seed: None or a non-negative integer, else a UsageError."""
    if text is None:
        return None
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if seed < 0:
        raise UsageError(
            f"--seed {text}: expected a non-negative integer, e.g. --seed 7"
        )
    return seed


def parse_timeout(text: str) -> float:
    """--timeout: a finite number of seconds, above 0 and below a day."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds < MAX_SECONDS):
        raise UsageError(
            f"--timeout {text}: expected a number of seconds above 0 and below "
            f"{MAX_SECONDS} (a day), e.g. --timeout 60"
        )
    return seconds


def list_exercises() -> int:
    """One line per exercise, in the order of the site's pages."""
    width = max(map(len, EXERCISES))
    for e in EXERCISES.values():
        print(f"{e.name:<{width}}  {e.summary} ({e.page.removesuffix('.md')} page)")
    print(
        "\nstart one with: nnscratch exercises start NAME [DIR]\n"
        "grade it with:  nnscratch check NAME FILE.py"
    )
    return 0


def exercise(name: str):
    """The registered exercise called `name`, or a UsageError listing the names."""
    if name in EXERCISES:
        return EXERCISES[name]
    close = difflib.get_close_matches(name, EXERCISES, n=1)
    guess = f"did you mean {close[0]}? " if close else ""
    raise UsageError(
        f"no exercise named {name!r}; {guess}the exercises are {', '.join(EXERCISES)}"
    )


def start(name: str, folder: Path) -> int:
    """Write the starter file of exercise `name` into `folder`, which is created
    with its parents if need be; never overwrite."""
    e = exercise(name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        problem = f"{folder}: cannot create the folder ({err.strerror})"
        raise UsageError(problem) from None
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; pass another DIR")
    target = folder / e.file_name
    if target.exists():
        raise UsageError(
            f"{target} already exists; delete it or pass another DIR "
            f"(nnscratch exercises start {name} DIR)"
        )
    try:
        atomic_write_text(target, e.starter.read_text(encoding="utf-8"))
    except OSError as err:
        raise UsageError(f"{target}: cannot write it ({err.strerror})") from None
    names = ", ".join(f + "()" for f in e.functions)
    print(
        f"wrote {target}: write the body of {names}, then run\n"
        f"  nnscratch check {name} {target}"
    )
    return 0


def check(name: str, file: Path, seed: int | None, timeout: float) -> int:
    """Grade `file` for exercise `name`, its code running in a child process; print
    the verdict, then what the file printed; return the exit status."""
    e = exercise(name)
    if file.is_dir():
        raise UsageError(
            f"{file} is a folder; pass your Python file, e.g. {file / e.file_name}"
        )
    if not file.is_file():
        raise UsageError(
            f"{file}: no such file; write one with 'nnscratch exercises start {name}'"
        )
    if file.suffix != ".py":
        raise UsageError(f"{file}: expected a Python file ending in .py")
    session = Session(file.resolve(), e.functions, timeout)
    previous = {s: signal.signal(s, _interrupt) for s in SIGNALS}
    try:
        try:
            with session:
                status, lines = _grade_in(session, e, file, seed, timeout)
        except Interrupted as i:
            status = 128 + i.signum
            lines = [
                f"nnscratch: interrupted by {signal.Signals(i.signum).name}; "
                "every process of the check was ended"
            ]
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    print("\n".join(lines), file=sys.stderr if status >= 2 else sys.stdout, flush=True)
    _show_output(session)
    return status


def _interrupt(signum, frame):
    raise Interrupted(signum)


def _grade_in(session: Session, e, file: Path, seed, timeout) -> tuple[int, list]:
    """(exit status, report lines) of grading in the child of `session`."""
    try:
        record = session.load()
        if record["kind"] == "missing":
            message = missing_function(str(file), record["name"], e.functions, e.name)
            return 2, [f"nnscratch: error: {message}"]
        if record["kind"] == "syntax":
            line, text = record["line"], record["message"]
            return 2, [f"nnscratch: error: {file}: syntax error on line {line}: {text}"]
        if record["kind"] == "import":
            message = import_error(
                str(file), record["type"], record["line"], record["message"]
            )
            return 2, [f"nnscratch: error: {message}"]
        functions = {n: RemoteFunction(session, n, file.name) for n in e.functions}
        passed, lines = grade(e, functions, seed)
        return (0 if passed else 1), lines
    except TimeUp as t:
        why = f" ({t})" if str(t) else ""
        return 1, [
            f"{e.name}: stopped after {timeout:g} s{why}: does your code loop over "
            "every entry, or wait for input?"
        ]
    except Ungradable as u:
        return 2, [f"nnscratch: error: {file} could not be graded: {u}"]


def _show_output(session: Session) -> None:
    """What the reader's file printed, under a label that says it is theirs."""
    text, cut = getattr(session, "output_text", ""), getattr(session, "output_cut", 0)
    if not text and not cut:
        return
    size = f"; the first {cut} bytes were cut, the last 64 KB kept" if cut else ""
    print(f"--- printed by your file (its stdout and stderr{size}) ---")
    print(text, end="" if text.endswith("\n") else "\n")
    print("--- end of what your file printed ---", flush=True)
