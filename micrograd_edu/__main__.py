"""``python -m micrograd_edu train|rl ...``: the command line of :mod:`micrograd_edu.cli.train`."""

import sys

from .cli.train import main

if __name__ == "__main__":
    sys.exit(main())
