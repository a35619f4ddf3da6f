"""`omicskb datasets [COHORT]`: each (cohort, omics)'s datasets with the default and the tumor/normal
pairs; `datasets default|pair|unpair` change them (these three write to the database).

The rules are in `omicskb.etl.datasets`; this module only parses options and prints.
"""

from __future__ import annotations

import click
import pyarrow as pa

from omicskb.etl import datasets as lib
from omicskb.etl.cli.access import writes_database
from omicskb.etl.db import require_schema
from omicskb.etl.cli.listing import LIST_FORMAT, list_format, output_option, write_listing


class DatasetsGroup(click.Group):
    """`datasets` and `datasets COHORT` list; a known subcommand name runs that subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] != "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DatasetsGroup)
def datasets() -> None:
    """Datasets per cohort and omics: which is the default that summaries and statistics use, and
    which tumor and normal datasets pair into one block. `datasets [COHORT] [--omics O] [--format F]`
    lists them (see `datasets list --help`)."""


DATASET_COLUMNS = pa.schema([
    ("cohort", pa.string()), ("omics", pa.string()), ("name", pa.string()), ("dataset_id", pa.int64()), ("default", pa.bool_()),
    ("pair_role", pa.string()), ("paired_with", pa.string()), ("pair_declared_by", pa.string()), ("unit", pa.string()),
    ("sample_scope", pa.string()), ("features", pa.int64()), ("samples", pa.int64()),
])


def _as_dict(d: lib.Dataset) -> dict:
    return {
        "cohort": d.cohort_code, "omics": d.omics_type, "name": d.name, "dataset_id": d.dataset_id, "default": d.is_default,
        "pair_role": d.pair_role, "paired_with": d.paired_name, "pair_declared_by": d.declared_by, "unit": d.unit,
        "sample_scope": d.sample_scope, "features": d.n_features, "samples": d.n_samples,
    }


@datasets.command(name="list")
@click.argument("cohort", required=False, default="")
@click.option("--omics", "-o", default="", help="Only this omics type.")
@LIST_FORMAT
@output_option()
@click.pass_obj
def list_command(settings, cohort: str, omics: str, fmt: str | None, output: str | None) -> None:
    """List the datasets (of COHORT, a code or alias): '*' marks each cohort and omics' default, and
    a pair's normal dataset is shown under its tumor dataset."""
    fmt = list_format(fmt, output)
    require_schema(settings.engine)
    with settings.engine.connect() as conn:
        found = lib.list_datasets(conn, cohort or None, omics or None)
    if fmt != "text":
        write_listing([_as_dict(d) for d in found], DATASET_COLUMNS, fmt, output)
        return
    if not found:
        click.echo("no datasets" + (f" for {cohort}" if cohort else "") + (f" of omics {omics}" if omics else ""))
        return
    by_id = {d.dataset_id: d for d in found}
    click.echo(f"{'cohort':<7} {'omics':<11} {'':1} {'features':>9} x {'samples':<7} dataset")
    for d in found:
        if d.pair_role == "normal" and d.paired_with in by_id:
            continue  # shown under its tumor dataset
        click.echo(f"{d.cohort_code:<7} {d.omics_type:<11} {'*' if d.is_default else ' '} {d.n_features:>9,} x {d.n_samples:<7} {d.name}" + (f"  (unit: {d.unit})" if d.unit else ""))
        if d.pair_role == "tumor":
            partner = by_id.get(d.paired_with)
            shape = f"{partner.n_features:>9,} x {partner.n_samples:<7}" if partner else f"{'':>9}   {'':<7}"
            click.echo(f"{'':<7} {'':<11} {'+'} {shape} {d.paired_name}  (normal half of the pair, declared by {d.declared_by})")
        elif d.pair_role == "normal":
            click.echo(f"{'':<7} {'':<11}   {'':>9}   {'':<7} (normal half of a pair with {d.paired_name}, declared by {d.declared_by})")


DRY_RUN = click.option("--dry-run", is_flag=True, help="Say what would change, the derived results it would remove included, and write nothing.")


def _write(settings, action, dry_run: bool) -> None:
    require_schema(settings.engine)
    for note in lib.change_datasets(settings.engine, action, dry_run=dry_run):
        click.echo(note)


@writes_database
@datasets.command(name="default")
@click.argument("cohort")
@click.argument("omics")
@click.argument("name")
@DRY_RUN
@click.pass_obj
def default_command(settings, cohort: str, omics: str, name: str, dry_run: bool) -> None:
    """Make dataset NAME the default of COHORT and OMICS (writes). The derived results this makes
    stale (tumor-vs-normal comparisons and Meta P, cis, phenotype and trans blocks) are removed with it;
    'omicskb derive' computes them again."""
    _write(settings, lambda conn: lib.set_default(conn, cohort, omics, name), dry_run)


@writes_database
@datasets.command(name="pair")
@click.argument("cohort")
@click.argument("omics")
@click.argument("tumor_name")
@click.argument("normal_name")
@DRY_RUN
@click.pass_obj
def pair_command(settings, cohort: str, omics: str, tumor_name: str, normal_name: str, dry_run: bool) -> None:
    """Read TUMOR_NAME and NORMAL_NAME as one block (writes). They must share unit and feature kind
    and no sample; the normal one must hold only normal samples, the tumor one none. Derived
    results this makes stale are removed with it, as for 'datasets default'."""
    _write(settings, lambda conn: lib.declare_pair(conn, cohort, omics, tumor_name, normal_name, "user"), dry_run)


@writes_database
@datasets.command(name="unpair")
@click.argument("cohort")
@click.argument("omics")
@click.argument("name")
@DRY_RUN
@click.pass_obj
def unpair_command(settings, cohort: str, omics: str, name: str, dry_run: bool) -> None:
    """Split the pair dataset NAME is in back into two blocks (writes). Derived results this makes
    stale (the pair's comparison and its Meta P, ...) are removed with it, as for 'datasets default'."""
    _write(settings, lambda conn: lib.remove_pair(conn, cohort, omics, name), dry_run)


def register(group: click.Group) -> None:
    group.add_command(datasets)


from omicskb.etl.cli import cli as _cli  # noqa: E402  (defined before the package imports its command modules)

register(_cli)
