import math

import numpy as np
import pytest

from nnscratch import (back_propagate, compute_loss, feed_forward, init_params,
                       numerical_gradient, relative_error, sigmoid)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
def test_gradient_matches_central_differences(small_net, activation, name):
    """Each gradient has its parameter's shape and equals central differences of the
    loss in float64 to 1e-7."""
    X, Y, params = small_net
    if activation == "relu":
        # keep every pre-activation away from the kink at 0 (no derivative there)
        Z1 = params["W1"] @ X + params["b1"]
        params["b1"] += np.where(np.abs(Z1).min(axis=1, keepdims=True) < 0.05, 0.2, 0.0)
        assert np.abs(params["W1"] @ X + params["b1"]).min() > 1e-3

    def loss():
        return compute_loss(Y, feed_forward(X, params, activation)["Z2"])

    cache = feed_forward(X, params, activation)
    grads = back_propagate(X, Y, params, cache, activation)
    numeric = numerical_gradient(loss, params[name])
    assert grads["d" + name].shape == params[name].shape
    assert relative_error(grads["d" + name], numeric) < 1e-7


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_forward_pass_matches_a_loop_over_units_and_examples(small_net, activation):
    """Z1, A1, Z2 and A2 equal sums written out unit by unit and example by example."""
    X, Y, params = small_net
    W1, b1, W2, b2 = (params[k].tolist() for k in ("W1", "b1", "W2", "b2"))
    n_x, m = X.shape
    n_h, K = len(W1), len(W2)

    def g(z):
        return 1 / (1 + math.exp(-z)) if activation == "sigmoid" else max(z, 0.0)

    cache = feed_forward(X, params, activation)
    for j in range(m):
        z1 = [sum(W1[h][i] * X[i, j] for i in range(n_x)) + b1[h][0]
              for h in range(n_h)]
        a1 = [g(z) for z in z1]
        z2 = [sum(W2[k][h] * a1[h] for h in range(n_h)) + b2[k][0] for k in range(K)]
        total = sum(math.exp(z) for z in z2)
        a2 = [math.exp(z) / total for z in z2]
        for name, column in (("Z1", z1), ("A1", a1), ("Z2", z2), ("A2", a2)):
            assert cache[name][:, j] == pytest.approx(column, rel=1e-12, abs=1e-14)


def test_cache_holds_the_four_arrays_with_column_shapes(small_net):
    """The cache holds Z1, A1 (n_h, m) and Z2, A2 (K, m); A2's columns sum to 1."""
    X, Y, params = small_net
    cache = feed_forward(X, params)
    assert {k: v.shape for k, v in cache.items()} == {
        "Z1": (5, 6), "A1": (5, 6), "Z2": (4, 6), "A2": (4, 6)}
    assert np.allclose(cache["A1"], sigmoid(cache["Z1"]))
    assert np.allclose(cache["A2"].sum(axis=0), 1)


def test_gradients_are_batch_means(small_net):
    """A batch's gradient is the mean of the gradients of its examples taken alone."""
    X, Y, params = small_net
    full = back_propagate(X, Y, params, feed_forward(X, params))
    m = X.shape[1]
    per_example = [
        back_propagate(X[:, [j]], Y[:, [j]], params, feed_forward(X[:, [j]], params))
        for j in range(m)]
    for k in full:
        assert np.allclose(full[k], sum(g[k] for g in per_example) / m)


def test_float32_network_stays_float32(rng):
    """Float32 inputs and parameters give float32 caches and gradients (no upcast)."""
    params = init_params(rng=rng)
    X = rng.random((784, 16), dtype=np.float32)
    Y = np.eye(10, dtype=np.float32)[:, rng.integers(0, 10, 16)]
    cache = feed_forward(X, params)
    grads = back_propagate(X, Y, params, cache)
    assert all(v.dtype == np.float32 for v in (*cache.values(), *grads.values()))


def test_the_network_has_50890_parameters(rng):
    """The 784-64-10 network has 784*64 + 64 + 64*10 + 10 = 50,890 parameters."""
    params = init_params(rng=rng)
    n_params = sum(p.size for p in params.values())
    assert n_params == 784 * 64 + 64 + 64 * 10 + 10 == 50_890


def _central_differences(X, Y, params, name, h):
    """Central differences of the loss for params[name], in the dtype of the arrays."""
    P = params[name]
    h = P.dtype.type(h)
    numeric = np.zeros_like(P)
    for i in np.ndindex(P.shape):
        saved = P[i]
        P[i] = saved + h
        f_plus = compute_loss(Y, feed_forward(X, params)["Z2"])
        P[i] = saved - h
        f_minus = compute_loss(Y, feed_forward(X, params)["Z2"])
        P[i] = saved
        numeric[i] = (f_plus - f_minus) / (2 * h)
    return numeric


def _check_errors(small_net, dtype, h, names=("W1", "b1", "W2", "b2")):
    """{name: relative error of back_propagate's gradient vs central differences}."""
    X, Y, params = small_net
    p = {k: v.astype(dtype) for k, v in params.items()}
    X, Y = X.astype(dtype), Y.astype(dtype)
    grads = back_propagate(X, Y, p, feed_forward(X, p))
    return {n: relative_error(grads["d" + n].astype(np.float64),
                              _central_differences(X, Y, p, n, h).astype(np.float64))
            for n in names}


def test_float32_check_catches_a_missing_1_over_m_only_with_a_float32_step(small_net):
    """In float32 at h = 1e-2 every gradient agrees to 1e-3 and one missing 1/m is
    off by (m-1)/m; at h = 1e-6 even the correct gradient is off by more than 0.1."""
    X, Y, params = small_net
    m = X.shape[1]
    good = _check_errors(small_net, np.float32, 1e-2)
    assert max(good.values()) < 1e-3  # measured: 2.7e-4 for dW1
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    grads = back_propagate(X32, Y32, p32, feed_forward(X32, p32))
    numeric = _central_differences(X32, Y32, p32, "W1", 1e-2)
    missing_mean = relative_error(m * grads["dW1"], numeric)  # what a missing 1/m gives
    assert missing_mean == pytest.approx((m - 1) / m, abs=1e-2)
    bad_step = _check_errors(small_net, np.float32, 1e-6, names=("W1",))
    assert bad_step["W1"] > 0.1  # measured: 1.0, no better than the wrong gradient
    # the reason: L(W1 + h e_i) and L(W1 - h e_i) round to the same float32 number
    zeros = np.count_nonzero(_central_differences(X32, Y32, p32, "W1", 1e-6) == 0)
    assert zeros >= 30  # measured: 33 of the 35 entries


def test_check_error_is_smallest_near_the_cube_root_of_epsilon(small_net):
    """The check's error grows on both sides of h ~ eps**(1/3): float64 is best near
    1e-5, float32 near 1e-2, with the errors the Backpropagation page tabulates."""
    err64 = {h: _check_errors(small_net, np.float64, h, ("W1",))["W1"]
             for h in (1e-2, 1e-5, 1e-6, 1e-8)}
    assert err64[1e-5] < 1e-9 and err64[1e-6] < 1e-7  # measured: 4e-10 and 6e-9
    assert err64[1e-2] > 100 * err64[1e-5] and err64[1e-8] > 100 * err64[1e-5]
    err32 = {h: _check_errors(small_net, np.float32, h, ("W1",))["W1"]
             for h in (1e-2, 1e-5)}
    assert err32[1e-2] < 1e-3 and err32[1e-5] > 0.1  # measured: 2.7e-4 and 0.28
    assert (np.finfo(np.float64).eps ** (1 / 3) == pytest.approx(6.06e-6, rel=1e-2)
            and np.finfo(np.float32).eps ** (1 / 3) == pytest.approx(4.92e-3, rel=1e-2))
