"""Feature x sample numeric matrices: LinkedOmics .cct/.cbt, cptac 2019 and pan-cancer `idx` tables.

Layout: a header row (id column name, then sample labels), then one row per feature: its id and
one value per sample. Missing values are `NA` (also empty, `NaN`, `NULL`, ...). Values are parsed
by Arrow's multithreaded CSV reader; when Arrow rejects the file, a line-by-line scan finds the
first bad line and column so the error names them exactly.

`read()` returns a MatrixData whose values are a float64 (features x samples) array, NaN for missing.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from omicskb.etl.errors import InputError
from omicskb.etl.textio import is_gzip, iter_lines

SOURCE_KIND = "matrix"
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


def parse_value(text: str) -> float:
    """One cell, as the fast path parses it: a float, or NaN for a missing marker. Raises ValueError."""
    text = text.strip()
    if text in _MISSING_SET:
        return math.nan
    return float(text)


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
            except ValueError:
                return InputError(path, lineno, f"non-numeric value {text[:40]!r}", column=column)
    return None


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
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    width = len(column_names)
    names = [f"c{i}" for i in range(width)]  # header cells may repeat or be empty; checked elsewhere
    types = {name: (pa.string() if i < string_columns else pa.float64()) for i, name in enumerate(names)}
    try:
        stream = pa.input_stream(str(path), compression="gzip" if is_gzip(path) else None)
        table = pacsv.read_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=data_start_line - 1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False, newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=types, null_values=list(MISSING), strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException, OSError, EOFError) as exc:
        # Arrow's messages name neither line nor column: find them (or the gzip/encoding error) ourselves.
        problem = locate_problem(path, header_line, width, string_columns, data_start_line)
        if problem is not None:
            raise problem from None
        raise InputError(path, None, f"cannot parse matrix: {str(exc).splitlines()[0]}") from None
    if table.num_rows == 0:
        raise InputError(path, data_start_line, "matrix has a header but no data rows")
    text_columns = [table.column(i).to_pylist() for i in range(string_columns)]
    values = np.empty((table.num_rows, width - string_columns), dtype=np.float64)
    for j in range(string_columns, width):
        values[:, j - string_columns] = table.column(j).to_numpy()  # nulls become NaN
    # Arrow reports no line numbers; rows are one per line (empty lines are kept and would fail above).
    lines = list(range(data_start_line, data_start_line + table.num_rows))
    return text_columns, values, lines


def read(path: str | Path, format: str = "cct") -> MatrixData:
    """Read a .cct/.cbt/.tsv/`idx` matrix (plain or gzip). Raises InputError naming file:line:column."""
    path = Path(path)
    lines = iter_lines(path)
    header_line, header = next(lines)
    lines.close()
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
            raise InputError(path, feature_lines[row], f"binary (.cbt) value {values[row, col]!r} is not 0 or 1", column=int(col) + 2)
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
