"""Load a MAF: one `mutation` row per variant call, plus a gene-level status matrix in the same dataset.

The dataset (omics 'mutation', named after the file) lists the samples the MAF covers, i.e. the
tumors with at least one call; a MAF alone cannot tell a sequenced tumor without calls from one
that was not sequenced. Its measurement rows hold, per gene with at least one non-silent call,
1 (mutated) or 0 per sample, which is what the statistics test against.

Tumor_Sample_Barcode is matched to a tumor sample by its label, else through its participant
(C3L-00006_T -> patient C3L-00006 -> that patient's usable tumor sample). A barcode with no sample
is bad input: the load stops with file:line:column.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from omicskb.etl.db import bulk_insert
from omicskb.etl.errors import InputError
from omicskb.etl.loaders import Columns
from omicskb.etl.loaders.matrices import FeatureSpec, settle_with_archive, dataset_name_for, feature_ids_for, insert_rows, replace_dataset, resolution_cache
from omicskb.etl.loaders.samples import resolve_cohort, sample_rows
from omicskb.etl.runs import LoadContext
from omicskb.etl.sources import maf


def _sample_matcher(conn: sa.Connection, cohort: str):
    rows = [r for r in sample_rows(conn, cohort) if r.sample_type == "tumor"]
    by_label = {r.sample_label: r.sample_id for r in rows}
    patients = dict(conn.execute(sa.text("SELECT patient_label, patient_id FROM patient WHERE cohort_code = :c"), {"c": cohort}).all())
    by_patient: dict[int, list[sa.Row]] = defaultdict(list)
    for r in rows:
        if r.patient_id is not None:
            by_patient[r.patient_id].append(r)

    def match(barcode: str) -> int | None:
        if barcode in by_label:
            return by_label[barcode]
        patient = patients.get(maf.tumor_barcode_to_participant(barcode))
        candidates = by_patient.get(patient, []) if patient is not None else []
        usable = [r for r in candidates if r.stat_role == "tumor"] or candidates
        return usable[0].sample_id if len(usable) == 1 else None

    return match


def _header_column(path: Path, name: str) -> int | None:
    from omicskb.etl.textio import iter_lines

    for _, line in iter_lines(path):
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        return fields.index(name) + 1 if name in fields else None
    return None


def load_maf(ctx: LoadContext, *, cohort: str, name: str | None = None) -> int:
    cohort = resolve_cohort(ctx.conn, cohort, ctx.path)
    match = _sample_matcher(ctx.conn, cohort)
    cache = resolution_cache(ctx.conn)
    index, symbols = cache.index, cache.symbols
    sample_of: dict[str, int] = {}
    rows = Columns(
        "sample_id", "gene_id", "hugo_symbol", "chromosome", "start_position", "end_position", "variant_class", "variant_type",
        "reference_allele", "tumor_allele", "hgvsc", "hgvsp_short", "transcript_id", "t_depth", "t_alt_count", "tumor_sample_barcode", "file_line",
    )
    gene_of: dict[tuple[str, str | None, str | None], str | None] = {}
    unresolved = 0
    mutated: dict[str, set[int]] = defaultdict(set)
    samples_in_order: dict[int, str] = {}
    for rec in maf.read(ctx.path):
        ctx.rows_read += 1
        sample_id = sample_of.get(rec.tumor_sample_barcode)
        if sample_id is None:
            sample_id = match(rec.tumor_sample_barcode)
            if sample_id is None:
                raise InputError(ctx.path, rec.line, f"Tumor_Sample_Barcode {rec.tumor_sample_barcode!r} matches no tumor sample of cohort {cohort} (load the samples first)", column=_header_column(ctx.path, "Tumor_Sample_Barcode"))
            sample_of[rec.tumor_sample_barcode] = sample_id
        samples_in_order.setdefault(sample_id, rec.tumor_sample_barcode)
        key = (rec.hugo_symbol, rec.ensembl_gene, rec.entrez_gene_id)
        if key not in gene_of:
            found = index.first(("symbol", rec.hugo_symbol), ("ensembl", rec.ensembl_gene), ("gene", rec.entrez_gene_id))
            gene_of[key] = found.gene_id
            if found.gene_id is None:
                unresolved += 1
                ctx.reject(rec.line, rec.hugo_symbol, "symbol", found.reason or "not resolved", "unlinked")  # the MAF row is kept, gene_id NULL
        gene_id = gene_of[key]
        rows.add(
            sample_id=sample_id, gene_id=gene_id, hugo_symbol=rec.hugo_symbol, chromosome=rec.chromosome, start_position=rec.start,
            end_position=rec.end, variant_class=rec.variant_classification, variant_type=rec.variant_type,
            reference_allele=rec.reference_allele, tumor_allele=rec.tumor_allele, hgvsc=rec.hgvsc, hgvsp_short=rec.hgvsp_short,
            transcript_id=rec.transcript_id, t_depth=rec.t_depth, t_alt_count=rec.t_alt_count,
            tumor_sample_barcode=rec.tumor_sample_barcode, file_line=rec.line,
        )
        if gene_id is not None and rec.variant_classification in maf.NONSILENT_CLASSES:
            mutated[gene_id].add(sample_id)
        if ctx.rows_read % 10000 == 0:
            ctx.progress(f"{ctx.rows_read:,} MAF rows read")
    if not len(rows):
        raise InputError(ctx.path, None, "MAF has a header but no variant rows")
    _add_variant_classes(ctx.conn, set(rows.data["variant_class"]))

    sample_ids = list(samples_in_order)
    genes = sorted(mutated, key=lambda g: symbols.get(g, g))
    column_of = {s: j for j, s in enumerate(sample_ids)}
    status = np.zeros((len(genes), len(sample_ids)), dtype=np.float64)
    for i, gene_id in enumerate(genes):
        status[i, [column_of[s] for s in mutated[gene_id]]] = 1.0
    specs = [FeatureSpec(f"gene:{g}", "gene", symbols.get(g, g), gene_id=g) for g in genes]
    feature_ids = feature_ids_for(ctx, specs) if genes else []
    mutation_keys = set(zip(rows.data["sample_id"], rows.data["chromosome"], rows.data["start_position"], rows.data["reference_allele"], rows.data["tumor_allele"]))
    dataset_id = replace_dataset(ctx, cohort, "mutation", name or dataset_name_for(ctx.path), feature_ids=feature_ids, sample_ids=sample_ids, keys_of_mutations=mutation_keys, attributes={
        "feature_kind": "gene", "source_format": "maf", "sample_scope": "tumor", "unit": "non-silent mutation status (1 = mutated)",
        "n_features": len(genes), "n_samples": len(sample_ids), "n_missing": 0, "n_unresolved": unresolved,
    })
    bulk_insert(ctx.conn, "dataset_sample", {
        "sample_ord": list(range(1, len(sample_ids) + 1)), "sample_id": sample_ids, "column_label": [samples_in_order[s] for s in sample_ids],
    }, extra={"dataset_id": dataset_id})
    ctx.loaded("mutation", bulk_insert(ctx.conn, "mutation", rows.data, extra={"dataset_id": dataset_id, "release_id": ctx.release_id}))
    if genes:
        first_line = {}
        for gene_id, line in zip(rows.data["gene_id"], rows.data["file_line"]):
            first_line.setdefault(gene_id, line)
        insert_rows(ctx, dataset_id, feature_ids, [symbols.get(g, g) for g in genes], [first_line[g] for g in genes], status)
    settle_with_archive(ctx, dataset_id)  # default dataset and tumor/normal pair (etl.datasets)
    return dataset_id


def _add_variant_classes(conn: sa.Connection, codes: set[str]) -> None:
    present = {r[0] for r in conn.execute(sa.text("SELECT code FROM variant_class"))}
    missing = sorted(codes - present)
    if missing:
        conn.execute(
            sa.text("INSERT INTO variant_class (code, is_nonsilent, description) VALUES (:code, :nonsilent, 'first seen in a MAF')"),
            [{"code": c, "nonsilent": c in maf.NONSILENT_CLASSES} for c in missing],
        )
