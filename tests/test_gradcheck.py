import numpy as np
import pytest

from nnscratch import numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function_and_x_restored():
    """Central differences of sum(x**3) give 3x**2 to 1e-8, and x is left as it was."""
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = numerical_gradient(lambda: float(np.sum(x**3)), x)
    assert relative_error(g, 3 * before**2) < 1e-8
    assert np.array_equal(x, before)


def test_numerical_gradient_costs_two_loss_evaluations_per_entry():
    """A numerical gradient calls f exactly twice per entry, at x_i + h and x_i - h."""
    x = np.zeros((3, 4))
    seen = []

    def f():
        seen.append(x.copy())
        return 0.0

    numerical_gradient(f, x, h=0.5)
    assert len(seen) == 2 * x.size
    nudged = [tuple(np.argwhere(s != 0)[0]) + (float(s[s != 0][0]),) for s in seen]
    assert nudged == [(*i, sign * 0.5) for i in np.ndindex(x.shape) for sign in (1, -1)]


def test_numerical_gradient_refuses_float32():
    """Float32 input is refused with a message naming float64 (its h is too small)."""
    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))


def test_relative_error_is_norm_based():
    """The error is the largest difference over the largest magnitude, not per entry."""
    error = relative_error(np.array([1.0, 0.0]), np.array([1.0, 1e-9]))
    assert error == pytest.approx(1e-9)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError):
        relative_error(np.zeros(2), np.zeros(3))
