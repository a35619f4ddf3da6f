"""`omicskb releases`, `omicskb rollback` and `omicskb remove dataset|cohort`: see and undo loads."""

from __future__ import annotations

import click
import pyarrow as pa
import sqlalchemy as sa

from omicskb.etl.cli.access import writes_database
from omicskb.etl.cli.listing import LIST_FORMAT, list_format, output_option, write_listing
from omicskb.etl.db import require_schema
from omicskb.etl.undo import UndoReport, remove_cohort, remove_dataset, rollback

DRY_RUN = click.option("--dry-run", is_flag=True, help="Report what would be removed and restored, and change nothing.")


def describe(report: UndoReport) -> list[str]:
    prefix = "dry run: " if report.dry_run else ""
    removed = ", ".join(f"{t} {n:,}" for t, n in report.removed.items()) or "nothing"
    restored = ", ".join(f"{t} {n:,}" for t, n in report.restored.items())
    where = "nothing changed" if report.dry_run else f"run {report.run_id}"
    verb = ("would remove", "would restore") if report.dry_run else ("removed", "restored")
    lines = [f"{prefix}{report.command.removesuffix(' --dry-run')}: {verb[0]} {removed}" + (f"; {verb[1]} {restored}" if restored else "") + f" ({where}, {report.seconds:.1f} s)"]
    lines += [f"  note: {n}" for n in report.notes + report.kept]
    return lines


def _show(report: UndoReport) -> None:
    for line in describe(report):
        click.echo(line)


@writes_database
@click.command(name="rollback")
@click.argument("release")
@DRY_RUN
@click.pass_obj
def rollback_command(settings, release: str, dry_run: bool) -> None:
    """Undo the current release of a slot: delete what it wrote and restore what it replaced.

    RELEASE is a release id, a slot (gene_info:9606, dataset:UCEC/protein/proteomics) or a source
    kind that fills one slot (go_obo). 'omicskb releases' lists them."""
    require_schema(settings.engine)
    _show(rollback(settings.engine, release, dry_run))


@writes_database
@click.group(name="remove")
def remove() -> None:
    """Remove a dataset or a cohort's data (each with --dry-run; logged in the run log)."""


@remove.command(name="dataset")
@click.argument("cohort")
@click.argument("omics")
@click.argument("name")
@DRY_RUN
@click.pass_obj
def remove_dataset_command(settings, cohort: str, omics: str, name: str, dry_run: bool) -> None:
    """Remove dataset NAME of COHORT's OMICS: its values, columns and MAF rows."""
    require_schema(settings.engine)
    _show(remove_dataset(settings.engine, cohort, omics, name, dry_run))


@remove.command(name="cohort")
@click.argument("cohort")
@DRY_RUN
@click.pass_obj
def remove_cohort_command(settings, cohort: str, dry_run: bool) -> None:
    """Remove every dataset, sample, patient and clinical value of COHORT (the cohort's code and name stay)."""
    require_schema(settings.engine)
    _show(remove_cohort(settings.engine, cohort, dry_run))


RELEASE_COLUMNS = pa.schema([
    ("release_id", pa.int64()), ("state", pa.string()), ("slot_key", pa.string()), ("file_name", pa.string()), ("version", pa.string()),
    ("release_date", pa.date32()), ("loaded_at", pa.timestamp("us")), ("replaced_release_ids", pa.string()), ("archived_rows", pa.int64()),
])


@click.command(name="releases")
@click.option("--all", "show_all", is_flag=True, help="Also superseded and removed releases.")
@LIST_FORMAT
@output_option("-o")
@click.pass_obj
def releases_command(settings, show_all: bool, fmt: str | None, output: str | None) -> None:
    """What each slot holds: its current release, file, date, and whether a rollback can restore the one before."""
    fmt = list_format(fmt, output)
    require_schema(settings.engine)
    with settings.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT r.release_id, r.slot_key, r.state, r.file_name, r.version, r.release_date, r.loaded_at, "
            "(SELECT string_agg(CAST(x.replaced_release_id AS VARCHAR), ',') FROM release_replacement AS x WHERE x.release_id = r.release_id) AS replaced, "
            "(SELECT coalesce(sum(a.n_rows), 0) FROM release_archive AS a WHERE a.release_id = r.release_id) AS archived "
            "FROM source_release AS r WHERE (:all OR r.state = 'current') ORDER BY r.slot_key, r.release_id"
        ), {"all": show_all}).all()
    if fmt != "text":
        listed = [{"release_id": r.release_id, "state": r.state, "slot_key": r.slot_key, "file_name": r.file_name, "version": r.version,
                   "release_date": r.release_date, "loaded_at": r.loaded_at, "replaced_release_ids": r.replaced, "archived_rows": int(r.archived or 0)}
                  for r in rows]
        write_listing(listed, RELEASE_COLUMNS, fmt, output)
        return
    if not rows:
        click.echo("no releases loaded")
        return
    click.echo(f"{'release':>7}  {'state':<10} {'slot':<44} {'file':<40} {'version / date':<24} {'loaded':<16}  undo")
    for r in rows:
        stated = " ".join(filter(None, [r.version, str(r.release_date) if r.release_date else None]))[:24]
        undo = f"rollback restores release {r.replaced} ({r.archived:,} rows kept)" if r.replaced else "rollback removes it"
        click.echo(f"{r.release_id:>7}  {r.state:<10} {(r.slot_key or '-')[:44]:<44} {r.file_name[:40]:<40} {stated:<24} {r.loaded_at:%Y-%m-%d %H:%M}  {undo if r.state == 'current' else ''}")


def register(group: click.Group) -> None:
    group.add_command(releases_command)
    group.add_command(rollback_command)
    group.add_command(remove)
