"""`omicskb load KIND FILE`: one command per source kind, plus `load seeds DIR`."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from omicskb.etl.db import require_schema
from omicskb.etl.errors import InputError
from omicskb.etl.loaders import genes, go, orthologs, transcripts
from omicskb.etl.sources import (
    categories, cohorts, gaf, gene2ensembl, gene2go, gene_info, go_obo, gtf, hgnc, isoforms, species_genes, summaries,
)
from omicskb.etl.cli import EXIT_DATA
from omicskb.etl.releases import SHRINK_SHARE
from omicskb.etl.runs import LoadOptions, LoadReport, run_load
from omicskb.etl.textio import iter_lines, split_fields

# command name -> (source kind, loader, what it reads); `orthologs` picks its kind from the header
LOADERS = {
    "gene-info": (gene_info.SOURCE_KIND, genes.load_gene_info, "NCBI gene_info (.gz ok)"),
    "gene2go": (gene2go.SOURCE_KIND, go.load_gene2go, "NCBI gene2go"),
    "go-obo": (go_obo.SOURCE_KIND, go.load_go_obo, "Gene Ontology OBO 1.2"),
    "gaf": (gaf.SOURCE_KIND, go.load_gaf, "GO annotation file, GAF 2.x"),
    "hgnc": (hgnc.SOURCE_KIND, genes.load_hgnc, "HGNC custom-download TSV (symbols, xrefs, MGI/RGD orthologs)"),
    "species-genes": (species_genes.SOURCE_KIND, genes.load_species_genes, "MGI or RGD gene table (ID, symbol, synonyms, ensembl)"),
    "orthologs": (None, None, "NCBI gene_orthologs or HCOP (TSV or CSV), detected from the header"),
    "summaries": (summaries.SOURCE_KIND, genes.load_summaries, "gene summary TSV (GeneID, Summary); every version is kept"),
    "gtf": (gtf.SOURCE_KIND, transcripts.load_gtf, "GENCODE/Ensembl GTF (transcripts and proteins)"),
    "gene2ensembl": (gene2ensembl.SOURCE_KIND, transcripts.load_gene2ensembl, "NCBI gene2ensembl"),
    "isoforms": (isoforms.SOURCE_KIND, transcripts.load_isoforms, "CPTAC/LinkedOmicsKB isoform-selection table"),
    "categories": (categories.SOURCE_KIND, genes.load_categories, "gene category TSV (GeneID, Symbol, Category)"),
    "cohorts": (cohorts.SOURCE_KIND, genes.load_cohorts, "cohort reference TSV (cohort, name, aliases)"),
}


def pick_loader(command: str, path: Path):
    kind, loader, _ = LOADERS[command]
    if command == "orthologs":
        kind = orthologs.detect_source_kind(path)
        loader = orthologs.load_hcop if kind == "hcop" else orthologs.load_gene_orthologs
    return kind, loader


def describe(report: LoadReport) -> list[str]:
    """What a load did, in honest counts: per table, rows after (and before, added, removed);
    unresolved ids by what became of their rows; what it replaced; notes."""
    name = Path(report.path).name
    prefix = "dry run: " if report.dry_run else ""
    if report.status == "unchanged":
        where = f" (run {report.run_id})" if report.run_id else ""
        return [f"{prefix}{name}: unchanged, {report.message}{where}"]
    where = "nothing written" if report.dry_run else f"run {report.run_id}, release {report.release_id}"
    lines = [f"{prefix}{name}: {report.rows_read:,} records read ({where}, {report.seconds:.1f} s)"]
    shown = set()
    for change in report.changes.values():
        lines.append("  " + ("would write " if report.dry_run else "") + change.describe())
        shown.add(change.table)
    others = {t: n for t, n in report.loaded_by_table.items() if t not in shown and t != "values" and n}
    if others:
        lines.append("  " + ("would also write " if report.dry_run else "also wrote ") + ", ".join(f"{t} {n:,}" for t, n in others.items()))
    if "values" in report.loaded_by_table:
        lines.append(f"  values: {report.loaded_by_table['values']:,}")
    labels = {"unlinked": "stored unlinked (no gene)", "collapsed": "collapsed into another row", "dropped": "dropped (not stored)"}
    for disposition in ("unlinked", "collapsed", "dropped"):
        reasons = report.reasons_by_disposition.get(disposition)
        if reasons:
            lines.append(f"  {labels[disposition]}: {sum(reasons.values()):,}")
            for reason, count in reasons.most_common():
                lines.append(f"    {count:,}: {reason}")
    for old in report.replaced:
        verb = "would replace" if report.dry_run else "replaced"
        lines.append(f"  {verb} release {old['release_id']} ({old['file_name']}, loaded {old['loaded_at']:%Y-%m-%d %H:%M})"
                     + ("" if report.dry_run else f"; undo with: omicskb rollback {report.release_id}"))
    lines += [f"  note: {note}" for note in report.notes]
    if report.refused is not None:
        lines.append(f"  {report.refused}")
    return lines


def load_options(settings, dry_run: bool, allow_shrink: bool) -> LoadOptions:
    return LoadOptions(dry_run=dry_run, allow_shrink=allow_shrink, progress=settings.progress)


def finish(report: LoadReport) -> None:
    """Print what a load did; a dry run that the real load would refuse exits 1."""
    for line in describe(report):
        click.echo(line)
    if report.refused is not None:
        raise SystemExit(EXIT_DATA)


def do_load(settings, command: str, path: Path, version: str | None = None, date: datetime.date | None = None, options: LoadOptions = LoadOptions()) -> LoadReport:
    require_schema(settings.engine)
    kind, loader = pick_loader(command, path)
    try:
        report = run_load(settings.engine, kind, path, loader, command=f"load {command}", release_version=version, release_date=date, **options.run_kwargs())
    finally:
        settings.end_progress()
    finish(report)
    return report


def write_options(command):
    """--dry-run and --allow-shrink, shared by every load command."""
    command = click.option("--allow-shrink", is_flag=True, help=f"Accept a release that removes more than {SHRINK_SHARE:.0%} of what the current one holds.")(command)
    return click.option("--dry-run", is_flag=True, help="Report what the load would change, and write nothing.")(command)


@click.group()
def load() -> None:
    """Load one source file (one transaction; reloading the same file changes nothing)."""


def _make_command(command: str, help_text: str) -> click.Command:
    @click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
    @click.option("--release-version", help="Version of this source release, when the file does not state it.")
    @click.option("--release-date", type=click.DateTime(["%Y-%m-%d"]), help="Date of this source release (YYYY-MM-DD).")
    @write_options
    @click.pass_obj
    def run(settings, file: Path, release_version: str | None, release_date: datetime.datetime | None, dry_run: bool, allow_shrink: bool) -> None:
        do_load(settings, command, file, release_version, release_date.date() if release_date else None, load_options(settings, dry_run, allow_shrink))

    run.__doc__ = f"Load {help_text}."
    return click.command(name=command)(run)


for _name, (_, _, _help) in LOADERS.items():
    load.add_command(_make_command(_name, _help))

SEED_MANIFEST = "manifest.tsv"


@load.command(name="seeds")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@write_options
@click.pass_obj
def seeds(settings, directory: Path, dry_run: bool, allow_shrink: bool) -> None:
    """Load every file listed in DIRECTORY/manifest.tsv (columns: command, file), in order.

    A `cohort` line names a directory, a cohort and a layout: cohort<TAB>DIR<TAB>COHORT<TAB>LAYOUT.
    """
    from omicskb.etl.cohorts import LAYOUTS, load_cohort_directory

    manifest = directory / SEED_MANIFEST
    entries = []
    lines = iter_lines(manifest)
    next(lines)
    for lineno, line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if fields[0] == "cohort":
            _, folder, cohort, layout = split_fields(manifest, lineno, line, 4)
            if layout not in LAYOUTS:
                raise InputError(manifest, lineno, f"unknown layout {layout!r}", column=4)
            entries.append(("cohort", directory / folder, (cohort, layout)))
            continue
        command, file = split_fields(manifest, lineno, line, 2)
        if command not in LOADERS:
            raise InputError(manifest, lineno, f"unknown load command {command!r}", column=1)
        entries.append((command, directory / file, None))
    options = load_options(settings, dry_run, allow_shrink)
    if dry_run and any(command != "cohort" for command, _, _ in entries) and any(command == "cohort" for command, _, _ in entries):
        click.echo("note: each file's dry run is rolled back before the next, so later files are checked against the database as it is now")
    for command, file, extra in entries:
        if command == "cohort":
            require_schema(settings.engine)
            cohort, layout = extra
            try:
                reports, skipped = load_cohort_directory(settings.engine, file, cohort, layout, options)
            finally:
                settings.end_progress()
            for report in reports:
                finish(report)
        else:
            do_load(settings, command, file, options=options)


from omicskb.etl.cli import load_cohort  # noqa: E402  (adds samples, matrix, maf, cohort to this group)

load_cohort.register(load)


def register(group: click.Group) -> None:
    group.add_command(load)
