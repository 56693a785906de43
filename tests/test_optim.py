"""Momentum in its two forms: what each step does under a constant gradient."""

import numpy as np
import pytest

from nnscratch import classical_momentum_update, init_velocity, momentum_update


def _steps(update, beta, n):
    params = {"w": np.zeros(1)}
    velocity = init_velocity(params)
    grads = {"dw": np.ones(1)}
    moves = []
    for _ in range(n):
        before = params["w"].copy()
        update(params, grads, velocity, lr=1.0, beta=beta)
        moves.append(float(before[0] - params["w"][0]))
    return np.array(moves)


def test_moving_average_momentum_under_constant_gradient_approaches_g():
    """Under a constant gradient g, moving-average step t is (1 - beta^t) g."""
    moves = _steps(momentum_update, 0.9, 30)
    assert moves[[0, 4, 9, 29]] == pytest.approx(
        [0.1, 0.40951, 0.6513216, 0.9576088], rel=1e-6
    )
    assert np.allclose(moves, 1 - 0.9 ** np.arange(1, 31))


def test_classical_momentum_under_constant_gradient_approaches_g_over_1_minus_beta():
    """Under a constant gradient g, classical steps grow from g to g / (1 - beta)."""
    moves = _steps(classical_momentum_update, 0.9, 200)
    assert moves[0] == pytest.approx(1.0)
    assert moves[-1] == pytest.approx(10.0, rel=1e-6)


def test_beta_zero_is_plain_sgd():
    """With beta = 0 one step is exactly theta - lr * gradient."""
    params = {"W": np.array([[1.0, 2.0]])}
    grads = {"dW": np.array([[0.5, -1.0]])}
    momentum_update(params, grads, init_velocity(params), lr=0.1, beta=0.0)
    assert np.allclose(params["W"], [[0.95, 2.1]])


def test_velocity_buffers_keep_dtype():
    """Velocity buffers and updated parameters keep float32."""
    params = {"W": np.ones((2, 2), dtype=np.float32)}
    v = init_velocity(params)
    momentum_update(
        params, {"dW": np.ones((2, 2), dtype=np.float32)}, v, lr=0.5, beta=0.9
    )
    assert v["W"].dtype == np.float32 and params["W"].dtype == np.float32
