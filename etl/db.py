"""Database targets, engines, migrations and the bulk paths shared by every loader.

A target is a DuckDB file path (the default backend) or an SQLAlchemy URL (PostgreSQL for a shared
server). Bulk rows go through Arrow on DuckDB and COPY on PostgreSQL, never row-by-row ORM inserts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from omicskb.etl.errors import DatabaseError
from omicskb.schema import MIGRATIONS_DIR, SCHEMA_REVISION
from omicskb.schema.models import Base

# Alembic and pyarrow are imported where used: `omicskb gene` needs neither, and starts faster.

DEFAULT_TARGET = "omicskb.duckdb"


def resolve_target(target: str | None) -> str:
    """The --db option, else $OMICSKB_DB, else ./omicskb.duckdb."""
    return target or os.environ.get("OMICSKB_DB") or DEFAULT_TARGET


def target_url(target: str) -> str:
    if "://" in target:
        if target.startswith("postgresql://") or target.startswith("postgres://"):
            return "postgresql+psycopg://" + target.split("://", 1)[1]
        return target
    return "duckdb:///" + str(Path(target).expanduser().resolve())


_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/?#@\s]*:)(?P<password>[^@\s]+)(?P<tail>@)")


def mask_secrets(text: str) -> str:
    """`text` with the password of every URL in it (`scheme://user:pw@host`) replaced by ***."""
    return _URL_PASSWORD.sub(lambda m: m["head"] + "***" + m["tail"], text)


def display_target(target: str) -> str:
    """The target as it may be shown or stored: a file path as given, a URL with its password masked."""
    return mask_secrets(target)


def make_engine(
    target: str,
    *,
    read_only: bool = False,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    application_name: str | None = None,
) -> sa.Engine:
    """An engine on `target`.

    read_only: DuckDB opens the file read-only (a shared lock: many readers at once, a 444 file, an
    analyst's read-only connection all work; a missing file is an error, never created); PostgreSQL
    sessions start with default_transaction_read_only. A writer (the default) takes DuckDB's
    exclusive lock.

    lock_timeout: seconds to wait for the lock (None: $OMICSKB_LOCK_TIMEOUT, else
    omicskb.etl.locks.DEFAULT_LOCK_TIMEOUT). DuckDB retries the connect with backoff while another
    process holds the file; PostgreSQL sets the session's lock_timeout. Both then raise
    omicskb.etl.locks.LockTimeout naming the holder. on_wait is told once when a DuckDB connect
    starts waiting, and with "" when the wait ends.
    """
    from omicskb.etl import locks

    timeout = locks.lock_timeout(lock_timeout)
    url = target_url(target)
    if url.startswith("duckdb:"):
        # One connection per engine, kept: each DuckDB connection close checkpoints the file, which
        # made per-file connects cost more than the loads. Callers dispose() the engine when done.
        # So a command holds its lock (shared or exclusive) from its first query to its end.
        path = sa.engine.make_url(url).database or ""
        engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool, connect_args={"read_only": True} if read_only else {})

        def connect(dialect, _record, cargs, cparams):
            return locks.duckdb_connect_waiting(dialect, cargs, cparams, path=path, read_only=read_only, timeout=timeout, on_wait=on_wait)

        sa.event.listen(engine, "do_connect", connect)
        sa.event.listen(engine, "connect", _duckdb_settings)
    else:
        parsed = sa.engine.make_url(url)
        options = [f"-c lock_timeout={locks.pg_lock_timeout_ms(timeout)}"]
        if read_only:
            options.append("-c default_transaction_read_only=on")
        if parsed.query.get("options"):
            options.insert(0, str(parsed.query["options"]))
            parsed = parsed.difference_update_query(["options"])
        connect_args: dict[str, Any] = {"options": " ".join(options)}
        if "application_name" not in parsed.query:
            connect_args["application_name"] = locks.pg_application_name(application_name or "omicskb")
        engine = sa.create_engine(parsed, connect_args=connect_args)
        sa.event.listen(engine, "handle_error", _pg_lock_timeout(engine, timeout))
    engine.omicskb_read_only = read_only  # type: ignore[attr-defined]
    engine.omicskb_lock_timeout = timeout  # type: ignore[attr-defined]
    return engine


def is_read_only(engine: sa.Engine) -> bool:
    """Whether `engine` was made with read_only=True."""
    return bool(getattr(engine, "omicskb_read_only", False))


def _pg_lock_timeout(engine: sa.Engine, timeout: float):
    """handle_error hook: a statement that waited lock_timeout for a lock becomes a one-line LockTimeout."""

    def handle(context) -> None:
        import psycopg

        from omicskb.etl import locks

        if not isinstance(context.original_exception, psycopg.errors.LockNotAvailable):
            return
        own = None
        try:
            own = context.connection.connection.driver_connection.info.backend_pid
        except Exception:
            pass
        holders = locks.pg_lock_holders(engine, own)
        raise locks.LockTimeout(
            f"gave up after waiting {timeout:g} s for a PostgreSQL lock held by {holders} "
            f"(set --lock-timeout SECONDS or ${locks.LOCK_TIMEOUT_ENV})"
        ) from context.original_exception

    return handle


DUCKDB_CHECKPOINT_THRESHOLD = "4GB"


def _duckdb_settings(dbapi_connection, _record) -> None:
    # Committed data is durable in the write-ahead log; checkpointing it into the file after every
    # load commit cost a third of a pan-cancer load. Checkpoint after 4 GB of WAL, and on close.
    dbapi_connection.execute(f"SET checkpoint_threshold = '{DUCKDB_CHECKPOINT_THRESHOLD}'")
    # DuckDB's own progress bar would write over omicskb's progress line on a terminal.
    dbapi_connection.execute("SET enable_progress_bar = false")


def is_duckdb(conn: sa.Connection | sa.Engine) -> bool:
    return conn.dialect.name == "duckdb"


def duckdb_driver(conn: sa.Connection) -> Any:
    """The DuckDB connection under a SQLAlchemy one, ready for its own query (Arrow results).

    SQLAlchemy's .scalar()/.first() leave the rest of a result unread on that same connection, and
    DuckDB 2 refuses new work until it is finished: abort() drops it (the transaction stays open)."""
    raw = conn.connection.driver_connection
    if hasattr(raw, "abort"):
        raw.abort()
    return raw


def duckdb_side_connection(conn: sa.Connection) -> Any:
    """A new DuckDB connection to conn's database, with its own transactions (for a thread of its
    own; DuckDB refuses a second call on a busy connection). The caller closes it. (duckdb_engine's
    cursor() shares conn's; duplicate() reaches the driver's own.)"""
    return conn.connection.driver_connection.duplicate()


@contextlib.contextmanager
def duckdb_threads(bind: sa.Engine | sa.Connection, threads: int) -> Iterator[None]:
    """On DuckDB: its worker threads limited to `threads` while the block runs, then as they were
    (a setting of the whole database instance: other connections of this process share it). For a
    caller whose own threads keep every core busy, where DuckDB's workers only compete with them.
    Elsewhere: nothing."""
    if bind.dialect.name != "duckdb":
        yield
        return
    # on a connection of its own: a caller's transaction may have failed by the time it is restored
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            settings = duckdb_driver(conn).duplicate()
    else:
        settings = duckdb_driver(bind).duplicate()
    try:
        before = int(settings.sql("SELECT current_setting('threads')").fetchall()[0][0])
        settings.execute(f"SET threads = {int(threads)}")
        try:
            yield
        finally:
            settings.execute(f"SET threads = {before}")
    finally:
        settings.close()


@contextlib.contextmanager
def register_arrow(conn: sa.Connection, name: str, table: Any) -> Iterator[None]:
    """On DuckDB: the Arrow table readable by SQL on this connection as `name` while the block runs
    (a view of the Arrow data, nothing copied). `name` is an internal constant, never user input."""
    raw = duckdb_driver(conn)
    raw.register(name, table)
    try:
        yield
    finally:
        raw.unregister(name)


def alembic_config(connection: sa.Connection | None = None):
    import omicskb.schema.dialects  # noqa: F401  (registers Alembic's DuckDB implementation)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: sa.Engine, revision: str = "base") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)


def require_schema(engine: sa.Engine) -> None:
    """Refuse to work on a database that is not at the code's schema revision."""
    try:
        current = current_revision(engine)
    except sa.exc.DBAPIError as exc:
        raise DatabaseError(f"cannot open database: {mask_secrets(str(exc.orig))}") from None
    head = SCHEMA_REVISION
    if current is None:
        raise DatabaseError("database has no omicskb schema: run 'omicskb init' first")
    if current != head:
        raise DatabaseError(f"database schema is at revision {current}, this omicskb needs {head}: run 'omicskb init'")


# ---------------------------------------------------------------------------------------------
# Bulk paths

def arrow_type(column: sa.Column):
    import pyarrow as pa

    for sa_type, arrow in (
        (sa.Boolean, pa.bool_()),
        (sa.BigInteger, pa.int64()),
        (sa.Integer, pa.int64()),
        (sa.Float, pa.float64()),
        (sa.DateTime, pa.timestamp("us")),
        (sa.Date, pa.date32()),
        (sa.String, pa.string()),
    ):
        if isinstance(column.type, sa_type):
            return arrow
    raise TypeError(f"no Arrow type for column {column} of type {column.type}")


def table_of(name: str) -> sa.Table:
    return Base.metadata.tables[name]


class Staged:
    """Rows staged in the load's transaction, readable by SQL as `self.name`."""

    def __init__(self, conn: sa.Connection, name: str, columns: Sequence[str]):
        self.conn = conn
        self.name = name
        self.columns = list(columns)

    def drop(self) -> None:
        if is_duckdb(self.conn):
            self.conn.connection.driver_connection.unregister(self.name)
        else:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.name}")


@dataclasses.dataclass(frozen=True)
class CodedText:
    """A text column of a few distinct values over many rows (a skip reason, a role), given as
    integer codes into `labels` (-1: NULL): staged on DuckDB as an Arrow dictionary, with no
    Python loop over the rows."""

    codes: Any  # numpy integer array
    labels: tuple[str, ...]

    @classmethod
    def of(cls, values: Iterable[str | None]) -> CodedText:
        """Coded from Python values (a loop over them: for short columns)."""
        import numpy as np

        labels: dict[str, int] = {}
        codes = [-1 if v is None else labels.setdefault(v, len(labels)) for v in values]
        return cls(np.array(codes, dtype=np.int32), tuple(labels))

    def __len__(self) -> int:
        return len(self.codes)

    def tolist(self) -> list[str | None]:
        labels = [*self.labels, None]  # code -1 is the last
        return [labels[c] for c in self.codes.tolist()]


def _is_numpy(values: Any) -> bool:
    return type(values).__module__ == "numpy"


def _is_masked(values: Any) -> bool:
    return type(values).__module__.startswith("numpy.ma")


def _python_values(values: Any) -> Sequence[Any]:
    """A column as Python values for COPY: numpy arrays become lists, NaN in a float array None,
    a masked value None."""
    if isinstance(values, CodedText):
        return values.tolist()
    if _is_masked(values):
        python = values.tolist()  # masked: None
        return [None if v != v else v for v in python] if values.dtype.kind == "f" else python
    if not _is_numpy(values):
        return values
    if values.dtype.kind == "f":
        return [None if v != v else v for v in values.tolist()]
    return values.tolist()


def stage(conn: sa.Connection, name: str, like_table: str, data: Mapping[str, Sequence[Any]]) -> Staged:
    """Stage columnar rows shaped like `like_table`'s columns of the same names: lists, or numpy
    arrays (NaN in a float array is NULL).

    DuckDB reads the Arrow table in place; PostgreSQL gets a temporary table filled by COPY.
    `name` is an internal constant, never user input.
    """
    table = table_of(like_table)
    columns = list(data)
    lengths = {len(values) for values in data.values()}
    if len(lengths) > 1:
        raise ValueError(f"staged columns of {name} differ in length: {lengths}")
    if is_duckdb(conn):
        import pyarrow as pa

        # numpy columns go in without a Python loop; NaN in a float column becomes NULL
        arrow = pa.table({c: arrow_array(data[c], arrow_type(table.c[c])) for c in columns})
        conn.connection.driver_connection.register(name, arrow)
        return Staged(conn, name, columns)
    ddl = ", ".join(f"{c} {table.c[c].type.compile(dialect=conn.dialect)}" for c in columns)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({ddl}) ON COMMIT DROP")
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in zip(*(_python_values(data[c]) for c in columns), strict=True):
                copy.write_row(row)
    # A temporary table has no statistics until analyzed: the planner would take it for a few
    # rows and compare it with the target table row by row (minutes for 100k x 100k).
    conn.exec_driver_sql(f"ANALYZE {name}")
    return Staged(conn, name, columns)


def arrow_array(values: Any, arrow_type: Any) -> Any:
    """`values` as an Arrow array of `arrow_type`. numpy float (NaN is NULL), integer and bool
    arrays, masked arrays (masked is NULL) and CodedText are built from their buffers; anything
    else (lists) goes through pa.array. pyarrow's own conversion imports pandas the first time
    (half a second, holding the GIL): derive, which stages only arrays, never pays it."""
    import numpy as np
    import pyarrow as pa

    if isinstance(values, CodedText) and arrow_type == pa.string():
        dictionary = _text_array(values.labels)
        valid = values.codes >= 0
        return pa.DictionaryArray.from_buffers(
            pa.dictionary(pa.int32(), pa.string()), len(values.codes),
            [_validity(valid), pa.py_buffer(np.ascontiguousarray(values.codes, dtype=np.int32))], dictionary,
            null_count=len(valid) - int(np.count_nonzero(valid)))
    valid = None
    if _is_masked(values):
        valid, values = ~np.ma.getmaskarray(values), np.ma.getdata(values)
    if not _is_numpy(values) or values.ndim != 1:
        return pa.array(values, type=arrow_type, from_pandas=_is_numpy(values))
    kind, length = values.dtype.kind, len(values)
    if kind == "f" and arrow_type == pa.float64():
        values = np.ascontiguousarray(values, dtype=np.float64)
        present = ~np.isnan(values)
        valid = present if valid is None else valid & present
    elif kind in "iu" and pa.types.is_signed_integer(arrow_type):
        values = np.ascontiguousarray(values, dtype=f"int{arrow_type.bit_width}")
    elif kind == "b" and arrow_type == pa.bool_():
        values = np.packbits(values, bitorder="little")
    else:
        return pa.array(values if valid is None else np.ma.MaskedArray(values, mask=~valid).tolist(), type=arrow_type)
    nulls = 0 if valid is None else length - int(np.count_nonzero(valid))
    return pa.Array.from_buffers(arrow_type, length, [_validity(valid) if nulls else None, pa.py_buffer(values)], null_count=nulls)


def _validity(valid: Any) -> Any:
    """An Arrow validity bitmap of a bool array."""
    import numpy as np
    import pyarrow as pa

    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def _text_array(texts: Sequence[str]) -> Any:
    """A short list of strings as an Arrow string array, from its buffers."""
    import numpy as np
    import pyarrow as pa

    encoded = [t.encode() for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def copy_doubles(column: Any, out: Any, at: int) -> int:
    """Copy an Arrow double array into out[at:], NULL as NaN (read from its buffers: pyarrow's own
    NULL -> NaN conversion is several times slower); returns the position after it."""
    import numpy as np
    import pyarrow as pa

    if column.type != pa.float64():
        column = column.cast(pa.float64())
    validity, data = column.buffers()[:2]
    start, length = column.offset, len(column)
    target = out[at:at + length]
    if length:
        target[...] = np.frombuffer(data, dtype=np.float64, count=start + length)[start:]
    if column.null_count:
        valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), count=start + length, bitorder="little")[start:].view(bool)
        np.copyto(target, np.nan, where=~valid)
    return at + length


def numpy_of(column: Any) -> Any:
    """An Arrow numeric column (chunked or not) as numpy, read from its buffers (to_numpy imports
    pandas): integers without NULLs as int64, floats as float64 with NULL as NaN; others through
    to_numpy."""
    import numpy as np
    import pyarrow as pa

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = []
    for chunk in chunks:
        kind = chunk.type
        if pa.types.is_integer(kind) and not chunk.null_count:
            width = np.dtype(f"{'i' if pa.types.is_signed_integer(kind) else 'u'}{kind.bit_width // 8}")
            data = np.frombuffer(chunk.buffers()[1], dtype=width, count=chunk.offset + len(chunk))[chunk.offset:] if len(chunk) else np.empty(0, dtype=width)
            parts.append(data.astype(np.int64))  # a copy: writable, and not holding the Arrow buffer
        elif pa.types.is_floating(kind):
            values = np.empty(len(chunk))
            copy_doubles(chunk, values, 0)
            parts.append(values)
        else:
            parts.append(chunk.to_numpy(zero_copy_only=False))
    if not parts:
        return np.empty(0)
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def insert_staged(staged: Staged, into: str, extra: Mapping[str, Any] | None = None, on_conflict: str = "") -> int:
    """INSERT INTO `into` the staged columns, plus constant columns bound as parameters."""
    extra = dict(extra or {})
    columns = staged.columns + list(extra)
    select = ", ".join(staged.columns + [f":{c}" for c in extra])
    sql = f"INSERT INTO {into} ({', '.join(columns)}) SELECT {select} FROM {staged.name} {on_conflict}"
    result = staged.conn.execute(sa.text(sql), extra)
    return result.rowcount if result.rowcount is not None and result.rowcount >= 0 else 0


def count_then_delete(conn: sa.Connection, table: str, where: str, params: Mapping[str, Any] | None = None, bind=None) -> int:
    """DELETE the rows `where` selects and say how many went. Counted first: DuckDB before 2.0
    reports no row count for a DELETE. `bind` makes the statement (etl.loaders.bound, for lists)."""
    make = bind or (lambda sql, p: (sa.text(sql), p))
    params = dict(params or {})
    count = conn.execute(*make(f"SELECT count(*) FROM {table} WHERE {where}", params)).scalar_one()
    if count:
        conn.execute(*make(f"DELETE FROM {table} WHERE {where}", params))
    return count


def bulk_insert(conn: sa.Connection, table: str, data: Mapping[str, Sequence[Any]], extra: Mapping[str, Any] | None = None) -> int:
    """Insert columnar rows into a table in one statement; returns the number of rows."""
    n = len(next(iter(data.values()))) if data else 0
    if n == 0:
        return 0
    staged = stage(conn, f"stage_{table}", table, data)
    insert_staged(staged, table, extra)
    staged.drop()  # on failure the rollback discards the staging table (PostgreSQL) or it is re-registered next time (DuckDB)
    return n


def delete_by_ids(conn: sa.Connection, tables: Sequence[str], column: str, ids: Sequence[int]) -> None:
    """DELETE the rows whose `column` is in `ids` from each of `tables`, in that order (children
    first), 1,000 ids per statement. Table and column names are internal constants."""
    for start in range(0, len(ids), 1000):
        chunk = {"ids": list(ids[start:start + 1000])}
        for table in tables:
            conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} IN :ids").bindparams(sa.bindparam("ids", expanding=True)), chunk)


def fetch_text_table(conn: sa.Connection, select: str, columns: Mapping[str, Any]) -> Any:
    """The rows of `select` (no parameters; ints only formatted in) as an Arrow table of `columns`
    (name -> Arrow type) without a Python row loop: DuckDB's own Arrow result, or PostgreSQL's CSV
    COPY parsed by pyarrow (an unquoted empty field is NULL there, a quoted one an empty string;
    floats are written to round-trip)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if is_duckdb(conn):
        return duckdb_driver(conn).sql(select).to_arrow_table().cast(pa.schema(dict(columns)))
    buffer = bytearray()
    with conn.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT CSV, HEADER)") as copy:
            for data in copy:
                buffer += data
    return pacsv.read_csv(
        pa.BufferReader(bytes(buffer)),
        read_options=pacsv.ReadOptions(use_threads=False),
        convert_options=pacsv.ConvertOptions(column_types=dict(columns), strings_can_be_null=True, quoted_strings_can_be_null=False, null_values=[""]),
    )


def upsert_lookup(conn: sa.Connection, table: str, codes: Iterable[str | None]) -> None:
    """Add vocabulary codes seen in data (e.g. a new NCBI gene type) that the lookup lacks."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return
    lookup = table_of(table)
    key = lookup.primary_key.columns[0]
    present = {row[0] for row in conn.execute(sa.select(key).where(key.in_(wanted)))}
    missing = [c for c in wanted if c not in present]
    if missing:
        conn.execute(lookup.insert(), [{key.name: c} for c in missing])


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# PostgreSQL binary COPY of value arrays, built and parsed with numpy
#
# COPY ... (FORMAT BINARY): a signature, then per row an int16 field count and per field an int32
# byte length (-1 = NULL) and the value in network byte order; an int16 -1 ends the data. A
# float8[] value is ndim, has-null flag, element type oid, then (size, lower bound) per dimension,
# then per element its int32 length (-1 = NULL, with no bytes after it) and 8 bytes.
# https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.4

PG_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # no flags, no extension
PG_COPY_TRAILER = b"\xff\xff"
PG_FLOAT8_OID = 701
PG_COPY_CHUNK_BYTES = 32 * 2**20


def pg_binary_copy_rows(columns: Sequence[tuple[str, Any]], values: Any, encoding: str = "utf-8") -> Iterable[bytes]:
    """The COPY FROM STDIN (FORMAT BINARY) stream, in chunks, of rows whose fields are `columns`
    followed by one float8[] field holding the matching row of `values` (NaN becomes NULL).

    `columns` are (type, data) pairs, type 'int8' or 'int4' (data: one integer per row), at most one
    'text' column (one string per row), which must come last. No Python code runs per value: the
    integers are one numpy record per row, each array is 4-byte words (header, then per element
    its length and its 8 bytes) from which one boolean mask drops the bytes of NULL elements, and
    each row is joined from three slices: its record, its text, its array."""
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    n_rows, n_cols = values.shape
    kinds = [kind for kind, _ in columns]
    if any(kind not in ("int8", "int4", "text") for kind in kinds):
        raise ValueError(f"unsupported column types {kinds} (int8, int4, one text last)")
    if "text" in kinds[:-1]:
        raise ValueError("the one text column must come last")
    fields: list[tuple] = [("n_fields", ">i2")]
    for i, kind in enumerate(kinds):
        fields += [(f"len{i}", ">i4")] + ([(f"f{i}", ">i8" if kind == "int8" else ">i4")] if kind != "text" else [])
    record = np.dtype(fields)  # packed; a text column's length is its last field, the bytes follow
    head_words = 6 if n_cols else 4  # array byte length, ndim, has-null, element oid[, size, lower bound]
    row_words = head_words + 3 * n_cols
    null_word = np.frombuffer(b"\xff\xff\xff\xff", dtype=np.uint32)[0]
    eight_word = np.frombuffer(b"\x00\x00\x00\x08", dtype=np.uint32)[0]
    rows_per_chunk = max(1, PG_COPY_CHUNK_BYTES // (4 * row_words + record.itemsize))

    yield PG_COPY_SIGNATURE
    for start in range(0, n_rows, rows_per_chunk):
        stop = min(n_rows, start + rows_per_chunk)
        n = stop - start
        prefix = np.empty(n, dtype=record)
        prefix["n_fields"] = len(columns) + 1
        text: list[bytes] = []
        for i, (kind, data) in enumerate(columns):
            if kind == "text":
                text = [str(s).encode(encoding) for s in data[start:stop]]
                prefix[f"len{i}"] = np.fromiter(map(len, text), dtype=np.int64, count=n)
            else:
                prefix[f"len{i}"] = 8 if kind == "int8" else 4
                prefix[f"f{i}"] = np.asarray(data[start:stop])
        block = values[start:stop]
        missing = np.isnan(block)
        n_missing = missing.sum(axis=1)
        words = np.empty((n, row_words), dtype=">u4")
        words[:, 0] = 4 * row_words - 4 - 8 * n_missing
        words[:, 1:head_words] = [1, 0, PG_FLOAT8_OID, n_cols, 1] if n_cols else [0, 0, PG_FLOAT8_OID]
        if n_cols:
            words[:, 2] = n_missing > 0
            elements = words[:, head_words:].reshape(n, n_cols, 3)
            # The length words as raw bytes (no byte swap per element): -1 for NULL, else 8.
            elements.view(np.uint32)[:, :, 0] = np.where(missing, null_word, eight_word)
            elements[:, :, 1:] = block.astype(">f8").view(">u4").reshape(n, n_cols, 2)
        if n_missing.any():
            keep = np.ones((n, row_words), dtype=bool)
            kept = keep[:, head_words:].reshape(n, n_cols, 3)
            kept[:, :, 1] = kept[:, :, 2] = ~missing
            arrays = memoryview(words[keep]).cast("B")
        else:
            arrays = memoryview(words.reshape(-1)).cast("B")
        ends = np.cumsum(4 * (row_words - 2 * n_missing)).tolist()
        records = memoryview(prefix.view(np.uint8)).cast("B")
        size = record.itemsize
        parts: list = []
        begin = 0
        for i, end in enumerate(ends):
            parts += (records[i * size:(i + 1) * size], text[i] if text else b"", arrays[begin:end])
            begin = end
        yield b"".join(parts)
    yield PG_COPY_TRAILER


def pg_copy_in(conn: sa.Connection, table: str, columns: Sequence[str], chunks: Iterable[bytes]) -> None:
    """COPY the binary stream `chunks` into `table` (`columns` in stream order) in conn's transaction."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            for chunk in chunks:
                copy.write(chunk)


def pg_fetch_float_arrays(conn: sa.Connection, select: str, n_values: int, n_keys: int = 1) -> tuple[Any, Any]:
    """(keys, values) from `select`, a query of `n_keys` bigint columns then a float8[] of exactly
    `n_values` elements, with no parameters: one binary COPY TO, parsed by numpy into int64 keys (a
    vector when n_keys is 1, else rows x n_keys) and a float64 (rows x n_values) matrix with NaN for
    NULL. Raises ValueError if any array has another shape."""
    import numpy as np

    keys = ", ".join(f"q.k{i}" for i in range(n_keys))
    aliases = ", ".join(f"k{i}" for i in range(n_keys))
    # NULL elements have no value bytes; replaced by NaN on the server every row has one size.
    sql = f"COPY (SELECT {keys}, array_replace(q.arr, NULL, 'NaN'::float8) FROM ({select}) AS q({aliases}, arr)) TO STDOUT (FORMAT BINARY)"
    raw = conn.connection.driver_connection
    parts = []
    with raw.cursor() as cursor:
        with cursor.copy(sql) as copy:
            for data in copy:
                parts.append(data)
    buffer = b"".join(parts)
    if not buffer.startswith(PG_COPY_SIGNATURE[:11]):
        raise ValueError("binary COPY does not start with its signature")
    extension = int.from_bytes(buffer[15:19], "big")
    body = memoryview(buffer)[19 + extension:len(buffer) - len(PG_COPY_TRAILER)]
    if bytes(buffer[-2:]) != PG_COPY_TRAILER:
        raise ValueError("binary COPY does not end with its trailer")
    array_header = 20 if n_values else 12
    fields: list[tuple] = [("n_fields", ">i2")]
    for i in range(n_keys):
        fields += [(f"keylen{i}", ">i4"), (f"key{i}", ">i8")]
    fields += [("alen", ">i4"), ("ahead", ">i4", (array_header // 4,))]
    if n_values:
        fields.append(("elems", [("len", ">i4"), ("x", ">f8")], (n_values,)))
    record = np.dtype(fields)
    if len(body) % record.itemsize:
        raise ValueError(f"value arrays are not all {n_values} long")
    rows = np.frombuffer(body, dtype=record)
    header = rows["ahead"]
    if len(rows) and not (
        (rows["n_fields"] == n_keys + 1).all() and all((rows[f"keylen{i}"] == 8).all() for i in range(n_keys))
        and (rows["alen"] == array_header + 12 * n_values).all()
        and (header[:, 0] == (1 if n_values else 0)).all() and (header[:, 2] == PG_FLOAT8_OID).all()
        and (n_values == 0 or ((header[:, 3] == n_values).all() and (header[:, 4] == 1).all() and (rows["elems"]["len"] == 8).all()))
    ):
        raise ValueError(f"value arrays are not all {n_values} long")
    if n_keys == 1:
        ids = rows["key0"].astype(np.int64)
    else:
        ids = np.stack([rows[f"key{i}"].astype(np.int64) for i in range(n_keys)], axis=1)
    values = rows["elems"]["x"].astype(np.float64) if n_values else np.empty((len(rows), 0))
    return ids, values


def pg_binary_kind(table: str, column: str) -> str:
    """The pg_binary_copy_rows type of a model column: 'int8', 'int4' or 'text'."""
    column_type = table_of(table).c[column].type
    if isinstance(column_type, sa.BigInteger):
        return "int8"
    if isinstance(column_type, sa.Integer):
        return "int4"
    if isinstance(column_type, sa.String):
        return "text"
    raise TypeError(f"no binary COPY encoding for {table}.{column} ({column_type})")


# ---------------------------------------------------------------------------------------------
# Planner statistics after a load


def analyze_tables(engine_or_conn: sa.Engine | sa.Connection, tables: Iterable[str]) -> None:
    """Refresh the planner's statistics of the tables a load wrote: call it after each committed load.

    PostgreSQL plans with the statistics ANALYZE gathers; until autovacuum gets to a freshly loaded
    table (a minute or more later, and only past its change thresholds) a whole-dataset query can
    be planned from an empty table's guesses (a measurement count took 172.8 s before and 1.3 s
    after ANALYZE). One `ANALYZE t1, t2, ...` runs in the given connection's transaction (ANALYZE,
    unlike VACUUM, may), or in a new one on an engine. Names must be tables of the schema.

    DuckDB keeps the statistics its optimizer uses (row counts, min/max per row group) up to date
    as rows are written, so nothing is run there."""
    names = sorted(set(tables))
    unknown = [t for t in names if t not in Base.metadata.tables]
    if unknown:
        raise ValueError(f"not tables of the schema: {', '.join(unknown)}")
    if not names or is_duckdb(engine_or_conn):
        return
    statement = "ANALYZE " + ", ".join(names)
    if isinstance(engine_or_conn, sa.Engine):
        with engine_or_conn.begin() as conn:
            conn.exec_driver_sql(statement)
    else:
        engine_or_conn.exec_driver_sql(statement)
