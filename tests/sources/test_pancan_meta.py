"""Tests for etl.sources.pancan_meta on hand-written UCEC-like `_meta.txt` and `_survival.txt` files.

The pan-cancer data freeze is not obtainable here, so there is no realdata test (see tests/data/pancan/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import pancan_meta

DATA = Path(__file__).resolve().parents[1] / "data" / "pancan"
META = DATA / "UCEC_meta.txt"
SURVIVAL = DATA / "UCEC_survival.txt"
CASES = ["C3L-00006", "C3L-00008", "C3L-00032", "C3L-00084", "C3L-00090", "C3N-00151", "C3N-00200", "C3N-01825"]


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def _write(tmp_path: Path, rows: list[list[str]], name: str = "x.txt") -> Path:
    path = tmp_path / name
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_meta() -> None:
    sheet = pancan_meta.read(META)
    assert (sheet.source_kind, sheet.level, sheet.fallback_lines) == ("pancan_meta", "patient", [])
    assert [(s.label, s.patient, s.sample_type, s.excluded, s.replicate) for s in sheet.samples] == [(c, c, None, False, False) for c in CASES]
    assert [s.line for s in sheet.samples] == list(range(3, 11))
    assert [(a.name, a.kind, a.column) for a in sheet.attributes] == [
        ("Sex", "BIN", 2),
        ("Age", "CON", 3),
        ("Race", "CAT", 4),
        ("Stage", "ORD", 5),
        ("Histologic_Grade", "ORD", 6),
        ("Tumor_Site", "CAT", 7),
        ("BMI", "CON", 8),
        ("BAP1_mutation", "BIN", 9),
        ("Tumor_Code", "TXT", 10),  # declared `ID`: not a test type
    ]
    assert sheet.attribute("Age").values == (64.0, 58.0, 50.0, 70.0, None, 62.0, 59.0, 73.0)
    assert sheet.attribute("Stage").levels == ("Stage I", "Stage II", "Stage III", "Stage IV")
    assert sheet.attribute("Stage").values[3] is None
    assert sheet.attribute("Histologic_Grade").levels == ("G1", "G2", "G3")
    assert sheet.attribute("BAP1_mutation").values == ("0", "0", "1", "0", None, "0", "1", "0")
    assert sheet.attribute("Race").levels == ("Asian", "Black or African American", "White")


def test_meta_unknown_words_and_empty_type_are_txt(tmp_path: Path) -> None:
    rows = [["case_id", "a", "b", "c"], ["data_type", "", "TXT", "weird"], ["X1", "1", "2", "3"]]
    assert [a.kind for a in pancan_meta.read(_write(tmp_path, rows)).attributes] == ["TXT", "TXT", "TXT"]


def test_meta_bad_con(tmp_path: Path) -> None:
    rows = _rows(META)
    rows[6][2] = "sixty"
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as err:
        pancan_meta.read(path)
    assert str(err.value) == f"{path}:7:3: non-numeric value 'sixty' for CON attribute Age"


def test_meta_bin_with_three_values(tmp_path: Path) -> None:
    rows = _rows(META)
    rows[4][1] = "Male"
    rows[8][1] = "Unknown"
    with pytest.raises(InputError) as err:
        pancan_meta.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (9, 2)


def test_meta_needs_data_type_row(tmp_path: Path) -> None:
    rows = _rows(META)
    del rows[1]
    with pytest.raises(InputError) as err:
        pancan_meta.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (2, 1) and "data_type" in err.value.reason


def test_meta_wrong_first_header(tmp_path: Path) -> None:
    rows = _rows(META)
    rows[0][0] = "idx"
    with pytest.raises(InputError) as err:
        pancan_meta.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (1, 1)


def test_meta_duplicate_case(tmp_path: Path) -> None:
    rows = _rows(META)
    rows[5][0] = CASES[0]
    with pytest.raises(InputError) as err:
        pancan_meta.read(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (6, 1) and "first on line 3" in err.value.reason


def test_meta_ragged_and_no_cases(tmp_path: Path) -> None:
    rows = _rows(META)
    rows[3].append("extra")
    with pytest.raises(InputError) as err:
        pancan_meta.read(_write(tmp_path, rows))
    assert err.value.line == 4 and err.value.reason == "expected 10 fields, found 11"
    with pytest.raises(InputError, match="no case rows"):
        pancan_meta.read(_write(tmp_path, _rows(META)[:2]))


def test_survival() -> None:
    sheet = pancan_meta.read_survival(SURVIVAL)
    assert (sheet.source_kind, sheet.level) == ("pancan_survival", "patient") == (pancan_meta.SOURCE_KIND_SURVIVAL, "patient")
    assert [s.label for s in sheet.samples] == CASES
    assert [(a.name, a.kind, a.levels, a.column) for a in sheet.attributes] == [("OS", "SUR", None, 2), ("PFS", "SUR", None, 4)]
    assert sheet.attribute("OS").values == ((1016.0, 0), (364.0, 1), (1429.0, 0), (88.0, 1), None, (730.5, 0), None, (1900.0, 0))
    assert sheet.attribute("PFS").values == ((1016.0, 0), (120.0, 1), None, (88.0, 1), None, (402.0, 1), (300.0, 0), (1900.0, 0))


def test_survival_extra_columns_and_order(tmp_path: Path) -> None:
    rows = [["case_id", "PFS_event", "PFS_days", "Vital_status", "OS_days", "OS_event"], ["A", "1", "10", "Alive", "20", "0"], ["B", "0", "5", "Dead", "8", "1"]]
    sheet = pancan_meta.read_survival(_write(tmp_path, rows))
    assert [(a.name, a.kind, a.column) for a in sheet.attributes] == [("OS", "SUR", 5), ("PFS", "SUR", 3), ("Vital_status", "BIN", 4)]
    assert sheet.attribute("PFS").values == ((10.0, 1), (5.0, 0))


def test_survival_only_os(tmp_path: Path) -> None:
    sheet = pancan_meta.read_survival(_write(tmp_path, [["case_id", "OS_days", "OS_event"], ["A", "3", "1"]]))
    assert [a.name for a in sheet.attributes] == ["OS"]


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        (3, 3, "2", "survival event '2' for OS is not 0 or 1"),
        (4, 2, "many", "non-numeric survival time 'many' for OS"),
        (5, 4, "-1", "negative survival time '-1' for PFS"),
        (8, 3, "dead", "survival event 'dead' for OS is not 0 or 1"),  # checked although OS_days is there
        (6, 5, "7", "survival event '7' for PFS is not 0 or 1"),  # checked although PFS_days is NA
    ],
)
def test_survival_bad_values(tmp_path: Path, row: int, column: int, value: str, reason: str) -> None:
    rows = _rows(SURVIVAL)
    rows[row - 1][column - 1] = value
    with pytest.raises(InputError) as err:
        pancan_meta.read_survival(_write(tmp_path, rows))
    assert (err.value.line, err.value.column, err.value.reason) == (row, column, reason)


def test_survival_half_endpoint(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        pancan_meta.read_survival(_write(tmp_path, [["case_id", "OS_days", "OS_event", "PFS_days"], ["A", "1", "0", "4"]]))
    assert err.value.line == 1 and "PFS_event is missing" in err.value.reason
    with pytest.raises(InputError, match="no survival columns"):
        pancan_meta.read_survival(_write(tmp_path, [["case_id", "Age"], ["A", "1"]]))


def test_survival_duplicate_case(tmp_path: Path) -> None:
    rows = _rows(SURVIVAL)
    rows[4][0] = CASES[1]
    with pytest.raises(InputError) as err:
        pancan_meta.read_survival(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (5, 1)


def test_per_case_sheets_have_no_sample_types() -> None:
    for sheet in (pancan_meta.read(META), pancan_meta.read_survival(SURVIVAL)):
        assert sheet.level == "patient" and sheet.type_attribute is None
        assert all(s.sample_type is None for s in sheet.samples) and sheet.unknown_type_samples == []


@pytest.mark.parametrize("text", ["inf", "-Infinity", "1e400"])
def test_non_finite_con_value(tmp_path: Path, text: str) -> None:
    rows = _rows(META)
    rows[3][2] = text  # Age of the 2nd case
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as caught:
        pancan_meta.read(path)
    assert str(caught.value) == f"{path}:4:3: non-finite value {text!r} for CON attribute Age"


def test_non_finite_survival_days(tmp_path: Path) -> None:
    rows = _rows(SURVIVAL)
    rows[2][3] = "inf"  # PFS_days
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as caught:
        pancan_meta.read_survival(path)
    assert str(caught.value) == f"{path}:3:4: non-finite survival time 'inf' for PFS"
