"""`omicskb init` and `omicskb runs`: schema set-up and the load-run log."""

from __future__ import annotations

import click
import pyarrow as pa
import sqlalchemy as sa

from omicskb.etl.cli.access import writes_database
from omicskb.etl.cli.listing import LIST_FORMAT, list_format, output_option, write_listing
from omicskb.etl.db import current_revision, head_revision, require_schema, upgrade

RUN_COLUMNS = pa.schema([
    ("run_id", pa.int64()), ("started_at", pa.timestamp("us")), ("status", pa.string()), ("source_kind", pa.string()), ("file_path", pa.string()),
    ("rows_loaded", pa.int64()), ("rows_rejected", pa.int64()), ("message", pa.string()),
])


@writes_database
@click.command()
@click.pass_obj
def init(settings) -> None:
    """Create the schema, or upgrade it to this version's revision."""
    engine = settings.writer
    before = current_revision(engine)
    upgrade(engine)
    head = head_revision()
    if before != head:
        settings.mark_interrupted()  # the run tables exist now
    if before == head:
        click.echo(f"{settings.display_target}: schema already at revision {head}")
    else:
        click.echo(f"{settings.display_target}: schema {'created' if before is None else 'upgraded from ' + before} at revision {head}")


def run_status(status: str, gone: bool) -> str:
    """A run's status as shown: a `running` run whose process is gone says so."""
    return "running (process gone)" if status == "running" and gone else status


@click.command()
@click.option("--limit", default=20, show_default=True, help="How many of the latest runs to show.")
@LIST_FORMAT
@output_option("-o")
@click.pass_obj
def runs(settings, limit: int, fmt: str | None, output: str | None) -> None:
    """Show the latest load runs: status, file, counts and message.

    A run still marked running whose process is gone shows as `running (process gone)`; the next
    write command marks it interrupted.
    """
    from omicskb.etl.liveness import RUNS, gone_running

    fmt = list_format(fmt, output)
    engine = settings.engine
    require_schema(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT run_id, status, source_kind, file_path, rows_loaded, rows_rejected, message, started_at "
                "FROM load_run ORDER BY run_id DESC LIMIT :limit"
            ),
            {"limit": limit},
        ).all()
    gone = gone_running(engine)[RUNS] if any(r.status == "running" for r in rows) else set()
    if fmt != "text":
        write_listing([{**r._asdict(), "status": run_status(r.status, r.run_id in gone)} for r in reversed(rows)], RUN_COLUMNS, fmt, output)
        return
    for r in reversed(rows):
        counts = f"{r.rows_loaded or 0} loaded, {r.rows_rejected or 0} rejected" if r.status == "ok" else ""
        status = run_status(r.status, r.run_id in gone)
        click.echo(f"{r.run_id:>5} {r.started_at:%Y-%m-%d %H:%M:%S} {status:<9} {r.source_kind or '-':<14} {r.file_path}  {counts}{'; ' if counts and r.message else ''}{r.message or ''}")


def register(group: click.Group) -> None:
    group.add_command(init)
    group.add_command(runs)
