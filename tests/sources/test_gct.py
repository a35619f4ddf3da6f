"""Tests for etl.sources.gct on a hand-written GCT 1.3 file (CPTAC BRCA 2020 proteome layout).

No GCT file is obtainable here, so there is no realdata test (see tests/data/gct/README.md).
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import gct

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "gct" / "brca_like_proteome.gct"
SAMPLES = ["CPT000814", "CPT001846", "X01BR001", "X01BR008", "X01BR009", "X01BR010"]


def _rows(path: Path = FIXTURE) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def _write(tmp_path: Path, rows: list[list[str]], name: str = "x.gct") -> Path:
    path = tmp_path / name
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_annotations() -> None:
    sheet = gct.read_annotations(FIXTURE)
    assert (sheet.source_kind, sheet.level, sheet.fallback_lines) == ("gct", "sample", [])
    assert [s.label for s in sheet.samples] == SAMPLES
    assert [s.patient for s in sheet.samples] == ["BR001", "BR008", "01BR001", "01BR008", "01BR009", "01BR010"]
    assert [s.sample_type for s in sheet.samples] == ["tumor", "tumor", "tumor", "tumor", "adjacent_normal", "tumor"]
    assert all(s.line == 3 and not s.excluded and not s.replicate for s in sheet.samples)
    assert [(a.name, a.kind, a.column) for a in sheet.attributes] == [
        ("Participant", "CAT", 4),
        ("Type", "BIN", 5),
        ("PAM50", "CAT", 6),
        ("Age.in.Month", "CON", 7),
    ]
    assert sheet.attribute("PAM50").values == ("LumA", "Basal", "LumB", "Her2", None, "LumA")
    assert sheet.attribute("Age.in.Month").values == (720.0, 588.0, 610.0, None, 702.0, 545.0)


def test_annotations_without_type_or_patient(tmp_path: Path) -> None:
    rows = _rows()
    rows[1][3] = "2"
    rows = rows[:3] + rows[5:]  # drop Participant and Type
    sheet = gct.read_annotations(_write(tmp_path, rows))
    assert all(s.sample_type == "tumor" and s.patient == s.label for s in sheet.samples)
    assert [a.name for a in sheet.attributes] == ["PAM50", "Age.in.Month"]


def test_matrix() -> None:
    data = gct.read_matrix(FIXTURE)
    assert (data.format, data.id_header, data.path) == ("gct", "id", FIXTURE)
    assert data.feature_ids == ["NP_958782.1", "NP_001611.1", "NP_000508.1", "NP_001308.2", "NP_004312.2"]
    assert data.feature_lines == [8, 9, 10, 11, 12]
    assert data.samples == SAMPLES and data.sample_columns == [4, 5, 6, 7, 8, 9]
    assert data.shape == (5, 6) and data.values.dtype == np.float64
    assert data.row_annotations == {
        "geneSymbol": ["PLEC", "AHNAK", "HBA1", None, "IL7"],
        "numColumnsProteinObserved": ["6", "6", "4", "5", "3"],
    }
    assert math.isnan(data.values[0, 3]) and math.isnan(data.values[2, 0]) and math.isnan(data.values[2, 1])
    assert int(np.isnan(data.values).sum()) == 5
    assert data.values[4].tolist() == [1.5, -1.5, 0.25, -0.25, 0.75, -0.75]
    assert data.values[0, 0] == -0.4376 and data.values[3, 0] == 0.0


def test_matrix_gzip(tmp_path: Path) -> None:
    path = tmp_path / "x.gct.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    data = gct.read_matrix(path)
    assert data.feature_ids == gct.read_matrix(FIXTURE).feature_ids
    assert np.array_equal(data.values, gct.read_matrix(FIXTURE).values, equal_nan=True)


def test_dimension_samples_mismatch(tmp_path: Path) -> None:
    rows = _rows()
    rows[1][1] = "7"
    for read in (gct.read_annotations, gct.read_matrix):
        with pytest.raises(InputError) as err:
            read(_write(tmp_path, rows))
        assert err.value.line == 2 and "7 samples" in err.value.reason and "line 3" in err.value.reason


def test_dimension_row_annotations_mismatch(tmp_path: Path) -> None:
    rows = _rows()
    rows[1][2] = "1"
    with pytest.raises(InputError) as err:
        gct.read_matrix(_write(tmp_path, rows))
    assert err.value.line == 2


def test_dimension_rows_mismatch(tmp_path: Path) -> None:
    rows = _rows()
    rows[1][0] = "6"
    with pytest.raises(InputError) as err:
        gct.read_matrix(_write(tmp_path, rows))
    assert err.value.line == 2 and err.value.reason == "dimension line declares 6 data rows, found 5 (lines 8-12)"


def test_bad_dimension_line(tmp_path: Path) -> None:
    rows = _rows()
    rows[1][3] = "four"
    with pytest.raises(InputError) as err:
        gct.read_annotations(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (2, 4)
    rows = _rows()
    rows[1] = rows[1][:3]
    with pytest.raises(InputError, match="needs 4 numbers"):
        gct.read_annotations(_write(tmp_path, rows))


def test_wrong_version(tmp_path: Path) -> None:
    rows = _rows()
    rows[0] = ["#1.2"]
    with pytest.raises(InputError) as err:
        gct.read_matrix(_write(tmp_path, rows))
    assert err.value.line == 1 and "#1.3" in err.value.reason


def test_non_numeric_value(tmp_path: Path) -> None:
    rows = _rows()
    rows[9][5] = "high"
    with pytest.raises(InputError) as err:
        gct.read_matrix(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (10, 6) and "non-numeric value 'high'" in err.value.reason


def test_ragged_annotation_row(tmp_path: Path) -> None:
    rows = _rows()
    rows[4].pop()
    with pytest.raises(InputError) as err:
        gct.read_annotations(_write(tmp_path, rows))
    assert err.value.line == 5 and err.value.reason == "expected 9 fields, found 8"


def test_duplicates(tmp_path: Path) -> None:
    rows = _rows()
    rows[2][5] = rows[2][3]
    with pytest.raises(InputError) as err:
        gct.read_annotations(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (3, 6)
    rows = _rows()
    rows[10][0] = rows[7][0]
    with pytest.raises(InputError) as err:
        gct.read_matrix(_write(tmp_path, rows))
    assert (err.value.line, err.value.column) == (11, 1) and "duplicate feature" in err.value.reason


def test_file_ends_early(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="column annotation row"):
        gct.read_annotations(_write(tmp_path, _rows()[:5]))


@pytest.mark.parametrize("text", ["inf", "-Infinity", "1e400"])
def test_non_finite_value(tmp_path: Path, text: str) -> None:
    rows = _rows()
    rows[8][4] = text
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as err:
        gct.read_matrix(path)
    assert str(err.value) == f"{path}:9:5: non-finite value {text!r}"


def test_non_finite_annotation_value(tmp_path: Path) -> None:
    rows = _rows()
    rows[6][5] = "inf"  # Age.in.Month, a column of numbers
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as err:
        gct.read_annotations(path)
    assert str(err.value) == f"{path}:7:6: non-finite value 'inf' for attribute Age.in.Month"


def test_missing_type_cell_is_unknown(tmp_path: Path) -> None:
    rows = _rows()
    rows[4][4] = "na"  # CPT001846's Type
    rows[4][6] = ""  # X01BR008's Type
    sheet = gct.read_annotations(_write(tmp_path, rows))
    assert [s.sample_type for s in sheet.samples] == ["tumor", "unknown", "tumor", "unknown", "adjacent_normal", "tumor"]
    assert sheet.type_attribute == "Type"
    assert [s.label for s in sheet.unknown_type_samples] == ["CPT001846", "X01BR008"]


def test_type_source_is_recorded() -> None:
    assert gct.read_annotations(FIXTURE).type_attribute == "Type"
    assert gct.read_annotations(FIXTURE).unknown_type_samples == []


def test_default_type_without_a_type_annotation(tmp_path: Path) -> None:
    rows = _rows()
    rows[1][3] = "3"
    rows = rows[:4] + rows[5:]  # drop Type
    sheet = gct.read_annotations(_write(tmp_path, rows))
    assert sheet.type_attribute is None
    assert [s.sample_type for s in sheet.samples] == [gct.DEFAULT_SAMPLE_TYPE] * 6 == ["tumor"] * 6
