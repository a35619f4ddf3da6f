"""Tests for etl.sources.sample_sheet: cell cleaning, type inference, declared types, sample types."""

from __future__ import annotations

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import sample_sheet
from omicskb.etl.sources.sample_sheet import infer_attribute, normalise_sample_type, parse_declared, split_replicate, unquote


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Other, specify"', "Other, specify"),
        ('"He said ""no"""', 'He said "no"'),
        ('""', ""),
        ('"', '"'),
        ("plain", "plain"),
        ('a "quoted" word', 'a "quoted" word'),
        ('""x""', '"x"'),
    ],
)
def test_unquote(text: str, expected: str) -> None:
    assert unquote(text) == expected


def test_constants() -> None:
    assert sample_sheet.CLINICAL_TYPES == ("CON", "BIN", "ORD", "CAT", "SUR", "TXT")
    assert sample_sheet.SAMPLE_TYPES == ("tumor", "adjacent_normal", "myometrium_normal", "enriched_normal", "blood_normal", "other_normal", "other", "unknown")
    assert set(sample_sheet.MISSING_TEXT) == {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "na"}


def _kind(values: list[str | None]) -> tuple[str, tuple[str, ...] | None]:
    attribute = infer_attribute("x", values, 7)
    assert attribute.column == 7 and attribute.name == "x" and len(attribute.values) == len(values)
    return attribute.kind, attribute.levels


def test_all_missing_is_txt() -> None:
    attribute = infer_attribute("x", ["NA", "", None, " nan ", "N/A", "null", "NULL", "na", "NaN"], 2)
    assert (attribute.kind, attribute.levels) == ("TXT", None)
    assert attribute.values == (None,) * 9


def test_numbers_are_con() -> None:
    attribute = infer_attribute("Age", ["64", "NA", "5.28E-09", "-0.5", " 12 ", "1"], 25)
    assert (attribute.kind, attribute.levels) == ("CON", None)
    assert attribute.values == (64.0, None, 5.28e-09, -0.5, 12.0, 1.0)


@pytest.mark.parametrize(
    "values",
    [["0", "1", "NA", "1"], ["1.0", "0.0", "1"], ["0", "0", "NA"], ["1"]],
)
def test_zero_one_numbers_are_bin(values: list[str]) -> None:
    attribute = infer_attribute("m", values, 3)
    assert (attribute.kind, attribute.levels) == ("BIN", ("0", "1"))
    assert all(v in ("0", "1", None) for v in attribute.values)


def test_zero_one_values_normalised() -> None:
    assert infer_attribute("m", ["1.0", "0.0", "NA"], 3).values == ("1", "0", None)


@pytest.mark.parametrize("bad", ["inf", "-inf", "Infinity", "1e400", "-1E+999"])
def test_infinity_in_a_column_of_numbers_is_an_error(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        infer_attribute("Age", ["1.5", "NA", bad, "2"], 7, path="t.tsi", cells=[(3, 7), (4, 7), (5, 7), (6, 7)])
    assert str(caught.value) == f"t.tsi:5:7: non-finite value {bad!r} for attribute Age"


def test_infinity_among_words_is_text() -> None:
    # Not a column of numbers: 'Infinity' is just one of its words.
    assert _kind(["Infinity", "Finite", "Infinity"]) == ("BIN", ("Finite", "Infinity"))


@pytest.mark.parametrize("declared", ["CON", "ORD"])
def test_infinity_in_a_declared_numeric_column_is_an_error(declared: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_declared("Age", declared, ["64", "inf"], "t.tsi", [3, 4], 5)
    assert str(caught.value) == "t.tsi:4:5: non-finite value 'inf'" + (" for CON attribute Age" if declared == "CON" else " for attribute Age")


def test_infinite_survival_time_is_an_error() -> None:
    with pytest.raises(InputError) as caught:
        parse_declared("OS", "SUR", ["100,1", "1e400,0"], "t.tsi", [3, 4], 9)
    assert str(caught.value) == "t.tsi:4:9: non-finite survival time '1e400' for OS"


def test_figo_grade_is_ord() -> None:
    assert _kind(["FIGO grade 2", "FIGO grade 1", "NA", "FIGO grade 3", "FIGO grade 1"]) == (
        "ORD",
        ("FIGO grade 1", "FIGO grade 2", "FIGO grade 3"),
    )


def test_plain_grades_and_marker() -> None:
    attribute = infer_attribute("g", ["G3", "GX", "G1", "Grade 2"], 4)
    assert (attribute.kind, attribute.levels) == ("ORD", ("G1", "Grade 2", "G3"))
    assert attribute.values == ("G3", None, "G1", "Grade 2")


def test_stage_roman_order() -> None:
    values = ["IVB", "IA", "IIIC2", "II", "IB", "IIIC1", "I", "IIIA", "IIIB", "NA"]
    assert _kind(values) == ("ORD", ("I", "IA", "IB", "II", "IIIA", "IIIB", "IIIC1", "IIIC2", "IVB"))


def test_stage_words_and_marker() -> None:
    attribute = infer_attribute("s", ["Stage III", "Stage I", "Stage X", "Stage IV", "Stage II"], 21)
    assert (attribute.kind, attribute.levels) == ("ORD", ("Stage I", "Stage II", "Stage III", "Stage IV"))
    assert attribute.values[2] is None


def test_firehose_squashed_stages() -> None:
    assert _kind(["stageiiic2", "stagei", "stageia", "stageiva"]) == ("ORD", ("stagei", "stageia", "stageiiic2", "stageiva"))


def test_tnm_order_and_markers() -> None:
    attribute = infer_attribute("pN", ["pN2 (FIGO IIIC2)", "pNX", "pN0", "pN1 (FIGO IIIC1)", "NA"], 18)
    assert (attribute.kind, attribute.levels) == ("ORD", ("pN0", "pN1 (FIGO IIIC1)", "pN2 (FIGO IIIC2)"))
    assert attribute.values == ("pN2 (FIGO IIIC2)", None, "pN0", "pN1 (FIGO IIIC1)", None)


def test_tnm_suffixes_and_tis() -> None:
    values = ["pT3a (FIGO IIIA)", "pT1b (FIGO IB)", "pT1 (FIGO I)", "pTis", "pT0", "pT1a (FIGO IA)", "pT2 (FIGO II)"]
    assert _kind(values) == ("ORD", ("pT0", "pTis", "pT1 (FIGO I)", "pT1a (FIGO IA)", "pT1b (FIGO IB)", "pT2 (FIGO II)", "pT3a (FIGO IIIA)"))


def test_staging_incomplete_is_a_tnm_marker() -> None:
    attribute = infer_attribute("cM", ["cM0", "Staging Incomplete", "cM1", "cM0"], 19)
    assert (attribute.kind, attribute.levels) == ("ORD", ("cM0", "cM1"))
    assert attribute.values == ("cM0", None, "cM1", "cM0")


def test_tnm_with_unparsed_text_is_cat() -> None:
    values = ["Staging Incomplete", "No pathologic evidence of distant metastasis", "pM1"]
    assert _kind(values) == ("CAT", ("No pathologic evidence of distant metastasis", "Staging Incomplete", "pM1"))


def test_tnm_mixed_categories_are_not_ordinal() -> None:
    assert _kind(["pT1", "pN0", "pT2"]) == ("CAT", ("pN0", "pT1", "pT2"))


def test_only_markers_are_not_ordinal() -> None:
    assert _kind(["pNX", "Staging Incomplete", "pNX"]) == ("BIN", ("Staging Incomplete", "pNX"))


def test_two_texts_are_bin_and_ordinal_wins_over_bin() -> None:
    assert _kind(["Yes", "No", "NA", "Yes"]) == ("BIN", ("No", "Yes"))
    assert _kind(["Stage II", "Stage I"]) == ("ORD", ("Stage I", "Stage II"))


def test_distinct_identifiers_are_txt_above_20() -> None:
    ids = [f"id-{i:02d}" for i in range(21)]
    assert _kind(ids + ["NA"]) == ("TXT", None)
    assert _kind(ids[:20])[0] == "CAT"
    assert _kind(ids + ["id-00"])[0] == "CAT"  # one repeat: not every value distinct


def test_cat_levels_in_code_point_order() -> None:
    assert _kind(["b", "B", "a", "b"]) == ("CAT", ("B", "a", "b"))


def test_single_text_value_is_cat() -> None:
    assert _kind(["Female", "NA", "Female"]) == ("CAT", ("Female",))


def test_values_are_stripped_and_unquoted() -> None:
    attribute = infer_attribute("site", ['"Other, specify"', " Anterior ", "Other, specify"], 30)
    assert attribute.values == ("Other, specify", "Anterior", "Other, specify")
    assert attribute.levels == ("Anterior", "Other, specify")


# --------------------------------------------------------------------------------------- declared


def test_declared_con_with_row_lines() -> None:
    attribute = parse_declared("Age", "CON", ["64", "NA", "58.5"], "f.tsi", [3, 4, 5], 2)
    assert (attribute.kind, attribute.levels, attribute.values, attribute.column) == ("CON", None, (64.0, None, 58.5), 2)


def test_declared_con_error_names_the_cell_samples_as_rows() -> None:
    with pytest.raises(InputError) as err:
        parse_declared("Age", "CON", ["64", "abc", "58"], "f.tsi", [3, 4, 5], 6)
    assert (err.value.path, err.value.line, err.value.column) == ("f.tsi", 4, 6)
    assert err.value.reason == "non-numeric value 'abc' for CON attribute Age"
    assert str(err.value) == "f.tsi:4:6: non-numeric value 'abc' for CON attribute Age"


def test_declared_con_error_names_the_cell_attributes_as_rows() -> None:
    with pytest.raises(InputError) as err:
        parse_declared("age", "CON", ["64", "58", "x1"], "f.tsi", 9, [3, 4, 5])
    assert (err.value.line, err.value.column) == (9, 5)


def test_declared_attribute_position_for_rows() -> None:
    assert parse_declared("age", "con", ["1.5"], "f.tsi", 9, [3]).column == 9


def test_declared_bin_more_than_two_values() -> None:
    with pytest.raises(InputError) as err:
        parse_declared("sex", "BIN", ["F", "M", "F", "NA", "U"], "f.tsi", [2, 3, 4, 5, 6], 3)
    assert (err.value.line, err.value.column) == (6, 3) and "more than 2 values" in err.value.reason


def test_declared_bin_and_cat_levels() -> None:
    assert parse_declared("sex", "BIN", ["M", "F", "NA"], "f", [1, 2, 3], 2).levels == ("F", "M")
    assert parse_declared("sex", "BIN", ["M", "M"], "f", [1, 2], 2).levels == ("M",)
    assert parse_declared("h", "CAT", ["b", "a", "c", "a"], "f", [1, 2, 3, 4], 2).levels == ("a", "b", "c")


def test_declared_ord_by_family_numbers_or_first_appearance() -> None:
    assert parse_declared("s", "ORD", ["Stage II", "Stage I", "Stage X"], "f", 1, [2, 3, 4]).levels == ("Stage I", "Stage II")
    mixed = parse_declared("s", "ORD", ["Stage II", "Stage I", "pTX"], "f", 1, [2, 3, 4])
    assert mixed.levels == ("Stage II", "Stage I", "pTX")  # two families: first appearance, pTX kept
    numeric = parse_declared("g", "ORD", ["3", "1", "10", "2"], "f", 1, [2, 3, 4, 5])
    assert numeric.levels == ("1", "2", "3", "10") and numeric.values == ("3", "1", "10", "2")
    assert parse_declared("g", "ORD", ["high", "low", "high", "medium"], "f", 1, [2, 3, 4, 5]).levels == ("high", "low", "medium")
    marker = parse_declared("n", "ORD", ["pN1", "pNX", "pN0"], "f", 1, [2, 3, 4])
    assert marker.levels == ("pN0", "pN1") and marker.values == ("pN1", None, "pN0")


def test_declared_sur() -> None:
    attribute = parse_declared("OS", "SUR", ["1016,0", "364,1", "NA", "NA,1", " 12.5 , 1 "], "f", [2, 3, 4, 5, 6], 9)
    assert attribute.values == ((1016.0, 0), (364.0, 1), None, None, (12.5, 1))
    assert all(isinstance(v[1], int) for v in attribute.values if v is not None)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("1016", "survival value '1016' for SUR attribute OS is not 'time,event'"),
        ("1,0,1", "survival value '1,0,1' for SUR attribute OS is not 'time,event'"),
        ("abc,1", "non-numeric survival time 'abc' for OS"),
        ("-3,1", "negative survival time '-3' for OS"),
        ("100,2", "survival event '2' for OS is not 0 or 1"),
        ("NA,yes", "survival event 'yes' for OS is not 0 or 1"),
    ],
)
def test_declared_sur_errors(cell: str, reason: str) -> None:
    with pytest.raises(InputError) as err:
        parse_declared("OS", "SUR", ["10,1", cell], "f.tsi", [3, 4], 9)
    assert (err.value.line, err.value.column, err.value.reason) == (4, 9, reason)


def test_declared_unknown_type() -> None:
    with pytest.raises(InputError) as err:
        parse_declared("Age", "NUM", ["1"], "f.tsi", [3], 4, type_cell=(2, 4))
    assert (err.value.line, err.value.column) == (2, 4)
    assert "unknown data type 'NUM' for attribute Age" in err.value.reason


def test_declared_txt_keeps_text() -> None:
    assert parse_declared("id", "TXT", ["a", "NA", '"b"'], "f", [1, 2, 3], 2).values == ("a", None, "b")


# ------------------------------------------------------------------------------------ sample types


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tumor", "tumor"),
        ("tumor", "tumor"),
        ("Primary Tumor", "tumor"),
        ("TP", "tumor"),
        ("Adjacent_normal", "adjacent_normal"),
        ("Normal", "adjacent_normal"),
        ("NAT", "adjacent_normal"),
        ("Solid Tissue Normal", "adjacent_normal"),
        ("NT", "adjacent_normal"),
        ("Myometrium_normal", "myometrium_normal"),
        ("Enriched_normal", "enriched_normal"),
        ("Blood_normal", "blood_normal"),
        ("Blood Derived Normal", "blood_normal"),
        ("Buccal Cell Normal", "other_normal"),
        ("Metastatic", "other"),
        ("Cell line", "other"),
        ("NA", None),
        ("", None),
        (None, None),
        ("Unknown", "unknown"),
        ("Not Reported", "unknown"),
    ],
)
def test_normalise_sample_type(text: str | None, expected: str | None) -> None:
    assert normalise_sample_type(text) == expected


@pytest.mark.parametrize(
    ("participant", "expected"),
    [
        ("C3N-01825_replication", ("C3N-01825", True)),
        ("C3N-01825_REPLICATION", ("C3N-01825", True)),
        ("C3N-01825-replicate", ("C3N-01825", True)),
        ("C3N-01825_rep", ("C3N-01825", True)),
        ("C3N-01825", ("C3N-01825", False)),
        ("NX1", ("NX1", False)),
        ("C3L-00rep", ("C3L-00rep", False)),
    ],
)
def test_split_replicate(participant: str, expected: tuple[str, bool]) -> None:
    assert split_replicate(participant) == expected


def test_sample_sheet_requires_explicit_types() -> None:
    from pathlib import Path

    from omicskb.etl.sources.sample_sheet import SampleRecord, SampleSheet

    untyped = SampleRecord("S1", "P1", None, False, False, 2)
    with pytest.raises(ValueError, match="sample 'S1' has sample type None"):
        SampleSheet(Path("x"), "tsi", "sample", [untyped], [], [])
    typed = SampleRecord("P1", "P1", "tumor", False, False, 2)
    with pytest.raises(ValueError, match="case 'P1' of a per-case sheet has a sample type"):
        SampleSheet(Path("x"), "pancan_meta", "patient", [typed], [], [])
    sheet = SampleSheet(Path("x"), "tsi", "sample", [typed, SampleRecord("S2", "P2", "unknown", False, False, 3)], [], [])
    assert [s.label for s in sheet.unknown_type_samples] == ["S2"]
