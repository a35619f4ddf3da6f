"""`omicskb init` and `omicskb runs`: schema set-up and the load-run log."""

from __future__ import annotations

import click
import sqlalchemy as sa

from omicskb.etl.db import current_revision, head_revision, require_schema, upgrade


@click.command()
@click.pass_obj
def init(settings) -> None:
    """Create the schema, or upgrade it to this version's revision."""
    before = current_revision(settings.engine)
    upgrade(settings.engine)
    head = head_revision()
    if before == head:
        click.echo(f"{settings.target}: schema already at revision {head}")
    else:
        click.echo(f"{settings.target}: schema {'created' if before is None else 'upgraded from ' + before} at revision {head}")


@click.command()
@click.option("--limit", default=20, show_default=True, help="How many of the latest runs to show.")
@click.pass_obj
def runs(settings, limit: int) -> None:
    """Show the latest load runs: status, file, counts and message."""
    require_schema(settings.engine)
    with settings.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT run_id, status, source_kind, file_path, rows_loaded, rows_rejected, message, started_at "
                "FROM load_run ORDER BY run_id DESC LIMIT :limit"
            ),
            {"limit": limit},
        ).all()
    for r in reversed(rows):
        counts = f"{r.rows_loaded or 0} loaded, {r.rows_rejected or 0} rejected" if r.status == "ok" else ""
        click.echo(f"{r.run_id:>5} {r.started_at:%Y-%m-%d %H:%M:%S} {r.status:<9} {r.source_kind:<14} {r.file_path}  {counts}{'; ' if counts and r.message else ''}{r.message or ''}")


def register(group: click.Group) -> None:
    group.add_command(init)
    group.add_command(runs)
