"""The notebook page's kernel runs over IPC, not TCP: no warning in the build's output.

mkdocs-jupyter executes docs/notebooks/ through nbconvert, which reads the user's
Jupyter configuration (`NbConvertApp.load_config_file`). This hook adds
hooks/jupyter/ to Jupyter's config path (`JUPYTER_CONFIG_PATH`) for the build, so
that nbconvert also reads hooks/jupyter/jupyter_nbconvert_config.py, which starts
the kernel with IPC transport.
"""

import os
from pathlib import Path

CONFIG_DIR = str(Path(__file__).resolve().parent / "jupyter")


def on_config(config):
    paths = os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)
    if CONFIG_DIR not in paths:
        os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            [CONFIG_DIR, *filter(None, paths)])
    return config
