"""Gradient-descent updates with momentum, weight decay and learning-rate schedules."""

import math

import numpy as np

LR_SCHEDULES = ("constant", "step", "cosine")


def init_velocity(params):
    """Zero momentum buffers, one per parameter, same shapes and dtypes."""
    return {name: np.zeros_like(p) for name, p in params.items()}


# --8<-- [start:momentum_update]
def momentum_update(params, grads, velocity, lr, beta):
    r"""One step of momentum in moving-average form, in place (the write-up's rule).

    $$v \leftarrow \beta v + (1 - \beta)\,\nabla_\theta L, \qquad
    \theta \leftarrow \theta - \eta\, v$$

    With $v_0 = 0$ and a constant gradient $g$, step $t$ moves by
    $\eta(1 - \beta^t) g$, never more than $\eta g$. `beta=0` is plain SGD.

    Args:
        params: dict of parameter arrays (W1, b1, ...), updated in place.
        grads: dict of gradients keyed "d" + name (dW1, db1, ...).
        velocity: dict of buffers from `init_velocity`, updated in place.
        lr: learning rate $\eta$.
        beta: momentum coefficient $\beta \in [0, 1)$.
    """
    for name, theta in params.items():
        v = velocity[name]
        v *= beta
        v += (1 - beta) * grads["d" + name]
        theta -= lr * v
# --8<-- [end:momentum_update]


# --8<-- [start:classical_momentum_update]
def classical_momentum_update(params, grads, velocity, lr, beta):
    r"""One step of classical (heavy-ball) momentum, in place, for comparison.

    $$v \leftarrow \beta v + \nabla_\theta L, \qquad \theta \leftarrow \theta - \eta\, v$$

    Under a constant gradient the step tends to $\eta g / (1 - \beta)$: ten
    times the moving-average form's at $\beta = 0.9$, so the same `lr` means
    a different step size in the two forms.

    Args: as for `momentum_update`.
    """
    for name, theta in params.items():
        v = velocity[name]
        v *= beta
        v += grads["d" + name]
        theta -= lr * v
# --8<-- [end:classical_momentum_update]


# --8<-- [start:add_weight_decay]
def add_weight_decay(grads, params, weight_decay):
    r"""Add the gradient of an L2 penalty on the weights (not the biases), in place.

    $$L_\lambda = L + \frac{\lambda}{2}\left(\lVert W^{[1]}\rVert_F^2 + \lVert W^{[2]}\rVert_F^2\right),
    \qquad dW^{[l]} \leftarrow dW^{[l]} + \lambda W^{[l]}$$

    Args:
        grads: dict from `back_propagate`, updated in place.
        params: the parameters the gradients belong to.
        weight_decay: $\lambda \ge 0$.
    """
    for name in ("W1", "W2"):
        grads["d" + name] += weight_decay * params[name]
# --8<-- [end:add_weight_decay]


# --8<-- [start:learning_rate]
def learning_rate(epoch, lr, epochs, schedule="constant"):
    r"""Learning rate of a (1-based) epoch under a schedule.

    - constant: $\eta_e = \eta$
    - step: $\eta_e = \eta \cdot 0.1^{k}$, $k$ the number of the milestones
      $\lceil E/2 \rceil$ and $\lceil 3E/4 \rceil$ that lie before epoch $e$
    - cosine: $\eta_e = \frac{\eta}{2}\left(1 + \cos\frac{\pi (e - 1)}{E}\right)$

    Args:
        epoch: $e$ in 1..E.
        lr: base rate $\eta$.
        epochs: $E$.
        schedule: "constant", "step" or "cosine".
    """
    if schedule == "constant":
        return lr
    if schedule == "step":
        milestones = (math.ceil(epochs / 2), math.ceil(3 * epochs / 4))
        return lr * 0.1 ** sum(epoch > m for m in milestones)
    if schedule == "cosine":
        return lr * (1 + math.cos(math.pi * (epoch - 1) / epochs)) / 2
    raise ValueError(f"schedule must be one of {', '.join(LR_SCHEDULES)}; got {schedule!r}")
# --8<-- [end:learning_rate]
