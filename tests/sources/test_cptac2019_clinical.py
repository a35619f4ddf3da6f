"""Tests for etl.sources.cptac2019_clinical on a real cut of the UCEC clinical.txt (33 of 153 rows).

Expected values were read off the real file by hand (see tests/data/cptac/README.md); byte-level
facts (which lines are cp1252) are recomputed here from the fixture's bytes.
"""

from __future__ import annotations

import gzip
import math
from collections import Counter
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import cptac2019_clinical
from omicskb.etl.sources.sample_sheet import CLINICAL_TYPES, SAMPLE_TYPES

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "cptac" / "ucec_clinical_subset.txt"
EXCLUDED = {"S004", "S013", "S015", "S035", "S043", "S047", "S052", "S089", "S104"}
ADJACENT = {"S105", "S120", "S129"}
MYOMETRIUM = {"S130", "S134", "S135"}
ENRICHED = {"S136", "S139", "S153"}


@pytest.fixture(scope="module")
def sheet():
    return cptac2019_clinical.read(FIXTURE)


def _raw_lines() -> list[bytes]:
    return FIXTURE.read_bytes().split(b"\n")


def _not_utf8(lines: list[bytes]) -> list[int]:
    bad = []
    for number, raw in enumerate(lines, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
    return bad


def _write(tmp_path: Path, lines: list[bytes], name: str = "clinical.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(b"\n".join(lines))
    return path


def _header_index(name: str) -> int:
    return _raw_lines()[0].split(b"\t").index(name.encode())


def test_sheet_shape(sheet) -> None:
    header = _raw_lines()[0].decode().split("\t")
    assert sheet.source_kind == "cptac2019_clinical" == cptac2019_clinical.SOURCE_KIND
    assert sheet.level == "sample" and sheet.path == FIXTURE
    assert len(sheet.samples) == 33
    assert [a.name for a in sheet.attributes] == header[1:]
    assert [a.column for a in sheet.attributes] == list(range(2, 180))
    assert all(a.kind in CLINICAL_TYPES and len(a.values) == 33 for a in sheet.attributes)
    assert [s.line for s in sheet.samples] == list(range(2, 35))
    assert sheet.samples[0].label == "S001" and sheet.samples[-1].label == "S153"


def test_counts_by_type(sheet) -> None:
    assert Counter(s.sample_type for s in sheet.samples) == {"tumor": 24, "adjacent_normal": 3, "myometrium_normal": 3, "enriched_normal": 3}
    by_label = {s.label: s.sample_type for s in sheet.samples}
    assert {k for k, v in by_label.items() if v == "adjacent_normal"} == ADJACENT
    assert {k for k, v in by_label.items() if v == "myometrium_normal"} == MYOMETRIUM
    assert {k for k, v in by_label.items() if v == "enriched_normal"} == ENRICHED
    assert set(by_label.values()) <= set(SAMPLE_TYPES)


def test_excluded_and_replicate(sheet) -> None:
    assert {s.label for s in sheet.samples if s.excluded} == EXCLUDED
    (replicate,) = [s for s in sheet.samples if s.replicate]
    assert (replicate.label, replicate.patient, replicate.excluded, replicate.sample_type, replicate.line) == ("S104", "C3N-01825", True, "tumor", 25)
    original = next(s for s in sheet.samples if s.label == "S103")
    assert (original.patient, original.replicate, original.excluded) == ("C3N-01825", False, False)


def test_usable_tumors(sheet) -> None:
    usable = {s.label for s in cptac2019_clinical.usable_tumors(sheet)}
    tumors = {s.label for s in sheet.samples} - ADJACENT - MYOMETRIUM - ENRICHED
    assert usable == tumors - EXCLUDED and len(usable) == 15


def test_patients(sheet) -> None:
    patients = {s.label: s.patient for s in sheet.samples}
    assert patients["S001"] == patients["S105"] == "C3L-00006"
    assert patients["S096"] == patients["S129"] == "C3N-01346"
    assert patients["S136"] == "NX1"  # pooled normals keep the file's participant code


def test_fallback_lines_are_the_cp1252_lines(sheet) -> None:
    expected = _not_utf8(_raw_lines())
    assert expected == [17, 18, 19, 21]
    assert sheet.fallback_lines == expected


def test_en_dash_decoded(sheet) -> None:
    ihc = sheet.attribute("Other_IHC_specify")
    by_label = dict(zip((s.label for s in sheet.samples), ihc.values))
    assert by_label["S061"] == "Cytokeratin 7 (OV-TL 12/30) \u2013 positive; Vimentin (Vim3B4) \u2013 negative"
    assert by_label["S072"] == "Cytokeratin 7 (OV-TL 12/30) \u2013Positive; Vimentin (Vim3B4) \u2013 Negative"
    assert not any(v is not None and "\x96" in v for v in ihc.values)
    assert by_label["S058"].startswith("Ki-67, 57% ; positive for p16") and not by_label["S058"].startswith('"')


def test_unquoted_values(sheet) -> None:
    labels = [s.label for s in sheet.samples]
    site = dict(zip(labels, sheet.attribute("Tumor_Site").values))
    assert (site["S014"], site["S001"], site["S004"]) == ("Other, specify", "Anterior endometrium", None)
    parents = dict(zip(labels, sheet.attribute("Proteomics_Parent_Sample_IDs").values))
    assert parents["S014"] == "C3L-00161-01,C3L-00161-02"
    assert sheet.attribute("Tumor_Site").levels == ("Anterior endometrium", "Other, specify", "Posterior endometrium")


def test_inferred_kinds(sheet) -> None:
    age = sheet.attribute("Age")
    assert (age.kind, age.column) == ("CON", 25)
    assert dict(zip((s.label for s in sheet.samples), age.values))["S016"] == 90.0
    assert age.values[-1] is None
    assert (sheet.attribute("LVSI").kind, sheet.attribute("LVSI").levels) == ("BIN", ("0", "1"))
    grade = sheet.attribute("Histologic_Grade_FIGO")
    assert (grade.kind, grade.levels) == ("ORD", ("FIGO grade 1", "FIGO grade 2", "FIGO grade 3"))
    stage = sheet.attribute("tumor_Stage-Pathological")
    assert (stage.kind, stage.levels) == ("ORD", ("Stage I", "Stage II", "Stage III", "Stage IV"))
    nodes = sheet.attribute("Path_Stage_Reg_Lymph_Nodes-pN")
    assert (nodes.kind, nodes.levels) == ("ORD", ("pN0", "pN1 (FIGO IIIC1)", "pN2 (FIGO IIIC2)"))
    raw_nodes = [line.split(b"\t")[_header_index("Path_Stage_Reg_Lymph_Nodes-pN")] for line in _raw_lines()[1:] if line]
    assert b"pNX" in raw_nodes and "pNX" not in nodes.values
    assert [v is None for v in nodes.values] == [r in (b"pNX", b"NA") for r in raw_nodes]
    histology = sheet.attribute("Histologic_type")
    assert (histology.kind, histology.levels) == ("CAT", ("Carcinosarcoma", "Clear cell", "Endometrioid", "Serous"))
    assert sheet.attribute("WXS_tumor_UUID").kind == "TXT"
    assert sheet.attribute("Proteomics_Participant_ID").kind == "TXT"  # an identifier column, never tested
    excluded = sheet.attribute("Case_excluded")
    assert (excluded.kind, excluded.levels) == ("BIN", ("No", "Yes"))


def test_figo_stage_levels(sheet) -> None:
    assert sheet.attribute("FIGO_stage").levels == ("IA", "IB", "II", "IIIC1", "IIIC2", "IVB")


def test_reads_gzip_and_crlf(tmp_path: Path, sheet) -> None:
    gz = tmp_path / "clinical.txt.gz"
    gz.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    crlf = _write(tmp_path, [line + b"\r" if line else line for line in _raw_lines()], "crlf.txt")
    for other in (cptac2019_clinical.read(gz), cptac2019_clinical.read(crlf)):
        assert other.samples == sheet.samples
        assert other.fallback_lines == sheet.fallback_lines
        assert [(a.name, a.kind, a.levels) for a in other.attributes] == [(a.name, a.kind, a.levels) for a in sheet.attributes]
        age_other, age = other.attribute("Age").values, sheet.attribute("Age").values
        assert all((a is None and b is None) or math.isclose(a, b) for a, b in zip(age_other, age))


def test_blank_lines_skipped(tmp_path: Path, sheet) -> None:
    lines = _raw_lines()
    path = _write(tmp_path, lines[:5] + [b""] + lines[5:] + [b""])
    assert [s.label for s in cptac2019_clinical.read(path).samples] == [s.label for s in sheet.samples]


def test_ragged_row(tmp_path: Path) -> None:
    lines = _raw_lines()
    lines[4] = lines[4].rsplit(b"\t", 1)[0]
    with pytest.raises(InputError) as err:
        cptac2019_clinical.read(_write(tmp_path, lines))
    assert err.value.line == 5 and err.value.reason == "expected 179 fields, found 178"


def test_duplicate_sample(tmp_path: Path) -> None:
    lines = _raw_lines()
    lines[6] = b"S002" + lines[6][4:]
    with pytest.raises(InputError) as err:
        cptac2019_clinical.read(_write(tmp_path, lines))
    assert (err.value.line, err.value.column) == (7, 1)
    assert err.value.reason == "duplicate sample 'S002' (first on line 3)"


def test_missing_required_column(tmp_path: Path) -> None:
    lines = _raw_lines()
    lines[0] = lines[0].replace(b"Proteomics_Tumor_Normal", b"Tumor_Normal")
    with pytest.raises(InputError) as err:
        cptac2019_clinical.read(_write(tmp_path, lines))
    assert err.value.line == 1 and "Proteomics_Tumor_Normal" in err.value.reason


def test_bad_case_excluded(tmp_path: Path) -> None:
    lines = _raw_lines()
    fields = lines[2].split(b"\t")
    fields[_header_index("Case_excluded")] = b"Maybe"
    lines[2] = b"\t".join(fields)
    with pytest.raises(InputError) as err:
        cptac2019_clinical.read(_write(tmp_path, lines))
    assert (err.value.line, err.value.column) == (3, 3)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty file"):
        cptac2019_clinical.read(_write(tmp_path, []))


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        cptac2019_clinical.read(_write(tmp_path, _raw_lines()[:1] + [b""]))
    assert err.value.line == 1 and "no sample rows" in err.value.reason


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "clinical.txt.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        cptac2019_clinical.read(path)


def test_byte_invalid_in_utf8_and_cp1252(tmp_path: Path) -> None:
    lines = _raw_lines()
    raw = lines[16]  # fixture line 17, a cp1252 line
    position = raw.index(b"\x96")
    lines[16] = raw[:position] + b"\x81" + raw[position + 1 :]
    with pytest.raises(InputError) as err:
        cptac2019_clinical.read(_write(tmp_path, lines))
    assert err.value.line == 17 and "0x81" in err.value.reason
    assert err.value.column == len(raw[:position].decode("ascii")) + 1


@pytest.mark.realdata
def test_realdata_full_clinical(realdata: Path) -> None:
    path = realdata / "cptac-ucec-2019" / "clinical.txt"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    sheet = cptac2019_clinical.read(path)
    assert len(sheet.samples) == 153 and len(sheet.attributes) == 178
    assert Counter(s.sample_type for s in sheet.samples) == {"tumor": 104, "adjacent_normal": 25, "myometrium_normal": 6, "enriched_normal": 18}
    assert sum(s.excluded for s in sheet.samples) == 9
    assert [(s.label, s.patient) for s in sheet.samples if s.replicate] == [("S104", "C3N-01825")]
    assert len(cptac2019_clinical.usable_tumors(sheet)) == 95
    expected = _not_utf8(path.read_bytes().split(b"\n"))
    assert len(expected) == 14 and sheet.fallback_lines == expected


def _with_field(tmp_path: Path, lineno: int, column_name: str, value: bytes) -> Path:
    lines = _raw_lines()
    fields = lines[lineno - 1].split(b"\t")
    fields[_header_index(column_name)] = value
    lines[lineno - 1] = b"\t".join(fields)
    return _write(tmp_path, lines)


@pytest.mark.parametrize("cell", [b"", b"NA", b"Unknown"])
def test_missing_type_cell_is_unknown(tmp_path: Path, sheet, cell: bytes) -> None:
    other = cptac2019_clinical.read(_with_field(tmp_path, 3, "Proteomics_Tumor_Normal", cell))
    assert other.samples[1].sample_type == "unknown"
    assert [s.label for s in other.unknown_type_samples] == [sheet.samples[1].label]
    assert [s.sample_type for s in other.samples[2:]] == [s.sample_type for s in sheet.samples[2:]]
    assert cptac2019_clinical.usable_tumors(other) == [s for s in cptac2019_clinical.usable_tumors(sheet) if s.label != sheet.samples[1].label]


def test_every_sample_has_an_explicit_type(sheet) -> None:
    assert sheet.type_attribute == "Proteomics_Tumor_Normal"
    assert all(s.sample_type in SAMPLE_TYPES for s in sheet.samples) and sheet.unknown_type_samples == []


@pytest.mark.parametrize("text", [b"inf", b"-Infinity", b"1e400"])
def test_non_finite_number_is_an_error(tmp_path: Path, text: bytes) -> None:
    path = _with_field(tmp_path, 6, "Age", text)
    with pytest.raises(InputError) as caught:
        cptac2019_clinical.read(path)
    assert str(caught.value) == f"{path}:6:{_header_index('Age') + 1}: non-finite value {text.decode()!r} for attribute Age"
