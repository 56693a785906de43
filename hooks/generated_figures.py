"""What the figure hooks share (not a hook itself): draw each figure of a registry
into the site at build time, or into a folder when a hook runs as a script.

A registry maps a site path such as "figures/home.png" to a function returning a
matplotlib figure. MkDocs puts the hooks' folder on sys.path while it loads a hook,
and running `python hooks/NAME.py` puts it there too, so the hooks import this.

Phones: a figure drawn 10 inches wide and shown in a 358-px column has 5-px text. A
figure "X.png" may have a phone variant "X-narrow.png" in a registry (its panels
stacked, NARROW_WIDTH inches wide); `phone_variants` makes every page that shows
X.png show the narrow one on screens up to PHONE_MAX px. tests/test_site_browser.py
checks, at 390 px, that each figure's smallest text (`smallest_text`, at DPI, scaled
to the width the browser shows it at) is at least 9 CSS px.
"""

import io
import posixpath
import re
import sys
import textwrap
from pathlib import Path

import nnscratch as nn

# (uri, state of the package) -> PNG bytes: `mkdocs serve` redraws only after a change
_drawn = {}


DPI = 110
NARROW_WIDTH = 4.2  # inches: 462 px at DPI, shown at 358 px, so 8 pt text is 9.5 px
PHONE_MAX = 600  # px: screens up to this width get the narrow variants
NARROW = "-narrow.png"


def png_bytes(fig, **savefig) -> bytes:
    """The figure as PNG bytes (DPI dots per inch); the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, **savefig)
    plt.close(fig)
    return buffer.getvalue()


def package_state():
    return tuple(
        sorted(
            (p.name, p.stat().st_mtime_ns)
            for p in Path(nn.__file__).parent.glob("*.py")
        )
    )


def add_figures(files, config, figures, **savefig):
    """Append each figure of `figures` to the site's files, drawn at most once per
    state of the package."""
    from mkdocs.structure.files import File

    state = package_state()
    for uri, draw in figures.items():
        if (uri, state) not in _drawn:
            _drawn[(uri, state)] = png_bytes(draw(), **savefig)
        files.append(File.generated(config, uri, content=_drawn[(uri, state)]))
    return files


def write_figures(script, figures, **savefig):
    """`python hooks/SCRIPT FOLDER`: write each figure of `figures` into FOLDER."""
    if len(sys.argv) != 2:
        sys.exit(f"usage: python hooks/{script} FOLDER")
    out = Path(sys.argv[1])
    for uri, draw in figures.items():
        path = out / Path(uri).name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = png_bytes(draw(), **savefig)
        nn.data.atomic_write(path, lambda f, data=data: f.write(data))
        print(f"wrote {path}")


def smallest_text(fig) -> float:
    """The font size in points of the smallest visible text of `fig` (drawn first,
    so that tick labels exist)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    return min(t.get_fontsize() for t in fig.findobj(Text)
               if t.get_visible() and t.get_text().strip())


def stacked(fig, width=NARROW_WIDTH, panel_height=3.0, wrap=38):
    """The phone variant of a figure whose panels sit side by side: one panel under
    the other, `width` inches wide, long titles wrapped. Returns `fig`."""
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    grid = fig.add_gridspec(len(axes), 1)
    for row, ax in enumerate(axes):
        ax.set_subplotspec(grid[row, 0])
        ax.set_title(textwrap.fill(ax.get_title(), wrap))
    fig.set_size_inches(width, panel_height * len(axes))
    return fig


_IMG = re.compile(r'<img\b[^>]*?\bsrc="([^"]+\.png)"[^>]*>')
_PICTURE = re.compile(r"<picture\b.*?</picture>", re.S)


def phone_variants(html, page_uri, site_uris):
    """`html` with every <img> of a figure that has a narrow variant among
    `site_uris` (paths from the site's root) wrapped in a <picture> that shows the
    narrow one on screens up to PHONE_MAX px. `page_uri` is the page's URL path,
    relative to the site's root ("backprop/"); an <img> already inside a <picture>
    is left as it is."""
    base = posixpath.dirname(page_uri.rstrip("/") + "/x") if page_uri else ""
    kept = [m.span() for m in _PICTURE.finditer(html)]

    def wrap(match):
        if any(a <= match.start() < b for a, b in kept):
            return match.group(0)
        src = match.group(1)
        uri = posixpath.normpath(posixpath.join(base, src))
        narrow = uri[: -len(".png")] + NARROW
        if narrow not in site_uris:
            return match.group(0)
        narrow_src = src[: -len(".png")] + NARROW
        return (f'<picture><source media="(max-width: {PHONE_MAX}px)" '
                f'srcset="{narrow_src}">{match.group(0)}</picture>')

    return _IMG.sub(wrap, html)
