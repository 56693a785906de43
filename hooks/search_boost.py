"""MkDocs hook: search finds the teaching page first, and its snippets show no raw TeX.

1. Ranking. Material's search multiplies a page's score by `search.boost` from the page's
   metadata. The teaching pages (the ones that derive an idea) get `TEACHING_BOOST`;
   the generated test pages, whose headings repeat every concept word, get
   `TEST_PAGE_BOOST` (below 1), so that a search for "sigmoid" opens the Activations
   page, not the test module or the API reference. A page's own front matter wins.
2. Plain text. The index holds each section's text with its math as TeX source
   (`\\(\\sigma'(z)\\)`), which the result list would show verbatim. After the build,
   every `\\( \\)`, `\\[ \\]` and notebook `$ $` in the index (outside code) is
   rewritten as plain text (`σ'(z)`) by `tex_to_text`, titles included.
"""

import json
import re
from pathlib import Path

TEACHING = (
    "data.md",
    "initialisation.md",
    "activations.md",
    "softmax.md",
    "backprop.md",
    "training.md",
    "further.md",
    "results.md",
    "inside.md",
    "draw.md",
    "exercises.md",
)
TEACHING_BOOST = 4
TEST_PAGE_BOOST = 0.25


def on_page_markdown(markdown, page, config, files):
    search = page.meta.setdefault("search", {})
    if not isinstance(search, dict) or "boost" in search:
        return markdown
    if page.file.src_uri in TEACHING:
        search["boost"] = TEACHING_BOOST
    elif page.file.src_uri.startswith("tests/"):
        search["boost"] = TEST_PAGE_BOOST
    return markdown


GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi chi psi omega"
).split()
SYMBOLS = dict(zip(GREEK, "αβγδεζηθικλμνξπρστυφχψω"))
SYMBOLS.update(zip((g.capitalize() for g in GREEK), "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΠΡΣΤΥΦΧΨΩ"))
SYMBOLS.update(
    {
        "varepsilon": "ε",
        "varphi": "φ",
        "ell": "ℓ",
        "cdot": "·",
        "times": "×",
        "odot": "⊙",
        "le": "≤",
        "leq": "≤",
        "ge": "≥",
        "geq": "≥",
        "ne": "≠",
        "neq": "≠",
        "approx": "≈",
        "sim": "~",
        "to": "→",
        "rightarrow": "→",
        "leftarrow": "←",
        "Rightarrow": "⇒",
        "iff": "⇔",
        "gets": "←",
        "forall": "∀",
        "exists": "∃",
        "neg": "¬",
        "lnot": "¬",
        "mapsto": "↦",
        "in": "∈",
        "sum": "Σ",
        "prod": "Π",
        "partial": "∂",
        "nabla": "∇",
        "infty": "∞",
        "pm": "±",
        "top": "ᵀ",
        "intercal": "ᵀ",
        "ldots": "…",
        "dots": "…",
        "cdots": "…",
        "mid": "|",
        "lvert": "|",
        "rvert": "|",
        "lVert": "‖",
        "rVert": "‖",
        "langle": "⟨",
        "rangle": "⟩",
        "circ": "∘",
        "gg": "≫",
        "ll": "≪",
        "equiv": "≡",
        "propto": "∝",
        "lfloor": "⌊",
        "rfloor": "⌋",
        "lceil": "⌈",
        "rceil": "⌉",
        "quad": " ",
        "qquad": " ",
        "colon": ":",
        "{": "{",
        "}": "}",
        "%": "%",
        "_": "_",
        "&": "&",
        "#": "#",
        "$": "$",
    }
)
ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "overline": "\u0304",
    "tilde": "\u0303",
    "vec": "\u20d7",
    "dot": "\u0307",
}
DROPPED = {
    "left",
    "right",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "biggl",
    "biggr",
    "Biggl",
    "Biggr",
    "displaystyle",
    "textstyle",
    "limits",
    "nonumber",
    "notag",
    "middle",
}
DROPPED_WITH_ARGUMENT = {"label", "tag", "begin", "end", "hspace", "vspace", "phantom"}
# \( \) and \[ \] from arithmatex; $$ $$ and $ $ (no space inside the dollars, as pandoc
# reads them) from the notebook's markdown cells
MATH = re.compile(
    r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$|\$(?! )([^$\n]+?)(?<! )\$", re.S
)
CODE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.S)
COMMAND = re.compile(r"\\([a-zA-Z]+|.)")


def _group(tex, start):
    """(content, end) of the braced group or single token of `tex` starting at `start`.
    """
    while start < len(tex) and tex[start] == " ":
        start += 1
    if start >= len(tex):
        return "", start
    if tex[start] != "{":
        match = COMMAND.match(tex, start)
        if match:
            return match.group(0), match.end()
        return tex[start], start + 1
    depth = 0
    for i in range(start, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth == 0:
            return tex[start + 1 : i], i + 1
    return tex[start + 1 :], len(tex)


def _script(content):
    """A sub- or superscript in plain text: x^2, W^[1], e^(-z)."""
    if len(content) <= 1 or re.fullmatch(r"[A-Za-z0-9.]+|\[[^\]]*\]|'+", content):
        return content
    return f"({content})"


def tex_to_text(tex):
    """Plain text for a TeX formula: `\\frac{1}{m}` -> `1/m`, `\\sigma` -> `σ`,
    `W^{[1]}` -> `W^[1]`."""
    out, i = [], 0
    while i < len(tex):
        ch = tex[i]
        if ch == "\\":
            match = COMMAND.match(tex, i)
            name, i = match.group(1), match.end()
            if name == "\\":
                out.append(" ")
            elif name in (",", ";", ":", " ", "!"):
                out.append(" " if name != "!" else "")
            elif name in ("frac", "dfrac", "tfrac"):
                top, i = _group(tex, i)
                bottom, i = _group(tex, i)
                out.append(
                    f" {_script(tex_to_text(top))}/{_script(tex_to_text(bottom))} "
                )
            elif name == "sqrt":
                body, i = _group(tex, i)
                out.append(f"√{_script(tex_to_text(body))}")
            elif name in ACCENTS:
                body, i = _group(tex, i)
                body = tex_to_text(body)
                out.append(body + ACCENTS[name] if len(body) == 1 else body)
            elif name == "eqref" or name == "ref":
                label, i = _group(tex, i)
                out.append(f"({label})")
            elif name in DROPPED_WITH_ARGUMENT:
                _, i = _group(tex, i)
            elif name in DROPPED:
                if i < len(tex) and tex[i] in "(){}[]|.":
                    out.append("" if tex[i] == "." else tex[i])
                    i += 1
            elif name in SYMBOLS:
                out.append(SYMBOLS[name])
            else:  # \operatorname{softmax}, \text{...}, \mathbf{x}, \log, \exp, \max
                out.append(
                    ""
                    if name
                    in (
                        "operatorname",
                        "text",
                        "mathrm",
                        "mathbf",
                        "mathit",
                        "mathcal",
                        "mathbb",
                        "boldsymbol",
                        "textrm",
                        "mbox",
                    )
                    else name
                )
        elif ch in "^_":
            body, i = _group(tex, i + 1)
            out.append(ch + _script(tex_to_text(body)))
        elif ch in "{}":
            i += 1
        elif ch == "&":
            out.append(" ")
            i += 1
        else:
            out.append(ch)
            i += 1
    return re.sub(r"\s+", " ", "".join(out)).strip()


def plain_text(html):
    """`html` with every \\( \\) and \\[ \\] formula outside <pre> and <code> made plain
    text."""
    parts = CODE.split(html)
    for n in range(0, len(parts), 2):  # even parts are outside code
        parts[n] = MATH.sub(
            lambda m: tex_to_text(next(g for g in m.groups() if g)), parts[n]
        )
    return "".join(parts)


def on_post_build(config):
    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index.is_file():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    for doc in data["docs"]:
        doc["title"] = plain_text(doc["title"])
        doc["text"] = plain_text(doc["text"])
    index.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
