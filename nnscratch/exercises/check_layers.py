"""Checkers of the one-function exercises: activations, softmax, output gradients,
the He factor and the float32 step.

Each checker is a generator: it takes the reader's functions (name -> callable) and a
`numpy.random.Generator`, yields one line per check passed and raises `CheckFailed`
at the first check that fails. Every reference is computed in float64.
"""

import numpy as np

from ..activations import relu, sigmoid, softmax
from ..gradcheck import numerical_gradient
from ..losses import compute_loss
from ..network import back_propagate, feed_forward
from .tools import CheckFailed, as_array, as_number, call, compare, distinct_sizes


# |z| of the tails checked in every case, besides six drawn from [20, 700]
TAIL_EDGES = np.array([20.0, 37.0, 40.0, 100.0, 500.0, 700.0])


def check_sigmoid_derivative(f: dict, rng: np.random.Generator, fixed: bool = True):
    """sigmoid_derivative(z): shape, central differences, and the two tails."""
    shape = tuple(distinct_sizes(rng, 2))
    z = rng.uniform(-6, 6, size=shape)
    check = "shape and dtype"
    got = as_array(
        check,
        "sigmoid_derivative(z)",
        call(check, f["sigmoid_derivative"], z.copy()),
        shape,
    )
    yield f"{check}: z of shape {shape} gives {shape}, float64"

    check = "values against central differences of sigmoid"
    numeric = numerical_gradient(lambda: float(np.sum(sigmoid(z))), z)
    suspects = {
        "you computed z(1 - z): the formula is s(1 - s) with s = sigmoid(z), "
        "so apply the sigmoid first": z * (1 - z),
        "you returned sigmoid(z) itself; its derivative is sigmoid(z)(1 - "
        "sigmoid(z))": sigmoid(z),
    }
    error = compare(
        check, "sigmoid_derivative(z)", got, numeric, 1e-7, suspects=suspects
    )
    yield f"{check}: z in [-6, 6], largest relative error {error:.1e}"

    check = "relative accuracy in both tails"
    sizes = np.concatenate([TAIL_EDGES, rng.uniform(20, 700, size=6)])
    tail = np.concatenate([sizes, -sizes])
    try:
        got = as_array(
            check,
            "sigmoid_derivative(z)",
            call(check, f["sigmoid_derivative"], tail.copy()),
            tail.shape,
        )
    except CheckFailed as e:
        raise CheckFailed(
            check,
            f"z from -700 to 700: {e.detail}",
            e.hint
            and (
                "exp(-z) overflows for z below about -709: write the derivative "
                "with two sigmoids, sigmoid(z) * sigmoid(-z), each computed without "
                "overflow"
            ),
        ) from None
    expected = sigmoid(tail) * sigmoid(
        -tail
    )  # both factors keep full relative precision
    worst = int(np.argmax(np.abs(got - expected) / expected))
    error = float(np.abs(got - expected)[worst] / expected[worst])
    if error > 1e-9:
        hint = (
            "1 - sigmoid(z) rounds to 0 once sigmoid(z) rounds to 1 (z above about 37 "
            "in float64): use 1 - sigmoid(z) = sigmoid(-z)"
        )
        if tail[worst] < 0:
            hint = (
                "for very negative z, exp(-z) overflows: write the derivative with "
                "sigmoids, sigmoid(z) * sigmoid(-z), which never overflows"
            )
        raise CheckFailed(
            check,
            f"at z = {tail[worst]:.6g} the derivative is "
            f"{expected[worst]:.6e}; got {got[worst]:.6e} (relative error "
            f"{error:.1e}, allowed 1e-9)",
            hint,
        )
    yield f"{check}: |z| in [20, 700], largest relative error {error:.1e}"


def check_softmax(f: dict, rng: np.random.Generator, fixed: bool = True):
    """softmax(Z): shape, columns sum to 1, values, extreme logits."""
    K, m = distinct_sizes(rng, 2)
    Z = rng.normal(0, 3, size=(K, m))
    check = "shape and dtype"
    got = call(check, f["softmax"], Z.copy(), warnings_fail=True)
    got = as_array(check, "softmax(Z)", got, (K, m))
    yield f"{check}: Z of shape (K, m) = {(K, m)} gives {(K, m)}, float64"

    check = "each column sums to 1"
    sums = got.sum(axis=0)
    if not np.allclose(sums, 1, rtol=0, atol=1e-12):
        hint = ""
        if np.allclose(got.sum(axis=1), 1, rtol=0, atol=1e-12):
            hint = (
                "your rows sum to 1: normalise over the K classes of each example, "
                "axis=0 (one column per example)"
            )
        elif np.isclose(got.sum(), 1, rtol=0, atol=1e-12):
            hint = "you divided by the sum of the whole array: sum each column, axis=0"
        raise CheckFailed(
            check,
            f"column sums of softmax(Z), shape (K, m) = {(K, m)}: "
            f"{np.array2string(sums, precision=4)}",
            hint,
        )
    yield f"{check}: largest deviation {np.max(np.abs(sums - 1)):.1e}"

    check = "values"
    error = compare(check, "softmax(Z)", got, softmax(Z), 1e-12)
    yield f"{check}: largest relative error {error:.1e}"

    check = "stable for extreme logits"
    Z = rng.normal(0, 3, size=(K, m))
    Z[:, 0] += 1000  # a column of huge logits
    Z[:, 1] -= 1000  # a column of very negative ones
    Z[:, 2] *= 300  # a column with both
    hint = (
        "subtract each column's maximum before exp (Z - Z.max(axis=0, keepdims=True)): "
        "the result is the same, and exp never sees a positive argument"
    )
    try:
        got = call(check, f["softmax"], Z.copy(), warnings_fail=True)
        got = as_array(check, "softmax(Z)", got, (K, m))
    except CheckFailed as e:
        raise CheckFailed(
            check, f"logits up to {np.abs(Z).max():.0f} in size: {e.detail}", hint
        ) from None
    error = compare(
        check,
        "softmax(Z)",
        got,
        softmax(Z),
        1e-12,
        suspects={hint: softmax(Z - Z.max())},
    )
    size = np.abs(Z).max()
    yield f"{check}: logits up to {size:.0f}, largest relative error {error:.1e}"


def _one_hot(rng, K, m):
    return np.eye(K)[:, rng.integers(0, K, m)]


def check_cross_entropy_gradient(f: dict, rng: np.random.Generator, fixed: bool = True):
    """loss_gradient(Y, Z2): shape, central differences of the batch-mean loss,
    extremes."""
    K, m = distinct_sizes(rng, 2)
    Y, Z2 = _one_hot(rng, K, m), rng.normal(0, 2, size=(K, m))
    check = "shape and dtype"
    got = as_array(
        check,
        "loss_gradient(Y, Z2)",
        call(check, f["loss_gradient"], Y.copy(), Z2.copy()),
        (K, m),
    )
    yield f"{check}: Y and Z2 of shape (K, m) = {(K, m)} give {(K, m)}, float64"

    check = "values against central differences of the mean cross-entropy"
    numeric = numerical_gradient(lambda: compute_loss(Y, Z2), Z2)
    A2 = softmax(Z2)
    suspects = {
        "you kept only the diagonal of the softmax Jacobian: dA2_k/dZ2_i is not 0 for "
        "i != k, and the off-diagonal terms -A2_k A2_i are what turn the sum into A2 "
        "- Y": -Y * (1 - A2) / m,
        "you returned A2 itself: subtract the one-hot Y": A2 / m,
    }
    error = compare(check, "dZ2", got, numeric, 1e-6, m=m, suspects=suspects)
    yield f"{check}: largest relative error {error:.1e}"

    check = "large logits"
    Z2 = large_logits(rng, K, m)
    size = np.abs(Z2).max()
    function = f["loss_gradient"]
    try:
        got = call(check, function, Y.copy(), Z2.copy())
        got = as_array(check, "loss_gradient(Y, Z2)", got, (K, m))
        error = compare(check, "dZ2", got, (softmax(Z2) - Y) / m, 1e-10, m=m)
    except CheckFailed as e:
        warned = getattr(function, "last", {}).get("warnings", [])
        hint = _large_logit_hint(warned)
        detail = f"logits up to {size:.0f} in size: {e.detail}"
        lines = [w for w in warned if w["line"]]
        if hint and lines:
            w = lines[0]
            detail += f" (NumPy: {w['message']}, line {w['line']} of {function.shown})"
        raise CheckFailed(check, detail, hint or e.hint) from None
    yield f"{check}: logits up to {size:.0f}, largest relative error {error:.1e}"


def large_logits(rng: np.random.Generator, K: int, m: int) -> np.ndarray:
    """Logits (K, m) with a column near +1000, one near -1000, one spread over both."""
    Z = rng.normal(0, 3, size=(K, m))
    Z[:, 0] += 1000  # a column of huge logits
    Z[:, 1] -= 1000  # a column of very negative ones
    Z[:, 2] *= 300  # a column with both
    return Z


def _large_logit_hint(warnings: list) -> str:
    """Name the value that overflowed or underflowed, from the call's warnings."""
    messages = " ".join(w["message"] for w in warnings)
    if "overflow" in messages:
        return (
            "exp(Z2) overflowed: e^1000 is inf in float64 (exp overflows above "
            "709.8). Subtract each column's maximum before exp, as the Softmax page's "
            "stable softmax does"
        )
    if "divide" in messages:
        return (
            "a probability A2 = softmax(Z2) underflowed to 0 (e^-1000 is below "
            "float64's smallest number, about 5e-324) and your code divided by it, "
            "as -Y / A2 does on the Jacobian route: right on paper, but multiply "
            "the Jacobian out by hand first, to A2 - Y, where nothing is divided"
        )
    if "invalid" in messages:
        return (
            "an inf - inf or 0 * inf made a nan: an exponential overflowed or a "
            "probability underflowed to 0 on the way; compute A2 - Y with a stable "
            "softmax, where neither happens"
        )
    return ""


def mse_loss(Y: np.ndarray, Z2: np.ndarray) -> float:
    """Half the squared distance of sigmoid(Z2) to Y, averaged over the m columns."""
    return float(np.sum((sigmoid(Z2) - Y) ** 2)) / (2 * Y.shape[1])


def check_mse_sigmoid_output(f: dict, rng: np.random.Generator, fixed: bool = True):
    """mse_gradient(Y, Z2): shape, then central differences of `mse_loss`."""
    K, m = distinct_sizes(rng, 2)
    Y, Z2 = _one_hot(rng, K, m), rng.normal(0, 2, size=(K, m))
    check = "shape and dtype"
    got = as_array(
        check,
        "mse_gradient(Y, Z2)",
        call(check, f["mse_gradient"], Y.copy(), Z2.copy()),
        (K, m),
    )
    yield f"{check}: Y and Z2 of shape (K, m) = {(K, m)} give {(K, m)}, float64"

    check = "values against central differences of the mean squared error"
    numeric = numerical_gradient(lambda: mse_loss(Y, Z2), Z2)
    A2 = sigmoid(Z2)
    suspects = {
        "you returned (A2 - Y)/m, the cross-entropy answer: with the squared error the "
        "factor sigmoid'(Z2) = A2(1 - A2) does not cancel": (A2 - Y) / m,
        "sigmoid'(Z2) is A2(1 - A2), not Z2(1 - Z2)": (A2 - Y) * Z2 * (1 - Z2) / m,
    }
    error = compare(check, "dZ2", got, numeric, 1e-6, m=m, suspects=suspects)
    yield f"{check}: largest relative error {error:.1e}"


def _variance_gain(
    std: float, n: int, rng: np.random.Generator, layers: int = 8
) -> float:
    """Monte Carlo: mean factor by which E[z^2] grows per ReLU layer of width n; a
    small n gets more independent stacks and inputs, a large n fewer inputs."""
    stacks = -(-512 // n)  # ceil(512 / n)
    A = rng.standard_normal((stacks, n, max(50, 51200 // n)))
    second_moments = []
    for _ in range(layers):
        Z = (rng.standard_normal((stacks, n, n)) * std) @ A
        second_moments.append(np.mean(Z**2))
        A = relu(Z)
    return float((second_moments[-1] / second_moments[0]) ** (1 / (layers - 1)))


# the fan-ins of the fixed case: small, medium, and the 784 inputs of MNIST
HE_FAN_INS = (16, 128, 784)


def check_he_factor(f: dict, rng: np.random.Generator, fixed: bool = True):
    """he_std(fan_in): a positive number, then the forward variance of deep ReLU
    stacks."""
    if fixed:
        fan_ins = list(HE_FAN_INS)
    else:
        drawn = rng.choice(np.arange(100, 300), 3, replace=False)
        fan_ins = sorted(int(n) for n in drawn)
    check = "returns a positive number"
    stds = []
    for n in fan_ins:
        std = as_number(check, f"he_std({n})", call(check, f["he_std"], n))
        if not np.isfinite(std) or std <= 0:
            raise CheckFailed(
                check,
                f"he_std({n}) returned {std!r}; expected a positive "
                "number, the standard deviation of the weights",
            )
        stds.append(std)
    yield f"{check}: fan-in {', '.join(map(str, fan_ins))}"

    check = "Monte Carlo: the variance of Z keeps its size through 8 ReLU layers"
    for n, std in zip(fan_ins, stds):
        gain = _variance_gain(std, n, rng)
        if not 0.85 <= gain <= 1.15:
            raise CheckFailed(
                check,
                f"with fan-in n = {n} and std {std:.4g}, E[z^2] is "
                f"multiplied by {gain:.3f} per layer (allowed 0.85 to 1.15; "
                f"after 50 layers that is {gain**50:.2g})",
                _he_hint(std, n),
            )
    fans = ", ".join(map(str, fan_ins))
    yield f"{check}: fan-in {fans}, gain per layer within 15% of 1"


def _he_hint(std, n):
    for value, hint in (
        (
            2 / n,
            "you returned the variance 2/n: the standard deviation is its square root",
        ),
        (
            np.sqrt(1 / n),
            "1/sqrt(n) keeps the variance for a layer that passes all of its "
            "input on; relu zeroes half of it on average, so E[a^2] = Var(z)/2: "
            "double the variance",
        ),
        (np.sqrt(2) / n, "the square root covers the 2 and the n: sqrt(2/n)"),
    ):
        if np.isclose(std, value, rtol=1e-6):
            return hint
    return (
        "write Var(z) of one layer in terms of n, Var(w) and E[a^2] of the layer below"
    )


# the grid against which the reader's step is judged: 10**-1 to 10**-8 in half decades
STEP_GRID = 10.0 ** -np.arange(1, 8.25, 0.5)


def _float32_check_error(h: float, X, Y, params64) -> float:
    """Relative error of a float32 central-difference gradient of W1 with step h."""
    exact = back_propagate(X, Y, params64, feed_forward(X, params64))["dW1"]
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    params = {k: v.astype(np.float32) for k, v in params64.items()}
    W, h32 = params["W1"], np.float32(h)
    numeric = np.zeros_like(exact)
    for i in np.ndindex(W.shape):
        saved = W[i]
        W[i] = saved + h32
        plus = compute_loss(Y32, feed_forward(X32, params)["Z2"])
        W[i] = saved - h32
        minus = compute_loss(Y32, feed_forward(X32, params)["Z2"])
        W[i] = saved
        numeric[i] = (plus - minus) / (2 * h)
    return float(np.max(np.abs(numeric - exact)) / np.max(np.abs(exact)))


def check_float32_step(f: dict, rng: np.random.Generator, fixed: bool = True):
    """float32_step(): a positive number, then the error of a float32 check with it."""
    check = "returns a positive number"
    h = as_number(check, "float32_step()", call(check, f["float32_step"]))
    if not np.isfinite(h) or not 0 < h < 1:
        raise CheckFailed(
            check, f"float32_step() returned {h!r}; expected a step h with 0 < h < 1"
        )
    yield f"{check}: h = {h:.3g}"

    check = "the error a float32 central-difference check of dW1 reaches with h"
    n_x, n_h, K, m = distinct_sizes(rng, 4)
    X, Y = rng.random((n_x, m)), _one_hot(rng, K, m)
    params = {
        "W1": rng.standard_normal((n_h, n_x)),
        "b1": np.zeros((n_h, 1)),
        "W2": rng.standard_normal((K, n_h)),
        "b2": np.zeros((K, 1)),
    }
    errors = [_float32_check_error(s, X, Y, params) for s in STEP_GRID]
    best = int(np.argmin(errors))
    error = _float32_check_error(float(h), X, Y, params)
    if error > 20 * errors[best]:
        side = (
            "rounding dominates: the float32 loss carries an error of about "
            "1e-7 times its size, and dividing by 2h magnifies it"
            if h < STEP_GRID[best]
            else "the step is so large that the O(h^2) truncation error dominates"
        )
        raise CheckFailed(
            check,
            f"relative error {error:.1e} with h = {h:.3g}; the best "
            f"step of the grid, h = {STEP_GRID[best]:.1e}, reaches "
            f"{errors[best]:.1e} (allowed: 20 times that)",
            side,
        )
    yield (
        f"{check}: relative error {error:.1e}; the best step of the grid "
        f"(h = {STEP_GRID[best]:.1e}) reaches {errors[best]:.1e}"
    )
