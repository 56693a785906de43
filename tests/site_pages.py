"""Helpers shared by the site tests: the built pages and the code blocks of the sources.
"""

import re
from pathlib import Path

from bs4 import BeautifulSoup

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
INCLUDE_LINE = re.compile(r'^\s*-{1,2}8<-{1,2}\s+"[^"]+"\s*$')


def built_pages(site_dir):
    """Every content page of the built site (404 excluded), sorted: [(url path, Path)].
    """
    pages = []
    for path in sorted(Path(site_dir).rglob("index.html")):
        rel = path.parent.relative_to(site_dir).as_posix()
        pages.append(("" if rel == "." else rel + "/", path))
    return pages


def page_url(source, docs_dir):
    """URL path of the built page of a Markdown source: docs/softmax.md -> 'softmax/'.
    """
    rel = Path(source).relative_to(docs_dir).with_suffix("").as_posix()
    if rel == "index":
        return ""
    return (rel[: -len("/index")] if rel.endswith("/index") else rel) + "/"


def fenced_blocks(text):
    """[{line, lang, attributes, source, before}] for every fenced block of a Markdown
    text.

    `line` is the 1-based line of the opening fence, `lang` the first word of the info
    string (without braces or a leading dot), `attributes` its key="value" pairs,
    `source` the dedented body and `before` the Markdown between the previous block
    and this one (where a page says "(continues the block above)").
    """
    lines = text.splitlines()
    blocks, n, previous_end = [], 0, 0
    while n < len(lines):
        opening = FENCE.match(lines[n])
        if not opening or not opening.group("info").strip(" {}"):
            n += 1
            continue
        indent, fence = opening.group("indent"), opening.group("fence")
        body, end = [], n + 1
        while end < len(lines):
            closing = lines[end].strip()
            if closing.startswith(fence) and set(closing) == {fence[0]}:
                break
            body.append(
                lines[end][len(indent) :]
                if lines[end].startswith(indent)
                else lines[end].lstrip()
            )
            end += 1
        info = opening.group("info").strip()
        words = info.strip("{} ").split()
        blocks.append(
            {
                "line": n + 1,
                "lang": words[0].lstrip(".") if words else "",
                "attributes": dict(ATTRIBUTE.findall(info)),
                "source": "\n".join(body) + "\n",
                "before": "\n".join(lines[previous_end:n]),
            }
        )
        previous_end = n = end + 1
    return blocks


def is_listing(block):
    """A block that only includes code from the repository (`--8<-- "file:section"`)."""
    lines = [line for line in block["source"].splitlines() if line.strip()]
    return bool(lines) and all(INCLUDE_LINE.match(line) for line in lines)


def is_exec(block):
    """A block that markdown-exec runs when the site is built."""
    return block["attributes"].get("exec", "").lower() in ("on", "true", "yes", "1")


def article_code_blocks(html):
    """[(language, text)] of every highlighted code block in a built page's article."""
    article = BeautifulSoup(html, "html.parser").select_one("article")
    found = []
    for div in article.select("div.highlight"):
        language = next(
            (
                c[len("language-") :]
                for c in div.get("class", [])
                if c.startswith("language-")
            ),
            "",
        )
        code = div.select_one("pre > code") or div.select_one("pre")
        found.append((language, code.get_text()))
    return found
