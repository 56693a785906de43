"""The Exercises sections of the site: each folds its tested solution file and a hint
and links the package's starter; the built site serves those very files."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from nnscratch.exercises import EXERCISES

REPO = Path(__file__).resolve().parents[1]


def test_pages_show_the_checked_solutions_and_link_the_starters():
    """Each section folds its tested solution and a hint, and links its starter."""
    for e in EXERCISES.values():
        partial = (REPO / "docs" / "_exercises" / e.page).read_text()
        heading = re.search(r"\{\s*#" + re.escape(e.name) + r"[\s}]", partial)
        assert heading, f"no heading with the anchor #{e.name}"
        section = partial[heading.end():].split("\n### ", 1)[0]
        assert '??? success "Solution"' in section, e.name
        assert f'--8<-- "nnscratch/exercises/solutions/{e.file_name}"' in section, (
            e.name
        )
        assert "??? tip" in section, e.name
        assert f"(exercises/starters/{e.file_name})" in section, e.name
        assert f"nnscratch check {e.name} {e.file_name}" in section, e.name


def test_the_exercises_page_lists_every_exercise_with_its_section():
    """The Exercises page names every exercise and links its section on its page."""
    listing = (REPO / "docs" / "exercises.md").read_text()
    for e in EXERCISES.values():
        assert f"`{e.name}`" in listing and f"({e.page}#{e.name})" in listing, e.name
        assert f"(exercises/starters/{e.file_name})" in listing, e.name


@pytest.mark.slow(reason="needs the strict build of the site")
def test_the_built_site_serves_the_package_starters_and_shows_the_solutions(site_dir):
    """The download links serve the package's starters; the pages fold its solutions."""
    for e in EXERCISES.values():
        served = site_dir / "exercises" / "starters" / e.file_name
        assert served.read_bytes() == e.starter.read_bytes(), e.name
        html = (site_dir / e.page.removesuffix(".md") / "index.html").read_text()
        soup = BeautifulSoup(html, "html.parser")
        shown = [d.get_text() for d in soup.select("details.success")]
        first_def = next(
            line
            for line in e.solution.read_text().splitlines()
            if line.startswith("def ")
        )
        assert any(first_def in text for text in shown), e.name
        assert soup.select_one(f'a[href$="exercises/starters/{e.file_name}"]'), e.name
