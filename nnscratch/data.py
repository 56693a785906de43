"""MNIST from IDX files, the write-up's HDF5 layout, or the shipped sample.

Every loader returns a `Dataset` of column-major arrays: images (784, m)
float32 in [0, 1] and integer labels (m,). `one_hot` turns labels into the
(10, m) float32 targets the network trains on.
"""

import gzip
import hashlib
import math
import os
import struct
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .checks import MemoryBudgetError, check_memory
from .fileio import (  # noqa: F401 (atomic_path, atomic_write re-exported)
    NotRegularFile,
    atomic_path,
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    check_regular,
    check_target,
    open_regular,
)

N_PIXELS = 784
N_CLASSES = 10

# name of each file -> SHA-256 of its uncompressed bytes (the published digests)
FILES = {
    "train-images-idx3-ubyte":
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte":
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte":
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte":
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# name of each file -> size of its uncompressed bytes: the most a file so named may hold
RAW_SIZES = {
    "train-images-idx3-ubyte": 47_040_016,
    "train-labels-idx1-ubyte": 60_008,
    "t10k-images-idx3-ubyte": 7_840_016,
    "t10k-labels-idx1-ubyte": 10_008,
}
SAMPLE_FILE = "mnist_sample.npz"
CREDIT = (
    "MNIST database of handwritten digits, Y. LeCun, C. Cortes and C. J. C. Burges, "
    "licensed CC BY-SA 3.0"
)


class DataError(ValueError):
    """Raised for any unreadable or invalid data file, a data folder that cannot be
    written, or a download that failed: one type for every data problem (a
    ValueError, even when an OSError caused it; that error is kept as __cause__).
    The message is one line naming the file or folder, the problem and the fix."""


@dataclass
class Dataset:
    """Train and test splits: X (784, m) float32 in [0, 1], y (m,) int64."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


# --8<-- [start:one_hot]
def one_hot(
    y: np.ndarray, n_classes: int = N_CLASSES, dtype: type = np.float32
) -> np.ndarray:
    """One-hot targets, one column per example: Equation (2) of the Data page.

    Args:
        y: integer labels in 0..n_classes-1, shape (m,).

    Returns:
        Array of shape (n_classes, m) and the given dtype.
    """
    y = np.asarray(y).ravel()
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise DataError(
            f"labels must lie in 0..{n_classes - 1}; found {y.min()}..{y.max()}"
        )
    return (np.arange(n_classes)[:, None] == y[None, :]).astype(dtype)  # (2)
# --8<-- [end:one_hot]


# --8<-- [start:to_columns]
def to_columns(images):
    """uint8 images (m, 28, 28) or (m, 784) -> float32 columns (784, m), 0 to 1.

    Equation (1) of the Data page: each image becomes one column, pixels in
    row-major order, divided by 255.
    The columns are stored one after another (Fortran order): the layout in
    which `train` gathers its mini-batches, so it needs no copy of its own.
    """
    images = np.asarray(images)
    flat = images.reshape(images.shape[0], -1)
    if flat.shape[1] != N_PIXELS:
        raise DataError(f"images must have {N_PIXELS} pixels each; got {flat.shape[1]}")
    return _columns(flat, 255)  # (1)


def _columns(rows, divisor):
    """(m, n) rows -> (n, m) float32 columns divided by `divisor`, in one pass.

    Dividing the rows as they lie and returning the transposed view gives
    each example's n values contiguous in memory, with no transposing copy.
    """
    return np.divide(rows, np.float32(divisor), dtype=np.float32).T
# --8<-- [end:to_columns]


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (gzip-compressed or raw) into a uint8 array.

    Images come back as (n, rows, cols), labels as (n,). The size the header
    declares is checked before anything is allocated: it must not exceed the
    official file's size for the official names, nor what the file on disk
    can hold (its size if raw, 1032 times it if gzip, zlib's largest ratio).

    Raises:
        DataError: truncated or corrupt gzip, wrong magic number, a size that
            does not match the header.
    """
    path = Path(path)
    with _idx_stream(path) as (f, stored, gzipped):
        head = _read_exactly(f, path, 4)
        if len(head) < 4:
            raise DataError(
                f"{path}: {len(head)} bytes is too short for an IDX header; "
                "re-download it"
            )
        zero, dtype_code, ndim = struct.unpack(">HBB", head)
        if zero != 0 or dtype_code != 0x08 or ndim not in (1, 3):
            raise DataError(
                f"{path}: magic number {head.hex()} is not an unsigned-byte IDX file "
                "(expected 00000801 for labels or 00000803 for images); "
                "check the file name"
            )
        dims = _read_exactly(f, path, 4 * ndim)
        if len(dims) < 4 * ndim:
            raise DataError(
                f"{path}: header truncated at {4 + len(dims)} bytes; re-download it"
            )
        shape = struct.unpack(f">{ndim}I", dims)
        expected = 4 + 4 * ndim + math.prod(shape)
        limit = _size_limit(path, stored, gzipped)
        if expected > limit:
            raise DataError(
                f"{path}: header promises {expected} bytes for shape {shape}, "
                "more than the "
                f"{limit} this file can hold; it is not an MNIST file: re-download it"
            )
        data = _read_exactly(
            f, path, expected - 4 - 4 * ndim + 1
        )  # one more: nothing after
        found = 4 + 4 * ndim + len(data)
        if found != expected:
            raise DataError(
                f"{path}: header promises {expected} bytes for shape {shape}, "
                f"file has {found if found < expected else 'more'}; re-download it"
            )
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def _size_limit(path, stored, gzipped):
    """The most bytes a decompressed IDX file at `path` may hold."""
    name = path.name.removesuffix(".gz")
    cap = RAW_SIZES.get(name)
    physical = stored * 1032 + 1024 if gzipped else stored
    return physical if cap is None else min(cap, physical)


@contextmanager
def _idx_stream(path):
    """Yield (decompressed stream, size on disk, gzipped?) for a raw or .gz file."""
    try:
        raw = open_regular(path)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except NotRegularFile as e:
        raise DataError(f"{e.strerror}; give the MNIST file itself") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    with raw:
        stored = os.fstat(raw.fileno()).st_size
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        if gzipped:
            with gzip.GzipFile(fileobj=raw) as f:
                yield f, stored, True
        else:
            yield raw, stored, False


def _read_exactly(f, path, n):
    """Up to n bytes of the stream (fewer only at its end); damaged gzip: DataError."""
    try:
        return f.read(n)
    except (EOFError, OSError, zlib.error) as e:
        raise DataError(
            f"{path}: corrupt or truncated gzip ({e}); re-download it"
        ) from None


def find_idx(folder, name):
    """Path of `name` or `name.gz` inside `folder`, or a DataError listing the files."""
    folder = Path(folder)
    for candidate in (folder / (name + ".gz"), folder / name):
        regular_file(candidate)
        if candidate.is_file():
            return candidate
    raise DataError(
        f"{folder}: missing {name}.gz (or {name}); a MNIST folder needs the four files "
        f"{', '.join(n + '.gz' for n in FILES)}"
    )


def regular_file(path):
    """Raise DataError if `path` exists but is a FIFO, device, socket or folder."""
    if path.is_dir():
        return  # a folder where a file is expected: the caller says it is missing
    try:
        check_regular(path)
    except NotRegularFile as e:
        raise DataError(f"{e.strerror}; give the MNIST file itself") from None


def images_and_labels(images, labels, where):
    """Check one split's uint8 images and labels; return X (784, m) float32, y (m,).

    `where` is a pair naming the images' and the labels' source, for the messages.
    """
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(
            f"{where[0]}: images must be 28x28, shape (n, 28, 28); got {images.shape}"
        )
    if labels.ndim != 1:
        raise DataError(f"{where[1]}: labels must have shape (n,); got {labels.shape}")
    if labels.shape[0] != images.shape[0]:
        raise DataError(
            f"{where[1]}: {labels.shape[0]} labels for the {images.shape[0]} images "
            f"of {where[0]}; the counts must match"
        )
    if images.shape[0] == 0:
        raise DataError(f"{where[0]}: holds 0 images; every split needs at least one")
    if labels.size and labels.max() >= N_CLASSES:
        raise DataError(
            f"{where[1]}: labels must lie in 0..9; found {int(labels.max())}"
        )
    return to_columns(images), labels.astype(np.int64)


def load_idx_split(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(X (784, m) float32, y (m,) int64) of one split ("train" or "t10k")."""
    images, labels = f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"
    paths = find_idx(folder, images), find_idx(folder, labels)
    return images_and_labels(read_idx(paths[0]), read_idx(paths[1]), paths)


def load_idx_folder(folder: Path) -> Dataset:
    """Load the four official IDX files from a folder into a `Dataset`."""
    for name in FILES:
        find_idx(folder, name)  # name any missing file before reading the others
    return Dataset(*load_idx_split(folder, "train"), *load_idx_split(folder, "t10k"))


HDF5_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_hdf5(path):
    """Load the write-up's HDF5 layout into a `Dataset`.

    Expected datasets: x_train, x_test float (m, 784) in [0, 1];
    y_train, y_test integer (m, 1) in 0..9.

    Raises:
        DataError: not HDF5, a dataset missing, of the wrong shape or dtype,
            or values out of range.
    """
    import h5py

    path = Path(path)
    regular_file(path)
    try:
        with h5py.File(path, "r") as f:
            parts = [_hdf5_split(f, path, split) for split in ("train", "test")]
    except DataError:
        raise
    except (OSError, KeyError, ValueError, RuntimeError, TypeError, MemoryError) as e:
        reason = " ".join(str(e).split())
        raise DataError(
            f"{path}: not a readable HDF5 file ({reason}); "
            "write one with 'nnscratch data export-hdf5'"
        ) from None
    return Dataset(*parts[0], *parts[1])


def _hdf5_split(f, path, split):
    """(X (784, m) float32, y (m,) int64) of one split, checked."""
    x = _hdf5_dataset(
        f, path, f"x_{split}", np.floating, "floating-point pixels (float32)"
    )
    y = _hdf5_dataset(f, path, f"y_{split}", np.integer, "integer labels")
    if len(x.shape) != 2 or x.shape[1] != N_PIXELS or y.shape != (x.shape[0], 1):
        raise DataError(
            f"{path}: x_{split} must be (m, {N_PIXELS}) and y_{split} (m, 1); "
            f"got {x.shape} and {y.shape}"
        )
    if x.shape[0] == 0:
        raise DataError(
            f"{path}: x_{split} holds 0 images; every split needs at least one"
        )
    for d in (x, y):
        _check_written(path, d)
    try:
        check_memory(
            x.shape[0] * (N_PIXELS * (x.dtype.itemsize + 4) + 2 * y.dtype.itemsize),
            f"{path}: x_{split} and y_{split} ({x.shape[0]} rows)",
            "use a smaller file or a machine with more memory",
        )
    except MemoryBudgetError as e:
        raise DataError(str(e)) from None
    x, y = x[()], y[()]  # read only after the shapes passed and fit the budget
    # NaN fails both comparisons, so this also rejects NaN and infinities
    if x.size and not (x.min() >= 0 and x.max() <= 1):
        raise DataError(
            f"{path}: x_{split} pixel values must lie in [0, 1]; "
            f"found {x.min()}..{x.max()} (divide 0..255 pixels by 255)"
        )
    if y.size and (y.min() < 0 or y.max() >= N_CLASSES):
        raise DataError(
            f"{path}: y_{split} labels must lie in 0..9; found {y.min()}..{y.max()}"
        )
    return _columns(x, 1), y[:, 0].astype(np.int64)


def _check_written(path, d):
    """DataError if dataset `d` declares rows that were never written.

    HDF5 lets a small file declare a dataset of any shape: reading it would
    return the fill value for every part never written (and allocate all of
    it). Every chunk of a chunked dataset must be stored, and a contiguous
    one must have its storage allocated.
    """
    if d.chunks is None:
        written = d.id.get_storage_size() >= d.size * d.dtype.itemsize
    else:
        declared = math.prod(-(-n // c) for n, c in zip(d.shape, d.chunks))
        written = d.id.get_num_chunks() == declared
    if not written:
        raise DataError(
            f"{path}: dataset {d.name.lstrip('/')!r} declares shape {d.shape} but "
            "its data was never written (the file holds only part of it); "
            "write the file again with 'nnscratch data export-hdf5'"
        )


def _hdf5_dataset(f, path, key, kind, expected):
    d = f.get(key)
    if d is None or not hasattr(d, "dtype"):
        raise DataError(
            f"{path}: dataset {key!r} is missing; expected {', '.join(HDF5_KEYS)}"
        )
    if not np.issubdtype(d.dtype, kind):
        raise DataError(f"{path}: dataset {key!r} must hold {expected}; got {d.dtype}")
    return d


def export_hdf5(data, out):
    """Write a `Dataset` to `out` in the write-up's HDF5 layout, atomically.

    x_* become float32 (m, 784) in [0, 1], y_* uint8 (m, 1); every dataset
    is gzip-compressed at level 1 in chunks of 1024 rows (22 MB for the full
    data; level 4 saved 2 MB but wrote and read slower, and the shuffle
    filter doubled the size: measured with bench/bench_load.py).
    """
    import h5py

    arrays = {
        "x_train": data.X_train.T,
        "y_train": data.y_train.reshape(-1, 1),
        "x_test": data.X_test.T,
        "y_test": data.y_test.reshape(-1, 1),
    }
    for key, a in arrays.items():
        if len(a) == 0:
            raise DataError(
                f"{out}: refusing to write an empty {key} (0 rows); "
                "every split needs at least one image"
            )
    check_target(out)
    check_writable(Path(out).parent, fix="write the HDF5 file somewhere else")
    # built in memory, then written by the atomic writer: a full disk is then one
    # OSError from a plain write, never a failure inside HDF5's own close
    with h5py.File(
        f"{Path(out).name}.in-memory", "w", driver="core", backing_store=False
    ) as f:
        for key, a in arrays.items():
            a = np.ascontiguousarray(a, dtype=np.float32 if key[0] == "x" else np.uint8)
            f.create_dataset(
                key,
                data=a,
                compression="gzip",
                compression_opts=1,
                chunks=(min(len(a), 1024), a.shape[1]),
            )
        f.flush()
        image = f.id.get_file_image()
    atomic_write_bytes(out, image)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's decompressed bytes (a raw file as it is), read in pieces."""
    path = Path(path)
    digest = hashlib.sha256()
    with _idx_stream(path) as (f, _, _):
        while chunk := _read_exactly(f, path, 1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_folder(folder, files=FILES):
    """Check each file of `files` (name -> SHA-256) in `folder`.

    Returns {name: None if good, else a one-line description of the problem}.
    """
    problems = {}
    for name, expected in files.items():
        try:
            path = find_idx(folder, name)
        except DataError as e:
            present = any(
                os.path.lexists(Path(folder) / n) for n in (name + ".gz", name)
            )
            problems[name] = str(e) if present else f"{name}.gz: missing from {folder}"
            continue
        try:
            digest = file_sha256(path)
        except DataError as e:
            problems[name] = str(e)
            continue
        problems[name] = (
            None
            if digest == expected
            else (f"{path.name}: SHA-256 {digest} is not the official {expected}")
        )
    return problems


def load_sample():
    """The small real MNIST sample shipped inside the package (5,000 train, 1,000 test).

    Made from the official files by `nnscratch data make-sample`. MNIST database of
    handwritten digits, Y. LeCun, C. Cortes and C. J. C. Burges, licensed CC BY-SA 3.0.
    """
    with resources.files("nnscratch").joinpath(SAMPLE_FILE).open("rb") as f:
        with np.load(f, allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    X_train, y_train = images_and_labels(
        arrays["x_train"], arrays["y_train"], ("sample", "sample")
    )
    X_test, y_test = images_and_labels(
        arrays["x_test"], arrays["y_test"], ("sample", "sample")
    )
    return Dataset(X_train, y_train, X_test, y_test)


def load_data(source):
    """Load a `Dataset` from "sample", a folder of IDX files, or an HDF5 file."""
    if str(source) == "sample":
        return load_sample()
    path = Path(source)
    regular_file(path)
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
        digest = file_sha256(path)
        if digest != expected:
            raise DataError(
                f"{path}: SHA-256 {digest} does not match the official {expected}"
            )
        digests[name] = digest
        arrays[name] = read_idx(path)
    rng = np.random.default_rng(seed)
    train = np.sort(
        rng.choice(arrays["train-labels-idx1-ubyte"].size, n_train, replace=False)
    )
    test = np.sort(
        rng.choice(arrays["t10k-labels-idx1-ubyte"].size, n_test, replace=False)
    )
    atomic_write(
        out,
        lambda f: np.savez_compressed(
            f,
            x_train=arrays["train-images-idx3-ubyte"][train],
            y_train=arrays["train-labels-idx1-ubyte"][train],
            x_test=arrays["t10k-images-idx3-ubyte"][test],
            y_test=arrays["t10k-labels-idx1-ubyte"][test],
            train_index=train,
            test_index=test,
            source_sha256=np.array([f"{k} {v}" for k, v in digests.items()]),
            credit=np.array(CREDIT),
        ),
    )


def check_writable(folder, create=False, fix="choose another folder"):
    """Raise DataError unless a file can be made in `folder` (made first if `create`).

    The data layer reports an unwritable destination as DataError, not
    OSError, so that its callers catch one documented type.
    """
    folder = Path(folder)
    probe = folder / f".write-test.{os.getpid()}"
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        probe.touch()
        probe.unlink()
    except OSError as e:
        raise DataError(
            f"{folder}: folder cannot be written ({e.strerror}); {fix}"
        ) from e
