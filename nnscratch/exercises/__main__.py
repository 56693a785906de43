"""The child process of `nnscratch check`.

`python -B -m nnscratch.exercises NAME FILE SEED SHOWN` grades FILE and exits 0 (every
check passed), 1 (a check failed) or 2 (the file cannot be graded).
"""

import sys

from .runner import main

sys.exit(main(sys.argv[1:]))
