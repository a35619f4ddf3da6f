"""Feature x sample numeric matrices: LinkedOmics .cct/.cbt, cptac 2019 and pan-cancer `idx` tables.

Layout: a header row (id column name, then sample labels), then one row per feature: its id and
one value per sample. Missing values are `NA` (also empty, `NaN`, `NULL`, ...: MISSING). Values are
parsed by Arrow's multithreaded CSV reader; when Arrow rejects the file, a line-by-line scan finds
the first bad line and column so the error names them exactly.

Line endings: LF or CRLF, and a last line without a newline, read alike (a run of CRs before the LF
counts as part of the line ending, as in `textio.iter_lines`). A file whose lines end in a bare CR
(classic Mac) is rejected at line 1.

Non-finite values are rejected, not stored: `inf`, `-inf`, `Infinity`, `1e400` and anything else
that parses to plus or minus infinity is an InputError `file:line:column: non-finite value '...'`.
(A matrix value is a measurement; infinity is never one, and NaN spellings already mean missing.)
Numbers are ASCII: `1_000` or non-ASCII digits are non-numeric, as Arrow has them.

`read()` returns a MatrixData whose values are a float64 (features x samples) array, NaN for missing.

What a matrix looks like (`matrix_evidence`, used by `looks_like` and by the sample-table readers to
refuse a matrix): a header of at least 2 cells and first data rows of the header's width whose value
cells (all but the first) are all numbers or MISSING, with at least one number, and one of:
  a. at least half of the row ids are feature ids no sample label looks like (FEATURE_ID: Ensembl
     gene/transcript/protein ids, RefSeq accessions, pan-cancer `|`-joined site ids, cptac 2019 sites
     `SYMBOL-S123`, variants `SYMBOL_p.E298K`, miRNAs `hsa-miR-...`, `circ_...`);
  b. at least 90% of the header cells after the first contain a digit (sample labels do: S001,
     C3L-00006, TCGA-A5-A0G1) while the row ids do not look like sample labels (`labels_alike`:
     every id has a digit, and all share one letter/digit skeleton or one length with the same
     punctuation at the same places);
  c. the file is named .cct or .cbt.
`looks_like` also leaves out a table whose first header cell names an attribute list (`attrib_name`:
a .tsi with attributes as rows can be all numbers under sample-label columns); the tsi reader
refuses such a file only by rule a.
A sample table is the other way round: its header names attributes (Age, OS_days: few contain a
digit) and its rows are samples, which share one label pattern; and most have some text values.
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from omicskb.etl.errors import InputError
from omicskb.etl.sources.sample_sheet import ATTRIBUTE_LIST_HEADERS
from omicskb.etl.textio import Head, is_gzip, iter_lines

SOURCE_KIND = "matrix"
DESCRIPTION = "a feature x sample matrix (.cct/.cbt, idx table)"
LOAD_COMMAND = "omicskb load matrix"
FORMATS = ("cct", "cbt", "tsv")
MISSING = ("", "NA", "NaN", "nan", "NAN", "N/A", "n/a", "NULL", "null", "#N/A", "-NaN", "-nan", "na")
_MISSING_SET = frozenset(MISSING)


@dataclasses.dataclass
class MatrixData:
    path: Path
    format: str
    id_header: str
    feature_ids: list[str]
    feature_lines: list[int]  # file line of each feature row
    samples: list[str]
    sample_columns: list[int]  # 1-based file column of each sample
    values: np.ndarray  # float64, shape (len(feature_ids), len(samples)); NaN = missing
    row_annotations: dict[str, list[str | None]] = dataclasses.field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]


def check_sample_labels(path: Path, lineno: int, labels: Sequence[str], first_column: int) -> None:
    seen: dict[str, int] = {}
    for offset, label in enumerate(labels):
        column = first_column + offset
        if not label.strip():
            raise InputError(path, lineno, "empty sample label in header", column=column)
        if label in seen:
            raise InputError(path, lineno, f"duplicate sample {label!r} (first in column {seen[label]})", column=column)
        seen[label] = column


def check_feature_ids(path: Path, ids: Sequence[str], lines: Sequence[int]) -> None:
    seen: dict[str, int] = {}
    for feature, line in zip(ids, lines):
        if not feature.strip():
            raise InputError(path, line, "empty feature id", column=1)
        first = seen.setdefault(feature, line)
        if first != line:
            raise InputError(path, line, f"duplicate feature {feature!r} (first on line {first})", column=1)


class NonFinite(ValueError):
    """A cell that parses to plus or minus infinity."""


def parse_value(text: str) -> float:
    """One cell, as the fast path parses it: a float, or NaN for a missing marker.

    Raises NonFinite for infinity and ValueError for anything else that is not a number."""
    text = text.strip()
    if text in _MISSING_SET:
        return math.nan
    if not text.isascii() or "_" in text:  # float() takes '1_0' and other scripts' digits; Arrow does not
        raise ValueError(text)
    value = float(text)
    if math.isinf(value):
        raise NonFinite(text)
    return value


def locate_problem(path: Path, header_line: int, width: int, string_columns: int, data_start_line: int) -> InputError | None:
    """Scan the file line by line for the first problem the fast parser tripped over."""
    for lineno, line in iter_lines(path):
        if lineno < data_start_line:
            continue
        if not line and lineno > header_line:
            return InputError(path, lineno, "blank line inside the matrix")
        fields = line.split("\t")
        if len(fields) != width:
            return InputError(path, lineno, f"ragged row: expected {width} fields like the header (line {header_line}), found {len(fields)}")
        for column, text in enumerate(fields[string_columns:], start=string_columns + 1):
            try:
                parse_value(text)
            except NonFinite:
                return InputError(path, lineno, f"non-finite value {text.strip()[:40]!r}", column=column)
            except ValueError:
                return InputError(path, lineno, f"non-numeric value {text[:40]!r}", column=column)
    return None


class _LineEndStream(io.RawIOBase):
    """The bytes of a file with every run of CRs before an LF (or at the very end) removed.

    Arrow ends a row at a bare CR too, so a file with CR CR LF endings would get an empty row per
    line; through this stream Arrow splits rows exactly where `iter_lines` splits lines."""

    def __init__(self, raw) -> None:
        super().__init__()
        self._raw = raw
        self._carry = b""  # CRs at the end of the last chunk: their LF may start the next one
        self._out = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._out:
            chunk = self._raw.read(1 << 20)
            if not chunk:
                self._carry = b""  # CRs that end the file are part of the last line's ending
                return 0
            data = self._carry + chunk
            kept = data.rstrip(b"\r")
            self._carry = data[len(kept) :]
            self._out = _CR_BEFORE_LF.sub(b"\n", kept)
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


_CR_BEFORE_LF = re.compile(rb"\r+\n")


def _arrow_table(path: Path, names: list[str], types: dict, data_start_line: int, normalise_line_ends: bool):
    import gzip

    import pyarrow as pa
    import pyarrow.csv as pacsv

    read_options = pacsv.ReadOptions(column_names=names, skip_rows=data_start_line - 1, block_size=1 << 24)
    parse_options = pacsv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False, newlines_in_values=False, ignore_empty_lines=False)
    convert_options = pacsv.ConvertOptions(column_types=types, null_values=list(MISSING), strings_can_be_null=False, quoted_strings_can_be_null=False)
    if normalise_line_ends:
        raw = gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")
        stream = io.BufferedReader(_LineEndStream(raw), buffer_size=1 << 20)
    else:
        stream = pa.input_stream(str(path), compression="gzip" if is_gzip(path) else None)
    with stream:
        return pacsv.read_csv(stream, read_options=read_options, parse_options=parse_options, convert_options=convert_options)


def read_block(
    path: Path,
    *,
    header_line: int,
    column_names: Sequence[str],
    string_columns: int,
    data_start_line: int,
) -> tuple[list[list[str]], np.ndarray, list[int]]:
    """Parse the data rows of a tab-separated block: `string_columns` text columns, then numbers.

    `column_names` are the header's cells (all columns); data begins at file line `data_start_line`
    (1-based) and runs to the end of the file. Returns (text columns, float64 values, file lines).
    Raises InputError for a bad cell (non-numeric or non-finite), a ragged row or an empty block.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    width = len(column_names)
    names = [f"c{i}" for i in range(width)]  # header cells may repeat or be empty; checked elsewhere
    types = {name: (pa.string() if i < string_columns else pa.float64()) for i, name in enumerate(names)}
    table = None
    # Arrow's own reading first (fast, multithreaded); if it fails or yields an empty id, which a
    # bare CR before the LF also causes, once more with iter_lines' line endings; then the exact scan.
    for normalise in (False, True):
        try:
            table = _arrow_table(path, names, types, data_start_line, normalise)
        except (pa.ArrowInvalid, pa.ArrowException, OSError, EOFError) as exc:
            error = exc
            table = None
            continue
        if table.num_rows == 0 or not pc.any(pc.equal(table.column(0), "")).as_py():
            break
    if table is None:
        # Arrow's messages name neither line nor column: find them (or the gzip/encoding error) ourselves.
        problem = locate_problem(path, header_line, width, string_columns, data_start_line)
        if problem is not None:
            raise problem from None
        raise InputError(path, None, f"cannot parse matrix: {str(error).splitlines()[0]}") from None
    if table.num_rows == 0:
        raise InputError(path, data_start_line, "matrix has a header but no data rows")
    text_columns = [table.column(i).to_pylist() for i in range(string_columns)]
    values = np.empty((table.num_rows, width - string_columns), dtype=np.float64)
    for j in range(string_columns, width):
        values[:, j - string_columns] = table.column(j).to_numpy()  # nulls become NaN
    # Arrow reports no line numbers; rows are one per line (empty lines are kept and would fail above).
    lines = list(range(data_start_line, data_start_line + table.num_rows))
    infinite = np.isinf(values)
    if infinite.any():
        row, col = (int(i) for i in np.argwhere(infinite)[0])  # the first in file order
        column = string_columns + col + 1
        raise InputError(path, lines[row], f"non-finite value {_cell_text(path, lines[row], column)!r}", column=column)
    return text_columns, values, lines


def _cell_text(path: Path, lineno: int, column: int) -> str:
    """The text of one cell (1-based line and column), for an error message."""
    for number, line in iter_lines(path):
        if number == lineno:
            fields = line.split("\t")
            return fields[column - 1].strip()[:40] if column <= len(fields) else ""
    return ""


def read(path: str | Path, format: str = "cct") -> MatrixData:
    """Read a .cct/.cbt/.tsv/`idx` matrix (plain or gzip). Raises InputError naming file:line:column."""
    path = Path(path)
    lines = iter_lines(path)
    header_line, header = next(lines)
    lines.close()
    if "\r" in header:
        raise InputError(path, header_line, "lines end in a bare CR (classic Mac line endings); save the file with LF or CRLF endings")
    cells = header.split("\t")
    if len(cells) < 2:
        raise InputError(path, header_line, "header has no sample columns (is the file tab-separated?)")
    check_sample_labels(path, header_line, cells[1:], first_column=2)
    (ids,), values, feature_lines = read_block(path, header_line=header_line, column_names=cells, string_columns=1, data_start_line=header_line + 1)
    check_feature_ids(path, ids, feature_lines)
    if format == "cbt":
        present = values[~np.isnan(values)]
        bad = np.flatnonzero((present != 0) & (present != 1))
        if bad.size:
            row, col = np.argwhere(~np.isnan(values) & (values != 0) & (values != 1))[0]
            line, column = feature_lines[row], int(col) + 2
            raise InputError(path, line, f"binary (.cbt) value {_cell_text(path, line, column)!r} is not 0 or 1", column=column)
    return MatrixData(
        path=path,
        format=format,
        id_header=cells[0],
        feature_ids=ids,
        feature_lines=feature_lines,
        samples=cells[1:],
        sample_columns=list(range(2, len(cells) + 1)),
        values=values,
    )


# ------------------------------------------------------------------------------ what a matrix looks like

# Row ids that are features and never sample labels (see the module docstring, rule a).
FEATURE_ID = re.compile(
    r"ENS[A-Z]*[GTP]\d{11}(?:\.\d+)?(?:_PAR_Y)?"  # Ensembl gene, transcript, protein
    r"|[NXY][MRP]_\d+(?:\.\d+)?"  # RefSeq accession (GCT row ids)
    r"|[^|]+(?:\|[^|]*){2,}"  # pan-cancer site: ENSG|ENSP|S123|PEPTIDE|1
    r"|\S+-[STYK]\d+(?:[STYK]\d+)*"  # cptac 2019 site: AAAS-S495, HLA-DRA-K100
    r"|\S+_p\.\S+"  # variant: A1BG_p.E298K
    r"|(?:hsa|mmu|rno)-(?:mir|miR|let)-\S+"  # miRNA
    r"|circ_\S+"  # circular RNA
)
EXAMINED_ROWS = 200  # data rows a reader looks at to tell a matrix from a sample table


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _skeleton(text: str) -> str:
    return re.sub(r"[^\W\d_]+", "a", re.sub(r"\d+", "9", text))


def _punctuation(text: str) -> tuple:
    return (len(text), tuple((i, ch) for i, ch in enumerate(text) if not ch.isalnum()))


def labels_alike(ids: Sequence[str]) -> bool:
    """True when `ids` look like one cohort's sample labels: each has a digit, and all share one
    skeleton (letter runs -> a, digit runs -> 9: S1 and S100) or one length with the same
    punctuation at the same places (TCGA-A5-A0G1 and TCGA-AJ-A3BH)."""
    if not ids or not all(_has_digit(i) for i in ids):
        return False
    return len({_skeleton(i) for i in ids}) == 1 or len({_punctuation(i) for i in ids}) == 1


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _examples(cells: Sequence[str], n: int = 3) -> str:
    shown = ", ".join(repr(c[:30]) for c in cells[:n])
    return shown + (", ..." if len(cells) > n else "")


def matrix_evidence(header: Sequence[str], rows: Sequence[Sequence[str]], name: str | None = None) -> str | None:
    """Why a table (header cells, first data rows' cells) is a feature x sample matrix, or None.

    The rule is the module docstring's; `name` is the file name (rule c)."""
    if len(header) < 2:
        return None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows or any(len(r) != len(header) for r in rows):
        return None  # ragged or empty: not a clean matrix; the readers say what is wrong
    present = 0
    for row in rows:
        for cell in row[1:]:
            cell = cell.strip()
            if cell in _MISSING_SET:
                continue
            if not _is_number(cell):
                return None
            present += 1
    if present == 0:
        return None
    ids = [r[0].strip() for r in rows]
    features = [i for i in ids if FEATURE_ID.fullmatch(i)]
    if 2 * len(features) >= len(ids):
        return f"its rows are features ({_examples(features)}) and every value is a number"
    labels = [c.strip() for c in header[1:]]
    if sum(_has_digit(c) for c in labels) >= 0.9 * len(labels) and not labels_alike(ids):
        return f"its header names samples ({_examples(labels)}), its rows features ({_examples(ids)}), and every value is a number"
    if name is not None and name.lower().removesuffix(".gz").endswith((".cct", ".cbt")):
        return f"it is named {name} and every value is a number"
    return None


def looks_like(head: Head) -> bool:
    """A matrix by `matrix_evidence` on the first lines; not a GCT file (`#1.x` first) and not a
    table whose first header cell names an attribute list (`attrib_name`: a .tsi with attributes as
    rows, which may be all numbers over sample-label columns)."""
    header = head.cells(0)
    if not header or header[0].startswith("#1.") or header[0].lower() in ATTRIBUTE_LIST_HEADERS:
        return False
    return matrix_evidence(head.cells(0), head.rows(1), head.path.name) is not None


def refuse_matrix(path: Path, header_line: int, header: Sequence[str], rows: Sequence[Sequence[str]], what: str) -> None:
    """Raise, at the header line, when a table given to a sample-table reader is a matrix."""
    reason = matrix_evidence(header, rows[:EXAMINED_ROWS], path.name)
    if reason is not None:
        raise InputError(path, header_line, f"this looks like {DESCRIPTION}, not {what}: {reason}; load it with '{LOAD_COMMAND}'")
