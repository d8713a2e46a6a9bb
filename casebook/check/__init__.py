"""Validators and parity checks run on the built editions (one module per concern)."""

from casebook.check.parity import *  # noqa: F401,F403 - the parity extractors are the package's core API
from casebook.check.parity import EpubCheckResult, Toc  # noqa: F401
