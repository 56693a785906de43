"""Grade one file: import the reader's functions from its path, run the checks, report.

`nnscratch check` runs `python -B -m nnscratch.exercises NAME FILE SEED SHOWN` (see
`__main__.py`) in a fresh temporary folder with a time limit (see `cli.py`); SHOWN is
the file's name as the reader typed it, used in messages.
Exit status: 0 every check passed, 1 a check failed, 2 the file cannot be graded.
"""

import importlib.util
import sys
import textwrap
import traceback
from pathlib import Path

import numpy as np

from .registry import EXERCISES, Exercise
from .tools import CheckFailed


class UsageError(Exception):
    """The file cannot be graded (missing, not Python, no such function); exit 2."""


def load_functions(
    path: Path, names: tuple[str, ...], shown: str | None = None, exercise: str = "NAME"
) -> dict:
    """Import the file at `path` as a private module; return its functions `names`.

    `shown` is how messages name the file (default: `path`).

    Raises:
        UsageError: one line naming the file and the problem.
    """
    shown = shown or str(path)
    spec = importlib.util.spec_from_file_location("nnscratch_exercise_answer", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise UsageError(f"{shown}: syntax error on line {e.lineno}: {e.msg}") from None
    except (Exception, SystemExit) as e:
        frames = [
            f for f in traceback.extract_tb(e.__traceback__) if f.filename == str(path)
        ]
        where = f" on line {frames[-1].lineno}" if frames else ""
        message = (str(e).splitlines() or [""])[0]  # one line, whatever was raised
        raise UsageError(
            f"{shown}: importing it raised {type(e).__name__}{where}: {message}"
        ) from None
    functions = {}
    for name in names:
        value = getattr(module, name, None)
        if not callable(value):
            raise UsageError(
                f"{shown}: no function {name}() in the file; the exercise needs "
                f"{', '.join(n + '()' for n in names)} (the starter has them: "
                f"nnscratch exercises start {exercise})"
            )
        functions[name] = value
    return functions


def grade(exercise: Exercise, functions: dict, seed: int) -> tuple[bool, list[str]]:
    """Run the exercise's checks in order, stopping at the first failure.

    Returns:
        (passed, lines of the report).
    """
    passed = []
    try:
        for line in exercise.checker(functions, np.random.default_rng(seed)):
            passed.append(f"  ok      {line}")
    except CheckFailed as e:
        lines = passed + [f"  FAILED  {e.check}"]
        for part in e.detail.splitlines():
            # sentences are wrapped to fit a terminal; arrays and indented lines are not
            keep = part.startswith(" ") or "[" in part
            wrapped = [part] if keep else textwrap.wrap(part, 68)
            lines += [f"          {piece}" for piece in wrapped or [""]]
        if e.hint:  # wrapped to fit a terminal (and the page's code column)
            hint = textwrap.wrap(e.hint, width=68)
            lines += [f"  hint:   {hint[0]}"]
            lines += [f"          {part}" for part in hint[1:]]
        lines.append(
            f"{exercise.name}: {len(passed)} checks passed, then one failed "
            f"(seed {seed}; --seed {seed} repeats these shapes)"
        )
        return False, lines
    lines = passed + [f"{exercise.name}: all {len(passed)} checks passed (seed {seed})"]
    return True, lines


def main(argv: list[str]) -> int:
    """Grade: argv is [exercise name, absolute path of the file, seed, file as
    shown]."""
    name, path, seed, shown = argv
    exercise = EXERCISES[name]
    try:
        functions = load_functions(Path(path), exercise.functions, shown, name)
    except UsageError as e:
        print(f"nnscratch: error: {e}", file=sys.stderr)
        return 2
    passed, lines = grade(exercise, functions, int(seed))
    print("\n".join(lines), flush=True)
    return 0 if passed else 1
