"""`omicskb load samples|matrix|maf|cohort`: cohort measurements (added to the `load` group)."""

from __future__ import annotations

from pathlib import Path

import click

from omicskb.etl.cohorts import (
    LAYOUTS, MATRIX_FORMATS, OMICS_TYPES, SAMPLE_FORMATS, SAMPLE_SCOPES,
    load_cohort_directory, load_maf_file, load_matrix_file, load_samples_file,
)
from omicskb.etl.cli import EXIT_DATA
from omicskb.etl.cli.load import describe, finish, load_options, write_options
from omicskb.etl.db import require_schema
from omicskb.etl.runs import LoadReport

FILE = click.Path(path_type=Path, dir_okay=False)
COHORT = click.option("--cohort", "-c", required=True, help="Cohort code or alias (UCEC, ccRCC, HGSC, ...); a new code creates the cohort.")
COHORT_NAME = click.option("--cohort-name", help="Display name for a cohort this load creates.")


def _run(settings, call) -> LoadReport:
    require_schema(settings.engine)
    try:
        report = call()
    finally:
        settings.end_progress()
    finish(report)
    return report


@click.command(name="samples")
@click.argument("file", type=FILE)
@COHORT
@COHORT_NAME
@click.option("--format", "fmt", type=click.Choice(SAMPLE_FORMATS), default="auto", show_default=True, help="Sample-table layout.")
@write_options
@click.pass_obj
def samples(settings, file: Path, cohort: str, cohort_name: str | None, fmt: str, dry_run: bool, allow_shrink: bool) -> None:
    """Load samples, their types and flags, and clinical attributes from FILE."""
    _run(settings, lambda: load_samples_file(settings.engine, file, cohort, fmt, load_options(settings, dry_run, allow_shrink), cohort_name))


@click.command(name="matrix")
@click.argument("file", type=FILE)
@COHORT
@COHORT_NAME
@click.option("--omics", required=True, type=click.Choice(OMICS_TYPES))
@click.option("--sample-type", "sample_scope", type=click.Choice(SAMPLE_SCOPES), default="from-samples", show_default=True,
              help="tumor/normal: every column is a sample of that type (created if new); from-samples: each column must be in the sample table.")
@click.option("--format", "fmt", type=click.Choice(MATRIX_FORMATS), default="auto", show_default=True)
@click.option("--name", help="Dataset name [default: the file name without extensions]; a file loaded under an existing name replaces that dataset.")
@click.option("--unit", help="Unit or normalisation, e.g. 'log2 ratio to reference'.")
@write_options
@click.pass_obj
def matrix(settings, file: Path, cohort: str, cohort_name: str | None, omics: str, sample_scope: str, fmt: str, name: str | None, unit: str | None, dry_run: bool, allow_shrink: bool) -> None:
    """Load a feature x sample matrix from FILE as one dataset."""
    options = load_options(settings, dry_run, allow_shrink)
    _run(settings, lambda: load_matrix_file(settings.engine, file, cohort, omics, sample_scope, fmt, name, unit, options, cohort_name))


@click.command(name="maf")
@click.argument("file", type=FILE)
@COHORT
@click.option("--name", help="Dataset name [default: the file name without extensions].")
@write_options
@click.pass_obj
def maf(settings, file: Path, cohort: str, name: str | None, dry_run: bool, allow_shrink: bool) -> None:
    """Load somatic mutations from a MAF, and gene-level non-silent mutation status."""
    _run(settings, lambda: load_maf_file(settings.engine, file, cohort, name, load_options(settings, dry_run, allow_shrink)))


@click.command(name="cohort")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@COHORT
@COHORT_NAME
@click.option("--layout", required=True, type=click.Choice(LAYOUTS))
@write_options
@click.pass_obj
def cohort(settings, directory: Path, cohort: str, cohort_name: str | None, layout: str, dry_run: bool, allow_shrink: bool) -> None:
    """Load every file of a known layout in DIRECTORY (samples first), one atomic run per file."""
    require_schema(settings.engine)
    refused = []

    def show(report: LoadReport) -> None:
        settings.end_progress()
        for line in describe(report):
            click.echo(line)
        if report.refused is not None:
            refused.append(report)

    try:
        reports, skipped = load_cohort_directory(settings.engine, directory, cohort, layout, load_options(settings, dry_run, allow_shrink), on_report=show, cohort_name=cohort_name)
    finally:
        settings.end_progress()
    for path, reason in skipped:
        click.echo(f"{path.name}: skipped ({reason})")
    changed = sum(1 for r in reports if r.status == "ok")
    verb = "would load" if dry_run else "loaded"
    click.echo(f"{'dry run: ' if dry_run else ''}{len(reports)} files: {changed} {verb}, {len(reports) - changed} unchanged, {len(skipped)} skipped")
    if refused:
        raise SystemExit(EXIT_DATA)


def register(load_group: click.Group) -> None:
    for command in (samples, matrix, maf, cohort):
        load_group.add_command(command)
