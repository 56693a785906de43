"""The fast tier, `python -m pytest -m "not slow"`: every slow mark says why, and a
test that builds the site or starts Chromium cannot join the fast tier unmarked."""

import re
import tomllib

import pytest

from conftest import REPO, SLOW_FIXTURES, slow_mark_problems


class Item:
    """What the check reads of a collected test: its id, its marks, its fixtures."""

    def __init__(self, marks=(), fixtures=()):
        self.nodeid = "tests/test_x.py::test_x"
        self.marks = [m.mark for m in marks]
        self.fixturenames = list(fixtures)

    def iter_markers(self, name):
        return (m for m in self.marks if m.name == name)


def test_a_slow_mark_with_its_reason_passes_and_fast_tests_need_none():
    """A reasoned mark on a site test, and no mark on a plain test, are both fine."""
    marked = Item([pytest.mark.slow(reason="builds the site")], ["site_dir", "rng"])
    assert slow_mark_problems([marked, Item(fixtures=["rng"])]) == []


@pytest.mark.parametrize("mark", [pytest.mark.slow, pytest.mark.slow(reason=" "),
                                  pytest.mark.slow("builds the site")],
                         ids=["bare", "blank", "positional"])
def test_a_slow_mark_without_its_reason_is_refused(mark):
    """`slow` alone, a blank reason or a positional one are each one problem."""
    problems = slow_mark_problems([Item([mark])])
    assert len(problems) == 1 and "needs its reason" in problems[0]


@pytest.mark.parametrize("fixture", SLOW_FIXTURES)
def test_an_unmarked_test_of_the_site_or_the_browser_is_refused(fixture):
    """A test asking for the built site or Chromium without the mark is named."""
    problems = slow_mark_problems([Item(fixtures=[fixture, "tmp_path"])])
    assert problems == [
        f"tests/test_x.py::test_x: uses {fixture} but is not marked slow; add "
        'pytestmark = pytest.mark.slow(reason="...") to the module or '
        '@pytest.mark.slow(reason="...") to the test'
    ]


def test_the_mark_is_registered_and_readme_gives_the_fast_command():
    """pyproject registers `slow` with --strict-markers, and README's Tests section
    gives the fast tier's command."""
    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]
    assert any(m.startswith("slow(reason):") for m in options["markers"])
    assert "--strict-markers" in options["addopts"].split()
    readme = (REPO / "README.md").read_text()
    tests = readme[readme.index("\n## Tests"):readme.index("\n## Command line")]
    assert re.search(r'```bash\npython -m pytest -m "not slow"\n```', tests)
