"""What every checker needs: a failure with a hint, distinct random sizes, a guarded
call of the reader's function (in the child process, or in this one for trusted
code), and a comparison that names the likely mistake."""

import os
import signal
from contextlib import contextmanager

import numpy as np

from ..gradcheck import relative_error
from . import sandbox
from .child import Opaque, decode, run_call
from .sandbox import CALL_SECONDS, CallTimeUp


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


class TimeLimit(Exception):
    """The reader's function ran longer than CALL_SECONDS (in this process)."""


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


class LocalFunction:
    """A function called in this process, which it trusts (see `runner.grade`); its
    outcome is turned into the same data that the child process sends back."""

    def __init__(self, function):
        self.function, self.__name__ = function, function.__name__
        self.path = function.__code__.co_filename
        self.shown = os.path.basename(self.path)  # the file's name, wherever it is

    def run(self, args: list) -> dict:
        arrays = {}
        with _time_limit(CALL_SECONDS):
            record = run_call(self.function, args, self.path, arrays)
        if record["kind"] == "ok":
            record["value"] = decode(record["value"], arrays)
            record["args_after"] = [decode(a, arrays) for a in record["args_after"]]
        return record


class RemoteFunction:
    """A function of the reader's file, called in the child process of `session`."""

    def __init__(self, session, name: str, shown: str):
        self.session, self.__name__, self.shown = session, name, shown

    def run(self, args: list) -> dict:
        return self.session.call(self.__name__, args)


def call(check: str, function, *args, warnings_fail: bool = False):
    """Call the reader's function within CALL_SECONDS and return what it returned.

    An exception or the time limit becomes a CheckFailed; so does a NumPy warning
    (overflow, division by zero, invalid value) when `warnings_fail`, for the one
    exercise whose text says that warnings count. `function.last` keeps the whole
    outcome: the warnings and the arguments as they were afterwards.
    """
    if not hasattr(function, "run"):
        function = LocalFunction(function)
    name = function.__name__
    try:
        record = function.run(list(args))
    except CallTimeUp:
        record = {"kind": "raised", "type": "TimeLimit"}
    function.last = record
    if record["kind"] == "raised":
        kind = record["type"]
        if kind == "TimeLimit":
            raise CheckFailed(
                check,
                f"{name} took longer than {CALL_SECONDS} s on arrays of "
                f"shapes {[np.shape(a) for a in args]}",
                "use whole-array NumPy operations instead of Python loops over "
                "entries",
            )
        if kind == "NotImplementedError":
            raise CheckFailed(
                check,
                f"{name} raised NotImplementedError",
                "the starter's body is still in place: replace the "
                "`raise NotImplementedError` line with your code",
            )
        where = _where(function, record)
        hint = _exception_hint(record)
        raise CheckFailed(
            check, f"{name} raised {kind}: {record['message']} ({where})", hint
        )
    if warnings_fail and record["warnings"]:
        w = record["warnings"][0]
        raise CheckFailed(
            check,
            f"{name} caused a NumPy warning: {w['message']} "
            f"({_where(function, w)})",
            _warning_hint(w["message"]),
        )
    return record["value"]


def _where(function, record):
    """'line N of FILE.py': the reader's line named in `record`, if any."""
    line = record.get("line")
    return f"line {line} of {function.shown}" if line else function.shown


def _exception_hint(record):
    """A hint for an exception: a matrix product whose inner sizes differ gets the
    shapes of the arrays on the reader's line."""
    if record["type"] == "MemoryError":
        return (
            "your code asked for more memory than the check allows "
            f"({sandbox.MEMORY_BYTES // 1024**3} GiB): look for an array of size m x m "
            "or larger"
        )
    if record["type"] != "ValueError" or "matmul" not in record["message"]:
        return ""
    shapes = ", ".join(f"{k} is {tuple(v)}" for k, v in record["shapes"].items())
    code = f" `{record['code'].strip()}`" if record.get("code") else ""
    return (
        f"in A @ B the number of columns of A must equal the number of rows of B; on "
        f"line {record['line']}{code}: {shapes or 'see the shapes above'}. Is a "
        "transpose (.T) missing?"
    )


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


def type_name(value) -> str:
    """The name of the type of a value the reader's function returned."""
    return value.type_name if isinstance(value, Opaque) else type(value).__name__


def as_number(check: str, name: str, got) -> float:
    """`got` as a float if it is one number: a Python int or float, a NumPy scalar
    or a 0-d array; else a CheckFailed."""
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "iuf":
        return float(got)
    if isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(
        got, (bool, np.bool_)
    ):
        return float(got)
    raise CheckFailed(
        check,
        f"{name} returned {got!r} ({type_name(got)}); expected one number (a "
        "Python float, a NumPy scalar or a 0-d array)",
    )


def as_array(check: str, name: str, got, shape: tuple, dtype=np.float64) -> np.ndarray:
    """`got` if it is an array of exactly `shape` and `dtype`, else a CheckFailed."""
    if not isinstance(got, np.ndarray):
        raise CheckFailed(
            check,
            f"{name} must be a NumPy array of shape {shape}; got {type_name(got)}",
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
