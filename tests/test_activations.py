import numpy as np
import pytest

from nnscratch import (numerical_gradient, relative_error, relu, relu_derivative, sigmoid,
                       sigmoid_derivative, softmax, softmax_jacobian)


def test_sigmoid_derivative_matches_central_differences_on_minus30_to_30():
    z = np.linspace(-30, 30, 601)
    numeric = np.empty_like(z)
    for i, zi in enumerate(z):
        x = np.array([zi])
        numeric[i] = numerical_gradient(lambda: float(sigmoid(x)[0]), x)[0]
    assert relative_error(sigmoid_derivative(z), numeric) < 1e-7


def test_sigmoid_derivative_keeps_relative_precision_in_the_tail():
    # sigma(z)(1 - sigma(z)) is exactly 0 for z >= 37 in float64; the true value is e^-z
    z = np.array([30.0, 40.0, 100.0])
    assert np.allclose(sigmoid_derivative(z), np.exp(-z) / (1 + np.exp(-z)) ** 2, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_raises_nothing_for_huge_inputs(dtype):
    z = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], dtype=dtype)
    with np.errstate(all="raise"):
        s = sigmoid(z)
    assert s.dtype == dtype
    assert s[0] == 0 and s[2] == 0.5 and s[-1] == 1


def test_sigmoid_matches_the_textbook_formula_where_that_is_safe():
    z = np.linspace(-20, 20, 81)
    assert np.allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15, atol=0)


def test_relu_and_its_derivative():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0], dtype=np.float32)
    assert np.array_equal(relu(z), [0, 0, 0, 0.5, 3])
    assert np.array_equal(relu_derivative(z), [0, 0, 0, 1, 1])
    assert relu_derivative(z).dtype == np.float32


def test_softmax_is_shift_invariant_and_finite(rng):
    Z = rng.standard_normal((10, 7))
    for shift in (1000.0, -1000.0):
        S = softmax(Z + shift)
        assert np.all(np.isfinite(S))
        assert np.allclose(S, softmax(Z), rtol=1e-12, atol=0)
    assert np.allclose(softmax(Z).sum(axis=0), 1)


def test_softmax_of_extreme_logits_has_no_nan():
    S = softmax(np.array([[1000.0], [0.0], [-5.0]]))
    assert np.array_equal(S.ravel(), [1.0, 0.0, 0.0])
    S = softmax(np.array([[-800.0], [-801.0], [-802.0]]))
    assert np.allclose(S.ravel(), softmax(np.array([[0.0], [-1.0], [-2.0]])).ravel())


def test_softmax_float32_stays_float32_and_finite():
    Z = np.array([[100.0], [0.0]], dtype=np.float32)  # exp(100) overflows float32
    S = softmax(Z)
    assert S.dtype == np.float32 and np.all(np.isfinite(S))


def test_softmax_jacobian_matches_central_differences(rng):
    z = rng.standard_normal(6)
    numeric = np.empty((6, 6))
    for k in range(6):
        numeric[k] = numerical_gradient(lambda: float(softmax(z.reshape(-1, 1))[k, 0]), z)
    J = softmax_jacobian(z)
    assert relative_error(J, numeric) < 1e-7
    y = softmax(z.reshape(-1, 1)).ravel()
    assert np.allclose(J, np.diag(y) - np.outer(y, y))
