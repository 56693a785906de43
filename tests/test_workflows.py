"""The GitHub workflows validate, pass a static security audit and run what README says.

Both checks run offline: check-jsonschema carries GitHub's workflow schema
(`--builtin-schema vendor.github-workflows`) and zizmor audits with `--offline`.
The workflows cannot run here; what they run is README's test command, which
`.ci/run` runs too, and the test below keeps the three identical.
"""

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
TEST_STEP = "Run the README's test command"
# an action pinned to a commit (40 hex digits) with its version in a comment
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def tool(name):
    """The console script `name` installed beside this interpreter (the dev extra)."""
    path = Path(sys.executable).parent / name
    found = path if path.exists() else shutil.which(name)
    assert found, f"{name} not found: python -m pip install -e '.[dev]'"
    return str(found)


def load(path):
    """A workflow as data; PyYAML reads the key `on` as True, so it is renamed back."""
    doc = yaml.safe_load(Path(path).read_text())
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def validate(paths):
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         *map(str, paths)], capture_output=True, text=True)


def audit(paths):
    """zizmor's findings of medium severity or above, offline, as a list of dicts."""
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", "--min-severity", "medium",
         "--format", "json", *map(str, paths)], capture_output=True, text=True)
    assert result.stdout.strip(), result.stderr[-2000:]
    return json.loads(result.stdout)


def test_both_workflows_exist():
    """CI and Pages are the two workflows of the repository."""
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "pages.yml"]


def test_every_workflow_validates_against_the_github_schema():
    """check-jsonschema accepts each workflow file with GitHub's own schema."""
    result = validate(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    """A job without `runs-on` fails the same check, so the check can fail."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  test:\n    steps:\n      - run: echo hi\n")
    assert validate([bad]).returncode != 0


def test_zizmor_finds_nothing_of_medium_severity_or_above():
    """The static security audit reports no finding of medium severity or above."""
    findings = audit(WORKFLOWS)
    assert [(f["ident"], f["determinations"]["severity"]) for f in findings] == []


def test_zizmor_sees_a_template_injection(tmp_path):
    """A pull request's title pasted into a shell command is reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request_target\npermissions: {}\njobs:\n  greet:\n"
        "    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo \"${{ github.event.pull_request.title }}\"\n")
    assert "template-injection" in {f["ident"] for f in audit([bad])}


def readme_test_command():
    """The one line of README's Quick start that runs pytest."""
    text = (REPO / "README.md").read_text()
    start = text.index("## Quick start")
    section = text[start:text.index("\n## ", start + 1)]
    lines = [line for block in re.findall(r"```bash\n(.*?)```", section, re.S)
             for line in block.splitlines() if "pytest" in line]
    assert len(lines) == 1, lines
    return lines[0].strip()


def ci_run_test_command():
    """The line of .ci/run after its comment "README's test command, verbatim"."""
    lines = (REPO / ".ci" / "run").read_text().splitlines()
    marker = "README's test command, verbatim"
    at = next(i for i, line in enumerate(lines) if marker in line)
    return lines[at + 1].strip()


def ci_workflow_test_command():
    """The pytest line of ci.yml's step named "Run the README's test command"."""
    jobs = load(REPO / ".github" / "workflows" / "ci.yml")["jobs"]
    steps = [s for job in jobs.values() for s in job["steps"]
             if s.get("name") == TEST_STEP]
    assert len(steps) == 1
    lines = [line.strip() for line in steps[0]["run"].splitlines() if "pytest" in line]
    assert len(lines) == 1, lines
    return lines[0]


def test_ci_runs_exactly_the_readme_test_command():
    """README, .ci/run and the CI workflow run the same test command, character for
    character."""
    readme = readme_test_command()
    assert "python -m pytest" in readme
    assert ci_run_test_command() == readme
    assert ci_workflow_test_command() == readme


def test_ci_covers_the_lowest_supported_python_and_installs_chromium():
    """The CI matrix starts at pyproject's lowest Python and the job installs the
    chromium package the browser tests drive."""
    lowest = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "requires-python"].removeprefix(">=")
    job = load(REPO / ".github" / "workflows" / "ci.yml")["jobs"]["test"]
    versions = job["strategy"]["matrix"]["python"]
    assert versions[0] == lowest and len(versions) >= 2
    assert any("apt-get install" in s.get("run", "") and "chromium" in s.get("run", "")
               for s in job["steps"])
    uploads = [s["with"]["path"] for s in job["steps"]
               if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert {"test-output/", "site/"} <= set(uploads)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_commits_and_permissions_are_explicit(path):
    """Every action is pinned to a full commit hash, and the workflow sets its
    permissions, read-only at the top."""
    doc = load(path)
    uses = [s["uses"] for job in doc["jobs"].values() for s in job.get("steps", [])
            if "uses" in s]
    assert uses and [u for u in uses if not PINNED.match(u)] == []
    assert doc["permissions"] == {"contents": "read"}


def test_pages_publishes_with_least_permissions_one_deployment_at_a_time():
    """Pages builds on pushes to main and by hand, deploys with GitHub's Pages actions
    holding only `pages: write` and `id-token: write`, and never runs two at once."""
    doc = load(REPO / ".github" / "workflows" / "pages.yml")
    assert set(doc["on"]) == {"push", "workflow_dispatch"}
    assert doc["on"]["push"]["branches"] == ["main"]
    assert doc["concurrency"]["group"]
    assert doc["concurrency"]["cancel-in-progress"] is False
    deploy = doc["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    actions = {s["uses"].split("@")[0] for job in doc["jobs"].values()
               for s in job["steps"] if "uses" in s}
    assert {"actions/configure-pages", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= actions
    build = "\n".join(s.get("run", "") for s in doc["jobs"]["build"]["steps"])
    assert "python tools/build_pdf.py" in build  # the site and its PDF, built strictly


def test_readme_pyproject_and_site_url_name_the_same_repository():
    """The default site_url, pyproject's project URLs and README's badge, clone and
    site links all name one GitHub account and repository, so replacing OWNER is one
    consistent edit."""
    config = (REPO / "mkdocs.yml").read_text()
    default = re.search(r"^site_url: !ENV \[NNSCRATCH_SITE_URL, \"([^\"]+)\"\]", config,
                        re.M)
    assert default, "mkdocs.yml: site_url must be !ENV [NNSCRATCH_SITE_URL, default]"
    site = default.group(1)
    address = re.fullmatch(r"https://([\w-]+)\.github\.io/([\w.-]+)/", site)
    owner, repo = address.groups()
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Homepage"] == site
    assert urls["Source"] == f"https://github.com/{owner}/{repo}"
    assert urls["Issues"] == f"https://github.com/{owner}/{repo}/issues"
    readme = (REPO / "README.md").read_text()
    github = f"https://github.com/{owner}/{repo}"
    for needle in (f"{github}/actions/workflows/ci.yml/badge.svg",
                   f"git clone {github}.git", f"<{site}>", f"<{site}nnscratch.pdf>"):
        assert needle in readme, needle
