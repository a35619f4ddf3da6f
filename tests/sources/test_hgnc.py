import gzip
import os
import time
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import hgnc

DATA = Path(__file__).resolve().parents[1] / "data" / "hgnc"
FIXTURE = DATA / "hgnc_il7_and_edge_cases.tsv"


def by_id() -> dict[str, hgnc.HgncRecord]:
    return {r.hgnc_id: r for r in hgnc.read(FIXTURE)}


def write(tmp_path: Path, text: str, name: str = "hgnc.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def fixture_lines() -> list[str]:
    return FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True)


def test_header_is_declared_columns():
    assert tuple(fixture_lines()[0].rstrip("\n").split("\t")) == hgnc.COLUMNS


def test_il7():
    il7 = by_id()["HGNC:6023"]
    assert il7 == hgnc.HgncRecord(
        line=il7.line, hgnc_id="HGNC:6023", symbol="IL7", name="interleukin 7", status="Approved",
        aliases=("IL-7",), previous_symbols=(), entrez_id="3574", ensembl_gene="ENSG00000104432",
        uniprot_ids=("P13232",), mgi_ids=("MGI:96561",), rgd_ids=("RGD:2904",),
        locus_type="gene with protein product", enzyme_ids=(), chromosome=None,
    )
    assert fixture_lines()[il7.line - 1].startswith("HGNC:6023\tIL7\t")


def test_multi_valued_fields():
    records = by_id()
    assert records["HGNC:6024"].aliases == ("CD127", "IL7RA", "lnc-IL7R", "IL-7Ralpha", "IL7Ralpha", "sIL-7R", "CDw127")
    cdkn2a = records["HGNC:1787"]
    assert cdkn2a.previous_symbols == ("CDKN2", "MLM")
    assert cdkn2a.uniprot_ids == ("P42771", "Q8N726")
    assert len(cdkn2a.aliases) == 14
    assert records["HGNC:2569"].mgi_ids == ("MGI:1913408", "MGI:1920115", "MGI:3576504")
    assert records["HGNC:2569"].rgd_ids == ()
    assert records["HGNC:17929"].enzyme_ids == ("2.6.1.39", "2.6.1.7")
    assert records["HGNC:8918"].enzyme_ids == ("3.4.24.B15",)
    # a bare ',' between aliases
    assert records["HGNC:24979"].aliases == ("HS1-BP3", "FLJ14249")


def test_missing_values_are_none_or_empty():
    pseudo = by_id()["HGNC:13946"]
    assert pseudo.uniprot_ids == () and pseudo.mgi_ids == () and pseudo.rgd_ids == () and pseudo.enzyme_ids == ()
    assert pseudo.entrez_id == "100128240" and pseudo.previous_symbols == ("CD83P",)


def test_withdrawn_entries():
    records = by_id()
    symbol_withdrawn = records["HGNC:6"]
    assert symbol_withdrawn.status == "Symbol Withdrawn"
    assert symbol_withdrawn.entrez_id is None and symbol_withdrawn.ensembl_gene is None
    assert symbol_withdrawn.locus_type == "unknown"
    assert hgnc.replaced_by(symbol_withdrawn) == ("HGNC:12469",)
    assert hgnc.replaced_by(records["HGNC:1531"]) == ("HGNC:4206", "HGNC:9936")
    assert hgnc.replaced_by(records["HGNC:4744"]) == ("HGNC:4741",)
    entry_withdrawn = records["HGNC:1"]
    assert entry_withdrawn.status == "Entry Withdrawn"
    assert entry_withdrawn.name == "adenovirus-12 chromosome modification site 1C"
    assert hgnc.replaced_by(entry_withdrawn) == ()
    assert hgnc.replaced_by(records["HGNC:6023"]) == ()
    # AK6 is both an approved symbol and a withdrawn one
    assert sorted(r.status for r in records.values() if r.symbol == "AK6") == ["Approved", "Symbol Withdrawn"]


def test_reads_gzip(tmp_path):
    path = tmp_path / "hgnc.tsv.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert [r.hgnc_id for r in hgnc.read(path)] == [r.hgnc_id for r in hgnc.read(FIXTURE)]


def test_column_subset_any_order_and_plain_spellings(tmp_path):
    header = "Status\tApproved symbol\tHGNC ID\tApproved name\tNCBI Gene ID\tEnsembl gene ID\tChromosome\tMouse genome database ID\n"
    row = "Approved\tIL7\tHGNC:6023\tinterleukin 7\t3574\tENSG00000104432\t8q21.13\tMGI:96561\n"
    (record,) = hgnc.read(write(tmp_path, header + row))
    assert (record.hgnc_id, record.symbol, record.entrez_id, record.chromosome, record.mgi_ids) == ("HGNC:6023", "IL7", "3574", "8q21.13", ("MGI:96561",))
    assert record.aliases == () and record.uniprot_ids == () and record.locus_type is None


def test_curated_column_wins_over_supplied(tmp_path):
    header = "HGNC ID\tApproved symbol\tApproved name\tStatus\tNCBI Gene ID(supplied by NCBI)\tNCBI Gene ID\n"
    rows = "HGNC:6023\tIL7\tinterleukin 7\tApproved\t9999\t3574\nHGNC:6024\tIL7R\tinterleukin 7 receptor\tApproved\t3575\t\n"
    first, second = hgnc.read(write(tmp_path, header + rows))
    assert first.entrez_id == "3574"
    assert second.entrez_id == "3575"


def test_unknown_column(tmp_path):
    lines = fixture_lines()
    lines[0] = lines[0].rstrip("\n") + "\tOMIM ID(supplied by OMIM)\n"
    with pytest.raises(InputError, match="unknown column 'OMIM ID\\(supplied by OMIM\\)'") as err:
        list(hgnc.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 1 and err.value.column == 14


def test_missing_required_column(tmp_path):
    lines = [line.split("\t", 1)[1] for line in fixture_lines()]  # drop 'HGNC ID'
    with pytest.raises(InputError, match="required column.*'HGNC ID'") as err:
        list(hgnc.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 1


def test_duplicate_column(tmp_path):
    with pytest.raises(InputError, match="appears twice"):
        list(hgnc.read(write(tmp_path, "HGNC ID\tApproved symbol\tApproved name\tStatus\tStatus\n")))


def test_ragged_row(tmp_path):
    lines = fixture_lines()
    lines[5] = lines[5].rstrip("\n") + "\textra\n"
    with pytest.raises(InputError, match="expected 13 fields, found 14") as err:
        list(hgnc.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 6


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("HGNC:6023\t", "6023\t", "HGNC ID '6023' is not HGNC: followed by digits"),
        ("\t3574\t", "\t3574a\t", "NCBI Gene ID '3574a' is not digits"),
        ("\tENSG00000104432\t", "\tENSG0000010443\t", "Ensembl gene ID 'ENSG0000010443' is not ENSG"),
        ("\tP13232\t", "\tP1323\t", "UniProt ID 'P1323' is not a UniProt accession"),
        ("\tMGI:96561\t", "\t96561\t", "mouse genome database ID '96561' is not MGI:"),
        ("\tRGD:2904\t", "\tRGD:x2904\t", "rat genome database ID 'RGD:x2904' is not RGD:"),
        ("\tApproved\tIL-7", "\tapproved\tIL-7", "unknown status 'approved'"),
    ],
)
def test_bad_values(tmp_path, old, new, message):
    lines = fixture_lines()
    index = next(i for i, line in enumerate(lines) if line.startswith("HGNC:6023\t"))
    assert old in lines[index]
    lines[index] = lines[index].replace(old, new, 1)
    with pytest.raises(InputError, match=message) as err:
        list(hgnc.read(write(tmp_path, "".join(lines))))
    assert err.value.line == index + 1


def test_bad_enzyme_id(tmp_path):
    lines = fixture_lines()
    index = next(i for i, line in enumerate(lines) if line.startswith("HGNC:17929\t"))
    lines[index] = lines[index].replace("2.6.1.7", "2.6.1", 1)
    with pytest.raises(InputError, match="enzyme ID '2.6.1' is not an EC number") as err:
        list(hgnc.read(write(tmp_path, "".join(lines))))
    assert err.value.line == index + 1


def test_truncated_gzip(tmp_path):
    data = gzip.compress(FIXTURE.read_bytes() * 20)
    path = tmp_path / "cut.tsv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(hgnc.read(path))


def test_non_utf8_byte(tmp_path):
    raw = bytearray(FIXTURE.read_bytes())
    lines = raw.split(b"\n")
    lines[3] = lines[3].replace(b"aminoadipate", b"amino\xe9dipate", 1)
    path = tmp_path / "latin1.tsv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="byte 0xe9 is not valid utf-8") as err:
        list(hgnc.read(path))
    assert err.value.line == 4


def test_empty_file(tmp_path):
    with pytest.raises(InputError, match="empty file"):
        list(hgnc.read(write(tmp_path, "")))


@pytest.mark.realdata
def test_real_file():
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    started = time.perf_counter()
    statuses: dict[str, int] = {}
    il7 = None
    for record in hgnc.read(Path(root) / "hgnc" / "hgnc_entries.tsv.gz"):
        statuses[record.status] = statuses.get(record.status, 0) + 1
        if record.hgnc_id == "HGNC:6023":
            il7 = record
    elapsed = time.perf_counter() - started
    assert statuses == {"Approved": 43837, "Symbol Withdrawn": 3381, "Entry Withdrawn": 1795}
    assert il7 is not None and il7.entrez_id == "3574" and il7.mgi_ids == ("MGI:96561",)
    print(f"hgnc_entries.tsv.gz: 49013 rows in {elapsed:.2f}s")
