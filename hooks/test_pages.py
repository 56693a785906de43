"""MkDocs hook: one generated page per test module, linked both ways with the pages.

Pages name the test that checks an equation as inline code,
`` `tests/test_losses.py::test_name` ``. This hook turns each such name into a link
to the generated page `tests/test_losses.md`, where the test has a heading whose
anchor is its name, and gives the link an anchor of its own (`checks-test_name`,
`checks-test_name-2`, ...), so that the test page can link back to every sentence
that names it. A name that matches no test function fails the build.

Each test page shows, per test: its one-sentence docstring (or a visible marker that
it has none), the pages that name it, and its source; then every fixture of
`tests/conftest.py` that its tests use (directly or through another fixture),
included from conftest.py by its snippet section, never pasted.
"""

import ast
import importlib.util
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

def _sibling(name):
    """Another hook file of this folder, loaded as a module (hooks are not a package)."""
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"nnscratch_hook_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tex_to_text = _sibling("search_boost").tex_to_text
KNOWN = {}  # module stem -> names of its test functions, refreshed on every build
MENTIONS = {}  # (stem, test name) -> [(page src_uri, anchor, section title)]
TEST_NAME = re.compile(r"`tests/(test_\w+)\.py::(test_\w+)`")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
TOC_LABEL = re.compile(r'data-toc-label="([^"]*)"')
NO_DOCSTRING = (
    "No docstring yet: this test does not say in one sentence what it proves."
)
CONFTEST = "tests/conftest.py"


def collect_tests(tests_dir):
    """{module stem: (source text, [(name, source segment, docstring, arguments)])}."""
    modules = {}
    for path in sorted(Path(tests_dir).glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tests = []
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                arguments = [a.arg for a in node.args.args]
                tests.append(
                    (
                        node.name,
                        "\n".join(lines[first - 1 : node.end_lineno]),
                        ast.get_docstring(node),
                        arguments,
                    )
                )
        modules[path.stem] = (text, tests)
    return modules


def collect_fixtures(conftest):
    """{fixture name: (arguments, autouse, has a snippet section)} of conftest.py."""
    text = Path(conftest).read_text(encoding="utf-8")
    sections = set(re.findall(r"# --8<-- \[start:(\w+)\]", text))
    fixtures = {}
    for node in ast.parse(text).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if ast.unparse(target) == "pytest.fixture":
                autouse = any(
                    k.arg == "autouse" and ast.unparse(k.value) == "True"
                    for k in (call.keywords if call else [])
                )
                fixtures[node.name] = (
                    [a.arg for a in node.args.args],
                    autouse,
                    node.name in sections,
                )
    return fixtures


def fixtures_used(arguments, fixtures):
    """Names of the fixtures that `arguments` need, through other fixtures too, in
    order."""
    found, stack = [], [a for a in arguments if a in fixtures]
    while stack:
        name = stack.pop(0)
        if name not in found:
            found.append(name)
            stack.extend(a for a in fixtures[name][0] if a in fixtures)
    return found


def plain_heading(text):
    """A heading as the table of contents shows it: its toc label, else its text."""
    label = TOC_LABEL.search(text)
    if label:
        return label.group(1)
    text = re.sub(r"\s*\{[^}]*\}\s*$", "", text)
    text = re.sub(
        r"\[([^\]]*)\]\([^)]*\)", r"\1", text
    )  # [Softmax](softmax.md) -> Softmax
    text = re.sub(r"\\\((.*?)\\\)", lambda m: tex_to_text(m.group(1)), text)
    return text.replace("`", "")


def scan_mentions(markdown, src_uri, page_title):
    """[(stem, name, anchor, section)] for each test name in a page, in order; the same
    numbering `on_page_markdown` uses for the anchors it adds."""
    found, counts, section, fence = [], {}, page_title, None
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = (
                None
                if fence and stripped.startswith(fence)
                else (fence or stripped[:3])
            )
            continue
        heading = HEADING.match(line)
        if heading and not fence:
            section = plain_heading(heading.group(2))
        for stem, name in TEST_NAME.findall(line):
            counts[name] = counts.get(name, 0) + 1
            anchor = f"checks-{name}" + (f"-{counts[name]}" if counts[name] > 1 else "")
            found.append((stem, name, anchor, section))
    return found


def _body(markdown):
    """The Markdown of a page without its YAML front matter."""
    match = re.match(r"^---\n.*?\n---\n", markdown, re.S)
    return markdown[match.end() :] if match else markdown


def _mentions_list(stem, name, here):
    items = MENTIONS.get((stem, name), [])
    if not items:
        return []
    links = []
    for src, anchor, section in items:
        target = posixpath.relpath(src, here)
        links.append(f"[{PAGE_TITLES.get(src, src)} › {section}]({target}#{anchor})")
    return ["Named on: " + ", ".join(links) + ".", ""]


PAGE_TITLES = {}  # src_uri -> the page's first heading, for the back links


def _module_page(stem, text, tests, fixtures):
    doc = ast.get_docstring(ast.parse(text))
    out = [f"# tests/{stem}.py", ""]
    if doc:
        out += [doc, ""]
    out += [
        f"Run this module alone with `python -m pytest tests/{stem}.py`; "
        "the whole suite runs with `python -m pytest`.",
        "",
    ]
    used = []
    for name, source, docstring, arguments in tests:
        out += [f"## `{name}` {{#{name}}}", ""]
        if docstring:
            out += [docstring.split("\n\n")[0].replace("\n", " "), ""]
        else:
            out += [f'!!! warning "No docstring"', "", f"    {NO_DOCSTRING}", ""]
        out += _mentions_list(stem, name, "tests")
        names = fixtures_used(arguments, fixtures)
        if names:
            out += [
                "Fixtures: " + ", ".join(f"[`{n}`](#fixture-{n})" for n in names) + ".",
                "",
            ]
        used += [n for n in names if n not in used]
        out += ["```python", source, "```", ""]
    if used:
        out += [
            "## Fixtures these tests use {#fixtures}",
            "",
            f"Defined in `{CONFTEST}` and shown here as they are in that file.",
            "",
        ]
        for name in used:
            if not fixtures[name][2]:
                raise PluginError(
                    f"{CONFTEST}: fixture {name} has no snippet section; add "
                    f"'# --8<-- [start:{name}]' and '[end:{name}]' around it"
                )
            out += [
                f"### `{name}` {{#fixture-{name}}}",
                "",
                "```python",
                f'--8<-- "{CONFTEST}:{name}"',
                "```",
                "",
            ]
    out += [
        '??? note "The whole module, with its imports and helpers"',
        "",
        "    ```python",
    ]
    out += [("    " + line).rstrip() for line in text.splitlines()]
    out += ["    ```", ""]
    return "\n".join(out)


def _index_page(modules, fixtures):
    out = [
        "# Tests",
        "",
        "Every equation on this site names the test that checks it. These pages show each "
        "test module of the repository, one heading per test with the sentence that says "
        "what it proves and links back to every page that names it, and the fixtures "
        "of `tests/conftest.py` that its tests use.",
        "",
    ]
    autouse = [name for name, (_, auto, _) in fixtures.items() if auto]
    if autouse:
        out += [
            "Every test also runs inside "
            + ", ".join(f"`{n}`" for n in autouse)
            + " (an automatic fixture): no test touches the network or your data "
            "cache.",
            "",
            "```python",
        ]
        out += [f'--8<-- "{CONFTEST}:{name}"' for name in autouse]
        out += ["```", ""]
    out += ["| module | tests |", "|---|---|"]
    for stem, (_, tests) in modules.items():
        out.append(f"| [`tests/{stem}.py`]({stem}.md) | {len(tests)} |")
    return "\n".join(out) + "\n"


def on_files(files, config):
    root = Path(config["config_file_path"]).parent
    modules = collect_tests(root / "tests")
    fixtures = collect_fixtures(root / CONFTEST)
    KNOWN.clear()
    KNOWN.update({stem: {t[0] for t in tests} for stem, (_, tests) in modules.items()})
    MENTIONS.clear()
    PAGE_TITLES.clear()
    for file in files.documentation_pages():
        if not file.src_uri.endswith(".md") or file.src_uri.startswith("tests/"):
            continue
        markdown = _body(Path(file.abs_src_path).read_text(encoding="utf-8"))
        title = next(
            (
                plain_heading(m.group(2))
                for m in map(HEADING.match, markdown.splitlines())
                if m and m.group(1) == "#"
            ),
            file.src_uri,
        )
        PAGE_TITLES[file.src_uri] = title
        for stem, name, anchor, section in scan_mentions(markdown, file.src_uri, title):
            MENTIONS.setdefault((stem, name), []).append(
                (file.src_uri, anchor, section)
            )
    files.append(
        File.generated(config, "tests/index.md", content=_index_page(modules, fixtures))
    )
    for stem, (text, tests) in modules.items():
        files.append(
            File.generated(
                config,
                f"tests/{stem}.md",
                content=_module_page(stem, text, tests, fixtures),
            )
        )
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri.startswith("tests/"):
        return markdown  # the generated pages show test source verbatim
    here = posixpath.dirname(page.file.src_uri)
    counts = {}

    def link(match):
        stem, name = match.groups()
        if name not in KNOWN.get(stem, ()):
            raise PluginError(
                f"{page.file.src_uri}: names tests/{stem}.py::{name}, which "
                f"does not exist; fix the name or write the test"
            )
        counts[name] = counts.get(name, 0) + 1
        anchor = f"checks-{name}" + (f"-{counts[name]}" if counts[name] > 1 else "")
        target = posixpath.relpath(f"tests/{stem}.md", here or ".")
        return f"[{match.group(0)}]({target}#{name}){{#{anchor}}}"

    return TEST_NAME.sub(link, markdown)
