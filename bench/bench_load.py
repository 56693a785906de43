"""Time loading the full MNIST data from the cached IDX files and from an HDF5 export.

    python bench/bench_load.py --dir ../shared/mnist

(`--dir` defaults to the cache folder: $NNSCRATCH_DATA, else ~/.cache/nnscratch/mnist.)
The four files are verified first. The HDF5 file is written by `export_hdf5`
into a temporary folder. Each loader is compared, in the same run, with the
floor it cannot beat (decompressing and reading the raw arrays, nothing else)
and, for the pixel conversion, with the plain one-copy transpose it replaced.
"""

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

from nnscratch.data import FILES, export_hdf5, find_idx, load_hdf5, load_idx_folder, to_columns, verify_folder
from nnscratch.download import default_data_dir


def timings(fn, repeat):
    """Best and median wall-clock seconds of `repeat` calls."""
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


def gunzip_only(folder):
    for name in FILES:
        raw = gzip.decompress(find_idx(folder, name).read_bytes())
        np.frombuffer(raw, dtype=np.uint8)


def h5py_only(path):
    with h5py.File(path, "r") as f:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            f[key][()]


def plain_transpose(images):
    """The previous to_columns: one big transposed copy, then a division."""
    flat = images.reshape(images.shape[0], -1)
    return np.ascontiguousarray(flat.T, dtype=np.float32) / np.float32(255)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=None, help="folder of the four official files")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per row (default 5)")
    args = parser.parse_args(argv)
    folder = args.dir or default_data_dir()
    bad = {name: p for name, p in verify_folder(folder).items() if p}
    if bad:
        print(f"bench_load: {folder} does not hold the official files: {'; '.join(bad.values())}",
              file=sys.stderr)
        return 2

    images = load_idx_folder(folder)  # warm-up, and the arrays the HDF5 file holds
    train_images = np.frombuffer(
        gzip.decompress(find_idx(folder, "train-images-idx3-ubyte").read_bytes()),
        dtype=np.uint8, offset=16).reshape(60000, 28, 28)
    assert np.array_equal(to_columns(train_images), plain_transpose(train_images))
    with tempfile.TemporaryDirectory() as tmp:
        h5 = Path(tmp) / "mnist.hdf5"
        start = time.perf_counter()
        export_hdf5(images, h5)
        export_seconds = time.perf_counter() - start
        size_mb = h5.stat().st_size / 1e6
        back = load_hdf5(h5)
        assert all(np.array_equal(getattr(back, k), getattr(images, k))
                   for k in ("X_train", "y_train", "X_test", "y_test"))
        rows = [
            ("IDX .gz -> Dataset (load_idx_folder)", timings(lambda: load_idx_folder(folder), args.repeat)),
            ("  floor: gunzip the 4 files, no conversion", timings(lambda: gunzip_only(folder), args.repeat)),
            ("HDF5 -> Dataset (load_hdf5)", timings(lambda: load_hdf5(h5), args.repeat)),
            ("  floor: h5py reads the 4 datasets", timings(lambda: h5py_only(h5), args.repeat)),
            ("to_columns, 60000 train images", timings(lambda: to_columns(train_images), args.repeat)),
            ("  before: one transposed copy, then /255", timings(lambda: plain_transpose(train_images), args.repeat)),
        ]
    print(f"folder {folder}; {args.repeat} calls per row; HDF5 export {export_seconds:.2f} s, "
          f"{size_mb:.1f} MB; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
          "(other work on the machine inflates every row)")
    print()
    print(f"| {'what':<44} | best s | median s | best / row below |")
    print(f"|{'-' * 46}|-------:|---------:|-----------------:|")
    for i, (label, (best, median)) in enumerate(rows):
        ratio = f"{best / rows[i + 1][1][0]:.2f}" if i % 2 == 0 else ""
        print(f"| {label:<44} | {best:6.3f} | {median:8.3f} | {ratio:>16} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
