"""Where one training epoch spends its time, step by step, on one BLAS thread.

Command (from the repository root):

    python bench/profile_epoch.py [--data FOLDER]

Runs `nnscratch.train_epoch`'s steps one by one (gather the batch,
`feed_forward`, `back_propagate`, `momentum_update`) and the same epoch's
GEMMs alone, and prints the CPU time of each (`time.thread_time`: the time
this thread actually ran, so other processes on a shared machine disturb it
much less than wall-clock time). Median of 5 epochs after a warm-up.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_train import epoch_gemms, find_data  # noqa: E402
from nnscratch import (TrainConfig, back_propagate, feed_forward, init_params, init_velocity,  # noqa: E402
                       momentum_update, one_hot)
from nnscratch.train import batch_slices  # noqa: E402


def profiled_epoch(X, Y, params, velocity, config, rng):
    """`train_epoch` with a CPU-time stopwatch around each step."""
    clock = time.thread_time
    spent = dict.fromkeys(("gather batch", "feed_forward", "back_propagate", "momentum_update"), 0.0)
    order = rng.permutation(X.shape[1])
    for s in batch_slices(X.shape[1], config.batch_size):
        t0 = clock()
        X_batch, Y_batch = X[:, order[s]], Y[:, order[s]]
        t1 = clock()
        cache = feed_forward(X_batch, params, config.activation)
        t2 = clock()
        grads = back_propagate(X_batch, Y_batch, params, cache, config.activation)
        t3 = clock()
        momentum_update(params, grads, velocity, config.lr, config.beta)
        t4 = clock()
        for key, dt in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            spent[key] += dt
    return spent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="folder with the four MNIST IDX files")
    args = parser.parse_args(argv)
    data, note = find_data(args.data)
    config = TrainConfig()
    X, Y = np.asfortranarray(data.X_train), np.asfortranarray(one_hot(data.y_train))
    rng = np.random.default_rng(0)
    params = init_params(rng=rng)
    velocity = init_velocity(params)
    gemms = epoch_gemms(X, init_params(rng=np.random.default_rng(1)), np.random.default_rng(2),
                        config.batch_size)
    steps, gemm_only = [], []
    with threadpool_limits(1, user_api="blas"):
        for epoch in range(6):
            steps.append(profiled_epoch(X, Y, params, velocity, config, rng))
            start = time.thread_time()
            gemms()
            gemm_only.append(time.thread_time() - start)
    steps, gemm_only = steps[1:], gemm_only[1:]
    total = statistics.median(sum(s.values()) for s in steps)
    gemm = statistics.median(gemm_only)
    print(f"CPU seconds per epoch, 1 BLAS thread, median of 5 ({note})")
    for key in steps[0]:
        value = statistics.median(s[key] for s in steps)
        print(f"  {key:18s} {value:.4f}  {value / total:5.1%}")
    print(f"  {'total':18s} {total:.4f}")
    print(f"  epoch's GEMMs alone {gemm:.4f}  -> everything but the GEMMs: {total - gemm:.4f} "
          f"({(total - gemm) / len(batch_slices(X.shape[1], config.batch_size)) * 1e6:.0f} µs per batch); "
          f"ratio {total / gemm:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
