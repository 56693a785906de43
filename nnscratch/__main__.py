import sys

from nnscratch_entry import main

sys.exit(main())
