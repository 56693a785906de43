"""Gradient-descent updates: momentum, weight decay, learning-rate schedules."""

import math

import numpy as np

LR_SCHEDULES = ("constant", "step", "cosine")


def init_velocity(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Zero momentum buffers, one per parameter, same shapes and dtypes."""
    return {name: np.zeros_like(p) for name, p in params.items()}


# --8<-- [start:momentum_update]
def momentum_update(
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    velocity: dict[str, np.ndarray],
    lr: float,
    beta: float,
) -> None:
    """One step of momentum in moving-average form, in place (the write-up's).

    Equations (1) and (2) of the Training page. beta=0: plain gradient descent.

    Args:
        params: parameter arrays (W1, b1, W2, b2), updated in place.
        grads: gradients keyed "d" + name (dW1, ...), each shaped like its
            parameter.
        velocity: buffers from `init_velocity`, same shapes, updated in place.
        lr: learning rate.
        beta: momentum coefficient in [0, 1).
    """
    for name, theta in params.items():
        v = velocity[name]
        v *= beta  # (1)
        v += (1 - beta) * grads["d" + name]  # (1)
        theta -= lr * v  # (2)
# --8<-- [end:momentum_update]


# --8<-- [start:classical_momentum_update]
def classical_momentum_update(
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    velocity: dict[str, np.ndarray],
    lr: float,
    beta: float,
) -> None:
    """One step of classical (heavy-ball) momentum, in place, for comparison.

    Equations (3) and (4) of the Training page. Arguments as for
    `momentum_update`; the same lr gives steps up to 1 / (1 - beta) times
    larger than that form's.
    """
    for name, theta in params.items():
        v = velocity[name]
        v *= beta  # (3)
        v += grads["d" + name]  # (3)
        theta -= lr * v  # (4)
# --8<-- [end:classical_momentum_update]


# --8<-- [start:add_weight_decay]
def add_weight_decay(
    grads: dict[str, np.ndarray],
    params: dict[str, np.ndarray],
    weight_decay: float,
) -> None:
    """Add the gradient of an L2 penalty on the weights (not biases), in place.

    Equation (6) of the Training page: the gradient of the penalty in (5).

    Args:
        grads: gradients from `back_propagate` (dW1 (n_h, n_x), ...), updated
            in place.
        params: the parameters they belong to.
        weight_decay: the penalty's coefficient, >= 0.
    """
    for name in ("W1", "W2"):  # biases are not penalised
        grads["d" + name] += weight_decay * params[name]  # (6)
# --8<-- [end:add_weight_decay]


# --8<-- [start:learning_rate]
def learning_rate(
    epoch: int, lr: float, epochs: int, schedule: str = "constant"
) -> float:
    """Learning rate of a (1-based) epoch under a schedule.

    Equations (9) to (11) of the Training page: constant, step or cosine.

    Args:
        epoch: the epoch, 1 to `epochs`.
        lr: the base rate.
        epochs: number of epochs of the run.
        schedule: "constant", "step" or "cosine".
    """
    if schedule == "constant":
        return lr  # (9)
    if schedule == "step":
        e_1, e_2 = math.ceil(epochs / 2), math.ceil(3 * epochs / 4)  # (10)
        return lr * 0.1 ** ((epoch > e_1) + (epoch > e_2))  # (10)
    if schedule == "cosine":
        return lr * (1 + math.cos(math.pi * (epoch - 1) / epochs)) / 2  # (11)
    choices = ", ".join(LR_SCHEDULES)
    raise ValueError(f"schedule must be one of {choices}; got {schedule!r}")
# --8<-- [end:learning_rate]
