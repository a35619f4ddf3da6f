"""Preranked GSEA over GO terms inside the database: the computed input of
queries/go_gsea_prerank.sql.

The ranked list is gene_rank's (an analysis's signed log10 p per gene). Each GO term of one
namespace (annotations propagated up is_a/part_of, NOT excluded; etl.enrichment's pairs) with
min_size..max_size genes in the list gets Subramanian et al.'s weighted Kolmogorov-Smirnov
enrichment score: walking down the list, a gene of the set adds |score|^weight over the set's total,
any other gene subtracts 1 / (N - set size); ES is the largest deviation from zero.

Significance by gene-label permutation, as GSEApy's prerank does: `permutations` shuffles of the
list's genes (numpy's PCG64 from `seed`, the same shuffles for every term), each term's ES on each.
NES = ES / the mean of the null ESs of its sign; the nominal p is the fraction of those null ESs at
least as extreme; the FDR q is GSEA's: the fraction of all terms' null NESs of that sign beyond the
NES, over the fraction of observed NESs beyond it, capped at 1. The leading edge is the set's genes
up to the ES peak (from the top for a positive ES, from the bottom for a negative one).
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from omicskb.etl.stats.kernels import KERNEL_LOCK

GSEA_SCHEMA = pa.schema([
    ("go_id", pa.string()), ("size", pa.int64()), ("es", pa.float64()), ("nes", pa.float64()), ("p", pa.float64()),
    ("q", pa.float64()), ("leading_edge_size", pa.int64()), ("leading_edge", pa.string()),
])


@nb.njit(cache=True, nogil=True)
def _es(weights: np.ndarray, positions: np.ndarray, n: int) -> tuple[float, int]:
    """(ES, index into the sorted positions of the peak) of a set at sorted `positions` of a list of
    n genes whose weights (|score|^p) are `weights` by position."""
    k = positions.shape[0]
    total = 0.0
    for m in range(k):
        total += weights[positions[m]]
    miss = 1.0 / (n - k)
    best_hi, best_lo, at_hi, at_lo = -1.0, 1.0, 0, 0
    running = 0.0
    for m in range(k):
        before = running / total - (positions[m] - m) * miss  # just before the m-th hit
        if before < best_lo:
            best_lo, at_lo = before, m
        running += weights[positions[m]]
        after = running / total - (positions[m] + 1 - (m + 1)) * miss
        if after > best_hi:
            best_hi, at_hi = after, m
    if best_hi >= -best_lo:
        return best_hi, at_hi
    return best_lo, at_lo


@nb.njit(parallel=True, cache=True)
def _scores(weights: np.ndarray, indptr: np.ndarray, members: np.ndarray, shuffles: np.ndarray, es_out: np.ndarray, peak_out: np.ndarray,
            null_out: np.ndarray) -> None:
    n = weights.shape[0]
    for s in nb.prange(indptr.shape[0] - 1):
        genes = members[indptr[s]:indptr[s + 1]]
        positions = np.sort(genes)
        es_out[s], peak_out[s] = _es(weights, positions, n)
        mapped = np.empty(genes.shape[0], dtype=np.int64)
        for p in range(shuffles.shape[0]):
            for m in range(genes.shape[0]):
                mapped[m] = shuffles[p, genes[m]]
            mapped.sort()
            null_out[s, p] = _es(weights, mapped, n)[0]


def prerank(genes: list[str], scores: np.ndarray, gene_sets: dict[str, list[str]], *, min_size: int, max_size: int, permutations: int, seed: int,
            weight: float = 1.0) -> dict[str, Any]:
    """GSEA of `gene_sets` (id -> genes) on the list `genes` ranked by `scores` (largest first);
    sets are cut to the list's genes and kept with min_size..max_size of them."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    ranked = [genes[i] for i in order]
    weights = np.abs(np.asarray(scores, dtype=np.float64)[order]) ** weight
    position = {g: i for i, g in enumerate(ranked)}
    ids, indptr, members = [], [0], []
    for set_id in sorted(gene_sets):
        at = sorted({position[g] for g in gene_sets[set_id] if g in position})
        if min_size <= len(at) <= max_size and len(at) < len(ranked):
            ids.append(set_id)
            members += at
            indptr.append(len(members))
    count = len(ids)
    es, peak, null = np.empty(count), np.zeros(count, dtype=np.int64), np.empty((count, permutations))
    if count:
        rng = np.random.Generator(np.random.PCG64(seed))
        shuffles = np.empty((permutations, len(ranked)), dtype=np.int64)
        for p in range(permutations):
            shuffles[p] = rng.permutation(len(ranked))
        with KERNEL_LOCK:
            _scores(weights, np.array(indptr, dtype=np.int64), np.array(members, dtype=np.int64), shuffles, es, peak, null)
    nes, p_value = np.full(count, np.nan), np.full(count, np.nan)
    null_nes = np.full(null.shape, np.nan)
    for s in range(count):
        positive = es[s] >= 0
        same = null[s][null[s] >= 0] if positive else null[s][null[s] < 0]
        if len(same) == 0:
            continue
        mean = same.mean() if positive else -same.mean()
        nes[s] = es[s] / mean
        p_value[s] = ((same >= es[s]).sum() if positive else (same <= es[s]).sum()) / len(same)
        null_nes[s] = np.where((null[s] >= 0) == positive, null[s] / mean, np.nan)
    q = _fdr(nes, null_nes)
    leading = []
    for s in range(count):
        at = np.array(members[indptr[s]:indptr[s + 1]])
        at.sort()
        edge = at[:peak[s] + 1] if es[s] >= 0 else at[peak[s]:]
        leading.append([ranked[i] for i in edge])
    return {"ids": ids, "size": np.diff(indptr), "es": es, "nes": nes, "p": p_value, "q": q, "leading": leading}


def _fdr(nes: np.ndarray, null_nes: np.ndarray) -> np.ndarray:
    """GSEA's FDR q per set: for NES* >= 0, the fraction of all null NESs >= 0 that are >= NES*,
    over the fraction of observed NESs >= 0 that are >= NES* (mirrored for negative), capped at 1."""
    q = np.full(nes.shape, np.nan)
    flat = null_nes[~np.isnan(null_nes)]
    for positive in (True, False):
        observed = nes[~np.isnan(nes) & ((nes >= 0) == positive)]
        null = np.sort(np.abs(flat[(flat >= 0) == positive]))
        seen = np.sort(np.abs(observed))
        if not len(observed) or not len(null):
            continue
        for s in np.flatnonzero(~np.isnan(nes) & ((nes >= 0) == positive)):
            value = abs(nes[s])
            null_share = (len(null) - np.searchsorted(null, value, side="left")) / len(null)
            observed_share = (len(seen) - np.searchsorted(seen, value, side="left")) / len(seen)
            q[s] = min(1.0, null_share / observed_share)
    return q


def go_gsea_input(conn: sa.Connection, analysis: str, omics: str, cohort: str, namespace: str, min_size: int, max_size: int, permutations: int,
                  seed: int, **_: Any) -> pa.Table:
    """The computed input of queries/go_gsea_prerank.sql (etl.queries.COMPUTED_INPUTS)."""
    from omicskb.etl.enrichment import term_genes
    from omicskb.etl.queries import QueryError, run_query

    if not 1 <= int(permutations) <= 100_000:
        raise QueryError(f"permutations must be 1..100000, not {permutations}")
    ranked = run_query(conn, "gene_rank", {"analysis": analysis, "omics": omics, "cohort": cohort})
    symbols = ranked.column("symbol").to_pylist()
    gene_ids = ranked.column("gene_id").to_pylist()
    scores = np.array(ranked.column("signed_log10_p").to_pylist(), dtype=np.float64)
    finite = np.isfinite(scores)
    gene_ids = [g for g, f in zip(gene_ids, finite) if f]
    symbol_of = dict(zip(gene_ids, symbols))
    result = prerank(gene_ids, scores[finite], term_genes(conn, namespace), min_size=int(min_size), max_size=int(max_size),
                     permutations=int(permutations), seed=int(seed))
    data = {
        "go_id": result["ids"], "size": result["size"], "es": result["es"], "nes": result["nes"], "p": result["p"], "q": result["q"],
        "leading_edge_size": [len(e) for e in result["leading"]], "leading_edge": [",".join(symbol_of.get(g, g) for g in e) for e in result["leading"]],
    }
    return pa.table({name: pa.array(data[name], type=GSEA_SCHEMA.field(name).type, from_pandas=True) for name in GSEA_SCHEMA.names}, schema=GSEA_SCHEMA)
