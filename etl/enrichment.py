"""GO over-representation of a gene set inside the database: the computed input of
queries/go_enrichment.sql.

Annotations are propagated to every ancestor over is_a/part_of (go_closure; NOT annotations left
out; alt ids mapped to their primary term), in one GO namespace. The universe is every gene with an
annotation there, or, with `universe` naming an omics type, those of them measured in a default
dataset of that type. For each term with min_size..max_size universe genes: the hypergeometric
upper tail P(X >= k) for k listed genes among its K, drawing n listed universe genes out of N
(scipy.stats.hypergeom, kept as log10 p too), and Benjamini-Hochberg q over every term in the size
range. Terms without a listed gene are tested (p = 1) and counted in q, but not returned.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa
from scipy import stats

from omicskb.etl.db import fetch_text_table
from omicskb.etl.stats.combine import bh_log10_q
from omicskb.etl.stats.logp import LN10, p_from_log10

ENRICHMENT_SCHEMA = pa.schema([
    ("go_id", pa.string()), ("term_size", pa.int64()), ("overlap", pa.int64()), ("list_size", pa.int64()),
    ("universe_size", pa.int64()), ("expected", pa.float64()), ("fold_enrichment", pa.float64()), ("p", pa.float64()),
    ("log10_p", pa.float64()), ("q", pa.float64()), ("overlap_genes", pa.string()),
])


def annotated_pairs(conn: sa.Connection, namespace: str) -> pa.Table:
    """Distinct (gene_id, go_id) of every gene and every term it is annotated to, directly or below."""
    if not conn.execute(sa.text("SELECT 1 FROM go_namespace WHERE code = :n"), {"n": namespace}).first():
        from omicskb.etl.queries import QueryError

        known = ", ".join(r[0] for r in conn.execute(sa.text("SELECT code FROM go_namespace ORDER BY code")))
        raise QueryError(f"namespace {namespace!r} is not a GO namespace ({known})")
    quoted = "'" + namespace.replace("'", "''") + "'"  # checked against go_namespace above
    return fetch_text_table(
        conn,
        "SELECT DISTINCT a.gene_id, c.ancestor_id AS go_id FROM gene_go_annotation AS a "
        "JOIN go_id_primary AS ap ON ap.any_id = a.go_id JOIN go_closure AS c ON c.go_id = ap.primary_id "
        f"JOIN go_term AS t ON t.go_id = c.ancestor_id WHERE NOT a.is_not AND t.namespace = {quoted}",
        {"gene_id": pa.string(), "go_id": pa.string()},
    )


def measured_genes(conn: sa.Connection, omics: str) -> set[str]:
    rows = conn.execute(sa.text(
        "SELECT DISTINCT f.gene_id FROM dataset AS d JOIN measurement_row AS m ON m.dataset_id = d.dataset_id "
        "JOIN feature AS f ON f.feature_id = m.feature_id WHERE d.omics_type = :o AND d.is_default AND f.gene_id IS NOT NULL"), {"o": omics}).all()
    return {r[0] for r in rows}


def go_enrichment(conn: sa.Connection, gene_ids: list[str], namespace: str, min_size: int, max_size: int, universe: str) -> pa.Table:
    pairs = annotated_pairs(conn, namespace)
    genes = np.array(pairs.column("gene_id").to_pylist(), dtype=object)
    terms = np.array(pairs.column("go_id").to_pylist(), dtype=object)
    if universe != "annotated":
        known = [r[0] for r in conn.execute(sa.text("SELECT code FROM omics_type ORDER BY code"))]
        if universe not in known:
            from omicskb.etl.queries import QueryError

            raise QueryError(f"universe {universe!r} is neither 'annotated' nor an omics type ({', '.join(known)})")
        keep = np.isin(genes, np.array(sorted(measured_genes(conn, universe)), dtype=object))
        genes, terms = genes[keep], terms[keep]
    universe_genes = np.unique(genes) if len(genes) else np.array([], dtype=object)
    listed = np.intersect1d(universe_genes, np.array(sorted(set(gene_ids)), dtype=object)) if len(universe_genes) else universe_genes
    n_universe, n_listed = len(universe_genes), len(listed)
    term_ids, term_at = np.unique(terms, return_inverse=True) if len(terms) else (np.array([], dtype=object), np.array([], dtype=np.int64))
    term_size = np.bincount(term_at, minlength=len(term_ids))
    in_list = np.isin(genes, listed)
    overlap = np.bincount(term_at[in_list], minlength=len(term_ids))
    tested = (term_size >= min_size) & (term_size <= max_size)
    k, big_k = overlap[tested], term_size[tested]
    log10_p = stats.hypergeom.logsf(k - 1, n_universe, big_k, n_listed) / LN10 if n_listed else np.zeros(int(tested.sum()))
    log10_p = np.minimum(log10_p, 0.0)
    log10_q = bh_log10_q(log10_p)
    shown = k > 0
    ids = term_ids[tested][shown]
    symbols = _symbols(conn, listed)
    members: dict[str, list[str]] = {}
    for gene, term in zip(genes[in_list], terms[in_list]):
        members.setdefault(term, []).append(symbols.get(gene, gene))
    expected = big_k[shown] * n_listed / n_universe if n_universe else np.full(len(ids), math.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        fold = k[shown] / expected
    data: dict[str, Any] = {
        "go_id": ids, "term_size": big_k[shown], "overlap": k[shown], "list_size": np.full(len(ids), n_listed),
        "universe_size": np.full(len(ids), n_universe), "expected": expected, "fold_enrichment": fold,
        "p": p_from_log10(log10_p[shown]), "log10_p": log10_p[shown], "q": p_from_log10(log10_q[shown]),
        "overlap_genes": [",".join(sorted(members.get(t, []))) for t in ids],
    }
    return pa.table({name: pa.array(data[name], type=ENRICHMENT_SCHEMA.field(name).type, from_pandas=True) for name in ENRICHMENT_SCHEMA.names},
                    schema=ENRICHMENT_SCHEMA)


def _symbols(conn: sa.Connection, gene_ids: np.ndarray) -> dict[str, str]:
    if not len(gene_ids):
        return {}
    rows = conn.execute(sa.text("SELECT gene_id, symbol FROM gene WHERE gene_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
                        {"ids": [str(g) for g in gene_ids]}).all()
    return {r[0]: r[1] for r in rows}


def go_enrichment_input(conn: sa.Connection, gene_ids: list[str], namespace: str, min_size: int, max_size: int, universe: str,
                        **_: Any) -> pa.Table:
    """The computed input of queries/go_enrichment.sql (etl.queries.COMPUTED_INPUTS)."""
    return go_enrichment(conn, list(gene_ids or []), namespace, int(min_size), int(max_size), universe)
