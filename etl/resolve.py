"""Resolve input identifiers (GeneID, symbol, alias, Ensembl, UniProt, HGNC) to genes in the database.

Built once per load from the gene tables, inside the load's transaction, so resolution sees the
same state the load writes against. Every lookup returns either a gene id or the reason it failed;
loaders record the reasons in `unresolved_identifier`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import sqlalchemy as sa

from omicskb.etl.db import duckdb_driver, is_duckdb

REASON_NOT_IN_GENE_TABLE = "GeneID not in gene table"
REASON_UNKNOWN_SYMBOL = "symbol not found"
REASON_AMBIGUOUS_SYMBOL = "symbol ambiguous"
REASON_UNKNOWN_ENSEMBL = "Ensembl gene not linked to any gene"
REASON_AMBIGUOUS_ENSEMBL = "Ensembl gene linked to several genes"


@dataclasses.dataclass(frozen=True)
class Resolution:
    gene_id: str | None
    reason: str | None = None
    via: str | None = None


def strip_version(identifier: str) -> str:
    """ENSG00000104432.14 -> ENSG00000104432; ENSG00000182162.11_PAR_Y keeps its _PAR_Y suffix."""
    head, dot, tail = identifier.partition(".")
    if not dot:
        return identifier
    suffix = tail[tail.index("_"):] if "_" in tail else ""
    return head + suffix


def _rows(conn: sa.Connection, sql: str, params: dict) -> list[tuple]:
    """All rows as plain tuples; on DuckDB straight from the driver (SQLAlchemy's row objects cost
    more than the query when a pan-cancer load resolves against 500k symbols and xrefs)."""
    if is_duckdb(conn):
        raw_sql = sql
        for name in params:
            raw_sql = raw_sql.replace(f":{name}", f"${name}")
        return duckdb_driver(conn).execute(raw_sql, params).fetchall()
    return [tuple(r) for r in conn.execute(sa.text(sql), params)]


class GeneIndex:
    """In-memory maps from every identifier kind to gene ids."""

    def __init__(self, conn: sa.Connection, taxon_id: str | None = None):
        taxon_filter = "WHERE g.taxon_id = :taxon" if taxon_id else ""
        params = {"taxon": taxon_id} if taxon_id else {}
        self.taxon_of: dict[str, str] = dict(_rows(conn, f"SELECT g.gene_id, g.taxon_id FROM gene AS g {taxon_filter}", params))
        self.official: dict[str, set[str]] = defaultdict(set)
        self.other_symbol: dict[str, set[str]] = defaultdict(set)
        for gene_id, symbol, kind in _rows(conn, f"SELECT s.gene_id, s.symbol, s.symbol_kind FROM gene_symbol AS s JOIN gene AS g ON g.gene_id = s.gene_id {taxon_filter}", params):
            (self.official if kind == "official" else self.other_symbol)[symbol.upper()].add(gene_id)
        for gene_id, symbol in _rows(conn, f"SELECT g.gene_id, g.symbol FROM gene AS g {taxon_filter}", params):
            self.official[symbol.upper()].add(gene_id)
        self.xref: dict[tuple[str, str], set[str]] = defaultdict(set)
        for gene_id, db, accession in _rows(conn, f"SELECT x.gene_id, x.xref_db, x.accession FROM gene_xref AS x JOIN gene AS g ON g.gene_id = x.gene_id {taxon_filter}", params):
            self.xref[(db, accession)].add(gene_id)

    def __contains__(self, gene_id: str) -> bool:
        return gene_id in self.taxon_of

    def gene(self, gene_id: str) -> Resolution:
        if gene_id in self.taxon_of:
            return Resolution(gene_id, via="GeneID")
        return Resolution(None, REASON_NOT_IN_GENE_TABLE)

    def symbol(self, symbol: str) -> Resolution:
        """An official symbol wins; otherwise a unique alias or previous symbol."""
        key = symbol.upper()
        official = self.official.get(key, set())
        if len(official) == 1:
            return Resolution(next(iter(official)), via="symbol")
        if len(official) > 1:
            return Resolution(None, f"{REASON_AMBIGUOUS_SYMBOL} ({len(official)} genes)")
        others = self.other_symbol.get(key, set())
        if len(others) == 1:
            return Resolution(next(iter(others)), via="alias")
        if len(others) > 1:
            return Resolution(None, f"{REASON_AMBIGUOUS_SYMBOL} ({len(others)} genes by alias)")
        return Resolution(None, REASON_UNKNOWN_SYMBOL)

    def xref_lookup(self, db: str, accession: str) -> Resolution:
        genes = self.xref.get((db, accession), set())
        if len(genes) == 1:
            return Resolution(next(iter(genes)), via=db)
        if genes:
            return Resolution(None, f"{db} id linked to several genes ({len(genes)})")
        return Resolution(None, f"{db} id not linked to any gene")

    def ensembl(self, identifier: str) -> Resolution:
        genes = self.xref.get(("Ensembl", strip_version(identifier)), set())
        if len(genes) == 1:
            return Resolution(next(iter(genes)), via="Ensembl")
        if genes:
            return Resolution(None, REASON_AMBIGUOUS_ENSEMBL)
        return Resolution(None, REASON_UNKNOWN_ENSEMBL)

    def first(self, *attempts: tuple[str, str | None]) -> Resolution:
        """Try (kind, value) pairs in order: kind is 'gene', 'symbol', 'ensembl' or an xref db."""
        reasons = []
        for kind, value in attempts:
            if not value:
                continue
            if kind == "gene":
                result = self.gene(value)
            elif kind == "symbol":
                result = self.symbol(value)
            elif kind == "ensembl":
                result = self.ensembl(value)
            else:
                result = self.xref_lookup(kind, value)
            if result.gene_id:
                return result
            reasons.append(result.reason)
        return Resolution(None, "; ".join(r for r in reasons if r) or "no identifier given")
