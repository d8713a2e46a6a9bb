#!/usr/bin/env python3
"""Entry point: `python build.py [all|epub|pdf|html] [--book DIR] [--out DIR] [--draft]`."""

import sys

from casebook.cli import main

if __name__ == "__main__":
    sys.exit(main())
