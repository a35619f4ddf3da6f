"""Releases and slots: which file each part of the database holds, what a load changed, and the
archive that lets a load be rolled back.

- A **release** is one file loaded with the parameters that change the result (cohort, omics,
  dataset name, sample type, format, unit, stated version and date). Its `load_key` is the sha256 of
  the source kind, the file's sha256 and those parameters: equal keys give equal results.
- A **slot** is what a release fills: an annotation source (`gene_info:9606`, `go_obo`, `hgnc`),
  a dataset (`dataset:UCEC/protein/proteomics`) or a cohort's sample table of one kind
  (`samples:UCEC/cptac2019_clinical`). Sources that only add rows (summaries, cohort lists) give
  each file a slot of its own. A slot holds one **current** release; the release it replaced
  becomes **superseded**, and an undo marks a release **removed**.
- A load that deletes or overwrites rows first copies them, as they were, into `release_archive`
  (Parquet, under the new release): rolling the release back deletes what it wrote and restores
  those rows, so the previous release is current again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from omicskb.etl.db import duckdb_driver, is_duckdb, table_of

# A release may remove at most this share of the rows its slot holds in any one table (and at
# most SHRINK_FREE_ROWS rows regardless of share) unless the load is told --allow-shrink.
SHRINK_SHARE = 0.05
SHRINK_FREE_ROWS = 10

# Sources whose slot is scoped by the taxa (or other taxa) a file covers.
TAXA_SCOPED_KINDS = frozenset({"gene_info", "gene2go", "gaf", "species_genes", "hcop", "gene_orthologs"})
# Sources that only add rows: each file is a slot of its own.
ADDITIVE_KINDS = frozenset({"summaries", "cohorts"})

# The columns that identify a row of a table, for counting what a release adds and removes.
# Natural primary keys where the table has one; these override surrogate keys.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "gene_go_annotation": ("gene_id", "go_id", "evidence_code", "qualifier", "source_kind", "db_object_id"),
    "clinical_value": ("attribute_id", "sample_id", "patient_id"),
    "clinical_attribute": ("cohort_code", "name"),
    "sample": ("cohort_code", "sample_label", "sample_type"),
    "patient": ("cohort_code", "patient_label"),
    "mutation": ("sample_id", "chromosome", "start_position", "reference_allele", "tumor_allele"),
    "measurement_row": ("feature_id",),
    "dataset_sample": ("sample_id",),
}

ARCHIVE_CHUNK_BYTES = 64 << 20


def surrogate_key(table: str) -> str | None:
    """The primary key column a sequence fills (annotation_id, clinical_value_id), if any."""
    columns = list(table_of(table).primary_key.columns)
    if len(columns) == 1 and columns[0].server_default is not None:
        return columns[0].name
    return None


def natural_key(table: str) -> tuple[str, ...] | None:
    """The primary key, when the data gives it (not a sequence)."""
    if surrogate_key(table) is not None:
        return None
    return tuple(c.name for c in table_of(table).primary_key.columns)


def content_digest(columns: Iterable[str]) -> str:
    """SQL for an md5 of a row's columns, NULL told apart from every value; the same text on both
    backends, so old and new rows match by an equality join (hashable on PostgreSQL too)."""
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), chr(30))" for c in columns)
    return f"md5(concat_ws(chr(31), {parts}))"


def row_key(table: str) -> tuple[str, ...]:
    if table in ROW_KEYS:
        return ROW_KEYS[table]
    return tuple(c.name for c in table_of(table).primary_key.columns)


def load_key(source_kind: str, file_sha256: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """(load_key, canonical JSON of the parameters)."""
    canonical = json.dumps({k: params[k] for k in sorted(params) if params[k] is not None}, sort_keys=True, default=str, separators=(",", ":"))
    digest = hashlib.sha256(f"{source_kind}\0{file_sha256}\0{canonical}".encode()).hexdigest()
    return digest, canonical


def slot_for(source_kind: str, scope: str | Iterable[str] | None = None) -> str:
    if scope is None:
        return source_kind
    if isinstance(scope, str):
        return f"{source_kind}:{scope}"
    return f"{source_kind}:{','.join(sorted(set(scope)))}"


def dataset_slot(cohort: str, omics: str, name: str) -> str:
    return f"dataset:{cohort}/{omics}/{name}"


def samples_slot(cohort: str, source_kind: str) -> str:
    return f"samples:{cohort}/{source_kind}"


def slots_overlap(source_kind: str, a: str, b: str) -> bool:
    """Two slots of one kind are the same, or share a taxon for taxa-scoped sources."""
    if a == b:
        return True
    if source_kind not in TAXA_SCOPED_KINDS:
        return False
    prefix = source_kind + ":"
    if not (a.startswith(prefix) and b.startswith(prefix)):
        return False
    return bool(set(a[len(prefix):].split(",")) & set(b[len(prefix):].split(",")))


def current_release_with_key(conn: sa.Connection, key: str) -> int | None:
    return conn.execute(
        sa.text("SELECT release_id FROM source_release WHERE load_key = :k AND state = 'current' ORDER BY release_id DESC"), {"k": key}
    ).scalar()


def releases_to_supersede(conn: sa.Connection, source_kind: str, slot: str, new_release_id: int) -> list[sa.Row]:
    """The current releases the new release replaces: same slot, or an overlapping taxa scope."""
    rows = conn.execute(
        sa.text(
            "SELECT release_id, source_kind, slot_key, file_name, loaded_at, release_date FROM source_release "
            "WHERE state = 'current' AND release_id <> :new AND (slot_key = :slot OR source_kind = :kind)"
        ),
        {"new": new_release_id, "slot": slot, "kind": source_kind},
    ).all()
    return [r for r in rows if r.slot_key and (r.slot_key == slot or slots_overlap(source_kind, r.slot_key, slot))]


# ---------------------------------------------------------------------------------------------
# What a load changed


@dataclasses.dataclass
class TableChange:
    """Rows of one table in the slot a load fills: before and after, and by key what came and went."""

    table: str
    before: int = 0
    after: int = 0
    added: int = 0
    removed: int = 0
    updated: int = 0
    examples: list[str] = dataclasses.field(default_factory=list)  # a few removed keys
    upsert: bool = False  # rows are added or updated, never removed (genes, samples, attributes)

    def merge(self, other: TableChange) -> None:
        self.before += other.before
        self.after += other.after
        self.added += other.added
        self.removed += other.removed
        self.updated += other.updated
        self.upsert = self.upsert or other.upsert
        self.examples = (self.examples + other.examples)[:3]

    @property
    def removed_share(self) -> float:
        return self.removed / self.before if self.before else 0.0

    def too_big_a_shrink(self) -> bool:
        return self.removed > SHRINK_FREE_ROWS and self.removed_share > SHRINK_SHARE

    def describe(self) -> str:
        if self.upsert:
            return f"{self.table}: {self.after:,} rows ({self.added:,} new, {self.updated:,} updated, {self.after - self.added - self.updated:,} unchanged)"
        if self.before or self.removed:
            return f"{self.table}: {self.after:,} rows (was {self.before:,}: {self.added:,} new, {self.removed:,} removed)"
        return f"{self.table}: {self.after:,} rows" + (" (new)" if self.added else "")


def _key_sql(columns: Iterable[str], alias: str = "") -> str:
    return ", ".join(f"{alias}{c}" for c in columns)


def measure_replacement(conn: sa.Connection, table: str, staged_name: str, where: str, params: Mapping[str, Any], bound) -> TableChange:
    """Compare the rows `where` selects in `table` with the staged rows that replace them, by key.
    EXCEPT treats NULLs as equal on both backends and runs as a hash set operation."""
    keys = _key_sql(row_key(table))
    old = f"SELECT {keys} FROM {table} WHERE {where}"
    new = f"SELECT {keys} FROM {staged_name}"
    before = conn.execute(*bound(f"SELECT count(*) FROM {table} WHERE {where}", params)).scalar_one()
    after = conn.execute(sa.text(f"SELECT count(*) FROM {staged_name}")).scalar_one()
    if before == 0:
        return TableChange(table, before=0, after=after, added=after)
    removed = conn.execute(*bound(f"SELECT count(*) FROM ({old} EXCEPT {new}) AS gone", params)).scalar_one()
    added = conn.execute(*bound(f"SELECT count(*) FROM ({new} EXCEPT {old}) AS came", params)).scalar_one()
    examples = []
    if removed:
        rows = conn.execute(*bound(f"SELECT * FROM ({old} EXCEPT {new}) AS gone ORDER BY 1 LIMIT 3", params)).all()
        examples = [" ".join("-" if v is None else str(v) for v in row) for row in rows]
    return TableChange(table, before=before, after=after, added=added, removed=removed, examples=examples)


def measure_upsert(conn: sa.Connection, table: str, staged_name: str, key: Iterable[str], content: Iterable[str] = ()) -> TableChange:
    """New rows, and rows of an existing key whose `content` columns differ (those are updated)."""
    key, content = list(key), list(content)
    match = " AND ".join(f"t.{c} = s.{c}" for c in key)
    after = conn.execute(sa.text(f"SELECT count(*) FROM {staged_name}")).scalar_one()
    existing = conn.execute(sa.text(f"SELECT count(*) FROM {staged_name} AS s WHERE EXISTS (SELECT 1 FROM {table} AS t WHERE {match})")).scalar_one()
    changed = existing
    if content and existing:
        differs = " OR ".join(f"t.{c} IS DISTINCT FROM s.{c}" for c in content)
        changed = conn.execute(sa.text(f"SELECT count(*) FROM {staged_name} AS s WHERE EXISTS (SELECT 1 FROM {table} AS t WHERE {match} AND ({differs}))")).scalar_one()
    return TableChange(table, before=existing, after=after, added=after - existing, updated=changed, upsert=True)


# ---------------------------------------------------------------------------------------------
# The archive: rows as they were before a release deleted or overwrote them


def arrow_select(conn: sa.Connection, table: str, where: str, params: Mapping[str, Any], bound):
    """The rows `where` selects from `table`, every column, as an Arrow table."""
    import pyarrow as pa

    if is_duckdb(conn):
        # Materialise under bound parameters, then read it through DuckDB's Arrow export.
        conn.exec_driver_sql("DROP TABLE IF EXISTS archive_selection")
        conn.execute(*bound(f"CREATE TEMPORARY TABLE archive_selection AS SELECT * FROM {table} WHERE {where}", params))
        result = duckdb_driver(conn).sql("SELECT * FROM archive_selection").to_arrow_table()
        conn.exec_driver_sql("DROP TABLE archive_selection")
        return result
    columns = list(table_of(table).columns)
    rows = conn.execute(*bound(f"SELECT {', '.join(c.name for c in columns)} FROM {table} WHERE {where}", params)).all()
    arrays = {}
    for i, column in enumerate(columns):
        values = [r[i] for r in rows]
        arrays[column.name] = pa.array(values, type=_arrow_type(column))
    return pa.table(arrays)


def _arrow_type(column: sa.Column):
    import pyarrow as pa

    from omicskb.etl.db import arrow_type

    if isinstance(column.type, sa.ARRAY):
        return pa.list_(pa.float64())
    if isinstance(column.type, sa.LargeBinary):
        return pa.binary()
    return arrow_type(column)


def archive_rows(conn: sa.Connection, release_id: int, table: str, where: str, params: Mapping[str, Any], bound) -> int:
    """Copy the rows `where` selects into release_archive under `release_id`. Returns the count."""
    import pyarrow.parquet as pq

    data = arrow_select(conn, table, where, params, bound)
    if data.num_rows == 0:
        return 0
    chunk_no = conn.execute(
        sa.text("SELECT coalesce(max(chunk_no), 0) FROM release_archive WHERE release_id = :r AND table_name = :t"), {"r": release_id, "t": table}
    ).scalar_one()
    rows_per_chunk = max(1, int(data.num_rows * ARCHIVE_CHUNK_BYTES / max(data.nbytes, 1)))
    for start in range(0, data.num_rows, rows_per_chunk):
        part = data.slice(start, rows_per_chunk)
        buffer = io.BytesIO()
        pq.write_table(part, buffer, compression="zstd")
        chunk_no += 1
        conn.execute(
            sa.text("INSERT INTO release_archive (release_id, table_name, chunk_no, n_rows, parquet) VALUES (:r, :t, :c, :n, :p)"),
            {"r": release_id, "t": table, "c": chunk_no, "n": part.num_rows, "p": buffer.getvalue()},
        )
    return data.num_rows


def read_archive(conn: sa.Connection, release_id: int) -> dict[str, Any]:
    """table -> Arrow table of the rows release `release_id` archived."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts: dict[str, list] = {}
    for table, parquet in conn.execute(
        sa.text("SELECT table_name, parquet FROM release_archive WHERE release_id = :r ORDER BY table_name, chunk_no"), {"r": release_id}
    ):
        parts.setdefault(table, []).append(pq.read_table(io.BytesIO(bytes(parquet))))
    return {table: pa.concat_tables(chunks) for table, chunks in parts.items()}


def archived_count(conn: sa.Connection, release_id: int) -> int:
    return conn.execute(sa.text("SELECT coalesce(sum(n_rows), 0) FROM release_archive WHERE release_id = :r"), {"r": release_id}).scalar_one()


def restore_rows(conn: sa.Connection, table: str, data, upsert_key: Iterable[str] | None = None) -> int:
    """Insert archived rows back (or, with `upsert_key`, overwrite the rows of the same key)."""
    if data.num_rows == 0:
        return 0
    target = table_of(table)
    columns = [c for c in data.column_names if c in target.c]
    names = ", ".join(columns)
    conflict = ""
    if upsert_key:
        key = list(upsert_key)
        others = [c for c in columns if c not in key]
        action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in others) if others else "DO NOTHING"
        conflict = f" ON CONFLICT ({', '.join(key)}) {action}"
    if is_duckdb(conn):
        raw = conn.connection.driver_connection
        raw.register("restore_rows", data.select(columns))
        try:
            conn.exec_driver_sql(f"INSERT INTO {table} ({names}) SELECT {names} FROM restore_rows{conflict}")
        finally:
            raw.unregister("restore_rows")
        return data.num_rows
    conn.exec_driver_sql("DROP TABLE IF EXISTS restore_rows")
    ddl = ", ".join(f"{c} {target.c[c].type.compile(dialect=conn.dialect)}" for c in columns)
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE restore_rows ({ddl}) ON COMMIT DROP")
    raw = conn.connection.driver_connection
    pylists = [data.column(c).to_pylist() for c in columns]
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY restore_rows ({names}) FROM STDIN") as copy:
            for row in zip(*pylists):
                copy.write_row(row)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) SELECT {names} FROM restore_rows{conflict}")
    conn.exec_driver_sql("DROP TABLE restore_rows")
    return data.num_rows
