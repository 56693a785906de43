"""Figures of the site, drawn by matplotlib from real computations at build time.

As a MkDocs hook, it adds the PNGs below to the built site (nothing is
committed). As a script, it writes them into a folder so you can look at them:

    python hooks/figures.py FOLDER

- `figures/home.png`: a real training run on the shipped sample (learning
  curves and test digits with their predicted labels).
- `figures/init_variance.png`: measured versus predicted variance of the
  pre-activations at initialisation, input layer and sigmoid hidden layer,
  on the shipped MNIST sample, with both formulas drawn (the measurement is
  `nnscratch.variance_measurements`).
- `figures/sigmoid.png`: sigma and sigma' on [-8, 8], and the relative error of
  sigma(1 - sigma) in float32 and float64 and of sigma(z) sigma(-z) in float32,
  which shows where each dtype loses the slope.

Each has a phone variant, `figures/NAME-narrow.png` (panels stacked, 4.2 inches
wide), which every page showing the figure picks on a phone (`on_page_content`,
hooks/generated_figures.py).
"""

import functools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import nnscratch as nn  # noqa: E402
from generated_figures import (  # noqa: E402
    NARROW_WIDTH,
    add_figures,
    package_state,
    phone_variants,
    stacked,
    write_figures,
)

HOME_CONFIG = nn.TrainConfig(epochs=10, seed=0)  # the write-up's settings, fewer epochs


# --8<-- [start:plot_variance]
def plot_variance(measurements):
    """Histogram of z per layer, with the two predicted normal densities."""
    fig, axes = plt.subplots(
        1, len(measurements), figsize=(10, 3.8), layout="constrained"
    )
    for ax, (layer, r) in zip(axes, measurements.items()):
        spread = 4 * np.sqrt(r["measured"])
        counts, _, _ = ax.hist(
            r["z"],
            bins=120,
            range=(-spread, spread),
            density=True,
            color="0.8",
            label=f"measured, Var = {r['measured']:.4f}",
        )
        grid = np.linspace(-spread, spread, 400)
        for key, style in (("write-up", "--"), ("corrected", "-")):
            var = r[key]
            normal = np.sqrt(2 * np.pi * var)
            density = np.exp(-(grid**2) / (2 * var)) / normal
            label = {
                "write-up": "write-up: n Var(w) Var(x)",
                "corrected": "corrected: Var(w) Σ E[x²]",
            }[key]
            ax.plot(grid, density, style, lw=1.8,
                    label=f"{label} = {var:.4f}")
        ax.set_ylim(0, 1.6 * counts.max())
        ax.set(title=f"z at initialisation, {layer}", xlabel="z",
               ylabel="density")
        ax.legend(fontsize=8, loc="upper left")
    return fig
# --8<-- [end:plot_variance]


def plot_home(history, X_test, y_test, predictions, narrow=False):
    """Learning curves of a run beside 24 test digits with their predicted labels
    (`narrow`: the digits under the curves, for phones)."""
    if narrow:
        fig = plt.figure(figsize=(NARROW_WIDTH, 6.6), layout="constrained")
        left, right = fig.subfigures(2, 1, height_ratios=[1, 1.05])
    else:
        fig = plt.figure(figsize=(10, 3.8), layout="constrained")
        left, right = fig.subfigures(1, 2, width_ratios=[1.1, 1])
    ax = left.subplots()
    epochs = [r["epoch"] for r in history]
    for split in ("train", "test"):
        ax.plot(
            epochs,
            [100 * r[f"{split}_accuracy"] for r in history],
            "o-",
            ms=3,
            label=split,
        )
    ax.set(
        xlabel="epoch",
        ylabel="accuracy (%)",
        title=f"Shipped sample, {len(epochs)} epochs:{chr(10) if narrow else ' '}"
        f"test accuracy {100 * history[-1]['test_accuracy']:.1f}%",
    )
    ax.grid(alpha=0.3)
    ax.legend()
    grid = right.subplots(4, 6)
    for j, cell in enumerate(grid.ravel()):
        cell.imshow(X_test[:, j].reshape(28, 28), cmap="gray_r")
        colour = "tab:blue" if predictions[j] == y_test[j] else "tab:red"
        cell.set_title(str(predictions[j]), color=colour, fontsize=9, pad=2)
        cell.axis("off")
    title = "First test digits, predicted label above (red: wrong)"
    right.suptitle(title.replace(", ", ",\n") if narrow else title, fontsize=10)
    return fig


@functools.cache
def _home_run(state):
    """(history, test images, test labels, predictions) of the home page's run; one
    run per state of the package serves both variants of the figure."""
    data = nn.load_sample()
    Y_test = nn.one_hot(data.y_test)
    params, history = nn.train(
        data.X_train,
        nn.one_hot(data.y_train),
        HOME_CONFIG,
        X_test=data.X_test,
        Y_test=Y_test,
    )
    _, predictions = nn.evaluate(data.X_test, Y_test, params)
    return history, data.X_test, data.y_test, predictions


def home_figure(narrow=False):
    return plot_home(*_home_run(package_state()), narrow=narrow)


def variance_figure():
    return plot_variance(nn.variance_measurements(nn.load_sample().X_train[:, :2000]))


def plot_sigmoid():
    """sigma and sigma' (left); where sigma(1 - sigma) loses the slope, per dtype
    (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    z = np.linspace(-8, 8, 401)
    left.plot(z, nn.sigmoid(z), label="σ(z)")
    left.plot(z, nn.sigmoid_derivative(z), label="σ'(z) = σ(z) σ(−z), at most 1/4")
    left.set(xlabel="z", title="The sigmoid and its slope")
    left.grid(alpha=0.3)
    left.legend(loc="upper left", fontsize=8)
    z = np.linspace(0, 45, 901).astype(np.float32).astype(np.float64)  # same z in both
    exact = np.exp(-z) / (1 + np.exp(-z)) ** 2  # float64, accurate to 1e-15 here
    for dtype, style in ((np.float32, "-"), (np.float64, "--")):
        s = nn.sigmoid(z.astype(dtype))
        error = np.abs(s * (1 - s) - exact) / exact
        right.semilogy(
            z,
            np.maximum(error, 1e-17),
            style,
            label=f"σ(1 − σ) in {dtype.__name__}",
        )
    z32 = z.astype(np.float32)
    product = nn.sigmoid_derivative(z32).astype(np.float64)
    right.semilogy(
        z,
        np.maximum(np.abs(product - exact) / exact, 1e-17),
        ":",
        color="C2",
        label="σ(z) σ(−z) in float32 (the package)",
    )
    right.axvline(16.64, color="C0", lw=0.8)
    right.axvline(36.74, color="C1", lw=0.8)
    right.set(
        xlabel="z",
        ylabel="relative error",
        ylim=(1e-17, 3),
        title="σ(1 − σ) reaches 0 at z ≈ 16.6 (float32), 36.7 (float64)",
    )
    right.grid(alpha=0.3)
    right.legend(loc="lower right", fontsize=8)
    return fig


FIGURES = {
    "figures/home.png": home_figure,
    "figures/home-narrow.png": lambda: home_figure(narrow=True),
    "figures/init_variance.png": variance_figure,
    "figures/init_variance-narrow.png": lambda: stacked(variance_figure()),
    "figures/sigmoid.png": plot_sigmoid,
    "figures/sigmoid-narrow.png": lambda: stacked(plot_sigmoid(), panel_height=3.2),
}


def on_files(files, config):
    return add_figures(files, config, FIGURES)


def on_page_content(html, page, config, files):
    """Every figure with a phone variant (this hook's or another's) shows it on a
    phone."""
    return phone_variants(html, page.url, {f.src_uri for f in files})


if __name__ == "__main__":
    write_figures("figures.py", FIGURES)
