"""The site's build prints nothing that alarms a reader who runs it.

Two lines used to appear in every `properdocs build --strict`: ipykernel's warning
that the notebook's kernel "is running over TCP without encryption" (the kernel now
talks to the build over IPC sockets: hooks/notebook_kernel.py) and mkdocstrings'
note that "Formatting signatures requires either Black or Ruff" (black is in the
`docs` extra, so the API pages' signatures are formatted as `mkdocs.yml` asks).
The session's build (conftest's `site_build`) keeps what it printed.
"""

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.slow(reason="needs the strict build of the site")

ALARMS = (
    "Kernel is running over TCP without encryption",
    "Formatting signatures requires either Black or Ruff",
)
LINE_LENGTH = 80  # mkdocs.yml: mkdocstrings' line_length


def test_the_strict_build_prints_no_alarming_line(site_build):
    """Neither line appears in what the strict build printed, nor any other line from
    the notebook's kernel or any WARNING."""
    _, result = site_build
    printed = (result.stdout + result.stderr).splitlines()
    alarming = [
        line for line in printed
        if any(a in line for a in ALARMS) or "[IPKernelApp]" in line
        or "WARNING" in line
    ]
    assert not alarming, "the build printed:\n" + "\n".join(alarming)


def test_api_signatures_are_formatted_to_the_configured_line_length(site_build):
    """A long signature (train_epoch's) is laid out one parameter per line within the
    line length, which only a formatter does."""
    site, _ = site_build
    html = (site / "api" / "train" / "index.html").read_text()
    page = BeautifulSoup(html, "html.parser")
    signatures = {
        div.find_previous(["h2", "h3"]).get("id"): div.get_text()
        for div in page.select("div.doc-signature")
    }
    text = signatures["nnscratch.train.train_epoch"]
    lines = text.strip().splitlines()
    assert len(lines) >= 8, text  # seven parameters, each on its own line
    assert max(map(len, lines)) <= LINE_LENGTH, text
