"""nbconvert's configuration for the site build; hooks/notebook_kernel.py puts this
folder on Jupyter's config path before mkdocs-jupyter executes docs/notebooks/.

The notebook's kernel talks to the build over IPC (Unix sockets in a private
temporary folder, mode 0700) instead of TCP on 127.0.0.1, over which ipykernel warns
on every build that the kernel "is running over TCP without encryption". Without an
explicit folder the sockets would land in the kernel's working directory, the folder
the build was started from.
"""

import atexit
import shutil
import tempfile
from pathlib import Path

SOCKETS = tempfile.mkdtemp(prefix="nnscratch-kernel-")
atexit.register(shutil.rmtree, SOCKETS, ignore_errors=True)

c = get_config()  # noqa: F821 (traitlets defines it when it reads this file)
c.KernelManager.transport = "ipc"
c.KernelManager.ip = str(Path(SOCKETS) / "kernel")  # kernel-1 ... kernel-5
