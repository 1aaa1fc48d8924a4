"""``python -m micrograd_edu.grade``: see :mod:`micrograd_edu.grade`."""

import sys

from . import sandbox
from .cli import main

if __name__ == "__main__":
    sandbox.adopt_orphans()
    sys.exit(main())
