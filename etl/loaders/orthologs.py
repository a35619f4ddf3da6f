"""Ortholog loaders: NCBI gene_orthologs and HCOP (either layout), told apart by the header."""

from __future__ import annotations

from omicskb.etl.db import upsert_lookup
from omicskb.etl.loaders import Columns, replace_rows
from omicskb.etl.releases import slot_for
from omicskb.etl.resolve import GeneIndex
from omicskb.etl.runs import LoadContext
from omicskb.etl.sources import gene_orthologs, hcop
from omicskb.etl.textio import iter_lines

ORTHOLOG_COLUMNS = ("gene_id", "other_taxon_id", "other_gene_id", "source_kind", "other_id_kind", "other_symbol", "support")


def detect_source_kind(path) -> str:
    """'hcop' or 'gene_orthologs', from the first line."""
    _, header = next(iter_lines(path))
    return "hcop" if hcop.is_hcop(header) else "gene_orthologs"


def _merge(rows: dict[tuple[str, str, str], dict], key: tuple[str, str, str], values: dict) -> None:
    """Keep one row per (gene, taxon, other gene); join the supports of repeated pairs."""
    if key not in rows:
        rows[key] = values
        return
    old = rows[key]
    support = sorted(set(filter(None, (old["support"] or "").split("|") + (values["support"] or "").split("|"))))
    old["support"] = "|".join(support) or None
    old["other_symbol"] = old["other_symbol"] or values["other_symbol"]


def _write(ctx: LoadContext, merged: dict[tuple[str, str, str], dict], other_taxa: set[str]) -> None:
    rows = Columns(*ORTHOLOG_COLUMNS)
    for values in merged.values():
        rows.add(**values)
    upsert_lookup(ctx.conn, "taxon", other_taxa)
    ctx.set_slot(slot_for(ctx.source_kind, other_taxa or {"none"}))
    replace_rows(ctx, "ortholog", rows, "source_kind = :kind AND other_taxon_id IN :taxa", {"kind": ctx.source_kind, "taxa": other_taxa or {""}})


def load_gene_orthologs(ctx: LoadContext) -> None:
    """NCBI lists each pair once, from either side: keep the side whose gene we have."""
    index = GeneIndex(ctx.conn)
    merged: dict[tuple[str, str, str], dict] = {}
    other_taxa: set[str] = set()
    for rec in gene_orthologs.read(ctx.path):
        ctx.rows_read += 1
        if rec.gene_id in index:
            gene_id, other_taxon, other_gene = rec.gene_id, rec.other_tax_id, rec.other_gene_id
        elif rec.other_gene_id in index:
            gene_id, other_taxon, other_gene = rec.other_gene_id, rec.tax_id, rec.gene_id
        else:
            ctx.reject(rec.line, rec.gene_id, "GeneID", "neither GeneID of the pair is in the gene table")
            continue
        other_taxa.add(other_taxon)
        _merge(merged, (gene_id, other_taxon, other_gene), {
            "gene_id": gene_id, "other_taxon_id": other_taxon, "other_gene_id": other_gene, "source_kind": ctx.source_kind,
            "other_id_kind": "Entrez", "other_symbol": None, "support": rec.relationship,
        })
    _write(ctx, merged, other_taxa)


def load_hcop(ctx: LoadContext) -> None:
    """HCOP: the human gene by Entrez, Ensembl, HGNC id or symbol; the other gene by its best id."""
    index = GeneIndex(ctx.conn)
    merged: dict[tuple[str, str, str], dict] = {}
    other_taxa: set[str] = set()
    for rec in hcop.read(ctx.path):
        ctx.rows_read += 1
        found = index.first(("gene", rec.human_entrez), ("ensembl", rec.human_ensembl), ("HGNC", rec.hgnc_id), ("symbol", rec.human_symbol))
        if found.gene_id is None:
            ctx.reject(rec.line, rec.human_ensembl or rec.human_entrez or rec.human_symbol or "", "human gene", found.reason or "not resolved")
            continue
        if rec.other_entrez:
            other_id, kind = rec.other_entrez, "Entrez"
        elif rec.other_db_id:
            other_id, kind = rec.other_db_id, rec.other_db_id.split(":", 1)[0]
        elif rec.other_ensembl:
            other_id, kind = rec.other_ensembl, "Ensembl"
        else:
            ctx.reject(rec.line, rec.human_ensembl or rec.human_symbol or "", "ortholog", "row names no ortholog id")
            continue
        other_taxa.add(rec.other_taxon_id)
        _merge(merged, (found.gene_id, rec.other_taxon_id, other_id), {
            "gene_id": found.gene_id, "other_taxon_id": rec.other_taxon_id, "other_gene_id": other_id, "source_kind": ctx.source_kind,
            "other_id_kind": kind, "other_symbol": rec.other_symbol, "support": "|".join(rec.support) or None,
        })
    _write(ctx, merged, other_taxa)
