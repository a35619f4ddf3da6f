"""CPTAC pan-cancer data freeze v1.2 (LinkedOmicsKB downloads): `<C>_meta.txt` and `<C>_survival.txt`.

Both are per case (SampleSheet level "patient": one SampleRecord per case, label == patient == the
case id, sample_type None, excluded and replicate False). Lines that are not UTF-8 are decoded as
cp1252 and listed in `fallback_lines`; blank lines are skipped.

`<C>_meta.txt`: tab-separated; header = `case_id` + attribute names (`Sex`, `Age`, `Stage`...); the
2nd row has `data_type` in the case_id column and each attribute's type; then one row per case.
Types BIN CAT CON ORD SUR (any case) are checked by `sample_sheet.parse_declared`; any other word
(`ID`, `TXT`, empty...) makes the attribute TXT (kept, never tested).

`<C>_survival.txt`: header `case_id`, `OS_days`, `OS_event`, `PFS_days`, `PFS_event` (any order;
each endpoint needs both its columns, at least one endpoint is needed); one row per case. Gives SUR
attributes `OS` and `PFS` (defined at the `_days` column) whose values are (days, event), or None
when either cell is missing. Days must be a number >= 0 and events 0 or 1, else InputError at that
cell (a present half is checked even when the other half is missing). Any other column becomes an attribute typed by `sample_sheet.infer_attribute`.

What they look like (`looks_like`, `looks_like_survival`, for `kinds.sniff`): header cell 1 is
`case_id`; a meta file's 2nd row starts with `data_type`, a survival file's header has both columns
of an endpoint. A matrix given to either reader is refused as a matrix (`matrix.matrix_evidence`)
before the `case_id` check.
"""

from __future__ import annotations

from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources import matrix
from omicskb.etl.sources.sample_sheet import (
    first_occurrence,
    CLINICAL_TYPES,
    Attribute,
    SampleRecord,
    SampleSheet,
    cells_of,
    check_survival,
    clean,
    infer_attribute,
    parse_declared,
)
from omicskb.etl.textio import Head, iter_lines, split_fields

SOURCE_KIND = "pancan_meta"
DESCRIPTION = "a CPTAC pan-cancer meta table (<C>_meta.txt)"
LOAD_COMMAND = "omicskb load samples --format pancan-meta"
SOURCE_KIND_SURVIVAL = "pancan_survival"
DESCRIPTION_SURVIVAL = "a CPTAC pan-cancer survival table (<C>_survival.txt)"
LOAD_COMMAND_SURVIVAL = "omicskb load samples --format pancan-survival"
ID_COLUMN = "case_id"
TYPE_ROW = "data_type"
ENDPOINTS = ("OS", "PFS")


def _read(path: Path, fallback: list[int]) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    lines = iter_lines(path, fallback_encoding="cp1252", on_fallback=fallback.append)
    header_line, header_text = next(lines)
    header = [cell.strip() for cell in header_text.split("\t")]
    if header[0] != ID_COLUMN:
        first_rows = [text.split("\t") for _, (_, text) in zip(range(matrix.EXAMINED_ROWS), lines)]
        matrix.refuse_matrix(path, header_line, header, first_rows, "a pan-cancer case table")
        raise InputError(path, header_line, f"first header cell is {header[0]!r}, expected {ID_COLUMN!r}", column=1)
    seen: dict[str, int] = {}
    for column, name in enumerate(header, start=1):
        if not name:
            raise InputError(path, header_line, "empty column name in header", column=column)
        if name in seen:
            raise InputError(path, header_line, f"duplicate column {name!r} (first in column {seen[name]})", column=column)
        seen[name] = column
    rows = [(lineno, split_fields(path, lineno, line, len(header))) for lineno, line in lines if line.strip()]
    return header_line, header, rows


def _cases(path: Path, rows: list[tuple[int, list[str]]]) -> list[SampleRecord]:
    samples: list[SampleRecord] = []
    first: dict[str, int] = {}
    for lineno, fields in rows:
        case = first_occurrence(path, lineno, fields[0], first, "case")
        samples.append(SampleRecord(case, case, None, False, False, lineno))
    return samples


def read(path: str | Path) -> SampleSheet:
    """Read `<C>_meta.txt`. Raises InputError naming file:line[:column]."""
    path = Path(path)
    fallback: list[int] = []
    header_line, header, rows = _read(path, fallback)
    if not rows:
        raise InputError(path, header_line, f"header but no {TYPE_ROW} row")
    type_line, types = rows[0]
    if types[0].strip() != TYPE_ROW:
        raise InputError(path, type_line, f"2nd row starts with {types[0]!r}, expected {TYPE_ROW!r}", column=1)
    body = rows[1:]
    if not body:
        raise InputError(path, type_line, "no case rows after the data_type row")
    samples = _cases(path, body)
    lines = [lineno for lineno, _ in body]
    attributes: list[Attribute] = []
    for j in range(1, len(header)):
        declared = types[j].strip().upper()
        if declared not in CLINICAL_TYPES:
            declared = "TXT"  # meta files also mark identifiers and free text with other words
        values = [fields[j] for _, fields in body]
        attributes.append(parse_declared(header[j], declared, values, path, lines, j + 1, type_cell=(type_line, j + 1)))
    return SampleSheet(path, SOURCE_KIND, "patient", samples, attributes, fallback)


def read_survival(path: str | Path) -> SampleSheet:
    """Read `<C>_survival.txt`. Raises InputError naming file:line[:column]."""
    path = Path(path)
    fallback: list[int] = []
    header_line, header, rows = _read(path, fallback)
    if not rows:
        raise InputError(path, header_line, "header but no case rows")
    samples = _cases(path, rows)
    index = {name: i for i, name in enumerate(header)}
    used = {0}
    attributes: list[Attribute] = []
    for endpoint in ENDPOINTS:
        days_name, event_name = f"{endpoint}_days", f"{endpoint}_event"
        if days_name not in index and event_name not in index:
            continue
        if days_name not in index or event_name not in index:
            missing = days_name if days_name not in index else event_name
            raise InputError(path, header_line, f"{endpoint} needs both {days_name} and {event_name}; {missing} is missing")
        days_at, event_at = index[days_name], index[event_name]
        used.update((days_at, event_at))
        values: list[tuple[float, int] | None] = []
        for lineno, fields in rows:
            days, event = clean(fields[days_at]), clean(fields[event_at])
            # A present half is checked even when the other half is missing.
            checked = check_survival(days or "0", event or "0", path, lineno, days_at + 1, event_at + 1, endpoint)
            values.append(checked if days is not None and event is not None else None)
        attributes.append(Attribute(endpoint, "SUR", None, tuple(values), days_at + 1))
    if not attributes:
        raise InputError(path, header_line, "no survival columns (expected OS_days/OS_event and/or PFS_days/PFS_event)")
    lines = [lineno for lineno, _ in rows]
    for j, name in enumerate(header):
        if j not in used:
            attributes.append(infer_attribute(name, [fields[j] for _, fields in rows], j + 1, path=path, cells=cells_of(lines, j + 1, len(rows))))
    return SampleSheet(path, SOURCE_KIND_SURVIVAL, "patient", samples, attributes, fallback)


def looks_like(head: Head) -> bool:
    """A meta file: `case_id` first, then a `data_type` row."""
    return head.cells(0)[:1] == [ID_COLUMN] and head.cells(1)[:1] == [TYPE_ROW]


def looks_like_survival(head: Head) -> bool:
    """A survival file: `case_id` first and both columns of an endpoint (OS_days and OS_event...)."""
    header = head.cells(0)
    return header[:1] == [ID_COLUMN] and not looks_like(head) and any(f"{e}_days" in header and f"{e}_event" in header for e in ENDPOINTS)
