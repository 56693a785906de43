"""One symbol, one meaning: every page's mathematics uses only the symbols that the
Symbols page (docs/symbols.md) lists for it.

The one place that says which symbols a page may use is the table on the Symbols
page: each row gives a symbol, its meaning and, in its last column, links to every
page that uses it. Adding a page means adding a link to that page in the last
column of each row whose symbol it uses (and a row for any new symbol), nothing
here. To see what a page uses and what the table already allows it:

    python tests/test_symbols.py docs/PAGE.md

A symbol here is a token of the page's TeX: a single Latin letter (subscripts and
indices included), a Greek letter, or a letter with one of the decorations that make
it another symbol (a hat, blackboard bold, calligraphic, bold, sans-serif). Words set as text or
as operator names are names, not symbols; pi, infinity and Euler's e (which never
appears without its exponent) are constants.
"""

import re
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
SYMBOLS = DOCS / "symbols.md"
SKIPPED = {"symbols.md", "pdf.md", "api.md"}  # the table itself; pages without math
GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa "
    "lambda mu nu xi rho sigma tau upsilon phi varphi chi psi omega ell "
    "Gamma Delta Theta Lambda Xi Sigma Upsilon Phi Psi Omega"
).split()
DECORATED = (
    r"\\(hat|mathbb|mathcal|mathbf|mathsf|boldsymbol)\s*\{?\s*(\\[a-zA-Z]+|[a-zA-Z0-9])"
)
NAMES = (
    r"\\(text|textrm|mathrm|operatorname|label|eqref|ref|tag|begin|end)\s*\{[^{}]*\}"
)


def math_of(markdown: str) -> list[str]:
    """The TeX of every formula of a page, code blocks and code spans removed."""
    text = re.sub(r"^\s*```.*?^\s*```", "", markdown, flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", "", text)
    patterns = (
        r"\\\((.*?)\\\)",
        r"\\\[(.*?)\\\]",
        r"\\begin\{(?:equation|align)\*?\}(.*?)\\end\{(?:equation|align)\*?\}",
        r"\$\$(.*?)\$\$",
        r"(?<![\\$])\$([^$\n]+)\$",
    )
    return [m for p in patterns for m in re.findall(p, text, flags=re.S)]


def tokens(tex: str) -> set[str]:
    """The symbols of one formula (see the module docstring)."""
    tex = re.sub(NAMES, " ", tex)
    tex = re.sub(r"\\\\\[[^\]]*\]", " ", tex)  # the spacing of \\[2ex]
    tex = re.sub(r"(?<![\\a-zA-Z])e\s*\^", " ", tex)  # Euler's e^{...}
    found = set()
    for decoration, base in re.findall(DECORATED, tex):
        found.add(f"\\{decoration} {base}")
    tex = re.sub(DECORATED, " ", tex)
    for name in re.findall(r"\\([a-zA-Z]+)", tex):
        if name in GREEK:
            found.add("\\" + name)
    tex = re.sub(r"\\[a-zA-Z]+", " ", tex)  # \frac, \sum, \log, \max, \pi, ...
    found.update(re.findall(r"[a-zA-Z]", tex))
    return found


def page_markdown(path: Path) -> str:
    """A page's source with its --8<-- includes of docs/_exercises/*.md expanded."""
    text = path.read_text(encoding="utf-8")

    def include(match):
        return (DOCS.parent / match.group(1)).read_text(encoding="utf-8")

    return re.sub(r'^--8<-- "(docs/_exercises/[^"]+)"$', include, text, flags=re.M)


def pages() -> dict[str, str]:
    """{file name relative to docs/: its markdown} for every page with mathematics."""
    found = {}
    for path in sorted(DOCS.glob("*.md")) + sorted(DOCS.glob("notebooks/*.py")):
        name = path.relative_to(DOCS).as_posix()
        if name not in SKIPPED:
            found[name] = page_markdown(path)
    return found


def symbol_rows() -> list[dict]:
    """The rows of the Symbols page's tables: symbol cell, its tokens, the meaning
    (every middle cell), the pages of the last column."""
    rows = []
    for number, line in enumerate(SYMBOLS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("| \\("):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        linked = re.findall(r"\]\(([^)#]+\.(?:md|py))", cells[-1])
        rows.append({
            "line": number,
            "symbol": cells[0],
            "parts": re.findall(r"\\\((.*?)\\\)", cells[0]),
            "tokens": set().union(*(tokens(t) for t in math_of(cells[0]))),
            "meaning": " | ".join(cells[1:-1]),
            "pages": set(linked),
        })
    return rows


def allowed(rows: list[dict]) -> dict[str, set[str]]:
    """{page: the tokens of every row that names it}."""
    table: dict[str, set[str]] = {}
    for row in rows:
        for page in row["pages"]:
            table.setdefault(page, set()).update(row["tokens"])
    return table


def used(markdown: str) -> dict[str, str]:
    """{token: the first formula of the page that uses it}."""
    first = {}
    for tex in math_of(markdown):
        for token in tokens(tex):
            first.setdefault(token, tex.strip())
    return first


def test_the_tokenizer_separates_symbols_names_and_constants():
    """Letters, indices, Greek and decorated letters are symbols; text, functions and
    Euler's e are not."""
    assert tokens(r"W^{[2]}_{kh} \sigma'(z) e^{-z} \hat y_k") == {
        "W", "k", "h", "\\sigma", "z", "\\hat y"
    }
    assert tokens(r"n_{\text{in}} \operatorname{Var}(w) \mathbb E[x_i^2] \pi") == {
        "n", "w", "\\mathbb E", "x", "i"
    }
    assert tokens(r"\text{error}(\Delta) \approx \epsilon |L| / \Delta") == {
        "\\Delta", "\\epsilon", "L"
    }
    assert tokens(r"\mathbf 1_K, \kappa, e_1 \le e") == {
        "\\mathbf 1", "K", "\\kappa", "e"
    }


def test_every_symbol_row_declares_a_symbol_and_names_its_pages():
    """Each row of the Symbols tables has a symbol the tokenizer sees and at least one
    page link, and every linked page exists."""
    rows = symbol_rows()
    assert len(rows) > 40
    for row in rows:
        where = f"docs/symbols.md line {row['line']} ({row['symbol']})"
        named = "\\operatorname" in row["symbol"] or "\\odot" in row["symbol"]
        iverson = row["symbol"] == r"\([\,\cdot\,]\)"
        assert row["tokens"] or named or iverson, f"{where}: the cell holds no symbol"
        assert row["pages"], f"{where}: name the pages that use it in the last column"
        for page in row["pages"]:
            assert (DOCS / page).exists(), f"{where}: no page docs/{page}"


def test_no_bare_symbol_has_two_rows():
    """A letter written alone (c, v, E, ...) is declared by one row only: two rows
    for one symbol are two meanings."""
    seen: dict[str, dict] = {}
    for row in symbol_rows():
        for part in row["parts"]:
            bare = tokens(part)
            if len(bare) == 1 and re.fullmatch(r"\s*\\?[a-zA-Z]+\s*'?\s*", part):
                (token,) = bare
                other = seen.setdefault(token, row)
                assert other is row, (
                    f"docs/symbols.md lines {other['line']} and {row['line']} both "
                    f"declare {part!r}: one symbol, one meaning. Rename it on the "
                    f"pages of one of the two rows ({sorted(row['pages'])}) and give "
                    f"the new name its own row."
                )


@pytest.mark.parametrize("page", sorted(pages()))
def test_page_uses_only_the_symbols_listed_for_it(page):
    """Every symbol in the page's mathematics (its exercises included) belongs to a row
    of the Symbols table that names this page."""
    rows = symbol_rows()
    permitted = allowed(rows).get(page, set())
    problems = []
    for token, tex in sorted(used(pages()[page]).items()):
        if token in permitted:
            continue
        meanings = [
            f"line {r['line']}: {r['symbol']} = {r['meaning']} (pages: "
            f"{', '.join(sorted(r['pages']))})"
            for r in rows
            if token in r["tokens"]
        ]
        problems.append(
            f"docs/{page} uses the symbol {token} in \\({tex[:80]}\\), but no row of "
            f"docs/symbols.md that names {page} declares it.\n  Fix: if it means what "
            f"one of these rows says, add [{page}]({page}) to that row's last column; "
            f"otherwise pick a symbol no row uses and add a row for it:\n    "
            + ("\n    ".join(meanings) or "(no row declares it yet)")
        )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", sorted(pages()))
def test_page_is_not_listed_for_symbols_it_does_not_use(page):
    """A row that names a page shares at least one symbol with that page's
    mathematics, so the pages column does not go stale."""
    on_page = set(used(pages()[page]))
    for row in symbol_rows():
        if page in row["pages"] and row["tokens"]:  # names (relu, ⊙) have none
            assert row["tokens"] & on_page, (
                f"docs/symbols.md line {row['line']} names {page} for {row['symbol']}, "
                f"which that page does not use: remove the page from the row"
            )


if __name__ == "__main__":  # python tests/test_symbols.py docs/PAGE.md
    for argument in sys.argv[1:]:
        name = Path(argument).resolve().relative_to(DOCS).as_posix()
        markdown = page_markdown(DOCS / name)
        permitted = allowed(symbol_rows()).get(name, set())
        for token, tex in sorted(used(markdown).items()):
            mark = "listed " if token in permitted else "MISSING"
            print(f"{mark} {token:16s} e.g. \\({tex[:60]}\\)")
