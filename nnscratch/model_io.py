"""Saving and loading trained models as plain .npz files (never pickled)."""

import json
from pathlib import Path

import numpy as np

from .data import atomic_write

FORMAT_VERSION = 1
PARAM_NAMES = ("W1", "b1", "W2", "b2")


class ModelFileError(ValueError):
    """Raised when a model file is missing, corrupt, or of another format."""


def save_model(path, params, hyperparameters):
    """Write params and a JSON dict of hyper-parameters to `path` atomically."""
    arrays = {name: params[name] for name in PARAM_NAMES}
    arrays["format_version"] = np.array(FORMAT_VERSION)
    arrays["hyperparameters"] = np.array(json.dumps(hyperparameters, sort_keys=True))
    atomic_write(path, lambda f: np.savez(f, **arrays))


def load_model(path):
    """Read a model written by `save_model`.

    Returns:
        (params, hyperparameters): dict of arrays W1, b1, W2, b2 and a dict.

    Raises:
        ModelFileError: the file is missing, not an npz, of another format
            version, or holds arrays of inconsistent shapes.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            contents = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file; train one with 'nnscratch train --out DIR'") from None
    except (OSError, ValueError) as e:
        raise ModelFileError(f"{path}: not a model file written by nnscratch ({e})") from None
    missing = [k for k in (*PARAM_NAMES, "format_version", "hyperparameters") if k not in contents]
    if missing:
        raise ModelFileError(f"{path}: missing {', '.join(missing)}; not a model file written by nnscratch")
    version = int(contents["format_version"])
    if version != FORMAT_VERSION:
        raise ModelFileError(f"{path}: format version {version}; this nnscratch reads version {FORMAT_VERSION}")
    params = {k: contents[k] for k in PARAM_NAMES}
    n_h, n_x = params["W1"].shape
    n_y = params["W2"].shape[0]
    expected = {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}
    for k, shape in expected.items():
        if params[k].shape != shape:
            raise ModelFileError(f"{path}: {k} has shape {params[k].shape}, expected {shape}")
    return params, json.loads(str(contents["hyperparameters"]))
