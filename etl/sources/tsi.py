"""LinkedOmics `.tsi` sample information (NetGestalt conventions), in either orientation.

1. Samples as rows: header = id column + attribute names; the 2nd row gives each attribute's type
   (first cell anything: `type`, `data_type`, empty...; then BIN CAT CON ORD or SUR per attribute);
   then one row per sample.
2. Attributes as rows (TCGA Firehose style): header = `attrib_name` (or any first cell) + sample
   labels; then one row per attribute: its name and one value per sample. Optionally the 2nd column
   holds each attribute's type (header cell `attrib_type`, `data_type`...).

Which one (first rule that applies; "type word" = BIN CAT CON ORD SUR in any case):
  a. row 2's first cell is `type`/`types`/`data_type`/`datatype`/`attrib_type`, or all its other
     cells are type words -> 1 with declared types (an unknown word there is an error);
  b. header cell 2 is `attrib_type`/`data_type`/`datatype`, or it is `type` and header cell 1 is an
     attribute-list name (below), or every data row's 2nd cell is a type word -> 2 with declared types;
  c. header cell 1 is `attrib_name`/`attribute`/`attributes`/`attrib` (any case) -> 2, types inferred;
  d. otherwise -> 1, types inferred (`sample_sheet.infer_attribute`).
Declared types are checked by `sample_sheet.parse_declared`; SUR values are `time,event`.

Samples: the sample type comes from the first attribute whose name, lower case with non-alphanumerics
removed, is one of SAMPLE_TYPE_NAMES (via `normalise_sample_type`); a sample whose cell there is empty
or missing is "unknown" (no statistical role). Without such an attribute every sample is "tumor"
(DEFAULT_SAMPLE_TYPE: LinkedOmics .tsi files describe tumor cohorts) and the sheet's
`type_attribute` is None. The patient comes from an attribute named like PATIENT_NAMES (a replicate
suffix such as `_replication` is removed and sets `replicate`), else it is the sample label. `excluded` is True when an attribute named `Case_excluded`/`excluded`
says yes/true/1. All columns but the id column, including those, are attributes.
Lines that are not UTF-8 are decoded as cp1252 and listed in `fallback_lines`. Blank lines are skipped.

A matrix is not a sample table. Read with samples as rows (rules a and d), a file is refused when
`matrix.matrix_evidence` finds it matrix-shaped in its first rows: every value a number and either
feature ids as row ids, or sample-label-like header cells over row ids that are not sample labels, or
a .cct/.cbt name (InputError at the header line naming why and the command that loads a matrix).
Read with attributes as rows (b, c), it is refused when its row names are feature ids and every
value is a number. (A real CNA.cct read as samples-as-rows would otherwise give 28,057 "samples".)

What a .tsi looks like (`looks_like`, for `kinds.sniff`): a type row (rule a), an attribute-list
first header cell or a type column (rules b and c), or a `.tsi` name on a file that is not
matrix-shaped. A pan-cancer meta file (`case_id` + `data_type` row) is left to `pancan_meta`.
"""

from __future__ import annotations

from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources import matrix, pancan_meta
from omicskb.etl.sources.matrix import check_sample_labels
from omicskb.etl.sources.sample_sheet import (
    ATTRIBUTE_LIST_HEADERS,
    first_occurrence,
    Attribute,
    SampleRecord,
    SampleSheet,
    cells_of,
    clean,
    infer_attribute,
    normalise_name,
    parse_declared,
    sample_type_of,
    split_replicate,
)
from omicskb.etl.textio import Head, iter_lines, split_fields
from omicskb.schema import vocabularies

SOURCE_KIND = "tsi"
DESCRIPTION = "a LinkedOmics .tsi sample table"
LOAD_COMMAND = "omicskb load samples --format tsi"
DEFAULT_SAMPLE_TYPE = "tumor"
TSI_TYPES = frozenset(vocabularies.codes(vocabularies.CLINICAL_TYPES)) - {"TXT"}  # a .tsi type row never declares TXT
TYPE_ROW_NAMES = frozenset({"type", "types", "data_type", "datatype", "attrib_type"})
TYPE_COLUMN_NAMES = frozenset({"attrib_type", "data_type", "datatype"})
ATTRIBUTE_HEADERS = ATTRIBUTE_LIST_HEADERS
SAMPLE_TYPE_NAMES = frozenset({"sampletype", "tumornormal", "proteomicstumornormal", "type", "tissuetype"})
PATIENT_NAMES = frozenset({"patient", "patientid", "caseid", "participant", "participantid", "proteomicsparticipantid"})
EXCLUDED_NAMES = frozenset({"caseexcluded", "excluded"})


def _is_type(cell: str) -> bool:
    return cell.strip().upper() in TSI_TYPES


def _read_rows(path: Path, fallback: list[int]) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    lines = iter_lines(path, fallback_encoding="cp1252", on_fallback=fallback.append)
    header_line, header_text = next(lines)
    header = header_text.split("\t")
    if len(header) < 2:
        raise InputError(path, header_line, "header has a single column (is the file tab-separated?)")
    rows = [(lineno, split_fields(path, lineno, line, len(header))) for lineno, line in lines if line.strip()]
    if not rows:
        raise InputError(path, header_line, "header but no data rows")
    return header_line, header, rows


def _check_names(path: Path, entries: list[tuple[int, int, str]], what: str) -> None:
    """Attribute names: non-empty and unique. entries = (line, column, name)."""
    seen: dict[str, tuple[int, int]] = {}
    for lineno, column, name in entries:
        if not name:
            raise InputError(path, lineno, f"empty {what} name", column=column)
        if name in seen:
            first = seen[name]
            raise InputError(path, lineno, f"duplicate {what} {name!r} (first on line {first[0]}, column {first[1]})", column=column)
        seen[name] = (lineno, column)


def _type_attribute(attributes: list[Attribute]) -> str | None:
    by_key: dict[str, str] = {}
    for attribute in attributes:
        by_key.setdefault(normalise_name(attribute.name), attribute.name)
    return next((by_key[k] for k in by_key if k in SAMPLE_TYPE_NAMES), None)


def _samples(labels: list[str], lines: list[int], attributes: list[Attribute], raw: dict[str, list[str | None]]) -> list[SampleRecord]:
    by_key: dict[str, str] = {}
    for attribute in attributes:
        by_key.setdefault(normalise_name(attribute.name), attribute.name)
    type_name = _type_attribute(attributes)
    patient_name = next((by_key[k] for k in by_key if k in PATIENT_NAMES), None)
    excluded_name = next((by_key[k] for k in by_key if k in EXCLUDED_NAMES), None)
    samples = []
    for i, (label, lineno) in enumerate(zip(labels, lines)):
        sample_type = sample_type_of(raw[type_name][i]) if type_name else DEFAULT_SAMPLE_TYPE
        patient: str | None = label
        replicate = False
        if patient_name:
            participant = raw[patient_name][i]
            patient, replicate = split_replicate(participant) if participant is not None else (None, False)
        flag = raw[excluded_name][i] if excluded_name else None
        excluded = flag is not None and flag.lower() in ("yes", "true", "1")
        samples.append(SampleRecord(label, patient, sample_type, excluded, replicate, lineno))
    return samples


def read(path: str | Path) -> SampleSheet:
    """Read a .tsi file in either orientation. Raises InputError naming file:line[:column]."""
    path = Path(path)
    fallback: list[int] = []
    header_line, header, rows = _read_rows(path, fallback)
    width = len(header)
    first = rows[0][1]
    head0, head1 = header[0].strip().lower(), header[1].strip().lower()
    attributes: list[Attribute] = []
    raw: dict[str, list[str | None]] = {}

    if first[0].strip().lower() in TYPE_ROW_NAMES or all(_is_type(c) for c in first[1:]):
        # 1. samples as rows, 2nd row = types
        type_line, types = rows[0]
        body = rows[1:]
        if not body:
            raise InputError(path, type_line, "type row but no sample rows")
        _check_names(path, [(header_line, j, header[j - 1].strip()) for j in range(2, width + 1)], "attribute")
        labels, lines = _labels(path, body)
        for j in range(1, width):
            name = header[j].strip()
            values = [fields[j] for _, fields in body]
            attributes.append(parse_declared(name, types[j], values, path, lines, j + 1, type_cell=(type_line, j + 1)))
            raw[name] = [clean(v) for v in values]
        samples = _samples(labels, lines, attributes, raw)
    elif head1 in TYPE_COLUMN_NAMES or (head1 == "type" and head0 in ATTRIBUTE_HEADERS) or all(_is_type(f[1]) for _, f in rows):
        # 2. attributes as rows with a type column
        if width < 3:
            raise InputError(path, header_line, "attribute rows with a type column but no sample columns")
        labels = header[2:]
        check_sample_labels(path, header_line, labels, first_column=3)
        _check_names(path, [(lineno, 1, fields[0].strip()) for lineno, fields in rows], "attribute")
        sample_columns = list(range(3, width + 1))
        for lineno, fields in rows:
            name = fields[0].strip()
            attributes.append(parse_declared(name, fields[1], fields[2:], path, lineno, sample_columns, type_cell=(lineno, 2)))
            raw[name] = [clean(v) for v in fields[2:]]
        samples = _samples(labels, [header_line] * len(labels), attributes, raw)
    elif head0 in ATTRIBUTE_HEADERS:
        # 2. attributes as rows, types inferred
        _refuse_feature_rows(path, header_line, header, rows)
        labels = header[1:]
        check_sample_labels(path, header_line, labels, first_column=2)
        _check_names(path, [(lineno, 1, fields[0].strip()) for lineno, fields in rows], "attribute")
        for lineno, fields in rows:
            name = fields[0].strip()
            attributes.append(infer_attribute(name, fields[1:], lineno, path=path, cells=cells_of(lineno, list(range(2, width + 1)), width - 1)))
            raw[name] = [clean(v) for v in fields[1:]]
        samples = _samples(labels, [header_line] * len(labels), attributes, raw)
    else:
        # 1. samples as rows, types inferred
        matrix.refuse_matrix(path, header_line, header, [fields for _, fields in rows], "a sample table")
        _check_names(path, [(header_line, j, header[j - 1].strip()) for j in range(2, width + 1)], "attribute")
        labels, lines = _labels(path, rows)
        for j in range(1, width):
            name = header[j].strip()
            values = [fields[j] for _, fields in rows]
            attributes.append(infer_attribute(name, values, j + 1, path=path, cells=cells_of(lines, j + 1, len(values))))
            raw[name] = [clean(v) for v in values]
        samples = _samples(labels, lines, attributes, raw)
    return SampleSheet(path, SOURCE_KIND, "sample", samples, attributes, fallback, type_attribute=_type_attribute(attributes))


def _refuse_feature_rows(path: Path, header_line: int, header: list[str], rows: list[tuple[int, list[str]]]) -> None:
    """Attributes as rows: refuse a table whose row names are features and whose values are numbers."""
    examined = [fields for _, fields in rows[: matrix.EXAMINED_ROWS]]
    reason = matrix.matrix_evidence(header, examined)
    names = [fields[0].strip() for fields in examined]
    if reason is not None and 2 * sum(bool(matrix.FEATURE_ID.fullmatch(n)) for n in names) >= len(names):
        raise InputError(path, header_line, f"this looks like {matrix.DESCRIPTION}, not a sample table: {reason}; load it with '{matrix.LOAD_COMMAND}'")


def looks_like(head: Head) -> bool:
    """A .tsi by the module docstring's rules (a type row, an attribute-list header, a type column, or the name)."""
    header, second = head.cells(0), head.cells(1)
    if len(header) < 2:
        return False
    if pancan_meta.looks_like(head):
        return False
    if len(second) == len(header) and (second[0].lower() in TYPE_ROW_NAMES or all(_is_type(c) for c in second[1:])):
        return True
    head0, head1 = header[0].lower(), header[1].lower()
    if head0 in ATTRIBUTE_HEADERS or head1 in TYPE_COLUMN_NAMES:
        return True
    return head.name.endswith(".tsi") and not matrix.looks_like(head)


def _labels(path: Path, body: list[tuple[int, list[str]]]) -> tuple[list[str], list[int]]:
    labels: list[str] = []
    lines: list[int] = []
    seen: dict[str, int] = {}
    for lineno, fields in body:
        label = first_occurrence(path, lineno, fields[0], seen, "sample")
        labels.append(label)
        lines.append(lineno)
    return labels, lines
