"""`python -m casebook`: the same command line as `casebook` and `python build.py`."""

import sys

from casebook.cli import main

sys.exit(main())
