"""Tests for etl.sources.gene2go on a cut of the real gene2go (human)."""

from __future__ import annotations

import functools
import inspect
import os
import time
from collections import Counter
from pathlib import Path

import pytest
from fixture_edits import fixture_lines, with_field, write_lines

from omicskb.etl.errors import InputError
from omicskb.etl.sources import gene2go
from omicskb.etl.sources.gene2go import Gene2GoRecord

DATA = Path(__file__).resolve().parents[1] / "data" / "ncbi"
FIXTURE = DATA / "gene2go_il7_and_edge_cases.tsv"
FIXTURE_GZ = DATA / "gene2go_il7_and_edge_cases.tsv.gz"


_lines = functools.partial(fixture_lines, FIXTURE)
_write = functools.partial(write_lines, name="gene2go.tsv")
_with_field = functools.partial(with_field, FIXTURE, name="gene2go.tsv")


def test_columns_match_fixture_header() -> None:
    assert gene2go.COLUMNS == tuple(_lines()[0].split("\t"))


def test_read_streams() -> None:
    assert inspect.isgenerator(gene2go.read(FIXTURE))


def test_first_il7_row() -> None:
    first = next(gene2go.read(FIXTURE))
    assert first == Gene2GoRecord(
        line=2,
        tax_id="9606",
        gene_id="3574",
        go_id="GO:0001961",
        evidence="IDA",
        qualifier="involved_in",
        is_not=False,
        go_term="positive regulation of cytokine-mediated signaling pathway",
        pubmed=(),
        namespace="biological_process",
    )


def test_counts_per_gene_and_namespace() -> None:
    records = list(gene2go.read(FIXTURE))
    assert len(records) == 111
    assert Counter(r.gene_id for r in records) == {"3574": 29, "3575": 37, "3581": 12, "3609": 23, "58538": 10}
    il7 = [r for r in records if r.gene_id == "3574"]
    assert Counter(r.namespace for r in il7) == {
        "biological_process": 21,
        "molecular_function": 4,
        "cellular_component": 4,
    }
    # The same GO term twice, with different evidence.
    assert [r.evidence for r in il7 if r.go_id == "GO:0005576"] == ["IDA", "TAS"]
    assert {r.qualifier for r in records} == {"enables", "involved_in", "located_in"}
    assert records[-1].line == 112


def test_committed_gzip_matches_plain() -> None:
    assert list(gene2go.read(FIXTURE_GZ)) == list(gene2go.read(FIXTURE))


def test_not_qualifier_pubmed_and_missing_evidence(tmp_path: Path) -> None:
    lines = _lines()
    fields = lines[1].split("\t")
    fields[3], fields[4], fields[6] = "-", "NOT involved_in", "2040476|9780166"
    lines[1] = "\t".join(fields)
    row = next(gene2go.read(_write(tmp_path, lines)))
    assert (row.evidence, row.qualifier, row.is_not, row.pubmed) == (
        None,
        "NOT involved_in",
        True,
        ("2040476", "9780166"),
    )


def test_missing_qualifier(tmp_path: Path) -> None:
    row = next(gene2go.read(_with_field(tmp_path, 2, 5, "-")))
    assert (row.qualifier, row.is_not) == (None, False)


def test_wrong_header(tmp_path: Path) -> None:
    lines = _lines()
    lines[0] = lines[0].replace("GO_ID\tEvidence", "Evidence\tGO_ID")
    with pytest.raises(InputError) as exc:
        list(gene2go.read(_write(tmp_path, lines)))
    assert exc.value.line == 1 and "out of order" in exc.value.reason


def test_ragged_row(tmp_path: Path) -> None:
    lines = _lines()
    lines[9] = lines[9].rsplit("\t", 1)[0]
    with pytest.raises(InputError) as exc:
        list(gene2go.read(_write(tmp_path, lines)))
    assert exc.value.line == 10 and "expected 8 fields, found 7" in exc.value.reason


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (1, "9606.0", "tax id '9606.0' is not a number"),
        (2, "IL7", "GeneID 'IL7' is not a number"),
        (3, "GO:12", "GO id 'GO:12' is not GO: followed by 7 digits"),
        (3, "GO_0005576", "GO id 'GO_0005576' is not GO: followed by 7 digits"),
        (4, "XYZ", "unknown evidence code 'XYZ'"),
        (6, "-", "missing GO term name"),
        (7, "PMID:123", "PubMed id 'PMID:123' is not a number"),
        (8, "process", "unknown category 'process' (expected Process, Component or Function)"),
    ],
)
def test_bad_field(tmp_path: Path, column: int, value: str, reason: str) -> None:
    with pytest.raises(InputError) as exc:
        list(gene2go.read(_with_field(tmp_path, 40, column, value)))
    assert (exc.value.line, exc.value.column, exc.value.reason) == (40, column, reason)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = FIXTURE_GZ.read_bytes()
    path = tmp_path / "gene2go.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(gene2go.read(path))


def test_non_utf8_byte(tmp_path: Path) -> None:
    raw = FIXTURE.read_bytes().replace(b"T cell lineage commitment", b"T cell lineage comm\xffitment")
    path = tmp_path / "gene2go.tsv"
    path.write_bytes(raw)
    with pytest.raises(InputError) as exc:
        list(gene2go.read(path))
    assert exc.value.line == 3 and "0xff" in exc.value.reason


@pytest.mark.realdata
def test_realdata_full_file() -> None:
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    path = Path(root) / "ncbi" / "gene2go.human.gz"
    start = time.perf_counter()
    count = 0
    genes: set[str] = set()
    il7_terms: set[str] = set()
    for record in gene2go.read(path):
        count += 1
        genes.add(record.gene_id)
        if record.gene_id == "3574":
            il7_terms.add(record.go_id)
    elapsed = time.perf_counter() - start
    assert count == 348_116
    assert len(genes) == 20_728
    assert {"GO:0005125", "GO:0005139", "GO:0002360"} <= il7_terms
    print(f"gene2go: {count} rows in {elapsed:.2f}s")
