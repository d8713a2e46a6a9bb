"""Subcommands beyond building: each module here has HELP, add_arguments(p) and run(args) -> int.

``cli.py`` adds one subcommand per module named in COMMANDS (the subcommand's name is the
module's NAME). Modules are imported when the CLI starts, so keep their top-level imports light.
"""

from __future__ import annotations

import importlib

# module names inside casebook.commands
COMMANDS: tuple[str, ...] = ("new", "import_docx", "serve", "lint", "status")


def load():
    """The command modules, in COMMANDS order."""
    return [importlib.import_module(f"{__name__}.{name}") for name in COMMANDS]
