"""NCBI Gene `gene_orthologs`: pairwise ortholog links between GeneIDs, 5 tab-separated columns.

Published at https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene_orthologs.gz (format: gene/DATA/README).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources.gene_info import require_digits
from omicskb.etl.textio import Head, iter_rows

SOURCE_KIND = "gene_orthologs"
DESCRIPTION = "an NCBI gene_orthologs table"
LOAD_COMMAND = "omicskb load orthologs"

COLUMNS: tuple[str, ...] = ("#tax_id", "GeneID", "relationship", "Other_tax_id", "Other_GeneID")


@dataclass(frozen=True, slots=True)
class OrthologRecord:
    line: int
    tax_id: str
    gene_id: str
    relationship: str
    other_tax_id: str
    other_gene_id: str


def read(path: str | Path) -> Iterator[OrthologRecord]:
    """Stream OrthologRecords from a gene_orthologs file (plain or gzip)."""
    for lineno, f in iter_rows(path, COLUMNS):
        if f[2] in ("-", ""):
            raise InputError(path, lineno, "missing relationship", column=3)
        yield OrthologRecord(
            line=lineno,
            tax_id=require_digits(path, lineno, f[0], "tax id", 1),
            gene_id=require_digits(path, lineno, f[1], "GeneID", 2),
            relationship=f[2],
            other_tax_id=require_digits(path, lineno, f[3], "other tax id", 4),
            other_gene_id=require_digits(path, lineno, f[4], "other GeneID", 5),
        )


def looks_like(head: Head) -> bool:
    """A gene_orthologs file: its header is COLUMNS."""
    return tuple(head.cells(0)) == COLUMNS
