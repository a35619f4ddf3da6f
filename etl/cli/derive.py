"""`omicskb derive`: compute the statistics the knowledge base serves, from what is loaded."""

from __future__ import annotations

import click

from omicskb.etl.cli.access import writes_database
from omicskb.etl.db import require_schema
from omicskb.etl.tumor_normal import BACKGROUND_PHASES, MAIN_PHASES, DeriveReport, run_derive

PAIR_METAVAR = "COHORT/OMICS/TUMOR=NORMAL"
UNCHANGED_SHOWN = 8  # unchanged blocks named on their line; `query tumor_normal_pairs` lists them all


def parse_pair(value: str) -> tuple[str, str, str, str]:
    """'UCEC/protein/proteomics_tumor=proteomics_normal' -> ('UCEC', 'protein', 'proteomics_tumor',
    'proteomics_normal'). ValueError saying what is wrong otherwise."""
    head, equals, normal = value.partition("=")
    parts = head.split("/", 2)
    if not equals or "=" in normal or len(parts) != 3:
        raise ValueError(f"{value!r} is not {PAIR_METAVAR} (e.g. UCEC/protein/proteomics_tumor=proteomics_normal)")
    cohort, omics, tumor = (p.strip() for p in parts)
    normal = normal.strip()
    missing = [name for name, part in (("COHORT", cohort), ("OMICS", omics), ("TUMOR", tumor), ("NORMAL", normal)) if not part]
    if missing:
        raise ValueError(f"{value!r} has no {' or '.join(missing)} (expected {PAIR_METAVAR})")
    return cohort, omics, tumor, normal


def _pairs_option(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    pairs, seen = [], {}
    for value in values:
        try:
            pair = parse_pair(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
        for name in pair[2:]:
            key = (pair[0].upper(), pair[1], name)
            if key in seen:
                raise click.BadParameter(f"{'/'.join(key)} is named by {seen[key]!r} and {value!r}: one pair per dataset", ctx=ctx, param=param)
            seen[key] = value
        pairs.append(pair)
    return pairs


def describe(report: DeriveReport) -> list[str]:
    lines = list(report.pairs_declared)
    lines.append(f"tumor vs normal: {len(report.computed)} comparisons computed, {report.unchanged} unchanged, {report.stale_removed} stale removed (run {report.run_id})")
    lines += [f"  {line}" for line in report.computed]
    if report.unchanged_blocks:
        shown = report.unchanged_blocks[:UNCHANGED_SHOWN]
        more = len(report.unchanged_blocks) - len(shown)
        lines.append("  unchanged: " + "; ".join(shown) + (f"; and {more} more ('omicskb query tumor_normal_pairs' lists every block)" if more else ""))
    for omics, rows in sorted(report.meta.items()):
        lines.append(f"  Meta P {omics}: {rows:,} features")
    if report.computed:
        timing = ", ".join(f"{k} {report.seconds[k]:.1f} s" for k in MAIN_PHASES)
        background = ", ".join(f"{k} {report.seconds[k]:.1f} s" for k in BACKGROUND_PHASES)
        lines.append(f"  {report.tests:,} tests; time: {timing}; overlapping those, in background threads: {background}")
    if not report.computed and not report.stale_removed and not report.meta:
        lines.append("  nothing changed since the last derive")
    return lines


@writes_database
@click.command()
@click.option("--analysis", type=click.Choice(["tumor-normal"]), default="tumor-normal", show_default=True,
              help="What to compute (later issues add associations).")
@click.option("--pair", "pairs", metavar=PAIR_METAVAR, multiple=True, callback=_pairs_option,
              help="Read dataset TUMOR and dataset NORMAL of COHORT (code or alias) and OMICS as one block before "
                   "computing, as 'omicskb datasets pair' does (declared by user); a pair either dataset is in is "
                   "undone first, so this overrides an automatic or earlier pair. Kept only if the derive succeeds. "
                   "Repeatable; a name may contain '/' but not '='.")
@click.pass_obj
def derive(settings, analysis: str, pairs: list[tuple[str, str, str, str]]) -> None:
    """Compute tumor-vs-normal statistics for every block with tumors and normals: a Wilcoxon
    rank-sum test per feature (R's wilcox.test conventions), BH q, box statistics, and Meta P
    across cohorts. Recomputes only what changed since the last run, in one transaction.

    Prints the datasets of each block it computed ('tumor + normal' for a pair) and names the
    unchanged ones; 'omicskb query tumor_normal_pairs' lists every block and who paired it.

    \b
    Example: pair two datasets whose names do not pair them, then compute:
      omicskb derive --pair LUAD/protein/prot_tumor_2020=prot_adjacent_2020
    """
    engine = settings.writer
    require_schema(engine)
    command = f"derive --analysis {analysis}" + "".join(f" --pair {c}/{o}/{t}={n}" for c, o, t, n in pairs)
    try:
        report = run_derive(engine, command, progress=settings.progress, pairs=pairs)
    finally:
        settings.end_progress()
    for line in describe(report):
        click.echo(line)


def register(group: click.Group) -> None:
    group.add_command(derive)
