"""Figures of a run: learning curves and the confusion matrix (matplotlib).

Importing this module never changes matplotlib's backend: a script shows its
figures with plt.show() as usual; `nnscratch train` itself draws into files.
"""

import matplotlib.pyplot as plt
import numpy as np

from .data import atomic_write


def plot_history(history, path=None):
    """Loss and accuracy per epoch for every split present in `history`; returns the figure."""
    epochs = [r["epoch"] for r in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    for split in ("train", "val", "test"):
        if f"{split}_loss" in history[0]:
            ax_loss.plot(epochs, [r[f"{split}_loss"] for r in history], label=split)
            ax_acc.plot(epochs, [100 * r[f"{split}_accuracy"] for r in history], label=split)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="Loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    return _finish(fig, path)


def plot_confusion(C, path=None):
    """Heat map of a confusion matrix with counts in each cell; returns the figure."""
    C = np.asarray(C)
    fig, ax = plt.subplots(figsize=(5.6, 5), layout="constrained")
    shown = C.astype(float)
    np.fill_diagonal(shown, np.nan)  # colour the errors; the diagonal would swamp them
    ax.imshow(shown, cmap="Reds")
    for (i, j), count in np.ndenumerate(C):
        ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                color="black" if i != j else "tab:blue")
    ax.set(xlabel="predicted", ylabel="true", xticks=range(len(C)), yticks=range(len(C)),
           title="Confusion matrix (test set)")
    return _finish(fig, path)


def _finish(fig, path):
    if path is not None:
        atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=120))
        plt.close(fig)
    return fig
