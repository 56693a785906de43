"""A look inside a trained network: the numbers behind the Inside page.

Plain functions of arrays, one idea each: the weights a run started from, the test
images it gets wrong, its accuracy per class and the classes it confuses, and the
saturation its history recorded. The figures drawn from them are in
`nnscratch.plots`; `bench/look_inside.py` writes the files the site reads.

Shapes follow the package: one column per example, so the probabilities of m
images are A2 (K, m). A confusion matrix C is (K, K), row = true class.
"""

import numpy as np

from .checks import check_params
from .init import init_params

SIDE = 28  # an MNIST image is SIDE x SIDE pixels
MISTAKE_ARRAYS = ("images", "index", "label", "probabilities")


# --8<-- [start:initial_params]
def initial_params(
    params: dict[str, np.ndarray], hyperparameters: dict
) -> dict[str, np.ndarray]:
    """The parameters a saved model started from, drawn again from its seed.

    `train` makes a generator `default_rng(seed)` and, before anything else
    draws from it, calls `init_params` with the layer sizes, the activation and
    the dtype of the training images; this repeats that call.

    Args:
        params: the trained W1 (n_h, n_x), b1 (n_h, 1), W2 (K, n_h), b2 (K, 1);
            only their shapes and dtype are used.
        hyperparameters: the model file's dict, with "seed", "n_h" and
            "activation".

    Returns:
        Dict with W1, b1, W2, b2 as they were before the first update.
    """
    missing = [k for k in ("seed", "n_h", "activation") if k not in hyperparameters]
    if missing:
        raise ValueError(f"hyperparameters lack {', '.join(missing)}: re-drawing the "
                         "initial weights needs the model's seed, n_h and activation")
    n_x, n_h, K = check_params(params)
    if hyperparameters["n_h"] != n_h:
        raise ValueError(f"hyperparameters say n_h = {hyperparameters['n_h']} but W1 "
                         f"has {n_h} rows: the file's parameters and settings disagree")
    rng = np.random.default_rng(hyperparameters["seed"])
    return init_params(n_x, n_h, K, rng=rng, activation=hyperparameters["activation"],
                       dtype=params["W1"].dtype)
# --8<-- [end:initial_params]


# --8<-- [start:weight_change]
def relative_change(W_start: np.ndarray, W: np.ndarray) -> np.ndarray:
    """How far each hidden unit's incoming weights moved, relative to their start:
    |W[h] - W_start[h]| / |W_start[h]| (Euclidean lengths of rows).

    Args:
        W_start, W: W1 before and after training, shape (n_h, n_x).

    Returns:
        float array, shape (n_h,).
    """
    moved = np.linalg.norm(W - W_start, axis=1)
    return moved / np.linalg.norm(W_start, axis=1)


def unchanged_inputs(W_start: np.ndarray, W: np.ndarray) -> np.ndarray:
    """The inputs (pixels) whose weights into every hidden unit never changed.

    Args:
        W_start, W: W1 before and after training, shape (n_h, n_x).

    Returns:
        bool array, shape (n_x,): True where column i of W equals column i of
        W_start exactly.
    """
    if np.shape(W_start) != np.shape(W):
        raise ValueError(f"W_start and W must have the same shape (n_h, n_x); got "
                         f"{np.shape(W_start)} and {np.shape(W)}")
    return np.all(W == W_start, axis=0)
# --8<-- [end:weight_change]


def _check_probabilities(A2, y=None):
    A2 = np.asarray(A2)
    if A2.ndim != 2 or A2.dtype.kind != "f":
        raise ValueError(f"A2 must be float probabilities of shape (K, m), one column "
                         f"per image; got {A2.dtype} of shape {A2.shape}")
    if y is not None and np.shape(y) != (A2.shape[1],):
        raise ValueError(f"y must hold one label per column of A2, shape "
                         f"({A2.shape[1]},); got shape {np.shape(y)}")
    return A2


# --8<-- [start:misclassified]
def misclassified(A2: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The images the network gets wrong, the most confident mistake first.

    Args:
        A2: probabilities, shape (K, m), one column per image.
        y: true labels, shape (m,).

    Returns:
        int64 column indices j, shape (k,), where the most probable class
        argmax A2[:, j] is not y[j]; sorted by that class's probability,
        highest first (equal ones in column order).
    """
    A2 = _check_probabilities(A2, y)
    predicted = A2.argmax(axis=0)
    wrong = np.flatnonzero(predicted != np.asarray(y))
    confidence = A2[predicted[wrong], wrong]
    return wrong[np.argsort(-confidence, kind="stable")]
# --8<-- [end:misclassified]


# --8<-- [start:top_two]
def top_two(A2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two most probable classes of each image, and their probabilities.

    Args:
        A2: probabilities, shape (K, m), K >= 2.

    Returns:
        (classes, probabilities), each of shape (2, m): row 0 the most
        probable class, row 1 the next (equal ones: the lower class first).
    """
    A2 = _check_probabilities(A2)
    classes = np.argsort(-A2, axis=0, kind="stable")[:2]
    return classes, np.take_along_axis(A2, classes, axis=0)
# --8<-- [end:top_two]


def mistake_arrays(X: np.ndarray, y: np.ndarray, A2: np.ndarray) -> dict:
    """The arrays of mistakes.npz, the most confident mistake first.

    Args:
        X: the images, float in [0, 1] (n/255 for n in 0..255), shape (784, m).
        y: their labels, shape (m,).
        A2: the network's probabilities, shape (K, m).

    Returns:
        Dict with images uint8 (k, 28, 28), index int64 (k,) (columns of X),
        label int64 (k,) and probabilities float32 (k, K).
    """
    wrong = misclassified(A2, y)
    if np.shape(X) != (SIDE * SIDE, len(y)):
        raise ValueError(f"X must be the images as columns, shape ({SIDE * SIDE}, "
                         f"{len(y)}); got {np.shape(X)}")
    pixels = np.rint(np.asarray(X)[:, wrong].T * 255).astype(np.uint8)
    return {"images": pixels.reshape(-1, SIDE, SIDE), "index": wrong.astype(np.int64),
            "label": np.asarray(y)[wrong].astype(np.int64),
            "probabilities": np.asarray(A2)[:, wrong].T.astype(np.float32)}


def load_mistakes(path) -> dict:
    """Read mistakes.npz (no pickle); a missing or odd array raises ValueError."""
    with np.load(path, allow_pickle=False) as z:
        missing = [name for name in MISTAKE_ARRAYS if name not in z.files]
        if missing:
            raise ValueError(f"{path}: lacks {', '.join(missing)}; write it with "
                             "python bench/look_inside.py")
        arrays = {name: z[name] for name in MISTAKE_ARRAYS}
    k = len(arrays["index"])
    if (arrays["images"].shape != (k, SIDE, SIDE) or arrays["label"].shape != (k,)
            or arrays["probabilities"].shape[0] != k):
        raise ValueError(f"{path}: its arrays disagree on the number of mistakes: "
                         f"{ {n: a.shape for n, a in arrays.items()} }")
    return arrays


# --8<-- [start:class_accuracy]
def class_accuracy(C: np.ndarray) -> np.ndarray:
    """The share of each class's images classified correctly: C[k, k] / row k's sum.

    Args:
        C: confusion counts, shape (K, K), C[t, k] = images of class t
            predicted as k; every row with at least one image.

    Returns:
        float64 array, shape (K,).
    """
    C = _check_confusion(C)
    support = C.sum(axis=1)
    if np.any(support == 0):
        raise ValueError(f"class {int(np.argmin(support))} has no image (its row of C "
                         "sums to 0): its accuracy is undefined")
    return np.diag(C) / support
# --8<-- [end:class_accuracy]


# --8<-- [start:most_confused]
def most_confused(C: np.ndarray, top: int = 8) -> list[tuple[int, int, int]]:
    """The `top` mistakes made most often: (true class, predicted class, count).

    Args:
        C: confusion counts, shape (K, K), row = true class.
        top: how many pairs at most; pairs never confused are left out.

    Returns:
        A list of (t, k, C[t, k]) with t != k, the largest count first (equal
        counts in row, then column, order).
    """
    C = _check_confusion(C)
    t, k = np.nonzero(C * (1 - np.eye(len(C), dtype=C.dtype)))
    order = np.argsort(-C[t, k], kind="stable")[:top]  # nonzero gives row order
    return [(int(t[i]), int(k[i]), int(C[t[i], k[i]])) for i in order]
# --8<-- [end:most_confused]


def _check_confusion(C):
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1] or C.dtype.kind not in "iu":
        raise ValueError(f"C must be integer counts of shape (K, K); got {C.dtype} "
                         f"of shape {C.shape}")
    if np.any(C < 0):
        raise ValueError("C must hold counts; it has a negative entry")
    return C


# --8<-- [start:saturation_per_epoch]
def saturation_per_epoch(history: list[dict]) -> tuple[list[int], dict[str, list]]:
    """The "saturated" field of every epoch of a run's history.

    Args:
        history: the records of history.json, one per epoch, each with
            "saturated": {threshold: share}, as `train` writes them for a
            sigmoid network given X_probe.

    Returns:
        (epochs, shares): the epoch numbers and, for each threshold, the list
        of its shares in [0, 1], one per epoch.
    """
    lacking = [r.get("epoch", i + 1) for i, r in enumerate(history)
               if "saturated" not in r]
    if not history or lacking:
        where = (f"{len(lacking)} of its {len(history)} epochs lack it, the first "
                 f"epoch {lacking[0]}" if history else "it has no epochs")
        raise ValueError(
            f'the history has no "saturated" field ({where}): the field comes from '
            "a sigmoid network trained with X_probe; rerun "
            "python bench/reproduce_writeup.py")
    thresholds = list(history[0]["saturated"])
    shares = {t: [r["saturated"][t] for r in history] for t in thresholds}
    return [r["epoch"] for r in history], shares
# --8<-- [end:saturation_per_epoch]
