"""Monte Carlo checks of the variance derivation (seed audit, derivation 1)."""

import numpy as np
import pytest

from nnscratch import init_params


def _var_of_s(x_sampler, n, var_w, rng, trials=200_000):
    """Var(s) for s = sum_i w_i x_i, drawing fresh w and x in every trial."""
    w = rng.standard_normal((trials, n)) * np.sqrt(var_w)
    x = x_sampler((trials, n))
    return np.var(np.sum(w * x, axis=1))


def test_zero_mean_iid_inputs_give_n_var_w_var_x(rng):
    n, var_w, var_x = 50, 0.02, 4.0
    measured = _var_of_s(lambda s: rng.standard_normal(s) * 2.0, n, var_w, rng)
    assert measured == pytest.approx(n * var_w * var_x, rel=0.02)


def test_non_zero_mean_inputs_need_the_second_moment(rng):
    # Uniform(0, 1): Var(x) = 1/12 but E[x^2] = 1/3; with Var(w) = 1/n the answer is 1/3
    n = 100
    measured = _var_of_s(rng.random, n, 1 / n, rng)
    assert measured == pytest.approx(1 / 3, rel=0.02)
    assert abs(measured - 1 / 12) > 0.2


def test_non_identically_distributed_inputs_sum_their_second_moments(rng):
    n = 40
    mu = np.linspace(-1, 2, n)
    sd = np.linspace(0.1, 1.5, n)
    measured = _var_of_s(lambda s: mu + sd * rng.standard_normal(s), n, 0.01, rng)
    assert measured == pytest.approx(0.01 * np.sum(sd**2 + mu**2), rel=0.02)


@pytest.mark.parametrize("activation,c", [("sigmoid", 1.0), ("relu", 2.0)])
def test_init_scales_by_fan_in(activation, c):
    params = init_params(784, 256, 10, rng=np.random.default_rng(0), activation=activation)
    assert params["W1"].var() == pytest.approx(c / 784, rel=0.02)
    assert params["W2"].var() == pytest.approx(c / 256, rel=0.1)
    assert not params["b1"].any() and not params["b2"].any()
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (256, 784), "b1": (256, 1), "W2": (10, 256), "b2": (10, 1)}
    assert all(v.dtype == np.float32 for v in params.values())


def test_init_is_determined_by_the_generator():
    a = init_params(rng=np.random.default_rng(7))
    b = init_params(rng=np.random.default_rng(7))
    c = init_params(rng=np.random.default_rng(8))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])
