"""The list commands (datasets, runs, releases) write every shared format as `omicskb query` does:
the same columns in each, the header with zero rows, and text unless asked otherwise."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest

from omicskb.etl.cli.admin import RUN_COLUMNS
from omicskb.etl.cli.datasets import DATASET_COLUMNS
from omicskb.etl.cli.undo import RELEASE_COLUMNS

LISTINGS = {"datasets": (("datasets",), DATASET_COLUMNS), "runs": (("runs", "--limit", "5"), RUN_COLUMNS), "releases": (("releases", "--all"), RELEASE_COLUMNS)}


@pytest.mark.parametrize("listing", sorted(LISTINGS))
def test_each_format_has_the_same_rows(seeded, omicskb, listing, tmp_path):
    args, schema = LISTINGS[listing]
    text = omicskb(seeded, *args)
    assert text.exit_code == 0 and not text.output.startswith(schema.names[0] + "\t")  # text by default, even when piped
    tsv = list(csv.reader(io.StringIO(omicskb(seeded, *args, "--format", "tsv").output), delimiter="\t"))
    assert tsv[0] == schema.names and len(tsv) > 2
    as_csv = list(csv.reader(io.StringIO(omicskb(seeded, *args, "--format", "csv").output)))
    assert as_csv == tsv
    rows = json.loads(omicskb(seeded, *args, "--format", "json").output)
    assert [list(r) for r in rows] == [schema.names] * len(rows) and len(rows) == len(tsv) - 1
    lines = omicskb(seeded, *args, "--format", "jsonl").output.splitlines()
    assert [json.loads(line) for line in lines] == rows
    table = omicskb(seeded, *args, "--format", "table").output.splitlines()
    assert table[0].split() == schema.names and set(table[1]) <= {"-", " "}
    result = omicskb(seeded, *args, "--output", tmp_path / "out.parquet")
    assert result.exit_code == 0, result.output
    read = pq.read_table(tmp_path / "out.parquet")
    assert read.schema.names == schema.names and read.num_rows == len(rows)
    assert [str(v) if v is not None else "" for v in read.column(schema.names[0]).to_pylist()] == [r[0] for r in tsv[1:]]
    refused = omicskb(seeded, *args, "--format", "text", "--output", tmp_path / "out.txt")
    assert refused.exit_code == 2 and "to a file use" in refused.output


def test_an_empty_listing_still_writes_its_header(target, omicskb):
    empty = {"datasets": ("datasets",), "runs": ("runs", "--limit", "0")}  # a new database already holds the cohort vocabulary's release
    for name, (_, schema) in LISTINGS.items():
        if name not in empty:
            continue
        args = empty[name]
        for fmt in ("tsv", "csv", "table", "json"):
            result = omicskb(target, *args, "--format", fmt)
            assert result.exit_code == 0, result.output
            if fmt == "json":
                assert json.loads(result.output) == []
            else:
                first = result.output.splitlines()[0]
                assert first.replace(",", " ").replace("\t", " ").split() == schema.names, (args, fmt)
    assert omicskb(target, "datasets", "--omics", "rna", "--format", "tsv").output.splitlines() == ["\t".join(DATASET_COLUMNS.names)]
