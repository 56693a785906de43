"""How far into the sigmoid's tail do the hidden pre-activations go during training?

    python tools/hidden_preactivations.py --data ../shared/mnist

trains the write-up's configuration (784-64-10, sigmoid, lr 0.5, beta 0.9,
batch 64, seed 0, float32) with `nnscratch.train`, once for 1 epoch and once
for 50 epochs (the first epoch of both runs is the same computation), and
prints, for the pre-activations Z1 = W1 X + b1 of all training images after
each run: the largest |z|, the fraction of entries with |z| > 10 and with
|z| > 16.6, and the fraction where A1 (1 - A1) is exactly 0 in float32.
The Activations page quotes these numbers. `--epochs` changes the longer run.
"""

import argparse
import time

import numpy as np

import nnscratch as nn


def tail_statistics(X, params):
    """Statistics of Z1 = W1 X + b1 over every entry (hidden unit x image), float32."""
    Z1 = nn.feed_forward(X, params)["Z1"]
    A1 = nn.sigmoid(Z1)
    size = Z1.size
    return {
        "max |z|": float(np.abs(Z1).max()),
        "share |z| > 10": float(np.count_nonzero(np.abs(Z1) > 10)) / size,
        "share |z| > 16.6": float(np.count_nonzero(np.abs(Z1) > 16.6)) / size,
        "share A1(1-A1) == 0": float(np.count_nonzero(A1 * (1 - A1) == 0)) / size,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", default="../shared/mnist", help="folder of the four IDX files"
    )
    parser.add_argument("--epochs", type=int, default=50)
    options = parser.parse_args(argv)
    data = nn.load_data(options.data)
    Y = nn.one_hot(data.y_train)
    print(f"training images: {data.X_train.shape[1]}, dtype {data.X_train.dtype}")
    for epochs in (1, options.epochs):
        start = time.perf_counter()
        params, _ = nn.train(data.X_train, Y, nn.TrainConfig(epochs=epochs, seed=0))
        stats = tail_statistics(data.X_train, params)
        line = ", ".join(f"{k} {v:.4g}" for k, v in stats.items())
        print(f"after epoch {epochs}: {line}  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
