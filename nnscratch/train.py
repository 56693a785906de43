"""Mini-batch training with momentum, seeded and reproducible."""

from collections.abc import Callable
import time
from dataclasses import asdict, dataclass
from itertools import repeat

import numpy as np
from threadpoolctl import threadpool_limits

from .activations import saturated_shares
from .augment import distorted_epochs
from .checks import (  # noqa: F401 (AUGMENTATIONS re-exported)
    AUGMENTATIONS,
    TrainingDiverged,
    check_config,
    check_forward,
    check_pair,
    check_targets,
    evaluation_chunk,
)
from .init import init_params
from .losses import compute_loss
from .network import back_propagate, dropout_mask, feed_forward
from .optim import add_weight_decay, init_velocity, learning_rate, momentum_update

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
    weight_decay: float = 0.0
    dropout: float = 0.0
    lr_schedule: str = "constant"
    augment: str = "none"
    elastic_alpha: float = 34.0
    elastic_kappa: float = 4.0
    max_degrees: float = 10.0
    max_shift: float = 2.0
    max_scale: float = 0.1

    def distortion(self) -> dict:
        """The keyword arguments of `nnscratch.augment.distort` for this config."""
        return {
            "elastic": self.augment == "elastic",
            "alpha": self.elastic_alpha,
            "kappa": self.elastic_kappa,
            "max_degrees": self.max_degrees,
            "max_shift": self.max_shift,
            "max_scale": self.max_scale,
        }

    def __post_init__(self):
        check_config(self)

    def to_dict(self) -> dict:
        """The fields as a plain dict (the model file's hyper-parameters)."""
        return asdict(self)


# --8<-- [start:batch_slices]
def batch_slices(m: int, batch_size: int) -> list[slice]:
    """Slices that cover the columns 0 to m - 1 once each, in order, none empty.

    The last batch holds the remaining m % batch_size columns when that is not
    zero: its end is min(begin + batch_size, m), exclusive, where the write-up's
    m - 1 silently dropped one example per epoch.

    Args:
        m: number of examples (columns).
        batch_size: columns per batch.

    Returns:
        A list of ceil(m / batch_size) slices; X[:, s] is one batch of X.
    """
    starts = range(0, m, batch_size)
    return [slice(begin, min(begin + batch_size, m)) for begin in starts]
# --8<-- [end:batch_slices]


def evaluate(
    X: np.ndarray,
    Y: np.ndarray,
    params: dict[str, np.ndarray],
    activation: str = "sigmoid",
    chunk: int = 10_000,
) -> tuple[float, np.ndarray]:
    """Mean loss and predictions over a whole set, in chunks of columns.

    Args:
        X: inputs, shape (n_x, m).
        Y: one-hot targets, shape (K, m).
        params: network parameters.
        activation: hidden activation.
        chunk: columns per forward pass (bounds memory, keeps GEMMs large);
            fewer when the memory budget (`nnscratch.checks.memory_budget`)
            cannot hold that many.

    Returns:
        (loss, predictions): a float and an int array of shape (m,).
    """
    check_forward(X, params, activation)
    check_targets(Y, params["W2"].shape[0], X.shape[1])
    m = X.shape[1]
    chunk = evaluation_chunk(params["W1"].shape[0], Y.shape[0], chunk)
    total = 0.0
    predictions = np.empty(m, dtype=np.int64)
    for s in batch_slices(m, chunk):
        Z2 = feed_forward(X[:, s], params, activation)["Z2"]
        total += compute_loss(Y[:, s], Z2) * (s.stop - s.start)
        predictions[s] = Z2.argmax(axis=0)
    return total / m, predictions


# --8<-- [start:train_epoch]
def train_epoch(
    X: np.ndarray,
    Y: np.ndarray,
    params: dict[str, np.ndarray],
    velocity: dict[str, np.ndarray],
    config: "TrainConfig",
    rng: np.random.Generator,
    lr: float | None = None,
) -> None:
    """One pass over the training set in a fresh random order, in place.

    One forward pass, one backward pass and one momentum step, Equations (1)-(2)
    of the Training page, per mini-batch; dropout's mask, Equations (7)-(8), and
    weight decay, Equation (6), only when the config turns them on.

    Args:
        X: inputs, shape (n_x, m); fastest with each column contiguous in
            memory (Fortran order), as `train` arranges.
        Y: one-hot targets, shape (K, m), same dtype as X.
        params, velocity: dicts of arrays, updated in place.
        config: batch size, momentum, dropout and weight decay.
        rng: the run's generator; it draws the order and the dropout masks.
        lr: this epoch's learning rate (default config.lr).
    """
    lr = config.lr if lr is None else lr
    m, g = X.shape[1], config.activation  # g: the hidden activation's name
    order = rng.permutation(m)  # a new order every epoch
    for s in batch_slices(m, config.batch_size):
        X_batch, Y_batch = X[:, order[s]], Y[:, order[s]]
        mask = None
        if config.dropout:  # one mask entry per hidden unit and per example
            shape = (config.n_h, s.stop - s.start)
            mask = dropout_mask(shape, config.dropout, rng, X.dtype)  # (7)
        cache = feed_forward(X_batch, params, g, mask)  # (8) when masked
        grads = back_propagate(X_batch, Y_batch, params, cache, g)
        if config.weight_decay:
            add_weight_decay(grads, params, config.weight_decay)  # (6)
        momentum_update(params, grads, velocity, lr, config.beta)  # (1), (2)
# --8<-- [end:train_epoch]


def train(
    X_train: np.ndarray,
    Y_train: np.ndarray,
    config: TrainConfig = TrainConfig(),
    *,
    X_val: np.ndarray | None = None,
    Y_val: np.ndarray | None = None,
    X_test: np.ndarray | None = None,
    Y_test: np.ndarray | None = None,
    X_probe: np.ndarray | None = None,
    on_epoch: Callable[[dict], None] | None = None,
) -> tuple[dict[str, np.ndarray], list[dict]]:
    """Train a network from scratch; same config and data give identical parameters.

    Args:
        X_train: float32 inputs, shape (784, m), values in [0, 1].
        Y_train: one-hot float32 targets, shape (10, m).
        config: a `TrainConfig` (seed included).
        X_val, Y_val: optional validation set, evaluated after every epoch;
            the parameters of the epoch with the best validation accuracy are
            returned (the earliest, on ties).
        X_test, Y_test: optional test set, evaluated after every epoch (as the
            write-up did). Leave it out when choosing by validation, and
            evaluate the returned parameters on it once.
        X_probe: optional fixed images, shape (784, p), whose hidden
            pre-activations are measured after every epoch of a sigmoid
            network: the record's "saturated" field is `saturated_shares` of
            them (chooses nothing, so test images may serve).
        on_epoch: optional callable given each epoch's history record.

    Returns:
        (params, history): the chosen parameters and a list of dicts, one per
        epoch, with epoch, lr, seconds (training time of the epoch),
        train_loss, train_accuracy and, where given, val_*, test_* and
        saturated.
    """
    check_config(config)
    n_x, K = check_pair(X_train, Y_train, "train")
    check_pair(X_val, Y_val, "val", n_x, K)
    check_pair(X_test, Y_test, "test", n_x, K)
    rng = np.random.default_rng(config.seed)
    params = init_params(
        X_train.shape[0],
        config.n_h,
        Y_train.shape[0],
        rng=rng,
        activation=config.activation,
        dtype=X_train.dtype,
    )
    velocity = init_velocity(params)
    # each example contiguous, so every batch is a cheap gather; the loaders of
    # nnscratch.data already return this layout, and only other layouts are copied
    X_cols = np.asfortranarray(X_train)
    Y_cols = np.asfortranarray(Y_train, dtype=X_train.dtype)
    history, best = [], None
    inputs = (
        repeat(X_cols)
        if config.augment == "none"
        else distorted_epochs(
            X_cols,
            config.epochs,
            np.random.default_rng([config.seed, 2]),
            **config.distortion(),
        )
    )
    for epoch, X_epoch in zip(range(1, config.epochs + 1), inputs):
        lr = learning_rate(epoch, config.lr, config.epochs, config.lr_schedule)
        start = time.perf_counter()
        # a diverging run overflows on its way to NaN: quietly, the check below tells
        with (
            threadpool_limits(TRAIN_BLAS_THREADS, user_api="blas"),
            _diverging_quietly(),
        ):
            train_epoch(X_epoch, Y_cols, params, velocity, config, rng, lr)
        record = {"epoch": epoch, "lr": lr, "seconds": time.perf_counter() - start}
        with _diverging_quietly():
            record.update(_scores("train", X_cols, Y_cols, params, config.activation))
        if not np.isfinite(record["train_loss"]):
            raise TrainingDiverged(
                f"training diverged in epoch {epoch}: the training loss is "
                f"{record['train_loss']} at learning rate {lr:g}; nothing was saved: "
                "train again with a lower --lr or --weight-decay "
                "(the write-up's lr is 0.5)"
            )
        for split, X, Y in (("val", X_val, Y_val), ("test", X_test, Y_test)):
            if X is not None:
                record.update(_scores(split, X, Y, params, config.activation))
        if X_probe is not None and config.activation == "sigmoid":
            Z1 = feed_forward(X_probe, params, config.activation)["Z1"]
            record["saturated"] = saturated_shares(Z1)
        if X_val is not None and (best is None or record["val_accuracy"] > best[0]):
            best = (record["val_accuracy"], {k: v.copy() for k, v in params.items()})
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    return (params if best is None else best[1]), history


# --8<-- [start:split_validation]
def split_validation(
    X: np.ndarray, y: np.ndarray, n_val: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out n_val random columns of (X, y) as a validation set.

    Args:
        X: inputs, shape (n_x, m).
        y: integer labels, shape (m,).
        n_val: number of columns to hold out, 1 to m - 1.
        seed: the draw depends only on it and on m.

    Returns:
        (X_train, y_train, X_val, y_val), shapes (n_x, m - n_val), (m - n_val,),
        (n_x, n_val) and (n_val,), each part in the original column order.
    """
    m = X.shape[1]
    if not 0 < n_val < m:
        raise ValueError(
            f"--val must be between 1 and {m - 1} "
            f"(the training set has {m} images); got {n_val}"
        )
    order = np.random.default_rng([seed, 1]).permutation(m)
    val, keep = np.sort(order[:n_val]), np.sort(order[n_val:])
    return X[:, keep], y[keep], X[:, val], y[val]
# --8<-- [end:split_validation]


def _diverging_quietly():
    """No overflow warnings: `train`'s check of the loss stops a diverging run."""
    return np.errstate(over="ignore", invalid="ignore")


def _scores(prefix, X, Y, params, activation):
    loss, predictions = evaluate(X, Y, params, activation)
    accuracy = float(np.mean(predictions == Y.argmax(axis=0)))
    return {f"{prefix}_loss": loss, f"{prefix}_accuracy": accuracy}
