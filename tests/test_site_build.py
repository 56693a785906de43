"""The site builds strictly, and the build fails when an included snippet goes missing."""

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, build_site

MARKER = re.compile(r"^\s*# --8<-- \[(start|end):(\w+)\]\s*$")
INCLUDE = re.compile(r'^\s*--8<-- "([^":]+)(?::(\w+))?"\s*$')


def markers(path):
    """[(kind, name, line number)] of the snippet section markers in a file."""
    found = []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        m = MARKER.match(line)
        if m:
            found.append((m.group(1), m.group(2), n))
    return found


SOURCES = sorted((REPO / "nnscratch").glob("*.py")) + sorted((REPO / "hooks").glob("*.py"))


def test_the_strict_build_writes_every_page_and_mathjax(site_dir):
    for page in ("index.html", "initialisation/index.html", "backprop/index.html",
                 "notebooks/train_on_sample/index.html", "api/index.html",
                 "assets/mathjax/tex-chtml-full.js", "figures/init_variance.png", "figures/home.png"):
        assert (site_dir / page).stat().st_size > 0, page
    fonts = list((site_dir / "assets/mathjax/output/chtml/fonts/woff-v2").glob("*.woff"))
    assert len(fonts) > 20


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_start_marker_has_its_end_after_it(path):
    open_sections = {}
    for kind, name, line in markers(path):
        if kind == "start":
            assert name not in open_sections, f"{path.name}:{line}: [start:{name}] opened twice"
            open_sections[name] = line
        else:
            assert name in open_sections, f"{path.name}:{line}: [end:{name}] without its start"
            del open_sections[name]
    assert not open_sections, f"{path.name}: no [end:x] for {open_sections}"


def test_marker_checker_sees_a_missing_end(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("# --8<-- [start:f]\ndef f():\n    pass\n")
    with pytest.raises(AssertionError, match="no \\[end:x\\]"):
        test_every_start_marker_has_its_end_after_it(bad)


def test_every_included_section_exists():
    """Each `--8<-- "file:section"` on a page names a file and a section that exist."""
    count = 0
    for page in sorted((REPO / "docs").rglob("*.md")):
        for line in page.read_text().splitlines():
            m = INCLUDE.match(line)
            if m:
                count += 1
                target = REPO / m.group(1)
                assert target.is_file(), f"{page.name}: {m.group(1)} does not exist"
                if m.group(2):
                    assert ("start", m.group(2)) in {(k, n) for k, n, _ in markers(target)}, \
                        f"{page.name}: no section {m.group(2)} in {m.group(1)}"
    assert count >= 19


def _copy_project(tmp_path):
    """A copy of what the build reads, so a test can break it without touching the repo.

    To keep it quick the copy does not execute the notebook and trains one epoch for the
    home figure; everything else is the real configuration.
    """
    root = tmp_path / "project"
    for name in ("docs", "hooks", "overrides", "tests"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    config = (REPO / "mkdocs.yml").read_text()
    assert "      execute: true\n" in config
    (root / "mkdocs.yml").write_text(config.replace("      execute: true\n", "      execute: false\n"))
    figures = root / "hooks" / "figures.py"
    figures.write_text(figures.read_text().replace("TrainConfig(epochs=10,", "TrainConfig(epochs=1,"))
    (root / "nnscratch").symlink_to(REPO / "nnscratch")
    return root


@pytest.mark.parametrize("include,message", [
    (None, None),  # the untouched copy builds: the failures below come from the one line added
    ('--8<-- "nnscratch/activations.py:no_such_section"', "could not be located"),
    ('--8<-- "nnscratch/no_such_module.py:sigmoid"', "could not be found"),
])
def test_a_missing_snippet_or_section_fails_the_strict_build(tmp_path, include, message):
    root = _copy_project(tmp_path)
    if include is not None:
        page = root / "docs" / "activations.md"
        page.write_text(page.read_text() + f"\n```python\n{include}\n```\n")
    result = build_site(root / "mkdocs.yml", tmp_path / "out", cwd=tmp_path)
    if include is None:
        assert result.returncode == 0, result.stderr[-3000:]
    else:
        assert result.returncode != 0
        assert message in result.stderr


def test_the_notebook_page_offers_its_source_for_download(site_dir):
    from bs4 import BeautifulSoup

    page = site_dir / "notebooks" / "train_on_sample" / "index.html"
    link = BeautifulSoup(page.read_text(), "html.parser").select_one("a.nb-download")
    assert link is not None and link.has_attr("download")
    target = page.parent / link["href"]
    assert target.read_text() == (REPO / "docs" / "notebooks" / "train_on_sample.py").read_text()


def test_the_notebook_ran_at_build_time_and_shows_its_figures(site_dir):
    html = (site_dir / "notebooks" / "train_on_sample" / "index.html").read_text()
    assert html.count('src="data:image/png;base64') >= 4  # curves, confusion, weights, mistakes
    assert "epoch 10" in html and "misclassified" in html
