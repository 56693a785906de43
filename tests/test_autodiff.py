"""The autodiff engine (nnscratch/autodiff.py): every rule against central differences
in float64, forks, deep graphs, the errors and dtypes, and the engine against
`back_propagate` and `train`. The Automatic differentiation page names these tests."""

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnscratch as nn
from nnscratch import autodiff as ad
from nnscratch.autodiff import Tensor

REPO = Path(__file__).resolve().parents[1]
SEEDS = st.integers(0, 2**32 - 1)
SIDE = st.integers(1, 4)


def engine_and_numeric(build, arrays, rng):
    """[(engine gradient, central-difference gradient)] for each array, of the loss
    sum(R * build(*tensors)) with a fixed random R of the output's shape."""
    out_shape = np.shape(build(*[Tensor(a) for a in arrays]).data)
    R = rng.standard_normal(out_shape)

    def loss():
        return float(np.sum(R * build(*[Tensor(a) for a in arrays]).data))

    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    (build(*tensors) * R).sum().backward()
    return [(t.grad, nn.numerical_gradient(loss, a)) for t, a in zip(tensors, arrays)]


def assert_gradients_match(build, arrays, rng, tol=1e-7):
    """The relative error (15) of the Backpropagation page, its denominator at least
    1e-3: a gradient that is tiny everywhere (a confident, right prediction) is
    compared to the step's rounding, about 1e-10, not to itself."""
    for engine, numeric in engine_and_numeric(build, arrays, rng):
        assert engine.shape == numeric.shape
        assert nn.relative_error(engine, numeric, tiny=1e-3) < tol


def away_from_zero(rng, shape):
    """Entries of size 0.2 to 2 with random signs: no kink of relu within reach of h."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)


# shapes a second operand can have against a first of shape (r, c): broadcasting
def operand_shapes(r, c):
    return [(r, c), (r, 1), (1, c), (c,), (), (1, 1)]


BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


@pytest.mark.parametrize("symbol", BINARY)
@settings(max_examples=25, deadline=None)
@given(r=SIDE, c=SIDE, which=st.integers(0, 5), swap=st.booleans(), seed=SEEDS)
def test_each_binary_operation_matches_central_differences_with_broadcasting(
    symbol, r, c, which, swap, seed
):
    """a + b, a - b and a * b, with b of any shape that broadcasts against a (the bias
    b 1^T included), on either side: both gradients, summed back to each shape."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((r, c))
    b = rng.standard_normal(operand_shapes(r, c)[which])
    arrays = [b, a] if swap else [a, b]
    assert_gradients_match(BINARY[symbol], arrays, rng)


@settings(max_examples=25, deadline=None)
@given(n=SIDE, k=SIDE, p=SIDE, seed=SEEDS)
def test_matmul_and_transpose_match_central_differences(n, k, p, seed):
    """a @ b gives dA = dZ B^T and dB = A^T dZ; (b.T @ a.T).T exercises the
    transpose."""
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((n, k)), rng.standard_normal((k, p))
    assert_gradients_match(lambda x, y: x @ y, [a, b], rng)
    assert_gradients_match(lambda x, y: (y.T @ x.T).T, [a, b], rng)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_sum_and_mean_match_central_differences(axis, keepdims, reduce, rng):
    """Every summed entry receives the gradient (divided by the count for mean)."""
    a = rng.standard_normal((3, 4))
    assert_gradients_match(lambda x: getattr(x, reduce)(axis, keepdims), [a], rng)


ELEMENTWISE = {
    "sigmoid": (ad.sigmoid, away_from_zero),
    "tanh": (ad.tanh, away_from_zero),
    "relu": (ad.relu, away_from_zero),
    "exp": (ad.exp, away_from_zero),
    "log": (ad.log, lambda rng, shape: rng.uniform(0.3, 3.0, shape)),
    "neg": (lambda x: -x, away_from_zero),
}


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=15, deadline=None)
@given(r=SIDE, c=SIDE, seed=SEEDS)
def test_elementwise_functions_match_central_differences(name, r, c, seed):
    """sigmoid, tanh, relu, exp, log and negation: g times the local slope."""
    rng = np.random.default_rng(seed)
    function, draw = ELEMENTWISE[name]
    assert_gradients_match(function, [draw(rng, (r, c))], rng)


@pytest.mark.parametrize("axis", [0, 1])
@settings(max_examples=20, deadline=None)
@given(r=st.integers(2, 5), c=SIDE, seed=SEEDS)
def test_softmax_matches_central_differences(axis, r, c, seed):
    """dZ = A * (dA - sum(A * dA)) along the softmax's axis: the whole Jacobian, not
    its diagonal."""
    rng = np.random.default_rng(seed)
    assert_gradients_match(lambda z: ad.softmax(z, axis), [rng.standard_normal((r, c))],
                           rng)


@settings(max_examples=20, deadline=None)
@given(K=st.integers(2, 5), m=SIDE, scale=st.sampled_from([1.0, 3.0]), seed=SEEDS)
def test_cross_entropy_matches_central_differences_and_compute_loss(K, m, scale, seed):
    """cross_entropy(Y, Z) is compute_loss(Y, Z), and its gradient is (softmax(Z) -
    Y) / m times the gradient from above (here 2.5)."""
    rng = np.random.default_rng(seed)
    Z = scale * rng.standard_normal((K, m))
    Y = np.eye(K)[:, rng.integers(0, K, m)]
    assert float(ad.cross_entropy(Y, Tensor(Z)).data) == pytest.approx(
        nn.compute_loss(Y, Z), rel=1e-12)
    assert_gradients_match(lambda z: 2.5 * ad.cross_entropy(Y, z), [Z], rng, tol=1e-6)
    big = Tensor(np.array([[1000.0, -1000.0], [0.0, 0.0]]), requires_grad=True)
    loss = ad.cross_entropy(np.eye(2), big)
    loss.backward()
    assert np.isfinite(loss.data) and np.all(np.isfinite(big.grad))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_exact_when_logits_span_more_than_the_float_range(dtype):
    """Logits +-max float of the dtype: the shift overflows to -inf for the other
    class, whose target is 0, so the loss is 0 (not 0 * -inf = nan), the gradient
    is 0, in the tensor's dtype, with no RuntimeWarning."""
    import warnings

    big = np.finfo(dtype).max
    Z = Tensor(np.array([[big, -big], [-big, big]], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = ad.cross_entropy(np.eye(2, dtype=dtype), Z)
        loss.backward()
    assert loss.data == 0 and loss.data.dtype == dtype
    assert np.all(Z.grad == 0)


# A random program on square (n, n) tensors and (n, 1) columns: each step applies an
# operation to values already computed, so values are reused (forks) at random.
STEPS = st.lists(
    st.tuples(st.sampled_from(["+", "-", "*", "@", "tanh", "sigmoid", "T"]),
              st.integers(0, 99), st.integers(0, 99)),
    min_size=1, max_size=8,
)


def run_program(program, leaves):
    values = list(leaves)
    for op, i, j in program:
        a, b = values[i % len(values)], values[j % len(values)]
        if op == "@":
            if a.shape[1] != b.shape[0]:
                b, a = a, b
            if a.shape[1] != b.shape[0]:
                continue
            values.append(a @ b)
        elif op in BINARY:
            values.append(BINARY[op](a, b))
        elif op == "T":
            if a.shape[0] == a.shape[1]:
                values.append(a.T)
        else:
            values.append({"tanh": ad.tanh, "sigmoid": ad.sigmoid}[op](a))
    # every value used, each with its own weight so that no two paths cancel exactly
    return sum(((1 + 0.37 * n) * v.sum() for n, v in enumerate(values)), start=0.0)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 3), program=STEPS, seed=SEEDS)
def test_random_composite_graphs_with_forks_match_central_differences(n, program, seed):
    """A random graph in which values feed several later operations: every leaf's
    gradient sums the contributions of every path."""
    rng = np.random.default_rng(seed)
    leaves = [0.5 * rng.standard_normal((n, n)), 0.5 * rng.standard_normal((n, 1)),
              0.5 * rng.standard_normal((n, n))]
    assert_gradients_match(lambda *t: run_program(program, t), leaves, rng, tol=1e-6)


def test_loss_used_twice_and_scaled_with_a_penalty_on_W(small_net):
    """3 * cross_entropy + (lambda/2)||W2||^2: W2 forks into the loss and the penalty,
    and its gradient is 3 dW2 + lambda W2, by hand and by central differences."""
    X, Y, params = small_net
    lam = 0.3
    tensors = {k: Tensor(v, requires_grad=True) for k, v in params.items()}

    def loss_of(t):
        W2 = t["W2"]
        return 3 * ad.cross_entropy(Y, ad.network_logits(X, t)) + (lam / 2) * (
            W2 * W2).sum()

    loss_of(tensors).backward()
    grads = nn.back_propagate(X, Y, params, nn.feed_forward(X, params))
    expected = 3 * grads["dW2"] + lam * params["W2"]
    assert nn.relative_error(tensors["W2"].grad, expected) < 1e-12
    assert nn.relative_error(tensors["W1"].grad, 3 * grads["dW1"]) < 1e-12

    def loss():
        return float(loss_of({k: Tensor(v) for k, v in params.items()}).data)

    for name in ("W1", "b1", "W2", "b2"):
        numeric = nn.numerical_gradient(loss, params[name])
        assert nn.relative_error(tensors[name].grad, numeric) < 1e-7


def test_gradients_add_at_a_fork_and_leaves_accumulate_over_calls():
    """x feeds three consumers: dL/dx adds three paths. A second backward() adds to a
    leaf's .grad (as in PyTorch) but recomputes an intermediate's; None resets."""
    x = Tensor(np.array([2.0, -1.0]), requires_grad=True)
    y = x * x  # dy/dx = 2x
    loss = (y + 3 * x + y * x).sum()  # x^2 + 3x + x^3: 2x + 3 + 3x^2
    loss.backward()
    expected = 2 * x.data + 3 + 3 * x.data**2
    np.testing.assert_allclose(x.grad, expected, rtol=1e-15)
    np.testing.assert_allclose(y.grad, 1 + x.data, rtol=1e-15)
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * expected, rtol=1e-15)
    np.testing.assert_allclose(y.grad, 1 + x.data, rtol=1e-15)
    x.grad = None
    loss.backward()
    np.testing.assert_allclose(x.grad, expected, rtol=1e-15)


def test_gradient_reaches_every_tensor_that_requires_one_and_no_other():
    """A result requires a gradient when an input does; constants get none."""
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    c = Tensor(np.ones((2, 2)))
    h = ad.tanh(w @ c)
    loss = (h * c).mean()
    assert h.requires_grad and not (c * c).requires_grad
    loss.backward()
    assert w.grad.shape == (2, 2) and h.grad.shape == (2, 2) and c.grad is None


def test_a_chain_of_10000_operations_at_the_default_recursion_limit():
    """Neither the ordering nor the sweep recurses: 10,000 operations in a row, with
    Python's recursion limit as it is (1,000 by default)."""
    assert sys.getrecursionlimit() <= 1000
    x = Tensor(np.array(0.5), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    assert len(ad.topological_order(y)) == 10_001 + 10_000  # and the constants
    y.backward()
    assert x.grad == pytest.approx(1.0001**10_000, rel=1e-9)


class CountingArray(np.ndarray):
    """An array that counts the matrix products it takes part in."""

    products = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.matmul:
            CountingArray.products += 1
        plain = [x.view(np.ndarray) if isinstance(x, CountingArray) else x
                 for x in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)


def test_no_gradient_is_computed_for_X(small_net):
    """W1 enters exactly one product forward (W1 X) and none backward: dX = W1^T dZ1
    is never formed, not even to be thrown away, and X.grad stays None."""
    X, Y, params = small_net
    tensors = {k: Tensor(v, requires_grad=True) for k, v in params.items()}
    tensors["W1"].data = params["W1"].view(CountingArray)
    x = Tensor(X)
    CountingArray.products = 0
    loss = ad.network_loss(x, Y, tensors)
    assert CountingArray.products == 1
    loss.backward()
    assert CountingArray.products == 1
    assert x.grad is None and tensors["W1"].grad is not None


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_engine_equals_back_propagate_in_float64(activation, rng):
    """The write-up's network (784-64-10) on 64 sample images: the engine's four
    gradients against back_propagate's, relative error at most 1e-12."""
    data = nn.load_sample()
    X = data.X_train[:, :64].astype(np.float64)
    Y = nn.one_hot(data.y_train[:64]).astype(np.float64)
    params = nn.init_params(rng=rng, activation=activation, dtype=np.float64)
    params["b1"] += 0.1 * rng.standard_normal(params["b1"].shape)
    expected = nn.back_propagate(X, Y, params, nn.feed_forward(X, params, activation),
                                 activation)
    grads = ad.gradients(X, Y, params, activation)
    for name, g in expected.items():
        assert nn.relative_error(grads[name], g) <= 1e-12, name


def test_gradients_with_weight_decay_equal_back_propagate_plus_add_weight_decay(
    small_net,
):
    """The engine's penalty (lambda/2) sum ||W||^2 gives what train's
    add_weight_decay adds: lambda W on the weights, nothing on the biases."""
    from nnscratch.optim import add_weight_decay

    X, Y, params = small_net
    expected = nn.back_propagate(X, Y, params, nn.feed_forward(X, params))
    add_weight_decay(expected, params, 0.05)
    grads = ad.gradients(X, Y, params, weight_decay=0.05)
    for name, g in expected.items():
        assert nn.relative_error(grads[name], g) <= 1e-12, name


def test_training_through_the_engine_follows_train_epoch_by_epoch():
    """The write-up's network on the shipped sample, seed 0, through train_autodiff
    (which starts as train() starts and runs on its BLAS thread): after each of 3
    epochs its parameters are train()'s, to float32 rounding at most (1e-6; they are
    identical here, and a different order or initialisation differs by about 1)."""
    data = nn.load_sample()
    Y = nn.one_hot(data.y_train)
    engine = []
    ad.train_autodiff(
        data.X_train, Y, (784, 64, 10), nn.TrainConfig(epochs=3, seed=0),
        on_epoch=lambda record, params: engine.append(
            {k: v.copy() for k, v in params.items()}),
    )
    assert len(engine) == 3
    for epoch, params in enumerate(engine, start=1):
        reference, _ = nn.train(data.X_train, Y, nn.TrainConfig(epochs=epoch, seed=0))
        for name, p in reference.items():
            assert nn.relative_error(params[name], p) <= 1e-6, (epoch, name)
    other = nn.train(data.X_train, Y, nn.TrainConfig(epochs=1, seed=1))[0]
    assert nn.relative_error(engine[0]["W2"], other["W2"]) > 0.1


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_a_deeper_network_matches_central_differences(activation, rng):
    """Three hidden layers, a network nobody derived by hand: every parameter's
    gradient against central differences of the loss."""
    sizes = (5, 4, 3, 4, 3)
    params = ad.init_layers(sizes, rng, activation, np.float64)
    for name in params:
        if name.startswith("b"):
            params[name] += 0.1 * rng.standard_normal(params[name].shape)
    X = rng.standard_normal((5, 6))
    Y = np.eye(3)[:, rng.integers(0, 3, 6)]
    grads = ad.gradients(X, Y, params, activation, weight_decay=0.01)

    def loss():
        tensors = {k: Tensor(v) for k, v in params.items()}
        return float(ad.network_loss(X, Y, tensors, activation, 0.01).data)

    for name, p in params.items():
        numeric = nn.numerical_gradient(loss, p)
        assert nn.relative_error(grads["d" + name], numeric) < 1e-6, name


def test_init_layers_draws_what_init_params_draws():
    """For sizes (784, 64, 10) the general initialisation is init_params, number for
    number, so the engine's training starts where train() starts."""
    for activation in ("sigmoid", "relu"):
        a = ad.init_layers((784, 64, 10), np.random.default_rng(3), activation)
        b = nn.init_params(rng=np.random.default_rng(3), activation=activation)
        assert a.keys() == b.keys()
        assert all(np.array_equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a)


def test_topological_order_puts_every_tensor_after_its_inputs():
    """Each tensor appears once, after every tensor it was computed from."""
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    y = ad.tanh(x)
    z = (y @ x + y).sum()
    order = ad.topological_order(z)
    assert len(order) == len(set(map(id, order))) == 5  # x, y, y @ x, +, sum
    position = {id(t): i for i, t in enumerate(order)}
    for t in order:
        assert all(position[id(p)] < position[id(t)] for p in t._parents)
    assert order[-1] is z


def test_errors_name_both_shapes_and_the_fix():
    """Shape mistakes name both shapes; backward() on an array says to reduce it."""
    a = Tensor(np.ones((3, 4)), requires_grad=True)
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(3, 5\)"):
        a @ np.ones((3, 5))
    with pytest.raises(ValueError, match=r"a @ b: shapes \(4,\) and \(3, 4\)"):
        Tensor(np.ones(4)) @ a
    for symbol in ("+", "-", "*"):
        with pytest.raises(ValueError, match=rf"a \{symbol} b: shapes \(3, 4\) and "
                                             r"\(4, 3\) do not broadcast"):
            BINARY[symbol](a, np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"Y has shape \(3, 2\) and Z \(3, 4\)"):
        ad.cross_entropy(np.ones((3, 2)), Tensor(np.ones((3, 4))))
    with pytest.raises(ValueError, match=r"shape \(3, 4\): reduce it to a number"):
        (a * 2).backward()
    with pytest.raises(ValueError, match="floating-point"):
        Tensor(np.arange(3), requires_grad=True)
    with pytest.raises(ValueError, match="requires_grad=True"):
        Tensor(np.ones(1)).backward()
    for name, call in [("sum", lambda: a.sum(axis=2)), ("mean", lambda: a.mean((0, 5))),
                       ("softmax", lambda: ad.softmax(a, axis=-3))]:
        with pytest.raises(ValueError, match=rf"{name}: axis=.* shape \(3, 4\); use"):
            call()


def test_float32_in_float32_out():
    """Every operation keeps float32 data and gradients float32, and a Python number
    never widens it; a float64 array does, as NumPy promotes (its gradient is cast
    back to the tensor's dtype)."""
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((3, 3)).astype(np.float32), requires_grad=True)
    b = Tensor(rng.uniform(0.5, 1, (3, 1)).astype(np.float32), requires_grad=True)
    results = [a + b, a - 2.5, 3 - a, a * b, 0.5 * a, -a, a @ a, a.T, a.sum(),
               a.mean(axis=0), ad.sigmoid(a), ad.tanh(a), ad.relu(a), ad.exp(a),
               ad.log(b), ad.softmax(a),
               ad.cross_entropy(np.eye(3, dtype=np.float32), a),
               np.float32(2) * a, np.ones((3, 3), np.float32) @ a]
    assert all(r.data.dtype == np.float32 for r in results)
    sum(r.sum() for r in results).backward()
    assert a.grad.dtype == b.grad.dtype == np.float32
    wide = a * np.ones((3, 3))
    assert wide.data.dtype == np.float64
    a.grad = None
    wide.sum().backward()
    assert a.grad.dtype == np.float32


def test_a_numpy_array_on_the_left_defers_to_the_tensor():
    """ndarray + Tensor, ndarray @ Tensor: a Tensor comes back, not an object array."""
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    for result in (np.ones((2, 2)) + a, np.ones((2, 2)) @ a, np.ones(2) * a):
        assert isinstance(result, Tensor) and result.requires_grad


# code line of the engine -> the label of the page equation its `# (n)` tag must name
TAGGED_LINES = {
    "add passes g on": "eq:add",
    "t.grad = g if t.grad is None": "eq:fork",
    "g = _sum_to(g, t.data.shape)": "eq:sum-to",
    "_accumulate(b, -g)": "eq:sub",
    "_accumulate(a, g * b.data)": "eq:mul",
    "_accumulate(a, g @ b.data.T)": "eq:matmul-a",
    "_accumulate(b, a.data.T @ g)": "eq:matmul-b",
    "_accumulate(a, g.T)": "eq:transpose",
    "_accumulate(a, _spread(g, a.shape": "eq:sum",
    "_accumulate(a, _spread(g / count": "eq:mean",
    "g * A * (1 - A)": "eq:sigmoid",
    "g * (1 - A * A)": "eq:tanh",
    "g * (a.data > 0)": "eq:relu",
    "_accumulate(a, g * E)": "eq:exp",
    "g / a.data": "eq:log",
    "A = E / E.sum(axis=axis": "eq:softmax",
    "(A * g).sum(axis=axis": "eq:softmax-vjp",
    "loss = -picked.sum() / m": "eq:ce",
    "(A - Y) / m * g": "eq:ce-vjp",
    "for node in reversed(order)": "eq:sweep",
}


def test_listing_tags_name_the_page_equations_they_implement():
    """Each `# (n)` tag in the engine is the number MathJax gives, on the Automatic
    differentiation page, to the equation that line computes."""
    from test_backprop_page import page_equation_numbers

    numbers = page_equation_numbers((REPO / "docs" / "autodiff.md").read_text())
    source = (REPO / "nnscratch" / "autodiff.py").read_text().splitlines()
    for fragment, label in TAGGED_LINES.items():
        lines = [line for line in source if fragment in line]
        assert len(lines) == 1, fragment
        tag = re.search(r"# \((\d+)\)", lines[0])
        assert tag and int(tag.group(1)) == numbers[label], (lines[0], label)


def test_the_page_draws_the_graph_the_engine_recorded():
    """hooks/figures_autodiff.py draws one box per tensor of topological_order(L),
    labelled with that tensor's shape, and one arrow per recorded input."""
    sys.path.insert(0, str(REPO / "hooks"))
    try:
        import figures_autodiff
    finally:
        sys.path.remove(str(REPO / "hooks"))
    import matplotlib.pyplot as plt

    L = figures_autodiff.writeup_graph()
    order = ad.topological_order(L)
    for wide in (True, False):
        fig = figures_autodiff.draw_graph(L, wide)
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.texts if type(t).__name__ == "Text"]
        assert len(labels) == len(order) == 11
        for tensor in order:
            shape = "×".join(map(str, tensor.shape)) or "scalar"
            assert any(shape in label for label in labels), shape
        arrows = sum(len(t._parents) for t in order)
        assert len([c for c in ax.get_children()
                    if type(c).__name__ == "Annotation"]) == arrows == 10
        plt.close(fig)
