"""Gene summaries: a two-column TSV (`GeneID<TAB>Summary`) holding NCBI Gene summary paragraphs.

The text is NCBI Gene's "Summary" (RefSeq curators, or OMIM), shown on https://www.ncbi.nlm.nih.gov/gene/
and ending in a provenance tag such as '[provided by RefSeq, Jul 2020]' or '[supplied by OMIM, Mar 2008]'.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources.gene_info import require_digits
from omicskb.etl.textio import Head, iter_rows

SOURCE_KIND = "summaries"
DESCRIPTION = "a gene summary table (GeneID, Summary)"
LOAD_COMMAND = "omicskb load summaries"

COLUMNS: tuple[str, ...] = ("GeneID", "Summary")


# One search per row, anchored at the end; the month is validated separately so a bad one is reported.
_TAG = re.compile(r"\s*\[(?:provided|supplied) by ([^\[\],]+), ([^\s\[\],]+) (\d{4})\]\s*\.?\s*$")

_MONTHS: dict[str, int] = {
    name: number
    for number, (abbr, full) in enumerate(
        zip(
            "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
            "January February March April May June July August September October November December".split(),
        ),
        start=1,
    )
    for name in (abbr, full)
}


@dataclass(frozen=True, slots=True)
class SummaryRecord:
    line: int
    gene_id: str
    text: str
    source: str | None
    source_date: datetime.date | None
    source_date_text: str | None


def read(path: str | Path) -> Iterator[SummaryRecord]:
    """Stream SummaryRecords from a summary TSV (plain or gzip)."""
    for lineno, f in iter_rows(path, COLUMNS):
        gene_id = require_digits(path, lineno, f[0], "GeneID", 1)
        summary = f[1]
        source: str | None = None
        source_date: datetime.date | None = None
        source_date_text: str | None = None
        match = _TAG.search(summary)
        if match is not None:
            source, month_text, year = match.group(1).strip(), match.group(2), match.group(3)
            month = _MONTHS.get(month_text)
            if month is None:
                raise InputError(path, lineno, f"unknown month {month_text!r} in provenance tag", column=2)
            if year == "0000":
                raise InputError(path, lineno, f"year {year!r} in provenance tag is not a calendar year", column=2)
            source_date = datetime.date(int(year), month, 1)
            source_date_text = f"{month_text} {year}"
            summary = summary[: match.start()]
        summary = summary.strip()
        if not summary:
            raise InputError(path, lineno, "empty summary text", column=2)
        yield SummaryRecord(
            line=lineno,
            gene_id=gene_id,
            text=summary,
            source=source,
            source_date=source_date,
            source_date_text=source_date_text,
        )


def looks_like(head: Head) -> bool:
    """A summary file: its header is COLUMNS."""
    return tuple(head.cells(0)) == COLUMNS
