"""`omicskb derive`: compute the statistics the knowledge base serves, from what is loaded."""

from __future__ import annotations

import click

from omicskb.etl.cli.access import writes_database
from omicskb.etl.db import require_schema
from omicskb.etl.cis import PHASES as CIS_PHASES
from omicskb.etl.cis import CisReport, run_derive_cis
from omicskb.etl.phenotypes import PHASES as PHENO_PHASES
from omicskb.etl.phenotypes import PhenoReport, run_derive_phenotypes
from omicskb.etl.trans_all import DEFAULT_TOP, TransReport, run_derive_trans
from omicskb.etl.trans_all import PHASES as TRANS_PHASES
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


ANALYSES = ("tumor-normal", "cis", "phenotypes", "trans")


def describe_cis(report: CisReport) -> list[str]:
    lines = [f"cis: {len(report.computed)} blocks computed, {report.unchanged} unchanged, {report.stale_removed} stale removed (run {report.run_id})"]
    lines += [f"  {line}" for line in report.computed]
    for pair, rows in sorted(report.meta.items()):
        undefined = report.meta_undefined.get(pair, 0)
        lines.append(f"  Meta P {pair}: {rows:,} features" + (f" ({undefined:,} without one: perfect correlations of opposite signs)" if undefined else ""))
    if report.computed:
        lines.append(f"  {report.tests:,} tests; time: " + ", ".join(f"{k} {report.seconds[k]:.1f} s" for k in CIS_PHASES))
    if not report.computed and not report.stale_removed and not report.meta:
        lines.append("  nothing changed since the last derive")
    return lines


def describe_phenotypes(report: PhenoReport) -> list[str]:
    lines = [f"phenotypes: {len(report.computed)} blocks computed, {report.unchanged} unchanged, {report.stale_removed} stale removed (run {report.run_id})"]
    lines += [f"  {line}" for line in report.computed]
    for omics, rows in sorted(report.meta.items()):
        lines.append(f"  Meta P {omics}: {rows:,} feature-attribute pairs shared by name across cohorts")
    if report.computed:
        lines.append(f"  {report.tests:,} tests; time: " + ", ".join(f"{k} {report.seconds[k]:.1f} s" for k in PHENO_PHASES))
    if not report.computed and not report.stale_removed and not report.meta:
        lines.append("  nothing changed since the last derive")
    return lines


def describe_trans(report: TransReport) -> list[str]:
    lines = [f"trans: {len(report.computed)} blocks computed, {report.unchanged} unchanged, {report.stale_removed} removed (run {report.run_id})"]
    lines += [f"  {line}" for line in report.computed]
    for omics, rows in sorted(report.meta_rows.items()):
        lines.append(f"  Meta P {omics}: {rows:,} pairs stored (each feature's top partners by Meta P, and every stored pair)")
    if report.computed:
        lines.append(f"  {report.pairs_tested:,} pairs tested; time: " + ", ".join(f"{k} {report.seconds[k]:.1f} s" for k in TRANS_PHASES))
    if not report.computed and not report.stale_removed:
        lines.append("  nothing changed since the last derive")
    return lines


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
@click.option("--analysis", "analyses", type=click.Choice([*ANALYSES, "all"]), multiple=True, default=("all",), show_default=True,
              help="What to compute: tumor-normal, cis, phenotypes, trans, or all of them (repeatable).")
@click.option("--top", "top", type=click.IntRange(1, 1000), default=DEFAULT_TOP, show_default=True,
              help="trans: partners stored per feature, per cohort and by Meta P, 1 to 1000 (a change recomputes trans).")
@click.option("--pair", "pairs", metavar=PAIR_METAVAR, multiple=True, callback=_pairs_option,
              help="Read dataset TUMOR and dataset NORMAL of COHORT (code or alias) and OMICS as one block before "
                   "computing, as 'omicskb datasets pair' does (declared by user); a pair either dataset is in is "
                   "undone first, so this overrides an automatic or earlier pair. Kept only if the derive succeeds. "
                   "Repeatable; a name may contain '/' but not '='.")
@click.pass_obj
def derive(settings, analyses: tuple[str, ...], top: int, pairs: list[tuple[str, str, str, str]]) -> None:
    """Compute the statistics the knowledge base serves, from what is loaded. Each analysis recomputes
    only what changed since the last run, in one transaction of its own, logged as a run:

    \b
    tumor-normal  every block with tumors and normals: a Wilcoxon rank-sum test per feature (R's
                  wilcox.test conventions), BH q, box statistics, and Meta P across cohorts.
    cis           per cohort, on the tumors: Spearman of each gene's RNA, protein, CNV and
                  methylation against each other, and of each site against its gene's CNV, RNA
                  and protein (queries/cis_blocks.sql), with BH q and Meta P.
    phenotypes    per cohort, on the tumors: every RNA, protein, CNV and phosphosite feature
                  against every clinical attribute and the mutation status of the most mutated
                  genes, by the attribute's type (Spearman, Wilcoxon, Jonckheere-Terpstra,
                  Kruskal-Wallis, Cox score), with BH q and Meta P (queries/pheno_blocks.sql).
    trans         per cohort, on the tumors: every protein (and every RNA) against every other,
                  exact pairwise-complete Spearman; each feature's --top partners per cohort and by
                  Meta P are stored (queries/trans_blocks.sql, trans_top_partners.sql). Any change
                  to one cohort recomputes the omics type: its Meta P spans every cohort.

    Prints the datasets of each block it computed ('tumor + normal' for a pair) and names the
    unchanged ones; 'omicskb query tumor_normal_pairs' and 'omicskb query cis_blocks' list them all.

    \b
    Example: pair two datasets whose names do not pair them, then compute:
      omicskb derive --analysis tumor-normal --pair LUAD/protein/prot_tumor_2020=prot_adjacent_2020
    """
    chosen = ANALYSES if "all" in analyses else tuple(a for a in ANALYSES if a in analyses)
    if pairs and "tumor-normal" not in chosen:
        raise click.UsageError("--pair declares a tumor-vs-normal block: use it with --analysis tumor-normal (or all)")
    engine = settings.writer
    require_schema(engine)
    try:
        if "tumor-normal" in chosen:
            command = "derive --analysis tumor-normal" + "".join(f" --pair {c}/{o}/{t}={n}" for c, o, t, n in pairs)
            report = run_derive(engine, command, progress=settings.progress, pairs=pairs)
            settings.end_progress()
            for line in describe(report):
                click.echo(line)
        if "cis" in chosen:
            cis_report = run_derive_cis(engine, "derive --analysis cis", progress=settings.progress)
            settings.end_progress()
            for line in describe_cis(cis_report):
                click.echo(line)
        if "phenotypes" in chosen:
            pheno_report = run_derive_phenotypes(engine, "derive --analysis phenotypes", progress=settings.progress)
            settings.end_progress()
            for line in describe_phenotypes(pheno_report):
                click.echo(line)
        if "trans" in chosen:
            trans_report = run_derive_trans(engine, f"derive --analysis trans --top {top}", progress=settings.progress, top=top)
            settings.end_progress()
            for line in describe_trans(trans_report):
                click.echo(line)
    finally:
        settings.end_progress()


def register(group: click.Group) -> None:
    group.add_command(derive)
