import numpy as np
import pytest

from nnscratch import numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function_and_x_restored():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = numerical_gradient(lambda: float(np.sum(x**3)), x)
    assert relative_error(g, 3 * before**2) < 1e-8
    assert np.array_equal(x, before)


def test_numerical_gradient_refuses_float32():
    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))


def test_relative_error_is_norm_based():
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 1e-9])) == pytest.approx(1e-9)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError):
        relative_error(np.zeros(2), np.zeros(3))
