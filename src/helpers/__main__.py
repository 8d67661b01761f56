"""`python -m helpers ...`: the command line."""

import sys

try:
    from helpers.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command's modules load (half a second): as `main` says it later
    from helpers.errors import EXIT_INTERRUPTED, INTERRUPTED

    print(INTERRUPTED, file=sys.stderr)
    sys.exit(EXIT_INTERRUPTED)

sys.exit(main())
