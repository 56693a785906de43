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


@pytest.mark.parametrize("name", ["simard-elastic", "simard-kappa5"])
def test_readme_counts_the_correct_test_images_of_an_attempt_from_its_sweep(name):
    """README's 'classified N of its 50,000 test images' is the sweep's mean x 50,000,
    and the verdict after it follows the unrounded mean."""
    import json

    sweep = json.loads((REPO / "docs" / "results" / "sweep" / f"{name}.json").read_text())
    mean = sweep["summary"]["test_accuracy_mean"]
    correct = round(mean * 10_000 * sweep["summary"]["n_runs"])
    text = " ".join((REPO / "README.md").read_text().split())
    own = text.rindex("Command:", 0, text.index(f"--name {name} "))
    paragraph = text[text.rindex("Command:", 0, own):own]  # from the attempt before
    assert f"classified {correct:,} of its 50,000 test images correctly" in paragraph
    assert ("reaches Simard's 99.3%" in paragraph) == (mean >= 0.993)
