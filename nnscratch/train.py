"""Mini-batch training with momentum, seeded and reproducible."""

import time
from dataclasses import asdict, dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from .init import init_params
from .losses import compute_loss
from .network import back_propagate, check_activation, feed_forward
from .optim import init_velocity, momentum_update

# BLAS threads for the mini-batch loop. Its GEMMs are small (64 x 784 x 64 at
# the default batch size), too small to split across cores with profit: on a
# 2-core machine two threads were slower than one, and ten times slower when
# another process was busy. Evaluation's large chunks keep the process default.
TRAIN_BLAS_THREADS = 1


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a run; the defaults are the write-up's."""

    lr: float = 0.5
    epochs: int = 50
    n_h: int = 64
    beta: float = 0.9
    batch_size: int = 64
    activation: str = "sigmoid"
    seed: int = 0

    def __post_init__(self):
        check_activation(self.activation)
        for name in ("epochs", "n_h", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive; got {self.lr!r}")
        if not 0 <= self.beta < 1:
            raise ValueError(f"beta must be in [0, 1); got {self.beta!r}")

    def to_dict(self):
        return asdict(self)


# --8<-- [start:batch_slices]
def batch_slices(m, batch_size):
    """Slices that cover 0..m-1 exactly once, in order, none of them empty.

    The last batch holds the remaining `m % batch_size` examples when that
    is not zero: `min(begin + batch_size, m)` with an exclusive end, where
    the write-up's `m - 1` silently dropped one example per epoch.

    Args:
        m: number of examples.
        batch_size: examples per batch.

    Returns:
        List of `ceil(m / batch_size)` slice objects.
    """
    return [slice(begin, min(begin + batch_size, m)) for begin in range(0, m, batch_size)]
# --8<-- [end:batch_slices]


def evaluate(X, Y, params, activation="sigmoid", chunk=10_000):
    """Mean loss and predictions over a whole set, in chunks of columns.

    Args:
        X: inputs, shape (n_x, m).
        Y: one-hot targets, shape (K, m).
        params: network parameters.
        activation: hidden activation.
        chunk: columns per forward pass (bounds memory, keeps GEMMs large).

    Returns:
        (loss, predictions): a float and an int array of shape (m,).
    """
    m = X.shape[1]
    total = 0.0
    predictions = np.empty(m, dtype=np.int64)
    for s in batch_slices(m, chunk):
        Z2 = feed_forward(X[:, s], params, activation)["Z2"]
        total += compute_loss(Y[:, s], Z2) * (s.stop - s.start)
        predictions[s] = Z2.argmax(axis=0)
    return total / m, predictions


# --8<-- [start:train_epoch]
def train_epoch(X, Y, params, velocity, config, rng):
    """One pass over the training set in a fresh random order, in place.

    Each mini-batch is gathered into its own contiguous block by indexing
    with its slice of the random order. This is fastest when every example
    is contiguous in memory, i.e. X and Y in Fortran order, which `train`
    arranges once; any layout gives the same numbers.

    Args:
        X: inputs, shape (n_x, m).
        Y: one-hot targets, shape (K, m), same dtype as X.
        params, velocity: dicts updated in place.
        config: a `TrainConfig`.
        rng: the run's `numpy.random.Generator` (draws the order).
    """
    order = rng.permutation(X.shape[1])
    for s in batch_slices(X.shape[1], config.batch_size):
        X_batch, Y_batch = X[:, order[s]], Y[:, order[s]]
        cache = feed_forward(X_batch, params, config.activation)
        grads = back_propagate(X_batch, Y_batch, params, cache, config.activation)
        momentum_update(params, grads, velocity, config.lr, config.beta)
# --8<-- [end:train_epoch]


def train(X_train, Y_train, config=TrainConfig(), *, X_test=None, Y_test=None, on_epoch=None):
    """Train a network from scratch; same config and data give identical parameters.

    Args:
        X_train: float32 inputs, shape (784, m), values in [0, 1].
        Y_train: one-hot float32 targets, shape (10, m).
        config: a `TrainConfig` (seed included).
        X_test, Y_test: optional held-out set, evaluated after every epoch.
        on_epoch: optional callable given each epoch's history record.

    Returns:
        (params, history): the trained parameters and a list of dicts, one per
        epoch, with epoch, train_loss, train_accuracy, seconds (training time
        of the epoch) and, with a test set, test_loss and test_accuracy.
    """
    rng = np.random.default_rng(config.seed)
    params = init_params(
        X_train.shape[0], config.n_h, Y_train.shape[0],
        rng=rng, activation=config.activation, dtype=X_train.dtype,
    )
    velocity = init_velocity(params)
    # one copy, each example contiguous: every batch is then a cheap gather
    X_cols = np.asfortranarray(X_train)
    Y_cols = np.asfortranarray(Y_train, dtype=X_train.dtype)
    history = []
    for epoch in range(1, config.epochs + 1):
        start = time.perf_counter()
        with threadpool_limits(TRAIN_BLAS_THREADS, user_api="blas"):
            train_epoch(X_cols, Y_cols, params, velocity, config, rng)
        record = {"epoch": epoch, "seconds": time.perf_counter() - start}
        record.update(_scores("train", X_cols, Y_cols, params, config.activation))
        if X_test is not None:
            record.update(_scores("test", X_test, Y_test, params, config.activation))
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    return params, history


def _scores(prefix, X, Y, params, activation):
    loss, predictions = evaluate(X, Y, params, activation)
    accuracy = float(np.mean(predictions == Y.argmax(axis=0)))
    return {f"{prefix}_loss": loss, f"{prefix}_accuracy": accuracy}
