import gzip
import hashlib
import struct
import tempfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnscratch import DataError, load_data, load_hdf5, load_sample, one_hot, read_idx
from nnscratch.cli import main
from nnscratch.data import FILES, export_hdf5, to_columns, verify_folder
from nnscratch.download import download_mnist


def idx_bytes(array):
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 8, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def write_idx(path, array, compress=True):
    raw = idx_bytes(array)
    path.write_bytes(gzip.compress(raw) if compress else raw)


def make_folder(tmp_path, n_train=30, n_test=10, seed=0, compress=True):
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test),
    }
    for name, a in arrays.items():
        write_idx(tmp_path / (name + (".gz" if compress else "")), a, compress)
    return arrays


@pytest.mark.parametrize("compress", [True, False])
def test_idx_folder_round_trip(tmp_path, compress):
    """IDX files, raw or gzipped, load as float32 example-contiguous columns with their
    labels."""
    arrays = make_folder(tmp_path, compress=compress)
    d = load_data(tmp_path)
    assert d.X_train.shape == (784, 30) and d.X_train.dtype == np.float32
    assert d.X_train.flags.f_contiguous  # each example contiguous: train gathers batches without a copy
    assert 0 <= d.X_train.min() and d.X_train.max() <= 1
    assert np.array_equal(d.X_train[:, 3], arrays["train-images-idx3-ubyte"][3].ravel().astype(np.float32) / np.float32(255))
    assert np.array_equal(d.y_test, arrays["t10k-labels-idx1-ubyte"])


def test_hdf5_layout_round_trip(tmp_path):
    """The write-up's HDF5 layout loads to the same arrays as the IDX files it was made
    from."""
    arrays = make_folder(tmp_path)
    idx = load_data(tmp_path)
    path = tmp_path / "mnist.hdf5"
    with h5py.File(path, "w") as f:
        for split, X, y in (("train", idx.X_train, idx.y_train), ("test", idx.X_test, idx.y_test)):
            f[f"x_{split}"] = X.T
            f[f"y_{split}"] = y.reshape(-1, 1)
    h = load_hdf5(path)
    for k in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(getattr(h, k), getattr(idx, k))
    assert arrays  # the folder really held the files


def test_one_hot_matches_the_identity_reference_and_argmax_recovers_labels():
    """one_hot gives the identity matrix's columns, and argmax over axis 0 gives the
    labels back."""
    y = np.random.default_rng(0).integers(0, 10, 1000)
    Y = one_hot(y)
    assert Y.shape == (10, 1000) and Y.dtype == np.float32
    assert np.array_equal(Y, np.eye(10, dtype=np.float32)[y].T)
    assert np.array_equal(Y.argmax(axis=0), y)
    with pytest.raises(DataError, match="0..9"):
        one_hot([-1, 3])


def test_shipped_sample_is_real_mnist_and_balanced_enough():
    """The shipped sample holds real MNIST digits of all ten classes in the column
    layout."""
    d = load_sample()
    assert d.X_train.shape == (784, 5000) and d.X_test.shape == (784, 1000)
    assert d.X_train.dtype == np.float32 and d.X_train.max() <= 1
    assert set(np.unique(d.y_train)) == set(range(10))
    assert np.bincount(d.y_train).min() > 350
    # real digits: mean ink and the dark border of MNIST images
    assert 0.1 < d.X_train.mean() < 0.16
    assert d.X_train.reshape(28, 28, -1)[0].max() == 0


def test_to_columns_keeps_pixel_order():
    """to_columns keeps the row-major pixel order of each image and scales to [0, 1]."""
    values = (np.arange(784) % 256).astype(np.uint8)
    img = values.reshape(1, 28, 28)
    assert np.array_equal(to_columns(img)[:, 0], values.astype(np.float32) / np.float32(255))


@pytest.mark.parametrize("corrupt,message", [
    (lambda raw: raw[:-10], "promises"),
    (lambda raw: b"\x00\x00\x09\x03" + raw[4:], "magic number"),
    (lambda raw: raw[:2], "too short"),
])
def test_bad_idx_files_raise_data_error(tmp_path, corrupt, message):
    """A damaged IDX file raises DataError with a message naming what is wrong."""
    make_folder(tmp_path, compress=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(corrupt(path.read_bytes()))
    with pytest.raises(DataError, match=message):
        read_idx(path)


def test_truncated_gzip_is_named(tmp_path):
    make_folder(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match="gzip"):
        load_data(tmp_path)


def test_missing_files_and_count_mismatch(tmp_path):
    with pytest.raises(DataError, match="missing"):
        load_data(tmp_path)
    arrays = make_folder(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", arrays["train-labels-idx1-ubyte"][:-1])
    with pytest.raises(DataError, match="29 labels for the 30 images"):
        load_data(tmp_path)
    assert len(FILES) == 4


def test_hdf5_with_missing_dataset_or_bad_pixels(tmp_path):
    path = tmp_path / "bad.hdf5"
    with h5py.File(path, "w") as f:
        f["x_train"] = np.zeros((3, 784), dtype=np.float32)
        f["y_train"] = np.zeros((3, 1), dtype=np.int64)
    with pytest.raises(DataError, match="x_test"):
        load_hdf5(path)
    with h5py.File(path, "a") as f:
        f["x_test"] = np.full((2, 784), 255.0, dtype=np.float32)
        f["y_test"] = np.zeros((2, 1), dtype=np.int64)
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        load_hdf5(path)


# --- export to HDF5 and back ----------------------------------------------------------

def test_idx_to_hdf5_round_trip_gives_the_same_arrays(tmp_path):
    make_folder(tmp_path)
    idx = load_data(tmp_path)
    export_hdf5(idx, tmp_path / "mnist.hdf5")
    with h5py.File(tmp_path / "mnist.hdf5") as f:  # the write-up's layout
        assert f["x_train"].shape == (30, 784) and f["x_train"].dtype == np.float32
        assert f["y_test"].shape == (10, 1) and np.issubdtype(f["y_test"].dtype, np.integer)
        assert f["x_train"].compression == "gzip"
    back = load_data(tmp_path / "mnist.hdf5")
    for k in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(getattr(back, k), getattr(idx, k))
        assert getattr(back, k).dtype == getattr(idx, k).dtype


def test_export_that_fails_midway_leaves_nothing(tmp_path):
    make_folder(tmp_path)
    d = load_data(tmp_path)
    d.X_test = np.array([["not a pixel"]])  # x_train and y_train get written, then this fails
    with pytest.raises(ValueError):
        export_hdf5(d, tmp_path / "out.hdf5")
    assert not [p for p in tmp_path.iterdir() if "out.hdf5" in p.name]


def test_verify_folder_names_the_wrong_file(tmp_path):
    arrays = make_folder(tmp_path)
    digests = {name: hashlib.sha256(idx_bytes(a)).hexdigest() for name, a in arrays.items()}
    assert verify_folder(tmp_path, digests) == dict.fromkeys(digests)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", arrays["t10k-labels-idx1-ubyte"][::-1])
    (tmp_path / "train-images-idx3-ubyte.gz").unlink()
    problems = verify_folder(tmp_path, digests)
    assert problems["train-labels-idx1-ubyte"] is None
    assert "t10k-labels-idx1-ubyte.gz: SHA-256" in problems["t10k-labels-idx1-ubyte"]
    assert "missing" in problems["train-images-idx3-ubyte"]


# --- every bad input: DataError from the library, the same line and exit 2 from the CLI --

def _idx_folder_with(change):
    def build(tmp_path):
        arrays = make_folder(tmp_path)
        change(tmp_path, arrays)
        return tmp_path
    return build


def _hdf5_with(**datasets):
    def build(tmp_path):
        good = {"x_train": np.zeros((3, 784), np.float32), "y_train": np.zeros((3, 1), np.uint8),
                "x_test": np.zeros((2, 784), np.float32), "y_test": np.zeros((2, 1), np.uint8)}
        good.update(datasets)
        path = tmp_path / "in.hdf5"
        with h5py.File(path, "w") as f:
            for key, value in good.items():
                if value is not None:
                    f[key] = value
        return path
    return build


def _truncate_gzip(folder, arrays):
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-100])


def _wrong_magic(folder, arrays):
    raw = idx_bytes(arrays["t10k-labels-idx1-ubyte"])
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x0d\x01" + raw[4:]))


BAD_INPUTS = {
    "truncated gzip": (_idx_folder_with(_truncate_gzip), "corrupt or truncated gzip"),
    "wrong IDX magic": (_idx_folder_with(_wrong_magic), "magic number 00000d01"),
    "images not 28x28": (_idx_folder_with(lambda d, a: write_idx(
        d / "train-images-idx3-ubyte.gz", a["train-images-idx3-ubyte"][:, :27, :27])),
        "images must be 28x28"),
    "counts differ": (_idx_folder_with(lambda d, a: write_idx(
        d / "t10k-labels-idx1-ubyte.gz", a["t10k-labels-idx1-ubyte"][:7])), "7 labels for the 10 images"),
    "labels outside 0-9": (_idx_folder_with(lambda d, a: write_idx(
        d / "train-labels-idx1-ubyte.gz", a["train-labels-idx1-ubyte"] + 3)), "labels must lie in 0..9"),
    "folder without the files": (lambda p: p, "missing train-images-idx3-ubyte.gz"),
    "hdf5 dataset missing": (_hdf5_with(y_test=None), "dataset 'y_test' is missing"),
    "hdf5 wrong shape": (_hdf5_with(x_train=np.zeros((3, 28, 28), np.float32)),
                         "x_train must be (m, 784) and y_train (m, 1)"),
    "hdf5 label count": (_hdf5_with(y_test=np.zeros((3, 1), np.uint8)), "got (2, 784) and (3, 1)"),
    "hdf5 wrong dtype": (_hdf5_with(x_test=np.zeros((2, 784), np.uint8)),
                         "'x_test' must hold floating-point pixels (float32); got uint8"),
    "hdf5 pixels out of range": (_hdf5_with(x_train=np.full((3, 784), 255, np.float32)),
                                 "pixel values must lie in [0, 1]"),
    "hdf5 NaN pixels": (_hdf5_with(x_test=np.full((2, 784), np.nan, np.float32)),
                        "pixel values must lie in [0, 1]"),
    "hdf5 labels outside 0-9": (_hdf5_with(y_train=np.full((3, 1), -1, np.int64)),
                                "labels must lie in 0..9"),
    "not HDF5 at all": (lambda p: (p / "x.hdf5", (p / "x.hdf5").write_text("hello"))[0],
                        "not a readable HDF5 file"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_documented_error_and_exit_2(case, tmp_path, capsys):
    build, needle = BAD_INPUTS[case]
    (tmp_path / "in").mkdir()
    source = build(tmp_path / "in")
    with pytest.raises(DataError) as e:
        load_data(source)
    assert needle in str(e.value)
    out = tmp_path / "out" / "mnist.hdf5"
    out.parent.mkdir()
    assert main(["data", "export-hdf5", str(out), "--data", str(source)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"nnscratch: error: {e.value}\n" and "\n" not in str(e.value)
    assert list(out.parent.iterdir()) == []  # nothing half-written


def test_unwritable_cache_or_output_folder_is_a_data_error(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # even root cannot create a folder inside a file
    with pytest.raises(DataError, match="cache folder.*--dir or \\$NNSCRATCH_DATA") as e:
        download_mnist(blocker / "cache", progress=False)
    assert main(["data", "download", "--dir", str(blocker / "cache")]) == 2
    assert capsys.readouterr().err == f"nnscratch: error: {e.value}\n"
    with pytest.raises(DataError, match="folder cannot be written"):
        export_hdf5(load_sample(), blocker / "mnist.hdf5")
    assert main(["data", "export-hdf5", str(blocker / "mnist.hdf5"), "--data", "sample"]) == 2
    assert "folder cannot be written" in capsys.readouterr().err


# --- property tests: damaged files load valid arrays or raise DataError, nothing else ---

def _damage(data):
    """A strategy's draw: cut the bytes short, or flip a few of them."""
    def apply(raw):
        if data.draw(st.booleans(), label="truncate"):
            return raw[:data.draw(st.integers(0, len(raw) - 1), label="keep")]
        raw = bytearray(raw)
        for _ in range(data.draw(st.integers(1, 4), label="flips")):
            i = data.draw(st.integers(0, len(raw) - 1), label="at")
            raw[i] ^= data.draw(st.integers(1, 255), label="xor")
        return bytes(raw)
    return apply


def assert_valid(d):
    for X, y in ((d.X_train, d.y_train), (d.X_test, d.y_test)):
        assert X.dtype == np.float32 and X.ndim == 2 and X.shape == (784, y.shape[0])
        assert y.dtype == np.int64 and y.ndim == 1
        assert not X.size or (X.min() >= 0 and X.max() <= 1)
        assert not y.size or (y.min() >= 0 and y.max() <= 9)


FUZZ = settings(max_examples=60, deadline=None, derandomize=True)  # same cases on every run


@FUZZ
@given(data=st.data())
def test_damaged_idx_files_load_valid_arrays_or_raise_data_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_folder(folder, n_train=3, n_test=2, compress=data.draw(st.booleans(), label="gz"))
        path = data.draw(st.sampled_from(sorted(folder.iterdir())), label="file")
        path.write_bytes(_damage(data)(path.read_bytes()))
        try:
            d = load_data(folder)
        except DataError:
            return
        assert_valid(d)


@FUZZ
@given(data=st.data())
def test_damaged_hdf5_files_load_valid_arrays_or_raise_data_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_folder(folder, n_train=3, n_test=2)
        good = load_data(folder)
        if data.draw(st.booleans(), label="compressed"):
            export_hdf5(good, folder / "good.hdf5")
        else:  # raw pixels and labels, so that flips reach the values themselves
            with h5py.File(folder / "good.hdf5", "w") as f:
                for split, X, y in (("train", good.X_train, good.y_train),
                                    ("test", good.X_test, good.y_test)):
                    f[f"x_{split}"], f[f"y_{split}"] = X.T, y.reshape(-1, 1)
        raw = (folder / "good.hdf5").read_bytes()
        (folder / "bad.hdf5").write_bytes(_damage(data)(raw))
        try:
            d = load_hdf5(folder / "bad.hdf5")
        except DataError:
            return
        assert_valid(d)
