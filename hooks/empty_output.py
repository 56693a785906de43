"""Drop the empty output box under a runnable block that prints nothing.

markdown-exec shows a block's output in a text box right under its source; a
block that only imports names (the Backpropagation page's first block) would
show an empty box, which reads like a missing result. The tests compare the
page with what each block prints, and nothing printed is nothing shown.
"""

import re

EMPTY_RESULT = re.compile(
    r'<div class="language-text highlight"><pre><span></span>'
    r"<code>\s*</code></pre></div>\n?"
)


def on_page_content(html, page, config, files):
    return EMPTY_RESULT.sub("", html)
