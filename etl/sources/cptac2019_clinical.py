"""The cptac 2019 clinical table (`clinical.txt` of the UCEC release in the `cptac` Python package).

Layout: tab-separated, header row then one row per sample. Column 1 (`idx`) is the sample label the
matrices use (`S001`...); `Proteomics_Tumor_Normal` (required) says Tumor / Adjacent_normal /
Myometrium_normal / Enriched_normal; `Proteomics_Participant_ID` is the case (`C3L-00006`; the
pooled Enriched_normal samples have `NX1`...`NX18`, which are not cases); `Case_excluded` is Yes/No.
Some cells are CSV-quoted (`"Other, specify"`); quotes are removed. The file is mostly UTF-8 but
14 lines of the UCEC release are cp1252 (0x96, an en dash): such lines are decoded as cp1252 and
listed in `fallback_lines`; a line valid in neither is an error. Blank lines are skipped.

Each sample: label = column 1; type = `Proteomics_Tumor_Normal` via `normalise_sample_type`, and
"unknown" (no statistical role) when that cell is empty or missing; patient = participant id without a replicate suffix
(`C3N-01825_replication` -> `C3N-01825`, replicate=True; also `_replicate`, `_rep`, `-`/`.`);
excluded = `Case_excluded` is Yes (any case; No or missing = False, anything else is an error).
Every column after the first is an Attribute, typed by `sample_sheet.infer_attribute`, except the
identifier columns in ID_COLUMNS, which are always TXT (a participant id repeats across a case's
tumor and normal, so inference would make it a CAT with ~120 levels).

A matrix given to this reader (no `Proteomics_Tumor_Normal` column) is refused as a matrix when
`matrix.matrix_evidence` says so, else for the missing column. `looks_like` (for `kinds.sniff`): the
header has a `Proteomics_Tumor_Normal` cell.

Usable tumors for tumor-only analyses: sample_type "tumor", not excluded, not a replicate. UCEC:
104 Tumor - 9 excluded (S104 is both excluded and the one replicate) = 95.
"""

from __future__ import annotations

from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources import matrix
from omicskb.etl.sources.sample_sheet import Attribute, SampleRecord, SampleSheet, cells_of, clean, first_occurrence, infer_attribute, sample_type_of, split_replicate
from omicskb.etl.textio import Head, iter_lines, split_fields

SOURCE_KIND = "cptac2019_clinical"
DESCRIPTION = "a cptac 2019 clinical table"
LOAD_COMMAND = "omicskb load samples --format cptac2019"
TYPE_COLUMN = "Proteomics_Tumor_Normal"
PARTICIPANT_COLUMN = "Proteomics_Participant_ID"
EXCLUDED_COLUMN = "Case_excluded"
ID_COLUMNS = frozenset({"Proteomics_Participant_ID", "Proteomics_Parent_Sample_IDs", "Proteomics_Aliquot_ID"})


def usable_tumors(sheet: SampleSheet) -> list[SampleRecord]:
    """Tumors that are neither excluded nor replicates (the docstring's rule)."""
    return [s for s in sheet.samples if s.sample_type == "tumor" and not s.excluded and not s.replicate]


def _excluded(path: Path, lineno: int, column: int, text: str) -> bool:
    value = clean(text)
    if value is None or value.lower() == "no":
        return False
    if value.lower() == "yes":
        return True
    raise InputError(path, lineno, f"{EXCLUDED_COLUMN} {value!r} is not Yes or No", column=column)


def read(path: str | Path) -> SampleSheet:
    """Read a cptac 2019 clinical table. Raises InputError naming file:line[:column]."""
    path = Path(path)
    fallback: list[int] = []
    lines = iter_lines(path, fallback_encoding="cp1252", on_fallback=fallback.append)
    header_line, header_text = next(lines)
    header = header_text.split("\t")
    width = len(header)
    seen_names: dict[str, int] = {}
    for column, name in enumerate(header, start=1):
        if not name.strip():
            raise InputError(path, header_line, "empty column name in header", column=column)
        if name in seen_names:
            raise InputError(path, header_line, f"duplicate column {name!r} (first in column {seen_names[name]})", column=column)
        seen_names[name] = column
    if TYPE_COLUMN not in seen_names:
        first_rows = [text.split("\t") for _, (_, text) in zip(range(matrix.EXAMINED_ROWS), lines)]
        matrix.refuse_matrix(path, header_line, header, first_rows, DESCRIPTION)
        raise InputError(path, header_line, f"missing required column {TYPE_COLUMN!r}")
    type_index = seen_names[TYPE_COLUMN] - 1
    participant_index = seen_names.get(PARTICIPANT_COLUMN, 0) - 1  # -1: column absent
    excluded_index = seen_names.get(EXCLUDED_COLUMN, 0) - 1

    samples: list[SampleRecord] = []
    columns: list[list[str]] = [[] for _ in range(width - 1)]
    first_line: dict[str, int] = {}
    for lineno, line in lines:
        if not line.strip():
            continue
        fields = split_fields(path, lineno, line, width)
        label = first_occurrence(path, lineno, fields[0], first_line, "sample")
        participant = clean(fields[participant_index]) if participant_index >= 0 else None
        patient, replicate = split_replicate(participant) if participant is not None else (None, False)
        excluded = _excluded(path, lineno, excluded_index + 1, fields[excluded_index]) if excluded_index >= 0 else False
        samples.append(SampleRecord(label, patient, sample_type_of(fields[type_index]), excluded, replicate, lineno))
        for values, text in zip(columns, fields[1:]):
            values.append(text)
    if not samples:
        raise InputError(path, header_line, "header but no sample rows")

    attributes: list[Attribute] = []
    sample_lines = [s.line for s in samples]
    for column, (name, values) in enumerate(zip(header[1:], columns), start=2):
        if name in ID_COLUMNS:
            attributes.append(Attribute(name, "TXT", None, tuple(clean(v) for v in values), column))
        else:
            attributes.append(infer_attribute(name, values, column, path=path, cells=cells_of(sample_lines, column, len(values))))
    return SampleSheet(path, SOURCE_KIND, "sample", samples, attributes, fallback, type_attribute=TYPE_COLUMN)


def looks_like(head: Head) -> bool:
    """A cptac 2019 clinical table: its header names the required type column."""
    return TYPE_COLUMN in head.cells(0)
