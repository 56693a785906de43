import gzip
import struct

import h5py
import numpy as np
import pytest

from nnscratch import DataError, load_data, load_hdf5, load_sample, one_hot, read_idx
from nnscratch.data import FILES, to_columns


def write_idx(path, array, compress=True):
    array = np.asarray(array, dtype=np.uint8)
    raw = struct.pack(">HBB", 0, 8, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    raw += array.tobytes()
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
    arrays = make_folder(tmp_path, compress=compress)
    d = load_data(tmp_path)
    assert d.X_train.shape == (784, 30) and d.X_train.dtype == np.float32
    assert 0 <= d.X_train.min() and d.X_train.max() <= 1
    assert np.array_equal(d.X_train[:, 3], arrays["train-images-idx3-ubyte"][3].ravel().astype(np.float32) / np.float32(255))
    assert np.array_equal(d.y_test, arrays["t10k-labels-idx1-ubyte"])


def test_hdf5_layout_round_trip(tmp_path):
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
    y = np.random.default_rng(0).integers(0, 10, 1000)
    Y = one_hot(y)
    assert Y.shape == (10, 1000) and Y.dtype == np.float32
    assert np.array_equal(Y, np.eye(10, dtype=np.float32)[y].T)
    assert np.array_equal(Y.argmax(axis=0), y)
    with pytest.raises(DataError, match="0..9"):
        one_hot([-1, 3])


def test_shipped_sample_is_real_mnist_and_balanced_enough():
    d = load_sample()
    assert d.X_train.shape == (784, 5000) and d.X_test.shape == (784, 1000)
    assert d.X_train.dtype == np.float32 and d.X_train.max() <= 1
    assert set(np.unique(d.y_train)) == set(range(10))
    assert np.bincount(d.y_train).min() > 350
    # real digits: mean ink and the dark border of MNIST images
    assert 0.1 < d.X_train.mean() < 0.16
    assert d.X_train.reshape(28, 28, -1)[0].max() == 0


def test_to_columns_keeps_pixel_order():
    values = (np.arange(784) % 256).astype(np.uint8)
    img = values.reshape(1, 28, 28)
    assert np.array_equal(to_columns(img)[:, 0], values.astype(np.float32) / np.float32(255))


@pytest.mark.parametrize("corrupt,message", [
    (lambda raw: raw[:-10], "promises"),
    (lambda raw: b"\x00\x00\x09\x03" + raw[4:], "magic number"),
    (lambda raw: raw[:2], "too short"),
])
def test_bad_idx_files_raise_data_error(tmp_path, corrupt, message):
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
    with pytest.raises(DataError, match="30 images but 29 labels"):
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
