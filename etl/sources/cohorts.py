"""Cohort reference TSV (omicskb's own layout): cohort code, name, and other codes releases use."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.textio import Head, iter_rows

SOURCE_KIND = "cohorts"
DESCRIPTION = "a cohort reference table (cohort, name, aliases)"
LOAD_COMMAND = "omicskb load cohorts"
COLUMNS: tuple[str, ...] = ("cohort", "name", "aliases")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}")


@dataclasses.dataclass(frozen=True, slots=True)
class CohortRecord:
    line: int
    code: str
    name: str
    aliases: tuple[str, ...]


def read(path: str | Path) -> Iterator[CohortRecord]:
    seen: dict[str, int] = {}
    for lineno, fields in iter_rows(path, COLUMNS, skip_blank=True):
        code, name, aliases = (f.strip() for f in fields)
        if not _CODE.fullmatch(code):
            raise InputError(path, lineno, f"cohort code {code!r} is not a short alphanumeric code", column=1)
        if code in seen:
            raise InputError(path, lineno, f"duplicate cohort {code} (first on line {seen[code]})", column=1)
        seen[code] = lineno
        yield CohortRecord(lineno, code, name, tuple(a.strip() for a in aliases.split("|") if a.strip()))


def looks_like(head: Head) -> bool:
    """A cohort file: its header is COLUMNS."""
    return tuple(head.cells(0)) == COLUMNS
