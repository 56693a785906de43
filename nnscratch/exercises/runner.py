"""Grade functions against an exercise's checker: the fixed cases, then a random one
if a seed is given; and, for the Exercises page, import a file in this process.

`nnscratch check` (see `cli.py`) never imports the reader's file in its own process:
it hands `grade` the functions of a child process (`tools.RemoteFunction`), so that
the checks, the references and the verdict stay here, computed from data.
"""

import importlib.util
import textwrap
import traceback
from pathlib import Path

import numpy as np

from .registry import Exercise
from .tools import CheckFailed, LocalFunction

# the seeds of the fixed cases: the same shapes and values on every run
FIXED_SEEDS = (2718, 31415, 14142)


class UsageError(Exception):
    """The file cannot be graded (missing, not Python, no such function); exit 2."""


def load_functions(
    path: Path, names: tuple[str, ...], shown: str | None = None, exercise: str = "NAME"
) -> dict:
    """Import the file at `path` in THIS process and return its functions `names`.

    This trusts the file: its code runs here, and could change the grader. It is
    for code you trust (the Exercises page's demonstration, the tests' reference
    files); `nnscratch check` imports the reader's file in a child process instead.
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
        line = frames[-1].lineno if frames else None
        raise UsageError(import_error(shown, type(e).__name__, line, str(e))) from None
    functions = {}
    for name in names:
        value = getattr(module, name, None)
        if not callable(value):
            raise UsageError(missing_function(shown, name, names, exercise))
        functions[name] = value
    return functions


def import_error(shown: str, kind: str, line: int | None, message: str) -> str:
    """The one line for a file whose import raised."""
    where = f" on line {line}" if line else ""
    first = (message.splitlines() or [""])[0]  # one line, whatever was raised
    return f"{shown}: importing it raised {kind}{where}: {first}"


def missing_function(shown: str, name: str, names: tuple, exercise: str) -> str:
    """The one line for a file without one of the exercise's functions."""
    return (
        f"{shown}: no function {name}() in the file; the exercise needs "
        f"{', '.join(n + '()' for n in names)} (the starter has them: "
        f"nnscratch exercises start {exercise})"
    )


def checks(n: int) -> str:
    """'1 check', '2 checks'."""
    return f"{n} check" if n == 1 else f"{n} checks"


def grade(
    exercise: Exercise, functions: dict, seed: int | None = None
) -> tuple[bool, list[str]]:
    """Run the exercise's checks on its fixed cases, then on one random case drawn
    from `seed` if it is given; stop at the first failure.

    `functions` maps each name to a plain function, which is then called in THIS
    process and trusted like `load_functions`, or to a `tools.RemoteFunction`.

    Returns:
        (passed, lines of the report).
    """
    functions = {
        name: f if hasattr(f, "run") else LocalFunction(f)
        for name, f in functions.items()
    }
    fixed = FIXED_SEEDS[: exercise.fixed_cases]
    cases = [
        (f"fixed case {i} of {len(fixed)}", np.random.default_rng(s), True)
        for i, s in enumerate(fixed, 1)
    ]
    if seed is not None:
        rng = np.random.default_rng(seed)
        cases.append((f"random case of --seed {seed}", rng, False))
    lines, count = [], 0
    for title, rng, is_fixed in cases:
        lines.append(title)
        try:
            for line in exercise.checker(functions, rng, is_fixed):
                lines.append(f"  ok      {line}")
                count += 1
        except CheckFailed as e:
            lines += _failure(e)
            lines.append(
                f"{exercise.name}: {checks(count)} passed, then one failed ({title})"
            )
            return False, lines
    cases_done = f"{len(fixed)} fixed case" + ("s" if len(fixed) != 1 else "")
    if seed is not None:
        cases_done += f" and a random case of --seed {seed}"
    everything = checks(count) if count == 1 else f"all {checks(count)}"
    lines.append(f"{exercise.name}: {everything} passed ({cases_done})")
    return True, lines


def _failure(e: CheckFailed) -> list[str]:
    lines = [f"  FAILED  {e.check}"]
    for part in e.detail.splitlines():
        # sentences are wrapped to fit a terminal; arrays and indented lines are not
        keep = part.startswith(" ") or "[" in part
        wrapped = [part] if keep else textwrap.wrap(part, 68)
        lines += [f"          {piece}" for piece in wrapped or [""]]
    if e.hint:  # wrapped to fit a terminal (and the page's code column)
        hint = textwrap.wrap(e.hint, width=68)
        lines += [f"  hint:   {hint[0]}"]
        lines += [f"          {part}" for part in hint[1:]]
    return lines
