"""Tests for etl.sources.maf on a cut of the real cptac 2019 UCEC somatic MAF."""

from __future__ import annotations

import csv
import functools
import gzip
import inspect
import os
import time
from collections import Counter
from pathlib import Path

import pytest
from fixture_edits import fixture_lines, with_field, write_lines

from omicskb.etl.errors import InputError
from omicskb.etl.sources import maf
from omicskb.etl.sources.maf import MafRecord

DATA = Path(__file__).resolve().parents[1] / "data" / "cptac"
FIXTURE = DATA / "ucec_somatic_subset.maf"

_lines = functools.partial(fixture_lines, FIXTURE)
_write = functools.partial(write_lines, name="somatic.maf")
_with_field = functools.partial(with_field, FIXTURE, name="somatic.maf")

# 1-based header columns of the fields the bad-input tests edit.
COL_ENTREZ, COL_START, COL_END, COL_CLASS, COL_HGVSC, COL_T_DEPTH = 2, 6, 7, 9, 35, 40


def _gzip(tmp_path: Path, data: bytes, name: str = "somatic.maf.gz") -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data, mtime=0))
    return path


def _csv_rows() -> tuple[list[str], list[list[str]]]:
    """The fixture parsed independently of the reader, by the csv module."""
    with open(FIXTURE, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows[0], rows[1:]


def test_fixture_keeps_the_real_layout() -> None:
    header, rows = _csv_rows()
    assert len(header) == 124 and header[:2] == ["Hugo_Symbol", "Entrez_Gene_Id"] and header[-1] == "ExAC_FILTER"
    # The real file's rows omit the 11 trailing ExAC columns and its lines end in CRLF; the reader must cope.
    assert {len(r) for r in rows} == {113}
    assert FIXTURE.read_bytes().count(b"\r\n") == FIXTURE.read_bytes().count(b"\n") == len(rows) + 1
    assert set(maf.COLUMNS) <= set(header)


def test_read_streams() -> None:
    assert inspect.isgenerator(maf.read(FIXTURE))


def test_first_row() -> None:
    assert next(maf.read(FIXTURE)) == MafRecord(
        line=2,
        hugo_symbol="MXRA8",
        entrez_gene_id=None,
        ensembl_gene="ENSG00000162576",
        chromosome="chr1",
        start=1354730,
        end=1354730,
        variant_classification="Frame_Shift_Del",
        variant_type="DEL",
        reference_allele="G",
        tumor_allele="-",
        tumor_sample_barcode="C3L-00006_T",
        hgvsc="c.901delC",
        hgvsp_short="p.R301Gfs*107",
        transcript_id="ENST00000445648",
        t_depth=182,
        t_alt_count=80,
        tumor_seq_allele1="G",
        matched_norm_sample_barcode="C3L-00006_N",
    )


def test_counts_match_an_independent_parse() -> None:
    header, rows = _csv_rows()
    cls, barcode, gene = (header.index(c) for c in ("Variant_Classification", "Tumor_Sample_Barcode", "Hugo_Symbol"))
    records = list(maf.read(FIXTURE))
    assert len(records) == len(rows) == 69
    assert Counter(r.variant_classification for r in records) == Counter(row[cls] for row in rows)
    assert Counter(r.tumor_sample_barcode for r in records) == Counter(row[barcode] for row in rows)
    assert [r.hugo_symbol for r in records] == [row[gene] for row in rows]
    assert [r.line for r in records] == list(range(2, 71))
    # Every class in the real file is non-silent; the fixture holds all 8 of them.
    assert {r.variant_classification for r in records} <= maf.NONSILENT_CLASSES
    assert len({r.variant_classification for r in records}) == 8
    assert all(r.entrez_gene_id is None for r in records)  # always '0' in this MAF


def test_il7_rows() -> None:
    il7 = [r for r in maf.read(FIXTURE) if r.hugo_symbol == "IL7"]
    assert [(r.tumor_sample_barcode, r.chromosome, r.start, r.hgvsp_short, r.ensembl_gene) for r in il7] == [
        ("C3L-00586_T", "chr8", 78733721, "p.E176*", "ENSG00000104432"),
        ("C3L-00770_T", "chr8", 78740070, "p.E54*", "ENSG00000104432"),
    ]
    assert {r.variant_classification for r in il7} == {"Nonsense_Mutation"}
    assert {maf.tumor_barcode_to_participant(r.tumor_sample_barcode) for r in il7} == {"C3L-00586", "C3L-00770"}


def test_gzip_matches_plain(tmp_path: Path) -> None:
    path = _gzip(tmp_path, FIXTURE.read_bytes())
    assert list(maf.read(path)) == list(maf.read(FIXTURE))


def test_comment_lines_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, ["#version 2.4", "#tumor.aliquots.submitter_id C3L-00006_T"] + _lines())
    records = list(maf.read(path))
    plain = list(maf.read(FIXTURE))
    assert len(records) == len(plain)
    assert records[0].line == 4
    assert [r.hugo_symbol for r in records] == [r.hugo_symbol for r in plain]


def test_columns_found_by_name(tmp_path: Path) -> None:
    """A MAF with the same data in another column order (and full-width rows) reads the same."""
    header, rows = _csv_rows()
    order = list(reversed(range(len(header))))
    padded = [row + [""] * (len(header) - len(row)) for row in rows]
    lines = ["\t".join(header[i] for i in order)] + ["\t".join(row[i] for i in order) for row in padded]
    assert list(maf.read(_write(tmp_path, lines))) == list(maf.read(FIXTURE))


def test_optional_columns_absent(tmp_path: Path) -> None:
    lines = _lines()
    lines[0] = lines[0].replace("\tt_depth\t", "\tt_depth_renamed\t").replace("\tGene\t", "\tGene_renamed\t")
    first = next(maf.read(_write(tmp_path, lines)))
    assert (first.t_depth, first.ensembl_gene, first.t_alt_count) == (None, None, 80)


def test_missing_required_column(tmp_path: Path) -> None:
    lines = ["#version 2.4"] + _lines()
    lines[1] = lines[1].replace("\tTumor_Sample_Barcode\t", "\tTumor_Sample\t")
    with pytest.raises(InputError) as exc:
        list(maf.read(_write(tmp_path, lines)))
    assert exc.value.line == 2 and exc.value.reason == "missing required MAF column 'Tumor_Sample_Barcode'"


def test_repeated_column(tmp_path: Path) -> None:
    lines = _lines()
    lines[0] = lines[0].replace("\tHGVSp\t", "\tHGVSc\t")
    with pytest.raises(InputError) as exc:
        list(maf.read(_write(tmp_path, lines)))
    assert (exc.value.line, exc.value.column) == (1, 36) and "'HGVSc' appears twice" in exc.value.reason


def test_ragged_row(tmp_path: Path) -> None:
    lines = _lines()
    lines[9] = lines[9].rsplit("\t", 1)[0]
    with pytest.raises(InputError) as exc:
        list(maf.read(_write(tmp_path, lines)))
    assert exc.value.line == 10 and exc.value.reason == "ragged row: expected 113 fields like line 2, found 112"


def test_blank_line_is_ragged(tmp_path: Path) -> None:
    lines = _lines()
    lines.insert(5, "")
    with pytest.raises(InputError) as exc:
        list(maf.read(_write(tmp_path, lines)))
    assert exc.value.line == 6 and "found 1" in exc.value.reason


def test_row_wider_than_header(tmp_path: Path) -> None:
    lines = _lines()
    lines[1] += "\t" * 12
    with pytest.raises(InputError) as exc:
        list(maf.read(_write(tmp_path, lines)))
    assert exc.value.line == 2 and "125 fields, but the header (line 1) names 124 columns" in exc.value.reason


def test_rows_too_short_for_a_column_read(tmp_path: Path) -> None:
    lines = [line if i == 0 else "\t".join(line.split("\t")[:45]) for i, line in enumerate(_lines())]
    with pytest.raises(InputError) as exc:
        list(maf.read(_write(tmp_path, lines)))
    assert exc.value.line == 2 and "too few to reach column 'Gene' (column 49" in exc.value.reason


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (COL_START, "78733721.0", "Start_Position '78733721.0' is not a whole number"),
        (COL_START, "", "Start_Position '' is not a whole number"),
        (COL_END, "chr8", "End_Position 'chr8' is not a whole number"),
        (COL_END, "1", "End_Position 1 is before Start_Position 1787414"),
        (COL_START, "0", "Start_Position 0 is not a 1-based position"),
        (COL_T_DEPTH, "6x", "t_depth '6x' is not a whole number"),
        (COL_ENTREZ, "IL7", "Entrez_Gene_Id 'IL7' is not a whole number"),
        (1, "", "empty Hugo_Symbol"),
        (16, ".", "empty Tumor_Sample_Barcode"),
    ],
)
def test_bad_field(tmp_path: Path, column: int, value: str, reason: str) -> None:
    with pytest.raises(InputError) as exc:
        list(maf.read(_with_field(tmp_path, 3, column, value)))
    assert (exc.value.line, exc.value.column, exc.value.reason) == (3, column, reason)
    assert str(exc.value).startswith(f"{tmp_path / 'somatic.maf'}:3:{column}: ")


def test_optional_empty_and_dot(tmp_path: Path) -> None:
    path = _with_field(tmp_path, 3, COL_HGVSC, ".")
    lines = fixture_lines(path)
    fields = lines[2].split("\t")
    fields[COL_T_DEPTH - 1] = ""
    fields[COL_ENTREZ - 1] = "2778"  # a real Entrez id is kept, as text
    lines[2] = "\t".join(fields)
    row = list(maf.read(_write(tmp_path, lines)))[1]
    assert (row.hgvsc, row.t_depth, row.entrez_gene_id) == (None, None, "2778")
    assert row.tumor_allele == "A" and row.reference_allele == "G"


def test_unknown_class_is_returned_as_is(tmp_path: Path) -> None:
    row = list(maf.read(_with_field(tmp_path, 3, COL_CLASS, "Silent_Plus")))[1]
    assert row.variant_classification == "Silent_Plus"
    assert "Silent_Plus" not in maf.ALL_CLASSES


def test_class_sets() -> None:
    assert len(maf.NONSILENT_CLASSES) == 9 and len(maf.ALL_CLASSES) == 28
    assert maf.NONSILENT_CLASSES < maf.ALL_CLASSES
    assert {"Silent", "3'UTR", "IGR", "Splice_Region", "Unknown"} <= maf.ALL_CLASSES - maf.NONSILENT_CLASSES


def test_only_comments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no MAF header"):
        list(maf.read(_write(tmp_path, ["#version 2.4"])))


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(FIXTURE.read_bytes(), mtime=0)
    path = tmp_path / "somatic.maf.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(maf.read(path))


def test_non_utf8_byte(tmp_path: Path) -> None:
    raw = FIXTURE.read_bytes()
    assert raw.count(b"C3L-00032_T\t") >= 1
    lines = raw.split(b"\n")
    lines[24] = lines[24].replace(b"C3L-00032_T", b"C3L-0\xff032_T", 1)
    path = tmp_path / "somatic.maf"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError) as exc:
        list(maf.read(path))
    assert exc.value.line == 25 and "0xff" in exc.value.reason


@pytest.mark.parametrize(
    ("barcode", "participant"),
    [
        ("C3L-00006_T", "C3L-00006"),
        ("C3N-01825-T", "C3N-01825"),
        ("C3L-00586_Tumor", "C3L-00586"),
        ("C3L-00006", "C3L-00006"),
        ("TCGA-AB-1234-01A-11D-A123-08", "TCGA-AB-1234"),
        ("TCGA-AB-1234", "TCGA-AB-1234"),
    ],
)
def test_tumor_barcode_to_participant(barcode: str, participant: str) -> None:
    assert maf.tumor_barcode_to_participant(barcode) == participant


def test_tumor_barcode_empty() -> None:
    with pytest.raises(ValueError):
        maf.tumor_barcode_to_participant(" ")


@pytest.mark.realdata
def test_realdata_full_file() -> None:
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    path = Path(root) / "cptac-ucec-2019" / "somatic.maf.gz"
    start = time.perf_counter()
    classes: Counter[str] = Counter()
    barcodes: set[str] = set()
    for record in maf.read(path):
        classes[record.variant_classification] += 1
        barcodes.add(record.tumor_sample_barcode)
    elapsed = time.perf_counter() - start
    assert sum(classes.values()) == 53_101
    assert len(barcodes) == 103
    assert classes["Missense_Mutation"] == 41_436 and classes["Nonstop_Mutation"] == 63
    assert set(classes) <= maf.NONSILENT_CLASSES
    print(f"maf: {sum(classes.values())} rows in {elapsed:.2f}s")
