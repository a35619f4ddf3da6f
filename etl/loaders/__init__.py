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
from omicskb.etl.db import analyze_tables, insert_staged, is_duckdb, stage, table_of


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
    """Make the rows a source owns (`where`) in several tables equal the new ones, writing only the
    difference: rows identical to a new row stay as they are (with the release that wrote them),
    changed and new rows are written under this release, and rows the new release lacks are
    deleted. Every row changed or deleted is archived first, for a rollback. Parents (earlier items)
    are written before dependants and dependants deleted before parents, so PostgreSQL's foreign
    keys hold. What comes and goes is counted by key (etl.releases.ROW_KEYS) for the report.

    Writing the difference matters on DuckDB: deleting and re-inserting a whole indexed table costs
    seconds per 100k rows at commit, while a new release changes few rows."""
    prepared = []
    for table, rows, where, params in items:
        data = rows.data if len(rows) else {c: [] for c in rows.data}
        staged = stage(ctx.conn, f"stage_{table}", table, data)
        change = releases.measure_replacement(ctx.conn, table, staged.name, where, params, bound)
        ctx.changed(change)
        prepared.append((table, staged, where, params, len(rows), change.removed))
    removals = []
    counts = []
    for table, staged, where, params, n, _ in prepared:
        key = releases.natural_key(table)
        if "release_id" not in table_of(table).c:
            # No release of its own (clinical_level): a rollback finds its rows through its parent,
            # so the rows are replaced whole.
            ctx.archive(table, where, params)
            ctx.conn.execute(*bound(f"DELETE FROM {table} WHERE {where}", params))
            if n:
                insert_staged(staged, table)
            written = n
            removals.append((table, []))
        elif key is not None:
            written = _merge(ctx, table, staged, where, params, key)
        else:
            written, removed_ids = _apply_difference(ctx, table, staged, where, params)
            removals.append((table, removed_ids))
        ctx.loaded(table, written)
        counts.append(n)
    for table, staged, where, params, _, removed in reversed(prepared):
        key = releases.natural_key(table)
        if "release_id" not in table_of(table).c:
            pass  # replaced whole above
        elif key is not None:
            if not removed:  # no key the new release lacks (measured before any write)
                staged.drop()
                continue
            analyze_tables(ctx.conn, [table])  # it grew in this transaction: PostgreSQL plans the anti-join as a hash join
            match = " AND ".join(f"s.{c} = {table}.{c}" for c in key)
            ctx.conn.execute(*bound(f"DELETE FROM {table} WHERE ({where}) AND NOT EXISTS (SELECT 1 FROM {staged.name} AS s WHERE {match})", params))
        else:
            ids = dict(removals)[table]
            if ids:
                surrogate = releases.surrogate_key(table)
                ctx.conn.execute(*bound(f"DELETE FROM {table} WHERE {surrogate} IN :ids", {"ids": ids}))
        staged.drop()
    return counts


def _merge(ctx, table: str, staged, where: str, params: dict[str, Any], key: Sequence[str]) -> int:
    """Tables with a natural key: archive the owned rows that are not identical to a new row, then
    insert the new rows, updating a row of the same key only where its content differs."""
    content = [c for c in staged.columns if c not in key]
    same_key = " AND ".join(f"s.{c} = {table}.{c}" for c in key)
    identical = " AND ".join([same_key] + [f"s.{c} IS NOT DISTINCT FROM {table}.{c}" for c in content])
    ctx.archive(table, f"({where}) AND NOT EXISTS (SELECT 1 FROM {staged.name} AS s WHERE {identical})", params)
    with_release = "release_id" in table_of(table).c
    updates = [f"{c} = excluded.{c}" for c in content] + (["release_id = excluded.release_id"] if with_release else [])
    differs = " OR ".join(f"{table}.{c} IS DISTINCT FROM excluded.{c}" for c in content)
    action = f"DO UPDATE SET {', '.join(updates)} WHERE {differs}" if content else "DO NOTHING"
    extra = {"release_id": ctx.release_id} if with_release else {}
    written = ctx.conn.execute(sa.text(f"SELECT count(*) FROM {staged.name} AS s WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {identical})")).scalar_one()
    if written:
        insert_staged(staged, table, extra, on_conflict=f"ON CONFLICT ({', '.join(key)}) {action}")
    return written


def _apply_difference(ctx, table: str, staged, where: str, params: dict[str, Any]) -> tuple[int, list[int]]:
    """Tables with a surrogate key (and possibly identical rows): match old and new rows by content
    and occurrence, archive and return the ids of old rows the new release lacks, insert new rows
    the table lacks."""
    surrogate = releases.surrogate_key(table)
    content = list(staged.columns)
    digest = releases.content_digest(content)
    conn = ctx.conn
    for name in ("diff_old", "diff_new"):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.execute(*bound(
        f"CREATE TEMPORARY TABLE diff_old AS SELECT {surrogate} AS row_id, {digest} AS digest, "
        f"row_number() OVER (PARTITION BY {digest} ORDER BY {surrogate}) AS occurrence FROM {table} WHERE {where}", params))
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE diff_new AS SELECT *, {digest} AS digest, row_number() OVER (PARTITION BY {digest}) AS occurrence FROM {staged.name}")
    if not is_duckdb(conn):
        conn.exec_driver_sql("ANALYZE diff_old, diff_new")  # so PostgreSQL hash-joins them
    removed = conn.execute(sa.text(
        "SELECT o.row_id FROM diff_old AS o WHERE NOT EXISTS (SELECT 1 FROM diff_new AS n WHERE n.digest = o.digest AND n.occurrence = o.occurrence)"
    )).scalars().all()
    if removed:
        ctx.archive(table, f"{surrogate} IN (SELECT o.row_id FROM diff_old AS o WHERE NOT EXISTS "
                           "(SELECT 1 FROM diff_new AS n WHERE n.digest = o.digest AND n.occurrence = o.occurrence))")
    extra = ["release_id"] if "release_id" in table_of(table).c else []
    selected = ", ".join([f"n.{c}" for c in content] + [":release_id" for _ in extra])
    added = "FROM diff_new AS n WHERE NOT EXISTS (SELECT 1 FROM diff_old AS o WHERE o.digest = n.digest AND o.occurrence = n.occurrence)"
    inserted = conn.execute(sa.text(f"SELECT count(*) {added}")).scalar_one()
    if inserted:
        conn.execute(sa.text(f"INSERT INTO {table} ({', '.join(content + extra)}) SELECT {selected} {added}"), {"release_id": ctx.release_id})
    for name in ("diff_old", "diff_new"):
        conn.exec_driver_sql(f"DROP TABLE {name}")
    return inserted, list(removed)


def upsert_rows(ctx, table: str, rows: Columns, key: Iterable[str], update: bool = True, claim_all: bool = False) -> int:
    """Insert rows; on a key conflict update the other columns where they differ (or keep the old
    row). A row left as it was keeps the release that wrote it; the rows an update overwrites are
    archived first. `claim_all`: every matching row takes this release even when unchanged, for
    parents whose children a rollback finds through them (clinical_attribute -> clinical_level)."""
    if not len(rows):
        return 0
    key = list(key)
    content = [c for c in rows.data if c not in key]
    staged = stage(ctx.conn, f"stage_{table}", table, rows.data)
    change = releases.measure_upsert(ctx.conn, table, staged.name, key, content if update else [])
    if not update:
        change.after, change.updated = change.added, 0
    ctx.changed(change)
    if update and content:
        differs = " OR ".join(f"{table}.{c} IS DISTINCT FROM excluded.{c}" for c in content)
        sets = ", ".join(f"{c} = excluded.{c}" for c in content + ["release_id"])
        action = f"DO UPDATE SET {sets}" + ("" if claim_all else f" WHERE {differs}")
        if change.updated or (claim_all and change.before):
            match = " AND ".join(f"{table}.{c} = s.{c}" for c in key)
            changed = "TRUE" if claim_all else " OR ".join(f"s.{c} IS DISTINCT FROM {table}.{c}" for c in content)
            ctx.archive(table, f"EXISTS (SELECT 1 FROM {staged.name} AS s WHERE {match} AND ({changed}))")
    else:
        action = "DO NOTHING"
    insert_staged(staged, table, {"release_id": ctx.release_id}, on_conflict=f"ON CONFLICT ({', '.join(key)}) {action}")
    staged.drop()
    count = change.added + change.updated  # counted before: DuckDB before 2.0 reports no row count
    ctx.loaded(table, count)
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
