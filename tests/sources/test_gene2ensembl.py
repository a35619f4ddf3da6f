"""Tests for etl.sources.gene2ensembl on a hand-written fixture in NCBI's published layout.

No real gene2ensembl file is obtainable here, so there is no realdata test.
"""

from __future__ import annotations

import gzip
import inspect
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import gene2ensembl
from omicskb.etl.sources.gene2ensembl import Gene2EnsemblRecord

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ncbi" / "gene2ensembl_il7_primary.tsv"
HEADER = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
IL7_LINE = "9606\t3574\tENSG00000104432.14\tNM_000880.4\tENST00000263851.9\tNP_000871.1\tENSP00000263851.4"


def _write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "gene2ensembl.tsv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def test_columns_match_fixture_header() -> None:
    assert gene2ensembl.COLUMNS == tuple(HEADER.split("\t"))
    assert len(gene2ensembl.COLUMNS) == 7


def test_il7_primary_pair() -> None:
    assert inspect.isgenerator(gene2ensembl.read(FIXTURE))
    assert list(gene2ensembl.read(FIXTURE)) == [
        Gene2EnsemblRecord(
            line=2,
            tax_id="9606",
            gene_id="3574",
            ensembl_gene="ENSG00000104432",
            ensembl_gene_version="14",
            refseq_rna="NM_000880.4",
            ensembl_transcript="ENST00000263851",
            ensembl_transcript_version="9",
            refseq_protein="NP_000871.1",
            ensembl_protein="ENSP00000263851",
            ensembl_protein_version="4",
        )
    ]


def test_unversioned_ids_and_missing_pair(tmp_path: Path) -> None:
    rows = (
        "9606\t3574\tENSG00000104432\tNM_000880.4\tENST00000263851\tNP_000871.1\tENSP00000263851",
        "9606\t3574\tENSG00000104432\t-\t-\t-\t-",
    )
    first, second = gene2ensembl.read(_write(tmp_path, *rows))
    assert (first.ensembl_gene, first.ensembl_gene_version) == ("ENSG00000104432", None)
    assert (first.ensembl_transcript, first.ensembl_transcript_version) == ("ENST00000263851", None)
    assert (first.ensembl_protein, first.ensembl_protein_version) == ("ENSP00000263851", None)
    assert (second.line, second.refseq_rna, second.ensembl_transcript, second.ensembl_transcript_version) == (3, None, None, None)
    assert (second.refseq_protein, second.ensembl_protein, second.ensembl_protein_version) == (None, None, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ENST00000263851.9", ("ENST00000263851", "9")),
        ("ENSG00000182378.14_PAR_Y", ("ENSG00000182378_PAR_Y", "14")),
        ("ENSG00000182378_PAR_Y", ("ENSG00000182378_PAR_Y", None)),
        ("FBgn0040373", ("FBgn0040373", None)),
        ("ENSG00000104432.014", ("ENSG00000104432", "014")),
    ],
)
def test_split_version(value: str, expected: tuple[str, str | None]) -> None:
    assert gene2ensembl.split_version("x", 1, value, 3) == expected


def test_reads_gzip(tmp_path: Path) -> None:
    path = tmp_path / "gene2ensembl.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert [r.ensembl_transcript for r in gene2ensembl.read(path)] == ["ENST00000263851"]


def test_wrong_header(tmp_path: Path) -> None:
    path = _write(tmp_path, IL7_LINE, header=HEADER.replace("#tax_id", "tax_id"))
    with pytest.raises(InputError) as exc:
        list(gene2ensembl.read(path))
    assert exc.value.line == 1 and "missing '#tax_id'" in exc.value.reason


def test_ragged_row(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        list(gene2ensembl.read(_write(tmp_path, IL7_LINE, IL7_LINE + "\t-")))
    assert exc.value.line == 3 and "expected 7 fields, found 8" in exc.value.reason


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (1, "9606a", "tax id '9606a' is not a number"),
        (2, "-", "GeneID '-' is not a number"),
        (3, "-", "missing Ensembl gene identifier"),
        (3, "ENSG00000104432.x14", "identifier 'ENSG00000104432.x14' has a bad version suffix"),
        (4, "NM_000880", "RefSeq accession 'NM_000880' is not accession.version"),
        (5, "ENST00000263851.", "identifier 'ENST00000263851.' has a bad version suffix"),
        (6, "NP_000871.v1", "RefSeq accession 'NP_000871.v1' is not accession.version"),
        (7, ".4", "identifier '.4' has a bad version suffix"),
    ],
)
def test_bad_field(tmp_path: Path, column: int, value: str, reason: str) -> None:
    fields = IL7_LINE.split("\t")
    fields[column - 1] = value
    with pytest.raises(InputError) as exc:
        list(gene2ensembl.read(_write(tmp_path, IL7_LINE, "\t".join(fields))))
    assert (exc.value.line, exc.value.column, exc.value.reason) == (3, column, reason)


def test_truncated_gzip(tmp_path: Path) -> None:
    text = HEADER + "\n" + "".join(f"9606\t{i}\tENSG{i:011d}.1\t-\t-\t-\t-\n" for i in range(1, 500))
    data = gzip.compress(text.encode())
    path = tmp_path / "gene2ensembl.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(gene2ensembl.read(path))


def test_non_utf8_byte(tmp_path: Path) -> None:
    path = tmp_path / "gene2ensembl.tsv"
    path.write_bytes(FIXTURE.read_bytes() + b"9606\t3574\tENSG00000104432\xa0\t-\t-\t-\t-\n")
    with pytest.raises(InputError) as exc:
        list(gene2ensembl.read(path))
    assert exc.value.line == 3 and "0xa0" in exc.value.reason
