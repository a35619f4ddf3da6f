"""Tests for etl.sources.matrix on real cptac 2019 UCEC matrix rows (CRLF, as in the real files).

The fixtures are cut by scripts/fixtures/cut_ucec_matrices.py (see tests/data/cptac/README.md).
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import matrix

DATA = Path(__file__).resolve().parents[1] / "data" / "cptac"
CNA = DATA / "ucec_cna_first_rows_pten_tp53_il7.cct"
PROTEOMICS = DATA / "ucec_proteomics_first_rows_pten_tp53.cct"
BINARY = DATA / "ucec_somatic_binary_first_rows_il7.cbt"


def _table(path: Path) -> list[list[str]]:
    """The fixture split by hand (the oracle the reader is compared with)."""
    return [line.split("\t") for line in path.read_bytes().decode("utf-8").split("\r\n") if line]


def _expected_values(rows: list[list[str]]) -> list[list[float | None]]:
    return [[None if cell == "NA" else float(cell) for cell in row[1:]] for row in rows[1:]]


def _as_lists(values: np.ndarray) -> list[list[float | None]]:
    return np.where(np.isnan(values), None, values).tolist()


@pytest.mark.parametrize(("path", "format"), [(CNA, "cct"), (PROTEOMICS, "cct"), (BINARY, "cbt")], ids=lambda p: getattr(p, "name", p))
def test_reads_real_crlf_matrix(path: Path, format: str) -> None:
    rows = _table(path)
    data = matrix.read(path, format)
    assert (data.format, data.id_header, data.path) == (format, "idx", path)
    assert data.samples == rows[0][1:] and data.samples[0] == "S001"
    assert data.sample_columns == list(range(2, len(rows[0]) + 1))
    assert data.feature_ids == [row[0] for row in rows[1:]]
    assert data.feature_lines == list(range(2, len(rows) + 1))
    assert _as_lists(data.values) == _expected_values(rows)


def test_real_rows_named_in_the_fixture() -> None:
    data = matrix.read(CNA)
    assert data.shape == (15, 103)
    assert data.feature_ids[-3:] == ["PTEN", "TP53", "IL7"]
    assert all(s.startswith("S") for s in data.samples)


def test_proteomics_missing_values_are_nan() -> None:
    data = matrix.read(PROTEOMICS)
    rows = _table(PROTEOMICS)
    missing = sum(cell == "NA" for row in rows[1:] for cell in row[1:])
    assert missing > 0 and int(np.isnan(data.values).sum()) == missing


def _with_cell(tmp_path: Path, lineno: int, column: int, text: str, name: str = "m.cct", after=None) -> Path:
    rows = _table(CNA)
    rows[lineno - 1][column - 1] = text
    if after is not None:
        after(rows)
    path = tmp_path / name
    path.write_bytes(b"".join("\t".join(r).encode() + b"\r\n" for r in rows))
    return path


NON_FINITE = ["inf", "-inf", "+inf", "Infinity", "-Infinity", "INF", "iNf", "1e400", "-1E+999", "9" * 400]


@pytest.mark.parametrize("text", NON_FINITE, ids=lambda t: t[:12])
def test_non_finite_value_is_rejected(tmp_path: Path, text: str) -> None:
    path = _with_cell(tmp_path, 5, 7, text)
    with pytest.raises(InputError) as caught:
        matrix.read(path)
    assert str(caught.value) == f"{path}:5:7: non-finite value {text[:40]!r}"


@pytest.mark.parametrize("text", ["inf", "1e400"])
def test_non_finite_value_found_by_the_line_scan_too(tmp_path: Path, text: str) -> None:
    # A later bad cell makes Arrow fail; the exact scan then meets the infinity first.
    path = _with_cell(tmp_path, 5, 7, text, after=lambda rows: rows[9].__setitem__(3, "abc"))
    with pytest.raises(InputError) as caught:
        matrix.read(path)
    assert str(caught.value) == f"{path}:5:7: non-finite value {text!r}"


def test_non_finite_value_in_gzip(tmp_path: Path) -> None:
    plain = _with_cell(tmp_path, 16, 104, "-inf")
    path = tmp_path / "m.cct.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    with pytest.raises(InputError, match=r"m\.cct\.gz:16:104: non-finite value '-inf'$"):
        matrix.read(path)


@pytest.mark.parametrize("text", ["NA", "NaN", "nan", "", "NULL", "-nan", "#N/A"])
def test_missing_spellings_are_missing(tmp_path: Path, text: str) -> None:
    data = matrix.read(_with_cell(tmp_path, 5, 7, text))
    assert math.isnan(data.values[3, 5])
    assert int(np.isnan(data.values).sum()) == 1  # the CNA rows have no other missing value


@pytest.mark.parametrize("text", ["1_0", "\u0661", "0x10", "abc"])
def test_non_numeric_value_is_located(tmp_path: Path, text: str) -> None:
    # float() takes '1_0' and Arabic-Indic digits; Arrow does not, and neither may the exact scan.
    path = _with_cell(tmp_path, 8, 3, text)
    with pytest.raises(InputError) as caught:
        matrix.read(path)
    assert str(caught.value) == f"{path}:8:3: non-numeric value {text!r}"


def test_bare_cr_line_endings_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mac.cct"
    path.write_bytes(CNA.read_bytes().replace(b"\r\n", b"\r"))
    with pytest.raises(InputError) as caught:
        matrix.read(path)
    assert str(caught.value) == f"{path}:1: lines end in a bare CR (classic Mac line endings); save the file with LF or CRLF endings"


def test_blank_line_inside_is_still_an_empty_feature_id(tmp_path: Path) -> None:
    data = CNA.read_bytes().split(b"\r\n")
    data.insert(4, b"")
    path = tmp_path / "blank.cct"
    path.write_bytes(b"\r\n".join(data))
    with pytest.raises(InputError, match=r"blank\.cct:5:1: empty feature id$"):
        matrix.read(path)


def test_utf8_bom_is_not_part_of_the_id_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.cct"
    path.write_bytes(b"\xef\xbb\xbf" + CNA.read_bytes())
    data = matrix.read(path)
    assert data.id_header == "idx" and data.samples == matrix.read(CNA).samples


def test_cbt_value_other_than_zero_or_one(tmp_path: Path) -> None:
    rows = _table(BINARY)
    rows[3][5] = "2"
    path = tmp_path / "b.cbt"
    path.write_bytes(b"".join("\t".join(r).encode() + b"\r\n" for r in rows))
    with pytest.raises(InputError, match=r"b\.cbt:4:6: binary \(\.cbt\) value '2' is not 0 or 1$"):
        matrix.read(path, "cbt")


def test_looks_like_matrix_fixtures() -> None:
    from omicskb.etl.textio import read_head

    for path in sorted(DATA.glob("*.c?t")):
        assert matrix.looks_like(read_head(path)), path.name
    assert not matrix.looks_like(read_head(DATA / "ucec_clinical_subset.txt"))
