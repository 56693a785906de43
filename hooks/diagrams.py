"""Diagrams of the site, drawn by matplotlib at build time (nothing is committed).

As a MkDocs hook, it adds the PNGs below to the built site. As a script, it
writes them into a folder so you can look at them:

    python hooks/diagrams.py FOLDER

- `figures/graph-wide.png` and `figures/graph-narrow.png`: the computational
  graph of the Backpropagation page, left to right for wide screens and top to
  bottom for phones; forward quantities on one side, gradients on the other,
  the shape of the array on every edge.
- `figures/network.png`: the 784-64-10 network of the home page, a few units of
  each layer drawn.

Backgrounds are white, so the figures read the same in the light and dark palettes.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from generated_figures import add_figures, write_figures  # noqa: E402

FORWARD, BACKWARD = "#1f3b99", "#b3401a"  # indigo forward, dark orange backward
STYLE = {"forward": ("#e8ecfb", FORWARD), "param": ("#f3f3f3", "#444444"),
         "grad": ("#fdece4", BACKWARD)}

# name -> (label, kind); labels use matplotlib's mathtext
NODES = {
    "X": (r"$X$", "forward"), "Z1": (r"$Z^{[1]}$", "forward"),
    "A1": (r"$A^{[1]}$", "forward"), "Z2": (r"$Z^{[2]}$", "forward"),
    "A2": (r"$A^{[2]}$", "forward"), "L": (r"$L$", "forward"),
    "W1": (r"$W^{[1]}$", "param"), "b1": (r"$b^{[1]}$", "param"),
    "W2": (r"$W^{[2]}$", "param"), "b2": (r"$b^{[2]}$", "param"),
    "Y": (r"$Y$", "param"),
    "dZ2": (r"$dZ^{[2]}$", "grad"), "dA1": (r"$dA^{[1]}$", "grad"),
    "dZ1": (r"$dZ^{[1]}$", "grad"), "dW2": (r"$dW^{[2]}$", "grad"),
    "db2": (r"$db^{[2]}$", "grad"), "dW1": (r"$dW^{[1]}$", "grad"),
    "db1": (r"$db^{[1]}$", "grad"),
}

# (from, to, shape of the array on the edge, operation or None, direction); an
# operation is written in the nodes' notation, and its dot marks the side on which
# the factor multiplies: "· A[1]ᵀ" is dZ[2] A[1]ᵀ, "W[2]ᵀ ·" is W[2]ᵀ dZ[2]
EDGES = [
    ("X", "Z1", "784×m", None, "forward"), ("W1", "Z1", "64×784", None, "forward"),
    ("b1", "Z1", "64×1", None, "forward"), ("Z1", "A1", "64×m", r"$\sigma$", "forward"),
    ("A1", "Z2", "64×m", None, "forward"), ("W2", "Z2", "10×64", None, "forward"),
    ("b2", "Z2", "10×1", None, "forward"), ("Z2", "A2", "10×m", "softmax", "forward"),
    ("A2", "L", "10×m", None, "forward"), ("Y", "L", "10×m", None, "forward"),
    ("L", "dZ2", "10×m", r"$(A^{[2]} - Y)\,/\,m$", "backward"),
    ("dZ2", "dW2", "10×64", r"$\cdot\, A^{[1]\top}$", "backward"),
    ("dZ2", "db2", "10×1", r"$\cdot\, \mathbf{1}$", "backward"),
    ("dZ2", "dA1", "64×m", r"$W^{[2]\top} \cdot$", "backward"),
    ("dA1", "dZ1", "64×m", r"$\odot\, \sigma'(Z^{[1]})$", "backward"),
    ("dZ1", "dW1", "64×784", r"$\cdot\, X^{\top}$", "backward"),
    ("dZ1", "db1", "64×1", r"$\cdot\, \mathbf{1}$", "backward"),
]

# Left to right: parameters above the forward row, gradients below it.
WIDE = {
    "X": (0, 0), "Z1": (2.6, 0), "A1": (5.2, 0), "Z2": (7.8, 0), "A2": (10.4, 0),
    "L": (13, 0), "W1": (1.6, 2.0), "b1": (3.6, 2.0), "W2": (6.8, 2.0),
    "b2": (8.8, 2.0),
    "Y": (13, 2.0), "dZ2": (7.8, -2.0), "dA1": (5.2, -2.0), "dZ1": (2.6, -2.0),
    "dW2": (6.6, -4.0), "db2": (9.0, -4.0), "dW1": (1.4, -4.0), "db1": (3.8, -4.0),
}
# Top to bottom for a phone: parameters on the left, gradients on the right.
NARROW = {
    "X": (0, 0), "Z1": (0, -2.2), "A1": (0, -4.4), "Z2": (0, -6.6), "A2": (0, -8.8),
    "L": (0, -11), "W1": (-2.9, -1.2), "b1": (-2.9, -3.2), "W2": (-2.9, -5.6),
    "b2": (-2.9, -7.6), "Y": (-2.9, -11), "dZ2": (2.7, -6.6), "dA1": (2.7, -4.4),
    "dZ1": (2.7, -2.2), "dW2": (5.3, -5.6), "db2": (5.3, -7.6), "dW1": (5.3, -1.2),
    "db1": (5.3, -3.2),
}


def _box(ax, xy, label, kind, size, fontsize):
    face, edge = STYLE[kind]
    w, h = 0.55 * size, 0.3 * size
    ax.add_patch(FancyBboxPatch((xy[0] - w / 2, xy[1] - h / 2), w, h,
                                boxstyle="round,pad=0.12", fc=face, ec=edge, lw=1.6))
    ax.text(*xy, label, ha="center", va="center", fontsize=fontsize, color="black")


# where along an edge its label sits, when not at the middle (on a phone, the label
# of L -> dZ2 would cover the A2 box)
LABEL_AT = {("L", "dZ2"): 0.62}


def _edge(ax, start, end, text, direction, size, fontsize, at=0.5):
    colour = FORWARD if direction == "forward" else BACKWARD
    shrink = 0.33 * 72 * size / 1.6  # points between the arrow and the box
    dashes = "-" if direction == "forward" else (0, (4, 2))
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.5,
                                mutation_scale=16, shrinkA=shrink, shrinkB=shrink,
                                linestyle=dashes))
    mid = (start[0] + at * (end[0] - start[0]), start[1] + at * (end[1] - start[1]))
    ax.text(*mid, text, ha="center", va="center", fontsize=fontsize, color=colour,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))


def computational_graph(layout):
    """The graph of the forward and backward pass, in the given node layout."""
    xs = [x for x, _ in layout.values()]
    ys = [y for _, y in layout.values()]
    wide = layout is WIDE
    size = 1.6
    fig, ax = plt.subplots(figsize=(11, 6.0) if wide else (6.4, 9.8), facecolor="white")
    for a, b, shape, op, direction in EDGES:
        text = shape if op is None else f"{op}\n{shape}"
        at = 0.5 if wide else LABEL_AT.get((a, b), 0.5)
        _edge(ax, layout[a], layout[b], text, direction, size, 13.5 if wide else 14,
              at)
    for name, (label, kind) in NODES.items():
        _box(ax, layout[name], label, kind, size, 17)
    legend = [("solid: forward values", FORWARD),
              ("dashed: gradients dP = ∂L/∂P", BACKWARD)]
    x0, y0 = (10.6, -3.4) if wide else (min(xs) - 0.6, min(ys) - 1.1)
    for i, (text, colour) in enumerate(legend):
        ax.text(x0, y0 - 0.55 * i, text, color=colour, fontsize=13.5 if wide else 14,
                ha="left", va="center")
    ax.set_xlim(min(xs) - 0.8, max(xs) + (1.6 if wide else 0.8))
    ax.set_ylim(min(ys) - (0.8 if wide else 2.0), max(ys) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout(pad=0.2)
    return fig


def network_diagram():
    """784 inputs, 64 sigmoid units, 10 softmax outputs, a few units of each drawn."""
    fig, ax = plt.subplots(figsize=(5.4, 4.6), facecolor="white")
    columns = [
        (0.0, [3.0, 2.3, 1.6, -1.6, -2.3, -3.0], "input $X$\n784 pixels"),
        (3.6, [2.2, 1.4, 0.6, -1.4, -2.2], "hidden $A^{[1]}$\n64 sigmoid units"),
        (7.2, [2.7 - 0.6 * k for k in range(10)], "output $A^{[2]}$\n10 softmax units"),
    ]
    for (x0, ys0, _), (x1, ys1, _) in zip(columns, columns[1:]):
        for y0 in ys0:
            for y1 in ys1:
                ax.plot([x0, x1], [y0, y1], color="#9aa3c7", lw=0.6, zorder=1)
    for i, (x, ys, title) in enumerate(columns):
        for y in ys:
            ax.add_patch(plt.Circle((x, y), 0.2, fc="#e8ecfb", ec=FORWARD, lw=1.4,
                                    zorder=2))
        if i < 2:
            ax.text(x, (ys[2] + ys[3]) / 2, "⋮", ha="center", va="center",
                    fontsize=22)
        ax.text(x, -3.6, title, ha="center", va="top", fontsize=13)
    for k, y in enumerate(columns[2][1]):
        ax.text(7.55, y, str(k), ha="left", va="center", fontsize=12)
    ax.text(1.8, 3.45, r"$W^{[1]}$: 64 × 784", ha="center", fontsize=13, color=FORWARD)
    ax.text(5.4, 3.45, r"$W^{[2]}$: 10 × 64", ha="center", fontsize=13, color=FORWARD)
    ax.set_xlim(-1.3, 8.3)
    ax.set_ylim(-4.9, 3.9)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout(pad=0.2)
    return fig


FIGURES = {
    "figures/graph-wide.png": lambda: computational_graph(WIDE),
    "figures/graph-narrow.png": lambda: computational_graph(NARROW),
    "figures/network.png": network_diagram,
}


def on_files(files, config):
    return add_figures(files, config, FIGURES, facecolor="white")


if __name__ == "__main__":
    write_figures("diagrams.py", FIGURES, facecolor="white")
