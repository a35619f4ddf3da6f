import gzip
import os
import time
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import species_genes as sg

DATA = Path(__file__).resolve().parents[1] / "data" / "hgnc"
MGI = DATA / "mgi_il7.tsv"
RGD = DATA / "rgd_il7.tsv"


def by_id(path: Path, taxon_id: str | None = None) -> dict[str, sg.SpeciesGeneRecord]:
    return {r.db_id: r for r in sg.read(path, taxon_id)}


def write(tmp_path: Path, text: str, name: str = "genes.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_headers_are_declared_columns():
    for path in (MGI, RGD):
        assert tuple(lines_of(path)[0].rstrip("\n").split("\t")) == sg.COLUMNS


def test_detect_taxon():
    assert sg.detect_taxon(MGI) == "10090"
    assert sg.detect_taxon(RGD) == "10116"


def test_mgi_il7():
    il7 = by_id(MGI)["MGI:96561"]
    assert il7 == sg.SpeciesGeneRecord(
        line=3, db_id="MGI:96561", symbol="Il7", synonyms=("Il-7", "hlb368", "A630026I06Rik"),
        ensembl_genes=("ENSMUSG00000040329",),
    )
    assert by_id(MGI)["MGI:96562"].synonyms == ("IL-7 receptor alpha chain", "CD127", "IL-7Ralpha")


def test_mgi_quirks():
    records = by_id(MGI)
    # one gene on two consecutive rows -> one record, both Ensembl genes, first line
    assert records["MGI:105105"].ensembl_genes == ("ENSMUSG00000088675", "ENSMUSG00000106222")
    assert records["MGI:105105"].line == 5
    assert len(records) == 6
    assert records["MGI:1925547"].ensembl_genes == () and records["MGI:1925547"].synonyms == ()
    # ';' inside an MGI synonym is not a separator; trailing blanks are dropped
    assert "ApoE4(L28P;C112R)" in records["MGI:3717270"].synonyms
    assert records["MGI:7531880"].synonyms == ("mG-7 Tg",)


def test_rgd():
    records = by_id(RGD)
    assert records["RGD:2904"] == sg.SpeciesGeneRecord(
        line=5, db_id="RGD:2904", symbol="Il7", synonyms=("IL-7",), ensembl_genes=("ENSRNOG00000011973",),
    )
    assert records["RGD:2004"].ensembl_genes == ("ENSRNOG00000028896", "ENSRNOG00000045772")
    # ', ' inside an RGD synonym is not a separator
    assert records["RGD:2007"].synonyms == ("PMP70", "PMP70, 70-kDa peroxisomal membrane protein", "Pxmp1")
    assert records["RGD:1332791"].ensembl_genes[0] == "ENSMUSG00000062121"
    assert records["RGD:2193"].synonyms == () and records["RGD:2193"].ensembl_genes == ()


def test_explicit_taxon_overrides_detection():
    # reading the RGD file as mouse uses '|' and so keeps the ';' lists whole, then rejects them
    with pytest.raises(InputError, match="Ensembl gene id 'ENSRNOG00000028896;ENSRNOG00000045772'"):
        list(sg.read(RGD, "10090"))
    assert set(by_id(RGD, "10116")) == set(by_id(RGD))


def test_unsupported_taxon():
    with pytest.raises(InputError, match="unsupported taxon '9606'"):
        list(sg.read(MGI, "9606"))


def test_undetectable_species(tmp_path):
    path = write(tmp_path, "ID\tsymbol\tsynonyms\tensembl\n1925547\t0610008J02Rik\t\t\n")
    with pytest.raises(InputError, match="cannot tell the species"):
        sg.detect_taxon(path)
    assert [r.db_id for r in sg.read(path, "10090")] == ["MGI:1925547"]


def test_mixed_species_not_detected(tmp_path):
    text = "ID\tsymbol\tsynonyms\tensembl\n1\tA\t\tENSMUSG00000000001\n2\tB\t\tENSRNOG00000000002\n"
    with pytest.raises(InputError, match="both"):
        sg.detect_taxon(write(tmp_path, text))


def test_reads_gzip(tmp_path):
    path = tmp_path / "mgi.tsv.gz"
    path.write_bytes(gzip.compress(MGI.read_bytes()))
    assert list(sg.read(path)) == list(sg.read(MGI))


def test_wrong_header(tmp_path):
    lines = lines_of(MGI)
    lines[0] = "MGI ID\tsymbol\tsynonyms\tensembl\n"
    with pytest.raises(InputError, match="unexpected header") as err:
        list(sg.read(write(tmp_path, "".join(lines)), "10090"))
    assert err.value.line == 1


def test_ragged_row(tmp_path):
    lines = lines_of(MGI)
    lines[3] = lines[3].rstrip("\n") + "\tx\n"
    with pytest.raises(InputError, match="expected 4 fields, found 5") as err:
        list(sg.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 4


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("96561\t", "MGI:96561\t", "ID 'MGI:96561' is not digits"),
        ("ENSMUSG00000040329", "ENSMUSG0000004032", "Ensembl gene id 'ENSMUSG0000004032'"),
        ("\tIl7\t", "\t\t", "empty symbol"),
    ],
)
def test_bad_values(tmp_path, old, new, message):
    lines = lines_of(MGI)
    assert lines[2].startswith("96561\t") and old in lines[2]
    lines[2] = lines[2].replace(old, new, 1)
    with pytest.raises(InputError, match=message) as err:
        list(sg.read(write(tmp_path, "".join(lines)), "10090"))
    assert err.value.line == 3


def test_repeated_id_with_other_symbol(tmp_path):
    lines = lines_of(MGI)
    lines[5] = lines[5].replace("\tRprl1\t", "\tRprl2\t")
    with pytest.raises(InputError, match="MGI:105105 repeats line 5 with a different symbol") as err:
        list(sg.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 6


def test_non_adjacent_repeat(tmp_path):
    lines = lines_of(MGI)
    lines.append(lines[2])
    with pytest.raises(InputError, match="MGI:96561 appears again") as err:
        list(sg.read(write(tmp_path, "".join(lines))))
    assert err.value.line == len(lines)


def test_truncated_gzip(tmp_path):
    data = gzip.compress(RGD.read_bytes() * 30)
    path = tmp_path / "cut.tsv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(sg.read(path, "10116"))


def test_non_utf8_byte(tmp_path):
    lines = RGD.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b"IL-7", b"IL-\xff7")
    path = tmp_path / "bad.tsv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="byte 0xff is not valid utf-8") as err:
        list(sg.read(path, "10116"))
    assert err.value.line == 5


@pytest.mark.realdata
def test_real_files():
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    expected = {"mgi": ("10090", "MGI:96561", "ENSMUSG00000040329"), "rgd": ("10116", "RGD:2904", "ENSRNOG00000011973")}
    for name, (taxon, il7_id, il7_ensembl) in expected.items():
        path = Path(root) / "hgnc" / f"{name}_entries.tsv.gz"
        started = time.perf_counter()
        assert sg.detect_taxon(path) == taxon
        count, il7 = 0, None
        for record in sg.read(path):
            count += 1
            if record.db_id == il7_id:
                il7 = record
        elapsed = time.perf_counter() - started
        assert il7 is not None and il7.symbol == "Il7" and il7.ensembl_genes == (il7_ensembl,)
        # MGI: 88,784 rows, genes with several Ensembl ids span consecutive rows
        assert count == {"mgi": 88687, "rgd": 61334}[name]
        print(f"{name}_entries.tsv.gz: {count} genes in {elapsed:.2f}s")
