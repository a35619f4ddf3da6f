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
from omicskb.etl.runs import LoadReport, run_load
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
    name = Path(report.path).name
    if report.status == "unchanged":
        return [f"{name}: unchanged, {report.message} (run {report.run_id})"]
    tables = ", ".join(f"{table} {count:,}" for table, count in report.loaded_by_table.items())
    lines = [f"{name}: {report.rows_read:,} records read; loaded {tables or 'nothing'}; rejected {report.rows_rejected:,} (run {report.run_id}, release {report.release_id}, {report.seconds:.1f} s)"]
    for reason, count in report.rejected_by_reason.most_common():
        lines.append(f"  rejected {count:,}: {reason}")
    return lines


def do_load(settings, command: str, path: Path, version: str | None = None, date: datetime.date | None = None) -> LoadReport:
    require_schema(settings.engine)
    kind, loader = pick_loader(command, path)
    try:
        report = run_load(settings.engine, kind, path, loader, command=f"load {command}", release_version=version, release_date=date, progress=settings.progress)
    finally:
        settings.end_progress()
    for line in describe(report):
        click.echo(line)
    return report


@click.group()
def load() -> None:
    """Load one source file (one transaction; reloading the same file changes nothing)."""


def _make_command(command: str, help_text: str) -> click.Command:
    @click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
    @click.option("--release-version", help="Version of this source release, when the file does not state it.")
    @click.option("--release-date", type=click.DateTime(["%Y-%m-%d"]), help="Date of this source release (YYYY-MM-DD).")
    @click.pass_obj
    def run(settings, file: Path, release_version: str | None, release_date: datetime.datetime | None) -> None:
        do_load(settings, command, file, release_version, release_date.date() if release_date else None)

    run.__doc__ = f"Load {help_text}."
    return click.command(name=command)(run)


for _name, (_, _, _help) in LOADERS.items():
    load.add_command(_make_command(_name, _help))

SEED_MANIFEST = "manifest.tsv"


@load.command(name="seeds")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.pass_obj
def seeds(settings, directory: Path) -> None:
    """Load every file listed in DIRECTORY/manifest.tsv (columns: command, file), in order.

    A `cohort` line names a directory, a cohort and a layout: cohort<TAB>DIR<TAB>COHORT<TAB>LAYOUT.
    """
    from omicskb.etl.cli.load_cohort import describe as describe_cohort
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
    for command, file, options in entries:
        if command == "cohort":
            require_schema(settings.engine)
            cohort, layout = options
            reports, skipped = load_cohort_directory(settings.engine, file, cohort, layout, settings.progress)
            settings.end_progress()
            for report in reports:
                for line in describe_cohort(report):
                    click.echo(line)
        else:
            do_load(settings, command, file)


from omicskb.etl.cli import load_cohort  # noqa: E402  (adds samples, matrix, maf, cohort to this group)

load_cohort.register(load)


def register(group: click.Group) -> None:
    group.add_command(load)
