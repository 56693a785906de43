"""Gradient-descent updates with momentum."""

import numpy as np


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
