"""The command line: parse the arguments, set up logging, dispatch to a command, print errors.

Every command is a module in this package, listed in COMMANDS, with ``NAME`` (or ``NAMES``
for one module behind several names), ``HELP`` (a string, or a dict by name),
``add_arguments(p)`` and ``run(args) -> int``. Adding a command is one module and one line.
Modules are imported when the CLI starts: keep their top-level imports light.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from casebook.cli.options import book_options, common
from casebook.errors import CasebookError

__all__ = ["main", "book_options"]
COMMANDS = ("build", "check", "verify", "audit", "doctor", "fix_encoding", "init", "new",
            "import_docx", "serve", "lint", "status")
DEFAULT = "all"  # `casebook` alone, or with options only, builds every edition
log = logging.getLogger("casebook")


def commands() -> dict[str, object]:
    """Each command name and the module that runs it, in COMMANDS order."""
    found: dict[str, object] = {}
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        for command in getattr(module, "NAMES", (getattr(module, "NAME", None),)):
            found[command] = module
    return found


def parser(found: dict[str, object] | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="casebook",
                                description="Build, check and verify the editions of a book.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in (found or commands()).items():
        help_text = module.HELP[name] if isinstance(module.HELP, dict) else module.HELP
        command = sub.add_parser(name, help=help_text)
        module.add_arguments(command)
        common(command)
    return p


def setup_logging(verbose: bool, quiet: bool) -> None:
    """casebook's messages on stderr (debug with -v, warnings only with -q). WeasyPrint's
    own warnings are about casebook's stylesheets and how it embeds fonts, nothing a user
    can change in the book: they are shown with -v only (its errors always are)."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    if not verbose:
        handler.addFilter(_library_warnings)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(level)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


QUIET_LIBRARIES = ("weasyprint",)  # their warnings are shown with -v only
# WeasyPrint's errors that repeat what casebook has said at the source line: each image
# without alt text (a missing-alt warning) is an error again as the PDF/UA file is written
SAID_BY_CASEBOOK = ("has no required alt description",)


def _library_warnings(record: logging.LogRecord) -> bool:
    """False for a warning (or less) from one of QUIET_LIBRARIES' loggers, and for their
    errors that casebook has reported already (SAID_BY_CASEBOOK)."""
    if record.name.partition(".")[0] not in QUIET_LIBRARIES:
        return True
    return record.levelno >= logging.ERROR and not any(
        said in record.getMessage() for said in SAID_BY_CASEBOOK)


BOOK_THREAD = "book:"  # a thread building one of several books (build/many.py names it)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        library = record.name.partition(".")[0]
        if library != "casebook" and record.name != "root":
            text = f"{library}: {text}"  # said by a library, not by casebook
        if record.threadName.startswith(BOOK_THREAD):  # one of several books: say which
            text = f"[{record.threadName[len(BOOK_THREAD):]}] {text}"
        if record.exc_info:  # a bug, not a problem with the book: its traceback
            text = f"{text}\n{self.formatException(record.exc_info)}"
        if record.levelno >= logging.ERROR:
            return f"error: {text}"
        if record.levelno >= logging.WARNING:
            return f"warning: {text}"
        return text


def _argv(argv: list[str] | None, names) -> list[str]:
    """No command, or options only, means the default command (build everything)."""
    args = list(sys.argv[1:] if argv is None else argv)
    return args if args and args[0] in {*names, "-h", "--help"} else [DEFAULT, *args]


def main(argv: list[str] | None = None) -> int:
    found = commands()
    args = parser(found).parse_args(_argv(argv, found))
    setup_logging(args.verbose, args.quiet)
    try:
        return found[args.command].run(args)
    except CasebookError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; dist/ was left as it was", file=sys.stderr)
        return 130
