"""The sigma/sigma' figure of the Activations page shows what the page says."""

import sys

import numpy as np
import pytest

from conftest import REPO


def _figures_hook():
    sys.path.insert(0, str(REPO / "hooks"))
    try:
        import figures
    finally:
        sys.path.remove(str(REPO / "hooks"))
    return figures


def test_sigmoid_figure_shows_where_each_dtype_loses_the_slope():
    """Its curves: sigma' peaks at 1/4; A(1 - A) is totally wrong past 16.64 (float32)
    and 36.74 (float64), while the package's product stays below 1e-6 in float32."""
    fig = _figures_hook().plot_sigmoid()
    left, right = fig.axes
    slope = left.lines[1].get_xydata()
    assert abs(slope[:, 1].max() - 0.25) < 1e-6 and slope[slope[:, 1].argmax(), 0] == 0
    curves = {line.get_label(): line.get_xydata() for line in right.lines[:3]}
    f32 = curves["σ(1 − σ) in float32"]
    f64 = curves["σ(1 − σ) in float64"]
    product = curves["σ(z) σ(−z) in float32 (the package)"]
    z32, z64 = f32[:, 0], f64[:, 0]
    assert np.all(f32[z32 > 16.7, 1] == 1) and np.all(f32[z32 < 16.6, 1] < 1)
    assert np.all(f64[z64 > 36.8, 1] == 1) and np.all(f64[z64 < 36.7, 1] < 1)
    assert np.all(product[:, 1] < 1e-6)


@pytest.mark.slow(reason="needs the strict build of the site")
def test_the_built_site_has_the_sigmoid_figure(site_dir):
    """The build draws the figure and the Activations page shows it."""
    assert (site_dir / "figures" / "sigmoid.png").stat().st_size > 10_000
    page = (site_dir / "activations" / "index.html").read_text()
    assert "figures/sigmoid.png" in page


def _hooks():
    sys.path.insert(0, str(REPO / "hooks"))
    try:
        import diagrams
        import figures
        import figures_inside
        import figures_training
        import generated_figures
    finally:
        sys.path.remove(str(REPO / "hooks"))
    return generated_figures, {**figures.FIGURES, **diagrams.FIGURES,
                               **figures_training.FIGURES, **figures_inside.FIGURES}


def test_every_phone_variant_has_9_px_text_in_a_358_px_column():
    """Each "-narrow.png" figure, shown at most 358 CSS px wide (a 390-px phone's
    column), has its smallest text at 9 px or more; its wide original does not, so
    the variant is needed (the browser test measures the shown widths)."""
    import matplotlib.pyplot as plt

    generated, registry = _hooks()

    def text_px(uri):
        fig = registry[uri]()
        width = fig.get_size_inches()[0] * generated.DPI
        px = generated.smallest_text(fig) * generated.DPI / 72 * min(1, 358 / width)
        plt.close(fig)
        return px

    narrow = [u for u in registry if u.endswith(generated.NARROW)]
    assert len(narrow) >= 7
    assert {u: round(text_px(u), 1) for u in narrow if text_px(u) < 9} == {}
    for uri in ("figures/sigmoid.png", "figures/init_variance.png"):
        assert text_px(uri) < 9  # the wide one really is unreadable on a phone


def test_phone_variants_wrap_a_figure_that_has_one():
    """An `img` of a figure with a "-narrow.png" sibling among the site's files becomes
    a `picture` that picks the narrow file up to 600 px; other images and images
    already in a `picture` are left alone."""
    generated, _ = _hooks()
    uris = {"figures/home.png", "figures/home-narrow.png", "figures/network.png"}
    html = ('<p><img alt="a" src="../figures/home.png"></p>'
            '<img src="../figures/network.png">'
            '<picture><source srcset="x.png"><img src="../figures/home.png"></picture>')
    out = generated.phone_variants(html, "initialisation/", uris)
    assert out.count("<picture>") == 2
    assert ('<picture><source media="(max-width: 600px)" '
            'srcset="../figures/home-narrow.png"><img alt="a" '
            'src="../figures/home.png"></picture>') in out
    assert '<img src="../figures/network.png">' in out
    assert generated.phone_variants(
        '<img src="figures/home.png">', "", uris).startswith("<picture>")


def test_committed_confusion_counts_are_those_of_the_committed_run():
    """docs/results/writeup/confusion.json, which the phone variant of the Results
    page's confusion matrix is drawn from, agrees with the run's other outputs: each
    row sums to that digit's support in report.txt, and the diagonal over the total is
    the last epoch's test accuracy in history.json."""
    import json

    writeup = REPO / "docs" / "results" / "writeup"
    C = np.array(json.loads((writeup / "confusion.json").read_text())["counts"])
    support = [int(line.split()[-1]) for line in
               (writeup / "report.txt").read_text().splitlines()[2:12]]
    history = json.loads((writeup / "history.json").read_text())
    assert C.shape == (10, 10) and C.sum() == 10_000
    assert C.sum(axis=1).tolist() == support
    assert np.trace(C) / C.sum() == pytest.approx(history[-1]["test_accuracy"], abs=1e-9)


def test_phone_confusion_matrix_writes_every_count_of_the_committed_run():
    """The phone variant of the confusion matrix writes each count of confusion.json
    in its cell (row = true class, column = predicted class)."""
    import json

    import matplotlib.pyplot as plt

    C = json.loads((REPO / "docs/results/writeup/confusion.json").read_text())["counts"]
    fig = _hooks()[1]["results/writeup/confusion-narrow.png"]()
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): int(t.get_text())
             for t in fig.axes[0].texts}
    plt.close(fig)
    assert cells == {(t, k): C[t][k] for t in range(10) for k in range(10)}
    assert fig.get_size_inches()[0] == pytest.approx(4.2)
