"""Loaders: turn reader records into rows, resolve identifiers, and write one source release.

Each loader takes a LoadContext (etl.runs) and writes inside its transaction. A source's rows are
replaced as a whole on a newer release (scoped to the taxa the file covers), except gene
summaries, whose every version is kept. Every row a load deletes or overwrites is archived first
(etl.releases), and what it adds and removes is counted by key, so the load can be reported
honestly, refused when it would shrink the slot too much, and rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from omicskb.etl import releases
from omicskb.etl.db import insert_staged, stage, table_of


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
    return replace_many(ctx, [(table, rows, where, params or {})])[0]


def replace_many(ctx, items: Sequence[tuple[str, Columns, str, dict[str, Any]]]) -> list[int]:
    """Replace several tables' owned rows in one step: dependants (later items) are deleted first
    and inserted last, so PostgreSQL's foreign keys hold. Each table's old rows are compared with the
    new ones by key (etl.releases.ROW_KEYS) and archived before they go."""
    staged = []
    for table, rows, where, params in items:
        data = rows.data if len(rows) else {c: [] for c in rows.data}
        staged_rows = stage(ctx.conn, f"stage_{table}", table, data)
        ctx.changed(releases.measure_replacement(ctx.conn, table, staged_rows.name, where, params, bound))
        ctx.archive(table, where, params)
        staged.append((table, staged_rows, where, params, len(rows)))
    for table, _, where, params, _ in reversed(staged):
        ctx.conn.execute(*bound(f"DELETE FROM {table} WHERE {where}", params))
    counts = []
    for table, staged_rows, _, _, n in staged:
        extra = {"release_id": ctx.release_id} if "release_id" in table_of(table).c else {}
        if n:
            insert_staged(staged_rows, table, extra)
        staged_rows.drop()
        ctx.loaded(table, n)
        counts.append(n)
    return counts


def upsert_rows(ctx, table: str, rows: Columns, key: Iterable[str], update: bool = True) -> int:
    """Insert rows; on a key conflict update the other columns (or keep the old row). The rows an
    update overwrites are archived first."""
    if not len(rows):
        return 0
    key = list(key)
    columns = [c for c in rows.data if c not in key] + ["release_id"]
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in columns) if update else "DO NOTHING"
    staged = stage(ctx.conn, f"stage_{table}", table, rows.data)
    change = releases.measure_upsert(ctx.conn, table, staged.name, key)
    if not update:
        change.after, change.updated = change.added, 0
    ctx.changed(change)
    if update and change.updated:
        match = " AND ".join(f"{table}.{c} = s.{c}" for c in key)
        ctx.archive(table, f"EXISTS (SELECT 1 FROM {staged.name} AS s WHERE {match})")
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
