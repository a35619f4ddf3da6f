"""All-pairs trans associations: `omicskb derive --analysis trans`'s engine.

For each omics type in ALLPAIRS_OMICS and each cohort's default dataset of it, every row is tested
against every other on the tumors, each pair re-ranked on the samples both have
(etl.stats.allpairs, exact). The pairs are never stored whole (12k proteins in 10 cohorts are 7e8
pairs): each feature keeps its `top` partners per cohort by p, with a BH q over all its partners in
the cohort, and its `top` partners by Meta P across cohorts; every stored pair gets its Meta P.

How, per omics type:
1. per cohort: all pairs exact (rho, n); then, in one pass over them, log10 p and the pair's share
   of Stouffer's Meta P (sign(rho) |z|, a cohort count, a vote; etl.stats.allpairs.MetaAccumulators);
   per feature, the partners within a hair (1e-9 in log10 p) of its top-th, and q from the whole row;
2. the Meta P of every pair from the accumulators, and per feature the partners within a hair of
   its top-th;
3. every candidate pair recomputed in every cohort (the walks of step 1, pair by pair: the same
   doubles as etl.stats.spearman's one-pair kernel, p by its _finish), the
   Meta P recomputed from those by etl.stats.combine.stouffer_long (what gene_trans uses), and the
   top partners taken in the order gene_trans gives: log10 p, then partner feature id. So the stored
   rows are the ones `query gene_trans` computes on demand, and ties at the cut are settled exactly.

A block records its dataset's release and its samples' roles; a load that changes them drops every
block of the omics type (the Meta P spans them all), and the next derive recomputes the omics type.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np
import sqlalchemy as sa

from omicskb.etl.cis import read_dataset
from omicskb.etl.db import bulk_insert, delete_by_ids
from omicskb.etl.queries import run_saved
from omicskb.etl.stats import allpairs
from omicskb.etl.stats.combine import stouffer_long
from omicskb.etl.stats.allpairs import spearman_row_pairs_prepared as spearman_row_pairs
from omicskb.etl.stats.logp import p_from_log10
from omicskb.etl.stats.spearman import finish_pairs

ProgressFn = Callable[[str], None]

ALLPAIRS_OMICS = ("protein", "rna")
DEFAULT_TOP = 50
SLACK = 1e-9  # log10 p: candidates this close to a feature's top-th are recomputed exactly before the cut
CHILD_TABLES = ("trans_result", "trans_block_sample")
PHASES = ("kernels", "fetch", "pairs", "p_and_meta", "select", "meta_all", "exact", "write")


@dataclasses.dataclass
class TransCandidate:
    cohort_code: str
    omics_type: str
    dataset: str
    dataset_id: int
    release_id: int
    block_id: int | None

    @property
    def label(self) -> str:
        return f"{self.cohort_code} {self.omics_type} {self.dataset}"


@dataclasses.dataclass
class TransReport:
    run_id: int | None = None
    computed: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    stale_removed: int = 0
    pairs_tested: int = 0
    rows_written: int = 0
    meta_rows: dict[str, int] = dataclasses.field(default_factory=dict)
    seconds: dict[str, float] = dataclasses.field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))


def drop_stale(conn: sa.Connection) -> tuple[int, set[str]]:
    """Delete every trans block of an omics type one of whose blocks' inputs changed, and its Meta
    P rows (they combine every block). Returns (blocks deleted, omics types)."""
    stale = run_saved(conn, "audit_trans_stale")
    if not stale:
        return 0, set()
    omics = {r["omics_type"] for r in stale}
    return _delete_omics(conn, omics), omics


def _delete_omics(conn: sa.Connection, omics: set[str]) -> int:
    removed = 0
    for omics_type in sorted(omics):
        ids = [int(r[0]) for r in conn.execute(sa.text("SELECT block_id FROM trans_block WHERE omics_type = :o ORDER BY block_id"), {"o": omics_type}).all()]
        delete_by_ids(conn, (*CHILD_TABLES, "trans_block"), "block_id", ids)
        conn.execute(sa.text("DELETE FROM trans_meta WHERE omics_type = :o"), {"o": omics_type})
        removed += len(ids)
    return removed


def candidates(conn: sa.Connection) -> list[TransCandidate]:
    return [TransCandidate(r["cohort_code"], r["omics_type"], r["dataset"], r["dataset_id"], r["release_id"], r["block_id"])
            for r in run_saved(conn, "trans_blocks")]


def derive_trans(conn: sa.Connection, run_id: int, progress: ProgressFn | None = None, top: int = DEFAULT_TOP,
                 omics: tuple[str, ...] = ALLPAIRS_OMICS) -> TransReport:
    """In the caller's transaction: for each omics type (of `omics`) whose blocks are not all
    current (or were stored with another `top`), drop them and recompute every block of it."""
    report = TransReport(run_id=run_id)
    removed, _ = drop_stale(conn)
    report.stale_removed = removed
    wanted = candidates(conn)
    for omics_type in omics:
        mine = [c for c in wanted if c.omics_type == omics_type]
        stored = conn.execute(sa.text("SELECT block_id, dataset_id, top_n FROM trans_block WHERE omics_type = :o"), {"o": omics_type}).all()
        current = {int(r.dataset_id) for r in stored if int(r.top_n) == top}
        if len(stored) == len(mine) and all(c.block_id is not None and c.dataset_id in current for c in mine):
            report.unchanged += len(mine)
            continue
        report.stale_removed += _delete_omics(conn, {omics_type}) if stored else 0
        if mine:
            _derive_omics(conn, omics_type, mine, run_id, top, progress, report)
    return report


@dataclasses.dataclass
class _Block:
    candidate: TransCandidate
    feature_ids: np.ndarray  # per row, ascending
    feature_at: np.ndarray  # per row: its index in the omics type's feature universe
    values: np.ndarray  # rows x tumors
    sample_ids: np.ndarray
    stat_roles: list
    pairs_tested: int = 0
    prepared: allpairs.PreparedRows | None = None
    # per-feature candidates in this block: (row, partner row) and the partner's BH log10 q in the row
    cand_row: np.ndarray | None = None
    cand_partner: np.ndarray | None = None
    cand_log10_q: np.ndarray | None = None


def _derive_omics(conn: sa.Connection, omics_type: str, wanted: list[TransCandidate], run_id: int, top: int, progress: ProgressFn | None,
                  report: TransReport) -> None:
    if progress:
        progress("preparing the statistics kernels (compiled on first use; cached afterwards)")
    report.seconds["kernels"] += allpairs.prepare()
    blocks: list[_Block] = []
    for c in wanted:
        started = time.perf_counter()
        part = read_dataset(conn, c.dataset_id)
        tumors = part.tumor_columns()
        order = np.argsort(part.feature_ids, kind="stable")  # rows by feature id: gene_trans breaks ties by it
        blocks.append(_Block(c, part.feature_ids[order], np.empty(0, dtype=np.int64), np.ascontiguousarray(part.values[np.ix_(order, tumors)]),
                             part.sample_ids, part.stat_roles))
        report.seconds["fetch"] += time.perf_counter() - started
    universe = np.unique(np.concatenate([b.feature_ids for b in blocks]))
    for b in blocks:
        b.feature_at = np.searchsorted(universe, b.feature_ids)
    meta = allpairs.MetaAccumulators(len(universe))
    for i, b in enumerate(blocks, 1):
        if progress:
            progress(f"trans {omics_type} {i}/{len(blocks)}: {b.candidate.label}: {len(b.feature_ids):,} rows x {b.values.shape[1]} tumors, "
                     f"{len(b.feature_ids) * (len(b.feature_ids) - 1) // 2:,} pairs")
        started = time.perf_counter()
        b.prepared = allpairs.prepare_rows(b.values)
        rho, n = allpairs.spearman_all_pairs_packed(b.values, prepared=b.prepared)
        report.seconds["pairs"] += time.perf_counter() - started
        started = time.perf_counter()
        b.pairs_tested = int(np.count_nonzero(~np.isnan(rho)))
        rows = len(b.feature_ids)
        allpairs.log10_p_and_meta(rho, n, rows, b.feature_at, meta)  # rho now holds log10 p
        del n
        report.seconds["p_and_meta"] += time.perf_counter() - started
        started = time.perf_counter()
        partners, log10_q = allpairs.candidates_by_row(rho, rows, top, SLACK, with_q=True)
        del rho
        lengths = np.array([len(c) for c in partners], dtype=np.int64)
        b.cand_row = np.repeat(np.arange(rows, dtype=np.int64), lengths)
        b.cand_partner = np.concatenate(partners) if lengths.sum() else np.empty(0, np.int64)
        b.cand_log10_q = np.concatenate(log10_q) if lengths.sum() else np.empty(0)
        report.seconds["select"] += time.perf_counter() - started
        report.pairs_tested += b.pairs_tested
    started = time.perf_counter()
    meta_log10_p = meta.log10_p()
    del meta
    meta_candidates, _ = allpairs.candidates_by_row(meta_log10_p, len(universe), top, SLACK)
    del meta_log10_p
    report.seconds["meta_all"] += time.perf_counter() - started
    started = time.perf_counter()
    exact = _exact(blocks, meta_candidates, len(universe))
    report.seconds["exact"] += time.perf_counter() - started
    started = time.perf_counter()
    _store(conn, omics_type, blocks, exact, meta_candidates, universe, top, run_id, report)
    report.seconds["write"] += time.perf_counter() - started


@dataclasses.dataclass
class _Exact:
    keys: np.ndarray  # unordered pair keys (low * universe + high), ascending
    per_block: list[tuple[np.ndarray, np.ndarray]]  # per block, aligned with keys: (n, rho), rho NaN where untested or absent
    meta_n_cohorts: np.ndarray
    meta_n_agree: np.ndarray
    meta_z: np.ndarray
    meta_p: np.ndarray
    meta_log10_p: np.ndarray
    meta_signed_log10_p: np.ndarray


def _pair_keys(a: np.ndarray, b: np.ndarray, universe: int) -> np.ndarray:
    low, high = np.minimum(a, b), np.maximum(a, b)
    return low.astype(np.int64) * universe + high


EXACT_CHUNK = 1_000_000  # candidate pairs recomputed (in every block) and combined at a time


def _exact(blocks: list[_Block], meta_candidates: list[np.ndarray], universe: int) -> _Exact:
    """Every candidate pair (a block's, or the Meta P's) recomputed exactly in every block that has
    both features, and its Meta P from those; a chunk of pairs at a time, keeping n and rho per
    block (p follows from them) and the Meta P."""
    parts = [_pair_keys(b.feature_at[b.cand_row], b.feature_at[b.cand_partner], universe) for b in blocks]
    lengths = np.array([len(c) for c in meta_candidates], dtype=np.int64)
    if lengths.sum():
        owners = np.repeat(np.arange(universe, dtype=np.int64), lengths)
        parts.append(_pair_keys(owners, np.concatenate(meta_candidates), universe))
    keys = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)
    del parts
    rows_of = []
    for b in blocks:
        row_of = np.full(universe, -1, dtype=np.int64)
        row_of[b.feature_at] = np.arange(len(b.feature_at))
        rows_of.append(row_of)
    per_block = [(np.zeros(len(keys), dtype=np.int32), np.full(len(keys), np.nan)) for _ in blocks]
    meta = {name: np.full(len(keys), np.nan) for name in ("n_cohorts", "n_agree", "z", "p", "log10_p", "signed_log10_p")}
    for start in range(0, len(keys), EXACT_CHUNK):
        chunk = keys[start:start + EXACT_CHUNK]
        low, high = chunk // universe, chunk % universe
        long_keys, long_cohort, long_log10, long_positive, long_p = [], [], [], [], []
        for index, (b, row_of) in enumerate(zip(blocks, rows_of)):
            x, y = row_of[low], row_of[high]
            both = np.flatnonzero((x >= 0) & (y >= 0))
            if len(both) == 0:
                continue
            result = spearman_row_pairs(b.prepared, x[both], y[both])
            n, rho = per_block[index]
            n[start + both] = result.n
            rho[start + both] = result.rho
            tested = both[result.tested]
            long_keys.append(chunk[tested])
            long_cohort.append(np.full(len(tested), index))
            long_log10.append(result.log10_p[result.tested])
            long_positive.append(result.rho[result.tested] >= 0)
            long_p.append(result.p[result.tested])
        if not long_keys:
            continue
        features, combined, p = stouffer_long(np.concatenate(long_keys), np.concatenate(long_cohort), len(blocks), np.concatenate(long_log10),
                                              np.concatenate(long_positive), np.concatenate(long_p))
        at = np.searchsorted(keys, features)
        meta["n_cohorts"][at] = combined.n_cohorts
        meta["n_agree"][at] = combined.n_agree
        meta["z"][at] = combined.z
        meta["p"][at] = p
        meta["log10_p"][at] = combined.log10_p
        meta["signed_log10_p"][at] = combined.signed_log10_p
    return _Exact(keys, per_block, meta["n_cohorts"], meta["n_agree"], meta["z"], meta["p"], meta["log10_p"], meta["signed_log10_p"])


def _top_by(owner: np.ndarray, log10_p: np.ndarray, partner_feature: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Indexes of the first `top` entries per owner in gene_trans's order (log10 p, then the
    partner's feature id), NaN excluded, and their ranks 1..k."""
    ok = np.flatnonzero(~np.isnan(log10_p))
    order = ok[np.lexsort((partner_feature[ok], log10_p[ok], owner[ok]))]
    if len(order) == 0:
        return order, np.empty(0, np.int64)
    owners = owner[order]
    first = np.r_[True, owners[1:] != owners[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    rank = np.arange(len(order)) - group_start + 1
    keep = rank <= top
    return order[keep], rank[keep]


def _store(conn: sa.Connection, omics_type: str, blocks: list[_Block], exact: _Exact, meta_candidates: list[np.ndarray], universe_ids: np.ndarray,
           top: int, run_id: int, report: TransReport) -> None:
    universe = len(universe_ids)
    stored_pairs = []  # (feature index, partner index) with a row in trans_result
    for index, b in enumerate(blocks):
        c = b.candidate
        block_id = conn.execute(sa.text(
            "INSERT INTO trans_block (cohort_code, omics_type, dataset_id, release_id, n_samples, n_features, n_pairs_tested, top_n, run_id) "
            "VALUES (:c, :o, :d, :r, :ns, :nf, :np, :top, :run) RETURNING block_id"),
            {"c": c.cohort_code, "o": omics_type, "d": c.dataset_id, "r": c.release_id, "ns": b.values.shape[1], "nf": len(b.feature_ids),
             "np": b.pairs_tested, "top": top, "run": run_id}).scalar_one()
        bulk_insert(conn, "trans_block_sample", {"sample_id": b.sample_ids, "stat_role": b.stat_roles}, extra={"block_id": block_id})
        owner = b.feature_at[b.cand_row]
        partner = b.feature_at[b.cand_partner]
        at = np.searchsorted(exact.keys, _pair_keys(owner, partner, universe))
        n_all, rho_all = exact.per_block[index]
        n, rho = n_all[at], rho_all[at]
        tests = finish_pairs(n, rho)  # p and log10 p of this block's candidates, as the one-pair kernel gives them
        chosen, rank = _top_by(owner, tests.log10_p, universe_ids[partner], top)
        log10_p = tests.log10_p[chosen]
        bulk_insert(conn, "trans_result", {
            "feature_id": universe_ids[owner[chosen]], "partner_feature_id": universe_ids[partner[chosen]], "partner_rank": rank,
            "n": n[chosen].astype(np.int64), "rho": rho[chosen], "p": tests.p[chosen], "log10_p": log10_p,
            "signed_log10_p": np.where(rho[chosen] >= 0, 1.0, -1.0) * -log10_p, "q": p_from_log10(b.cand_log10_q[chosen]),
        }, extra={"block_id": block_id})
        report.rows_written += len(chosen)
        stored_pairs.append((owner[chosen], partner[chosen]))
        report.computed.append(f"{c.label}: {len(b.feature_ids):,} features x {b.values.shape[1]} tumors, {b.pairs_tested:,} pairs tested, "
                               f"{len(chosen):,} top partners stored")
    # Meta P: each feature's top partners by it, and every pair a block stored
    lengths = np.array([len(m) for m in meta_candidates], dtype=np.int64)
    owner = np.repeat(np.arange(universe, dtype=np.int64), lengths)
    partner = np.concatenate(meta_candidates) if lengths.sum() else np.empty(0, np.int64)
    at = np.searchsorted(exact.keys, _pair_keys(owner, partner, universe))
    chosen, meta_rank = _top_by(owner, exact.meta_log10_p[at], universe_ids[partner], top)
    ranked_owner, ranked_partner = owner[chosen], partner[chosen]
    all_owner = np.concatenate([ranked_owner, *[o for o, _ in stored_pairs]])
    all_partner = np.concatenate([ranked_partner, *[p for _, p in stored_pairs]])
    directed = np.unique(all_owner * universe + all_partner)
    d_owner, d_partner = directed // universe, directed % universe
    rank_of = np.full(len(directed), -1, dtype=np.int64)
    rank_of[np.searchsorted(directed, ranked_owner * universe + ranked_partner)] = meta_rank
    at = np.searchsorted(exact.keys, _pair_keys(d_owner, d_partner, universe))
    defined = ~np.isnan(exact.meta_log10_p[at])  # perfect correlations of opposite signs have none
    at, d_owner, d_partner, rank_of = at[defined], d_owner[defined], d_partner[defined], rank_of[defined]
    bulk_insert(conn, "trans_meta", {
        "feature_id": universe_ids[d_owner], "partner_feature_id": universe_ids[d_partner],
        "meta_rank": [int(r) if r > 0 else None for r in rank_of.tolist()], "n_cohorts": exact.meta_n_cohorts[at].astype(np.int64),
        "n_agree": exact.meta_n_agree[at].astype(np.int64), "z": exact.meta_z[at], "p": exact.meta_p[at], "log10_p": exact.meta_log10_p[at],
        "signed_log10_p": exact.meta_signed_log10_p[at],
    }, extra={"omics_type": omics_type, "run_id": run_id})
    report.meta_rows[omics_type] = len(at)
    report.rows_written += len(at)


def run_derive_trans(engine: sa.Engine, command: str, progress: ProgressFn | None = None, top: int = DEFAULT_TOP,
                     omics: tuple[str, ...] = ALLPAIRS_OMICS) -> TransReport:
    """derive_trans as one logged, atomic run (etl.runs.run_logged_derive)."""
    from omicskb.etl.runs import run_logged_derive

    def summary(report: TransReport) -> tuple[str, int, int]:
        text = (f"trans: {len(report.computed)} blocks computed ({report.pairs_tested:,} pairs tested, {report.rows_written:,} rows stored), "
                f"{report.unchanged} unchanged, {report.stale_removed} removed")
        return text, report.rows_written, report.stale_removed

    return run_logged_derive(engine, command, lambda conn, run_id: derive_trans(conn, run_id, progress, top, omics), summary)
