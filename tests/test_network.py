import numpy as np
import pytest

from nnscratch import (back_propagate, compute_loss, feed_forward, init_params,
                       numerical_gradient, relative_error, sigmoid)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
def test_gradient_matches_central_differences(small_net, activation, name):
    X, Y, params = small_net
    if activation == "relu":
        # keep every pre-activation away from the kink at 0, where relu has no derivative
        Z1 = params["W1"] @ X + params["b1"]
        params["b1"] += np.where(np.abs(Z1).min(axis=1, keepdims=True) < 0.05, 0.2, 0.0)
        assert np.abs(params["W1"] @ X + params["b1"]).min() > 1e-3

    def loss():
        return compute_loss(Y, feed_forward(X, params, activation)["Z2"])

    grads = back_propagate(X, Y, params, feed_forward(X, params, activation), activation)
    numeric = numerical_gradient(loss, params[name])
    assert grads["d" + name].shape == params[name].shape
    assert relative_error(grads["d" + name], numeric) < 1e-7


def test_cache_holds_the_four_arrays_with_column_shapes(small_net):
    X, Y, params = small_net
    cache = feed_forward(X, params)
    assert {k: v.shape for k, v in cache.items()} == {
        "Z1": (5, 6), "A1": (5, 6), "Z2": (4, 6), "A2": (4, 6)}
    assert np.allclose(cache["A1"], sigmoid(cache["Z1"]))
    assert np.allclose(cache["A2"].sum(axis=0), 1)


def test_gradients_are_batch_means(small_net):
    # the gradient of a batch equals the mean of the per-example gradients
    X, Y, params = small_net
    full = back_propagate(X, Y, params, feed_forward(X, params))
    m = X.shape[1]
    per_example = [back_propagate(X[:, [j]], Y[:, [j]], params, feed_forward(X[:, [j]], params))
                   for j in range(m)]
    for k in full:
        assert np.allclose(full[k], sum(g[k] for g in per_example) / m)


def test_float32_network_stays_float32(rng):
    params = init_params(rng=rng)
    X = rng.random((784, 16), dtype=np.float32)
    Y = np.eye(10, dtype=np.float32)[:, rng.integers(0, 10, 16)]
    cache = feed_forward(X, params)
    grads = back_propagate(X, Y, params, cache)
    assert all(v.dtype == np.float32 for v in (*cache.values(), *grads.values()))


def test_float32_gradient_check_is_meaningless_which_is_why_we_use_float64(small_net):
    X, Y, params = small_net
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    analytic = back_propagate(X32, Y32, p32, feed_forward(X32, p32))["dW1"]
    W = p32["W1"]
    numeric = np.zeros_like(analytic)
    h = np.float32(1e-6)
    for i in np.ndindex(W.shape):
        saved = W[i]
        W[i] = saved + h
        f_plus = compute_loss(Y32, feed_forward(X32, p32)["Z2"])
        W[i] = saved - h
        f_minus = compute_loss(Y32, feed_forward(X32, p32)["Z2"])
        W[i] = saved
        numeric[i] = (f_plus - f_minus) / (2 * h)
    assert relative_error(analytic, numeric) > 1e-3
