"""Gene loaders: NCBI gene_info, HGNC, MGI/RGD gene tables, summaries, categories, cohorts."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from omicskb.etl.cohort_names import canonical_code
from omicskb.etl.db import upsert_lookup
from omicskb.etl.errors import InputError
from omicskb.etl.loaders import Columns, replace_rows, taxa_scope, upsert_rows
from omicskb.etl.releases import slot_for
from omicskb.etl.resolve import GeneIndex, strip_version
from omicskb.etl.runs import LoadContext
from omicskb.etl.sources import categories, cohorts, gene_info, hgnc, species_genes, summaries


def _ensembl_parts(accession: str) -> tuple[str, str | None]:
    base = strip_version(accession)
    version = accession[len(accession.partition(".")[0]) + 1:].split("_")[0] if "." in accession else None
    return base, version or None


def load_gene_info(ctx: LoadContext) -> None:
    genes = Columns("gene_id", "taxon_id", "symbol", "name", "type_of_gene", "chromosome", "map_location", "locus_tag", "nomenclature_status", "modification_date")
    symbols = Columns("gene_id", "symbol", "symbol_kind", "source_kind")
    xrefs = Columns("gene_id", "xref_db", "accession", "source_kind", "version")
    seen: dict[str, int] = {}
    newest = None
    for rec in gene_info.read(ctx.path):
        ctx.rows_read += 1
        if rec.gene_id in seen:
            raise InputError(ctx.path, rec.line, f"duplicate GeneID {rec.gene_id} (first on line {seen[rec.gene_id]})")
        seen[rec.gene_id] = rec.line
        genes.add(
            gene_id=rec.gene_id, taxon_id=rec.tax_id, symbol=rec.symbol, name=rec.description, type_of_gene=rec.type_of_gene,
            chromosome=rec.chromosome, map_location=rec.map_location, locus_tag=rec.locus_tag,
            nomenclature_status=rec.nomenclature_status, modification_date=rec.modification_date,
        )
        names = {(rec.symbol, "official")} | {(s, "alias") for s in rec.synonyms if s != rec.symbol}
        for symbol, kind in sorted(names):
            symbols.add(gene_id=rec.gene_id, symbol=symbol, symbol_kind=kind, source_kind=ctx.source_kind)
        for db, accession in dict.fromkeys(rec.xrefs):
            version = None
            if db == "Ensembl":
                accession, version = _ensembl_parts(accession)
            xrefs.add(gene_id=rec.gene_id, xref_db=db, accession=accession, source_kind=ctx.source_kind, version=version)
        if rec.modification_date and (newest is None or rec.modification_date > newest):
            newest = rec.modification_date
        if ctx.rows_read % 20000 == 0:
            ctx.progress(f"{ctx.rows_read:,} genes read")
    taxa = set(genes.data["taxon_id"])
    ctx.set_slot(slot_for(ctx.source_kind, taxa))
    _add_taxa(ctx, taxa)
    upsert_lookup(ctx.conn, "gene_type", genes.data["type_of_gene"])
    upsert_lookup(ctx.conn, "xref_db", xrefs.data["xref_db"])
    upsert_rows(ctx, "gene", genes, key=["gene_id"])
    scope = f"source_kind = :kind AND {taxa_scope()}"
    replace_rows(ctx, "gene_symbol", _dedupe(symbols, ("gene_id", "symbol", "symbol_kind")), scope, {"kind": ctx.source_kind, "taxa": taxa})
    replace_rows(ctx, "gene_xref", _dedupe(xrefs, ("gene_id", "xref_db", "accession")), scope, {"kind": ctx.source_kind, "taxa": taxa})
    ctx.set_release(version=newest.isoformat() if newest else None, date=newest)


def _add_taxa(ctx: LoadContext, taxa: set[str]) -> None:
    upsert_lookup(ctx.conn, "taxon", taxa)


def _dedupe(rows: Columns, key: tuple[str, ...]) -> Columns:
    """Drop rows whose key repeats an earlier row (e.g. a synonym listed twice)."""
    out = Columns(*rows.data)
    seen = set()
    names = list(rows.data)
    for values in zip(*rows.data.values()):
        record = dict(zip(names, values))
        k = tuple(record[n] for n in key)
        if k not in seen:
            seen.add(k)
            out.add(**record)
    return out


def load_hgnc(ctx: LoadContext) -> None:
    """HGNC entries linked to genes by their NCBI Gene ID: symbols, xrefs, MGI/RGD orthologs."""
    index = GeneIndex(ctx.conn)
    symbols = Columns("gene_id", "symbol", "symbol_kind", "source_kind")
    xrefs = Columns("gene_id", "xref_db", "accession", "source_kind", "version")
    orthologs = Columns("gene_id", "other_taxon_id", "other_gene_id", "source_kind", "other_id_kind", "other_symbol", "support")
    for rec in hgnc.read(ctx.path):
        ctx.rows_read += 1
        if rec.status != "Approved":
            ctx.reject(rec.line, rec.hgnc_id, "HGNC ID", f"HGNC entry not approved ({rec.status})")
            continue
        found = index.first(("gene", rec.entrez_id), ("HGNC", rec.hgnc_id), ("ensembl", rec.ensembl_gene))
        if found.gene_id is None:
            ctx.reject(rec.line, rec.hgnc_id, "HGNC ID", found.reason or "not resolved")
            continue
        gene_id = found.gene_id
        symbols.add(gene_id=gene_id, symbol=rec.symbol, symbol_kind="official", source_kind=ctx.source_kind)
        for alias in rec.aliases:
            symbols.add(gene_id=gene_id, symbol=alias, symbol_kind="alias", source_kind=ctx.source_kind)
        for previous in rec.previous_symbols:
            symbols.add(gene_id=gene_id, symbol=previous, symbol_kind="previous", source_kind=ctx.source_kind)
        xrefs.add(gene_id=gene_id, xref_db="HGNC", accession=rec.hgnc_id, source_kind=ctx.source_kind, version=None)
        if rec.ensembl_gene:
            base, version = _ensembl_parts(rec.ensembl_gene)
            xrefs.add(gene_id=gene_id, xref_db="Ensembl", accession=base, source_kind=ctx.source_kind, version=version)
        for accession in rec.uniprot_ids:
            xrefs.add(gene_id=gene_id, xref_db="UniProtKB", accession=accession, source_kind=ctx.source_kind, version=None)
        for accession in rec.enzyme_ids:
            xrefs.add(gene_id=gene_id, xref_db="EC", accession=accession, source_kind=ctx.source_kind, version=None)
        for taxon, kind, ids in (("10090", "MGI", rec.mgi_ids), ("10116", "RGD", rec.rgd_ids)):
            for other in ids:
                orthologs.add(gene_id=gene_id, other_taxon_id=taxon, other_gene_id=other, source_kind=ctx.source_kind, other_id_kind=kind, other_symbol=None, support="HGNC")
    where = "source_kind = :kind"
    replace_rows(ctx, "gene_symbol", _dedupe(symbols, ("gene_id", "symbol", "symbol_kind")), where, {"kind": ctx.source_kind})
    replace_rows(ctx, "gene_xref", _dedupe(xrefs, ("gene_id", "xref_db", "accession")), where, {"kind": ctx.source_kind})
    replace_rows(ctx, "ortholog", _dedupe(orthologs, ("gene_id", "other_taxon_id", "other_gene_id")), where, {"kind": ctx.source_kind})


def load_species_genes(ctx: LoadContext, taxon_id: str | None = None) -> None:
    """MGI or RGD gene table: gives model-organism ids (as HGNC cites them) their symbols."""
    taxon = taxon_id or species_genes.detect_taxon(ctx.path)
    rows = Columns("db_id", "taxon_id", "symbol", "synonyms", "ensembl_genes")
    seen: dict[str, int] = {}
    for rec in species_genes.read(ctx.path, taxon):
        ctx.rows_read += 1
        if rec.db_id in seen:
            raise InputError(ctx.path, rec.line, f"duplicate ID {rec.db_id} (first on line {seen[rec.db_id]})")
        seen[rec.db_id] = rec.line
        rows.add(db_id=rec.db_id, taxon_id=taxon, symbol=rec.symbol, synonyms="|".join(rec.synonyms) or None, ensembl_genes="|".join(rec.ensembl_genes) or None)
    _add_taxa(ctx, {taxon})
    ctx.set_slot(slot_for(ctx.source_kind, {taxon}))
    replace_rows(ctx, "species_gene", rows, "taxon_id = :taxon", {"taxon": taxon})


def load_summaries(ctx: LoadContext) -> None:
    """Add summary versions; every distinct text is kept, so earlier versions stay queryable."""
    index = GeneIndex(ctx.conn)
    rows = Columns("gene_id", "text_sha256", "summary", "provided_by", "provided_date", "provided_date_text")
    for rec in summaries.read(ctx.path):
        ctx.rows_read += 1
        if rec.gene_id not in index:
            ctx.reject(rec.line, rec.gene_id, "GeneID", "GeneID not in gene table")
            continue
        digest = hashlib.sha256(rec.text.encode("utf-8")).hexdigest()
        rows.add(gene_id=rec.gene_id, text_sha256=digest, summary=rec.text, provided_by=rec.source, provided_date=rec.source_date, provided_date_text=rec.source_date_text)
    upsert_rows(ctx, "gene_summary", _dedupe(rows, ("gene_id", "text_sha256")), key=["gene_id", "text_sha256"], update=False)


def load_categories(ctx: LoadContext) -> None:
    index = GeneIndex(ctx.conn)
    rows = Columns("gene_id", "category")
    for rec in categories.read(ctx.path):
        ctx.rows_read += 1
        found = index.first(("gene", rec.gene_id), ("symbol", rec.symbol))
        if found.gene_id is None:
            ctx.reject(rec.line, rec.gene_id or rec.symbol or "", "GeneID", found.reason or "not resolved")
            continue
        if found.via == "GeneID" and rec.symbol and rec.symbol.upper() not in {s.upper() for s in _symbols_of(index, found.gene_id)}:
            raise InputError(ctx.path, rec.line, f"GeneID {rec.gene_id} is not symbol {rec.symbol!r} in the gene table")
        rows.add(gene_id=found.gene_id, category=rec.category)
    replace_rows(ctx, "gene_category", _dedupe(rows, ("gene_id", "category")), "1 = 1")


def _symbols_of(index: GeneIndex, gene_id: str) -> set[str]:
    return {s for s, genes in index.official.items() if gene_id in genes} | {s for s, genes in index.other_symbol.items() if gene_id in genes}


def load_cohorts(ctx: LoadContext) -> None:
    """A cohort list: codes and names are upserted, aliases added (an alias may name one cohort only)."""
    rows = Columns("cohort_code", "name")
    aliases = Columns("alias", "cohort_code")
    seen: dict[str, tuple[str, int]] = {}
    for rec in cohorts.read(ctx.path):
        ctx.rows_read += 1
        code = canonical_code(rec.code, ctx.path)
        rows.add(cohort_code=code, name=rec.name)
        for alias in (rec.code, *rec.aliases):
            other = seen.get(alias.upper())
            if other is not None and other[0] != code:
                raise InputError(ctx.path, rec.line, f"alias {alias!r} already names cohort {other[0]} (line {other[1]})")
            seen[alias.upper()] = (code, rec.line)
        for alias in rec.aliases:
            aliases.add(alias=alias, cohort_code=code)
    for alias, (code, line) in seen.items():
        holder = ctx.conn.execute(
            sa.text("SELECT cohort_code FROM cohort_alias WHERE upper(alias) = :a UNION SELECT cohort_code FROM cohort WHERE upper(cohort_code) = :a"), {"a": alias}
        ).scalars().all()
        if any(h != code for h in holder):
            raise InputError(ctx.path, line, f"{alias!r} already names cohort {holder[0]}")
    upsert_rows(ctx, "cohort", rows, key=["cohort_code"])
    upsert_rows(ctx, "cohort_alias", _dedupe(aliases, ("alias",)), key=["alias"])
