"""Tests for etl.sources.tsi on hand-written .tsi files in both published orientations.

No LinkedOmics .tsi is obtainable here, so there is no realdata test (see tests/data/tsi/README.md).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import tsi

DATA = Path(__file__).resolve().parents[1] / "data" / "tsi"
SAMPLES_TYPED = DATA / "samples_as_rows_typed.tsi"
FIREHOSE = DATA / "firehose_attributes_as_rows.tsi"
ROWS_TYPED = DATA / "attributes_as_rows_typed.tsi"
TCGA = ["TCGA-A5-A0G1", "TCGA-A5-A0G2", "TCGA-AJ-A3BH", "TCGA-AX-A05Z", "TCGA-B5-A0JY", "TCGA-BG-A0M8", "TCGA-D1-A103", "TCGA-EO-A22U"]


def _write(tmp_path: Path, rows: list[list[str]], name: str = "x.tsi") -> Path:
    path = tmp_path / name
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def test_samples_as_rows_with_types() -> None:
    sheet = tsi.read(SAMPLES_TYPED)
    assert (sheet.source_kind, sheet.level, sheet.fallback_lines) == ("tsi", "sample", [])
    assert [s.label for s in sheet.samples] == ["C3L-00006", "C3L-00008", "C3L-00032", "C3L-00090", "C3L-00098", "C3L-00136", "C3L-00006_N", "C3L-00032_N"]
    assert [s.line for s in sheet.samples] == list(range(3, 11))
    assert [s.sample_type for s in sheet.samples] == ["tumor"] * 6 + ["adjacent_normal"] * 2  # from Tumor_Normal
    assert all(s.patient == s.label and not s.excluded and not s.replicate for s in sheet.samples)
    kinds = {a.name: (a.kind, a.column) for a in sheet.attributes}
    assert kinds == {
        "Tumor_Normal": ("CAT", 2),
        "Age": ("CON", 3),
        "Gender": ("BIN", 4),
        "Histologic_Grade": ("ORD", 5),
        "Stage": ("ORD", 6),
        "Histologic_type": ("CAT", 7),
        "Tumor_Size_cm": ("CON", 8),
        "OS": ("SUR", 9),
        "TP53_mutation": ("BIN", 10),
    }
    assert sheet.attribute("Age").values == (64.0, 58.0, 50.0, None, 75.0, 61.0, None, None)
    assert sheet.attribute("OS").values == ((1016.0, 0), (364.0, 1), (1429.0, 0), None, (255.0, 1), (802.0, 0), None, None)
    assert sheet.attribute("Stage").levels == ("Stage I", "Stage II", "Stage III", "Stage IV")
    assert sheet.attribute("Histologic_Grade").levels == ("FIGO grade 1", "FIGO grade 2", "FIGO grade 3")
    assert sheet.attribute("Gender").levels == ("Female",)
    assert sheet.attribute("TP53_mutation").levels == ("0", "1")


def test_firehose_attributes_as_rows_inferred() -> None:
    sheet = tsi.read(FIREHOSE)
    assert [s.label for s in sheet.samples] == TCGA
    assert all(s.line == 1 and s.sample_type == "tumor" and s.patient == s.label for s in sheet.samples)
    rows = _rows(FIREHOSE)
    assert [a.name for a in sheet.attributes] == [r[0] for r in rows[1:]]
    assert [a.column for a in sheet.attributes] == list(range(2, len(rows) + 1))  # the defining line
    kinds = {a.name: a.kind for a in sheet.attributes}
    assert kinds == {
        "years_to_birth": "CON",
        "vital_status": "BIN",
        "days_to_death": "CON",
        "days_to_last_followup": "CON",
        "tumor_tissue_site": "CAT",
        "pathologic_stage": "ORD",
        "pathology_T_stage": "ORD",
        "pathology_N_stage": "ORD",
        "gender": "CAT",
        "histological_type": "CAT",
        "race": "CAT",
        "overall_survival": "CON",
        "status": "BIN",
    }
    assert sheet.attribute("pathologic_stage").levels == ("stagei", "stageia", "stageib", "stageii", "stageiiia", "stageiiic2", "stageiva")
    t_stage = sheet.attribute("pathology_T_stage")
    assert t_stage.levels == ("t1a", "t1b", "t2", "t3a", "t3b") and t_stage.values[6] is None  # tx
    assert sheet.attribute("pathology_N_stage").values == ("n0", "n0", "n2", None, "n1", "n0", None, None)
    assert sheet.attribute("days_to_death").values[:3] == (None, None, 578.0)


def test_attributes_as_rows_with_type_column() -> None:
    sheet = tsi.read(ROWS_TYPED)
    assert [s.label for s in sheet.samples] == TCGA[:6]
    assert [s.sample_type for s in sheet.samples] == ["tumor", "tumor", "tumor", "adjacent_normal", "tumor", "adjacent_normal"]
    assert [(a.name, a.kind, a.column) for a in sheet.attributes] == [
        ("sample_type", "CAT", 2),
        ("age", "CON", 3),
        ("pathologic_stage", "ORD", 4),
        ("histological_grade", "ORD", 5),
        ("overall_survival", "SUR", 6),
        ("mutation_TP53", "BIN", 7),
    ]
    assert sheet.attribute("histological_grade").levels == ("high", "low", "medium")  # no known order: first appearance
    assert sheet.attribute("overall_survival").values == ((1402.0, 0), (2080.0, 0), (578.0, 1), None, (1260.0, 1), None)


def test_type_row_named_type_lowercase_types(tmp_path: Path) -> None:
    path = _write(tmp_path, [["id", "age", "grp"], ["type", "con", "cat"], ["a", "1", "x"], ["b", "2", "y"]])
    sheet = tsi.read(path)
    assert [s.label for s in sheet.samples] == ["a", "b"] and [a.kind for a in sheet.attributes] == ["CON", "CAT"]


def test_samples_as_rows_without_types(tmp_path: Path) -> None:
    rows = [
        ["sample", "Participant", "Sample_Type", "Case_excluded", "Age"],
        ["S1", "C3N-01825", "Tumor", "No", "60"],
        ["S2", "C3N-01825_replication", "Tumor", "Yes", "NA"],
        ["S3", "C3N-01825", "Blood_normal", "NA", "60"],
        ["S4", "NA", "NA", "no", "71"],
    ]
    sheet = tsi.read(_write(tmp_path, rows))
    assert [(s.label, s.patient, s.sample_type, s.excluded, s.replicate, s.line) for s in sheet.samples] == [
        ("S1", "C3N-01825", "tumor", False, False, 2),
        ("S2", "C3N-01825", "tumor", True, True, 3),
        ("S3", "C3N-01825", "blood_normal", False, False, 4),
        ("S4", None, "unknown", False, False, 5),  # a type column with an empty cell
    ]
    assert sheet.type_attribute == "Sample_Type" and [s.label for s in sheet.unknown_type_samples] == ["S4"]
    assert [a.kind for a in sheet.attributes] == ["BIN", "BIN", "CAT", "CON"]  # two distinct texts -> BIN; No/Yes/no -> CAT


def test_attributes_as_rows_detected_by_type_cells(tmp_path: Path) -> None:
    rows = [["feature", "kind", "s1", "s2"], ["age", "CON", "1", "2"], ["os", "SUR", "5,1", "6,0"]]
    sheet = tsi.read(_write(tmp_path, rows))
    assert [s.label for s in sheet.samples] == ["s1", "s2"]
    assert [(a.name, a.kind) for a in sheet.attributes] == [("age", "CON"), ("os", "SUR")]


def test_bad_con_value_samples_as_rows(tmp_path: Path) -> None:
    rows = _rows(SAMPLES_TYPED)
    rows[4][2] = "abc"
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as err:
        tsi.read(path)
    assert str(err.value) == f"{path}:5:3: non-numeric value 'abc' for CON attribute Age"


def test_bad_con_value_attributes_as_rows(tmp_path: Path) -> None:
    rows = _rows(ROWS_TYPED)
    rows[2][5] = "fifty"
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as err:
        tsi.read(path)
    assert (err.value.line, err.value.column) == (3, 6) and "'fifty' for CON attribute age" in err.value.reason


def test_bad_survival_event(tmp_path: Path) -> None:
    rows = _rows(SAMPLES_TYPED)
    rows[3][8] = "364,2"
    with pytest.raises(InputError) as err:
        tsi.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column, err.value.reason) == (4, 9, "survival event '2' for OS is not 0 or 1")


def test_unknown_declared_type(tmp_path: Path) -> None:
    rows = _rows(SAMPLES_TYPED)
    rows[0][0], rows[1][0], rows[1][3] = "id", "data_type", "BINARY"
    with pytest.raises(InputError) as err:
        tsi.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (2, 4) and "unknown data type 'BINARY' for attribute Gender" in err.value.reason


def test_unknown_type_in_type_column(tmp_path: Path) -> None:
    rows = _rows(ROWS_TYPED)
    rows[3][1] = "ORDINAL"
    with pytest.raises(InputError) as err:
        tsi.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (4, 2)


def test_ragged_row(tmp_path: Path) -> None:
    rows = _rows(FIREHOSE)
    rows[3] = rows[3][:-1]
    with pytest.raises(InputError) as err:
        tsi.read(_write(tmp_path, rows))
    assert err.value.line == 4 and err.value.reason == "expected 9 fields, found 8"


def test_duplicate_sample_rows(tmp_path: Path) -> None:
    rows = _rows(SAMPLES_TYPED)
    rows[5][0] = "C3L-00008"
    with pytest.raises(InputError) as err:
        tsi.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (6, 1) and "first on line 4" in err.value.reason


def test_duplicate_sample_columns(tmp_path: Path) -> None:
    rows = _rows(FIREHOSE)
    rows[0][5] = rows[0][2]
    with pytest.raises(InputError) as err:
        tsi.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (1, 6) and "duplicate sample" in err.value.reason


def test_duplicate_attribute(tmp_path: Path) -> None:
    rows = _rows(FIREHOSE)
    rows[5][0] = "vital_status"
    with pytest.raises(InputError) as err:
        tsi.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (6, 1) and "duplicate attribute 'vital_status'" in err.value.reason


def test_empty_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.tsi"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        tsi.read(empty)
    with pytest.raises(InputError, match="no data rows"):
        tsi.read(_write(tmp_path, [["attrib_name", "s1"]]))
    with pytest.raises(InputError, match="no sample rows"):
        tsi.read(_write(tmp_path, [["id", "age"], ["type", "CON"]]))


def test_gzip_and_cp1252(tmp_path: Path) -> None:
    gz = tmp_path / "x.tsi.gz"
    gz.write_bytes(gzip.compress(FIREHOSE.read_bytes()))
    assert tsi.read(gz).samples == tsi.read(FIREHOSE).samples
    path = tmp_path / "cp.tsi"
    path.write_bytes(b"id\tnote\na\tx \x96 y\nb\tplain\n")
    sheet = tsi.read(path)
    assert sheet.fallback_lines == [2] and sheet.attribute("note").values == ("x \u2013 y", "plain")


def test_type_source_is_recorded() -> None:
    assert tsi.read(SAMPLES_TYPED).type_attribute == "Tumor_Normal"
    assert tsi.read(ROWS_TYPED).type_attribute == "sample_type"
    firehose = tsi.read(FIREHOSE)  # no type row: the reader's default, said so
    assert firehose.type_attribute is None
    assert {s.sample_type for s in firehose.samples} == {tsi.DEFAULT_SAMPLE_TYPE} == {"tumor"}


def test_missing_type_cell_in_attribute_rows_is_unknown(tmp_path: Path) -> None:
    rows = _rows(ROWS_TYPED)
    rows[1][3] = "NA"  # TCGA-A5-A0G2's sample_type
    sheet = tsi.read(_write(tmp_path, rows))
    assert [s.sample_type for s in sheet.samples] == ["tumor", "unknown", "tumor", "adjacent_normal", "tumor", "adjacent_normal"]
    assert [s.label for s in sheet.unknown_type_samples] == ["TCGA-A5-A0G2"]


def test_missing_type_cell_with_declared_types_is_unknown(tmp_path: Path) -> None:
    rows = _rows(SAMPLES_TYPED)
    rows[4][1] = ""  # C3L-00032's Tumor_Normal
    sheet = tsi.read(_write(tmp_path, rows))
    assert sheet.samples[2].sample_type == "unknown" and sheet.samples[3].sample_type == "tumor"


@pytest.mark.parametrize(
    ("fixture", "line", "column", "message"),
    [
        (SAMPLES_TYPED, 5, 3, "non-finite value 'inf' for CON attribute Age"),  # declared CON
        (FIREHOSE, 2, 4, "non-finite value 'inf' for attribute years_to_birth"),  # inferred, attributes as rows
    ],
)
def test_non_finite_value(tmp_path: Path, fixture: Path, line: int, column: int, message: str) -> None:
    rows = _rows(fixture)
    rows[line - 1][column - 1] = "inf"
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as caught:
        tsi.read(path)
    assert str(caught.value) == f"{path}:{line}:{column}: {message}"


def test_non_finite_value_samples_as_rows_inferred(tmp_path: Path) -> None:
    path = _write(tmp_path, [["sample", "Age", "BMI"], ["S1", "60", "30.5"], ["S2", "1e400", "22"]])
    with pytest.raises(InputError) as caught:
        tsi.read(path)
    assert str(caught.value) == f"{path}:3:2: non-finite value '1e400' for attribute Age"
