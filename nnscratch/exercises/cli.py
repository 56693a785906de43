"""`nnscratch exercises [start NAME [DIR]]` and `nnscratch check NAME FILE.py`.

`add_exercise_commands` adds both to the top-level sub-parsers; each sets
`func=run_exercise_command`, which handles its own usage errors: one line on stderr,
exit status 2. The reader's file is graded in a child process (`runner.py`) whose
working folder is a fresh temporary folder, with a time limit; nothing is written
except the starter that `exercises start` is asked for.
"""

import argparse
import difflib
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from ..data import atomic_write_text
from .registry import EXERCISES

CHECK_SECONDS = 120  # default time limit of one `nnscratch check`


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
        type=int,
        default=None,
        help="seed of the random shapes and values (default: a new one each run)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=CHECK_SECONDS,
        help="seconds before the check is stopped (default %(default)s)",
    )
    p.set_defaults(func=run_exercise_command)


def run_exercise_command(args: argparse.Namespace) -> int:
    """Run `exercises`, `exercises start` or `check`; return the exit status."""
    try:
        if args.command == "check":
            return check(args.name, args.file, args.seed, args.timeout)
        if args.exercises_command == "start":
            return start(args.name, args.dir)
        return list_exercises()
    except UsageError as e:
        print(f"nnscratch: error: {e}", file=sys.stderr)
        return 2


def list_exercises() -> int:
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
    """Write the starter file of exercise `name` into `folder`; never overwrite."""
    e = exercise(name)
    if not folder.is_dir():
        raise UsageError(
            f"{folder}: no such folder; create it first or pass another DIR"
        )
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
    """Grade `file` for exercise `name` in a child process; its exit status is ours."""
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
    seed = random.SystemRandom().randrange(1_000_000) if seed is None else seed
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(
        os.environ,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=os.pathsep.join(
            filter(None, [package_root, os.environ.get("PYTHONPATH")])
        ),
    )
    command = [
        sys.executable,
        "-B",
        "-m",
        "nnscratch.exercises",
        e.name,
        str(file.resolve()),
        str(seed),
        str(file),
    ]
    with tempfile.TemporaryDirectory(prefix="nnscratch-check-") as workdir:
        try:
            result = subprocess.run(
                command,
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            print(
                f"{e.name}: stopped after {timeout:g} s (seed {seed}): does your code "
                "loop over every entry, or wait for input?"
            )
            return 1
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode not in (0, 1, 2):
        print(
            f"{e.name}: the check ended with exit status {result.returncode} while "
            "running your code (did it call exit?)"
        )
        return 1
    return result.returncode
