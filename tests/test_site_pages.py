"""The code on the built pages runs as a reader would paste it, and every test a page names exists."""

import ast
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO
from site_pages import built_pages, python_blocks

OPTED_OUT = []  # (page, block number) of blocks with the opt-out class; printed in the summary

# Executes the blocks of one page in order, in one namespace, in a fresh interpreter.
RUNNER = r"""
import json, sys, traceback
blocks = json.load(open(sys.argv[1]))
namespace = {"__name__": "__main__"}
for number, source in blocks:
    try:
        exec(compile(source, f"<block {number}>", "exec"), namespace)
    except BaseException:
        print(f"block {number} failed:\n{source}\n", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
"""


def _pages_with_code(site_dir):
    return [(path, python_blocks(html.read_text())) for path, html in built_pages(site_dir)]


def test_every_python_block_runs_in_page_order(site_dir, tmp_path):
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    env = dict(os.environ, MPLBACKEND="Agg")
    ran = 0
    failures = {}
    for path, blocks in _pages_with_code(site_dir):
        runnable = [(n, src) for n, (src, runs) in enumerate(blocks, 1) if runs]
        OPTED_OUT.extend((path, n) for n, (_, runs) in enumerate(blocks, 1) if not runs)
        if not runnable:
            continue
        data = tmp_path / ((path.strip("/").replace("/", "_") or "home") + ".json")
        data.write_text(json.dumps(runnable))
        workdir = tmp_path / ("cwd_" + data.stem)
        workdir.mkdir()
        result = subprocess.run([sys.executable, str(runner), str(data)], cwd=workdir, env=env,
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            failures[path] = result.stderr[-3000:]
        ran += len(runnable)
    assert not failures, "\n\n".join(f"{p}:\n{e}" for p, e in failures.items())
    assert ran >= 40


def test_the_page_runner_reports_a_failing_block(tmp_path):
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    data = tmp_path / "blocks.json"
    data.write_text(json.dumps([[1, "x = 1"], [2, "assert x == 2"]]))
    result = subprocess.run([sys.executable, str(runner), str(data)], capture_output=True, text=True)
    assert result.returncode == 1 and "block 2 failed" in result.stderr


def test_blocks_opt_out_only_on_the_generated_test_pages(site_dir):
    opted = [(path, n) for path, blocks in _pages_with_code(site_dir)
             for n, (_, runs) in enumerate(blocks, 1) if not runs]
    assert opted, "the test pages show test source with the opt-out class"
    assert {path for path, _ in opted} <= {p for p, _ in built_pages(site_dir) if p.startswith("tests/")}


NAMED_TEST = re.compile(r"`tests/(test_\w+)\.py::(test_\w+)`")


def _test_functions():
    names = set()
    for path in (REPO / "tests").glob("test_*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names.add((path.stem, node.name))
    return names


def test_every_test_a_page_names_exists():
    existing = _test_functions()
    named = {}
    for page in sorted((REPO / "docs").rglob("*.md")) + sorted((REPO / "docs").rglob("*.py")):
        for stem, name in NAMED_TEST.findall(page.read_text()):
            named.setdefault((stem, name), page.relative_to(REPO).as_posix())
    missing = {f"tests/{s}.py::{n}": page for (s, n), page in named.items() if (s, n) not in existing}
    assert not missing
    assert len(named) >= 40


def test_a_page_naming_a_missing_test_fails_the_build(tmp_path):
    """The hook refuses a page that names a test which does not exist (the strict build stops)."""
    sys.path.insert(0, str(REPO / "hooks"))
    try:
        import test_pages
    finally:
        sys.path.remove(str(REPO / "hooks"))
    from mkdocs.exceptions import PluginError

    test_pages.KNOWN.clear()
    test_pages.KNOWN.update({"test_losses": {"test_real"}})

    class Page:
        class file:
            src_uri = "softmax.md"

    linked = test_pages.on_page_markdown("see `tests/test_losses.py::test_real`", Page, {}, None)
    assert linked == "see [`tests/test_losses.py::test_real`](tests/test_losses.md#test_real)"
    with pytest.raises(PluginError, match="test_imaginary"):
        test_pages.on_page_markdown("see `tests/test_losses.py::test_imaginary`", Page, {}, None)


EQUATION = re.compile(r"\\begin\{(equation|align)\}")
INCLUDE = re.compile(r'^--8<-- "[^"]+:\w+"$', re.M)


@pytest.mark.parametrize("page", ["data", "initialisation", "activations", "softmax", "backprop",
                                  "training"])
def test_every_section_with_an_equation_names_its_test_and_the_page_includes_code(page):
    """The reading contract: equation, then the function (included), then the test that checks it."""
    text = (REPO / "docs" / f"{page}.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    with_math = [s for s in sections if EQUATION.search(s)]
    assert with_math
    for section in with_math:
        title = section.splitlines()[0]
        assert NAMED_TEST.search(section.split(EQUATION.search(section).group(0), 1)[1]), \
            f"{page}.md, section {title!r}: an equation with no test named after it"
    assert len(INCLUDE.findall(text)) >= 2, f"{page}.md includes no function from the package"
