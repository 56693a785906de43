"""The Exercises sections of the site: each folds its tested solution file and a hint
and links the package's starter."""

from pathlib import Path

from nnscratch.exercises import EXERCISES

REPO = Path(__file__).resolve().parents[1]


def test_pages_show_the_checked_solutions_and_link_the_starters():
    """Each section folds its tested solution and a hint, and links its starter."""
    for e in EXERCISES.values():
        partial = (REPO / "docs" / "_exercises" / e.page).read_text()
        section = partial.split(f"{{#{e.name}}}", 1)[1].split("\n### ", 1)[0]
        assert '??? success "Solution"' in section, e.name
        assert f'--8<-- "nnscratch/exercises/solutions/{e.file_name}"' in section, (
            e.name
        )
        assert "??? tip" in section, e.name
        assert f"(exercises/starters/{e.file_name})" in section, e.name
        assert f"nnscratch check {e.name} {e.file_name}" in section, e.name
