"""Figures: the user's matplotlib backend is kept; the confusion matrix reads well."""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from nnscratch.plots import plot_confusion, plot_distortions, plot_history

KEEPS_BACKEND = r"""
import sys
import matplotlib
matplotlib.use("pdf")  # the user's choice, made before importing nnscratch
import numpy as np
import nnscratch.plots as plots
out = sys.argv[1]
history = [{"epoch": 1, "train_loss": 1.0, "train_accuracy": 0.5}]
plots.plot_history(history, out + "/h.png")
plots.plot_confusion(np.eye(3, dtype=int) * 5 + 1, out + "/c.png")
print(matplotlib.get_backend())
"""


@pytest.mark.slow(reason="starts a fresh Python that imports matplotlib")
def test_importing_and_saving_figures_keeps_the_users_backend(tmp_path):
    """Importing nnscratch.plots and saving PNGs leaves the backend the user chose."""
    result = subprocess.run(
        [sys.executable, "-c", KEEPS_BACKEND, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "pdf"
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_an_unsaved_figure_belongs_to_pyplot_so_show_can_display_it():
    """Without a path the figure is registered with pyplot (plt.show() shows it)."""
    import matplotlib.pyplot as plt

    fig = plot_history([{"epoch": 1, "train_loss": 1.0, "train_accuracy": 0.5}])
    try:
        assert fig.number in plt.get_fignums()
    finally:
        plt.close(fig)


def _cell_texts(fig):
    ax = fig.axes[0]
    return {
        (round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts
    }


def test_confusion_matrix_has_a_colour_bar_and_light_text_on_dark_cells(tmp_path):
    """Every count is written: white on the darkest error cell, black on pale cells."""
    C = np.diag([50, 60, 70]) + np.array([[0, 30, 1], [2, 0, 0], [0, 0, 0]])
    fig = plot_confusion(C, tmp_path / "c.png")
    assert len(fig.axes) == 2, "no colour bar"
    texts = _cell_texts(fig)
    assert {k: int(t.get_text()) for k, t in texts.items()} == {
        (i, j): int(C[i, j]) for i in range(3) for j in range(3)
    }
    assert to_rgb(texts[(0, 1)].get_color()) == (1.0, 1.0, 1.0)
    for pale in [(0, 2), (1, 0), (2, 0)]:
        assert to_rgb(texts[pale].get_color()) == (0.0, 0.0, 0.0)
    image = fig.axes[0].images[0]
    assert np.ma.is_masked(
        image.get_array()[0, 0]
    ), "the diagonal would swamp the colours"
    assert image.norm.vmax == 30


def test_distortion_grid_shows_each_original_and_two_distortions(tmp_path):
    """Three rows (original, affine, elastic) of n images; the first is the input."""
    rng = np.random.default_rng(0)
    X = np.zeros((784, 4), dtype=np.float32)
    X[300:500] = rng.random((200, 4), dtype=np.float32)
    fig = plot_distortions(X, seed=1, path=tmp_path / "d.png")
    assert len(fig.axes) == 12
    shown = [ax.images[0].get_array() for ax in fig.axes]
    assert all(np.array_equal(shown[j], X[:, j].reshape(28, 28)) for j in range(4))
    assert not any(np.array_equal(shown[4 + j], shown[j]) for j in range(4))
    assert not any(np.array_equal(shown[8 + j], shown[4 + j]) for j in range(4))


def test_learning_curves_tick_whole_epochs_only():
    """The curves of a 3-epoch run (the quick start's) tick epochs 1, 2 and 3, never
    1.25 or 2.5; a 50-epoch run gets whole-number ticks too."""
    import matplotlib.pyplot as plt

    for n in (3, 50):
        history = [{"epoch": e, "train_loss": 1 / e, "train_accuracy": 0.5,
                    "test_loss": 1.1 / e, "test_accuracy": 0.5}
                   for e in range(1, n + 1)]
        fig = plot_history(history)
        try:
            for ax in fig.axes:
                low, high = ax.get_xlim()
                ticks = [t for t in ax.get_xticks() if low <= t <= high]
                assert ticks and all(t == round(t) for t in ticks), (n, ticks)
                if n == 3:
                    assert ticks == [1, 2, 3], ticks
        finally:
            plt.close(fig)
