"""The code on the pages runs as a reader would paste it, and every test a page names
exists.

A runnable block is a markdown-exec fence (```` ```python exec="on" source="above"
result="text" ````): the build runs it and shows what it prints. Here each one runs again
ALONE in a fresh interpreter (the blocks of one `session` together, in page order), and
the output the built page shows must equal what the block prints. A listing included
from the package (`--8<-- "file:section"`) is a definition, not something to run; the
generated test pages are not Markdown sources, so their test code is never run here.
"""

import ast
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from bs4 import BeautifulSoup

from conftest import REPO
from site_pages import (
    article_code_blocks,
    built_pages,
    fenced_blocks,
    is_exec,
    is_listing,
    page_url,
)

DOCS = REPO / "docs"
SOURCES = sorted(DOCS.rglob("*.md"))
CONTINUES = "(continues the block above)"


def built_page_of(path):
    """The page a source is shown on: itself, or for a partial kept out of the page
    list (docs/_exercises/), the page that includes it with a snippet line."""
    rel = path.relative_to(REPO).as_posix()
    if not path.relative_to(DOCS).as_posix().startswith("_"):
        return path
    including = [
        page
        for page in SOURCES
        if f'--8<-- "{rel}"' in page.read_text(encoding="utf-8")
    ]
    assert len(including) == 1, f"{rel} is included by {including}, not by one page"
    return including[0]

# Pages being rewritten on other branches; the merge empties these sets.
# Plain ```python blocks that are neither a listing nor a markdown-exec block: a reader
# cannot tell whether they run, and nothing checks them.
KNOWN_PLAIN_PYTHON_PAGES: set[str] = set()
# Headings whose table-of-contents label is raw TeX (needs { data-toc-label="..." }).
KNOWN_RAW_TEX_TOC_PAGES: set[str] = set()

# Executes the blocks of one program (one block, or one session's blocks in page order)
# in one namespace, printing a boundary line after each block so that each block's own
# output can be compared with the output its page shows.
BOUNDARY = "\x1e-- nnscratch block boundary --\x1e"
RUNNER = r"""
import json, sys
blocks = json.load(open(sys.argv[1]))
namespace = {"__name__": "__main__"}
for name, source in blocks:
    exec(compile(source, name, "exec"), namespace)
    print(BOUNDARY, flush=True)
""".replace("BOUNDARY", repr(BOUNDARY))


def _blocks(path):
    return fenced_blocks(path.read_text(encoding="utf-8"))


def exec_programs():
    """[(id, [(name, source, block)])]: each exec block alone, or one session's blocks."""
    programs = {}
    for path in SOURCES:
        rel = path.relative_to(DOCS).as_posix()
        for block in filter(is_exec, _blocks(path)):
            name = f"{rel}:{block['line']}"
            session = block["attributes"].get("session")
            key = f"{rel}#session={session}" if session else name
            programs.setdefault(key, []).append((name, block["source"], block, path))
    return sorted(programs.items())


PROGRAMS = exec_programs()


def run_program(blocks, workdir):
    """(returncode, [output of each block], stderr) of `blocks` run in a fresh
    interpreter."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "runner.py").write_text(RUNNER)
    (workdir / "blocks.json").write_text(json.dumps([[n, s] for n, s, *_ in blocks]))
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "runner.py", "blocks.json"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    outputs = result.stdout.split(BOUNDARY + "\n")[:-1]
    return result.returncode, outputs, result.stderr


@pytest.fixture(scope="module")
def program_runs(tmp_path_factory):
    """{program id: (returncode, outputs, stderr)} for every exec program, two at a
    time."""
    root = tmp_path_factory.mktemp("exec")

    def one(item):
        number, (key, blocks) = item
        return key, run_program(blocks, root / f"p{number}")

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, enumerate(PROGRAMS)))


def _normalise(text):
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def test_pages_have_runnable_blocks():
    """The site has markdown-exec blocks, so the two tests below have something to
    check."""
    assert PROGRAMS, 'no ```python exec="on"``` block on any page'


@pytest.mark.slow(reason="runs every page's blocks in fresh interpreters")
def test_every_runnable_block_runs_alone_in_a_fresh_interpreter(program_runs):
    """Each exec block (or session) exits 0 in a new `python`, with no RuntimeWarning."""
    failed = {
        key: stderr[-2500:] for key, (code, _, stderr) in program_runs.items() if code
    }
    assert not failed, "\n\n".join(f"{key}:\n{err}" for key, err in failed.items())


@pytest.mark.slow(reason="needs the strict build of the site")
def test_the_output_shown_on_the_page_is_what_the_block_prints(program_runs, site_dir):
    """Under each exec block the built page shows exactly what that block prints alone."""
    mismatches, compared = {}, 0
    for key, blocks in PROGRAMS:
        code, outputs, _ = program_runs[key]
        assert code == 0, f"{key} fails; see the test above"
        for (name, source, block, path), printed in zip(blocks, outputs):
            html = site_dir / page_url(built_page_of(path), DOCS) / "index.html"
            shown = article_code_blocks(html.read_text(encoding="utf-8"))
            positions = [
                i
                for i, (lang, text) in enumerate(shown)
                if lang == "python" and _normalise(text) == _normalise(source)
            ]
            assert positions, f"{name}: the block's source is not on the built page"
            after = (
                shown[positions[0] + 1] if positions[0] + 1 < len(shown) else ("", "")
            )
            page_output = after[1] if after[0] == "text" else ""
            compared += 1
            if _normalise(page_output) != _normalise(printed):
                mismatches[name] = (page_output, printed)
    assert not mismatches, "\n\n".join(
        f"{name}: the page shows\n{shown!r}\nbut the block prints\n{printed!r}"
        for name, (shown, printed) in mismatches.items()
    )
    assert compared == sum(len(blocks) for _, blocks in PROGRAMS)


def test_the_runner_reports_a_failing_block_and_separates_outputs(tmp_path):
    """The runner exits non-zero on a raising block and splits the output block by
    block."""
    code, outputs, _ = run_program(
        [("a", "print('one')\n"), ("b", "x = 1\nprint(x)\n")], tmp_path / "ok"
    )
    assert (code, outputs) == (0, ["one\n", "1\n"])
    code, _, stderr = run_program(
        [("a", "x = 1\n"), ("b", "assert x == 2\n")], tmp_path / "bad"
    )
    assert code == 1 and "AssertionError" in stderr


def test_a_block_without_its_imports_fails_alone(tmp_path):
    """A block that relies on an earlier block's `import numpy as np` fails when run
    alone."""
    code, _, stderr = run_program([("alone", "print(np.zeros(2))\n")], tmp_path)
    assert code == 1 and "NameError" in stderr


def test_runnable_blocks_follow_the_site_convention():
    """Exec blocks are python with source above and text result; a session block that
    continues another says so visibly."""
    problems, seen_sessions = [], set()
    for path in SOURCES:
        rel = path.relative_to(DOCS).as_posix()
        for block in filter(is_exec, _blocks(path)):
            where, attrs = f"{rel}:{block['line']}", block["attributes"]
            if (
                block["lang"] != "python"
                or attrs.get("source") != "above"
                or attrs.get("result") != "text"
            ):
                problems.append(
                    f'{where}: use ```python exec="on" source="above" '
                    f'result="text"```; found {attrs}'
                )
            if is_listing(block):
                problems.append(
                    f"{where}: an included listing is a definition, not exec"
                )
            session = attrs.get("session")
            if (
                session
                and (rel, session) in seen_sessions
                and CONTINUES not in block["before"]
            ):
                problems.append(
                    f'{where}: continues session "{session}" without saying '
                    f'"{CONTINUES}" above the block'
                )
            if session:
                seen_sessions.add((rel, session))
    assert not problems, "\n".join(problems)


def test_every_python_block_is_a_listing_or_runs_at_build_time():
    """A ```python block on a page either includes package code or is a markdown-exec
    block."""
    plain = {}
    for path in SOURCES:
        rel = path.relative_to(DOCS).as_posix()
        for block in _blocks(path):
            if (
                block["lang"] == "python"
                and not is_exec(block)
                and not is_listing(block)
            ):
                plain.setdefault(rel, []).append(block["line"])
    unexpected = {
        page: lines
        for page, lines in plain.items()
        if page not in KNOWN_PLAIN_PYTHON_PAGES
    }
    assert not unexpected, (
        f"plain python blocks (make them exec or listings): {unexpected}"
    )
    fixed = KNOWN_PLAIN_PYTHON_PAGES - set(plain)
    assert not fixed, f"fixed, remove from KNOWN_PLAIN_PYTHON_PAGES: {fixed}"


HOOKS_IMPORT = re.compile(
    r"^\s*(from\s+hooks\b|import\s+hooks\b)|sys\.path.*hooks", re.M
)


def test_no_page_asks_the_reader_to_import_from_the_build_hooks():
    """No code a reader runs (exec or plain python block, notebook) imports from hooks/."""
    found = []
    for path in SOURCES:
        for block in _blocks(path):
            if block["lang"] == "python" and HOOKS_IMPORT.search(block["source"]):
                found.append(f"{path.relative_to(DOCS)}:{block['line']}")
            if is_exec(block) and "hooks/" in block["source"]:
                found.append(f"{path.relative_to(DOCS)}:{block['line']}")
    for notebook in sorted((DOCS / "notebooks").glob("*.py")):
        if HOOKS_IMPORT.search(notebook.read_text(encoding="utf-8")):
            found.append(str(notebook.relative_to(DOCS)))
    assert not found


def test_the_block_parser_sees_exec_sessions_and_listings():
    """fenced_blocks reads attributes, indented fences and the text before a block."""
    text = (
        'Intro\n\n```python exec="on" source="above" result="text" session="s"\n'
        "x = 1\n```\n\n(continues the block above)\n\n!!! note\n\n"
        '    ```python\n    --8<-- "nnscratch/activations.py:sigmoid"\n    ```\n'
    )
    first, second = fenced_blocks(text)
    assert is_exec(first) and first["attributes"]["session"] == "s"
    assert first["source"] == "x = 1\n" and first["line"] == 3
    assert is_listing(second) and not is_exec(second)
    assert CONTINUES in second["before"]


RAW_TEX = re.compile(r"\\[()\[\]]|\\[a-zA-Z]+|\^\{|_\{|\$\$")


@pytest.mark.slow(reason="needs the strict build of the site")
def test_no_raw_tex_in_the_table_of_contents(site_dir):
    """Headings with maths carry a plain-text TOC label, so the TOC shows no TeX."""
    raw = {}
    for path, html in built_pages(site_dir):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        labels = [
            a.get_text(" ", strip=True)
            for a in soup.select("nav.md-nav--secondary a.md-nav__link")
        ]
        bad = [label for label in labels if RAW_TEX.search(label)]
        if bad:
            raw[path] = bad
    unexpected = {
        p: labels for p, labels in raw.items() if p not in KNOWN_RAW_TEX_TOC_PAGES
    }
    assert not unexpected, unexpected
    fixed = KNOWN_RAW_TEX_TOC_PAGES - set(raw)
    assert not fixed, f"fixed, remove from KNOWN_RAW_TEX_TOC_PAGES: {fixed}"


@pytest.mark.slow(reason="needs the strict build of the site")
def test_the_search_index_holds_no_raw_tex(site_dir):
    """Search results show titles and snippets without TeX (code excepted)."""
    index = json.loads((site_dir / "search" / "search_index.json").read_text())
    code = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.S)
    raw = {
        doc["location"]: RAW_TEX.findall(code.sub("", doc["title"] + " " + doc["text"]))
        for doc in index["docs"]
    }
    assert not {k: v for k, v in raw.items() if v}
    assert len(index["docs"]) > 100


NAMED_TEST = re.compile(r"`tests/(test_\w+)\.py::(test_\w+)`")


def _test_functions():
    names = set()
    for path in (REPO / "tests").glob("test_*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names.add((path.stem, node.name))
    return names


def test_every_test_a_page_names_exists():
    """Every `tests/x.py::test_y` written on a page is a test function of that module."""
    existing = _test_functions()
    named = {}
    for page in sorted(DOCS.rglob("*.md")) + sorted(DOCS.rglob("*.py")):
        for stem, name in NAMED_TEST.findall(page.read_text()):
            named.setdefault((stem, name), page.relative_to(REPO).as_posix())
    missing = {
        f"tests/{s}.py::{n}": page
        for (s, n), page in named.items()
        if (s, n) not in existing
    }
    assert not missing
    assert len(named) >= 40


@pytest.mark.slow(reason="builds a copy of the site")
def test_a_page_naming_a_missing_test_fails_the_build(tmp_path):
    """The hook refuses a page that names a test which does not exist (the strict build
    stops)."""
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

    linked = test_pages.on_page_markdown(
        "see `tests/test_losses.py::test_real`", Page, {}, None
    )
    assert linked.startswith(
        "see [`tests/test_losses.py::test_real`](tests/test_losses.md#test_real)"
    )
    with pytest.raises(PluginError, match="test_imaginary"):
        test_pages.on_page_markdown(
            "see `tests/test_losses.py::test_imaginary`", Page, {}, None
        )


EQUATION = re.compile(r"\\begin\{(equation|align)\}")
INCLUDE = re.compile(r'^--8<-- "[^"]+:\w+"$', re.M)


@pytest.mark.parametrize(
    "page",
    ["data", "initialisation", "activations", "softmax", "backprop", "autodiff", "training"],
)
def test_every_section_with_an_equation_names_its_test_and_the_page_includes_code(page):
    """The reading contract: equation, then the function (included), then the test that
    checks it."""
    text = (DOCS / f"{page}.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    with_math = [s for s in sections if EQUATION.search(s)]
    assert with_math
    for section in with_math:
        title = section.splitlines()[0]
        assert NAMED_TEST.search(
            section.split(EQUATION.search(section).group(0), 1)[1]
        ), f"{page}.md, section {title!r}: an equation with no test named after it"
    assert len(INCLUDE.findall(text)) >= 2, (
        f"{page}.md includes no function from the package"
    )


def test_tex_in_the_search_index_becomes_readable_text():
    """The search hook turns TeX into plain text and leaves code alone."""
    sys.path.insert(0, str(REPO / "hooks"))
    try:
        import search_boost
    finally:
        sys.path.remove(str(REPO / "hooks"))
    assert search_boost.tex_to_text(r"\frac{1}{m}\sum_{j} L_j") == "1/m Σ_j L_j"
    assert (
        search_boost.tex_to_text(r"\sigma'(z) = \sigma(z)\bigl(1 - \sigma(z)\bigr)")
        == "σ'(z) = σ(z)(1 - σ(z))"
    )
    assert search_boost.tex_to_text(r"W^{[1]} x + b^{[1]}") == "W^[1] x + b^[1]"
    assert search_boost.tex_to_text(r"e^{z_k - \max_i z_i}") == "e^(z_k - max_i z_i)"
    html = r"<p>Its gradient \((\hat y - y)\)</p><pre><code>r'\(x\)'</code></pre>"
    expected = "<p>Its gradient (y\u0302 - y)</p><pre><code>r'\\(x\\)'</code></pre>"
    assert search_boost.plain_text(html) == expected
