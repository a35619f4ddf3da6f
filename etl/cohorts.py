"""Cohort loading, as a library: one file per run (atomic, logged, idempotent), or a whole directory
in a known layout. The `omicskb load samples|matrix|maf|cohort` commands call these.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import sqlalchemy as sa

from omicskb.etl.datasets import LayoutDeclaration, layout_declaration
from omicskb.etl.errors import InputError, OmicsKBError
from omicskb.schema import vocabularies
from omicskb.etl.runs import LoadOptions, LoadReport, analyze_after_load, finish_batch, run_load, start_batch, written_tables
from omicskb.etl.textio import data_file_stem, iter_lines

SAMPLE_FORMATS = ("auto", "tsi", "cptac2019", "pancan-meta", "pancan-survival", "gct")
MATRIX_FORMATS = ("auto", "cct", "cbt", "tsv", "gct")
OMICS_TYPES = vocabularies.codes(vocabularies.OMICS_TYPES)
SAMPLE_SCOPES = ("tumor", "normal", "from-samples")
LAYOUTS = ("cptac2019", "pancan")
GCT_ANNOTATIONS_KIND = "gct_annotations"


def _first_lines(path: Path, n: int = 2) -> list[str]:
    lines = []
    for _, line in iter_lines(path, fallback_encoding="cp1252"):
        lines.append(line)
        if len(lines) == n:
            break
    return lines


# sample-sheet kind (etl.sources.kinds) -> --format of `load samples`
SAMPLE_FORMAT_OF_KIND = {
    "gct_annotations": "gct", "gct": "gct", "pancan_meta": "pancan-meta", "pancan_survival": "pancan-survival",
    "cptac2019_clinical": "cptac2019", "tsi": "tsi",
}


def detect_sample_format(path: Path) -> str:
    """The sample-table layout a file looks like (etl.sources.kinds), else .tsi, whose reader then
    refuses what is not a sample table."""
    from omicskb.etl.sources import kinds

    for kind in kinds.sniff(path):
        if kind in SAMPLE_FORMAT_OF_KIND:
            return SAMPLE_FORMAT_OF_KIND[kind]
    return "tsi"


def detect_matrix_format(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".gct") or _first_lines(path, 1)[0].startswith("#1.3"):
        return "gct"
    if name.endswith(".cbt"):
        return "cbt"
    if name.endswith(".cct"):
        return "cct"
    return "tsv"


def read_sample_sheet(path: Path, format: str):
    from omicskb.etl.sources import cptac2019_clinical, gct, pancan_meta, tsi

    format = detect_sample_format(path) if format == "auto" else format
    readers = {
        "cptac2019": (cptac2019_clinical.SOURCE_KIND, cptac2019_clinical.read),
        "tsi": (tsi.SOURCE_KIND, tsi.read),
        "pancan-meta": (pancan_meta.SOURCE_KIND, pancan_meta.read),
        "pancan-survival": (pancan_meta.SOURCE_KIND_SURVIVAL, pancan_meta.read_survival),
        "gct": (GCT_ANNOTATIONS_KIND, gct.read_annotations),
    }
    if format not in readers:
        raise OmicsKBError(f"unknown sample-table format {format!r} (one of {', '.join(SAMPLE_FORMATS)})")
    return readers[format]


def cohort_parameter(engine: sa.Engine, cohort: str, within: sa.Connection | None = None) -> str:
    """The code a cohort name stands for (an existing code or alias), or the code a new cohort of
    that name would get: the value that keys the load, so `ucec` and `UCEC` are one load."""
    from omicskb.etl.cohort_names import canonical_code, find_cohort

    if within is not None:
        return find_cohort(within, cohort) or canonical_code(cohort)
    with engine.connect() as conn:
        found = find_cohort(conn, cohort)
    return found or canonical_code(cohort)


def load_samples_file(
    engine: sa.Engine, path: Path, cohort: str, format: str = "auto", options: LoadOptions = LoadOptions(), cohort_name: str | None = None,
) -> LoadReport:
    from omicskb.etl.loaders.samples import cohort_for_load, load_sample_sheet

    code = cohort_parameter(engine, cohort, options.within)
    try:
        kind, _ = read_sample_sheet(path, format)
        resolved_format = detect_sample_format(path) if format == "auto" else format
    except InputError:
        kind, resolved_format = "tsi", format  # unreadable: the loader below raises again inside the run, so the failure is logged

    def loader(ctx):
        _, read = read_sample_sheet(path, format)
        load_sample_sheet(ctx, read(path), cohort_for_load(ctx, code, cohort_name))

    params = {"cohort": code, "format": resolved_format, "cohort_name": cohort_name}
    return run_load(engine, kind, path, loader, command=f"load samples --cohort {cohort}", params=params, **options.run_kwargs())


def load_matrix_file(
    engine: sa.Engine,
    path: Path,
    cohort: str,
    omics: str,
    sample_scope: str = "from-samples",
    format: str = "auto",
    name: str | None = None,
    unit: str | None = None,
    options: LoadOptions = LoadOptions(),
    cohort_name: str | None = None,
) -> LoadReport:
    from omicskb.etl.loaders.matrices import dataset_name_for, load_matrix
    from omicskb.etl.sources import gct, matrix

    if omics not in OMICS_TYPES:
        raise OmicsKBError(f"unknown omics type {omics!r} (one of {', '.join(OMICS_TYPES)})")
    if sample_scope not in SAMPLE_SCOPES:
        raise OmicsKBError(f"unknown sample type {sample_scope!r} (one of {', '.join(SAMPLE_SCOPES)})")
    code = cohort_parameter(engine, cohort, options.within)
    try:
        resolved_format = detect_matrix_format(path) if format == "auto" else format
    except InputError:
        resolved_format = "tsv"  # unreadable: matrix.read raises inside the run, so the failure is logged
    kind = gct.SOURCE_KIND if resolved_format == "gct" else matrix.SOURCE_KIND
    dataset_name = name or dataset_name_for(path)

    def loader(ctx):
        ctx.progress(f"reading {path.name}")
        data = gct.read_matrix(path) if resolved_format == "gct" else matrix.read(path, resolved_format)
        load_matrix(ctx, data, cohort=code, omics=omics, sample_scope=sample_scope, name=dataset_name, unit=unit, cohort_name=cohort_name)

    params = {"cohort": code, "omics": omics, "name": dataset_name, "sample_scope": sample_scope, "format": resolved_format, "unit": unit, "cohort_name": cohort_name}
    command = f"load matrix --cohort {cohort} --omics {omics} --sample-type {sample_scope}" + (f" --name {name}" if name else "")
    return run_load(engine, kind, path, loader, command=command, params=params, **options.run_kwargs())


def load_maf_file(engine: sa.Engine, path: Path, cohort: str, name: str | None = None, options: LoadOptions = LoadOptions()) -> LoadReport:
    from omicskb.etl.loaders.matrices import dataset_name_for
    from omicskb.etl.loaders.mutations import load_maf
    from omicskb.etl.sources import maf

    code = cohort_parameter(engine, cohort, options.within)
    dataset_name = name or dataset_name_for(path)
    params = {"cohort": code, "name": dataset_name}
    return run_load(
        engine, maf.SOURCE_KIND, path, lambda ctx: load_maf(ctx, cohort=code, name=dataset_name),
        command=f"load maf --cohort {cohort}", params=params, **options.run_kwargs(),
    )


# ---------------------------------------------------------------------------------------------
# Directory layouts


@dataclasses.dataclass(frozen=True)
class PlannedLoad:
    path: Path
    step: str  # samples, matrix or maf
    format: str = "auto"
    omics: str | None = None
    sample_scope: str = "from-samples"
    name: str | None = None
    unit: str | None = None
    declaration: LayoutDeclaration | None = None  # the layout's default and pair for this dataset (etl.datasets)


# cptac 2019 (the `cptac` package's files): file stem -> (omics, format)
CPTAC2019_MATRICES = {
    "proteomics": ("protein", "cct"),
    "transcriptomics_linear": ("rna", "cct"),
    "phosphoproteomics_site": ("phospho", "cct"),
    "acetylproteomics": ("acetyl", "cct"),
    "CNA": ("cnv", "cct"),
    "miRNA": ("mirna", "cct"),
    "somatic_binary": ("mutation", "cbt"),
}
# Mutation default: the MAF's gene-level non-silent status (gene features, 1/0 per tumor, the
# unit of the mutation-status analyses), not somatic_binary.cbt, which is variant-level (one row
# per protein change: 51,468 of its 51,559 real UCEC rows) and so answers "is this variant present",
# not "is this gene mutated". The MAF dataset lists the tumors with at least one call (a MAF cannot
# show a sequenced tumor without calls: 103 in the real UCEC release, as many as somatic_binary has);
# somatic_binary stays addressable by name.
CPTAC2019_DECLARATIONS = {
    "somatic_binary": LayoutDeclaration(default=False, layout="cptac2019"),
    "maf": LayoutDeclaration(default=True, layout="cptac2019"),
}
CPTAC2019_SKIPPED = {
    "transcriptomics_circular": "circular RNA has no omics type here",
    "phosphoproteomics_gene": "gene-level phospho summary; the site-level file is loaded",
    "definitions": "term definitions, not data",
}

# pan-cancer freeze v1.2: suffix -> (omics, sample scope)
PANCAN_MATRICES = {
    "RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor": ("rna", "tumor"),
    "RNAseq_gene_RSEM_coding_UQ_1500_log2_Normal": ("rna", "normal"),
    "proteomics_gene_abundance_log2_reference_intensity_normalized_Tumor": ("protein", "tumor"),
    "proteomics_gene_abundance_log2_reference_intensity_normalized_Normal": ("protein", "normal"),
    "phospho_site_abundance_log2_reference_intensity_normalized_Tumor": ("phospho", "tumor"),
    "phospho_site_abundance_log2_reference_intensity_normalized_Normal": ("phospho", "normal"),
    "phospho_site_abundance_log2_reference_intensity_normalized_isoform_adjusted_Tumor": ("phospho", "tumor"),
    "phospho_site_abundance_log2_reference_intensity_normalized_isoform_adjusted_Normal": ("phospho", "normal"),
    "WES_CNV_gene_ratio_log2": ("cnv", "tumor"),
    "WES_CNV_gene_gistic_level": ("cnv", "tumor"),
    "somatic_mutation_gene_level_binary": ("mutation", "tumor"),
    "methylation_gene_beta_value_Tumor": ("methylation", "tumor"),
}
# Defaults where a pan-cancer (cohort, omics) has more than one dataset: the normalized phosphosites
# over the isoform-adjusted ones, the CNV log2 ratio (continuous) over GISTIC levels (thresholded
# calls), the freeze's gene-level mutation status (all sequenced tumors) over a MAF in the folder.
# Normal files never claim it: each pairs with its Tumor file, and the pair is the block.
PANCAN_DEFAULTS = {
    "phospho_site_abundance_log2_reference_intensity_normalized_Tumor": True,
    "phospho_site_abundance_log2_reference_intensity_normalized_isoform_adjusted_Tumor": False,
    "WES_CNV_gene_ratio_log2": True,
    "WES_CNV_gene_gistic_level": False,
    "somatic_mutation_gene_level_binary": True,
}


def pancan_declaration(stem: str, suffix: str) -> LayoutDeclaration:
    """Default and pair of a pan-cancer file: `<C>_<x>_Tumor` pairs with `<C>_<x>_Normal`."""
    pair = None
    for side, other in (("_Tumor", "_Normal"), ("_Normal", "_Tumor")):
        if suffix.endswith(side) and suffix[: -len(side)] + other in PANCAN_MATRICES:
            pair = stem[: -len(side)] + other
    default = False if suffix.endswith("_Normal") else PANCAN_DEFAULTS.get(suffix)
    return LayoutDeclaration(default=default, pair=pair, layout="pancan")


def _not_preferred(item: PlannedLoad) -> bool:
    return not (item.declaration and item.declaration.default)


def plan_cptac2019(directory: Path) -> tuple[list[PlannedLoad], list[tuple[Path, str]]]:
    plan: list[PlannedLoad] = []
    skipped: list[tuple[Path, str]] = []
    matrices: list[PlannedLoad] = []
    mafs: list[PlannedLoad] = []
    for path in sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")):
        stem = data_file_stem(path)
        if stem == "clinical":
            plan.append(PlannedLoad(path, "samples", "cptac2019"))
        elif stem in CPTAC2019_MATRICES:
            omics, format = CPTAC2019_MATRICES[stem]
            matrices.append(PlannedLoad(path, "matrix", format, omics, "from-samples", stem, declaration=CPTAC2019_DECLARATIONS.get(stem)))
        elif path.name.endswith((".maf", ".maf.gz")):
            mafs.append(PlannedLoad(path, "maf", name=stem, declaration=CPTAC2019_DECLARATIONS["maf"]))
        else:
            skipped.append((path, CPTAC2019_SKIPPED.get(stem, "not a file of the cptac2019 layout")))
    if not plan:
        raise InputError(directory, None, "no clinical.txt: the cptac2019 layout needs the clinical table for sample types")
    return plan + sorted(matrices + mafs, key=_not_preferred), skipped


def plan_pancan(directory: Path, cohort_names: list[str]) -> tuple[list[PlannedLoad], list[tuple[Path, str]]]:
    prefixes = sorted({n.upper() for n in cohort_names}, key=len, reverse=True)
    samples: list[PlannedLoad] = []
    matrices: list[PlannedLoad] = []
    skipped: list[tuple[Path, str]] = []
    for path in sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")):
        stem = data_file_stem(path)
        prefix = next((p for p in prefixes if stem.upper().startswith(p + "_")), None)
        if prefix is None:
            skipped.append((path, "file name does not start with this cohort's code"))
            continue
        suffix = stem[len(prefix) + 1:]
        if suffix == "meta":
            samples.insert(0, PlannedLoad(path, "samples", "pancan-meta"))
        elif suffix == "survival":
            samples.append(PlannedLoad(path, "samples", "pancan-survival"))
        elif suffix in PANCAN_MATRICES:
            omics, scope = PANCAN_MATRICES[suffix]
            unit = re.sub(r"_(Tumor|Normal)$", "", suffix)
            matrices.append(PlannedLoad(path, "matrix", "tsv", omics, scope, stem, unit, pancan_declaration(stem, suffix)))
        elif path.name.endswith((".maf", ".maf.gz")):
            matrices.append(PlannedLoad(path, "maf", name=stem, declaration=LayoutDeclaration(default=False, layout="pancan")))
        else:
            skipped.append((path, "not a file of the pan-cancer layout"))
    # Tumor files before Normal ones, so tumor samples exist before anything refers to them; a
    # (cohort, omics)'s preferred default before the others, so the default never changes mid-load.
    matrices.sort(key=lambda p: (p.step == "maf", p.sample_scope != "tumor", _not_preferred(p)))
    return samples + matrices, skipped


def load_cohort_directory(
    engine: sa.Engine, directory: Path, cohort: str, layout: str, options: LoadOptions = LoadOptions(), on_report=None, cohort_name: str | None = None,
) -> tuple[list[LoadReport], list[tuple[Path, str]]]:
    """Load every file of a known layout, one atomic run each, as one batch whose planned files are
    recorded first (so a batch stopped part-way shows as incomplete); stops at the first failure
    (raises). A dry run loads every file in one transaction and rolls it back."""
    if not directory.is_dir():
        raise InputError(directory, None, "not a directory")
    code = cohort_parameter(engine, cohort)
    if layout == "cptac2019":
        plan, skipped = plan_cptac2019(directory)
    elif layout == "pancan":
        from omicskb.etl.cohort_names import cohort_names, find_cohort

        with engine.connect() as conn:
            names = cohort_names(conn, code) if find_cohort(conn, code) else [code]
        plan, skipped = plan_pancan(directory, [cohort, *names])
    else:
        raise OmicsKBError(f"unknown layout {layout!r} (one of {', '.join(LAYOUTS)})")
    if not plan:
        raise InputError(directory, None, f"no file of the {layout} layout found")
    if options.dry_run:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                reports = _load_plan(engine, plan, code, dataclasses.replace(options, within=conn), on_report, cohort_name)
            finally:
                transaction.rollback()
        return reports, skipped
    batch_id = start_batch(engine, f"load cohort {directory} --cohort {cohort} --layout {layout}", code, directory, [p.path for p in plan])
    written: set[str] = set()

    def loaded(report: LoadReport) -> None:
        written.update(written_tables(report))
        if on_report is not None:
            on_report(report)

    try:
        reports = _load_plan(engine, plan, code, dataclasses.replace(options, batch_id=batch_id), loaded, cohort_name)
    except BaseException as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        try:
            finish_batch(engine, batch_id, "failed", message)
            analyze_after_load(engine, sorted(written))  # what the files before the failure committed
        except Exception:  # the database itself failed; the next writer marks the batch interrupted
            pass
        raise
    # Once for the batch: after every file it took a sixth of a PostgreSQL pan-cancer load.
    analyze_after_load(engine, sorted(written))
    finish_batch(engine, batch_id, "ok", f"{sum(r.status == 'ok' for r in reports)} loaded, {sum(r.status == 'unchanged' for r in reports)} unchanged")
    return reports, skipped


def _load_plan(engine: sa.Engine, plan: list[PlannedLoad], cohort: str, options: LoadOptions, on_report, cohort_name: str | None) -> list[LoadReport]:
    reports = []
    for item in plan:
        if item.step == "samples":
            report = load_samples_file(engine, item.path, cohort, item.format, options, cohort_name)
        elif item.step == "matrix":
            with layout_declaration(item.declaration):
                report = load_matrix_file(engine, item.path, cohort, item.omics or "", item.sample_scope, item.format, item.name, item.unit, options, cohort_name)
        else:
            with layout_declaration(item.declaration):
                report = load_maf_file(engine, item.path, cohort, item.name, options)
        reports.append(report)
        if on_report is not None:
            on_report(report)
    return reports
