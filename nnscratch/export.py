"""Export a trained model for the browser: the JSON file the draw-a-digit page fetches.

The file holds each parameter as base64 of its raw little-endian bytes,
row-major, with the shapes of the package (W1 (n_h, 784), b1 (n_h, 1),
W2 (10, n_h), b2 (10, 1)), plus the hidden activation the page must use.
float32 keeps the parameters exactly; float16 halves the file and is only
written when the probabilities it gives on the shipped sample's test images
stay within `FLOAT16_TOLERANCE` of float32's.
"""

import base64
import json
from pathlib import Path

import numpy as np

from .checks import check_memory
from .data import N_CLASSES, N_PIXELS, atomic_write_text, load_sample
from .fileio import NotRegularFile, check_target, open_regular
from .model_io import PARAM_NAMES, load_model
from .network import HIDDEN_ACTIVATIONS, feed_forward

WEB_FORMAT = "nnscratch-web-model"
WEB_VERSION = 1
WEB_DTYPES = ("float32", "float16")
FLOAT16_TOLERANCE = 1e-3


def web_model(
    params: dict[str, np.ndarray], activation: str, dtype: str = "float32"
) -> dict:
    """The JSON-ready dict of the page's model file.

    Args:
        params: dict with W1 (n_h, 784), b1 (n_h, 1), W2 (10, n_h), b2 (10, 1).
        activation: the hidden activation the model was trained with.
        dtype: "float32" or "float16", the stored precision.

    Returns:
        Dict with format, version, dtype, byte_order, activation, shapes
        (name -> list) and params (name -> base64 string).
    """
    if dtype not in WEB_DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(WEB_DTYPES)}; got {dtype!r}")
    little = np.dtype(dtype).newbyteorder("<")
    return {
        "format": WEB_FORMAT,
        "version": WEB_VERSION,
        "dtype": dtype,
        "byte_order": "little",
        "activation": activation,
        "shapes": {k: list(params[k].shape) for k in PARAM_NAMES},
        "params": {
            k: base64.b64encode(
                np.ascontiguousarray(params[k], dtype=little).tobytes()
            ).decode("ascii")
            for k in PARAM_NAMES
        },
    }


def read_web_model(path):
    """Read a file written by `export_model`.

    Returns:
        (params, activation): float32 arrays W1, b1, W2, b2 with the stored
        shapes (float16 files are widened exactly), and the activation name.

    Raises:
        ValueError: the file is missing, not JSON, of another format or
            version, or a parameter's bytes do not match its shape.
    """
    path = Path(path)
    try:
        with open_regular(path) as f:
            doc = json.loads(f.read().decode("utf-8"))
    except NotRegularFile as e:
        raise ValueError(
            f"{e.strerror}; give the JSON file 'nnscratch export' wrote"
        ) from None
    except FileNotFoundError:
        raise ValueError(
            f"{path}: no such file; write it with 'nnscratch export MODEL OUT'"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: not a JSON model file ({e})") from None
    except RecursionError:
        raise ValueError(f"{path}: JSON nested too deeply to be a model file") from None
    if (
        not isinstance(doc, dict)
        or doc.get("format") != WEB_FORMAT
        or doc.get("version") != WEB_VERSION
    ):
        raise ValueError(f"{path}: not a {WEB_FORMAT} version {WEB_VERSION} file")
    if (
        doc.get("dtype") not in WEB_DTYPES
        or doc.get("activation") not in HIDDEN_ACTIVATIONS
    ):
        raise ValueError(
            f"{path}: dtype {doc.get('dtype')!r} or activation "
            f"{doc.get('activation')!r} unknown"
        )
    params = {}
    for k in PARAM_NAMES:
        try:
            shape = tuple(int(n) for n in doc["shapes"][k])
            raw = base64.b64decode(doc["params"][k], validate=True)
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(
                f"{path}: parameter {k} missing or malformed ({e!r})"
            ) from None
        stored = np.dtype(doc["dtype"]).newbyteorder("<")
        if len(raw) != int(np.prod(shape)) * stored.itemsize:
            raise ValueError(
                f"{path}: {k} holds {len(raw)} bytes; shape {shape} in {doc['dtype']} "
                f"needs {int(np.prod(shape)) * stored.itemsize}"
            )
        params[k] = np.frombuffer(raw, dtype=stored).astype(np.float32).reshape(shape)
    return params, doc["activation"]


def float16_deviation(params, X, activation):
    """Largest |p16 - p32| over the softmax outputs of X, parameters rounded to float16.

    Args:
        params: float32 parameters.
        X: inputs, shape (784, m).
        activation: hidden activation.

    Returns:
        A float: max over classes and examples of the probability difference.
    """
    rounded = {k: v.astype(np.float16).astype(np.float32) for k, v in params.items()}
    p32 = feed_forward(X, params, activation)["A2"]
    p16 = feed_forward(X, rounded, activation)["A2"]
    return float(np.max(np.abs(p16 - p32)))


def float32_params(model_path, params):
    """The parameters in float32; ValueError if a weight is beyond float32's range."""
    with np.errstate(over="ignore"):
        narrow = {k: v.astype(np.float32) for k, v in params.items()}
    for k, v in narrow.items():
        if not np.isfinite(v).all():
            largest = float(np.max(np.abs(params[k])))
            raise ValueError(
                f"{model_path}: {k} holds {largest:.3g}, beyond float32's largest "
                f"{float(np.finfo(np.float32).max):.3g}; the page computes in "
                "float32: train again with a lower --lr or --weight-decay"
            )
    return narrow


def export_model(model_path, out, dtype="float32"):
    """Write the page's model file for a model saved by `nnscratch train`, atomically.

    Returns:
        The float16 deviation on the shipped sample's test images (0.0 for float32).

    Raises:
        ModelFileError: the model file is unreadable.
        ValueError: the model is not 784-n_h-10, the output folder is missing,
            or float16 would move a probability by more than `FLOAT16_TOLERANCE`.
    """
    out = Path(out)
    if not out.parent.is_dir():
        raise ValueError(
            f"{out.parent}: no such folder for {out.name}; create it first"
        )
    if out.is_dir():
        raise ValueError(
            f"{out}: is a folder; give the path of the JSON file to write, "
            f"e.g. {out}/model.json"
        )
    if out.exists() and out.resolve() == Path(model_path).resolve():
        raise ValueError(
            f"{out}: is the model file itself; write the JSON file elsewhere, "
            f"e.g. {out.with_suffix('.json')}"
        )
    check_target(out)
    params, hyper = load_model(model_path)
    activation = hyper["activation"]  # load_model checked it is one the page knows
    n_h, n_x = params["W1"].shape
    if n_x != N_PIXELS or params["W2"].shape[0] != N_CLASSES:
        raise ValueError(
            f"{model_path}: model is {n_x}-{n_h}-{params['W2'].shape[0]}; "
            "the page needs 784-n_h-10"
        )
    n_params = sum(v.size for v in params.values())
    # float32 copies, their bytes, base64 text, the JSON string and its UTF-8 bytes
    check_memory(
        n_params * 4 * (2 + 3 * 4 / 3),
        f"exporting {model_path} (784-{n_h}-10)",
        "export on a machine with more memory",
    )
    params = float32_params(model_path, params)
    deviation = 0.0
    if dtype == "float16":
        deviation = float16_deviation(params, load_sample().X_test, activation)
        if not deviation <= FLOAT16_TOLERANCE:
            raise ValueError(
                f"{model_path}: float16 moves a probability by {deviation:.2g} "
                f"(limit {FLOAT16_TOLERANCE:g}); export with --dtype float32"
            )
    text = (
        json.dumps(web_model(params, activation, dtype), separators=(",", ":")) + "\n"
    )
    atomic_write_text(out, text)
    return deviation
