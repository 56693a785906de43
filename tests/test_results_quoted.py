"""README quotes the result tables that the result commands wrote into docs/results/;
each quote must be the file's text, so the two cannot drift apart."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
QUOTED = sorted((REPO / "docs" / "results" / "sweep").glob("*.md")) + [
    REPO / "docs" / "results" / "writeup" / "summary.md"]


@pytest.mark.parametrize("path", QUOTED, ids=lambda p: str(p.relative_to(REPO)))
def test_readme_quotes_each_result_table_as_written(path):
    """Every table row of the file appears in README, in order and contiguous."""
    rows = [line for line in path.read_text().splitlines() if line.startswith("|")]
    readme = (REPO / "README.md").read_text()
    assert "\n".join(rows) in readme, f"README's copy of {path.name} is not the file's"
