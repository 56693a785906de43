"""The built Automatic differentiation page shows what the issue asked of it: the graph
the engine recorded, the deeper network's run, the equality with back_propagate and
train, and the benchmark's ratio."""

import re

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.slow(reason="reads the strict build of the site")


def _page(site_dir):
    html = (site_dir / "autodiff" / "index.html").read_text(encoding="utf-8")
    return html, BeautifulSoup(html, "html.parser").select_one("article").get_text()


def test_the_page_draws_the_recorded_graph_and_the_deeper_networks_curve(site_dir):
    """The three figures of hooks/figures_autodiff.py are in the site and on the page,
    and the run's table replaced its token."""
    html, text = _page(site_dir)
    for name in ("autodiff-graph-wide.png", "autodiff-graph-narrow.png",
                 "autodiff-deep.png"):
        data = (site_dir / "figures" / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, name
        assert f"figures/{name}" in html, name
    assert "{{ autodiff" not in html
    tables = [t for t in BeautifulSoup(html, "html.parser").select("article table")
              if "test acc." in t.get_text()]
    assert len(tables) == 1
    rows = [[td.get_text() for td in tr.select("td")]
            for tr in tables[0].select("tbody tr")]
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert all(0 < float(r[4]) <= 1 for r in rows)


def test_the_page_prints_the_engine_equal_to_back_propagate_and_train(site_dir):
    """The printed relative errors are at most 1e-12 (float64), and training through
    the engine matches train() after each of the 3 epochs."""
    _, text = _page(site_dir)
    errors = re.findall(r"d[Wb][12]: relative error (\S+)", text)
    assert len(errors) == 4 and all(float(e) <= 1e-12 for e in errors)
    epochs = re.findall(r"epoch (\d): largest relative difference from train\(\) (\S+)",
                        text)
    assert [e for e, _ in epochs] == ["1", "2", "3"]
    assert all(float(d) <= 1e-6 for _, d in epochs)


def test_the_page_shows_the_benchmark_ratio_within_the_goal(site_dir):
    """The Speed section includes bench/bench_autodiff.py's table, its median ratio at
    most 1.25, with the command that measured it."""
    _, text = _page(site_dir)
    assert "python bench/bench_autodiff.py" in text
    ratio = re.search(r"goal ≤ 1\.25\)\s*(\d+\.\d+)", text)
    assert ratio and float(ratio.group(1)) <= 1.25
