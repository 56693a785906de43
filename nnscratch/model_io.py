"""Saving and loading trained models as plain .npz files (never pickled).

A model file is a zip archive of six `.npy` members: the float parameters
W1, b1, W2, b2, an integer `format_version` and `hyperparameters`, a JSON
object stored as one string (it names the hidden activation). `load_model`
reads only those six members, checks each member's declared shape and dtype
before reading its data, and turns any other content into one
`ModelFileError` line naming the file, the member, what was expected and
what was found.
"""

import json
import math
import zipfile
from pathlib import Path

import numpy as np

from .checks import (
    HIDDEN_ACTIVATIONS,
    LIMITS,
    MemoryBudgetError,
    check_memory,
    check_params,
)
from .fileio import NotRegularFile, atomic_write, open_regular

FORMAT_VERSION = 1
PARAM_NAMES = ("W1", "b1", "W2", "b2")
MEMBERS = (*PARAM_NAMES, "format_version", "hyperparameters")
MAX_MEMBER_BYTES = 1 << 30  # 1 GiB: above a float64 W1 at n_h 65,536 (0.38 GiB)
MAX_TEXT_CHARS = 1 << 16  # the hyper-parameters are a few hundred characters
FIX = "give the model.npz that 'nnscratch train' writes"

# first bytes of files people pass by mistake -> what they are
KNOWN_FILES = (
    (b"\x93NUMPY", "a single .npy array, not a model .npz archive"),
    (b"\x89HDF", "an HDF5 file (a data set?), not a model .npz archive"),
    (b"\x89PNG", "a PNG image, not a model .npz archive"),
    (b"\x1f\x8b", "a gzip file, not a model .npz archive"),
    (b"{", "a JSON file (an exported web model?), not a model .npz archive"),
)


class ModelFileError(ValueError):
    """Raised when a model file is missing, corrupt, or of another format."""


def save_model(
    path: Path, params: dict[str, np.ndarray], hyperparameters: dict
) -> None:
    """Write params and a JSON dict of hyper-parameters to `path` atomically.

    Args:
        path: the .npz file to write.
        params: W1 (n_h, n_x), b1 (n_h, 1), W2 (K, n_h), b2 (K, 1), finite floats.
        hyperparameters: JSON-serialisable dict; its "activation" must be
            "sigmoid" or "relu".

    Raises:
        ValueError: a parameter is not finite floats of consistent shapes, or
            the activation is missing or unknown (nothing is written).
    """
    _, n_h, _ = check_params(params)
    low, high = LIMITS["n_h"]
    if not low <= n_h <= high:
        raise ValueError(f"n_h must be {low} to {high} to be saved; got {n_h}")
    for name in PARAM_NAMES:
        a = np.asarray(params[name])
        if a.dtype.kind != "f" or not np.isfinite(a).all():
            raise ValueError(
                f"{name} must hold finite floats to be saved; got {a.dtype} "
                "with NaN or infinite values"
                if a.dtype.kind == "f"
                else f"{name} must hold floats to be saved; got {a.dtype}"
            )
    if hyperparameters.get("activation") not in HIDDEN_ACTIVATIONS:
        raise ValueError(
            "hyperparameters must name the activation, one of "
            f"{', '.join(HIDDEN_ACTIVATIONS)}; "
            f"got {hyperparameters.get('activation')!r}"
        )
    arrays = {name: params[name] for name in PARAM_NAMES}
    arrays["format_version"] = np.array(FORMAT_VERSION)
    text = json.dumps(hyperparameters, sort_keys=True, allow_nan=False)
    arrays["hyperparameters"] = np.array(text)
    atomic_write(path, lambda f: np.savez(f, **arrays))


def load_model(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    """Read a model written by `save_model`.

    Returns:
        (params, hyperparameters): dict of float arrays W1 (n_h, n_x),
        b1 (n_h, 1), W2 (K, n_h), b2 (K, 1), and a dict naming the activation.

    Raises:
        ModelFileError: the file is missing, not an npz archive, of another
            format version, or a member is missing, of the wrong dtype or
            shape, not finite, or too large.
    """
    path = Path(path)
    try:
        file = open_regular(path)
    except FileNotFoundError:
        raise ModelFileError(
            f"{path}: no such model file; " "train one with 'nnscratch train --out DIR'"
        ) from None
    except NotRegularFile as e:
        raise ModelFileError(f"{e.strerror}; {FIX}") from None
    except OSError as e:
        raise ModelFileError(
            f"{path}: cannot read the model file ({e.strerror})"
        ) from None
    try:
        with file:
            head = file.read(8)
            if not head.startswith(b"PK"):
                raise ModelFileError(f"{path}: {_what(head)}; {FIX}")
            file.seek(0)
            with zipfile.ZipFile(file) as z:
                arrays = {name: _read_member(z, path, name) for name in MEMBERS}
    except (ModelFileError, MemoryBudgetError, MemoryError):
        raise
    # a damaged archive raises many types, from zipfile, zlib or numpy's header parser
    # reading bytes only: every failure is a bad file
    except Exception as e:  # noqa: BLE001
        reason = " ".join(str(e).split()) or type(e).__name__
        raise ModelFileError(
            f"{path}: corrupt or truncated model archive ({reason}); " f"{FIX}"
        ) from None
    return _checked(path, arrays)


def _what(head):
    if not head:
        return "the file is empty (0 bytes), not a model"
    for magic, what in KNOWN_FILES:
        if head.lstrip().startswith(magic):
            return what
    return "not a model .npz archive (not a zip file)"


def _read_member(z, path, name):
    """One member's array; its declared shape and size are checked before its data."""
    try:
        info = z.getinfo(name + ".npy")
    except KeyError:
        raise ModelFileError(
            f"{path}: member {name}.npy is missing; expected "
            f"{', '.join(m + '.npy' for m in MEMBERS)}; {FIX}"
        ) from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise ModelFileError(
            f"{path}: member {name}.npy declares {info.file_size} bytes; "
            f"a model member is at most {MAX_MEMBER_BYTES}"
        )
    with z.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ModelFileError(
                f"{path}: member {name}.npy is in .npy format {version}; "
                "expected 1.0 or 2.0"
            )
        if dtype.hasobject:
            raise ModelFileError(
                f"{path}: member {name}.npy holds Python objects, which "
                "are never unpickled; a model holds numbers only"
            )
        size = math.prod(shape) * dtype.itemsize
        header = f.tell()
        if size != info.file_size - header:
            raise ModelFileError(
                f"{path}: member {name}.npy declares shape {shape} of {dtype} "
                f"({size} bytes) "
                f"but holds {info.file_size - header} bytes"
            )
        _check_dimensions(path, name, shape)
        check_memory(
            2 * size,
            f"{path}: member {name}.npy ({size} bytes)",
            "load it on a machine with more memory",
        )
        data = f.read(size)
    if len(data) != size:
        raise ModelFileError(f"{path}: member {name}.npy is truncated")
    return (
        np.frombuffer(data, dtype=dtype)
        .reshape(shape, order="F" if fortran else "C")
        .copy()
    )


def _check_dimensions(path, name, shape):
    """A parameter's hidden size n_h, read from its header, is within train's limits."""
    axis = {"W1": 0, "b1": 0, "W2": 1}.get(name)
    if axis is None or len(shape) <= axis:
        return  # other shapes are checked once every member is read
    n_h = shape[axis]
    low, high = LIMITS["n_h"]
    if not low <= n_h <= high:
        raise ModelFileError(
            f"{path}: member {name}.npy has shape {shape}, n_h = {n_h}; train "
            f"accepts {low} to {high} hidden units, so no model file holds that; {FIX}"
        )


def _checked(path, arrays):
    """Check dtypes, values, version and hyper-parameters; return (params, hyper)."""
    version = arrays["format_version"]
    if version.shape != () or version.dtype.kind not in "iu":
        raise ModelFileError(
            f"{path}: format_version must be one integer; got "
            f"{version.dtype} of shape {version.shape}"
        )
    if int(version) != FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: format version {int(version)}; "
            f"this nnscratch reads version {FORMAT_VERSION}"
        )
    params = {k: arrays[k] for k in PARAM_NAMES}
    for k, a in params.items():
        if a.dtype.kind != "f" or a.dtype.itemsize not in (4, 8):
            raise ModelFileError(
                f"{path}: {k} must hold float32 or float64; got {a.dtype}"
            )
    try:
        check_params(params)
    except ValueError as e:
        raise ModelFileError(f"{path}: {e}") from None
    for k, a in params.items():
        if not np.isfinite(a).all():
            raise ModelFileError(
                f"{path}: {k} holds NaN or infinite values; "
                "the run that wrote it diverged: train again with a lower --lr"
            )
    return params, _hyperparameters(path, arrays["hyperparameters"])


def _hyperparameters(path, text):
    if (
        text.shape != ()
        or text.dtype.kind != "U"
        or text.dtype.itemsize > 4 * MAX_TEXT_CHARS
    ):
        raise ModelFileError(
            f"{path}: hyperparameters must be one JSON string; "
            f"got {text.dtype} of shape {text.shape}"
        )
    try:
        hyper = json.loads(str(text))
    except RecursionError:
        raise ModelFileError(
            f"{path}: hyperparameters are JSON nested too deeply to read; {FIX}"
        ) from None
    except ValueError as e:
        raise ModelFileError(
            f"{path}: hyperparameters are not valid JSON ({e})"
        ) from None
    if not isinstance(hyper, dict):
        raise ModelFileError(
            f"{path}: hyperparameters must be a JSON object; "
            f"got {type(hyper).__name__}"
        )
    if "activation" not in hyper:
        raise ModelFileError(
            f"{path}: hyperparameters do not name the activation; "
            f"expected one of {', '.join(HIDDEN_ACTIVATIONS)}"
        )
    if hyper["activation"] not in HIDDEN_ACTIVATIONS:
        raise ModelFileError(
            f"{path}: hyperparameters name the activation "
            f"{hyper['activation']!r}; expected one of "
            f"{', '.join(HIDDEN_ACTIVATIONS)}"
        )
    return hyper
