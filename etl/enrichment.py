"""GO over-representation of a gene set inside the database: the computed input of
queries/go_enrichment.sql.

Annotations are propagated to every ancestor over is_a/part_of (go_closure; NOT annotations left
out; alt ids mapped to their primary term), and the terms of one GO namespace are tested. GO links
some activities and components to processes by part_of, so their annotations reach those
processes too, as GO's own propagation has it. The universe is every gene whose annotations reach
the namespace, or, with `universe` naming an omics type, those of them measured in a default
dataset of that type. For each term with min_size..max_size universe genes: the hypergeometric
upper tail P(X >= k) for k listed genes among its K, drawing n listed universe genes out of N
(scipy.stats.hypergeom, kept as log10 p too), and Benjamini-Hochberg q over every term in the size
range. Terms without a listed gene are tested (p = 1) and counted in q, but not returned.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa
from scipy import stats

from omicskb.etl.stats.combine import bh_log10_q
from omicskb.etl.stats.logp import LN10, p_from_log10

ENRICHMENT_SCHEMA = pa.schema([
    ("go_id", pa.string()), ("term_size", pa.int64()), ("overlap", pa.int64()), ("list_size", pa.int64()),
    ("universe_size", pa.int64()), ("expected", pa.float64()), ("fold_enrichment", pa.float64()), ("p", pa.float64()),
    ("log10_p", pa.float64()), ("q", pa.float64()), ("overlap_genes", pa.string()),
])


def _check(conn: sa.Connection, namespace: str, universe: str) -> None:
    from omicskb.etl.queries import QueryError

    if not conn.execute(sa.text("SELECT 1 FROM go_namespace WHERE code = :n"), {"n": namespace}).first():
        known = ", ".join(r[0] for r in conn.execute(sa.text("SELECT code FROM go_namespace ORDER BY code")))
        raise QueryError(f"namespace {namespace!r} is not a GO namespace ({known})")
    if universe != "annotated" and not conn.execute(sa.text("SELECT 1 FROM omics_type WHERE code = :o"), {"o": universe}).first():
        known = ", ".join(r[0] for r in conn.execute(sa.text("SELECT code FROM omics_type ORDER BY code")))
        raise QueryError(f"universe {universe!r} is neither 'annotated' nor an omics type ({known})")


# Per term in the namespace: its universe genes, and the listed ones among them (the database
# aggregates the propagated pairs; only the counts and the listed members come back).
_TERM_COUNTS = """
WITH pairs AS MATERIALIZED (
    SELECT DISTINCT a.gene_id, c.ancestor_id AS go_id
    FROM gene_go_annotation AS a
    JOIN go_id_primary AS ap ON ap.any_id = a.go_id
    JOIN go_closure AS c ON c.go_id = ap.primary_id
    JOIN go_term AS t ON t.go_id = c.ancestor_id
    WHERE NOT a.is_not AND t.namespace = :namespace
      AND (:universe = 'annotated' OR a.gene_id IN (
          SELECT f.gene_id FROM dataset AS d JOIN measurement_row AS m ON m.dataset_id = d.dataset_id
          JOIN feature AS f ON f.feature_id = m.feature_id WHERE d.omics_type = :universe AND d.is_default AND f.gene_id IS NOT NULL))
),
flagged AS MATERIALIZED (
    SELECT gene_id, go_id, CASE WHEN gene_id IN :listed THEN 1 ELSE 0 END AS is_listed FROM pairs
)
SELECT go_id, count(*) AS term_size, sum(is_listed) AS overlap,
       string_agg(CASE WHEN is_listed = 1 THEN gene_id END, ',') AS members,
       (SELECT count(DISTINCT gene_id) FROM flagged) AS universe_size,
       (SELECT count(DISTINCT gene_id) FROM flagged WHERE is_listed = 1) AS list_size
FROM flagged
GROUP BY go_id
"""


def go_enrichment(conn: sa.Connection, gene_ids: list[str], namespace: str, min_size: int, max_size: int, universe: str) -> pa.Table:
    _check(conn, namespace, universe)
    listed = sorted(set(gene_ids)) or [""]  # an empty IN list is not SQL; no gene id is ''
    rows = conn.execute(sa.text(_TERM_COUNTS).bindparams(sa.bindparam("listed", expanding=True)),
                        {"namespace": namespace, "universe": universe, "listed": listed}).all()
    if not rows:
        return ENRICHMENT_SCHEMA.empty_table()
    n_universe, n_listed = int(rows[0].universe_size), int(rows[0].list_size)
    term_ids = np.array([r.go_id for r in rows], dtype=object)
    term_size = np.array([r.term_size for r in rows], dtype=np.int64)
    overlap = np.array([r.overlap for r in rows], dtype=np.int64)
    members = [r.members for r in rows]
    tested = (term_size >= min_size) & (term_size <= max_size)
    k, big_k = overlap[tested], term_size[tested]
    log10_p = np.minimum(stats.hypergeom.logsf(k - 1, n_universe, big_k, n_listed) / LN10, 0.0) if n_listed else np.zeros(len(k))
    log10_q = bh_log10_q(log10_p)
    shown = k > 0
    ids = term_ids[tested][shown]
    shown_members = [m for m, t in zip(members, tested) if t]
    shown_members = [m for m, keep in zip(shown_members, shown) if keep]
    symbols = _symbols(conn, sorted({g for m in shown_members for g in m.split(",")}))
    expected = big_k[shown] * n_listed / n_universe
    with np.errstate(divide="ignore", invalid="ignore"):
        fold = k[shown] / expected
    data: dict[str, Any] = {
        "go_id": ids, "term_size": big_k[shown], "overlap": k[shown], "list_size": np.full(len(ids), n_listed),
        "universe_size": np.full(len(ids), n_universe), "expected": expected, "fold_enrichment": fold,
        "p": p_from_log10(log10_p[shown]), "log10_p": log10_p[shown], "q": p_from_log10(log10_q[shown]),
        "overlap_genes": [",".join(sorted(symbols.get(g, g) for g in m.split(","))) for m in shown_members],
    }
    return pa.table({name: pa.array(data[name], type=ENRICHMENT_SCHEMA.field(name).type, from_pandas=True) for name in ENRICHMENT_SCHEMA.names},
                    schema=ENRICHMENT_SCHEMA)


_TERM_PAIRS = """
SELECT DISTINCT a.gene_id, c.ancestor_id AS go_id
FROM gene_go_annotation AS a
JOIN go_id_primary AS ap ON ap.any_id = a.go_id
JOIN go_closure AS c ON c.go_id = ap.primary_id
JOIN go_term AS t ON t.go_id = c.ancestor_id
WHERE NOT a.is_not AND t.namespace = :namespace
"""


def term_genes(conn: sa.Connection, namespace: str) -> dict[str, list[str]]:
    """Every GO term of the namespace and the genes annotated to it or below (the same propagation
    as go_enrichment), for preranked GSEA."""
    _check(conn, namespace, "annotated")
    out: dict[str, list[str]] = {}
    for gene_id, go_id in conn.execute(sa.text(_TERM_PAIRS), {"namespace": namespace}):
        out.setdefault(go_id, []).append(gene_id)
    return out


def _symbols(conn: sa.Connection, gene_ids: list[str]) -> dict[str, str]:
    if not len(gene_ids):
        return {}
    rows = conn.execute(sa.text("SELECT gene_id, symbol FROM gene WHERE gene_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
                        {"ids": [str(g) for g in gene_ids]}).all()
    return {r[0]: r[1] for r in rows}


def go_enrichment_input(conn: sa.Connection, gene_ids: list[str], namespace: str, min_size: int, max_size: int, universe: str,
                        **_: Any) -> pa.Table:
    """The computed input of queries/go_enrichment.sql (etl.queries.COMPUTED_INPUTS)."""
    return go_enrichment(conn, list(gene_ids or []), namespace, int(min_size), int(max_size), universe)
