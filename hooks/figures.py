"""Figures of the site, drawn by matplotlib from real computations at build time.

As a MkDocs hook, it adds the PNGs below to the built site (nothing is
committed). As a script, it writes them into a folder so you can look at them:

    python hooks/figures.py FOLDER

- `figures/home.png`: a real training run on the shipped sample (learning
  curves and test digits with their predicted labels).
- `figures/init_variance.png`: measured versus predicted variance of the
  pre-activations at initialisation, input layer and sigmoid hidden layer,
  on the shipped MNIST sample, with both formulas drawn.
"""

import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import nnscratch as nn  # noqa: E402

HOME_CONFIG = nn.TrainConfig(epochs=10, seed=0)  # the write-up's settings, fewer epochs


# --8<-- [start:variance_measurements]
def variance_measurements(X, n_h=64, n_neurons=2048, seed=0):
    """Measured and predicted Var(z) at initialisation, for both layers.

    Weights are drawn as the package draws them, w ~ N(0, 1/n_in). Many
    neurons are drawn (more than the network has) so that the measured
    variance, pooled over neurons and images, is close to its expectation.

    Args:
        X: inputs, shape (784, m), in [0, 1].

    Returns:
        Dict per layer: the pooled sample of z, the measured variance, the
        write-up's prediction n Var(w) Var(x) (Var(x) averaged over inputs)
        and the corrected prediction Var(w) * sum_i E[x_i^2].
    """
    rng = np.random.default_rng(seed)
    X = X.astype(np.float64)
    result = {}
    layer_input = X
    for layer, n_out in (("input layer", n_h), ("sigmoid hidden layer", None)):
        n_in = layer_input.shape[0]
        W = rng.standard_normal((n_neurons, n_in)) / np.sqrt(n_in)  # Var(w) = 1/n_in
        Z = W @ layer_input
        var_w = 1 / n_in
        result[layer] = {
            "z": Z.ravel(),
            "measured": Z.var(),
            "write-up": n_in * var_w * layer_input.var(axis=1).mean(),
            "corrected": var_w * np.sum(np.mean(layer_input**2, axis=1)),
        }
        if n_out is not None:  # the next layer sees the sigmoid of the network's n_h units
            layer_input = nn.sigmoid(Z[:n_out])
    return result
# --8<-- [end:variance_measurements]


# --8<-- [start:plot_variance]
def plot_variance(measurements):
    """Histogram of z for each layer with the two predicted normal densities drawn over it."""
    fig, axes = plt.subplots(1, len(measurements), figsize=(10, 3.8), layout="constrained")
    for ax, (layer, r) in zip(axes, measurements.items()):
        spread = 4 * np.sqrt(r["measured"])
        counts, _, _ = ax.hist(r["z"], bins=120, range=(-spread, spread), density=True,
                               color="0.8", label=f"measured, Var = {r['measured']:.4f}")
        grid = np.linspace(-spread, spread, 400)
        for key, style in (("write-up", "--"), ("corrected", "-")):
            var = r[key]
            density = np.exp(-grid**2 / (2 * var)) / np.sqrt(2 * np.pi * var)
            label = {"write-up": "write-up: n Var(w) Var(x)",
                     "corrected": "corrected: Var(w) Σ E[x²]"}[key]
            ax.plot(grid, density, style, lw=1.8, label=f"{label} = {var:.4f}")
        ax.set_ylim(0, 1.6 * counts.max())
        ax.set(title=f"z at initialisation, {layer}", xlabel="z", ylabel="density")
        ax.legend(fontsize=8, loc="upper left")
    return fig
# --8<-- [end:plot_variance]


def plot_home(history, X_test, y_test, predictions):
    """Learning curves of a run beside 24 test digits with their predicted labels."""
    fig = plt.figure(figsize=(10, 3.8), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1.1, 1])
    ax = left.subplots()
    epochs = [r["epoch"] for r in history]
    for split in ("train", "test"):
        ax.plot(epochs, [100 * r[f"{split}_accuracy"] for r in history], "o-", ms=3, label=split)
    ax.set(xlabel="epoch", ylabel="accuracy (%)",
           title=f"Shipped sample, {len(epochs)} epochs: test accuracy "
                 f"{100 * history[-1]['test_accuracy']:.1f}%")
    ax.grid(alpha=0.3)
    ax.legend()
    grid = right.subplots(4, 6)
    for j, cell in enumerate(grid.ravel()):
        cell.imshow(X_test[:, j].reshape(28, 28), cmap="gray_r")
        colour = "tab:blue" if predictions[j] == y_test[j] else "tab:red"
        cell.set_title(str(predictions[j]), color=colour, fontsize=9, pad=2)
        cell.axis("off")
    right.suptitle("First test digits, predicted label above (red: wrong)", fontsize=10)
    return fig


def home_figure():
    data = nn.load_sample()
    Y_test = nn.one_hot(data.y_test)
    params, history = nn.train(data.X_train, nn.one_hot(data.y_train), HOME_CONFIG,
                               X_test=data.X_test, Y_test=Y_test)
    _, predictions = nn.evaluate(data.X_test, Y_test, params)
    return plot_home(history, data.X_test, data.y_test, predictions)


def variance_figure():
    return plot_variance(variance_measurements(nn.load_sample().X_train[:, :2000]))


FIGURES = {"figures/home.png": home_figure, "figures/init_variance.png": variance_figure}


def png_bytes(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


_drawn = {}  # (uri, state of the package) -> PNG bytes: `mkdocs serve` redraws only after a change


def _package_state():
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in Path(nn.__file__).parent.glob("*.py")))


def on_files(files, config):
    from mkdocs.structure.files import File

    state = _package_state()
    for uri, draw in FIGURES.items():
        if (uri, state) not in _drawn:
            _drawn[(uri, state)] = png_bytes(draw())
        files.append(File.generated(config, uri, content=_drawn[(uri, state)]))
    return files


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python hooks/figures.py FOLDER")
    out = Path(sys.argv[1])
    for uri, draw in FIGURES.items():
        path = out / Path(uri).name
        path.parent.mkdir(parents=True, exist_ok=True)
        nn.data.atomic_write(path, lambda f, fig=draw(): f.write(png_bytes(fig)))
        print(f"wrote {path}")
