import gzip
import os
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import isoforms

DATA = Path(__file__).resolve().parents[1] / "data" / "isoforms"
FIXTURE = DATA / "il7_isoform_selection.tsv"


def write(tmp_path: Path, text: str, name: str = "iso.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lines_of() -> list[str]:
    return FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True)


def test_header_is_declared_columns():
    assert tuple(lines_of()[0].rstrip("\n").split("\t")) == isoforms.COLUMNS


def test_il7_primary():
    records = list(isoforms.read(FIXTURE))
    assert len(records) == 5
    assert records[0] == isoforms.IsoformRecord(
        line=2, gene_id="ENSG00000104432", gene_version="14", gene_name="IL7",
        transcript_id="ENST00000263851", transcript_version="9",
        protein_id="ENSP00000263851", protein_version="4", is_primary=True, is_mane=True,
    )
    assert [r.transcript_id for r in records if r.is_primary] == ["ENST00000263851"]
    assert [(r.transcript_id, r.transcript_version) for r in records[1:]] == [
        ("ENST00000379113", "6"), ("ENST00000520269", "5"), ("ENST00000541183", "2"), ("ENST00000639719", "1"),
    ]
    for record in records[1:]:
        assert record.protein_id is None and record.protein_version is None
        assert record.is_primary is False and record.is_mane is False


@pytest.mark.parametrize(
    ("primary", "mane", "expected"),
    [("TRUE", "FALSE", (True, False)), ("True", "False", (True, False)), ("1", "0", (True, False)),
     ("No", "", (False, None)), ("0", "NA", (False, None))],
)
def test_boolean_spellings(tmp_path, primary, mane, expected):
    row = f"ENSG00000104432.14\tIL7\tENST00000263851.9\tENSP00000263851.4\t{primary}\t{mane}\n"
    (record,) = isoforms.read(write(tmp_path, lines_of()[0] + row))
    assert (record.is_primary, record.is_mane) == expected


def test_optional_columns_absent_and_reordered(tmp_path):
    text = "transcript\tPrimary_select\tprotein\tgene\nENST00000263851.9\tYes\tENSP00000263851.4\tENSG00000104432.14\n"
    (record,) = isoforms.read(write(tmp_path, text))
    assert record.gene_name is None and record.is_mane is None
    assert (record.gene_id, record.transcript_id, record.protein_id, record.is_primary) == ("ENSG00000104432", "ENST00000263851", "ENSP00000263851", True)


def test_unversioned_ids(tmp_path):
    text = "gene\ttranscript\tprotein\tPrimary_select\nENSG00000104432\tENST00000263851\tENSP00000263851\tYes\n"
    (record,) = isoforms.read(write(tmp_path, text))
    assert (record.gene_version, record.transcript_version, record.protein_version) == (None, None, None)


def test_reads_gzip(tmp_path):
    path = tmp_path / "iso.tsv.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert list(isoforms.read(path)) == list(isoforms.read(FIXTURE))


def test_unknown_column(tmp_path):
    lines = [line.rstrip("\n") + "\tx\n" for line in lines_of()]
    lines[0] = lines[0].replace("\tx\n", "\tTPM\n")
    with pytest.raises(InputError, match="unknown column 'TPM'") as err:
        list(isoforms.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 1 and err.value.column == 7


def test_header_is_case_sensitive(tmp_path):
    lines = lines_of()
    lines[0] = lines[0].replace("Primary_select", "primary_select")
    with pytest.raises(InputError, match="unknown column 'primary_select'"):
        list(isoforms.read(write(tmp_path, "".join(lines))))


def test_missing_required_column(tmp_path):
    lines = ["\t".join(line.rstrip("\n").split("\t")[:3] + line.rstrip("\n").split("\t")[4:]) + "\n" for line in lines_of()]
    with pytest.raises(InputError, match="required column.*'protein'") as err:
        list(isoforms.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 1


def test_ragged_row(tmp_path):
    lines = lines_of()
    lines[3] = lines[3].replace("\tNo\tNo", "\tNo")
    with pytest.raises(InputError, match="expected 6 fields, found 5") as err:
        list(isoforms.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 4


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("\tYes\tYes", "\tyes\tYes", "Primary_select 'yes' is not Yes/No"),
        ("\tYes\tYes", "\tYes\tY", "MANE 'Y' is not Yes/No"),
        ("\tYes\tYes", "\t\tYes", "Primary_select '' is not Yes/No"),
        ("ENSG00000104432.14", "IL7", "gene id 'IL7' is not ENSG"),
        ("ENST00000263851.9", "ENST00000263851.x", "version 'x'"),
        ("ENSP00000263851.4", "NP_000871.1", "protein id 'NP_000871.1' is not ENSP"),
        ("ENSP00000263851.4", "ENST00000263851.9", "protein id 'ENST00000263851.9' is not ENSP"),
    ],
)
def test_bad_values(tmp_path, old, new, message):
    lines = lines_of()
    assert old in lines[1]
    lines[1] = lines[1].replace(old, new, 1)
    with pytest.raises(InputError, match=message) as err:
        list(isoforms.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 2


def test_two_primaries_for_one_gene(tmp_path):
    lines = lines_of()
    lines[4] = lines[4].replace("\tNo\tNo", "\tYes\tNo")
    with pytest.raises(InputError, match="second primary isoform \\(first at line 2\\)") as err:
        list(isoforms.read(write(tmp_path, "".join(lines))))
    assert err.value.line == 5


def test_truncated_gzip(tmp_path):
    data = gzip.compress(FIXTURE.read_bytes() * 50)
    path = tmp_path / "cut.tsv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(isoforms.read(path))


def test_non_utf8_byte(tmp_path):
    lines = FIXTURE.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"IL7", b"IL\xb77")
    path = tmp_path / "bad.tsv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="byte 0xb7 is not valid utf-8") as err:
        list(isoforms.read(path))
    assert err.value.line == 3


@pytest.mark.realdata
def test_real_file():
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    candidates = sorted((Path(root) / "cptac-isoforms").glob("*.tsv*")) if (Path(root) / "cptac-isoforms").is_dir() else []
    if not candidates:
        pytest.skip("no real CPTAC isoform-selection table under $OMICSKB_REALDATA/cptac-isoforms (not obtainable here)")
    records = list(isoforms.read(candidates[0]))
    il7 = [r for r in records if r.gene_id == "ENSG00000104432" and r.is_primary]
    assert len(records) > 10_000
    assert [r.transcript_id for r in il7] == ["ENST00000263851"]
