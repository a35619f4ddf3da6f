"""Loaders: turn reader records into rows, resolve identifiers, and write one source release.

Each loader takes a LoadContext (etl.runs) and writes inside its transaction. A source's rows are
replaced as a whole on a newer release (scoped to the taxa the file covers), except gene
summaries, whose every version is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from omicskb.etl.db import bulk_insert, stage, insert_staged


class Columns:
    """Columnar row buffer: add rows as keywords, hand the lists to the bulk paths."""

    def __init__(self, *names: str):
        self.data: dict[str, list[Any]] = {name: [] for name in names}

    def add(self, **values: Any) -> None:
        for name, column in self.data.items():
            column.append(values[name])

    def __len__(self) -> int:
        return len(next(iter(self.data.values())))


def replace_rows(ctx, table: str, rows: Columns, where: str, params: dict[str, Any] | None = None) -> int:
    """Delete the rows a source owns (`where`, bound `params`), then insert the new ones."""
    ctx.conn.execute(*bound(f"DELETE FROM {table} WHERE {where}", params or {}))
    count = bulk_insert(ctx.conn, table, rows.data, extra={"release_id": ctx.release_id})
    ctx.loaded(table, count)
    return count


def upsert_rows(ctx, table: str, rows: Columns, key: Iterable[str], update: bool = True) -> int:
    """Insert rows; on a key conflict update the other columns (or keep the old row)."""
    if not len(rows):
        return 0
    key = list(key)
    columns = [c for c in rows.data if c not in key] + ["release_id"]
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in columns) if update else "DO NOTHING"
    staged = stage(ctx.conn, f"stage_{table}", table, rows.data)
    count = insert_staged(staged, table, {"release_id": ctx.release_id}, on_conflict=f"ON CONFLICT ({', '.join(key)}) {action}")
    staged.drop()
    ctx.loaded(table, len(rows) if update else count)
    return count


def taxa_scope(column: str = "gene_id") -> str:
    """SQL condition: the row's gene belongs to one of the :taxa (an expanding bound parameter)."""
    return f"{column} IN (SELECT gene_id FROM gene WHERE taxon_id IN :taxa)"


def bound(sql: str, params: dict[str, Any]) -> tuple[sa.TextClause, dict[str, Any]]:
    """A text clause whose list-valued parameters expand to IN (...) lists, still bound."""
    clause = sa.text(sql)
    values = {}
    for name, value in params.items():
        if isinstance(value, (list, tuple, set, frozenset)):
            clause = clause.bindparams(sa.bindparam(name, expanding=True))
            value = sorted(value)
        values[name] = value
    return clause, values
