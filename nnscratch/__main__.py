import sys

try:  # the console script's entry module: Ctrl-C handled the same way
    from nnscratch_entry import main
except ImportError:  # the package copied without it
    from nnscratch.cli import main

sys.exit(main())
