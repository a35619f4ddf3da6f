"""Which `running` load runs and batches are still alive, and marking the dead ones `interrupted`.

Every load_run and load_batch row records the process and host that wrote it (`owner_values`).
A process killed mid-load (kill -9, power loss) leaves its row `running`; its transaction was rolled
back by the database. The next writer marks such rows `interrupted` (`mark_interrupted`), and
read commands, which cannot write, can still tell them apart (`gone_running`).

How a row is known dead:
- DuckDB allows one writer process at a time, and a reader's shared lock excludes writers. So a
  process that has the database open (either way) knows every `running` row is dead, except those
  this process itself holds (`hold_run`/`hold_batch` register them).
- PostgreSQL allows many writers. Each run (batch) holds a session-level advisory lock keyed by its
  id, on its own connection, for its duration (`hold_run`/`hold_batch`). Each writing process also
  holds one advisory lock keyed by its host and PID for its lifetime, taken by `owner_values`
  before the row is inserted, so a row is never visible unprotected. A row is dead when a checker
  can take both locks. A process that dies loses its connections, and PostgreSQL releases the locks.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterator

import sqlalchemy as sa

from omicskb.etl.db import is_duckdb, is_read_only, utcnow
from omicskb.etl.locks import hostname

RUNS = "load_run"
BATCHES = "load_batch"
ID_COLUMN = {RUNS: "run_id", BATCHES: "batch_id"}
WHAT = {RUNS: "run", BATCHES: "batch"}


@dataclasses.dataclass(frozen=True)
class Interrupted:
    """A `running` row whose process is gone."""

    table: str  # load_run or load_batch
    id: int
    command: str
    process_id: int | None
    host: str | None

    def describe(self) -> str:
        owner = f"process {self.process_id} on {self.host}" if self.process_id is not None else "its process"
        return f"{WHAT[self.table]} {self.id} ({self.command}) was interrupted: {owner} ended before it finished"


# In-process bookkeeping: (database, table, id) -> the PostgreSQL connection holding its advisory
# lock (None on DuckDB); database -> the connection holding this process's advisory lock.
_held: dict[tuple[str, str, int], sa.Connection | None] = {}
_process_locks: dict[str, sa.Connection] = {}


def _database_key(engine: sa.Engine) -> str:
    url = engine.url
    if is_duckdb(engine):
        return f"duckdb:{url.database}"
    return f"{url.get_backend_name()}://{url.host}:{url.port}/{url.database}"


def advisory_key(*parts: object) -> int:
    """A signed 64-bit PostgreSQL advisory-lock key for ('run', 12), ('process', host, pid), ..."""
    text = "\0".join(str(p) for p in ("omicskb", *parts))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def process_key(host: str, process_id: int) -> int:
    return advisory_key("process", host, process_id)


def row_key(table: str, row_id: int) -> int:
    return advisory_key(WHAT[table], row_id)


# ---------------------------------------------------------------------------------------------
# The owner of a row, and holding it


def owner_values(engine: sa.Engine) -> dict:
    """{'process_id': ..., 'host': ...} for a new load_run or load_batch row.

    On PostgreSQL this first makes sure this process holds its process lock on the database, so the
    row is protected from the moment it is visible to other sessions.
    """
    if not is_duckdb(engine):
        _claim_process(engine)
    return {"process_id": os.getpid(), "host": hostname()}


def _claim_process(engine: sa.Engine) -> None:
    key = _database_key(engine)
    conn = _process_locks.get(key)
    if conn is not None and not conn.closed and not conn.invalidated:
        return
    conn = engine.connect()
    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": process_key(hostname(), os.getpid())})
    conn.commit()
    _process_locks[key] = conn


@atexit.register
def _close_all() -> None:
    for conn in list(_process_locks.values()) + [c for c in _held.values() if c is not None]:
        with contextlib.suppress(Exception):
            conn.invalidate()  # do not return a connection holding session locks to a pool
    _process_locks.clear()
    _held.clear()


def acquire(engine: sa.Engine, table: str, row_id: int) -> None:
    """Mark row `row_id` of `table` as held by this process until `release`."""
    key = (_database_key(engine), table, row_id)
    if key in _held:
        return
    if is_duckdb(engine):
        _held[key] = None
        return
    _claim_process(engine)
    conn = engine.connect()
    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": row_key(table, row_id)})
    conn.commit()
    _held[key] = conn


def release(engine: sa.Engine, table: str, row_id: int) -> None:
    conn = _held.pop((_database_key(engine), table, row_id), None)
    if conn is None:
        return
    try:
        conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": row_key(table, row_id)})
        conn.commit()
    except Exception:
        conn.invalidate()  # the session ends, and with it the lock
    finally:
        conn.close()


def acquire_run(engine: sa.Engine, run_id: int) -> None:
    acquire(engine, RUNS, run_id)


def release_run(engine: sa.Engine, run_id: int) -> None:
    release(engine, RUNS, run_id)


def acquire_batch(engine: sa.Engine, batch_id: int) -> None:
    acquire(engine, BATCHES, batch_id)


def release_batch(engine: sa.Engine, batch_id: int) -> None:
    release(engine, BATCHES, batch_id)


@contextlib.contextmanager
def hold_run(engine: sa.Engine, run_id: int) -> Iterator[None]:
    """Hold run `run_id` alive for the block: no other process marks it interrupted meanwhile."""
    acquire(engine, RUNS, run_id)
    try:
        yield
    finally:
        release(engine, RUNS, run_id)


@contextlib.contextmanager
def hold_batch(engine: sa.Engine, batch_id: int) -> Iterator[None]:
    """Hold batch `batch_id` alive for the block."""
    acquire(engine, BATCHES, batch_id)
    try:
        yield
    finally:
        release(engine, BATCHES, batch_id)


def held_here(engine: sa.Engine, table: str, row_id: int) -> bool:
    return (_database_key(engine), table, row_id) in _held


# ---------------------------------------------------------------------------------------------
# Finding and marking the dead


def _has_tables(conn: sa.Connection) -> bool:
    found = conn.execute(
        sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN (:runs, :batches)"),
        {"runs": RUNS, "batches": BATCHES},
    ).scalar()
    return found == 2


def _running(conn: sa.Connection, table: str) -> list:
    id_column = ID_COLUMN[table]
    return conn.execute(
        sa.text(f"SELECT {id_column} AS id, command, process_id, host FROM {table} WHERE status = 'running' ORDER BY {id_column}")
    ).all()


def _pg_try(conn: sa.Connection, key: int) -> bool:
    return bool(conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())


def _pg_unlock(conn: sa.Connection, key: int) -> None:
    conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})


def _scan(conn: sa.Connection, engine: sa.Engine, act: Callable[[sa.Connection, Interrupted], None]) -> int:
    """Call act(conn, row) for every dead `running` row; on PostgreSQL while holding its lock."""
    count = 0
    for table in (RUNS, BATCHES):
        for r in _running(conn, table):
            if held_here(engine, table, r.id):
                continue
            row = Interrupted(table, r.id, r.command, r.process_id, r.host)
            if is_duckdb(conn):
                act(conn, row)
                count += 1
                continue
            key = row_key(table, r.id)
            if not _pg_try(conn, key):
                continue  # its run holds it: alive
            try:
                if r.process_id is not None and r.host:
                    pkey = process_key(r.host, r.process_id)
                    if not _pg_try(conn, pkey):
                        continue  # its process is alive (between inserting the row and holding it)
                    _pg_unlock(conn, pkey)
                act(conn, row)
                count += 1
            finally:
                _pg_unlock(conn, key)
    return count


def gone_running(engine: sa.Engine) -> dict[str, set[int]]:
    """The `running` rows whose process is gone, per table; for read commands (writes nothing)."""
    found: dict[str, set[int]] = {RUNS: set(), BATCHES: set()}
    with engine.connect() as conn:
        if not _has_tables(conn):
            return found
        _scan(conn, engine, lambda _conn, row: found[row.table].add(row.id))
        conn.rollback()
    return found


def mark_interrupted(engine: sa.Engine, on_mark: Callable[[Interrupted], None] | None = None) -> int:
    """Mark every dead `running` run and batch `interrupted`; returns how many. Call it when a
    writer starts (the CLI does, for every write command). `on_mark` is told about each one.

    A database without the load tables (before `init`) has nothing to mark.
    """
    if is_read_only(engine):
        raise ValueError("mark_interrupted needs a writer engine")
    me = f"process {os.getpid()} on {hostname()}"
    marked: list[Interrupted] = []

    def mark(conn: sa.Connection, row: Interrupted) -> None:
        id_column = ID_COLUMN[row.table]
        conn.execute(
            sa.text(f"UPDATE {row.table} SET status = 'interrupted', finished_at = :now, message = :message WHERE {id_column} = :id AND status = 'running'"),
            {"now": utcnow(), "message": f"{row.describe()}; marked by {me}", "id": row.id},
        )
        conn.commit()
        marked.append(row)

    with engine.connect() as conn:
        if not _has_tables(conn):
            return 0
        count = _scan(conn, engine, mark)
        conn.commit()
    if on_mark is not None:
        for row in marked:
            on_mark(row)
    return count
