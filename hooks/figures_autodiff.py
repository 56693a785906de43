"""Figures and the table of the Automatic differentiation page, made at build time.

As a MkDocs hook it
- adds `figures/autodiff-graph-wide.png` and `figures/autodiff-graph-narrow.png`: the
  graph that `nnscratch.autodiff` records for the write-up's network (784-64-10,
  batch 64), drawn from `topological_order` of the loss, each node with its shape;
  left to right for wide screens, top to bottom for phones;
- adds `figures/autodiff-deep.png`: the learning curve of a 784-256-128-10 ReLU
  network trained through the engine on the shipped sample (`deep_network_run`),
  and its phone variant `figures/autodiff-deep-narrow.png` (panels stacked);
- replaces `{{ autodiff deep_table }}` in a page with that run's table, so the
  numbers on the page are those of the figure.

As a script, `python hooks/figures_autodiff.py FOLDER` writes the figures into FOLDER.
"""

import functools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

import nnscratch as nn  # noqa: E402
from generated_figures import add_figures, stacked, write_figures  # noqa: E402
from nnscratch import autodiff as ad  # noqa: E402

TOKEN = "{{ autodiff deep_table }}"
COLOURS = {"leaf": ("#f3f3f3", "#444444"), "param": ("#e8ecfb", "#1f3b99"),
           "op": ("#fdece4", "#b3401a")}


def writeup_graph():
    """The loss of the write-up's network on 64 sample images, as the engine records
    it: the root of the graph."""
    data = nn.load_sample()
    X, Y = data.X_train[:, :64], nn.one_hot(data.y_train[:64])
    params = nn.init_params(rng=np.random.default_rng(0))
    tensors = {k: ad.Tensor(v, requires_grad=True, name=k) for k, v in params.items()}
    return ad.network_loss(X, Y, tensors)


def _levels(order):
    """Column of each node: one after its latest input; an input one before its
    first consumer."""
    level = {}
    for node in order:
        level[node] = 1 + max((level[p] for p in node._parents), default=-1)
    for node in reversed(order):
        users = [level[n] for n in order if node in n._parents]
        if not node._parents and users:
            level[node] = min(users) - 1
    return level


def _label(node):
    shape = "×".join(map(str, node.shape)) or "scalar"
    if node.op is None:
        return f"{node.name}\n{shape}"
    name = f"{node.name}: " if node.name else ""
    return f"{node.op.replace('_', ' ')}\n{name}{shape}"


def draw_graph(root, wide):
    """Each tensor of the graph as a box with its operation, name and shape, and an
    arrow from each input to the tensor computed from it. Operations' results sit on
    the first row (column on a phone), the tensors you create beside them."""
    order = ad.topological_order(root)
    level = _levels(order)
    slots, position = {}, {}
    for node in sorted(order, key=lambda n: n.op is None):  # results first
        row = slots.get(level[node], 0)
        slots[level[node]] = row + 1
        along, across = 2.5 * level[node], 1.2 * row
        narrow = (2.3 * across, -1.12 * level[node])
        position[node] = (along, -across) if wide else narrow
    fig, ax = plt.subplots(figsize=(11, 2.9) if wide else (4.4, 7.6),
                           facecolor="white")
    boxes = {}
    for node in order:
        kind = "op" if node.op else ("param" if node.requires_grad else "leaf")
        face, edge = COLOURS[kind]
        x, y = position[node]
        boxes[node] = FancyBboxPatch((x - 0.95, y - 0.4), 1.9, 0.8,
                                     boxstyle="round,pad=0.06", fc=face, ec=edge,
                                     lw=1.4)
        ax.add_patch(boxes[node])
        ax.text(x, y, _label(node), ha="center", va="center", fontsize=10.5)
    for node in order:
        for parent in node._parents:
            ax.annotate("", xy=position[node], xytext=position[parent],
                        arrowprops=dict(arrowstyle="-|>", color="#555555", lw=1.2,
                                        patchA=boxes[parent], patchB=boxes[node],
                                        shrinkA=1, shrinkB=1, mutation_scale=14))
    xs = [p[0] for p in position.values()]
    ys = [p[1] for p in position.values()]
    ax.set_xlim(min(xs) - 1.1, max(xs) + 1.1)
    ax.set_ylim(min(ys) - 0.55, max(ys) + 0.55)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout(pad=0.2)
    return fig


# --8<-- [start:deep_network_run]
DEEP_SIZES = (784, 256, 128, 10)
DEEP_CONFIG = nn.TrainConfig(lr=0.1, epochs=6, activation="relu", seed=0)


@functools.cache
def deep_network_run():
    """784-256-128-10 ReLU trained through the engine on the shipped sample: history."""
    data = nn.load_sample()
    _, history = ad.train_autodiff(
        data.X_train, nn.one_hot(data.y_train), DEEP_SIZES, DEEP_CONFIG,
        X_test=data.X_test, Y_test=nn.one_hot(data.y_test),
    )
    return history
# --8<-- [end:deep_network_run]


def deep_table():
    rows = ["| epoch | train loss | train acc. | test loss | test acc. |",
            "|---|---|---|---|---|"]
    for r in deep_network_run():
        rows.append(f"| {r['epoch']} | {r['train_loss']:.4f} | "
                    f"{r['train_accuracy']:.4f} | {r['test_loss']:.4f} | "
                    f"{r['test_accuracy']:.4f} |")
    return "\n".join(rows)


def deep_figure():
    history = deep_network_run()
    epochs = [r["epoch"] for r in history]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained",
                                      facecolor="white")
    for split in ("train", "test"):
        left.plot(epochs, [r[f"{split}_loss"] for r in history], "o-", ms=4,
                  label=split)
        right.plot(epochs, [100 * r[f"{split}_accuracy"] for r in history], "o-",
                   ms=4, label=split)
    left.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
    right.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (left, right):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle("784-256-128-10 ReLU, trained through the engine (shipped sample)")
    return fig


def deep_figure_narrow():
    """The phone variant: the loss above the accuracy, the title on two lines."""
    fig = stacked(deep_figure(), panel_height=2.9)
    fig.suptitle("784-256-128-10 ReLU, trained through\nthe engine (shipped sample)")
    return fig


FIGURES = {
    "figures/autodiff-graph-wide.png": lambda: draw_graph(writeup_graph(), True),
    "figures/autodiff-graph-narrow.png": lambda: draw_graph(writeup_graph(), False),
    "figures/autodiff-deep.png": deep_figure,
    "figures/autodiff-deep-narrow.png": deep_figure_narrow,
}


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri.startswith("tests/") or TOKEN not in markdown:
        return markdown
    return markdown.replace(TOKEN, deep_table())


def on_files(files, config):
    return add_figures(files, config, FIGURES, facecolor="white")


if __name__ == "__main__":
    write_figures("figures_autodiff.py", FIGURES, facecolor="white")
