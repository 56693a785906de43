"""Checks at the public entry points: a wrong shape, dtype or name, explained.

The network's functions are wrapped by `checked_by`, so a caller
who passes one example as a flat (784,) vector, integer labels instead of
one-hot targets, or an unknown activation is told what was expected, what
was found and how to fix it, instead of getting a broadcast result or an
error from deep inside NumPy. The checks look only at shapes, dtypes and
names (a few microseconds), never at every value, so the training loop can
afford them on every mini-batch.
"""

import functools
import os

import numpy as np

from .optim import LR_SCHEDULES

HIDDEN_ACTIVATIONS = ("sigmoid", "relu")
PARAM_SHAPES = "W1 (n_h, n_x), b1 (n_h, 1), W2 (K, n_h), b2 (K, 1)"


def check_activation(activation: str) -> None:
    """Raise ValueError unless `activation` names a supported hidden activation."""
    if activation not in HIDDEN_ACTIVATIONS or not isinstance(activation, str):
        raise ValueError(
            f"activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}; "
            f"got {activation!r}"
        )


def check_params(params: dict) -> tuple[int, int, int]:
    """Check W1, b1, W2, b2 fit together; return (n_x, n_h, K)."""
    try:
        shapes = [params[k].shape for k in ("W1", "b1", "W2", "b2")]
    except (KeyError, TypeError, AttributeError):
        raise ValueError(f"params must be a dict of arrays {PARAM_SHAPES}") from None
    W1, b1, W2, b2 = shapes
    if (
        len(W1) != 2
        or len(W2) != 2
        or b1 != (W1[0], 1)
        or W2[1] != W1[0]
        or b2 != (W2[0], 1)
    ):
        raise ValueError(f"params must be {PARAM_SHAPES}; got shapes {shapes}")
    return W1[1], W1[0], W2[0]


def check_inputs(X: np.ndarray, n_x: int, name: str = "X") -> int:
    """Check X is a float (n_x, m) batch, one column per example, m >= 1; return m."""
    shape = getattr(X, "shape", None)
    if (
        shape is not None
        and len(shape) == 2
        and shape[0] == n_x
        and shape[1]
        and X.dtype.kind == "f"
    ):
        return shape[1]  # the common case, in a microsecond
    shape = np.shape(X)
    if len(shape) == 1 and shape[0] == n_x:
        raise ValueError(
            f"{name} must have shape ({n_x}, m), one column per example; got "
            f"{shape}: pass {name}.reshape({n_x}, 1) for a single example"
        )
    if len(shape) != 2 or shape[0] != n_x:
        hint = f": pass {name}.T" if len(shape) == 2 and shape[1] == n_x else ""
        raise ValueError(
            f"{name} must have shape ({n_x}, m), one column per example; "
            f"got {shape}{hint}"
        )
    if shape[1] == 0:
        raise ValueError(
            f"{name} is empty: shape {shape}; it needs at least one column"
        )
    dtype = getattr(X, "dtype", None)
    raise ValueError(
        f"{name} must hold floats (float32 or float64); got "
        f"{dtype or type(X).__name__}: scale uint8 pixels with X / 255"
    )


def check_targets(Y: np.ndarray, K: int, m: int, name: str = "Y") -> None:
    """Check Y is a numeric one-hot (K, m) matrix matching a batch of m columns."""
    shape = getattr(Y, "shape", None)
    if shape == (K, m) and Y.dtype.kind in "fiub":
        return
    shape = np.shape(Y)
    if len(shape) == 1 and shape[0] == m:
        raise ValueError(
            f"{name} must be one-hot targets of shape ({K}, {m}); got labels of "
            f"shape {shape}: pass nnscratch.one_hot({name.lower()})"
        )
    if shape != (K, m):
        hint = f": pass {name}.T" if shape == (m, K) else ""
        raise ValueError(
            f"{name} must have shape ({K}, {m}) to match {m} examples; "
            f"got {shape}{hint}"
        )
    raise ValueError(
        f"{name} must hold numbers; got {getattr(Y, 'dtype', type(Y).__name__)}"
    )


def checked_by(check):
    """Decorator: call `check` with the function's own arguments before the function.

    The function's text (shown on its page) stays free of checks; the check
    takes the same positional arguments as the function it guards.
    """

    def decorate(function):
        @functools.wraps(function)
        def checked(*args, **kwargs):
            check(*args, **kwargs)
            return function(*args, **kwargs)

        return checked

    return decorate


def check_forward(
    X: np.ndarray,
    params: dict,
    activation: str = "sigmoid",
    mask: np.ndarray | None = None,
) -> None:
    """The checks of `feed_forward`: activation, parameter shapes, X (n_x, m) floats."""
    check_activation(activation)
    n_x, _, _ = check_params(params)
    check_inputs(X, n_x)


def check_backward(
    X: np.ndarray, Y: np.ndarray, params: dict, cache: dict, activation: str = "sigmoid"
) -> None:
    """The checks of `back_propagate`: the forward ones, one-hot Y, a matching cache."""
    check_activation(activation)
    n_x, n_h, K = check_params(params)
    m = check_inputs(X, n_x)
    check_targets(Y, K, m)
    if getattr(cache.get("A2"), "shape", None) != (K, m) or getattr(
        cache.get("A1"), "shape", None
    ) != (n_h, m):
        raise ValueError(
            "cache does not belong to this X: pass the dict that "
            "feed_forward(X, params, activation) returned for the same X"
        )


def check_pair(X, Y, name: str, n_x: int | None = None, K: int | None = None):
    """Check a split given as inputs X (n_x, m) and one-hot Y (K, m), both or neither.

    `n_x` and `K` default to what X and Y hold. Returns (n_x, K), or None
    when both are None.
    """
    if (X is None) != (Y is None):
        given, missing = ("X", "Y") if Y is None else ("Y", "X")
        raise ValueError(
            f"{given}_{name} given without {missing}_{name}: pass both or neither"
        )
    if X is None:
        return None
    n_x = n_x if n_x is not None else (np.shape(X) or (0,))[0]
    m = check_inputs(X, n_x, f"X_{name}")
    K = K if K is not None else (np.shape(Y) or (0,))[0]
    check_targets(Y, K, m, f"Y_{name}")
    return n_x, K


AUGMENTATIONS = ("none", "affine", "elastic")
# (lowest, highest) accepted for each number of a TrainConfig; a value outside is a typo
# or a run that can only diverge (lr 1e300 gives an all-NaN model after one batch)
LIMITS = {
    "lr": (0.0, 100.0),
    "beta": (0.0, 1.0),
    "weight_decay": (0.0, 10.0),
    "dropout": (0.0, 1.0),
    "epochs": (1, 100_000),
    "n_h": (1, 65_536),
    "batch_size": (1, 1_000_000),
    "seed": (0, 2**32 - 1),
    # distortions (--augment), in pixels and degrees; the Beyond 98% page's symbols
    "elastic_alpha": (0.0, 100.0),  # alpha, the elastic field's scale
    "elastic_kappa": (0.0, 28.0),  # kappa, the smoothing Gaussian's width
    "max_degrees": (0.0, 180.0),  # largest |phi|
    "max_shift": (0.0, 14.0),  # largest |tau_r|, |tau_c|
    "max_scale": (0.0, 0.9),  # largest |rho - 1|
}
OPEN_ABOVE = {"beta", "dropout"}  # [0, 1): 1 would freeze or drop everything
OPEN_BELOW = {"lr", "elastic_kappa"}  # (0, 100], (0, 28]


class TrainingDiverged(ValueError):
    """Raised when a loss becomes NaN or infinite during training: nothing is saved."""


def check_config(config) -> None:
    """Raise ValueError naming the first field of a TrainConfig of the wrong type,
    not finite, or outside its limits (`LIMITS`), or an unknown name."""
    for name, (low, high) in LIMITS.items():
        value = getattr(config, name)
        integer = isinstance(low, int)
        kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, kinds):
            kind = "an integer" if integer else "a number"
            raise ValueError(f"{name} must be {kind}; got {value!r}")
        low_ok = value > low if name in OPEN_BELOW else value >= low
        high_ok = value < high if name in OPEN_ABOVE else value <= high
        if not (low_ok and high_ok):  # NaN fails both
            left = "(" if name in OPEN_BELOW else "["
            right = ")" if name in OPEN_ABOVE else "]"
            what = (
                "a positive integer"
                if integer and low == 1
                else f"in {left}{low}, {high}{right}"
                if integer
                else f"in {left}{low:g}, {high:g}{right}"
            )
            raise ValueError(f"{name} must be {what}; got {value!r}")
    check_activation(config.activation)
    for name, allowed in (("lr_schedule", LR_SCHEDULES), ("augment", AUGMENTATIONS)):
        if getattr(config, name) not in allowed:
            raise ValueError(
                f"{name} must be one of {', '.join(allowed)}; "
                f"got {getattr(config, name)!r}"
            )


# The memory budget: the bytes a command may allocate. Checked before every large
# allocation, so that a run or a file that cannot fit is refused with one line
# instead of a MemoryError half-way (or the kernel's OOM killer).
MEMORY_ENV = "NNSCRATCH_MEMORY"
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class MemoryBudgetError(ValueError):
    """What a command would allocate exceeds the memory budget: nothing was started."""


def memory_budget() -> int:
    """Bytes a command may allocate: $NNSCRATCH_MEMORY, else what the system has free.

    The variable holds a number of bytes, optionally followed by K, M, G or T
    (powers of 1024). Without it: MemAvailable of /proc/meminfo, or less when
    the process's cgroup has a memory limit (its limit minus what the cgroup
    already uses); where neither can be read, the free physical pages.
    """
    text = os.environ.get(MEMORY_ENV, "").strip()
    if text:
        number, unit = text[:-1], text[-1].upper()
        if unit not in _UNITS or unit.isdigit():
            number, unit = text, ""
        try:
            value = int(float(number) * _UNITS[unit])
        except ValueError:
            value = 0
        if value <= 0:
            raise ValueError(
                f"${MEMORY_ENV} must be a number of bytes such as 8G, 512M or "
                f"1000000; got {text!r}"
            )
        return value
    found = [b for b in (_meminfo_available(), _cgroup_room()) if b is not None]
    if found:
        return min(found)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def _meminfo_available():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_room(root="/sys/fs/cgroup", membership="/proc/self/cgroup"):
    """Limit minus usage of this process's cgroup (v2, else v1); None if unlimited."""
    try:
        with open(membership) as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # cgroup v2
            base, files = root, ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):
            base = f"{root}/memory"
            files = ("memory.limit_in_bytes", "memory.usage_in_bytes")
        else:
            continue
        for folder in (f"{base}{path}", base):
            try:
                with open(f"{folder}/{files[0]}") as f:
                    limit = f.read().strip()
                with open(f"{folder}/{files[1]}") as f:
                    used = int(f.read().strip())
            except (OSError, ValueError):
                continue
            if limit == "max" or not limit.isdigit() or int(limit) >= 1 << 60:
                return None
            return max(int(limit) - used, 0)
    return None


def check_memory(nbytes: int, what: str, fix: str) -> None:
    """Raise MemoryBudgetError when `what` needs more than `memory_budget()` bytes."""
    budget = memory_budget()
    if nbytes > budget:
        source = (f"set by ${MEMORY_ENV}" if os.environ.get(MEMORY_ENV, "").strip()
                  else f"what the system has available; ${MEMORY_ENV} sets it")
        raise MemoryBudgetError(
            f"{what} needs about {_size(nbytes)}, more than the memory budget of "
            f"{_size(budget)} ({source}); {fix}"
        )


def _size(nbytes):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if nbytes < 1024 or unit == "GiB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} TiB"


def training_bytes(n_x: int, n_h: int, K: int, m: int, config, itemsize: int = 4):
    """About the most bytes `train` holds at once beyond the data it is given.

    Parameters, velocity and gradients (3 x (n_x + K + 1) n_h + ...), a
    mini-batch's activations and their gradients (about 6 n_h b for the batch
    size b), and one evaluation chunk (3 n_h c, c = `evaluation_chunk`).
    """
    b = min(config.batch_size, m)
    weights = 4 * ((n_x + 1) * n_h + (n_h + 1) * K)
    batch = 6 * n_h * b + 4 * K * b + n_x * b
    chunk = min(m, EVALUATION_CHUNK)
    evaluation = 3 * n_h * chunk + 3 * K * chunk
    return itemsize * (weights + batch + evaluation)


EVALUATION_CHUNK = 10_000


def evaluation_chunk(n_h: int, K: int, chunk: int = EVALUATION_CHUNK, itemsize=8):
    """Columns per forward pass of an evaluation: `chunk`, fewer if the budget is tight.

    A chunk of c columns holds about 3 (n_h + K) c numbers (pre-activation,
    activation, logits); it is shrunk to a quarter of the budget, never below 1.
    """
    per_column = 3 * (n_h + K) * itemsize
    return max(1, min(chunk, memory_budget() // 4 // per_column))
