"""Helpers shared by the site tests: the built pages and their Python blocks."""

from pathlib import Path

from bs4 import BeautifulSoup

NO_RUN = "norun"  # class of a code block that the page test must not execute


def built_pages(site_dir):
    """Every content page of the built site (404 excluded), sorted: [(url path, Path)]."""
    pages = []
    for path in sorted(Path(site_dir).rglob("index.html")):
        rel = path.parent.relative_to(site_dir).as_posix()
        pages.append(("" if rel == "." else rel + "/", path))
    return pages


def python_blocks(html):
    """[(source, runs)] for each Python code block of a page's article, in page order."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article")
    blocks = []
    for div in article.select("div.language-python.highlight"):
        code = div.select_one("pre > code") or div.select_one("pre")
        blocks.append((code.get_text(), NO_RUN not in div.get("class", [])))
    return blocks
