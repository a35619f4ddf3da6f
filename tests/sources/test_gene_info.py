"""Tests for etl.sources.gene_info on a cut of the real Homo_sapiens.gene_info."""

from __future__ import annotations

import functools
import datetime
import gzip
import inspect
import os
import time
from pathlib import Path

import pytest
from fixture_edits import fixture_lines, with_field, write_lines

from omicskb.etl.errors import InputError
from omicskb.etl.sources import gene_info
from omicskb.etl.sources.gene_info import GeneInfoRecord

DATA = Path(__file__).resolve().parents[1] / "data" / "ncbi"
FIXTURE = DATA / "gene_info_il7_and_edge_cases.tsv"


_lines = functools.partial(fixture_lines, FIXTURE)
_write = functools.partial(write_lines, name="gene_info.tsv")
_with_field = functools.partial(with_field, FIXTURE, name="gene_info.tsv")


def _by_symbol() -> dict[str, GeneInfoRecord]:
    """Unique symbols only (HBD is used by two genes)."""
    return {r.symbol: r for r in gene_info.read(FIXTURE) if r.symbol != "HBD"}


def _by_symbol_at(path: Path, symbol: str) -> GeneInfoRecord:
    (record,) = [r for r in gene_info.read(path) if r.symbol == symbol]
    return record


def test_columns_match_fixture_header() -> None:
    assert gene_info.COLUMNS == tuple(_lines()[0].split("\t"))
    assert len(gene_info.COLUMNS) == 16 and gene_info.COLUMNS[0] == "#tax_id"


def test_read_streams() -> None:
    assert inspect.isgenerator(gene_info.read(FIXTURE))


def test_il7_record() -> None:
    il7 = _by_symbol()["IL7"]
    assert il7 == GeneInfoRecord(
        line=3,
        tax_id="9606",
        gene_id="3574",
        symbol="IL7",
        locus_tag=None,
        synonyms=("IL-7",),
        xrefs=(("MIM", "146660"), ("MIM", "618309"), ("Ensembl", "ENSG00000104432")),
        chromosome="8",
        map_location="8q21.13",
        description="interleukin 7",
        type_of_gene="protein-coding",
        nomenclature_symbol=None,
        nomenclature_name=None,
        nomenclature_status=None,
        other_designations=(),
        modification_date=datetime.date(2022, 9, 12),
        feature_type=None,
    )


def test_all_rows_in_order() -> None:
    records = list(gene_info.read(FIXTURE))
    assert [(r.line, r.gene_id, r.symbol) for r in records] == [
        (2, "3045", "HBD"),
        (3, "3574", "IL7"),
        (4, "3575", "IL7R"),
        (5, "3581", "IL9R"),
        (6, "3609", "ILF3"),
        (7, "58538", "MPP4"),
        (8, "619538", "OMS"),
        (9, "100187828", "HBD"),
    ]


def test_edge_cases() -> None:
    genes = _by_symbol()
    il9r = genes["IL9R"]
    assert (il9r.chromosome, il9r.map_location) == ("X|Y", "Xq28 and Yq12")
    ilf3 = genes["ILF3"]
    assert len(ilf3.synonyms) == 23 and ilf3.synonyms[:3] == ("CBTF", "DRBF", "DRBP76")
    # MPP4 is ILF3's alias and MPP4's own symbol.
    assert "MPP4" in ilf3.synonyms and genes["MPP4"].gene_id == "58538"
    oms = genes["OMS"]
    assert oms.xrefs == () and oms.type_of_gene == "unknown"
    assert oms.chromosome == "3|10|19" and oms.synonyms == ("COME/ROM",)
    assert genes["IL7R"].synonyms[-1] == "lnc-IL7R"
    hbd = [r for r in gene_info.read(FIXTURE) if r.symbol == "HBD"]
    assert [(r.gene_id, r.chromosome, r.description) for r in hbd] == [
        ("3045", "11", "hemoglobin subunit delta"),
        ("100187828", None, "hypophosphatemic bone disease"),
    ]


def test_xrefs_split_on_first_colon(tmp_path: Path) -> None:
    path = _with_field(tmp_path, 3, 6, "MIM:146660|HGNC:HGNC:6023|Ensembl:ENSG00000104432")
    il7 = _by_symbol_at(path, "IL7")
    assert il7.xrefs == (("MIM", "146660"), ("HGNC", "HGNC:6023"), ("Ensembl", "ENSG00000104432"))


def test_optional_fields_filled(tmp_path: Path) -> None:
    lines = _lines()
    fields = lines[2].split("\t")
    fields[3], fields[10], fields[11], fields[12] = "LT1", "IL7", "interleukin 7", "O"
    fields[13], fields[15] = "interleukin-7|IL-7 protein", "-"
    lines[2] = "\t".join(fields)
    il7 = _by_symbol_at(_write(tmp_path, lines), "IL7")
    assert (il7.locus_tag, il7.nomenclature_symbol, il7.nomenclature_name, il7.nomenclature_status) == (
        "LT1",
        "IL7",
        "interleukin 7",
        "O",
    )
    assert il7.other_designations == ("interleukin-7", "IL-7 protein")


def test_reads_gzip(tmp_path: Path) -> None:
    path = tmp_path / "Homo_sapiens.gene_info.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert [r.symbol for r in gene_info.read(path)] == [r.symbol for r in gene_info.read(FIXTURE)]


def test_wrong_header(tmp_path: Path) -> None:
    lines = _lines()
    lines[0] = lines[0].replace("Synonyms", "Aliases")
    with pytest.raises(InputError) as exc:
        list(gene_info.read(_write(tmp_path, lines)))
    assert exc.value.line == 1 and "'Synonyms'" in exc.value.reason


def test_ragged_row(tmp_path: Path) -> None:
    lines = _lines()
    lines[2] += "\textra"
    with pytest.raises(InputError) as exc:
        list(gene_info.read(_write(tmp_path, lines)))
    assert exc.value.line == 3 and "expected 16 fields, found 17" in exc.value.reason


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (1, "human", "tax id 'human' is not a number"),
        (2, "3574a", "GeneID '3574a' is not a number"),
        (3, "-", "missing gene symbol"),
        (6, "MIM146660", "dbXref 'MIM146660' is not database:accession"),
        (6, "MIM:", "dbXref 'MIM:' is not database:accession"),
        (10, "protein_coding", "unknown type_of_gene 'protein_coding'"),
        (15, "2022-09-12", "date '2022-09-12' is not YYYYMMDD"),
        (15, "20220230", "date '20220230' is not a calendar date"),
    ],
)
def test_bad_field(tmp_path: Path, column: int, value: str, reason: str) -> None:
    with pytest.raises(InputError) as exc:
        list(gene_info.read(_with_field(tmp_path, 4, column, value)))
    assert (exc.value.line, exc.value.column, exc.value.reason) == (4, column, reason)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "gene_info.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(gene_info.read(path))


def test_non_utf8_byte(tmp_path: Path) -> None:
    raw = FIXTURE.read_bytes().replace(b"interleukin 9 receptor", b"interleukin 9 r\xe9ceptor")
    path = tmp_path / "gene_info.tsv"
    path.write_bytes(raw)
    with pytest.raises(InputError) as exc:
        list(gene_info.read(path))
    assert exc.value.line == 5 and "0xe9" in exc.value.reason


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "gene_info.tsv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        list(gene_info.read(path))


@pytest.mark.realdata
def test_realdata_full_file() -> None:
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    path = Path(root) / "ncbi" / "Homo_sapiens.gene_info.gz"
    start = time.perf_counter()
    count = 0
    il7 = None
    for record in gene_info.read(path):
        count += 1
        if record.gene_id == "3574":
            il7 = record
    elapsed = time.perf_counter() - start
    assert count == 77_614
    assert il7 is not None and il7.symbol == "IL7" and ("Ensembl", "ENSG00000104432") in il7.xrefs
    print(f"gene_info: {count} rows in {elapsed:.2f}s")
