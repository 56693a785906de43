"""MkDocs hook: the print-site plugin's page becomes the PDF edition's source.

When the plugin is on (NNSCRATCH_PRINT_SITE=true, see mkdocs.yml), its page
`print_page/index.html` holds every teaching page in navigation order. This hook
adds, to that page only, `assets/print/print-page.js` right after the MathJax
configuration (each page keeps its own equation numbers) and
`assets/print/print-page.css` (listings wrap on paper). The plugin writes the page
itself, after the other pages, with the template context of the 404 page, so two
things are repaired here: Material's search base is made relative again (it is
the site's root-absolute path on the 404 page, which breaks when the site is
opened from another address), and the offline rule of hooks/offline.py, which
never sees this page, is applied: a reference to another host fails the build.

It also makes the page a book's source: its title, which becomes the PDF's
document title, is the site's name and description, and a navigation section
whose pages are all left out of the print page (the API reference) is removed
instead of printing its heading alone on the last sheet.
"""

import os
import re
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError

CONFIG_SCRIPT = '<script src="../assets/mathjax-config.js"></script>'
ADDED_SCRIPT = '<script src="../assets/print/print-page.js"></script>'
ADDED_CSS = '<link rel="stylesheet" href="../assets/print/print-page.css">'
REMOTE = re.compile(
    r'<(script|link|img|iframe|source)\b[^>]*\b(src|href)="(https?:)?//[^"]*"', re.I)
LOADED_LINK = re.compile(r'rel="(stylesheet|preload|icon|modulepreload)"')
TITLE = re.compile(r"<title>.*?</title>", re.S)
# a navigation section holding only its heading: print-site writes it with single quotes
EMPTY_SECTION = re.compile(
    r"<section class='print-page md-section' id='([^']+)'[^>]*>\s*"
    r"<h1>(?:(?!</h1>).)*</h1>\s*</section>", re.S)
# its entry in the page's table of contents, which print-site copies into the PDF's
TOC_ENTRY = r'<li class="md-nav__item">\s*<a href="#{}" class="md-nav__link">.*?</li>'


def book_title(config):
    """The PDF's document title: 'nnscratch: A 784-64-10 neural network ...'."""
    return f"{config.site_name}: {config.site_description}"


def print_page(config):
    """Path of the built print page, or None when the print-site plugin is off."""
    plugin = config.plugins.get("print-site")
    if plugin is None or not plugin.config.get("enabled"):
        return None
    name = plugin.config.get("print_page_basename")
    if config.use_directory_urls:
        return Path(config.site_dir) / name / "index.html"
    return Path(config.site_dir) / f"{name}.html"


def on_post_build(config):
    path = print_page(config)
    if path is None:
        return
    html = path.read_text(encoding="utf-8")
    if CONFIG_SCRIPT not in html:
        raise PluginError(f"{path}: no {CONFIG_SCRIPT}; the print page changed shape")
    for match in REMOTE.finditer(html):
        tag = match.group(0)
        if match.group(1).lower() == "link" and not LOADED_LINK.search(tag):
            continue  # a canonical or alternate link is an address, not a download
        raise PluginError(f"print page loads a resource from another host: {tag[:160]}")
    root = urlsplit(config.site_url or "").path or "/"
    html = html.replace(f'"base": "{root}"', '"base": ".."', 1)
    html = html.replace(CONFIG_SCRIPT, CONFIG_SCRIPT + ADDED_SCRIPT, 1)
    html = html.replace("</head>", ADDED_CSS + "</head>", 1)
    html = TITLE.sub(f"<title>{escape(book_title(config))}</title>", html, count=1)
    while match := EMPTY_SECTION.search(html):  # its removal may empty its parent
        html = html[: match.start()] + html[match.end():]
        entry = re.compile(TOC_ENTRY.format(re.escape(match.group(1))), re.S)
        html = entry.sub("", html, count=1)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, path)
