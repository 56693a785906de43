"""Figures of a run: learning curves, the confusion matrix and distorted digits.

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
