"""Cis associations: `omicskb derive --analysis cis`'s engine.

Per cohort, on the tumors two default datasets share, the Spearman correlation of each feature of
one against its own gene's row in the other (etl.stats.spearman: re-ranked within each pair's
shared samples, R's cor.test conventions). queries/cis_blocks.sql says which pairs of omics types
are compared: every pair of cnv, methylation, rna and protein (in that order: x is the upstream
one), and each site-level omics type (phospho, acetyl) against its gene's cnv, rna and protein.

As for tumor vs normal (etl.tumor_normal), a block records the releases of its two datasets and the
role of every sample in them; `drop_stale` (run by every load and undo) deletes the blocks whose
inputs changed (queries/audit_cis_stale.sql), and derive computes only the missing ones, then the
Meta P (Stouffer) of each pair of omics types whose blocks changed.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np
import sqlalchemy as sa

from omicskb.etl.blocks import fetch_dataset_rows
from omicskb.etl.db import bulk_insert, delete_by_ids, fetch_text_table
from omicskb.etl.queries import run_saved
from omicskb.etl.stats import spearman
from omicskb.etl.stats.combine import bh_log10_q, stouffer_long
from omicskb.etl.stats.logp import p_from_log10
from omicskb.etl.stats.spearman import MIN_SHARED, Spearman, spearman_paired

ProgressFn = Callable[[str], None]

TOO_FEW_TUMORS = f"fewer than {MIN_SHARED} tumors in both datasets"
NO_SHARED_GENES = "no feature of y has its gene in x"
CHILD_TABLES = ("cis_result", "cis_block_sample")
PHASES = ("kernels", "fetch", "test", "write", "meta")


@dataclasses.dataclass
class CisCandidate:
    cohort_code: str
    omics_x: str
    omics_y: str
    dataset_x_id: int
    dataset_y_id: int
    dataset_x: str
    dataset_y: str
    release_x_id: int
    release_y_id: int

    @property
    def label(self) -> str:
        """'UCEC rna transcriptomics_linear ~ protein proteomics'"""
        return f"{self.cohort_code} {self.omics_x} {self.dataset_x} ~ {self.omics_y} {self.dataset_y}"


@dataclasses.dataclass
class CisReport:
    run_id: int | None = None
    computed: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    stale_removed: int = 0
    tests: int = 0
    meta: dict[str, int] = dataclasses.field(default_factory=dict)  # "rna~protein" -> Meta P rows
    meta_undefined: dict[str, int] = dataclasses.field(default_factory=dict)  # perfect correlations of opposite signs
    seconds: dict[str, float] = dataclasses.field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))


def drop_stale(conn: sa.Connection) -> tuple[int, set[tuple[str, str]]]:
    """Delete every cis block whose inputs changed, and the Meta P rows of their omics pairs.
    Returns (blocks deleted, (omics_x, omics_y) pairs whose Meta P went)."""
    stale = run_saved(conn, "audit_cis_stale")
    if not stale:
        return 0, set()
    ids = sorted({int(r["block_id"]) for r in stale})
    pairs = {(r["omics_x"], r["omics_y"]) for r in stale}
    delete_by_ids(conn, (*CHILD_TABLES, "cis_block"), "block_id", ids)
    for omics_x, omics_y in sorted(pairs):
        conn.execute(sa.text("DELETE FROM cis_meta WHERE omics_x = :x AND omics_y = :y"), {"x": omics_x, "y": omics_y})
    return len(ids), pairs


def candidates(conn: sa.Connection) -> list[CisCandidate]:
    """The blocks queries/cis_blocks.sql lists, in its order."""
    return [
        CisCandidate(r["cohort_code"], r["omics_x"], r["omics_y"], r["dataset_x_id"], r["dataset_y_id"], r["dataset_x"], r["dataset_y"],
                     r["release_x_id"], r["release_y_id"])
        for r in run_saved(conn, "cis_blocks")
    ]


@dataclasses.dataclass
class DatasetPart:
    """One dataset's rows, their features' genes, and its samples."""

    feature_ids: np.ndarray  # int64 per row
    gene_ids: np.ndarray  # object (str or None) per row
    values: np.ndarray  # rows x samples, NaN = missing
    sample_ids: np.ndarray  # int64 per column
    stat_roles: list[str | None]

    def tumor_columns(self) -> np.ndarray:
        return np.flatnonzero(np.array([r == "tumor" for r in self.stat_roles], dtype=bool))


def read_dataset(conn: sa.Connection, dataset_id: int) -> DatasetPart:
    import pyarrow as pa

    samples = conn.execute(
        sa.text("SELECT ds.sample_id, s.stat_role FROM dataset_sample AS ds JOIN sample AS s ON s.sample_id = ds.sample_id "
                "WHERE ds.dataset_id = :d ORDER BY ds.sample_ord"), {"d": dataset_id},
    ).all()
    _, feature_ids, values = fetch_dataset_rows(conn, dataset_id, len(samples))
    genes = fetch_text_table(
        conn,
        f"SELECT feature_id, gene_id FROM feature WHERE feature_id IN (SELECT feature_id FROM measurement_row WHERE dataset_id = {int(dataset_id)})",
        {"feature_id": pa.int64(), "gene_id": pa.string()},
    )
    known = genes.column("feature_id").to_numpy()
    order = np.argsort(known)
    gene_of = np.array(genes.column("gene_id").to_pylist(), dtype=object)[order]
    gene_ids = gene_of[np.searchsorted(known[order], feature_ids)]
    return DatasetPart(
        feature_ids=np.asarray(feature_ids, dtype=np.int64), gene_ids=gene_ids, values=values,
        sample_ids=np.array([s.sample_id for s in samples], dtype=np.int64), stat_roles=[s.stat_role for s in samples],
    )


@dataclasses.dataclass
class CisPairs:
    """A block's aligned pairs: y rows with their gene's x row, on the shared tumors."""

    shared_samples: np.ndarray  # sample ids, ascending
    x_feature_ids: np.ndarray
    y_feature_ids: np.ndarray
    x: np.ndarray  # pairs x shared samples
    y: np.ndarray


def align(x_part: DatasetPart, y_part: DatasetPart) -> CisPairs:
    """Pair each y row whose gene has an x row with that row, on the tumors both datasets hold
    (matched by sample id), in y's row order."""
    x_tumors, y_tumors = x_part.tumor_columns(), y_part.tumor_columns()
    shared, x_at, y_at = np.intersect1d(x_part.sample_ids[x_tumors], y_part.sample_ids[y_tumors], assume_unique=True, return_indices=True)
    x_columns, y_columns = x_tumors[x_at], y_tumors[y_at]
    x_row_of_gene = {g: i for i, g in enumerate(x_part.gene_ids.tolist()) if g is not None}
    x_rows = np.array([x_row_of_gene.get(g, -1) if g is not None else -1 for g in y_part.gene_ids.tolist()], dtype=np.int64)
    y_rows = np.flatnonzero(x_rows >= 0)
    x_rows = x_rows[y_rows]
    return CisPairs(
        shared_samples=shared,
        x_feature_ids=x_part.feature_ids[x_rows], y_feature_ids=y_part.feature_ids[y_rows],
        x=x_part.values[np.ix_(x_rows, x_columns)], y=y_part.values[np.ix_(y_rows, y_columns)],
    )


def derive_cis(conn: sa.Connection, run_id: int, progress: ProgressFn | None = None) -> CisReport:
    """In the caller's transaction: drop stale blocks, compute the missing ones, refresh the Meta P
    of the omics pairs that changed."""
    report = CisReport(run_id=run_id)
    removed, touched = drop_stale(conn)
    report.stale_removed = removed
    stored = conn.execute(sa.text("SELECT block_id, dataset_x_id, dataset_y_id, omics_x, omics_y FROM cis_block")).all()
    wanted = candidates(conn)
    wanted_keys = {(c.dataset_x_id, c.dataset_y_id) for c in wanted}
    orphans = [r for r in stored if (int(r.dataset_x_id), int(r.dataset_y_id)) not in wanted_keys]  # a dataset moved to another omics type, say
    if orphans:
        touched |= {(r.omics_x, r.omics_y) for r in orphans}
        delete_by_ids(conn, (*CHILD_TABLES, "cis_block"), "block_id", [int(r.block_id) for r in orphans])
        report.stale_removed += len(orphans)
    done = {(int(r.dataset_x_id), int(r.dataset_y_id)) for r in stored}
    todo = [c for c in wanted if (c.dataset_x_id, c.dataset_y_id) not in done]
    report.unchanged = len(wanted) - len(todo)
    if todo:
        if progress:
            progress("preparing the statistics kernels (compiled on first use; cached afterwards)")
        report.seconds["kernels"] = spearman.prepare()
    parts: dict[int, DatasetPart] = {}
    for i, candidate in enumerate(todo, 1):
        if progress:
            progress(f"cis {i}/{len(todo)}: {candidate.label}")
        started = time.perf_counter()
        for dataset_id in (candidate.dataset_x_id, candidate.dataset_y_id):
            if dataset_id not in parts:
                parts[dataset_id] = read_dataset(conn, dataset_id)
        # a cohort's datasets are read once for all its blocks; the next cohort's replace them
        later = {d for c in todo[i:] for d in (c.dataset_x_id, c.dataset_y_id)}
        pairs = align(parts[candidate.dataset_x_id], parts[candidate.dataset_y_id])
        for dataset_id in [d for d in parts if d not in later]:
            del parts[dataset_id]
        report.seconds["fetch"] += time.perf_counter() - started
        started = time.perf_counter()
        reason = TOO_FEW_TUMORS if len(pairs.shared_samples) < MIN_SHARED else NO_SHARED_GENES if len(pairs.y_feature_ids) == 0 else None
        result = spearman_paired(pairs.x, pairs.y) if reason is None else None
        log10_q = bh_log10_q(result.log10_p) if result is not None else None
        report.seconds["test"] += time.perf_counter() - started
        started = time.perf_counter()
        report.computed.append(_store(conn, candidate, pairs, result, log10_q, reason, run_id, report))
        report.seconds["write"] += time.perf_counter() - started
        touched.add((candidate.omics_x, candidate.omics_y))
    for omics_x, omics_y in sorted(touched | _pairs_without_meta(conn)):
        started = time.perf_counter()
        key = f"{omics_x}~{omics_y}"
        report.meta[key], undefined = refresh_meta(conn, omics_x, omics_y, run_id)
        if undefined:
            report.meta_undefined[key] = undefined
        report.seconds["meta"] += time.perf_counter() - started
    return report


def _pairs_without_meta(conn: sa.Connection) -> set[tuple[str, str]]:
    """Omics pairs with tested blocks but no Meta P rows (a load dropped them with a stale block)."""
    rows = conn.execute(sa.text(
        "SELECT DISTINCT b.omics_x, b.omics_y FROM cis_block AS b WHERE b.n_tested > 0 "
        "AND NOT EXISTS (SELECT 1 FROM cis_meta AS m WHERE m.omics_x = b.omics_x AND m.omics_y = b.omics_y)")).all()
    return {(r.omics_x, r.omics_y) for r in rows}


def _store(conn: sa.Connection, c: CisCandidate, pairs: CisPairs, result: Spearman | None, log10_q: np.ndarray | None,
           reason: str | None, run_id: int, report: CisReport) -> str:
    tested = int(result.tested.sum()) if result is not None else 0
    block_id = conn.execute(
        sa.text(
            "INSERT INTO cis_block (cohort_code, omics_x, omics_y, dataset_x_id, dataset_y_id, release_x_id, release_y_id, n_samples, n_pairs, "
            "n_tested, reason, run_id) VALUES (:c, :ox, :oy, :dx, :dy, :rx, :ry, :ns, :np, :nt, :reason, :run) RETURNING block_id"
        ),
        {"c": c.cohort_code, "ox": c.omics_x, "oy": c.omics_y, "dx": c.dataset_x_id, "dy": c.dataset_y_id, "rx": c.release_x_id,
         "ry": c.release_y_id, "ns": len(pairs.shared_samples), "np": len(pairs.y_feature_ids), "nt": tested, "reason": reason, "run": run_id},
    ).scalar_one()
    samples = conn.execute(sa.text(
        "SELECT DISTINCT ds.sample_id, s.stat_role FROM dataset_sample AS ds JOIN sample AS s ON s.sample_id = ds.sample_id "
        "WHERE ds.dataset_id IN (:x, :y) ORDER BY ds.sample_id"), {"x": c.dataset_x_id, "y": c.dataset_y_id}).all()
    bulk_insert(conn, "cis_block_sample", {"sample_id": [s.sample_id for s in samples], "stat_role": [s.stat_role for s in samples]},
                extra={"block_id": block_id})
    if result is not None:
        bulk_insert(conn, "cis_result", {
            "feature_id": pairs.y_feature_ids, "x_feature_id": pairs.x_feature_ids,
            "n": result.n, "rho": result.rho, "p": result.p, "log10_p": result.log10_p,
            "signed_log10_p": result.signed_log10_p, "q": p_from_log10(log10_q), "skip_reason": result.reason,
        }, extra={"block_id": block_id})
        report.tests += tested
    if reason:
        return f"{c.label}: {reason} ({len(pairs.shared_samples)} shared tumors); not tested"
    return f"{c.label}: {len(pairs.shared_samples)} shared tumors, {tested:,} of {len(pairs.y_feature_ids):,} pairs tested"


def refresh_meta(conn: sa.Connection, omics_x: str, omics_y: str, run_id: int) -> tuple[int, int]:
    """Recompute the Meta P of one omics pair from its stored blocks. Returns (rows written, y
    features left without one: perfect correlations of opposite signs, whose Z are +inf and -inf)."""
    import pyarrow as pa

    conn.execute(sa.text("DELETE FROM cis_meta WHERE omics_x = :x AND omics_y = :y"), {"x": omics_x, "y": omics_y})
    blocks = conn.execute(sa.text("SELECT block_id, cohort_code FROM cis_block WHERE omics_x = :x AND omics_y = :y AND n_tested > 0 ORDER BY cohort_code"),
                          {"x": omics_x, "y": omics_y}).all()
    if not blocks:
        return 0, 0
    cohorts = sorted({r.cohort_code for r in blocks})
    cohort_of = {int(r.block_id): cohorts.index(r.cohort_code) for r in blocks}
    ids = ", ".join(str(i) for i in cohort_of)  # integers from the database
    table = fetch_text_table(
        conn, f"SELECT block_id, feature_id, rho, p, log10_p FROM cis_result WHERE block_id IN ({ids}) AND log10_p IS NOT NULL",
        {"block_id": pa.int64(), "feature_id": pa.int64(), "rho": pa.float64(), "p": pa.float64(), "log10_p": pa.float64()},
    )
    if table.num_rows == 0:
        return 0, 0
    lookup = np.array(sorted(cohort_of))
    cohort_at = np.array([cohort_of[int(i)] for i in lookup])[np.searchsorted(lookup, table.column("block_id").to_numpy())]
    feature_ids, meta, p = stouffer_long(table.column("feature_id").to_numpy(), cohort_at, len(cohorts), table.column("log10_p").to_numpy(),
                                         table.column("rho").to_numpy() >= 0, table.column("p").to_numpy())
    defined = ~np.isnan(meta.log10_p)
    bulk_insert(conn, "cis_meta", {
        "feature_id": feature_ids[defined], "n_cohorts": meta.n_cohorts[defined], "n_agree": meta.n_agree[defined],
        "z": meta.z[defined], "p": p[defined], "log10_p": meta.log10_p[defined],
        "signed_log10_p": meta.signed_log10_p[defined],
    }, extra={"omics_x": omics_x, "omics_y": omics_y, "run_id": run_id})
    return int(defined.sum()), int((~defined).sum())


def run_derive_cis(engine: sa.Engine, command: str, progress: ProgressFn | None = None) -> CisReport:
    """derive_cis as one logged, atomic run (etl.runs.run_logged_derive)."""
    from omicskb.etl.runs import run_logged_derive

    def summary(report: CisReport) -> tuple[str, int, int]:
        text = f"cis: {len(report.computed)} blocks computed ({report.tests:,} tests), {report.unchanged} unchanged, {report.stale_removed} stale removed"
        return text, report.tests, report.stale_removed

    return run_logged_derive(engine, command, lambda conn, run_id: derive_cis(conn, run_id, progress), summary)
