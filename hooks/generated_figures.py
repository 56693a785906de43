"""What the figure hooks share (not a hook itself): draw each figure of a registry
into the site at build time, or into a folder when a hook runs as a script.

A registry maps a site path such as "figures/home.png" to a function returning a
matplotlib figure. MkDocs puts the hooks' folder on sys.path while it loads a hook,
and running `python hooks/NAME.py` puts it there too, so the hooks import this.
"""

import io
import sys
from pathlib import Path

import nnscratch as nn

# (uri, state of the package) -> PNG bytes: `mkdocs serve` redraws only after a change
_drawn = {}


def png_bytes(fig, **savefig) -> bytes:
    """The figure as PNG bytes (110 dpi); the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, **savefig)
    plt.close(fig)
    return buffer.getvalue()


def _package_state():
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

    state = _package_state()
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
