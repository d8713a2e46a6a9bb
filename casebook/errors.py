"""The one exception family: every user-facing problem carries path:line and an exit code."""

from __future__ import annotations

from pathlib import Path


class CasebookError(Exception):
    """A problem the user can fix; the CLI prints it as ``path:line: message``."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class SourceError(CasebookError):
    """Bad input in book.yaml or a Markdown source."""


class RenderError(CasebookError):
    """pandoc or a template failed on an input."""


class ToolError(CasebookError):
    """A required external tool or font is missing or broken."""

    exit_code = 3


class CheckError(CasebookError):
    """A built edition failed a validator or a parity check."""

    exit_code = 4


class ErrorList(CasebookError):
    """Several problems gathered before stopping, reported all at once."""

    def __init__(self, errors: list[CasebookError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) found")
        self.exit_code = max(e.exit_code for e in self.errors)

    def __reduce__(self):  # so that a worker process can hand the list back
        return (ErrorList, (self.errors,))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class Collector:
    """Gather problems, then raise them together (report everything, then stop)."""

    def __init__(self) -> None:
        self.errors: list[CasebookError] = []

    def add(self, message: str, path: Path | str | None = None, line: int | None = None,
            kind: type[CasebookError] = SourceError) -> None:
        self.errors.append(kind(message, path, line))

    def extend(self, error: CasebookError) -> None:
        self.errors.extend(error.errors if isinstance(error, ErrorList) else [error])

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ErrorList(self.errors)
