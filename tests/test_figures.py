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
