"""The reader's side of `nnscratch check`: run the reader's functions, send back data.

`nnscratch check` starts this file as a script (`python -B child.py FOLDER FILE CMD
RESP NAME...`) in a process of its own; it imports only NumPy and the standard
library, never the grader. It imports the reader's FILE, then runs one call per
request: the parent writes the arguments as `.npy` files and a `call.json` into
FOLDER/N/ and writes the line `N` on the pipe CMD; this process calls the function,
writes what it returned (and the arguments as they are afterwards) as `.npy` files
and a `result.json` beside them, and answers `N` on the pipe RESP. It decides
nothing: the parent validates every file and judges the values.

`run_call` and `encode` are also used in-process by `grade()` on trusted functions,
so that both paths hand the checkers the same data.
"""

import json
import os
import re
import sys
import traceback
import warnings

import numpy as np

MAX_ITEMS = 64  # entries of a returned dict, tuple or list
MAX_DEPTH = 3  # nesting of dicts, tuples and lists
MAX_TEXT = 300  # characters kept of a message or a repr
MAX_WARNINGS = 5


def encode(value, arrays: dict, depth: int = 0) -> dict:
    """A JSON-able description of `value`; its arrays go into `arrays` (name ->
    ndarray), named in the description."""

    def array(a):
        name = f"a{len(arrays)}"
        arrays[name] = a
        return name

    if isinstance(value, (bool, np.bool_)) or value is None:
        return {"t": "other", "type": type(value).__name__, "repr": repr(value)}
    if isinstance(value, int) and abs(value) < 2**53:
        return {"t": "int", "value": int(value)}
    if isinstance(value, float):
        return {"t": "float", "value": float(value)}
    if isinstance(value, (np.integer, np.floating)):
        return {"t": "npscalar", "array": array(np.asarray(value))}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        if not value.dtype.fields:
            return {"t": "array", "array": array(np.asarray(value))}
    if depth < MAX_DEPTH and isinstance(value, dict) and len(value) <= MAX_ITEMS:
        items = list(dict.items(value))
        if all(isinstance(k, str) and len(k) <= 64 for k, _ in items):
            return {
                "t": "dict",
                "type": type(value).__name__,
                "items": {k: encode(v, arrays, depth + 1) for k, v in items},
            }
    if depth < MAX_DEPTH and isinstance(value, (tuple, list)):
        if len(value) <= MAX_ITEMS:
            kind = "tuple" if isinstance(value, tuple) else "list"
            return {"t": kind, "items": [encode(v, arrays, depth + 1) for v in value]}
    try:
        shown = repr(value)[:MAX_TEXT]
    except Exception:  # a reader's class whose repr raises
        shown = "?"
    return {"t": "other", "type": type(value).__name__[:64], "repr": shown}


def decode(spec: dict, arrays: dict):
    """The value that `encode` described, from `arrays` (name -> ndarray)."""
    t = spec["t"]
    if t == "array":
        return arrays[spec["array"]]
    if t == "npscalar":
        return arrays[spec["array"]][()]
    if t in ("int", "float"):
        return spec["value"]
    if t == "dict":
        return {k: decode(v, arrays) for k, v in spec["items"].items()}
    if t in ("tuple", "list"):
        items = [decode(v, arrays) for v in spec["items"]]
        return tuple(items) if t == "tuple" else items
    return Opaque(spec["type"], spec["repr"])


class Opaque:
    """A returned value that is not data (a function, a string, ...): its type name
    and its repr, as text."""

    def __init__(self, type_name: str, shown: str):
        self.type_name, self.shown = type_name, shown

    def __repr__(self):
        return self.shown


def _reader_frame(tb, path):
    """The last frame of the traceback `tb` that runs the reader's file."""
    frame = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            frame = tb
        tb = tb.tb_next
    return frame


def describe_exception(e: BaseException, path: str) -> dict:
    """Type, first line of the message, and the reader's line: its number, its code
    and the shapes of the arrays that it names."""
    found = _reader_frame(e.__traceback__, path)
    line = code = None
    shapes = {}
    if isinstance(e, SyntaxError) and e.filename == path:
        line = e.lineno
    elif found is not None:
        line = found.tb_lineno
        code = traceback.extract_tb(found, limit=1)[0].line or None
        names = set(re.findall(r"[A-Za-z_]\w*", code or ""))
        for name, value in found.tb_frame.f_locals.items():
            if name in names and isinstance(value, np.ndarray):
                shapes[name] = list(value.shape)
    try:
        text = str(e.msg if isinstance(e, SyntaxError) else e)
    except Exception:
        text = ""
    return {
        "kind": "raised",
        "type": type(e).__name__[:64],
        "message": (text.splitlines() or [""])[0][:MAX_TEXT],
        "line": line,
        "code": code and code[:MAX_TEXT],
        "shapes": dict(list(shapes.items())[:8]),
    }


def run_call(function, args: list, path: str, arrays: dict) -> dict:
    """Call `function(*args)`; describe what happened, its arrays into `arrays`.

    NumPy's floating-point warnings are recorded, not raised (a checker decides
    whether one counts); underflow is ignored.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(all="warn", under="ignore"):
                value = function(*args)
        except (Exception, SystemExit) as e:
            return describe_exception(e, path)
    found = [
        {
            "category": w.category.__name__[:64],
            "message": str(w.message)[:MAX_TEXT],
            "line": w.lineno if w.filename == path else None,
        }
        for w in caught[:MAX_WARNINGS]
    ]
    return {
        "kind": "ok",
        "value": encode(value, arrays),
        "args_after": [encode(a, arrays) for a in args],
        "warnings": found,
    }


def load_file(path: str, names: list) -> tuple[dict, dict | None]:
    """Import the reader's file; return (its functions `names`, None) or ({}, what
    went wrong)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("nnscratch_exercise_answer", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as e:
        problem = describe_exception(e, path)
        problem["kind"] = "syntax" if isinstance(e, SyntaxError) else "import"
        return {}, problem
    functions = {}
    for name in names:
        value = getattr(module, name, None)
        if not callable(value):
            return {}, {"kind": "missing", "name": name}
        functions[name] = value
    return functions, None


def _write_json(path, record):
    with open(path + ".part", "w", encoding="utf-8") as f:
        json.dump(record, f)
    os.replace(path + ".part", path)


def _serve(folder, path, commands, answer, names):
    functions, problem = load_file(path, names)
    _write_json(os.path.join(folder, "load.json"), problem or {"kind": "loaded"})
    os.write(answer, b"load\n")
    if problem:
        return
    for line in commands:
        request = line.strip().decode("ascii")
        if request == "quit":
            return
        here = os.path.join(folder, request)
        with open(os.path.join(here, "call.json"), encoding="utf-8") as f:
            call = json.load(f)
        inputs = {
            name: np.load(os.path.join(here, name + ".npy"), allow_pickle=False)
            for name in call["arrays"]
        }
        args = [decode(spec, inputs) for spec in call["args"]]
        arrays = {}
        record = run_call(functions[call["function"]], args, path, arrays)
        out = os.path.join(here, "out")
        os.mkdir(out)
        for name, a in arrays.items():
            np.save(os.path.join(out, name + ".npy"), a, allow_pickle=False)
        _write_json(os.path.join(out, "result.json"), record)
        os.write(answer, request.encode("ascii") + b"\n")


def main(argv):
    folder, path, commands_fd, answer_fd, *names = argv
    sys.path[0] = os.getcwd()  # not the package's folder: the reader's imports
    with os.fdopen(int(commands_fd), "rb") as commands:
        if commands.readline() != b"load\n":
            return
        _serve(folder, path, commands, int(answer_fd), names)


if __name__ == "__main__":
    main(sys.argv[1:])
