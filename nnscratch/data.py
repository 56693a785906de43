"""MNIST from IDX files, the write-up's HDF5 layout, or the shipped sample.

Every loader returns a `Dataset` of column-major arrays: images (784, m)
float32 in [0, 1] and integer labels (m,). `one_hot` turns labels into the
(10, m) float32 targets the network trains on.
"""

import gzip
import hashlib
import os
import struct
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

N_PIXELS = 784
N_CLASSES = 10

# name of each file -> SHA-256 of its uncompressed bytes (the published digests)
FILES = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
SAMPLE_FILE = "mnist_sample.npz"
CREDIT = (
    "MNIST database of handwritten digits, Y. LeCun, C. Cortes and C. J. C. Burges, "
    "licensed CC BY-SA 3.0"
)


class DataError(ValueError):
    """Raised for any unreadable or invalid data file; the message names the file and the fix."""


@dataclass
class Dataset:
    """Train and test splits; X arrays are (784, m) float32 in [0, 1], y arrays (m,) int64."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


# --8<-- [start:one_hot]
def one_hot(y, n_classes=N_CLASSES, dtype=np.float32):
    r"""One-hot targets, one column per example: $Y_{kj} = [\,y_j = k\,]$.

    Args:
        y: integer labels in 0..n_classes-1, shape (m,).

    Returns:
        Array of shape (n_classes, m) and the given dtype.
    """
    y = np.asarray(y).ravel()
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise DataError(f"labels must lie in 0..{n_classes - 1}; found {y.min()}..{y.max()}")
    return (np.arange(n_classes)[:, None] == y[None, :]).astype(dtype)
# --8<-- [end:one_hot]


# --8<-- [start:to_columns]
def to_columns(images):
    """uint8 images (m, 28, 28) or (m, 784) -> float32 columns (784, m) in [0, 1].

    Each image becomes one column, pixels in row-major order, divided by 255.
    """
    images = np.asarray(images)
    flat = images.reshape(images.shape[0], -1)
    if flat.shape[1] != N_PIXELS:
        raise DataError(f"images must have {N_PIXELS} pixels each; got {flat.shape[1]}")
    return np.ascontiguousarray(flat.T, dtype=np.float32) / np.float32(255)
# --8<-- [end:to_columns]


def read_idx(path):
    """Read one IDX file (gzip-compressed or raw) into a uint8 array.

    Images come back as (n, rows, cols), labels as (n,).

    Raises:
        DataError: truncated or corrupt gzip, wrong magic number, a size that
            does not match the header.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise DataError(f"{path}: {len(raw)} bytes is too short for an IDX header; re-download it")
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08 or ndim not in (1, 3):
        raise DataError(
            f"{path}: magic number {raw[:4].hex()} is not an unsigned-byte IDX file "
            "(expected 00000801 for labels or 00000803 for images); check the file name"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: header truncated at {len(raw)} bytes; re-download it")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(raw) != expected:
        raise DataError(
            f"{path}: header promises {expected} bytes for shape {shape}, file has {len(raw)}; "
            "re-download it"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _read_bytes(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as e:
            raise DataError(f"{path}: corrupt or truncated gzip ({e}); re-download it") from None
    return raw


def find_idx(folder, name):
    """Path of `name` or `name.gz` inside `folder`, or a DataError listing what is expected."""
    folder = Path(folder)
    for candidate in (folder / (name + ".gz"), folder / name):
        if candidate.is_file():
            return candidate
    raise DataError(
        f"{folder}: missing {name}.gz (or {name}); a MNIST folder needs the four files "
        f"{', '.join(n + '.gz' for n in FILES)}"
    )


def images_and_labels(images, labels, where):
    """Check one split's uint8 images and labels; return (X (784, m) float32, y (m,) int64)."""
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{where}: images must be 28x28; got shape {images.shape[1:]}")
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise DataError(
            f"{where}: {images.shape[0]} images but {labels.shape[0]} labels; the counts must match"
        )
    if labels.size and labels.max() >= N_CLASSES:
        raise DataError(f"{where}: labels must lie in 0..9; found {int(labels.max())}")
    return to_columns(images), labels.astype(np.int64)


def load_idx_folder(folder):
    """Load the four official IDX files from a folder into a `Dataset`."""
    arrays = {name: read_idx(find_idx(folder, name)) for name in FILES}
    X_train, y_train = images_and_labels(
        arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"], f"{folder} (train)")
    X_test, y_test = images_and_labels(
        arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"], f"{folder} (t10k)")
    return Dataset(X_train, y_train, X_test, y_test)


def load_hdf5(path):
    """Load the write-up's HDF5 layout: x_* float (m, 784) in [0, 1], y_* (m, 1) integers."""
    import h5py

    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: not a readable HDF5 file ({e})") from None
    with f:
        parts = {}
        for split in ("train", "test"):
            x = _hdf5_dataset(f, path, f"x_{split}", 2, np.floating)
            y = _hdf5_dataset(f, path, f"y_{split}", 2, np.integer)
            if x.shape[1] != N_PIXELS or y.shape[1] != 1 or x.shape[0] != y.shape[0]:
                raise DataError(
                    f"{path}: x_{split} must be (m, {N_PIXELS}) and y_{split} (m, 1); "
                    f"got {x.shape} and {y.shape}"
                )
            if x.size and not (np.isfinite(x).all() and x.min() >= 0 and x.max() <= 1):
                raise DataError(f"{path}: x_{split} pixel values must lie in [0, 1]; rescale by 1/255")
            y = y[:, 0].astype(np.int64)
            if y.size and (y.min() < 0 or y.max() >= N_CLASSES):
                raise DataError(f"{path}: y_{split} labels must lie in 0..9; found {y.min()}..{y.max()}")
            parts[split] = (np.ascontiguousarray(x.T, dtype=np.float32), y)
    return Dataset(*parts["train"], *parts["test"])


def _hdf5_dataset(f, path, key, ndim, kind):
    if key not in f or not hasattr(f[key], "dtype"):
        raise DataError(f"{path}: dataset {key!r} is missing; expected x_train, y_train, x_test, y_test")
    d = f[key]
    if d.ndim != ndim or not np.issubdtype(d.dtype, kind):
        raise DataError(
            f"{path}: dataset {key!r} must be {ndim}-D {kind.__name__}; got {d.ndim}-D {d.dtype}"
        )
    try:
        return d[()]
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: dataset {key!r} is unreadable ({e})") from None


def load_sample():
    """The small real MNIST sample shipped inside the package (5,000 train, 1,000 test).

    Made from the official files by `nnscratch data make-sample` ({CREDIT}).
    """
    with resources.files("nnscratch").joinpath(SAMPLE_FILE).open("rb") as f:
        with np.load(f, allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    X_train, y_train = images_and_labels(arrays["x_train"], arrays["y_train"], "sample (train)")
    X_test, y_test = images_and_labels(arrays["x_test"], arrays["y_test"], "sample (test)")
    return Dataset(X_train, y_train, X_test, y_test)


def load_data(source):
    """Load a `Dataset` from "sample", a folder of IDX files, or an HDF5 file."""
    if str(source) == "sample":
        return load_sample()
    path = Path(source)
    if path.is_dir():
        return load_idx_folder(path)
    if path.is_file():
        return load_hdf5(path)
    raise DataError(
        f"{source}: no such file or folder; pass a folder of MNIST IDX files, "
        "an HDF5 file in the write-up's layout, or 'sample'"
    )


def make_sample(folder, out, n_train=5000, n_test=1000, seed=0):
    """Write the shipped sample: a seeded random subset of the official files.

    The subset is drawn without replacement by `default_rng(seed)`; the
    output is compressed uint8 and records the SHA-256 of each source file.
    """
    digests = {}
    arrays = {}
    for name, expected in FILES.items():
        path = find_idx(folder, name)
        digest = hashlib.sha256(_read_bytes(path)).hexdigest()
        if digest != expected:
            raise DataError(f"{path}: SHA-256 {digest} does not match the official {expected}")
        digests[name] = digest
        arrays[name] = read_idx(path)
    rng = np.random.default_rng(seed)
    train = np.sort(rng.choice(arrays["train-labels-idx1-ubyte"].size, n_train, replace=False))
    test = np.sort(rng.choice(arrays["t10k-labels-idx1-ubyte"].size, n_test, replace=False))
    atomic_write(out, lambda f: np.savez_compressed(
        f,
        x_train=arrays["train-images-idx3-ubyte"][train],
        y_train=arrays["train-labels-idx1-ubyte"][train],
        x_test=arrays["t10k-images-idx3-ubyte"][test],
        y_test=arrays["t10k-labels-idx1-ubyte"][test],
        train_index=train, test_index=test,
        source_sha256=np.array([f"{k} {v}" for k, v in digests.items()]),
        credit=np.array(CREDIT),
    ))


def atomic_write(path, write):
    """Call write(file) on a temporary file beside `path`, then rename it into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
