"""Tests of the activations (Activations page) and of the softmax (Softmax page)."""

import mpmath
import numpy as np
import pytest

from nnscratch import (
    numerical_gradient,
    relative_error,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_jacobian,
)

mpmath.mp.dps = (
    40  # 40 significant digits: an independent reference for float64 results
)


def _exact_sigmoid(z):
    """1 / (1 + e^-z) in 40-digit arithmetic, rounded to float64."""
    return np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(float(x))))) for x in z])


def _exact_slope(z):
    """sigma'(z) = e^-z / (1 + e^-z)^2 in 40-digit arithmetic, rounded to float64."""
    e = [mpmath.exp(-mpmath.mpf(float(x))) for x in z]
    return np.array([float(t / (1 + t) ** 2) for t in e])


def _relative(computed, exact):
    return np.abs(np.asarray(computed, dtype=np.float64) - exact) / np.abs(exact)


def test_sigmoid_derivative_matches_central_differences_on_minus30_to_30():
    """sigmoid_derivative agrees with central differences of sigmoid in float64 on [-30,
    30]."""
    z = np.linspace(-30, 30, 601)
    numeric = np.empty_like(z)
    for i, zi in enumerate(z):
        x = np.array([zi])
        numeric[i] = numerical_gradient(lambda: float(sigmoid(x)[0]), x)[0]
    assert relative_error(sigmoid_derivative(z), numeric) < 1e-7
    # the numbers quoted beside it: at most 1/4, at z = 0, and about 0.0066 at z = 5
    assert sigmoid_derivative(z).max() == sigmoid_derivative(np.array([0.0]))[0] == 0.25
    assert abs(sigmoid_derivative(np.array([5.0]))[0] - 0.0066) < 5e-5


def test_sigmoid_derivative_keeps_relative_precision_in_the_tail():
    """In both float64 tails sigma'(z) keeps full relative precision against 40-digit
    values."""
    # sigma(z)(1 - sigma(z)) is off by 1e-3 at z = 30 and exactly 0 from z = 36.74 in
    # float64
    z = np.array(
        [-700.0, -100.0, -20.0, 10.0, 15.0, 17.0, 20.0, 30.0, 37.0, 40.0, 700.0]
    )
    exact = _exact_slope(z)
    assert np.all(exact > 0)
    assert np.all(_relative(sigmoid_derivative(z), exact) < 1e-14)  # relative, atol = 0


def test_float32_one_minus_form_loses_the_slope_from_16_6():
    """In float32, A(1 - A) is off by about 5e-4 at z = 10, 17% at z = 15 and 0 from
    16.64."""
    z = np.array([10.0, 15.0, 17.0, 30.0, 37.0], dtype=np.float32)  # the table's z
    exact = _exact_slope(z.astype(np.float64))
    A = sigmoid(z)
    error = _relative(A * (1 - A), exact)
    assert 3e-4 < error[0] < 7e-4
    assert 0.12 < error[1] < 0.22
    assert np.all(A[2:] * (1 - A[2:]) == 0)
    grid = np.arange(16.5, 16.8, 0.001, dtype=np.float32)
    S = sigmoid(grid)
    first_zero = grid[np.argmax(S * (1 - S) == 0)]
    assert 16.6 < first_zero < 16.7
    assert np.all(_relative(sigmoid_derivative(z), exact) < 1e-6)  # the product form
    # the float64 figures quoted beside them: 1e-3 at z = 30, and 0 from z = 36.74
    z64 = np.array([10.0, 15.0, 17.0, 30.0, 36.7, 36.8])
    A64 = sigmoid(z64)
    error64 = _relative(A64 * (1 - A64), _exact_slope(z64))
    assert np.all(error64[:3] < 1e-8) and 5e-4 < error64[3] < 2e-3
    assert error64[4] < 1 and A64[5] * (1 - A64[5]) == 0
    assert np.exp(-16.64) < 6e-8 < 1e-6 * 0.25


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_raises_nothing_for_huge_inputs(dtype):
    """The sigmoid of -1e4 and 1e4 is exactly 0 and 1 with every float error raising."""
    z = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], dtype=dtype)
    with np.errstate(all="raise"):
        s = sigmoid(z)
    assert s.dtype == dtype
    assert s[0] == 0 and s[2] == 0.5 and s[-1] == 1


def test_sigmoid_matches_the_textbook_formula_where_that_is_safe():
    """On [-30, 30] the sigmoid is within 4e-16 (relative) of 40-digit values of 1/(1 +
    e^-z)."""
    z = np.linspace(-30, 30, 121)
    assert np.all(_relative(sigmoid(z), _exact_sigmoid(z)) < 4e-16)


def test_relu_and_its_derivative():
    """relu is max(0, z) and its derivative is 1 for z > 0 and 0 elsewhere, in the input
    dtype."""
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0], dtype=np.float32)
    assert np.array_equal(relu(z), [0, 0, 0, 0.5, 3])
    assert np.array_equal(relu_derivative(z), [0, 0, 0, 1, 1])
    assert relu_derivative(z).dtype == np.float32


def test_softmax_is_shift_invariant_and_finite(rng):
    """softmax of logits shifted by +-1000 equals a literal exp/sum of the unshifted
    logits."""
    Z = rng.standard_normal((10, 7))
    literal = np.exp(Z) / np.exp(Z).sum(axis=0)  # safe: |Z| < 5
    for shift in (0.0, 1000.0, -1000.0):
        S = softmax(Z + shift)
        assert np.all(np.isfinite(S))
        assert np.allclose(S, literal, rtol=1e-12, atol=0)


def test_softmax_of_extreme_logits_has_no_nan():
    """Logits (1000, 0, -5) and (-800, -801, -802) give the probabilities of their
    shifted forms."""
    S = softmax(np.array([[1000.0], [0.0], [-5.0]]))
    assert np.array_equal(S.ravel(), [1.0, 0.0, 0.0])
    S = softmax(np.array([[-800.0], [-801.0], [-802.0]]))
    e = np.exp([0.0, -1.0, -2.0])
    assert np.allclose(S.ravel(), e / e.sum(), rtol=1e-15, atol=0)


def test_softmax_float32_stays_float32_and_finite():
    """A float32 logit of 100, where exp overflows float32, still gives finite float32
    output."""
    Z = np.array([[100.0], [0.0]], dtype=np.float32)  # exp(100) overflows float32
    S = softmax(Z)
    assert S.dtype == np.float32 and np.all(np.isfinite(S))
    assert S[0, 0] == 1 and 0 < S[1, 0] < 1e-43


def test_softmax_jacobian_matches_central_differences(rng):
    """The Jacobian diag(y) - y y^T agrees with central differences of softmax in
    float64."""
    z = rng.standard_normal(6)
    numeric = np.empty((6, 6))
    for k in range(6):
        numeric[k] = numerical_gradient(
            lambda: float(softmax(z.reshape(-1, 1))[k, 0]), z
        )
    J = softmax_jacobian(z)
    assert relative_error(J, numeric) < 1e-7


def test_float64_sigmoid_gives_0_only_where_the_true_value_is_subnormal():
    """Draw and Activations pages, float64: the package's one formula agrees with the
    sign-branched form to 2 units in the last place down to z = -708; between -745.1
    and -709.8 the true value is subnormal (2.0e-313 at z = -720), which the branched
    form keeps and the package returns as 0; below -745.2 both are 0."""
    eps = np.finfo(np.float64).eps

    def branched(z):
        t = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + t), t / (1 + t))

    z = np.linspace(-708.0, 700.0, 200_001)
    assert np.max(np.abs(sigmoid(z) / branched(z) - 1)) <= 2 * eps
    z = np.array([-709.7, -709.0])
    assert np.all(sigmoid(z) > 0)  # exp(-z) still finite here
    z = np.array([-709.8, -720.0, -745.1])
    assert np.all(sigmoid(z) == 0)
    tiny = np.finfo(np.float64).tiny
    assert np.all((branched(z) > 0) & (branched(z) < tiny))  # subnormal, not 0
    assert branched(np.array([-720.0]))[0] == pytest.approx(2.0e-313, rel=0.02)
    assert float(mpmath.exp(-720)) == pytest.approx(branched(np.array([-720.0]))[0])
    assert branched(np.array([-745.2]))[0] == 0 and sigmoid(np.array([-745.2]))[0] == 0


def test_relu_needs_no_smaller_learning_rate_in_the_best_run():
    """Activations page: the best configuration of the Results page trains 512 ReLU
    units from the write-up's learning rate 0.5 and reaches 99% test accuracy."""
    import json
    from pathlib import Path

    sweep = Path(__file__).resolve().parents[1] / "docs" / "results" / "sweep"
    best = json.loads((sweep / "best.json").read_text())
    config = best["config"]
    assert config["activation"] == "relu" and config["n_h"] == 512
    assert config["lr"] == 0.5 and config["lr_schedule"] == "cosine"
    assert all(run[0]["lr"] == 0.5 for run in best["histories"])  # the first epoch
    assert best["summary"]["test_accuracy_mean"] > 0.99
