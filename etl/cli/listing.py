"""The options and output of the list commands (`datasets`, `runs`, `releases`): text unless asked
otherwise, else the formats of `omicskb query` through etl.output's one formatter."""

from __future__ import annotations

from typing import Any

import click
import pyarrow as pa

from omicskb.etl.output import FORMATS, OutputError, choose_format, write_rows

LIST_FORMAT = click.option("--format", "-f", "fmt", type=click.Choice(["text", *FORMATS]), default=None,
                           help="text [default], or a table format as for 'omicskb query' (with an output file: its suffix).")


def output_option(*short: str):
    """--output FILE (with a short name where the command has none of its own: `datasets` uses -o for --omics)."""
    return click.option("--output", *short, "output", type=click.Path(dir_okay=False, writable=True), default=None,
                        help="Write to FILE (its suffix picks the format).")


def list_format(fmt: str | None, output: str | None) -> str:
    """text unless asked otherwise; with an output file, its suffix picks the format (as for 'omicskb query')."""
    if fmt == "text" and output:
        raise click.UsageError("--format text goes to the terminal; to a file use tsv, csv, json, jsonl or parquet")
    if fmt is None:
        return choose_format(None, output) if output else "text"
    return fmt


def write_listing(rows: list[dict[str, Any]], schema: pa.Schema, fmt: str, output: str | None) -> None:
    """The rows (dicts holding at least the schema's keys) in a table format; a format that cannot go
    where it was asked to (parquet to a terminal) is a usage error."""
    try:
        write_rows(rows, schema, fmt, path=output)
    except OutputError as exc:
        raise click.UsageError(str(exc)) from None
