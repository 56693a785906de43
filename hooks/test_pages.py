"""MkDocs hook: one generated page per test module, and links from the pages to the tests.

Derivation pages name the test that checks an equation as inline code,
`` `tests/test_losses.py::test_name` ``. This hook turns each such name into a
link to the generated page `tests/test_losses.md`, where the test's source is
shown under a heading whose anchor is the test's name. A name that matches
no test function fails the build with the page and the name.

Source on the generated pages is marked `.norun`: the page-code test
(tests/test_site_pages.py) reports those blocks as opted out instead of running them.
"""

import ast
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

KNOWN = {}  # module stem -> names of its test functions, refreshed on every build
TEST_NAME = re.compile(r"`tests/(test_\w+)\.py::(test_\w+)`")


def collect_tests(tests_dir):
    """{module stem: (source text, [(test name, source segment), ...])} for tests/test_*.py."""
    modules = {}
    for path in sorted(Path(tests_dir).glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        lines = text.splitlines()
        tests = []
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                tests.append((node.name, "\n".join(lines[first - 1:node.end_lineno])))
        modules[path.stem] = (text, tests)
    return modules


def _module_page(stem, text, tests):
    doc = ast.get_docstring(ast.parse(text))
    out = [f"# tests/{stem}.py", ""]
    if doc:
        out += [doc, ""]
    out += [f"Run this module alone with `python -m pytest tests/{stem}.py`; "
            "the whole suite runs with `python -m pytest`.", ""]
    for name, source in tests:
        out += [f"## `{name}` {{#{name}}}", "", "``` { .python .norun }", source, "```", ""]
    out += ['??? note "The whole module, with its imports and helpers"', "",
            "    ``` { .python .norun }"]
    out += [("    " + line).rstrip() for line in text.splitlines()]
    out += ["    ```", ""]
    return "\n".join(out)


def _index_page(modules):
    out = ["# Tests", "",
           "Every equation on this site names the test that checks it. These pages show each "
           "test module of the repository, one heading per test, so that a link from an "
           "equation lands on the source of its test.", "",
           "| module | tests |", "|---|---|"]
    for stem, (_, tests) in modules.items():
        out.append(f"| [`tests/{stem}.py`]({stem}.md) | {len(tests)} |")
    return "\n".join(out) + "\n"


def on_files(files, config):
    tests_dir = Path(config["config_file_path"]).parent / "tests"
    modules = collect_tests(tests_dir)
    KNOWN.clear()
    KNOWN.update({stem: {n for n, _ in tests} for stem, (_, tests) in modules.items()})
    files.append(File.generated(config, "tests/index.md", content=_index_page(modules)))
    for stem, (text, tests) in modules.items():
        files.append(File.generated(config, f"tests/{stem}.md", content=_module_page(stem, text, tests)))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri.startswith("tests/"):
        return markdown  # the generated pages show test source verbatim
    known = KNOWN
    here = posixpath.dirname(page.file.src_uri)

    def link(match):
        stem, name = match.groups()
        if name not in known.get(stem, ()):
            raise PluginError(f"{page.file.src_uri}: names tests/{stem}.py::{name}, which does not "
                              f"exist; fix the name or write the test")
        target = posixpath.relpath(f"tests/{stem}.md", here or ".")
        return f"[{match.group(0)}]({target}#{name})"

    return TEST_NAME.sub(link, markdown)
