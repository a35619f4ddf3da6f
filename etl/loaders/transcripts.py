"""Transcript and protein-product loaders: GTF, NCBI gene2ensembl, the isoform-selection table."""

from __future__ import annotations

from omicskb.etl.errors import InputError
from omicskb.etl.loaders import Columns, replace_rows
from omicskb.etl.resolve import GeneIndex
from omicskb.etl.runs import LoadContext
from omicskb.etl.sources import gene2ensembl, gtf, isoforms

TRANSCRIPT_COLUMNS = (
    "transcript_id", "source_kind", "transcript_version", "gene_id", "ensembl_gene_id", "ensembl_gene_version",
    "transcript_name", "biotype", "protein_id", "protein_version", "refseq_rna", "refseq_protein",
    "is_canonical", "is_mane_select", "tags", "chromosome", "start_position", "end_position", "strand",
)


def _check_unique(ctx: LoadContext, seen: dict[str, int], transcript_id: str, line: int) -> None:
    if transcript_id in seen:
        raise InputError(ctx.path, line, f"duplicate transcript {transcript_id} (first on line {seen[transcript_id]})")
    seen[transcript_id] = line


def _gene_of_transcript(ctx: LoadContext, index: GeneIndex, seen: dict[str, int], rec) -> str | None:
    """Check the transcript is new in this file and find its gene by Ensembl id, else by name."""
    _check_unique(ctx, seen, rec.transcript_id, rec.line)
    found = index.first(("ensembl", rec.gene_id), ("symbol", rec.gene_name))
    if found.gene_id is None:
        ctx.reject(rec.line, rec.gene_id, "Ensembl gene", found.reason or "not resolved")
    return found.gene_id


def load_gtf(ctx: LoadContext) -> None:
    index = GeneIndex(ctx.conn)
    rows = Columns(*TRANSCRIPT_COLUMNS)
    seen: dict[str, int] = {}
    for rec in gtf.read(ctx.path):
        ctx.rows_read += 1
        gene_id = _gene_of_transcript(ctx, index, seen, rec)
        if gene_id is None:
            continue
        rows.add(
            transcript_id=rec.transcript_id, source_kind=ctx.source_kind, transcript_version=rec.transcript_version, gene_id=gene_id,
            ensembl_gene_id=rec.gene_id, ensembl_gene_version=rec.gene_version, transcript_name=rec.transcript_name,
            biotype=rec.transcript_type, protein_id=rec.protein_id, protein_version=rec.protein_version, refseq_rna=None, refseq_protein=None,
            is_canonical="Ensembl_canonical" in rec.tags, is_mane_select="MANE_Select" in rec.tags, tags="|".join(rec.tags) or None,
            chromosome=rec.chrom, start_position=rec.start, end_position=rec.end, strand=rec.strand,
        )
        if ctx.rows_read % 50000 == 0:
            ctx.progress(f"{ctx.rows_read:,} transcripts read")
    replace_rows(ctx, "transcript", rows, "source_kind = :kind", {"kind": ctx.source_kind})


def load_gene2ensembl(ctx: LoadContext) -> None:
    index = GeneIndex(ctx.conn)
    rows = Columns(*TRANSCRIPT_COLUMNS)
    seen: dict[str, int] = {}
    for rec in gene2ensembl.read(ctx.path):
        ctx.rows_read += 1
        if rec.gene_id not in index:
            ctx.reject(rec.line, rec.gene_id, "GeneID", "GeneID not in gene table")
            continue
        if rec.ensembl_transcript is None:
            ctx.reject(rec.line, rec.ensembl_gene, "Ensembl gene", "row names no Ensembl transcript")
            continue
        _check_unique(ctx, seen, rec.ensembl_transcript, rec.line)
        rows.add(
            transcript_id=rec.ensembl_transcript, source_kind=ctx.source_kind, transcript_version=rec.ensembl_transcript_version,
            gene_id=rec.gene_id, ensembl_gene_id=rec.ensembl_gene, ensembl_gene_version=rec.ensembl_gene_version, transcript_name=None,
            biotype=None, protein_id=rec.ensembl_protein, protein_version=rec.ensembl_protein_version, refseq_rna=rec.refseq_rna,
            refseq_protein=rec.refseq_protein, is_canonical=False, is_mane_select=False, tags=None, chromosome=None,
            start_position=None, end_position=None, strand=None,
        )
    replace_rows(ctx, "transcript", rows, "source_kind = :kind", {"kind": ctx.source_kind})


def load_isoforms(ctx: LoadContext) -> None:
    index = GeneIndex(ctx.conn)
    rows = Columns("transcript_id", "transcript_version", "gene_id", "ensembl_gene_id", "ensembl_gene_version", "protein_id", "protein_version", "is_primary", "is_mane")
    seen: dict[str, int] = {}
    for rec in isoforms.read(ctx.path):
        ctx.rows_read += 1
        gene_id = _gene_of_transcript(ctx, index, seen, rec)
        if gene_id is None:
            continue
        rows.add(
            transcript_id=rec.transcript_id, transcript_version=rec.transcript_version, gene_id=gene_id, ensembl_gene_id=rec.gene_id,
            ensembl_gene_version=rec.gene_version, protein_id=rec.protein_id, protein_version=rec.protein_version,
            is_primary=rec.is_primary, is_mane=rec.is_mane,
        )
    replace_rows(ctx, "transcript_selection", rows, "1 = 1")
