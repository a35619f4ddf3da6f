"""Errors raised by the library. The CLI turns them into one-line messages and exit codes."""

from __future__ import annotations

from pathlib import Path


class OmicsKBError(Exception):
    """Base class for every error the library raises on purpose."""

    exit_code = 2


class InputError(OmicsKBError):
    """A problem with an input file, located by file, line and (optionally) column."""

    exit_code = 1

    def __init__(self, path: str | Path, line: int | None, reason: str, column: int | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(self.location() + ": " + reason)

    def location(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class LookupFailed(OmicsKBError):
    """A query (gene symbol, id) that matched nothing, or more than one thing."""

    exit_code = 1

    def __init__(self, message: str, candidates: list[dict] | None = None):
        self.candidates = candidates or []
        super().__init__(message)


class DatabaseError(OmicsKBError):
    """The database is missing, not initialised, or at an unexpected schema revision."""

    exit_code = 2
