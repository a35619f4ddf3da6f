"""Waiting for the database lock, and naming what holds it.

DuckDB allows one process to write a database file, or any number of processes to read it, never
both: the file lock is taken when a connection opens. omicskb keeps one connection per engine, so a
command holds its lock (shared for a read command, exclusive for a write command) until it ends.
When the lock is taken, opening waits with backoff up to the lock timeout, retrying at the DBAPI
connect (a `do_connect` hook installed by `omicskb.etl.db.make_engine`), then raises `LockTimeout`
naming the holder: DuckDB's message gives its PID, and /proc gives its command line when it runs on
this host.

PostgreSQL has no file lock: readers never wait for a load. A statement that waits for a row,
table or advisory lock gives up after the same timeout (the session's `lock_timeout`), and the
error names the sessions with open transactions, which omicskb labels with `application_name`.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omicskb.etl.errors import DatabaseError

DEFAULT_LOCK_TIMEOUT = 600.0
"""Seconds a command waits for the database lock: 10 minutes, which covers the load of one large
file (the largest measured here take seconds: GAF 5.7 s, a pan-cancer phosphosite matrix a few)
with a wide margin on slower machines. A `load cohort` holds the lock for all its files."""

LOCK_TIMEOUT_ENV = "OMICSKB_LOCK_TIMEOUT"
MAX_BACKOFF = 1.0
FIRST_BACKOFF = 0.05

WaitFn = Callable[[str], None]


class LockTimeout(DatabaseError):
    """The database lock stayed held by another process for the whole lock timeout."""

    exit_code = 2


def parse_lock_timeout(value: str | float | None, where: str = "--lock-timeout") -> float | None:
    """Seconds as a number >= 0, or None when not given. A bad value is a DatabaseError (exit 2)."""
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise DatabaseError(f"{where} must be a number of seconds, not {value!r}") from None
    if not seconds >= 0 or seconds == float("inf"):
        raise DatabaseError(f"{where} must be a finite number of seconds >= 0, not {value!r}")
    return seconds


def lock_timeout(value: float | None = None) -> float:
    """The given timeout, else $OMICSKB_LOCK_TIMEOUT, else DEFAULT_LOCK_TIMEOUT."""
    if value is not None:
        return value
    from_env = parse_lock_timeout(os.environ.get(LOCK_TIMEOUT_ENV), LOCK_TIMEOUT_ENV)
    return DEFAULT_LOCK_TIMEOUT if from_env is None else from_env


def hostname() -> str:
    return socket.gethostname()


# ---------------------------------------------------------------------------------------------
# Processes


def process_command_line(pid: int) -> list[str] | None:
    """The command line of process `pid` on this host, or None when there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
        return None
    except OSError:
        return []  # exists, but not readable by us
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def process_alive(pid: int) -> bool | None:
    """Whether process `pid` runs on this host (None: cannot tell)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return None
    return True


MAX_COMMAND_LINE = 300
MAX_INLINE_SCRIPT = 40


def describe_command(args: list[str]) -> str:
    """`omicskb load matrix big.tsv ...` for an omicskb process, else the command line as it is."""
    from omicskb.etl.db import mask_secrets

    if not args:
        return "command line not readable"
    shown = list(args)
    # `python .venv/bin/omicskb ...` and `python -m omicskb.etl.cli ...` both show as `omicskb ...`
    if len(shown) > 1 and Path(shown[0]).name.startswith("python"):
        if Path(shown[1]).name == "omicskb":
            shown = ["omicskb", *shown[2:]]
        elif shown[1] == "-m" and len(shown) > 2 and shown[2].startswith("omicskb"):
            shown = ["omicskb", *shown[3:]]
        elif shown[1] == "-c" and len(shown) > 2 and len(shown[2]) > MAX_INLINE_SCRIPT:
            shown[2] = "<script>"  # `python -c '<many lines>'`: the arguments after it say more
    elif Path(shown[0]).name == "omicskb":
        shown[0] = "omicskb"
    # Mask before shortening: a cut inside a URL would leave its password unrecognised.
    text = mask_secrets(" ".join(" ".join(shown).split()))  # one line, whatever the arguments hold
    if len(text) > MAX_COMMAND_LINE:
        text = text[: MAX_COMMAND_LINE - 3] + "..."
    return text


def describe_process(pid: int, executable: str | None = None) -> str:
    """`PID 123 (omicskb load matrix x.tsv ...)`, from /proc when the process runs on this host."""
    args = process_command_line(pid)
    if args is None:
        where = f"{executable}, " if executable else ""
        return f"PID {pid} ({where}not a process on this host {hostname()}: another machine sharing the file?)"
    return f"PID {pid} ({describe_command(args)})"


# ---------------------------------------------------------------------------------------------
# DuckDB: wait for the file lock at connect

_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)")


def duckdb_lock_holder(message: str, wanted_read_only: bool) -> str:
    """Who holds the lock, from DuckDB's 'Could not set lock' message."""
    match = _DUCKDB_HOLDER.search(message)
    if match is None:
        return "another process"
    if "read-only mode" in message:  # DuckDB adds the hint when the holder only reads
        kind = "a reader, "
    elif wanted_read_only:
        kind = "a writer, "
    else:
        kind = ""
    return f"{kind}{describe_process(int(match['pid']), match['exe'])}"


def is_duckdb_lock_error(exc: BaseException) -> bool:
    return "Could not set lock on file" in str(exc)


def duckdb_connect_waiting(
    dialect: Any,
    cargs: list,
    cparams: dict,
    *,
    path: str,
    read_only: bool,
    timeout: float,
    on_wait: WaitFn | None = None,
):
    """dialect.connect(), retried with backoff while another process holds the file lock.

    on_wait is called once with a message when the wait starts, and with "" when it ends.
    """
    import duckdb

    if read_only and not Path(path).exists():
        # DuckDB would refuse too; say it the omicskb way, and never create the file
        raise DatabaseError(f"no database at {path}: create it with 'omicskb --db {path} init'")
    deadline = time.monotonic() + timeout
    delay = FIRST_BACKOFF
    announced = False
    while True:
        try:
            connection = dialect.connect(*cargs, **cparams)
            if announced and on_wait is not None:
                on_wait("")  # the wait is over: clear the message
            return connection
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc):
                raise
            if read_only:
                # This process already has the file open read-write (library use, tests): read
                # through that same database instance; no other process can be writing it.
                writable = {k: v for k, v in cparams.items() if k != "read_only"}
                return dialect.connect(*cargs, **writable)
            raise DatabaseError(f"{path} is already open read-only in this process; close that connection before writing") from None
        except duckdb.Error as exc:
            if not is_duckdb_lock_error(exc):
                raise
            remaining = deadline - time.monotonic()
            holder = duckdb_lock_holder(str(exc), read_only)
            if remaining <= 0:
                if announced and on_wait is not None:
                    on_wait("")
                raise LockTimeout(
                    f"database {path} is locked by {holder}; gave up after waiting {timeout:g} s "
                    f"(set --lock-timeout SECONDS or ${LOCK_TIMEOUT_ENV}; DuckDB allows one writer or many readers, never both)"
                ) from None
            if on_wait is not None and not announced:
                on_wait(f"waiting up to {timeout:g} s for the lock on {path}, held by {holder}")
                announced = True
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, MAX_BACKOFF)


# ---------------------------------------------------------------------------------------------
# PostgreSQL: lock_timeout, and who holds open transactions when it expires


def pg_lock_timeout_ms(timeout: float) -> int:
    """PostgreSQL's lock_timeout in ms; 0 there means 'wait forever', so --lock-timeout 0 becomes 1 ms."""
    return max(1, round(timeout * 1000))


def pg_lock_holders(engine, own_backend_pid: int | None, limit: int = 3) -> str:
    """The other sessions of this database with open transactions, oldest first (the likely holders)."""
    import sqlalchemy as sa

    sql = sa.text(
        "SELECT pid, application_name, client_addr, to_char(xact_start, 'YYYY-MM-DD HH24:MI:SS') AS since, state "
        "FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> :own "
        "AND xact_start IS NOT NULL AND backend_type = 'client backend' "
        "ORDER BY xact_start LIMIT :limit"
    )
    try:
        with engine.connect() as conn:
            rows = conn.execute(sql, {"own": own_backend_pid or 0, "limit": limit}).all()
    except Exception:  # describing the holder must never hide the timeout itself
        return "a session that could not be identified"
    if not rows:
        return "a session that has finished since"
    parts = []
    for r in rows:
        who = repr(r.application_name) if r.application_name else "a client"
        where = f" from {r.client_addr}" if r.client_addr else ""
        parts.append(f"backend {r.pid} ({who}{where}, {r.state}, in a transaction since {r.since})")
    return "; ".join(parts)


def pg_application_name(what: str) -> str:
    """`omicskb load matrix (pid 123)`, within PostgreSQL's 63 bytes."""
    suffix = f" (pid {os.getpid()})"
    return what[: 63 - len(suffix)] + suffix
