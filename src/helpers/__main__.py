"""`python -m helpers ...`: the command line."""

import sys

from helpers.cli import main

sys.exit(main())
