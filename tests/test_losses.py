"""Tests of the loss functions (Softmax and cross-entropy page)."""

import mpmath
import numpy as np

from nnscratch import (
    binary_cross_entropy,
    binary_cross_entropy_derivative,
    compute_loss,
    log_softmax,
    numerical_gradient,
    relative_error,
    sigmoid,
    softmax,
)


def test_loss_of_extreme_logits_is_exact():
    """Logits (1000, 0, -800), class 3: the loss 1800 + log(1 + e^-1000 + e^-1800)
    is 1800.0 in float64, with no overflow and no log(0)."""
    with mpmath.workdps(900):  # 900 digits see the e^-1000
        excess = 1800 + mpmath.log(1 + mpmath.exp(-1000) + mpmath.exp(-1800)) - 1800
        assert 0 < excess < mpmath.mpf("1e-400")  # not 1800 in real numbers
    Z = np.array([[1000.0], [0.0], [-800.0]])
    Y = np.array([[0.0], [0.0], [1.0]])
    assert compute_loss(Y, Z) == 1800.0


def test_loss_is_finite_when_a_wrong_class_probability_underflows():
    """A wrong class whose probability underflows to 0 adds nothing, not 0 * log 0 =
    nan."""
    Z = np.array([[0.0], [-1000.0]])  # softmax gives exactly 0 for class 1
    Y = np.array([[1.0], [0.0]])
    loss = compute_loss(Y, Z)
    assert np.isfinite(loss) and loss == 0.0


def test_loss_equals_the_naive_formula_on_moderate_logits(rng):
    """On moderate logits the loss equals a literal -mean sum Y log(exp(Z) / sum
    exp(Z))."""
    Z = rng.standard_normal((10, 20))
    Y = np.eye(10)[:, rng.integers(0, 10, 20)]
    naive = -np.sum(Y * np.log(np.exp(Z) / np.exp(Z).sum(axis=0))) / 20
    assert np.isclose(compute_loss(Y, Z), naive, rtol=1e-12)


def test_log_softmax_equals_log_of_softmax(rng):
    """log_softmax equals log(softmax) where the softmax does not underflow."""
    Z = rng.standard_normal((10, 5)) * 10
    assert np.allclose(log_softmax(Z), np.log(softmax(Z)), rtol=1e-12, atol=1e-12)


def test_softmax_cross_entropy_gradient_is_A2_minus_Y_over_m(rng):
    """Central differences of compute_loss in float64 equal (softmax(Z2) - Y) / m."""
    K, m = 10, 8
    Z2 = rng.standard_normal((K, m)) * 3
    Y = np.eye(K)[:, rng.integers(0, K, m)]
    numeric = numerical_gradient(lambda: compute_loss(Y, Z2), Z2)
    assert relative_error((softmax(Z2) - Y) / m, numeric) < 1e-7


def test_binary_cross_entropy_derivative_matches_central_differences():
    """The binary cross-entropy derivative (12) agrees with central differences."""
    for y in (0.0, 1.0, 0.3):
        y_hat = np.linspace(0.05, 0.95, 19)
        numeric = np.empty_like(y_hat)
        for i in range(y_hat.size):
            p = y_hat[i : i + 1].copy()
            numeric[i] = numerical_gradient(
                lambda: float(binary_cross_entropy(y, p)[0]), p
            )[0]
        assert relative_error(binary_cross_entropy_derivative(y, y_hat), numeric) < 1e-7


def test_binary_chain_rule_collapses_to_y_hat_minus_y():
    """Sigmoid output: dl/dy_hat times y_hat (1 - y_hat) is y_hat - y on [-5, 5]."""
    # dl/dz = dl/dy_hat * sigma'(z) = (y_hat - y) for a sigmoid output
    z = np.linspace(-5, 5, 11)
    y_hat = sigmoid(z)
    for y in (0.0, 1.0):
        chain = binary_cross_entropy_derivative(y, y_hat) * y_hat * (1 - y_hat)
        assert np.allclose(chain, y_hat - y, rtol=1e-12, atol=1e-15)


def test_the_written_binary_loss_is_not_the_implemented_loss(rng):
    """The write-up's binary loss applied to softmax outputs is not the loss the code
    minimises."""
    # the write-up's text derives BCE; its code minimises categorical CE (audit finding
    # 1)
    Z2 = rng.standard_normal((10, 4))
    Y = np.eye(10)[:, [1, 3, 5, 7]]
    written = float(np.sum(binary_cross_entropy(Y, softmax(Z2)))) / 4
    assert abs(written - compute_loss(Y, Z2)) > 0.1
