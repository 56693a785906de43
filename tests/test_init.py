"""Checks of the initialisation rule and the variance derivation (Initialisation page).

Monte Carlo estimates draw 200,000 trials in float64; tolerances are a few
standard errors.
"""

import numpy as np
import pytest

from nnscratch import (
    init_params,
    load_sample,
    relu,
    sigmoid,
    standardised_tanh_variances,
    variance_measurements,
)


def _var_of_z(x_sampler, n, var_w, rng, trials=200_000):
    """Var(z) for z = sum_i w_i x_i, drawing fresh w and x in every trial."""
    w = rng.standard_normal((trials, n)) * np.sqrt(var_w)
    x = x_sampler((trials, n))
    return np.var(np.sum(w * x, axis=1))


def _sample_pixels(m=2000):
    return load_sample().X_train[:, :m].astype(np.float64)


def test_zero_mean_iid_inputs_give_n_var_w_var_x(rng):
    """With centred, identically distributed inputs, Var(z) = n Var(w) Var(x) (equation
    8)."""
    n, var_w, var_x = 50, 0.02, 4.0
    measured = _var_of_z(lambda s: rng.standard_normal(s) * 2.0, n, var_w, rng)
    assert measured == pytest.approx(n * var_w * var_x, rel=0.02)


def test_non_zero_mean_inputs_need_the_second_moment(rng):
    """Uniform inputs on [0, 1], Var(w) = 1/n: Var(z) = E[x^2] = 1/3, not 1/12."""
    n = 100
    measured = _var_of_z(rng.random, n, 1 / n, rng)
    assert measured == pytest.approx(1 / 3, rel=0.02)
    assert abs(measured - 1 / 12) > 0.2


def test_non_identically_distributed_inputs_sum_their_second_moments(rng):
    """Inputs with different means and spreads give Var(w) times the sum of E[x_i^2]
    (7)."""
    n = 40
    mu = np.linspace(-1, 2, n)
    sd = np.linspace(0.1, 1.5, n)
    measured = _var_of_z(lambda s: mu + sd * rng.standard_normal(s), n, 0.01, rng)
    assert measured == pytest.approx(0.01 * np.sum(sd**2 + mu**2), rel=0.02)


def test_only_standardised_pixels_give_variance_1():
    """Centred MNIST pixels give Var(z) of about 0.067; variance 1 needs standardised
    pixels."""
    X = _sample_pixels()
    centred = X - X.mean(axis=1, keepdims=True)
    mean_variance = float(centred.var(axis=1).mean())
    assert 0.06 < mean_variance < 0.075
    measured = variance_measurements(centred)["input layer"]["measured"]
    assert measured == pytest.approx(mean_variance, rel=0.05)
    varying = X.std(axis=1) > 0  # pixels that are always 0 cannot be scaled to 1
    standardised = centred[varying] / X[varying].std(axis=1, keepdims=True)
    assert variance_measurements(standardised)["input layer"][
        "measured"
    ] == pytest.approx(1, rel=0.05)


def test_within_unit_variance_is_the_write_ups_formula_pooled_is_not():
    """Within one unit Var(z) is n Var(w) mean Var(x_i); pooled over units it is (7)."""
    for layer in variance_measurements(_sample_pixels(), seed=2).values():
        assert layer["within a unit"] == pytest.approx(layer["write-up"], rel=0.05)
        assert layer["measured"] == pytest.approx(layer["corrected"], rel=0.05)
        assert layer["measured"] == pytest.approx(
            layer["within a unit"] + layer["between units"], rel=1e-9
        )
        assert layer["measured"] > 1.4 * layer["within a unit"]


def test_small_weights_make_the_sigmoid_nearly_linear_not_identical(rng):
    """Weights 100x smaller keep units distinct but put the sigmoid in its straight
    middle."""
    X = _sample_pixels(500)
    W = init_params(rng=rng, dtype=np.float64)["W1"] / 100
    Z = W @ X
    A = sigmoid(Z)
    linear = 0.5 + Z / 4  # the tangent of the sigmoid at 0
    assert np.max(np.abs(A - linear)) < 1e-4 * np.max(np.abs(A - 0.5))  # 0.1 at 1x
    correlation = np.corrcoef(A[:10])  # ten hidden units over 500 images
    assert np.max(np.abs(correlation - np.eye(10))) < 0.999
    # identical units come from identical weights, not from small ones
    same = np.repeat(W[:1], 10, axis=0)
    assert np.allclose(sigmoid(same @ X), sigmoid(same @ X)[0], rtol=1e-12, atol=0)


def test_he_factor_2_is_justified_after_relu_not_on_pixels(rng):
    """c = 2 keeps E[z^2] through a ReLU layer; on pixels (the first layer) it just
    doubles it."""
    n, m = 512, 4000
    Z_prev = rng.standard_normal((n, m))  # second moment 1
    for c, expected in ((1.0, 0.5), (2.0, 1.0)):
        W = rng.standard_normal((n, n)) * np.sqrt(c / n)
        assert np.mean((W @ relu(Z_prev)) ** 2) == pytest.approx(expected, rel=0.05)
    X = _sample_pixels()
    W1 = init_params(784, 2048, 10, rng=rng, activation="relu", dtype=np.float64)["W1"]
    second_moment = float(
        np.mean(np.mean(X**2, axis=1))
    )  # 0.11, pixels are not ReLU outputs
    assert np.mean((W1 @ X) ** 2) == pytest.approx(
        2 * 784 * second_moment / 784, rel=0.05
    )


@pytest.mark.parametrize("activation,c", [("sigmoid", 1.0), ("relu", 2.0)])
def test_init_scales_by_fan_in(activation, c):
    """Weights have variance c / fan-in, biases are 0, shapes and dtype are as
    documented."""
    params = init_params(
        784, 256, 10, rng=np.random.default_rng(0), activation=activation
    )
    assert params["W1"].var() == pytest.approx(c / 784, rel=0.02)
    assert params["W2"].var() == pytest.approx(c / 256, rel=0.1)
    assert not params["b1"].any() and not params["b2"].any()
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (256, 784),
        "b1": (256, 1),
        "W2": (10, 256),
        "b2": (10, 1),
    }
    assert all(v.dtype == np.float32 for v in params.values())


def test_init_is_determined_by_the_generator():
    """The same generator seed gives the same weights; another seed gives others."""
    a = init_params(rng=np.random.default_rng(7))
    b = init_params(rng=np.random.default_rng(7))
    c = init_params(rng=np.random.default_rng(8))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])


def test_the_pixel_moments_quoted_on_the_pages():
    """Shipped sample, float64: pixel mean about 0.13, variances 0 to about 0.2; one
    unit's Var(z) about 0.07 and the pooled one about 0.11 at the input layer."""
    X = load_sample().X_train.astype(np.float64)
    variances = X.var(axis=1)
    assert 0.12 < X.mean() < 0.14
    assert variances.min() == 0 and 0.18 < variances.max() < 0.22
    first = variance_measurements(X[:, :2000])["input layer"]
    assert first["within a unit"] == pytest.approx(0.07, abs=0.005)
    assert first["measured"] == pytest.approx(0.11, abs=0.01)


def test_the_pixels_that_never_vary_in_the_sample():
    """Initialisation and Corrections item 5: of the 784 pixels, 129 are 0 in all 5,000
    training images of the shipped sample, 84 of the 108 on the border and 45 inside
    it; the other 24 border pixels vary."""
    X = load_sample().X_train
    never = (X.max(axis=1) == 0).reshape(28, 28)
    assert np.array_equal(never, (X.var(axis=1, dtype=np.float64) == 0).reshape(28, 28))
    border = np.ones((28, 28), dtype=bool)
    border[1:-1, 1:-1] = False
    assert border.sum() == 108
    assert never.sum() == 129
    assert (never & border).sum() == 84 and (border & ~never).sum() == 24
    assert (never & ~border).sum() == 45


def test_standardised_inputs_give_variance_1_in_the_first_layer_only():
    """Standardised sample pixels, weights N(0, 1/n_in), tanh: Var(Z1) is 1 but Var(Z2)
    is about 0.35, because tanh shrinks the second moment (E[tanh(z)^2] = 0.394 for
    z ~ N(0, 1)); float64."""
    X = _sample_pixels()
    for seed in (0, 1):
        layers = standardised_tanh_variances(X, seed=seed)
        assert layers["input layer"] == pytest.approx(1, abs=0.03)
        assert 0.30 < layers["tanh hidden layer"] < 0.40
        assert layers["tanh hidden layer"] == pytest.approx(
            layers["E[tanh(z1)^2]"], rel=0.1
        )  # n_h Var(w) E[a^2] with E[a] = 0: the second moment is what passes on
        assert 6 < layers["E[z1^4]/E[z1^2]^2"] < 10  # heavier tails than a normal's 3
        assert layers["E[tanh(z1)^2]"] < 0.37  # so tanh keeps less than 0.394
    nodes, weights = np.polynomial.hermite_e.hermegauss(100)
    tanh2 = np.sum(weights * np.tanh(nodes) ** 2) / np.sqrt(2 * np.pi)
    assert tanh2 == pytest.approx(0.394, abs=5e-4)
    draws = np.tanh(np.random.default_rng(0).standard_normal(400_000)) ** 2
    assert draws.mean() == pytest.approx(tanh2, abs=3e-3)
