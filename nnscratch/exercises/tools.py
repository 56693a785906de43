"""What every checker needs: a failure with a hint, distinct random sizes, a guarded
call of the reader's function, and a comparison that names the likely mistake."""

import os
import signal
import sys
import traceback
import warnings
from contextlib import contextmanager

import numpy as np

from ..gradcheck import relative_error


class CheckFailed(Exception):
    """One check of an exercise failed; `str()` is the whole message for the reader.

    Args:
        check: short name of the check, e.g. "values against central differences".
        detail: what was compared, on which shapes, expected vs got (one or more lines).
        hint: what the reader should look at, or "" if there is nothing targeted.
    """

    def __init__(self, check: str, detail: str, hint: str = ""):
        self.check, self.detail, self.hint = check, detail, hint
        super().__init__(f"{check}: {detail}" + (f"\nhint: {hint}" if hint else ""))


def distinct_sizes(
    rng: np.random.Generator, count: int, low: int = 3, high: int = 9
) -> list[int]:
    """`count` different integers in [low, high], so no transpose can pass by
    accident."""
    return [
        int(n) for n in rng.choice(np.arange(low, high + 1), size=count, replace=False)
    ]


CALL_SECONDS = 10  # time limit of one call of the reader's function


class TimeLimit(Exception):
    """The reader's function ran longer than CALL_SECONDS."""


@contextmanager
def _time_limit(seconds):
    """Raise TimeLimit inside the block after `seconds` (main thread of a POSIX
    system)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call(check: str, function, *args):
    """Call the reader's function within CALL_SECONDS; an exception, a NumPy warning
    (overflow, division by zero, invalid value) or the time limit becomes a CheckFailed.

    Returns:
        Whatever the function returned.
    """
    name = function.__name__
    try:
        with (
            warnings.catch_warnings(),
            _time_limit(CALL_SECONDS),
            np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"),
        ):
            warnings.simplefilter("error", RuntimeWarning)
            return function(*args)
    except TimeLimit:
        raise CheckFailed(
            check,
            f"{name} took longer than {CALL_SECONDS} s on arrays of "
            f"shapes {[np.shape(a) for a in args]}",
            "use whole-array NumPy operations instead of Python loops over entries",
        ) from None
    except NotImplementedError:
        raise CheckFailed(
            check,
            f"{name} raised NotImplementedError",
            "the starter's body is still in place: replace the "
            "`raise NotImplementedError` line with your code",
        ) from None
    except RuntimeWarning as w:
        raise CheckFailed(
            check,
            f"{name} caused a NumPy warning: {w} ({_where(function)})",
            _warning_hint(str(w)),
        ) from None
    except (Exception, SystemExit) as e:
        raise CheckFailed(
            check, f"{name} raised {type(e).__name__}: {e} ({_where(function)})"
        ) from None


def _where(function):
    """'line N of FILE.py': the last line of the reader's file in the current
    traceback."""
    home = function.__code__.co_filename
    frames = [f for f in traceback.extract_tb(sys.exc_info()[2]) if f.filename == home]
    shown = os.path.basename(home)  # the file's name, wherever it was run from
    return f"line {frames[-1].lineno} of {shown}" if frames else shown


def _warning_hint(message):
    if "overflow" in message:
        return (
            "an exponential overflowed: rewrite the formula so that exp only ever "
            "sees arguments <= 0 (for example subtract a maximum first)"
        )
    if "divide" in message or "invalid" in message:
        return (
            "a division by zero or inf/inf: look for a quantity that rounds to 0 or inf"
        )
    return ""


def as_array(check: str, name: str, got, shape: tuple, dtype=np.float64) -> np.ndarray:
    """`got` if it is an array of exactly `shape` and `dtype`, else a CheckFailed."""
    if not isinstance(got, np.ndarray):
        raise CheckFailed(
            check,
            f"{name} must be a NumPy array of shape {shape}; got {type(got).__name__}",
        )
    if got.shape != shape:
        hint = ""
        if got.shape == shape[::-1]:
            hint = (
                f"{name} is transposed: one column per example, rows index units "
                "or classes"
            )
        elif len(shape) == 2 and shape[1] == 1 and got.shape == shape[:1]:
            hint = "keep the column: sum with keepdims=True so the result is (n, 1)"
        elif len(shape) == 2 and shape[1] == 1 and got.ndim == 2 and got.shape[0] == 1:
            hint = (
                "you summed over the wrong axis: a bias gradient sums over the m "
                "examples, axis=1, keepdims=True"
            )
        raise CheckFailed(
            check, f"{name} has shape {got.shape}; expected {shape}", hint
        )
    if got.dtype != dtype:
        raise CheckFailed(
            check,
            f"{name} has dtype {got.dtype}; expected {np.dtype(dtype)} "
            f"(the inputs were {np.dtype(dtype)})",
            "do not cast: NumPy keeps the inputs' dtype if you let it",
        )
    if not np.all(np.isfinite(got)):
        raise CheckFailed(
            check,
            f"{name} holds {np.count_nonzero(~np.isfinite(got))} "
            "non-finite entries (nan or inf)",
            _warning_hint("overflow"),
        )
    return got


def compare(
    check: str,
    name: str,
    got: np.ndarray,
    expected: np.ndarray,
    tol: float,
    m: int | None = None,
    suspects: dict | None = None,
) -> float:
    """Raise CheckFailed unless `got` is within relative error `tol` of `expected`.

    The message gives the largest relative error and, when the answer matches a
    known mistake, a targeted hint: a factor m or 1/m (m examples), a sign, or
    one of `suspects` (hint -> the array that mistake would produce).

    Returns:
        The relative error, for the report.
    """
    error = relative_error(got, expected)
    if error <= tol:
        return error
    detail = (
        f"{name} of shape {got.shape}: largest relative error {error:.2e} "
        f"(allowed {tol:.0e}); expected {_peek(expected)}, got {_peek(got)}"
    )
    raise CheckFailed(check, detail, _diagnose(name, got, expected, m, suspects or {}))


def _peek(a):
    flat = np.ravel(a)
    more = ", ..." if flat.size > 3 else ""
    return "[" + ", ".join(f"{x:.4g}" for x in flat[:3]) + more + "]"


def _diagnose(name, got, expected, m, suspects):
    def close(a, b):
        return relative_error(a, b) < 1e-6

    for hint, wrong in suspects.items():
        if close(got, wrong):
            return hint
    if close(got, -expected):
        return f"{name} has the wrong sign: check which term is subtracted from which"
    if m is not None and m > 1:
        if close(got, m * expected):
            return (
                f"your {name} is m = {m} times too large: the loss is a mean over the "
                "m examples, so divide by m (once)"
            )
        if close(got, expected / m):
            return f"your {name} is m = {m} times too small: did you divide by m twice?"
    if close(got, 2 * expected):
        return f"your {name} is twice too large: look for a factor 2 that should cancel"
    return ""
