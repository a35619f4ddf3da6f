"""`omicskb derive`: compute the statistics the knowledge base serves, from what is loaded."""

from __future__ import annotations

import click

from omicskb.etl.cli.access import writes_database
from omicskb.etl.db import require_schema
from omicskb.etl.tumor_normal import DeriveReport, run_derive


def describe(report: DeriveReport) -> list[str]:
    lines = [f"tumor vs normal: {len(report.computed)} comparisons computed, {report.unchanged} unchanged, {report.stale_removed} stale removed (run {report.run_id})"]
    lines += [f"  {line}" for line in report.computed]
    for omics, rows in sorted(report.meta.items()):
        lines.append(f"  Meta P {omics}: {rows:,} features")
    if report.computed:
        timing = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
        lines.append(f"  {report.tests:,} tests; time: {timing}")
    if not report.computed and not report.stale_removed and not report.meta:
        lines.append("  nothing changed since the last derive")
    return lines


@writes_database
@click.command()
@click.option("--analysis", type=click.Choice(["tumor-normal"]), default="tumor-normal", show_default=True,
              help="What to compute (later issues add associations).")
@click.pass_obj
def derive(settings, analysis: str) -> None:
    """Compute tumor-vs-normal statistics for every block with tumors and normals: a Wilcoxon
    rank-sum test per feature (R's wilcox.test conventions), BH q, box statistics, and Meta P
    across cohorts. Recomputes only what changed since the last run, in one transaction."""
    engine = settings.writer
    require_schema(engine)
    try:
        report = run_derive(engine, f"derive --analysis {analysis}", progress=settings.progress)
    finally:
        settings.end_progress()
    for line in describe(report):
        click.echo(line)


def register(group: click.Group) -> None:
    group.add_command(derive)
