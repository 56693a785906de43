"""MkDocs hook: no page may load anything from another host.

mkdocs-jupyter's notebook template adds a <script> that fetches MathJax 2 from
a CDN (and its inline configuration), and a module that would import mermaid
from a CDN if a notebook had a diagram; the site serves MathJax 3 itself
(hooks/serve_mathjax.py) and has no diagrams, so those tags are removed. Any other reference to a
remote script, stylesheet, image or frame fails the build, naming the page.
"""

import re

from mkdocs.exceptions import PluginError

NOTEBOOK_SCRIPTS = re.compile(
    r'<script src="(https?://[^"]*mathjax[^"]*)?">\s*</script>'  # MathJax 2 (empty src when unset)
    r'|<script type="text/x-mathjax-config">.*?</script>'
    r'|<script type="module">(?:(?!</script>).)*?cdnjs\.cloudflare\.com/ajax/libs/mermaid.*?</script>',
    re.S | re.I,
)
REMOTE = re.compile(
    r'<(script|link|img|iframe|source)\b[^>]*\b(src|href)="(https?:)?//[^"]*"', re.I
)


def on_post_page(output, page, config):
    output = NOTEBOOK_SCRIPTS.sub("", output)
    for match in REMOTE.finditer(output):
        tag = match.group(0)
        if match.group(1).lower() == "link" and not re.search(
            r'rel="(stylesheet|preload|icon|modulepreload)"', tag
        ):
            continue
        raise PluginError(
            f"{page.file.src_uri}: loads a resource from another host: {tag[:160]}"
        )
    return output
