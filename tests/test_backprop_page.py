"""The Backpropagation page's worked example, recomputed without the package."""

import math

import pytest
from bs4 import BeautifulSoup

from nnscratch import back_propagate, compute_loss, feed_forward, worked_example


def _matmul(A, B):
    return [[sum(A[r][t] * B[t][c] for t in range(len(B))) for c in range(len(B[0]))]
            for r in range(len(A))]


def _transpose(A):
    return [list(col) for col in zip(*A)]


def hand_computed():
    """Every array of the worked example by plain loops and math.exp, in page order."""
    X, Y, params = (a.tolist() if hasattr(a, "tolist") else a for a in worked_example())
    W1, b1, W2, b2 = (params[k].tolist() for k in ("W1", "b1", "W2", "b2"))
    m = len(X[0])
    Z1 = [[v + b1[h][0] for v in row] for h, row in enumerate(_matmul(W1, X))]
    A1 = [[1 / (1 + math.exp(-z)) for z in row] for row in Z1]
    Z2 = [[v + b2[k][0] for v in row] for k, row in enumerate(_matmul(W2, A1))]
    totals = [sum(math.exp(Z2[k][j]) for k in range(len(Z2))) for j in range(m)]
    A2 = [[math.exp(Z2[k][j]) / totals[j] for j in range(m)] for k in range(len(Z2))]
    L = -sum(Y[k][j] * math.log(A2[k][j]) for k in range(len(Y)) for j in range(m)) / m
    dZ2 = [[(A2[k][j] - Y[k][j]) / m for j in range(m)] for k in range(len(Y))]
    dW2 = _matmul(dZ2, _transpose(A1))
    db2 = [[sum(row)] for row in dZ2]
    dA1 = _matmul(_transpose(W2), dZ2)
    dZ1 = [[dA1[h][j] * A1[h][j] * (1 - A1[h][j]) for j in range(m)]
           for h in range(len(A1))]
    dW1 = _matmul(dZ1, _transpose(X))
    db1 = [[sum(row)] for row in dZ1]
    return {"X": X, "Y": Y, "W1": W1, "b1": b1, "W2": W2, "b2": b2,
            "Z1  (1)": Z1, "A1  (2)": A1, "Z2  (3)": Z2, "A2  (4)": A2,
            "L   (5)": [[L]],
            "dZ2 (6)": dZ2, "dW2 (7)": dW2, "db2 (8)": db2, "dA1 (9)": dA1,
            "dZ1 (10)": dZ1, "dW1 (11)": dW1, "db1 (12)": db1}


def test_worked_example_matches_hand_written_loops():
    """feed_forward, back_propagate and compute_loss give the hand-computed numbers."""
    X, Y, params = worked_example()
    expected = hand_computed()
    cache = feed_forward(X, params)
    grads = back_propagate(X, Y, params, cache)
    got = {"Z1  (1)": cache["Z1"], "A1  (2)": cache["A1"], "Z2  (3)": cache["Z2"],
           "A2  (4)": cache["A2"], "L   (5)": [[compute_loss(Y, cache["Z2"])]],
           "dW2 (7)": grads["dW2"], "db2 (8)": grads["db2"],
           "dW1 (11)": grads["dW1"], "db1 (12)": grads["db1"]}
    for name, value in got.items():
        for row, row_expected in zip(value, expected[name]):
            assert list(row) == pytest.approx(row_expected, rel=1e-12, abs=1e-15), name


def test_the_hand_check_shows_rounded_numbers_whose_sums_are_the_sums_shown():
    """Every number of the page's hand check is rounded (not truncated) to the digits
    shown, from the exact value or, for the two exponentials, from the logits as shown;
    every sum of shown numbers is the shown result; each number is on the page."""
    import math
    from pathlib import Path

    h = hand_computed()
    A1, Z2, A2 = h["A1  (2)"], h["Z2  (3)"], h["A2  (4)"]
    dZ2, dW2 = h["dZ2 (6)"], h["dW2 (7)"]
    dA1, dZ1 = h["dA1 (9)"], h["dZ1 (10)"]
    W2, b2 = h["W2"], h["b2"]
    shown = {  # the page's number: the exact value it stands for
        "0.73106": A1[0][0], "0.26894": A1[1][0], "0.46212": Z2[0][0],
        "0.76894": Z2[1][0], "1.58744": math.exp(0.46212),  # of the logits shown
        "2.15748": math.exp(0.76894), "0.42389": A2[0][0],
        "-0.288055": dZ2[0][0], "0.188144": A2[0][1], "0.094072": dZ2[0][1],
        "0.731059": A1[0][0],
        "-0.21059": dZ2[0][0] * A1[0][0], "0.04704": dZ2[0][1] * A1[0][1],
        "-0.16355": dW2[0][0], "-0.2881": dA1[0][0], "0.7311": A1[0][0],
        "-0.0566": dZ1[0][0],
    }
    for text, exact in shown.items():
        decimals = len(text.split(".")[1])
        assert round(exact, decimals) == float(text), (text, exact)
    # the sums and products of the text, from the numbers as shown
    assert round(W2[0][0] * 0.73106 + W2[0][1] * 0.26894 + b2[0][0], 5) == 0.46212
    assert round(W2[1][0] * 0.73106 + W2[1][1] * 0.26894 + b2[1][0], 5) == 0.76894
    assert round(1.58744 / (1.58744 + 2.15748), 5) == 0.42389
    assert round((0.42389 - 1) / 2, 6) == -0.288055
    assert round((0.188144 - 0) / 2, 6) == 0.094072
    assert round(-0.288055 * 0.731059, 5) == -0.21059
    assert round(0.094072 * 0.5, 5) == 0.04704
    assert round(-0.21059 + 0.04704, 5) == -0.16355
    assert round(-0.2881 * 0.7311 * (1 - 0.7311), 4) == -0.0566
    page = (Path(__file__).resolve().parents[1] / "docs" / "backprop.md").read_text()
    hand_check = page[page.index("Check a few entries by hand"):]
    for text in shown:
        assert text.lstrip("-") in hand_check, text


def test_shapes_decide_the_rule_only_when_the_sizes_differ(rng):
    """Backpropagation page, "the rule for any linear layer": with n_out, n_in and m all
    different only dZ A^T has the shape of dW and only W^T dZ that of dA; with the
    default n_h = m = 64 the wrong products have the right shapes too."""
    def wrong_products(n_out, n_in, m):
        shapes = ((n_out, m), (n_in, m), (n_out, n_in))
        dZ, A, W = (rng.standard_normal(s) for s in shapes)
        fits = []
        for name, f in (("dZ A", lambda: dZ @ A), ("dZ^T W", lambda: dZ.T @ W),
                        ("A dZ^T", lambda: A @ dZ.T), ("W dZ", lambda: W @ dZ)):
            try:
                shape = f().shape
            except ValueError:  # inner dimensions differ
                continue
            if shape in ((n_out, n_in), (n_in, m)):
                fits.append(name)
        return fits

    assert wrong_products(10, 5, 7) == []  # all sizes differ: shapes decide
    assert wrong_products(4, 5, 6) == []  # small_net's output layer
    assert wrong_products(10, 64, 64) == ["dZ A", "dZ^T W"]  # n_h = batch = 64
    assert "dZ A" in wrong_products(2, 2, 2)  # the worked example's layer 2


@pytest.mark.slow(reason="needs the strict build of the site")
def test_page_shows_the_independently_computed_numbers(site_dir):
    """Each line of the worked-example table on the built page shows the hand value."""
    html = (site_dir / "backprop" / "index.html").read_text(encoding="utf-8")
    article = BeautifulSoup(html, "html.parser").select_one("article")
    shown = {line.rstrip() for pre in article.select("pre")
             for line in pre.get_text().splitlines()}
    for name, M in hand_computed().items():
        for r, row in enumerate(M):
            line = f"{name if r == 0 else '':9}" + "".join(f"{v:9.4f}" for v in row)
            assert line.rstrip() in shown, f"the page does not show: {line!r}"


@pytest.mark.slow(reason="needs the strict build of the site")
def test_diagrams_are_drawn_into_the_site_and_used_by_the_pages(site_dir):
    """The build draws the graph (wide and phone) and the network diagram as PNGs,
    and the Backpropagation and home pages show them."""
    for name in ("graph-wide.png", "graph-narrow.png", "network.png"):
        data = (site_dir / "figures" / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, name
    backprop = (site_dir / "backprop" / "index.html").read_text(encoding="utf-8")
    assert "../figures/graph-wide.png" in backprop
    assert "../figures/graph-narrow.png" in backprop
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    assert "figures/network.png" in home


def page_equation_numbers(markdown):
    """{label: number} as MathJax numbers the page: every row of a display equation or
    align (not starred) without \\notag gets the next number."""
    import re

    numbers, n = {}, 0
    pattern = re.compile(r"\\begin\{(equation|align)\}(.*?)\\end\{\1\}", re.S)
    for env, body in pattern.findall(markdown):
        for row in re.split(r"\\\\\s*\n", body):
            if "\\notag" in row or not row.strip():
                continue
            n += 1
            label = re.search(r"\\label\{([^}]+)\}", row)
            if label:
                numbers[label.group(1)] = n
    return numbers


# code line of a listing -> the label of the page equation its `# (n)` tag must name
TAGGED_LINES = {
    ("network.py", 'Z1 = params["W1"] @ X'): "eq:z1",
    ("network.py", "A1 = g(Z1)"): "eq:a1",
    ("network.py", 'Z2 = params["W2"] @'): "eq:z2",
    ("network.py", "softmax(Z2)"): "eq:a2",
    ("network.py", "dZ2 = "): "eq:dz2",
    ("network.py", "dW2 = "): "eq:dw2",
    ("network.py", "db2 = "): "eq:db2",
    ("network.py", "dA1 = params"): "eq:da1",
    ("network.py", "dZ1 = dA1 * A1"): "eq:dz1",
    ("network.py", 'dZ1 = dA1 * (cache["Z1"] > 0)'): "eq:dz1-relu",
    ("network.py", "dW1 = "): "eq:dw1",
    ("network.py", "db1 = "): "eq:db1",
    ("gradcheck.py", "grad[i] = "): "eq:central",
    ("gradcheck.py", "scale = "): "eq:relerr",
}


def test_listing_tags_name_the_page_equations_they_implement():
    """Each `# (n)` tag in feed_forward, back_propagate and the gradient check is the
    number MathJax gives the equation that line computes on the Backpropagation page."""
    import re
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    numbers = page_equation_numbers((repo / "docs" / "backprop.md").read_text())
    assert numbers["eq:z1"] == 1 and numbers["eq:dz2"] == 6
    for (module, fragment), label in TAGGED_LINES.items():
        lines = [line for line in (repo / "nnscratch" / module).read_text().splitlines()
                 if fragment in line]
        assert len(lines) == 1, (module, fragment)
        tag = re.search(r"# \((\d+)\)$", lines[0])
        assert tag and int(tag.group(1)) == numbers[label], (lines[0], label)
