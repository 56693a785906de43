"""A small reverse-mode automatic differentiation engine on NumPy arrays.

Each operation computes its result and, beside it, a closure `backward(g)` that
receives g = dL/d(result) and adds each input's vector-Jacobian product to that
input's `.grad`. `Tensor.backward()` runs the closures once each, in reverse
topological order. The `# (n)` comments name equations of the Automatic
differentiation page. Shapes follow the package convention where it matters (a
batch has one column per example): `cross_entropy` and `softmax` work down the
columns by default.
"""

from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from .activations import sigmoid as _sigmoid
from .optim import init_velocity, momentum_update
from .train import TRAIN_BLAS_THREADS, TrainConfig, batch_slices

# an operand of a binary operation: a Tensor, or a constant (array or Python number)
Operand = "Tensor | np.ndarray | float"
Axis = "int | tuple[int, ...] | None"


class Tensor:
    """An array that records the operations applied to it.

    Args:
        data: the value, any array-like; a NumPy array is used as is, without a
            copy (like `torch.from_numpy`), so updating it in place updates the
            tensor.
        requires_grad: whether `backward()` computes `.grad` for this tensor
            (floating-point data only).
        name: a label for the graph drawing.

    Attributes:
        data (np.ndarray): the NumPy array.
        grad (np.ndarray | None): after `backward()`, dL/d(self), an array of the
            shape and dtype of `data`, for every tensor that requires one; None
            otherwise.
    """

    __slots__ = ("data", "requires_grad", "grad", "name", "op", "_parents", "_backward")
    __array_ufunc__ = None  # an ndarray on the left defers to Tensor's operators

    def __init__(
        self, data: "np.ndarray | float", requires_grad: bool = False,
        name: str | None = None,
    ):
        self.data = data if type(data) is np.ndarray else np.asarray(data)
        if requires_grad and self.data.dtype.kind != "f":
            raise ValueError(
                f"only floating-point data can require a gradient; got "
                f"{self.data.dtype}: pass data.astype(np.float64) or np.float32"
            )
        self.requires_grad = requires_grad
        self.grad = None
        self.name = name
        self.op = None  # the operation that made it ("@", "+", "sigmoid", ...)
        self._parents = ()  # the tensors it was computed from, if it needs a gradient
        self._backward = None  # the closure that sends its gradient to them

    shape = property(lambda self: self.data.shape, doc="Shape of `data`.")
    dtype = property(lambda self: self.data.dtype, doc="dtype of `data`.")
    T = property(lambda self: transpose(self), doc="The transpose, `transpose(self)`.")

    def __repr__(self):
        label = f", name={self.name!r}" if self.name else ""
        flag = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor(shape={self.shape}, dtype={self.dtype}{label}{flag})"

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return sub(self, other)

    def __rsub__(self, other):
        return sub(other, self)

    def __mul__(self, other):
        return mul(self, other)

    def __rmul__(self, other):
        return mul(other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return neg(self)

    def sum(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Sum over `axis` (NumPy's name; PyTorch's `dim`), as `tensor_sum`."""
        return tensor_sum(self, axis, keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Mean over `axis`, as `tensor_mean`."""
        return tensor_mean(self, axis, keepdims)

    def backward(self) -> None:
        """Fill `.grad` of every tensor this one depends on: see `backward`."""
        backward(self)


# --8<-- [start:accumulate]
def _accumulate(t: Tensor, g: np.ndarray) -> None:
    """Add one path's gradient g = dL/dt to `t.grad`: equations (2) and (3).

    A broadcast operand receives a gradient of the broadcast shape, summed back
    to its own; the gradient takes the tensor's dtype.
    """
    if g.shape != t.data.shape:
        g = _sum_to(g, t.data.shape)  # (3): broadcasting sums
    if g.dtype != t.data.dtype:
        g = g.astype(t.data.dtype)
    t.grad = g if t.grad is None else t.grad + g  # (2): paths add, never overwrite


def _sum_to(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum g over the axes that broadcasting added or stretched: g 1 in (3)."""
    if g.ndim > len(shape):  # axes NumPy put in front
        g = g.sum(axis=tuple(range(g.ndim - len(shape))))  # (3)
    stretched = tuple(a for a, n in enumerate(shape) if n == 1 and g.shape[a] != 1)
    return g.sum(axis=stretched, keepdims=True) if stretched else g  # (3)
# --8<-- [end:accumulate]


def _node(data: np.ndarray, op: str, parents: tuple, backward) -> Tensor:
    """The result of an operation; it records its parents and `backward` only when
    one of them requires a gradient."""
    out = Tensor(data)
    out.op = op
    if parents[0].requires_grad or parents[-1].requires_grad:
        out.requires_grad = True
        out._parents, out._backward = parents, backward
    return out


def _lift(x, like: Tensor) -> Tensor:
    """A constant operand as a Tensor; a Python number takes the dtype of a
    floating-point `like`, so it never widens float32 (NumPy's own rule)."""
    if isinstance(x, Tensor):
        return x
    if type(x) in (int, float, bool) and like.data.dtype.kind == "f":
        return Tensor(np.asarray(x, dtype=like.data.dtype))
    return Tensor(x)


def _operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors; a constant is lifted beside the Tensor operand."""
    if isinstance(a, Tensor):
        return a, _lift(b, a)
    if isinstance(b, Tensor):
        return _lift(a, b), b
    a = Tensor(a)
    return a, _lift(b, a)


def _broadcasting(function, a: Tensor, b: Tensor, symbol: str) -> np.ndarray:
    """function(a.data, b.data), or an error that names both shapes."""
    try:
        return function(a.data, b.data)
    except ValueError:
        raise ValueError(
            f"a {symbol} b: shapes {a.shape} and {b.shape} do not broadcast (each "
            "axis, counted from the last, must be equal or 1): transpose or reshape "
            "one operand"
        ) from None


# --8<-- [start:add]
def add(a: Operand, b: Operand) -> Tensor:
    """a + b, broadcasting: equation (4). Each input receives g unchanged."""
    a, b = _operands(a, b)

    def backward(g):
        if a.requires_grad:
            _accumulate(a, g)  # (4): add passes g on
        if b.requires_grad:
            _accumulate(b, g)  # (4)

    return _node(_broadcasting(np.add, a, b, "+"), "+", (a, b), backward)


def sub(a: Operand, b: Operand) -> Tensor:
    """a - b, broadcasting: equation (5)."""
    a, b = _operands(a, b)

    def backward(g):
        if a.requires_grad:
            _accumulate(a, g)  # (5)
        if b.requires_grad:
            _accumulate(b, -g)  # (5)

    return _node(_broadcasting(np.subtract, a, b, "-"), "-", (a, b), backward)


def neg(a: Tensor) -> Tensor:
    """-a: equation (5) with nothing on the left."""

    def backward(g):
        _accumulate(a, -g)  # (5)

    return _node(-a.data, "neg", (a,), backward)
# --8<-- [end:add]


# --8<-- [start:mul]
def mul(a: Operand, b: Operand) -> Tensor:
    """Entry-wise a * b, broadcasting: equation (6). The inputs swap."""
    a, b = _operands(a, b)

    def backward(g):
        if a.requires_grad:
            _accumulate(a, g * b.data)  # (6): a receives g times the other input
        if b.requires_grad:
            _accumulate(b, g * a.data)  # (6)

    return _node(_broadcasting(np.multiply, a, b, "*"), "*", (a, b), backward)
# --8<-- [end:mul]


# --8<-- [start:matmul]
def matmul(a: Operand, b: Operand) -> Tensor:
    """Matrix product a @ b of a (n, k) and b (k, p): equations (7) and (8)."""
    a, b = _operands(a, b)
    if a.data.ndim != 2 or b.data.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(
            f"a @ b: shapes {a.shape} and {b.shape} do not match: a @ b needs a "
            "(n, k) and b (k, p), the columns of a as many as the rows of b"
        )

    def backward(g):
        if a.requires_grad:
            _accumulate(a, g @ b.data.T)  # (7): dA = dZ B^T
        if b.requires_grad:
            _accumulate(b, a.data.T @ g)  # (8): dB = A^T dZ

    return _node(a.data @ b.data, "@", (a, b), backward)


def transpose(a: Tensor) -> Tensor:
    """a.T of a 2-D tensor: equation (9)."""

    def backward(g):
        _accumulate(a, g.T)  # (9)

    return _node(a.data.T, "T", (a,), backward)
# --8<-- [end:matmul]


def _check_axis(a: Tensor, axis, op: str) -> None:
    """A ValueError naming `a`'s shape when `axis` is not one of its axes (NumPy's
    AxisError names only the number of dimensions)."""
    if axis is None:
        return
    try:
        np.lib.array_utils.normalize_axis_tuple(axis, a.data.ndim)
    except (np.exceptions.AxisError, TypeError, ValueError):
        raise ValueError(
            f"{op}: axis={axis!r} is not an axis of a tensor of shape {a.shape}; "
            f"use a whole number from {-a.data.ndim} to {a.data.ndim - 1}, a tuple of "
            "them, or None"
        ) from None


# --8<-- [start:sum]
def tensor_sum(a: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """a.sum(axis, keepdims): equation (10). Every summed entry receives g."""
    _check_axis(a, axis, "sum")

    def backward(g):
        _accumulate(a, _spread(g, a.shape, axis, keepdims))  # (10)

    return _node(a.data.sum(axis=axis, keepdims=keepdims), "sum", (a,), backward)


def tensor_mean(a: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """a.mean(axis, keepdims): equation (11), the sum's rule over the count."""
    _check_axis(a, axis, "mean")
    out = a.data.mean(axis=axis, keepdims=keepdims)
    count = a.data.size // max(out.size, 1)

    def backward(g):
        _accumulate(a, _spread(g / count, a.shape, axis, keepdims))  # (11)

    return _node(out, "mean", (a,), backward)


def _spread(g: np.ndarray, shape: tuple, axis, keepdims: bool) -> np.ndarray:
    """g copied back along the summed axes, to `shape`: the 1^T of (10)."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)  # the summed axes back, each of length 1
    return np.broadcast_to(g, shape).copy()  # (10)
# --8<-- [end:sum]


# --8<-- [start:elementwise]
def sigmoid(a: Tensor) -> Tensor:
    """sigma(a) entry by entry: equation (12); the slope comes from the output."""
    A = _sigmoid(a.data)

    def backward(g):
        _accumulate(a, g * A * (1 - A))  # (12)

    return _node(A, "sigmoid", (a,), backward)


def tanh(a: Tensor) -> Tensor:
    """tanh(a) entry by entry: equation (13)."""
    A = np.tanh(a.data)

    def backward(g):
        _accumulate(a, g * (1 - A * A))  # (13)

    return _node(A, "tanh", (a,), backward)


def relu(a: Tensor) -> Tensor:
    """max(a, 0) entry by entry: equation (14). It routes g where a > 0."""

    def backward(g):
        _accumulate(a, g * (a.data > 0))  # (14)

    return _node(np.maximum(a.data, 0), "relu", (a,), backward)


def exp(a: Tensor) -> Tensor:
    """e^a entry by entry: equation (15)."""
    E = np.exp(a.data)

    def backward(g):
        _accumulate(a, g * E)  # (15)

    return _node(E, "exp", (a,), backward)


def log(a: Tensor) -> Tensor:
    """Natural log entry by entry: equation (16)."""

    def backward(g):
        _accumulate(a, g / a.data)  # (16)

    return _node(np.log(a.data), "log", (a,), backward)
# --8<-- [end:elementwise]


# --8<-- [start:softmax]
def softmax(a: Tensor, axis: int = 0) -> Tensor:
    """Softmax along `axis` (default 0: down each column): equations (17)-(18)."""
    _check_axis(a, axis, "softmax")
    shifted = a.data - a.data.max(axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        E = np.exp(shifted)
    A = E / E.sum(axis=axis, keepdims=True)  # (17)

    def backward(g):
        _accumulate(a, A * (g - (A * g).sum(axis=axis, keepdims=True)))  # (18)

    return _node(A, "softmax", (a,), backward)
# --8<-- [end:softmax]


# --8<-- [start:cross_entropy]
def cross_entropy(Y: np.ndarray, Z: "Tensor | np.ndarray") -> Tensor:
    """Mean cross-entropy of softmax(Z) against one-hot Y: equations (19)-(20).

    The package's argument order (`compute_loss(Y, Z2)`); PyTorch's
    `cross_entropy(input, target)` takes them the other way round.

    Args:
        Y: one-hot targets, shape (K, m), a NumPy array (no gradient).
        Z: logits, shape (K, m), one column per example.

    Returns:
        A Tensor of shape (), finite for finite logits of any size.
    """
    Y = Y if type(Y) is np.ndarray else np.asarray(Y)
    Z = Z if isinstance(Z, Tensor) else Tensor(Z)
    if Y.shape != Z.shape or Z.data.ndim != 2:
        raise ValueError(
            f"cross_entropy(Y, Z): Y has shape {Y.shape} and Z {Z.shape}; both "
            "must be (K, m), one column per example: pass Y = one_hot(labels)"
        )
    m = Z.shape[1]
    with np.errstate(over="ignore", under="ignore"):  # a shift past the float range
        shifted = Z.data - Z.data.max(axis=0, keepdims=True)  # is -inf: exp gives 0
        E = np.exp(shifted)
    total = E.sum(axis=0, keepdims=True)
    A = E / total  # softmax(Z), kept for the backward pass
    log_A = shifted - np.log(total)
    picked = np.multiply(Y, log_A, where=Y != 0, out=np.zeros_like(log_A))  # no 0*-inf
    loss = -picked.sum() / m  # (19)

    def backward(g):
        _accumulate(Z, (A - Y) / m * g)  # (20)

    return _node(np.asarray(loss), "cross_entropy", (Z,), backward)
# --8<-- [end:cross_entropy]


# --8<-- [start:topological_order]
def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor `root` was computed from, each after all of its inputs.

    Depth-first with an explicit stack (no recursion, so graphs of any depth);
    a tensor is appended once all of its parents are: post-order.
    """
    order, seen = [], {root}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in seen:
                seen.add(parent)
                if not parent._parents:  # a leaf: nothing comes before it
                    order.append(parent)
                    continue
                stack.append((parent, iter(parent._parents)))
                break  # finish this parent first
        else:  # all parents are in order: now the node
            stack.pop()
            order.append(node)
    return order
# --8<-- [end:topological_order]


# --8<-- [start:backward]
def backward(root: Tensor) -> None:
    """dL/dt into `t.grad` for every t that L = root depends on and that requires
    a gradient; on leaves (the tensors you created) the gradient adds to
    what `.grad` held. One sweep in reverse topological order: equation (21).
    """
    if root.data.size != 1:
        raise ValueError(
            f"backward() needs a tensor of one element; this one has shape "
            f"{root.shape}: reduce it to a number first, e.g. with .sum() or .mean()"
        )
    if not root.requires_grad:
        raise ValueError(
            "backward(): nothing requires a gradient; create the parameters with "
            "Tensor(data, requires_grad=True)"
        )
    order = topological_order(root)
    for node in order:
        if node._backward is not None:  # an intermediate: recomputed every sweep
            node.grad = None
    _accumulate(root, np.ones(root.data.shape, root.data.dtype))  # dL/dL = 1
    for node in reversed(order):  # (21): every consumer before what it consumed
        if node._backward is not None:
            node._backward(node.grad)
# --8<-- [end:backward]


ACTIVATIONS = {"sigmoid": sigmoid, "relu": relu, "tanh": tanh}


# --8<-- [start:network_loss]
def network_logits(
    X: "np.ndarray | Tensor", params: dict[str, Tensor], activation: str = "sigmoid"
) -> Tensor:
    """Logits Z_N of a network with N = len(params) // 2 layers, recorded.

    Layer l computes Z_l = W_l A_(l-1) + b_l 1^T with A_0 = X and, below the
    output, A_l = g(Z_l).

    Args:
        X: inputs (n_x, m), a NumPy array or a Tensor.
        params: Tensors W1 (n_1, n_x), b1 (n_1, 1), ..., WN (K, n_(N-1)), bN (K, 1).
        activation: "sigmoid", "relu" or "tanh" for the hidden layers.

    Returns:
        The Tensor Z_N, shape (K, m).
    """
    g = ACTIVATIONS[activation]
    A = X if isinstance(X, Tensor) else Tensor(X, name="X")
    N = len(params) // 2
    for l in range(1, N + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        Z.name = f"Z{l}"
        if l < N:
            A = g(Z)
            A.name = f"A{l}"
    return Z


def network_loss(
    X: "np.ndarray | Tensor", Y: np.ndarray, params: dict[str, Tensor],
    activation: str = "sigmoid",
    weight_decay: float = 0.0,
) -> Tensor:
    """Mean cross-entropy of the network, plus (lambda/2) sum_l ||W_l||^2 when
    `weight_decay` (lambda) is not 0: each W_l then forks into loss and penalty."""
    L = cross_entropy(Y, network_logits(X, params, activation))
    L.name = "L"
    if weight_decay:
        weights = [t for name, t in params.items() if name.startswith("W")]
        L = L + (weight_decay / 2) * sum((W * W).sum() for W in weights)
    return L
# --8<-- [end:network_loss]


# --8<-- [start:gradients]
def gradients(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray],
    activation: str = "sigmoid", weight_decay: float = 0.0,
) -> dict[str, np.ndarray]:
    """What `back_propagate` returns, computed by the engine for any depth.

    Args:
        X: inputs (n_x, m); Y: one-hot targets (K, m).
        params: arrays W1, b1, ..., WN, bN (wrapped without a copy).
        activation, weight_decay: as for `network_loss`.

    Returns:
        Dict with dW1, db1, ..., each of the shape of its parameter.
    """
    tensors = {k: Tensor(p, requires_grad=True, name=k) for k, p in params.items()}
    network_loss(X, Y, tensors, activation, weight_decay).backward()
    return {"d" + k: t.grad for k, t in tensors.items()}
# --8<-- [end:gradients]


# --8<-- [start:train_epoch_autodiff]
def train_epoch_autodiff(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray],
    velocity: dict[str, np.ndarray], config: TrainConfig, rng: np.random.Generator,
) -> None:
    """`train_epoch` with the engine's gradients: the same order, batches and
    momentum step, for a network of any depth (no dropout), in place.

    Args:
        X, Y: inputs (n_x, m) and one-hot targets (K, m).
        params, velocity: dicts of arrays (`init_velocity`), updated in place.
        config: a `TrainConfig` (lr, beta, batch_size, activation, weight_decay).
        rng: the run's generator; it draws the order, as in `train_epoch`.
    """
    order = rng.permutation(X.shape[1])  # train_epoch's draw: the same order
    for s in batch_slices(X.shape[1], config.batch_size):
        grads = gradients(X[:, order[s]], Y[:, order[s]], params,
                          config.activation, config.weight_decay)
        momentum_update(params, grads, velocity, config.lr, config.beta)
# --8<-- [end:train_epoch_autodiff]


# --8<-- [start:init_layers]
def init_layers(
    sizes: tuple[int, ...], rng: np.random.Generator, activation: str = "sigmoid",
    dtype: type = np.float32,
) -> dict[str, np.ndarray]:
    """W1, b1, ..., WN, bN for layer sizes (n_x, n_1, ..., K), drawn as
    `init_params` draws two layers: W_l ~ N(0, c / n_(l-1)), b_l = 0, c = 2 for
    ReLU and 1 otherwise; for three sizes, the same arrays as `init_params`."""
    c = 2.0 if activation == "relu" else 1.0
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), start=1):
        W = rng.standard_normal((n_out, n_in)) * np.sqrt(c / n_in)
        params[f"W{l}"], params[f"b{l}"] = W.astype(dtype), np.zeros((n_out, 1), dtype)
    return params
# --8<-- [end:init_layers]


# --8<-- [start:train_autodiff]
def train_autodiff(
    X_train: np.ndarray, Y_train: np.ndarray, sizes: tuple[int, ...],
    config: TrainConfig = TrainConfig(), *, X_test: np.ndarray | None = None,
    Y_test: np.ndarray | None = None, on_epoch: Callable | None = None,
) -> tuple[dict[str, np.ndarray], list[dict]]:
    """`train` for a network of any depth, with the engine's gradients.

    Starts as `train` starts (one generator seeded with config.seed draws the
    weights, then each epoch's order), so for sizes (784, n_h, 10) it follows
    `train` step for step. Constant learning rate; no dropout or augmentation.

    Args:
        X_train, Y_train: inputs (n_x, m) and one-hot targets (K, m), float32.
        sizes: layer sizes (n_x, n_1, ..., K).
        config: a `TrainConfig`: lr, beta, batch_size, epochs, activation,
            weight_decay, seed.
        X_test, Y_test: optional test set, scored after every epoch.
        on_epoch: optional callable given each epoch's record and the parameters.

    Returns:
        (params, history): the parameters and one record per epoch with epoch,
        train_loss, train_accuracy and, with a test set, test_loss, test_accuracy.
    """
    rng = np.random.default_rng(config.seed)
    params = init_layers(sizes, rng, config.activation, X_train.dtype)
    velocity = init_velocity(params)
    history = []
    for epoch in range(1, config.epochs + 1):
        with threadpool_limits(TRAIN_BLAS_THREADS, user_api="blas"):
            train_epoch_autodiff(X_train, Y_train, params, velocity, config, rng)
        record = {"epoch": epoch}
        for split, X, Y in (("train", X_train, Y_train), ("test", X_test, Y_test)):
            if X is not None:
                constants = {k: Tensor(v) for k, v in params.items()}
                Z = network_logits(X, constants, config.activation)
                record[f"{split}_loss"] = float(cross_entropy(Y, Z).data)
                record[f"{split}_accuracy"] = float(
                    np.mean(Z.data.argmax(axis=0) == Y.argmax(axis=0)))
        history.append(record)
        if on_epoch is not None:
            on_epoch(record, params)
    return params, history
# --8<-- [end:train_autodiff]
