"""Gene category TSV (omicskb's own layout): GeneID, Symbol, Category.

Categories are labels such as 'Ligand' or 'Receptor' that pages like LinkedOmicsKB show beside a
gene. GeneID may be '-' when only the symbol is known; the loader resolves it then.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.textio import Head, iter_rows, none_if_dash

SOURCE_KIND = "categories"
DESCRIPTION = "a gene category table (GeneID, Symbol, Category)"
LOAD_COMMAND = "omicskb load categories"
COLUMNS: tuple[str, ...] = ("GeneID", "Symbol", "Category")


@dataclasses.dataclass(frozen=True, slots=True)
class CategoryRecord:
    line: int
    gene_id: str | None
    symbol: str | None
    category: str


def read(path: str | Path) -> Iterator[CategoryRecord]:
    for lineno, fields in iter_rows(path, COLUMNS, skip_blank=True):
        gene_id, symbol, category = (f.strip() for f in fields)
        gene_id, symbol = none_if_dash(gene_id), none_if_dash(symbol)
        if gene_id is not None and not gene_id.isdigit():
            raise InputError(path, lineno, f"GeneID {gene_id!r} is not a number", column=1)
        if gene_id is None and symbol is None:
            raise InputError(path, lineno, "neither GeneID nor Symbol given")
        if not category:
            raise InputError(path, lineno, "empty Category", column=3)
        yield CategoryRecord(lineno, gene_id, symbol, category)


def looks_like(head: Head) -> bool:
    """A category file: its header is COLUMNS."""
    return tuple(head.cells(0)) == COLUMNS
