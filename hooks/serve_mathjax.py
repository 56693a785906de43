"""MkDocs hook: serve MathJax 3.2.2 from the site itself, never from a CDN.

The files come from the PyPI package `django-static-mathjax==3.2.2.1` (the
`docs` extra), which holds MathJax's own `es5/` build. Only what the CommonHTML
output needs is copied: `tex-chtml-full.js`, its woff-v2 fonts (MathJax finds
them relative to the script) and MathJax's licence, about 1.7 MB in all.
"""

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

TARGET = "assets/mathjax"


def _es5_folder():
    try:
        import mathjax
    except ImportError:
        raise PluginError(
            "MathJax files not found: pip install -e '.[docs]' "
            "(it installs django-static-mathjax==3.2.2.1)"
        ) from None
    root = Path(mathjax.__file__).parent / "static" / "mathjax"
    if not (root / "es5" / "tex-chtml-full.js").is_file():
        raise PluginError(
            f"{root}: no es5/tex-chtml-full.js; reinstall django-static-mathjax==3.2.2.1"
        )
    return root


def on_files(files, config):
    root = _es5_folder()
    wanted = {
        f"{TARGET}/tex-chtml-full.js": root / "es5" / "tex-chtml-full.js",
        f"{TARGET}/LICENSE": root / "LICENSE",
    }
    for font in sorted(
        (root / "es5" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")
    ):
        wanted[f"{TARGET}/output/chtml/fonts/woff-v2/{font.name}"] = font
    for uri, source in wanted.items():
        files.append(File.generated(config, uri, abs_src_path=str(source)))
    return files
