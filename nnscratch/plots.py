"""Figures of a run: learning curves, the confusion matrix and distorted digits,
and the figures of the Inside page (hidden units' weights, the test digits a
network gets wrong, saturation per epoch, accuracy per class).

Importing this module never changes matplotlib's backend. A figure saved to a
file is a bare `matplotlib.figure.Figure`, drawn by Agg whatever the backend
(so the command line needs no display); a figure returned unsaved belongs to
pyplot, so `plt.show()` shows it in the reader's own backend.
"""

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt  # selects no backend until a pyplot figure is made
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .augment import SIDE, distort
from .data import atomic_write
from .inside import class_accuracy, most_confused, saturation_per_epoch, top_two


def plot_history(history: list[dict], path: str | Path | None = None) -> Figure:
    """Loss and accuracy per epoch for every split in `history`; returns the figure."""
    epochs = [r["epoch"] for r in history]
    fig = new_figure(path, figsize=(10, 3.6))
    ax_loss, ax_acc = fig.subplots(1, 2)
    for split in ("train", "val", "test"):
        if f"{split}_loss" in history[0]:
            ax_loss.plot(epochs, [r[f"{split}_loss"] for r in history], label=split)
            accuracy = [100 * r[f"{split}_accuracy"] for r in history]
            ax_acc.plot(epochs, accuracy, label=split)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="Loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole
        ax.grid(alpha=0.3)
        ax.legend()
    return _finish(fig, path)


def plot_confusion(
    C: np.ndarray, path: str | Path | None = None, narrow: bool = False
) -> Figure:
    """Confusion matrix: errors coloured, with a colour bar, and every count written.

    The diagonal (correct answers) is left white so that the errors, a hundred times
    rarer, keep the colour scale; a count on a dark cell is written in white.

    Args:
        C: counts, shape (K, K), C[t, k] = test images of class t predicted as k.
        path: PNG file to write, or None to return a pyplot figure.
        narrow: draw it 4.2 inches wide with the colour bar underneath, for phones.
    """
    C = np.asarray(C)
    fig = new_figure(path, figsize=(4.2, 5.1) if narrow else (6.2, 5))
    ax = fig.subplots()
    errors = C.astype(float)
    np.fill_diagonal(errors, np.nan)
    cmap = matplotlib.colormaps["Reds"]
    norm = Normalize(vmin=0, vmax=max(np.nanmax(errors), 1))
    image = ax.imshow(errors, cmap=cmap, norm=norm)
    fig.colorbar(image, ax=ax, label="mistakes (test images per cell)",
                 location="bottom" if narrow else "right", shrink=0.9 if narrow else 1)
    for (t, k), count in np.ndenumerate(C):
        if t == k:
            ax.text(k, t, str(count), ha="center", va="center", fontsize=8,
                    color="#0b3d91", fontweight="bold")
            continue
        r, g, b, _ = cmap(norm(count))
        dark = 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5
        ax.text(k, t, str(count), ha="center", va="center", fontsize=8,
                color="white" if dark else "black")
    ticks = range(len(C))
    ax.set(xlabel="predicted class", ylabel="true class", xticks=ticks, yticks=ticks,
           title="Confusion matrix (test set)")
    return _finish(fig, path)


def plot_distortions(
    X: np.ndarray, seed: int = 0, path: str | Path | None = None
) -> Figure:
    """A grid of digits: the originals, an affine distortion and an elastic one of each.

    Args:
        X: images as columns, float32, shape (784, n); one column of the grid per image.
        seed: seeds the distortions.
        path: PNG file to write, or None to return a pyplot figure.
    """
    rng = np.random.default_rng(seed)
    versions = {"original": X, "affine": distort(X, rng, elastic=False),
                "affine +\nelastic": distort(X, rng, elastic=True)}
    n = X.shape[1]
    fig = new_figure(path, figsize=(0.9 * n + 0.9, 0.9 * len(versions) + 0.1))
    axes = fig.subplots(len(versions), n, squeeze=False)
    for row, (name, images) in enumerate(versions.items()):
        axes[row, 0].set_ylabel(name, fontsize=9, rotation=0, ha="right", va="center")
        for col in range(n):
            ax = axes[row, col]
            ax.imshow(images[:, col].reshape(SIDE, SIDE), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
    return _finish(fig, path)


# --8<-- [start:plot_unit_weights]
def plot_unit_weights(
    before: np.ndarray, after: np.ndarray, narrow: bool = False,
    path: str | Path | None = None,
) -> Figure:
    """The incoming weights of some hidden units as 28 x 28 images, before and after.

    Each panel has its own colour scale, centred on 0 (white), from -L (blue) to
    +L (red) with L the largest |weight| in the panel; its title states L.

    Args:
        before: the units' rows of W1 at the start, shape (n, 784), n a square
            number is best (16: a 4 x 4 grid, units in reading order).
        after: the same rows after training, shape (n, 784).
        narrow: one panel under the other, 4.2 inches wide, for phones.
        path: PNG file to write, or None to return a pyplot figure.
    """
    if np.shape(before) != np.shape(after) or np.shape(before)[1:] != (SIDE * SIDE,):
        raise ValueError(f"before and after must both be (n, {SIDE * SIDE}); got "
                         f"{np.shape(before)} and {np.shape(after)}")
    fig = new_figure(path, figsize=(4.2, 8.4) if narrow else (8, 4.3))
    axes = fig.subplots(2, 1) if narrow else fig.subplots(1, 2)
    cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="white")
    for ax, W, when in zip(axes, (before, after), ("before", "after")):
        L = float(np.abs(W).max())
        image = ax.imshow(_mosaic(np.reshape(W, (-1, SIDE, SIDE))), cmap=cmap,
                          vmin=-L, vmax=L)
        ax.set_title(f"{when} training (colour scale ±{L:.2g})", fontsize=10)
        ax.set_axis_off()
        bar = fig.colorbar(image, ax=ax, shrink=0.8, label="weight")
        bar.ax.tick_params(labelsize=8)
    return _finish(fig, path)
# --8<-- [end:plot_unit_weights]


def _mosaic(images: np.ndarray, gap: int = 2) -> np.ndarray:
    """Images (n, s, s) tiled in a square-ish grid, row by row, separated by `gap`
    rows and columns of NaN (drawn as the colour map's 'bad' colour)."""
    n, side, _ = images.shape
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    step = side + gap
    grid = np.full((rows * step - gap, cols * step - gap), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        grid[r * step : r * step + side, c * step : c * step + side] = image
    return grid


# --8<-- [start:plot_mistakes]
def plot_mistakes(
    images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray,
    cols: int = 8, narrow: bool = False, path: str | Path | None = None,
) -> Figure:
    """Misclassified digits in the order given, each with its true label above and
    the network's two most probable classes, with their probabilities, below.

    Args:
        images: uint8 or float images, shape (n, 28, 28), dark ink high.
        labels: true labels, shape (n,).
        probabilities: the network's output for each image, shape (n, K).
        cols: digits per row (4 when `narrow`).
        narrow: 4.2 inches wide, 4 digits per row, for phones.
        path: PNG file to write, or None to return a pyplot figure.
    """
    n = len(images)
    if np.shape(labels) != (n,) or np.shape(probabilities)[0] != n:
        raise ValueError(f"need one label and one row of probabilities per image "
                         f"({n}); got {np.shape(labels)} and {np.shape(probabilities)}")
    cols = 4 if narrow else cols
    rows = int(np.ceil(n / cols))
    width = 4.2 if narrow else cols
    fig = new_figure(path, figsize=(width, rows * 1.55 * width / cols))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    classes, probs = top_two(np.asarray(probabilities).T)
    for j, ax in enumerate(axes):
        ax.set_axis_off()
        if j >= n:
            continue
        ax.imshow(images[j], cmap="gray_r")
        ax.set_title(f"true {labels[j]}", fontsize=9)
        ax.text(0.5, -0.04, "\n".join(f"{k}: {_percent(p)}" for k, p in
                                       zip(classes[:, j], probs[:, j])),
                transform=ax.transAxes, ha="center", va="top", fontsize=8)
    return _finish(fig, path)
# --8<-- [end:plot_mistakes]


def _percent(p: float) -> str:
    """A probability as a percentage with one decimal; never "100.0%" or "0.0%"."""
    if p > 0.999:
        return ">99.9%"
    return "<0.1%" if p < 0.001 else f"{100 * p:.1f}%"


# --8<-- [start:plot_saturation]
def plot_saturation(
    history: list[dict], narrow: bool = False, path: str | Path | None = None
) -> Figure:
    """The share of saturated (hidden unit, image) pairs per epoch, one panel per
    threshold of |z|, from the "saturated" field of a run's history.

    Args:
        history: the records of history.json, each with "epoch" and
            "saturated": {threshold: share}.
        narrow: the panels one under the other, 4.2 inches wide, for phones.
        path: PNG file to write, or None to return a pyplot figure.
    """
    epochs, shares = saturation_per_epoch(history)
    fig = new_figure(path, figsize=(4.2, 2.8 * len(shares)) if narrow
                     else (4 * len(shares), 3.2))
    axes = fig.subplots(len(shares), 1) if narrow else fig.subplots(1, len(shares))
    for ax, (threshold, share) in zip(np.atleast_1d(axes), shares.items()):
        ax.plot(epochs, 100 * np.asarray(share), marker=".")
        ax.set(xlabel="epoch", ylabel="share of (unit, image) pairs (%)",
               ylim=(0, None), title=f"Pairs with |z| > {threshold}")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    return _finish(fig, path)
# --8<-- [end:plot_saturation]


# --8<-- [start:plot_class_accuracy]
def plot_class_accuracy(
    confusions: dict[str, np.ndarray], top: int = 8, narrow: bool = False,
    path: str | Path | None = None,
) -> Figure:
    """Accuracy per class of one or more networks, and the mistakes the first one
    makes most often, with how often each of the others makes them.

    Args:
        confusions: {name: confusion counts (K, K), row = true class}; the first
            entry chooses the mistakes shown.
        top: how many (true, predicted) pairs to show.
        narrow: one panel under the other, 4.2 inches wide, for phones.
        path: PNG file to write, or None to return a pyplot figure.
    """
    names = list(confusions)
    pairs = most_confused(confusions[names[0]], top)
    fig = new_figure(path, figsize=(4.2, 7.6) if narrow else (9, 3.8))
    left, right = fig.subplots(2, 1) if narrow else fig.subplots(1, 2)
    height = 0.8 / len(names)
    for i, name in enumerate(names):
        C = np.asarray(confusions[name])
        total = 100 * np.trace(C) / C.sum()
        left.plot(100 * class_accuracy(C), range(len(C)), "o", label=f"{name} "
                  f"({total:.2f}%)")
        counts = [C[t, k] for t, k, _ in pairs]
        right.barh(np.arange(len(pairs)) + (i - (len(names) - 1) / 2) * height,
                   counts, height, label=name)
    left.set(xlabel="test images of the class correct (%)", ylabel="true class",
             yticks=range(10), title="Accuracy per class")
    left.set_ylim(9.6, -2.8)  # top to bottom: room above class 0 for the legend
    right.set(yticks=range(len(pairs)), xlabel="test images",
              yticklabels=[f"{t} read as {k}" for t, k, _ in pairs],
              title=f"The {len(pairs)} most frequent mistakes\nof {names[0]}")
    right.invert_yaxis()
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in (left, right):
        ax.grid(alpha=0.3, axis="x")
    left.legend(fontsize=8, loc="upper center")
    right.legend(fontsize=8)
    return _finish(fig, path)
# --8<-- [end:plot_class_accuracy]


def new_figure(path: str | Path | None, **options) -> Figure:
    """A bare Figure when it will be saved to `path`, else a pyplot one (for show())."""
    if path is None:
        return plt.figure(layout="constrained", **options)
    return Figure(layout="constrained", **options)


def _finish(fig: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=120))
        plt.close(fig)  # a no-op for a bare Figure; frees a pyplot one
    return fig
