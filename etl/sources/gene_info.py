"""NCBI Gene `gene_info` (e.g. `Homo_sapiens.gene_info.gz`): one row per gene, 16 tab-separated columns.

Published at https://ftp.ncbi.nlm.nih.gov/gene/DATA/GENE_INFO/ (format: gene/DATA/README).
Missing values are written as '-'; multi-valued columns are '|'-separated.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.textio import Head, iter_rows, none_if_dash

SOURCE_KIND = "gene_info"
DESCRIPTION = "an NCBI gene_info table"
LOAD_COMMAND = "omicskb load gene-info"

COLUMNS: tuple[str, ...] = (
    "#tax_id",
    "GeneID",
    "Symbol",
    "LocusTag",
    "Synonyms",
    "dbXrefs",
    "chromosome",
    "map_location",
    "description",
    "type_of_gene",
    "Symbol_from_nomenclature_authority",
    "Full_name_from_nomenclature_authority",
    "Nomenclature_status",
    "Other_designations",
    "Modification_date",
    "Feature_type",
)

# Values documented in NCBI's gene/DATA/README for type_of_gene.
TYPES_OF_GENE: frozenset[str] = frozenset(
    {
        "unknown",
        "tRNA",
        "rRNA",
        "snRNA",
        "scRNA",
        "snoRNA",
        "protein-coding",
        "pseudo",
        "transposon",
        "miscRNA",
        "ncRNA",
        "biological-region",
        "other",
    }
)


@dataclass(frozen=True, slots=True)
class GeneInfoRecord:
    line: int
    tax_id: str
    gene_id: str
    symbol: str
    locus_tag: str | None
    synonyms: tuple[str, ...]
    xrefs: tuple[tuple[str, str], ...]
    chromosome: str | None
    map_location: str | None
    description: str | None
    type_of_gene: str
    nomenclature_symbol: str | None
    nomenclature_name: str | None
    nomenclature_status: str | None
    other_designations: tuple[str, ...]
    modification_date: datetime.date | None
    feature_type: str | None


def split_multi(value: str) -> tuple[str, ...]:
    """'a|b' -> ('a', 'b'); '-' or '' -> ()."""
    if value in ("-", ""):
        return ()
    return tuple(value.split("|"))


def parse_yyyymmdd(path: str | Path, lineno: int, value: str, column: int) -> datetime.date | None:
    """NCBI's YYYYMMDD dates; '-' -> None."""
    if value in ("-", ""):
        return None
    if len(value) != 8 or not value.isdigit():
        raise InputError(path, lineno, f"date {value!r} is not YYYYMMDD", column=column)
    try:
        return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise InputError(path, lineno, f"date {value!r} is not a calendar date", column=column) from None


def _xrefs(path: str | Path, lineno: int, value: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for item in split_multi(value):
        # Split on the first ':' only: 'HGNC:HGNC:6023' -> ('HGNC', 'HGNC:6023').
        db, sep, acc = item.partition(":")
        if not sep or not db or not acc:
            raise InputError(path, lineno, f"dbXref {item!r} is not database:accession", column=6)
        out.append((db, acc))
    return tuple(out)


def require_digits(path: str | Path, lineno: int, value: str, what: str, column: int) -> str:
    """Identifiers that must be plain ASCII digits (kept as strings)."""
    if not value.isdigit() or not value.isascii():
        raise InputError(path, lineno, f"{what} {value!r} is not a number", column=column)
    return value


def read(path: str | Path) -> Iterator[GeneInfoRecord]:
    """Stream GeneInfoRecords from a gene_info file (plain or gzip)."""
    for lineno, f in iter_rows(path, COLUMNS):
        symbol = f[2]
        if symbol in ("-", ""):
            raise InputError(path, lineno, "missing gene symbol", column=3)
        type_of_gene = f[9]
        if type_of_gene not in TYPES_OF_GENE:
            raise InputError(path, lineno, f"unknown type_of_gene {type_of_gene!r}", column=10)
        yield GeneInfoRecord(
            line=lineno,
            tax_id=require_digits(path, lineno, f[0], "tax id", 1),
            gene_id=require_digits(path, lineno, f[1], "GeneID", 2),
            symbol=symbol,
            locus_tag=none_if_dash(f[3]),
            synonyms=split_multi(f[4]),
            xrefs=_xrefs(path, lineno, f[5]),
            chromosome=none_if_dash(f[6]),
            map_location=none_if_dash(f[7]),
            description=none_if_dash(f[8]),
            type_of_gene=type_of_gene,
            nomenclature_symbol=none_if_dash(f[10]),
            nomenclature_name=none_if_dash(f[11]),
            nomenclature_status=none_if_dash(f[12]),
            other_designations=split_multi(f[13]),
            modification_date=parse_yyyymmdd(path, lineno, f[14], 15),
            feature_type=none_if_dash(f[15]),
        )


def looks_like(head: Head) -> bool:
    """A gene_info file: its header is COLUMNS."""
    return tuple(head.cells(0)) == COLUMNS
