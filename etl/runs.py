"""Load runs: one transaction per file, a run-log row whatever happens, and no-op reloads.

A load goes:
1. hash the file; if this source kind already has a release with that sha256, record an
   'unchanged' run and stop (reloading the same file changes nothing);
2. record a 'running' run in its own transaction (so a crash leaves evidence);
3. in ONE transaction: create the source_release row, let the loader write its rows and the
   identifiers it could not resolve, then commit;
4. mark the run 'ok' with counts, or 'failed' with the one-line reason after the rollback.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from omicskb.etl import __version__, liveness
from omicskb.etl.db import bulk_insert, utcnow
from omicskb.etl.errors import InputError, OmicsKBError
from omicskb.etl.textio import sha256_file
from omicskb.schema.models import LoadRun, SourceRelease

ProgressFn = Callable[[str], None]


@dataclasses.dataclass
class LoadReport:
    run_id: int
    source_kind: str
    path: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejected_by_reason: Counter[str] = dataclasses.field(default_factory=Counter)
    loaded_by_table: dict[str, int] = dataclasses.field(default_factory=dict)
    release_id: int | None = None
    message: str | None = None
    seconds: float = 0.0
    notes: list[str] = dataclasses.field(default_factory=list)


class LoadContext:
    """What a loader gets: the open transaction, its release, counters and a reject sink."""

    def __init__(self, conn: sa.Connection, run_id: int, release_id: int, source_kind: str, path: Path, progress: ProgressFn | None):
        self.conn = conn
        self.run_id = run_id
        self.release_id = release_id
        self.source_kind = source_kind
        self.path = path
        self.progress = progress or (lambda message: None)
        self.rows_read = 0
        self.loaded_by_table: dict[str, int] = {}
        self.rejected_by_reason: Counter[str] = Counter()
        self._rejects: dict[str, list] = {"file_line": [], "identifier": [], "id_kind": [], "reason": []}
        self.release_version: str | None = None
        self.release_date: datetime.date | None = None
        self.notes: list[str] = []  # what the user should know about this load (fallback encodings, created samples, ...)

    def step(self, done: int, total: int, what: str) -> None:
        """Progress as a bar: shown on a terminal, silent in scheduled jobs."""
        width = 30
        filled = width * done // total if total else width
        self.progress(f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {what}")

    def reject(self, line: int, identifier: str, id_kind: str, reason: str) -> None:
        self._rejects["file_line"].append(line)
        self._rejects["identifier"].append(identifier)
        self._rejects["id_kind"].append(id_kind)
        self._rejects["reason"].append(reason)
        self.rejected_by_reason[reason] += 1

    def loaded(self, table: str, count: int) -> None:
        self.loaded_by_table[table] = self.loaded_by_table.get(table, 0) + count

    def set_release(self, version: str | None = None, date: datetime.date | None = None) -> None:
        """Record what the file says about its own release (OBO data-version, GAF date, ...)."""
        if version is not None:
            self.release_version = version
        if date is not None:
            self.release_date = date

    def flush_rejects(self) -> None:
        bulk_insert(self.conn, "unresolved_identifier", self._rejects, extra={"run_id": self.run_id, "source_kind": self.source_kind})


Loader = Callable[[LoadContext], None]


def _record_run(engine: sa.Engine, values: dict) -> int:
    values = {**values, **liveness.owner_values(engine)}  # access: process_id and host (etl/liveness.py)
    with engine.begin() as conn:
        run_id = conn.execute(sa.insert(LoadRun).values(**values).returning(LoadRun.run_id)).scalar_one()
    if values["status"] == "running":
        liveness.acquire_run(engine, run_id)  # access: alive until _finish_run (PostgreSQL: advisory lock)
    return run_id


def _finish_run(engine: sa.Engine, run_id: int, values: dict) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(LoadRun).where(LoadRun.run_id == run_id).values(finished_at=utcnow(), **values))
    liveness.release_run(engine, run_id)  # access


def run_load(
    engine: sa.Engine,
    source_kind: str,
    path: str | Path,
    loader: Loader,
    *,
    command: str,
    release_version: str | None = None,
    release_date: datetime.date | None = None,
    progress: ProgressFn | None = None,
) -> LoadReport:
    """Run `loader` on `path` as one atomic, logged, idempotent load. Raises what the loader raises."""
    path = Path(path)
    started = time.perf_counter()
    base = {
        "command": command,
        "source_kind": source_kind,
        "file_path": str(path.resolve()) if path.exists() else str(path),
        "started_at": utcnow(),
        "omicskb_version": __version__,
    }
    if not path.is_file():
        _record_run(engine, {**base, "status": "failed", "finished_at": utcnow(), "message": f"{path}: no such file"})
        raise InputError(path, None, "no such file")
    sha = sha256_file(path)
    size = path.stat().st_size
    base.update(file_sha256=sha, file_bytes=size)

    with engine.connect() as conn:
        existing = conn.execute(
            sa.select(SourceRelease.release_id).where(SourceRelease.source_kind == source_kind, SourceRelease.file_sha256 == sha)
        ).scalar()
    if existing is not None:
        message = f"already loaded as release {existing} (same sha256); nothing changed"
        run_id = _record_run(engine, {**base, "status": "unchanged", "finished_at": utcnow(), "release_id": existing, "message": message, "rows_read": 0, "rows_loaded": 0, "rows_rejected": 0})
        return LoadReport(run_id, source_kind, str(path), "unchanged", release_id=existing, message=message, seconds=time.perf_counter() - started)

    run_id = _record_run(engine, {**base, "status": "running"})
    try:
        with engine.begin() as conn:
            release_id = conn.execute(
                sa.insert(SourceRelease)
                .values(source_kind=source_kind, file_name=path.name, file_sha256=sha, file_bytes=size, run_id=run_id, loaded_at=utcnow(), version=release_version, release_date=release_date)
                .returning(SourceRelease.release_id)
            ).scalar_one()
            ctx = LoadContext(conn, run_id, release_id, source_kind, path, progress)
            loader(ctx)
            ctx.flush_rejects()
            conn.execute(
                sa.update(SourceRelease)
                .where(SourceRelease.release_id == release_id)
                .values(version=release_version or ctx.release_version, release_date=release_date or ctx.release_date)
            )
    except BaseException as exc:
        reason = str(exc) if isinstance(exc, OmicsKBError) else f"{type(exc).__name__}: {exc}"
        _finish_run(engine, run_id, {"status": "failed", "message": reason.splitlines()[0] if reason else type(exc).__name__})
        raise
    rows_loaded = sum(n for table, n in ctx.loaded_by_table.items() if table != "values")  # values sit inside measurement rows
    rows_rejected = sum(ctx.rejected_by_reason.values())
    _finish_run(engine, run_id, {"status": "ok", "release_id": release_id, "rows_read": ctx.rows_read, "rows_loaded": rows_loaded, "rows_rejected": rows_rejected, "message": "; ".join(ctx.notes) or None})
    return LoadReport(
        run_id,
        source_kind,
        str(path),
        "ok",
        rows_read=ctx.rows_read,
        rows_loaded=rows_loaded,
        rows_rejected=rows_rejected,
        rejected_by_reason=ctx.rejected_by_reason,
        loaded_by_table=dict(ctx.loaded_by_table),
        release_id=release_id,
        seconds=time.perf_counter() - started,
        notes=list(ctx.notes),
    )
