"""`omicskb export DIR`: datasets, samples, clinical values, features and genes as Hive-partitioned
Parquet with a manifest. Reads only; the layout and the rules are in `omicskb.etl.export`."""

from __future__ import annotations

from pathlib import Path

import click

from omicskb.etl import export as lib
from omicskb.etl.db import require_schema


def _size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{n:,} bytes" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{n:,} bytes"


def describe(result: lib.ExportResult) -> list[str]:
    """The summary the command prints: per dataset its shape and values, then the totals."""
    n_files = len(result.files) + 1  # the manifest
    lines = [f"exported {len(result.datasets)} dataset(s) of {len(result.cohorts)} cohort(s) ({', '.join(result.cohorts)}) to {result.directory}"]
    for d in result.datasets:
        lines.append(
            f"  {d.dataset.label}: {d.n_features:,} features x {d.n_samples:,} samples = {d.n_values:,} values "
            f"({d.n_present:,} present, {d.n_values - d.n_present:,} missing)"
        )
    lines.append(
        f"  values: {result.n_values:,} rows, {result.n_present:,} present and {result.n_values - result.n_present:,} missing (kept as NULL)"
    )
    lines.append(
        f"  samples {result.rows('samples'):,}, clinical values {result.rows('clinical'):,}, clinical attributes {result.rows('clinical_attributes'):,}, "
        f"features {result.rows('features'):,}, genes {result.rows('genes'):,}"
    )
    lines.append(f"  {n_files} files ({len(result.files)} Parquet and {lib.MANIFEST}), {_size(result.bytes)}, in {result.seconds:.1f} s")
    lines += [f"  note: {note}" for note in result.notes]
    return lines


@click.command(name="export")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--cohort", "-c", "cohorts", multiple=True, metavar="CODE", help="Only this cohort (code or alias, any case); repeat for more. Default: all.")
@click.option("--omics", "-o", "omics", multiple=True, metavar="TYPE", help="Only this omics type (protein, rna, ...); repeat for more. Default: all.")
@click.option("--overwrite", is_flag=True, help="Replace DIR if it holds an earlier export (only once the new one is complete).")
@click.pass_obj
def export(settings, directory: Path, cohorts: tuple[str, ...], omics: tuple[str, ...], overwrite: bool) -> None:
    """Write datasets as Hive-partitioned Parquet to DIR: one long file per dataset under
    values/cohort=C/omics=O/dataset=NAME/, the sample, clinical, feature and gene tables, and
    manifest.json with the releases they came from. DIR must not exist or be empty; nothing is
    left behind on failure. Reads the database only."""
    lib.check_destination(Path(directory).expanduser().absolute(), overwrite)  # before opening the database
    require_schema(settings.engine)
    result = lib.export_database(
        settings.engine, directory, cohorts=cohorts, omics=omics, overwrite=overwrite,
        database=settings.display_target, on_progress=settings.progress,
    )
    settings.end_progress()
    for line in describe(result):
        click.echo(line)


def register(group: click.Group) -> None:
    group.add_command(export)


from omicskb.etl.cli import cli as _cli  # noqa: E402  (defined before the package imports its command modules)

register(_cli)
