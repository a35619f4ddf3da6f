"""Tests for etl.sources.gene_orthologs on a hand-written fixture in NCBI's published layout.

No real gene_orthologs file is obtainable here, so there is no realdata test.
"""

from __future__ import annotations

import gzip
import inspect
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import gene_orthologs
from omicskb.etl.sources.gene_orthologs import OrthologRecord

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ncbi" / "gene_orthologs_il7_human_mouse.tsv"
HEADER = "#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID"
IL7_LINE = "9606\t3574\tOrtholog\t10090\t16196"


def _write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "gene_orthologs.tsv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def test_columns_match_fixture_header() -> None:
    assert gene_orthologs.COLUMNS == tuple(FIXTURE.read_text(encoding="utf-8").splitlines()[0].split("\t"))


def test_il7_human_mouse() -> None:
    assert inspect.isgenerator(gene_orthologs.read(FIXTURE))
    assert list(gene_orthologs.read(FIXTURE)) == [
        OrthologRecord(line=2, tax_id="9606", gene_id="3574", relationship="Ortholog", other_tax_id="10090", other_gene_id="16196")
    ]


def test_reads_gzip(tmp_path: Path) -> None:
    path = tmp_path / "gene_orthologs.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert [r.other_gene_id for r in gene_orthologs.read(path)] == ["16196"]


def test_wrong_header(tmp_path: Path) -> None:
    path = _write(tmp_path, IL7_LINE, header=HEADER.replace("Other_GeneID", "other_GeneID"))
    with pytest.raises(InputError) as exc:
        list(gene_orthologs.read(path))
    assert exc.value.line == 1 and "missing 'Other_GeneID'" in exc.value.reason


def test_ragged_row(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        list(gene_orthologs.read(_write(tmp_path, IL7_LINE, "9606\t3574\tOrtholog\t10090")))
    assert exc.value.line == 3 and "expected 5 fields, found 4" in exc.value.reason


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("Hs\t3574\tOrtholog\t10090\t16196", 1, "tax id 'Hs' is not a number"),
        ("9606\tIL7\tOrtholog\t10090\t16196", 2, "GeneID 'IL7' is not a number"),
        ("9606\t3574\t-\t10090\t16196", 3, "missing relationship"),
        ("9606\t3574\tOrtholog\tmouse\t16196", 4, "other tax id 'mouse' is not a number"),
        ("9606\t3574\tOrtholog\t10090\tIl7", 5, "other GeneID 'Il7' is not a number"),
    ],
)
def test_bad_field(tmp_path: Path, row: str, column: int, reason: str) -> None:
    with pytest.raises(InputError) as exc:
        list(gene_orthologs.read(_write(tmp_path, IL7_LINE, row)))
    assert (exc.value.line, exc.value.column, exc.value.reason) == (3, column, reason)


def test_truncated_gzip(tmp_path: Path) -> None:
    # Enough rows that half of the compressed stream ends mid-data.
    text = HEADER + "\n" + "".join(f"9606\t{3574 + i}\tOrtholog\t10090\t{16196 + i}\n" for i in range(500))
    data = gzip.compress(text.encode())
    path = tmp_path / "gene_orthologs.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(gene_orthologs.read(path))


def test_non_utf8_byte(tmp_path: Path) -> None:
    path = tmp_path / "gene_orthologs.tsv"
    path.write_bytes((HEADER + "\n" + IL7_LINE + "\n").encode() + b"9606\t3574\tOrth\xf6log\t10090\t16196\n")
    with pytest.raises(InputError) as exc:
        list(gene_orthologs.read(path))
    assert exc.value.line == 3 and "0xf6" in exc.value.reason
