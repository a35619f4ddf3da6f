"""One formatter for tabular results (an Arrow table) in every format the CLI offers.

table: aligned columns for a terminal; tsv/csv: one header line then rows (the header even with
zero rows); json: an array of objects; jsonl: one object per line; parquet: the Arrow table as it
is, types included. NULL is an empty field in tsv/csv, `null` in JSON, and `NULL` in a table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import sys
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

FORMATS = ("table", "tsv", "csv", "json", "jsonl", "parquet", "rnk")
_BY_SUFFIX = {".tsv": "tsv", ".txt": "tsv", ".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".rnk": "rnk"}


class OutputError(ValueError):
    """A format that cannot go where it was asked to (parquet to a terminal)."""


def choose_format(requested: str | None, path: str | Path | None, stream: IO | None = None) -> str:
    """The format asked for; else the output file's suffix; else table on a terminal, tsv when piped."""
    if requested:
        return requested
    if path is not None and str(path) != "-":
        return _BY_SUFFIX.get(Path(path).suffix.lower(), "tsv")
    stream = stream or sys.stdout
    return "table" if stream.isatty() else "tsv"


def _text(value: Any) -> str:
    """A value as tsv/csv/table text: floats as Python writes them (shortest exact), no trailing zeros lost."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) if v is not None else "NULL" for v in value) + "]"
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN; missing stays missing
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()


def write(table: pa.Table, fmt: str, out: IO[str] | None = None, *, path: str | Path | None = None) -> None:
    """Write `table` as `fmt` to the open text stream `out` (stdout), or to the file `path`.

    A file is written beside its final name and renamed, so a reader never sees half of it."""
    if fmt not in FORMATS:
        raise OutputError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    if fmt == "rnk":
        check_rnk(table)
    if path is not None and str(path) != "-":
        target = Path(path)
        partial = target.with_name(f".{target.name}.partial")
        try:
            if fmt == "parquet":
                import pyarrow.parquet as pq

                pq.write_table(table, partial)
            else:
                with open(partial, "w", encoding="utf-8", newline="") as handle:
                    _write_text(table, fmt, handle)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return
    out = out or sys.stdout
    if fmt == "parquet":
        if out.isatty():
            raise OutputError("parquet is binary: write it to a file with -o FILE.parquet, or pipe it")
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        out.flush()
        binary = getattr(out, "buffer", None)
        if binary is None:
            raise OutputError("parquet needs a binary output: use -o FILE.parquet")
        binary.write(buffer.getvalue())
        binary.flush()
        return
    _write_text(table, fmt, out)


def check_rnk(table: pa.Table) -> None:
    """A table .rnk can hold: a text first column and a numeric second one, every row named, with a
    finite score, each name once. Raises OutputError naming the first row that is not."""
    if table.num_columns < 2 or not pa.types.is_string(table.schema.types[0]) and not pa.types.is_dictionary(table.schema.types[0]) \
            or not (pa.types.is_floating(table.schema.types[1]) or pa.types.is_integer(table.schema.types[1])):
        raise OutputError(f"rnk writes a name and a score: the first two columns must be text and a number, not {table.schema.types[:2]}")
    names, scores = table.column(0).to_pylist(), table.column(1).to_pylist()
    seen: set[str] = set()
    for row, (name, score) in enumerate(zip(names, scores), 1):
        if not name:
            raise OutputError(f"rnk: row {row} has no name")
        if score is None or not math.isfinite(score):
            raise OutputError(f"rnk: row {row} ({name}) has no finite score ({score}): GSEA tools need a number on every line")
        if name in seen:
            raise OutputError(f"rnk: {name} appears twice (row {row}): GSEA tools need each name once")
        seen.add(name)


def _write_text(table: pa.Table, fmt: str, out: IO[str]) -> None:
    names = table.column_names
    if fmt == "rnk":
        for name, score in zip(table.column(0).to_pylist(), table.column(1).to_pylist()):
            out.write(f"{name}\t{score!r}\n")
        return
    if fmt in ("tsv", "csv"):
        writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
        writer.writerow(names)
        for row in _rows(table):
            writer.writerow([_text(row[n]) for n in names])
    elif fmt == "json":
        out.write(json.dumps([{k: _json_value(v) for k, v in row.items()} for row in _rows(table)], indent=2, ensure_ascii=False) + "\n")
    elif fmt == "jsonl":
        for row in _rows(table):
            out.write(json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
    else:
        out.write(render_table(table) + "\n")


def render_table(table: pa.Table, max_width: int = 60) -> str:
    """Aligned columns (numbers to the right), a rule under the header, and the row count."""
    names = table.column_names
    rows = _rows(table)
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) for t in table.schema.types]

    def cell(value: Any) -> str:
        text = "NULL" if value is None else _text(value)
        if isinstance(value, float) and math.isfinite(value):
            text = f"{value:.6g}"
        text = " ".join(text.split()) if ("\n" in text or "\t" in text) else text
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(row[n]) for n in names] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    out = [line(names), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def write_rows(rows: list[dict[str, Any]], schema: pa.Schema, fmt: str, *, path: str | Path | None = None) -> None:
    """`write` for rows a command built itself (dicts with the schema's keys): the same formats,
    and the header even with zero rows."""
    table = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
    write(table, fmt, path=path)
