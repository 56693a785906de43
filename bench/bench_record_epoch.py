"""Where an epoch of a distorted-image run spends its wall time, on two cores.

Command (from the repository root):

    python bench/bench_record_epoch.py --data ../shared/mnist [--n_h 800] [--write-docs]

A run with `--augment` trains on one thread (one BLAS thread) while a second
thread distorts the next epoch's copy of the 55,000 training images; after each
epoch the network is scored on the undistorted training set and on the 5,000
held-out images. This script times each part alone, each as the median of
`--repeats` tries, then a real `nnscratch.train` run of `--epochs` epochs with
both threads at work, and prints a table: how long each part takes alone, the
wall time per epoch of the real run, and how much of the distortions' time the
second core hid. With --write-docs it also writes the table to
docs/results/bench/record_epoch.md, which the Beyond 98% page includes.
"""

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import timings  # noqa: E402
from bench_train import find_data  # noqa: E402
from nnscratch import TrainConfig, init_params, init_velocity, one_hot, train  # noqa: E402
from nnscratch.augment import distort  # noqa: E402
from nnscratch.train import _scores, split_validation, train_epoch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "results" / "bench" / "record_epoch.md"


def median_seconds(work, repeats):
    """The median wall time of `repeats` calls of work()."""
    return timings(work, repeats)[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="folder with the four MNIST IDX files")
    parser.add_argument("--n_h", type=int, default=800)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    data, note = find_data(args.data)
    X, y, X_val, y_val = split_validation(data.X_train, data.y_train, 5000, 0)
    X, Y = np.asfortranarray(X), np.asfortranarray(one_hot(y))
    Y_val = one_hot(y_val)
    config = TrainConfig(n_h=args.n_h, activation="relu", augment="elastic",
                         lr_schedule="cosine", epochs=args.epochs)
    rng = np.random.default_rng(0)
    params = init_params(784, args.n_h, 10, rng=rng, activation="relu")
    velocity = init_velocity(params)

    with threadpool_limits(1, user_api="blas"):
        loop = median_seconds(
            lambda: train_epoch(X, Y, params, velocity, config, rng, 0.01), args.repeats)
        distortions = median_seconds(
            lambda: distort(X, rng, **config.distortion()), args.repeats)
    scoring = median_seconds(lambda: (_scores("train", X, Y, params, "relu"),
                                      _scores("val", X_val, Y_val, params, "relu")),
                             args.repeats)
    start = time.perf_counter()
    _, history = train(X, Y, config, X_val=X_val, Y_val=Y_val)
    wall = (time.perf_counter() - start) / args.epochs
    in_loop = statistics.median(r["seconds"] for r in history)
    hidden = (loop + scoring + distortions - wall) / distortions

    m = X.shape[1]
    rows = [
        ("training loop alone (one BLAS thread)", loop),
        (f"distorting the {m:,} images alone (one BLAS thread)", distortions),
        ("scoring training and validation sets alone", scoring),
        ("the three one after the other", loop + distortions + scoring),
        ("a real epoch of `train` (wall time, distortions on the second core)", wall),
        ("its training loop (the history's `seconds`, median)", in_loop),
    ]
    table = "| part of an epoch | seconds |\n|---|---:|\n" + "".join(
        f"| {name} | {seconds:.2f} |\n" for name, seconds in rows)
    table += (
        f"\nShare of the distortions' time hidden by the second core: "
        f"{100 * min(max(hidden, 0.0), 1.0):.0f}%. "
        f"784-{args.n_h}-10 ReLU, batches of 64, float32, data: {note}; "
        f"medians of {args.repeats} tries, the real run {args.epochs} epochs; "
        f"{platform.processor() or platform.machine()}, NumPy {np.__version__}. "
        f"Command: `python bench/bench_record_epoch.py --data DATA --n_h {args.n_h}`.\n"
    )
    print(table)
    if args.write_docs:
        from nnscratch.data import atomic_write_text

        atomic_write_text(OUT, table)
        print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
