"""Load runs: one transaction per file, a run-log row whatever happens, exact reload semantics.

A load goes:
1. hash the file, check it looks like the kind the command loads, and compute its load key (the
   kind, the sha256 and every parameter that changes the result);
2. if a *current* release already has that key, record an 'unchanged' run and stop: the database
   already holds exactly this;
3. record a 'running' run in its own transaction (so a crash leaves evidence);
4. in ONE transaction: create the release, let the loader write its rows (archiving every row it
   deletes or overwrites, so the release can be rolled back), record unresolved identifiers,
   supersede the release(s) the slot held, and refuse the whole load if it would remove more than
   the shrink limit of what the slot holds, unless told to allow it;
5. mark the run 'ok' with honest counts, or 'failed'/'refused' with the one-line reason.

A dry run does steps 1, 2 and 4 and then rolls back: it reports what would change and writes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from omicskb.etl import __version__, liveness, releases
from omicskb.etl.db import bulk_insert, utcnow
from omicskb.etl.errors import InputError, OmicsKBError
from omicskb.etl.releases import TableChange
from omicskb.etl.textio import sha256_file
from omicskb.schema.models import LoadBatch, LoadRun, SourceRelease

R = TypeVar("R")

ProgressFn = Callable[[str], None]


class ShrinkRefused(OmicsKBError):
    """A release would remove more of what its slot holds than the shrink limit allows (exit 1)."""

    exit_code = 1

    def __init__(self, path: Path, changes: list[TableChange]):
        self.path = path
        self.changes = changes
        worst = ", ".join(
            f"{c.table} {c.removed:,} of {c.before:,} ({c.removed_share:.0%}; e.g. {'; '.join(c.examples)})" for c in changes
        )
        super().__init__(
            f"{path}: refused: this release would remove {worst}; more than {releases.SHRINK_SHARE:.0%} of what the current release holds "
            "(is it a subset?). Check with --dry-run; load it anyway with --allow-shrink"
        )


class _DryRunDone(Exception):
    """Rolls back a dry run's transaction."""


@dataclasses.dataclass
class LoadReport:
    run_id: int | None
    source_kind: str
    path: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0  # dropped: not stored
    rows_unlinked: int = 0  # stored under a feature with no gene
    rows_collapsed: int = 0  # duplicates folded into another row
    rows_removed: int = 0
    rejected_by_reason: Counter[str] = dataclasses.field(default_factory=Counter)
    reasons_by_disposition: dict[str, Counter[str]] = dataclasses.field(default_factory=dict)
    loaded_by_table: dict[str, int] = dataclasses.field(default_factory=dict)
    changes: dict[str, TableChange] = dataclasses.field(default_factory=dict)
    release_id: int | None = None
    replaced: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    slot: str | None = None
    message: str | None = None
    seconds: float = 0.0
    notes: list[str] = dataclasses.field(default_factory=list)
    dry_run: bool = False
    refused: ShrinkRefused | None = None


class LoadContext:
    """What a loader gets: the open transaction, its release, counters, a reject sink, the archive."""

    def __init__(self, conn: sa.Connection, run_id: int, release_id: int, source_kind: str, path: Path, progress: ProgressFn | None, dry_run: bool = False):
        self.conn = conn
        self.run_id = run_id
        self.release_id = release_id
        self.source_kind = source_kind
        self.path = path
        self.dry_run = dry_run
        self.progress = progress or (lambda message: None)
        self.rows_read = 0
        self.loaded_by_table: dict[str, int] = {}
        self.changes: dict[str, TableChange] = {}
        self.rows_removed = 0
        self.by_disposition: dict[str, Counter[str]] = {}
        self._rejects: dict[str, list] = {"file_line": [], "identifier": [], "id_kind": [], "reason": [], "disposition": []}
        self.release_version: str | None = None
        self.release_date: datetime.date | None = None
        self.notes: list[str] = []  # what the user should know about this load (fallback encodings, created samples, ...)
        self.slot: str | None = None

    def step(self, done: int, total: int, what: str) -> None:
        """Progress as a bar: shown on a terminal, silent in scheduled jobs."""
        width = 30
        filled = width * done // total if total else width
        self.progress(f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {what}")

    def reject(self, line: int, identifier: str, id_kind: str, reason: str, disposition: str = "dropped") -> None:
        """Record an identifier that did not resolve, and what became of its row:
        'dropped' (not stored), 'unlinked' (stored under a feature with no gene) or 'collapsed'."""
        self._rejects["file_line"].append(line)
        self._rejects["identifier"].append(identifier)
        self._rejects["id_kind"].append(id_kind)
        self._rejects["reason"].append(reason)
        self._rejects["disposition"].append(disposition)
        self.by_disposition.setdefault(disposition, Counter())[reason] += 1

    def count(self, disposition: str) -> int:
        return sum(self.by_disposition.get(disposition, Counter()).values())

    def loaded(self, table: str, count: int) -> None:
        self.loaded_by_table[table] = self.loaded_by_table.get(table, 0) + count

    def changed(self, change: TableChange) -> None:
        if change.table in self.changes:
            self.changes[change.table].merge(change)
        else:
            self.changes[change.table] = change

    def set_slot(self, slot: str) -> None:
        """What this release fills (see etl.releases); without it the slot is the source kind."""
        self.slot = slot

    def archive(self, table: str, where: str, params: Mapping[str, Any] | None = None) -> int:
        """Keep the rows `where` selects, as they are now, for a rollback of this release.
        Call it before deleting or overwriting them. A dry run keeps nothing (it rolls back)."""
        from omicskb.etl.loaders import bound

        if self.dry_run:
            return 0
        return releases.archive_rows(self.conn, self.release_id, table, where, dict(params or {}), bound)

    def removed(self, count: int) -> None:
        self.rows_removed += count

    def set_release(self, version: str | None = None, date: datetime.date | None = None) -> None:
        """Record what the file says about its own release (OBO data-version, GAF date, ...)."""
        if version is not None:
            self.release_version = version
        if date is not None:
            self.release_date = date

    def flush_rejects(self) -> None:
        bulk_insert(self.conn, "unresolved_identifier", self._rejects, extra={"run_id": self.run_id, "source_kind": self.source_kind})


Loader = Callable[[LoadContext], None]


@dataclasses.dataclass(frozen=True)
class LoadOptions:
    """How to run a load: for real or as a dry run, whether a shrinking release is accepted, the
    `load cohort` batch it belongs to, and where progress goes."""

    dry_run: bool = False
    allow_shrink: bool = False
    batch_id: int | None = None
    progress: ProgressFn | None = None
    within: sa.Connection | None = None  # a dry run over several files shares one transaction

    def run_kwargs(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "allow_shrink": self.allow_shrink, "batch_id": self.batch_id, "progress": self.progress, "within": self.within}


def process_identity() -> dict[str, Any]:
    return {"process_id": os.getpid(), "host": socket.gethostname()}


def record_run(engine: sa.Engine, values: dict) -> int:
    """Log a run in its own transaction; a running one is held alive (etl.liveness) until finish_run."""
    values = {**values, **liveness.owner_values(engine)}
    with engine.begin() as conn:
        run_id = conn.execute(sa.insert(LoadRun).values(**values).returning(LoadRun.run_id)).scalar_one()
    if values["status"] == "running":
        liveness.acquire_run(engine, run_id)  # PostgreSQL: an advisory lock a later writer tests
    return run_id


def finish_run(engine: sa.Engine, run_id: int, values: dict) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(LoadRun).where(LoadRun.run_id == run_id).values(finished_at=utcnow(), **values))
    liveness.release_run(engine, run_id)


def run_logged_derive(engine: sa.Engine, command: str, work: Callable[[sa.Connection, int], R], summary: Callable[[R], tuple[str, int, int]]) -> R:
    """work(conn, run_id) as one logged, atomic derive: a load_run row (source_kind 'derive') that ends
    ok, with summary(result) = (message, rows written, rows removed), or failed with the error; nothing
    is written unless everything is."""
    run_id = record_run(engine, {"command": command, "source_kind": "derive", "file_path": "-", "status": "running", "started_at": utcnow(), "omicskb_version": __version__})
    try:
        with engine.begin() as conn:
            result = work(conn, run_id)
    except BaseException as exc:
        finish_run(engine, run_id, {"status": "failed", "message": (str(exc).splitlines() or [type(exc).__name__])[0][:500]})
        raise
    message, written, removed = summary(result)
    finish_run(engine, run_id, {"status": "ok", "rows_loaded": written, "rows_removed": removed, "message": message})
    return result


def start_batch(engine: sa.Engine, command: str, cohort: str | None, directory: Path, files: list[Path]) -> int:
    """Record a multi-file load (`load cohort`) and the files it plans, before it starts."""
    with engine.begin() as conn:
        batch_id = conn.execute(
            sa.insert(LoadBatch).values(
                command=command, cohort_code=cohort, directory=str(directory.resolve()), planned_files="\n".join(p.name for p in files),
                n_planned=len(files), status="running", started_at=utcnow(), **liveness.owner_values(engine),
            ).returning(LoadBatch.batch_id)
        ).scalar_one()
    liveness.acquire_batch(engine, batch_id)
    return batch_id


def finish_batch(engine: sa.Engine, batch_id: int, status: str, message: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(LoadBatch).where(LoadBatch.batch_id == batch_id).values(status=status, finished_at=utcnow(), message=message))
    liveness.release_batch(engine, batch_id)


def forget_stale_results(conn: sa.Connection, dry_run: bool = False) -> list[str]:
    """Delete derived results whose inputs this transaction changed; a note for the user if any."""
    from omicskb.etl import cis, phenotypes, trans_all, tumor_normal

    verb = "would remove" if dry_run else "removed"
    notes = []
    removed, omics = tumor_normal.drop_stale(conn)
    if removed:
        notes.append(f"{verb} {removed} tumor-vs-normal comparison(s) and the Meta P of {', '.join(sorted(omics))}, whose inputs changed; run 'omicskb derive'")
    removed, pairs = cis.drop_stale(conn)
    if removed:
        named = ", ".join(f"{x}~{y}" for x, y in sorted(pairs))
        notes.append(f"{verb} {removed} cis block(s) and the Meta P of {named}, whose inputs changed; run 'omicskb derive --analysis cis'")
    removed, omics = phenotypes.drop_stale(conn)
    if removed:
        notes.append(f"{verb} {removed} phenotype block(s) and the phenotype Meta P of {', '.join(sorted(omics))}, whose inputs changed; "
                     "run 'omicskb derive --analysis phenotypes'")
    removed, omics = trans_all.drop_stale(conn)
    if removed:
        notes.append(f"{verb} {removed} trans block(s) of {', '.join(sorted(omics))} and their Meta P (any changed cohort drops every block "
                     "of its omics type); run 'omicskb derive --analysis trans'")
    return notes


def change_in_one_transaction(engine: sa.Engine, work: Callable[[sa.Connection], R], dry_run: bool = False) -> tuple[R, list[str]]:
    """work(conn) and then forget_stale_results, in one transaction of their own: rolled back if
    either fails, or for a dry run; else committed. Returns work's result and the removals' notes."""
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            result = work(conn)
            notes = forget_stale_results(conn, dry_run=dry_run)
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return result, notes


def check_kind(path: Path, source_kind: str) -> None:
    """Refuse a file that is recognisably of another known kind (etl.sources.kinds)."""
    try:
        from omicskb.etl.sources import kinds
    except ImportError:  # pragma: no cover - the sniffing module arrives with the readers
        return
    kinds.check_kind(path, source_kind)


def run_load(
    engine: sa.Engine,
    source_kind: str,
    path: str | Path,
    loader: Loader,
    *,
    command: str,
    params: Mapping[str, Any] | None = None,
    release_version: str | None = None,
    release_date: datetime.date | None = None,
    progress: ProgressFn | None = None,
    dry_run: bool = False,
    allow_shrink: bool = False,
    batch_id: int | None = None,
    within: sa.Connection | None = None,
) -> LoadReport:
    """Run `loader` on `path` as one atomic, logged load. Raises what the loader raises, and
    ShrinkRefused when the release would remove too much of what its slot holds.

    `within`: for a dry run spanning several files (`load cohort --dry-run`), the open transaction
    to work in; the caller rolls it back."""
    assert within is None or dry_run, "only a dry run works inside a caller's transaction"
    path = Path(path)
    started = time.perf_counter()
    base = {
        "command": command + (" --dry-run" if dry_run else ""),
        "source_kind": source_kind,
        "file_path": str(path.resolve()) if path.exists() else str(path),
        "started_at": utcnow(),
        "omicskb_version": __version__,
        "batch_id": batch_id,
    }
    if not path.is_file():
        if not dry_run:
            record_run(engine, {**base, "status": "failed", "finished_at": utcnow(), "message": f"{path}: no such file"})
        raise InputError(path, None, "no such file")
    sha = sha256_file(path)
    size = path.stat().st_size
    base.update(file_sha256=sha, file_bytes=size)
    key, params_json = releases.load_key(
        source_kind, sha, {**(params or {}), "release_version": release_version, "release_date": release_date.isoformat() if release_date else None}
    )

    try:
        check_kind(path, source_kind)
    except OmicsKBError as exc:
        if not dry_run:
            record_run(engine, {**base, "status": "failed", "finished_at": utcnow(), "message": str(exc).splitlines()[0]})
        raise

    if within is not None:
        existing = releases.current_release_with_key(within, key)
    else:
        with engine.connect() as conn:
            existing = releases.current_release_with_key(conn, key)
    if existing is not None:
        message = f"release {existing} already holds this file with these parameters; nothing changed"
        run_id = None
        if not dry_run:
            run_id = record_run(engine, {**base, "status": "unchanged", "finished_at": utcnow(), "release_id": existing, "message": message, "rows_read": 0, "rows_loaded": 0, "rows_rejected": 0})
        return LoadReport(run_id, source_kind, str(path), "unchanged", release_id=existing, message=message, seconds=time.perf_counter() - started, dry_run=dry_run)

    run_id = 0 if dry_run else record_run(engine, {**base, "status": "running"})  # a dry run records one inside its transaction
    ctx: LoadContext | None = None
    report: LoadReport | None = None
    try:
        with (contextlib.nullcontext(within) if within is not None else engine.begin()) as conn:
            if dry_run:  # a run row inside the transaction, for the foreign keys; rolled back with the rest
                run_id = conn.execute(sa.insert(LoadRun).values(**process_identity(), **base, status="running").returning(LoadRun.run_id)).scalar_one()
            release_id = conn.execute(
                sa.insert(SourceRelease)
                .values(
                    source_kind=source_kind, file_name=path.name, file_sha256=sha, file_bytes=size, run_id=run_id, loaded_at=utcnow(),
                    version=release_version, release_date=release_date, load_key=key, load_params=params_json, state="current",
                )
                .returning(SourceRelease.release_id)
            ).scalar_one()
            ctx = LoadContext(conn, run_id, release_id, source_kind, path, progress, dry_run=dry_run)
            loader(ctx)
            ctx.flush_rejects()
            slot = ctx.slot or default_slot(source_kind, sha)
            replaced = supersede(conn, source_kind, slot, release_id)
            ctx.notes.extend(forget_stale_results(conn, dry_run=dry_run))
            version = release_version or ctx.release_version
            date = release_date or ctx.release_date
            conn.execute(
                sa.update(SourceRelease).where(SourceRelease.release_id == release_id).values(version=version, release_date=date, slot_key=slot)
            )
            for old in replaced:
                if date and old["release_date"] and date < old["release_date"]:
                    ctx.notes.append(f"this release ({date}) is older than release {old['release_id']} it replaces ({old['release_date']}); undo with 'omicskb rollback {release_id}'")
            too_much = [c for c in ctx.changes.values() if c.too_big_a_shrink()]
            refusal = ShrinkRefused(path, too_much) if too_much and not allow_shrink else None
            report = _report(ctx, run_id, "ok", release_id, slot, replaced, started, dry_run)
            if dry_run:
                report.refused = refusal
                if within is not None:
                    return report
                raise _DryRunDone
            if refusal is not None:
                raise refusal
    except _DryRunDone:
        assert report is not None
        report.seconds = time.perf_counter() - started
        return report
    except BaseException as exc:
        if dry_run:
            raise
        reason = str(exc) if isinstance(exc, OmicsKBError) else f"{type(exc).__name__}: {exc}"
        status = "refused" if isinstance(exc, ShrinkRefused) else "failed"
        _finish_safely(engine, run_id, {"status": status, "message": reason.splitlines()[0] if reason else type(exc).__name__})
        raise
    assert report is not None and ctx is not None
    finish_run(engine, run_id, {
        "status": "ok", "release_id": report.release_id, "rows_read": report.rows_read, "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected, "rows_removed": report.rows_removed, "rows_unlinked": report.rows_unlinked,
        "message": "; ".join(report.notes) or None,
    })
    if batch_id is None:  # a batch (`load cohort`) analyzes once, after its last file
        analyze_after_load(engine, written_tables(report))
    report.seconds = time.perf_counter() - started
    return report


def _finish_safely(engine: sa.Engine, run_id: int, values: dict) -> None:
    try:
        finish_run(engine, run_id, values)
    except Exception:  # the database itself failed; the next writer marks the run interrupted
        pass


def written_tables(report: LoadReport) -> list[str]:
    return list(report.loaded_by_table) + list(report.changes)


def analyze_after_load(engine: sa.Engine, tables: list[str]) -> None:
    """Let PostgreSQL's planner see what a load wrote (a no-op on DuckDB)."""
    from omicskb.etl.db import analyze_tables
    from omicskb.schema.models import Base

    analyze_tables(engine, sorted({t for t in tables if t in Base.metadata.tables}))


def default_slot(source_kind: str, sha: str) -> str:
    if source_kind in releases.ADDITIVE_KINDS:
        return releases.slot_for(source_kind, sha)
    return releases.slot_for(source_kind)


def supersede(conn: sa.Connection, source_kind: str, slot: str, release_id: int) -> list[dict[str, Any]]:
    """Mark the release(s) the slot held as superseded by `release_id`, and remember which."""
    replaced = releases.releases_to_supersede(conn, source_kind, slot, release_id)
    for old in replaced:
        conn.execute(sa.text("UPDATE source_release SET state = 'superseded' WHERE release_id = :r"), {"r": old.release_id})
        conn.execute(
            sa.text("INSERT INTO release_replacement (release_id, replaced_release_id) VALUES (:new, :old)"), {"new": release_id, "old": old.release_id}
        )
    return [dict(r._mapping) for r in replaced]


def _report(ctx: LoadContext, run_id: int, status: str, release_id: int, slot: str, replaced: list[dict[str, Any]], started: float, dry_run: bool) -> LoadReport:
    rows_loaded = sum(n for table, n in ctx.loaded_by_table.items() if table != "values")  # values sit inside measurement rows
    rows_removed = ctx.rows_removed + sum(c.removed for c in ctx.changes.values())
    dropped = ctx.by_disposition.get("dropped", Counter())
    return LoadReport(
        None if dry_run else run_id,
        ctx.source_kind,
        str(ctx.path),
        status,
        rows_read=ctx.rows_read,
        rows_loaded=rows_loaded,
        rows_rejected=sum(dropped.values()),
        rows_unlinked=ctx.count("unlinked"),
        rows_collapsed=ctx.count("collapsed"),
        rows_removed=rows_removed,
        rejected_by_reason=Counter(dropped),
        reasons_by_disposition={k: Counter(v) for k, v in ctx.by_disposition.items()},
        loaded_by_table=dict(ctx.loaded_by_table),
        changes=dict(ctx.changes),
        release_id=None if dry_run else release_id,
        replaced=replaced,
        slot=slot,
        seconds=time.perf_counter() - started,
        notes=list(ctx.notes),
        dry_run=dry_run,
    )
