"""GCT 1.3 (Broad; CPTAC BRCA 2020): a matrix with row and column annotations.

    #1.3
    <n_rows> <n_cols> <n_row_annot> <n_col_annot>                 (tab-separated)
    id  <row annot names...>  <sample ids...>
    <col annot name>  <'na' per row-annot column>  <value per sample>    (n_col_annot rows)
    <feature id>  <row annot values...>  <numbers per sample>           (n_rows rows)

The dimension line is checked against the header and the rows (InputError naming the dimension
line). Only version 1.3 is accepted.

`read_annotations` reads the lines up to the last column annotation and returns a SampleSheet: one
Attribute per column-annotation row (types by `sample_sheet.infer_attribute`; Attribute.column is
that row's line); sample type from the annotation whose name, lower case with non-alphanumerics
removed, is in SAMPLE_TYPE_NAMES (via `normalise_sample_type`; an empty or missing cell there is
"unknown"; without such an annotation every sample is "tumor", DEFAULT_SAMPLE_TYPE, and the
sheet's `type_attribute` is None); patient from one in PATIENT_NAMES (a replicate suffix is removed and sets `replicate`), else the
label. It does not count the data rows; `read_matrix` does.

`read_matrix` returns a MatrixData (format "gct"): the numbers via `matrix.read_block`, the row
annotations (e.g. geneSymbol) in `row_annotations`, with `na`, `NA` and empty cells as None.
Values follow `matrix`'s rules: LF or CRLF line endings, non-finite values rejected
(`file:line:column: non-finite value 'inf'`).

A GCT file is two source kinds: `gct` (the matrix, `omicskb load matrix`) and `gct_annotations`
(its column annotations, `omicskb load samples`). `looks_like` (for `kinds.sniff`): the first cell
of line 1 is `#1.2` or `#1.3` (a 1.2 file is recognised so that it is named, then refused by the
version check).
"""

from __future__ import annotations

from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources.matrix import MatrixData, check_feature_ids, check_sample_labels, read_block
from omicskb.etl.sources.sample_sheet import Attribute, SampleRecord, SampleSheet, cells_of, clean, first_occurrence, infer_attribute, normalise_name, sample_type_of, split_replicate
from omicskb.etl.textio import Head, iter_lines, split_fields

SOURCE_KIND = "gct"
DESCRIPTION = "a GCT 1.3 matrix"
LOAD_COMMAND = "omicskb load matrix --format gct"
SOURCE_KIND_ANNOTATIONS = "gct_annotations"
DESCRIPTION_ANNOTATIONS = "a GCT 1.3 file (column annotations)"
LOAD_COMMAND_ANNOTATIONS = "omicskb load samples --format gct"
DEFAULT_SAMPLE_TYPE = "tumor"
VERSION = "#1.3"
KNOWN_VERSIONS = ("#1.2", "#1.3")
SAMPLE_TYPE_NAMES = frozenset({"type", "sampletype", "tumornormal", "sampletypes", "tissuetype"})
PATIENT_NAMES = frozenset({"participant", "participantid", "patient", "patientid", "caseid"})
ROW_ANNOTATION_MISSING = frozenset({"", "na", "NA"})
DIMENSION_LINE = 2


class _Head:
    """The parsed lines before the data rows."""

    def __init__(self, path: Path, n_rows: int, n_cols: int, n_row_annot: int, header_line: int, header: list[str]):
        self.path = path
        self.n_rows = n_rows
        self.n_cols = n_cols
        self.n_row_annot = n_row_annot
        self.header_line = header_line
        self.header = header
        self.annotations: list[tuple[int, list[str]]] = []  # (line, cells) per column annotation

    @property
    def first_sample_column(self) -> int:  # 1-based
        return 2 + self.n_row_annot

    @property
    def samples(self) -> list[str]:
        return self.header[self.first_sample_column - 1 :]

    @property
    def data_start_line(self) -> int:
        return self.header_line + len(self.annotations) + 1


def _dimensions(path: Path, lineno: int, text: str) -> tuple[int, int, int, int]:
    cells = [c.strip() for c in text.split("\t")]
    cells = [c for c in cells if c] if len(cells) > 4 else cells  # tolerate trailing tabs
    if len(cells) != 4:
        raise InputError(path, lineno, f"GCT 1.3 dimension line needs 4 numbers (rows, columns, row annotations, column annotations), found {len(cells)} fields")
    numbers = []
    for column, cell in enumerate(cells, start=1):
        if not cell.isdigit():
            raise InputError(path, lineno, f"dimension {cell!r} is not a non-negative whole number", column=column)
        numbers.append(int(cell))
    return numbers[0], numbers[1], numbers[2], numbers[3]


def _read_head(path: Path) -> _Head:
    lines = iter_lines(path)
    try:
        lineno, version = next(lines)
        if version.strip().split("\t")[0] != VERSION:
            raise InputError(path, lineno, f"first line is {version[:20]!r}, expected {VERSION!r} (only GCT 1.3 is read)")
        lineno, text = _next(path, lines, "dimension line")
        n_rows, n_cols, n_row_annot, n_col_annot = _dimensions(path, lineno, text)
        header_line, text = _next(path, lines, "header")
        header = text.split("\t")
        expected = 1 + n_row_annot + n_cols
        if len(header) != expected:
            raise InputError(
                path,
                DIMENSION_LINE,
                f"dimension line declares {n_row_annot} row annotations and {n_cols} samples ({expected} header fields), "
                f"but the header (line {header_line}) has {len(header)} fields",
            )
        head = _Head(path, n_rows, n_cols, n_row_annot, header_line, header)
        check_sample_labels(path, header_line, head.samples, first_column=head.first_sample_column)
        for _ in range(n_col_annot):
            lineno, text = _next(path, lines, "column annotation row")
            head.annotations.append((lineno, split_fields(path, lineno, text, expected)))
    finally:
        lines.close()
    return head


def _next(path: Path, lines, what: str) -> tuple[int, str]:
    try:
        return next(lines)
    except StopIteration:
        raise InputError(path, None, f"file ends before the {what}") from None


def read_annotations(path: str | Path) -> SampleSheet:
    """The samples and column annotations of a GCT 1.3 file. Raises InputError naming file:line[:column]."""
    path = Path(path)
    head = _read_head(path)
    first = head.first_sample_column - 1
    attributes: list[Attribute] = []
    raw: dict[str, list[str | None]] = {}
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
    sample_columns = list(range(first + 1, first + 1 + len(head.samples)))
    for lineno, cells in head.annotations:
        name = first_occurrence(path, lineno, cells[0], seen, "column annotation")
        attributes.append(infer_attribute(name, cells[first:], lineno, path=path, cells=cells_of(lineno, sample_columns, len(sample_columns))))
        raw[normalise_name(name)] = [clean(v) for v in cells[first:]]
        names[normalise_name(name)] = name  # the one whose values `raw` keeps
    type_key = next((k for k in raw if k in SAMPLE_TYPE_NAMES), None)
    patient_key = next((k for k in raw if k in PATIENT_NAMES), None)
    samples = []
    for i, label in enumerate(head.samples):
        patient: str | None = label
        replicate = False
        if patient_key is not None:
            participant = raw[patient_key][i]
            patient, replicate = split_replicate(participant) if participant is not None else (None, False)
        sample_type = sample_type_of(raw[type_key][i]) if type_key is not None else DEFAULT_SAMPLE_TYPE
        samples.append(SampleRecord(label, patient, sample_type, False, replicate, head.header_line))
    type_attribute = names[type_key] if type_key is not None else None
    return SampleSheet(path, SOURCE_KIND, "sample", samples, attributes, [], type_attribute=type_attribute)


def looks_like(head: Head) -> bool:
    """A GCT file: line 1 starts with its version, `#1.2` or `#1.3`."""
    return bool(head.lines) and head.lines[0].split("\t")[0].strip() in KNOWN_VERSIONS


def read_matrix(path: str | Path) -> MatrixData:
    """The numbers and row annotations of a GCT 1.3 file. Raises InputError naming file:line[:column]."""
    path = Path(path)
    head = _read_head(path)
    text_columns = 1 + head.n_row_annot
    columns, values, lines = read_block(
        path, header_line=head.header_line, column_names=head.header, string_columns=text_columns, data_start_line=head.data_start_line
    )
    if len(lines) != head.n_rows:
        raise InputError(
            path, DIMENSION_LINE, f"dimension line declares {head.n_rows} data rows, found {len(lines)} (lines {lines[0]}-{lines[-1]})"
        )
    ids = columns[0]
    check_feature_ids(path, ids, lines)
    annotations = {
        name: [None if v is None or v.strip() in ROW_ANNOTATION_MISSING else v for v in column]
        for name, column in zip(head.header[1:text_columns], columns[1:])
    }
    return MatrixData(
        path=path,
        format="gct",
        id_header=head.header[0],
        feature_ids=ids,
        feature_lines=lines,
        samples=head.samples,
        sample_columns=list(range(head.first_sample_column, len(head.header) + 1)),
        values=values,
        row_annotations=annotations,
    )
