"""Tests for etl.sources.gaf on a cut of the real GOA human GAF 2.1 (2019-01-14)."""

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
from omicskb.etl.sources import gaf
from omicskb.etl.sources.gaf import GafHeader, GafRecord

DATA = Path(__file__).resolve().parents[1] / "data" / "go"
FIXTURE = DATA / "goa_human_il7_and_neighbours.gaf"
HEADER_LINES = 12
FIRST_IL7_LINE = 17


_lines = functools.partial(fixture_lines, FIXTURE)
_write = functools.partial(write_lines, name="test.gaf")
_with_field = functools.partial(with_field, FIXTURE, name="test.gaf")


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        list(gaf.read(path))
    return info.value


def _by_line() -> dict[int, GafRecord]:
    return {r.line: r for r in gaf.read(FIXTURE)}


def test_columns_are_the_17_gaf_21_columns() -> None:
    assert len(gaf.COLUMNS) == 17
    assert gaf.COLUMNS[0] == "DB"
    assert gaf.COLUMNS[4] == "GO ID"
    assert gaf.COLUMNS[12] == "Taxon(|taxon)"
    assert gaf.COLUMNS[16] == "Gene Product Form ID"
    assert gaf.SOURCE_KIND == "gaf"


def test_read_streams() -> None:
    assert inspect.isgenerator(gaf.read(FIXTURE))


def test_read_header() -> None:
    assert gaf.read_header(FIXTURE) == GafHeader(
        gaf_version="2.1", generated=datetime.date(2019, 1, 14), generated_by=None
    )


def test_read_header_gaf22_keys(tmp_path: Path) -> None:
    lines = ["!gaf-version: 2.2", "!date-generated: 2023-03-01T12:00", "!generated-by: GOC", *_lines()[HEADER_LINES:]]
    assert gaf.read_header(_write(tmp_path, lines)) == GafHeader("2.2", datetime.date(2023, 3, 1), "GOC")


def test_row_count_and_il7_rows() -> None:
    records = list(gaf.read(FIXTURE))
    assert len(records) == len(_lines()) - HEADER_LINES == 42
    il7 = [r for r in records if r.db_object_symbol == "IL7"]
    assert len(il7) == 38
    assert {r.db_object_id for r in il7} == {"P13232"}
    assert il7[0].line == FIRST_IL7_LINE
    assert [r.line for r in records] == list(range(HEADER_LINES + 1, len(_lines()) + 1))


def test_first_il7_row() -> None:
    assert _by_line()[FIRST_IL7_LINE] == GafRecord(
        line=FIRST_IL7_LINE,
        db="UniProtKB",
        db_object_id="P13232",
        db_object_symbol="IL7",
        qualifier=None,
        is_not=False,
        go_id="GO:0001961",
        references=("PMID:11418668",),
        evidence_code="IDA",
        with_from=(),
        namespace="biological_process",
        db_object_name="Interleukin-7",
        synonyms=("IL7",),
        object_type="protein",
        taxon_ids=("9606",),
        date=datetime.date(2017, 11, 10),
        assigned_by="UniProt",
        annotation_extension=None,
        gene_product_form_id=None,
    )


def test_il7_aspects_and_with_from() -> None:
    il7 = [r for r in gaf.read(FIXTURE) if r.db_object_symbol == "IL7"]
    by_go = {}
    for r in il7:
        by_go.setdefault(r.go_id, []).append(r)
    assert by_go["GO:0005125"][0].namespace == "molecular_function"
    assert by_go["GO:0005576"][0].namespace == "cellular_component"
    assert len(by_go["GO:0005576"]) == 9
    assert by_go["GO:0002360"][0].with_from == ("UniProtKB:P10168", "ensembl:ENSMUSP00000141845")
    assert by_go["GO:0002360"][0].references == ("GO_REF:0000107",)
    assert by_go["GO:0002360"][0].date == datetime.date(2019, 1, 12)
    extension = by_go["GO:0062023"][0]
    assert extension.annotation_extension == "part_of(UBERON:0003688)"
    assert extension.evidence_code == "HDA"
    assert extension.assigned_by == "BHF-UCL"


def test_not_qualifiers() -> None:
    records = list(gaf.read(FIXTURE))
    plain_not = [r for r in records if r.qualifier == "NOT"]
    assert [(r.db_object_symbol, r.go_id, r.is_not) for r in plain_not] == [("SRGAP2", "GO:0008283", True)]
    combined = [r for r in records if r.qualifier == "NOT|colocalizes_with"]
    assert [(r.db_object_symbol, r.go_id, r.is_not) for r in combined] == [("CCDC66", "GO:0035869", True)]
    assert sum(r.is_not for r in records) == 2


def test_two_taxa_and_long_with_from() -> None:
    records = list(gaf.read(FIXTURE))
    irgm = next(r for r in records if r.db_object_symbol == "IRGM")
    assert irgm.taxon_ids == ("9606", "33892")
    assert irgm.synonyms == ("IRGM", "IFI1", "IRGM1", "LRG47")
    assert irgm.annotation_extension == "occurs_in(CL:0000235)"
    heavy = next(r for r in records if r.db_object_id == "A0A0B4J203")
    assert len(heavy.with_from) == 16
    assert heavy.with_from[0] == "MGI:MGI:1339758"
    assert heavy.with_from[-1] == "UniProtKB:P35968"
    assert heavy.synonyms == ()
    assert heavy.db_object_name == "Uncharacterized protein"


def test_gzip_read_transparently(tmp_path: Path) -> None:
    path = tmp_path / "test.gaf.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert list(gaf.read(path)) == list(gaf.read(FIXTURE))


def test_gaf20_15_field_rows_accepted(tmp_path: Path) -> None:
    lines = _lines()
    lines[0] = "!gaf-version: 2.0"
    lines[FIRST_IL7_LINE - 1] = "\t".join(lines[FIRST_IL7_LINE - 1].split("\t")[:15])
    record = next(r for r in gaf.read(_write(tmp_path, lines)) if r.line == FIRST_IL7_LINE)
    assert record.go_id == "GO:0001961"
    assert record.assigned_by == "UniProt"
    assert record.annotation_extension is None and record.gene_product_form_id is None


def test_wrong_version_line(tmp_path: Path) -> None:
    lines = _lines()
    lines[0] = "!gaf-version: 1.0"
    path = _write(tmp_path, lines)
    err = _error(path)
    assert err.line == 1 and "gaf-version" in err.reason
    with pytest.raises(InputError) as info:
        gaf.read_header(path)
    assert info.value.line == 1


def test_missing_version_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, _lines()[1:]))
    assert err.line == 1


def test_ragged_row(tmp_path: Path) -> None:
    lines = _lines()
    lines[19] += "\textra"
    err = _error(_write(tmp_path, lines))
    assert err.line == 20
    assert "expected 17 fields" in err.reason and "found 18" in err.reason


def test_sixteen_fields_rejected(tmp_path: Path) -> None:
    lines = _lines()
    lines[20] = "\t".join(lines[20].split("\t")[:16])
    err = _error(_write(tmp_path, lines))
    assert err.line == 21 and "found 16" in err.reason


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (5, "GO:12", "GO id 'GO:12' is not GO: followed by 7 digits"),
        (5, "go:0001961", "GO id 'go:0001961'"),
        (9, "X", "aspect 'X' is not P, F or C"),
        (14, "20171310", "date '20171310' is not a valid yyyymmdd date"),
        (14, "2017-11-10", "date '2017-11-10'"),
        (13, "9606", "taxon '9606' is not taxon: followed by digits"),
        (13, "taxon:9606|taxon:abc", "taxon 'taxon:abc'"),
        (13, "taxon:1|taxon:2|taxon:3", "3 taxa given"),
        (4, "NOT|sometimes", "unknown qualifier 'sometimes'"),
        (7, "XYZ", "unknown evidence code 'XYZ'"),
        (2, "", "required value is empty"),
        (15, "", "required value is empty"),
    ],
)
def test_bad_field(tmp_path: Path, column: int, value: str, reason: str) -> None:
    err = _error(_with_field(tmp_path, 30, column, value))
    assert err.line == 30
    assert reason in err.reason
    assert gaf.COLUMNS[column - 1] in err.reason


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "cut.gaf.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        list(gaf.read(path))
    assert "gzip" in info.value.reason
    assert info.value.line is not None and info.value.line > 1


def test_non_utf8_byte(tmp_path: Path) -> None:
    raw = FIXTURE.read_bytes().split(b"\n")
    raw[24] = raw[24].replace(b"Interleukin-7", b"Interleukin\xff7")
    path = tmp_path / "bad.gaf"
    path.write_bytes(b"\n".join(raw))
    err = _error(path)
    assert err.line == 25 and "0xff" in err.reason


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.gaf"
    path.write_bytes(b"")
    assert _error(path).line == 1


@pytest.mark.realdata
def test_realdata_full_human_gaf() -> None:
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    path = Path(root).expanduser() / "go" / "goa_human-2019-01-14.gaf.gz"
    assert gaf.read_header(path).generated == datetime.date(2019, 1, 14)
    start = time.perf_counter()
    count = 0
    negated = 0
    il7: set[str] = set()
    for record in gaf.read(path):
        count += 1
        negated += record.is_not
        if record.db_object_id == "P13232":
            il7.add(record.go_id)
    elapsed = time.perf_counter() - start
    print(f"goa_human: {count} rows in {elapsed:.2f} s")
    assert count == 475402
    assert negated == 1187
    assert {"GO:0005125", "GO:0005139", "GO:0062023"} <= il7
