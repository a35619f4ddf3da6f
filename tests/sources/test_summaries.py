"""Tests for etl.sources.summaries on IL7's two RefSeq summaries (Dec 2010 and Jul 2020).

No bulk summary file is obtainable here, so there is no realdata test.
"""

from __future__ import annotations

import datetime
import gzip
import inspect
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import summaries
from omicskb.etl.sources.summaries import SummaryRecord

DATA = Path(__file__).resolve().parents[1] / "data" / "ncbi"
DEC_2010 = DATA / "il7_summary_refseq_2010-12.tsv"
JUL_2020 = DATA / "il7_summary_refseq_2020-07.tsv"
HEADER = "GeneID\tSummary"


def _write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "summaries.tsv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def _one(tmp_path: Path, summary: str) -> SummaryRecord:
    (record,) = summaries.read(_write(tmp_path, "3574\t" + summary))
    return record


def test_columns_match_fixture_headers() -> None:
    for path in (DEC_2010, JUL_2020):
        assert summaries.COLUMNS == tuple(path.read_text(encoding="utf-8").splitlines()[0].split("\t"))


def test_dec_2010_tag_without_space() -> None:
    assert inspect.isgenerator(summaries.read(DEC_2010))
    (record,) = summaries.read(DEC_2010)
    assert (record.line, record.gene_id, record.source, record.source_date, record.source_date_text) == (
        2,
        "3574",
        "RefSeq",
        datetime.date(2010, 12, 1),
        "Dec 2010",
    )
    assert record.text.startswith("The protein encoded by this gene is a cytokine important for B and T cell development.")
    assert record.text.endswith("their presence in normal tissues has not been confirmed.")
    assert "[" not in record.text and len(record.text) == 849 - len("[provided by RefSeq, Dec 2010]")


def test_jul_2020() -> None:
    (record,) = summaries.read(JUL_2020)
    assert (record.gene_id, record.source, record.source_date, record.source_date_text) == (
        "3574",
        "RefSeq",
        datetime.date(2020, 7, 1),
        "Jul 2020",
    )
    assert "SARS-CoV-2" in record.text
    assert record.text.endswith("associated with the severity of Coronavirus Disease 19 (COVID-19).")
    assert record.text == record.text.strip()


def test_omim_tag_and_trailing_period(tmp_path: Path) -> None:
    record = _one(tmp_path, "Some text.  [supplied by OMIM, Mar 2008].")
    assert (record.text, record.source, record.source_date, record.source_date_text) == (
        "Some text.",
        "OMIM",
        datetime.date(2008, 3, 1),
        "Mar 2008",
    )


def test_no_tag(tmp_path: Path) -> None:
    record = _one(tmp_path, " A summary without provenance. ")
    assert (record.text, record.source, record.source_date, record.source_date_text) == (
        "A summary without provenance.",
        None,
        None,
        None,
    )


def test_tag_not_at_end_is_text(tmp_path: Path) -> None:
    record = _one(tmp_path, "[provided by RefSeq, Jul 2020] then more text")
    assert record.source is None and record.text.startswith("[provided by RefSeq")


def test_reads_gzip(tmp_path: Path) -> None:
    path = tmp_path / "summaries.tsv.gz"
    path.write_bytes(gzip.compress(JUL_2020.read_bytes()))
    assert list(summaries.read(path)) == list(summaries.read(JUL_2020))


def test_wrong_header(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        list(summaries.read(_write(tmp_path, "3574\tText.", header="gene_id\tSummary")))
    assert exc.value.line == 1 and "missing 'GeneID'" in exc.value.reason


def test_ragged_row(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        list(summaries.read(_write(tmp_path, "3574\tText.", "3575\tText\twith a tab.")))
    assert exc.value.line == 3 and "expected 2 fields, found 3" in exc.value.reason


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("IL7\tText.", 1, "GeneID 'IL7' is not a number"),
        ("3574\tText. [provided by RefSeq, Jly 2020]", 2, "unknown month 'Jly' in provenance tag"),
        ("3574\tText. [provided by RefSeq, Jul 0000]", 2, "year '0000' in provenance tag is not a calendar year"),
        ("3574\t[provided by RefSeq, Jul 2020]", 2, "empty summary text"),
        ("3574\t", 2, "empty summary text"),
    ],
)
def test_bad_row(tmp_path: Path, row: str, column: int, reason: str) -> None:
    with pytest.raises(InputError) as exc:
        list(summaries.read(_write(tmp_path, "3575\tFine.", row)))
    assert (exc.value.line, exc.value.column, exc.value.reason) == (3, column, reason)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(JUL_2020.read_bytes())
    path = tmp_path / "summaries.tsv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(summaries.read(path))


def test_non_utf8_byte(tmp_path: Path) -> None:
    path = tmp_path / "summaries.tsv"
    path.write_bytes(DEC_2010.read_bytes().replace(b"cofactor", b"co\x96factor"))
    with pytest.raises(InputError) as exc:
        list(summaries.read(path))
    assert exc.value.line == 2 and "0x96" in exc.value.reason
