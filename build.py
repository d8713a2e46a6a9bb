#!/usr/bin/env python3
"""Entry point: `python build.py [all|epub|pdf|html] [--book DIR] [--out DIR] [--draft]`."""

import logging
import os
import sys

from casebook.cli import main

if __name__ == "__main__":
    code = main()
    # Everything is written, published and closed by now: leave without tearing down the
    # interpreter, which for a build's hundreds of MB of objects takes ~0.15 s.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
