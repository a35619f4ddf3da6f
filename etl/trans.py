"""Trans associations on demand: one gene against every other feature of its omics type, in every
cohort, computed exactly when `query gene_trans` runs.

For each cohort's default dataset of the omics type (tumors only), the gene's row is correlated with
every other row by etl.stats.spearman (each pair re-ranked on the samples both have, R's cor.test
conventions), with a BH q within the cohort and Stouffer's Meta P across cohorts for each partner.
The result is the computed input `trans_pairs` that queries/gene_trans.sql reads (etl.queries runs
the provider, registers its table, then the SQL).

The datasets are read on a second DuckDB connection in a thread while the previous cohort is
computed: the read and the statistics overlap.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from omicskb.etl.blocks import duckdb_dataset_rows, fetch_dataset_rows
from omicskb.etl.db import duckdb_side_connection, is_duckdb
from omicskb.etl.stats.combine import bh_log10_q, stouffer_long
from omicskb.etl.stats.logp import p_from_log10
from omicskb.etl.stats.spearman import spearman_one_vs_rows

TRANS_PAIRS_SCHEMA = pa.schema([
    ("cohort", pa.string()), ("omics", pa.string()), ("feature_id", pa.int64()), ("n", pa.int64()),
    ("rho", pa.float64()), ("p", pa.float64()), ("log10_p", pa.float64()), ("signed_log10_p", pa.float64()),
    ("q", pa.float64()), ("is_meta", pa.bool_()), ("n_agree", pa.int64()), ("note", pa.string()),
])


@dataclasses.dataclass
class CohortDataset:
    cohort_code: str
    dataset_id: int
    n_samples: int
    release_id: int
    tumor_columns: np.ndarray
    gene_row_feature: int | None  # the gene's feature id in this dataset, None if it has no row


@dataclasses.dataclass
class TransTiming:
    seconds: dict[str, float] = dataclasses.field(default_factory=lambda: dict.fromkeys(("plan", "fetch", "waiting_fetch", "test", "meta"), 0.0))


def _plan(conn: sa.Connection, gene_id: str, omics: str) -> list[CohortDataset]:
    """Each cohort's default dataset of `omics`, its tumor columns and the gene's feature in it."""
    datasets = conn.execute(sa.text(
        "SELECT d.dataset_id, d.cohort_code, d.n_samples, d.release_id FROM dataset AS d WHERE d.omics_type = :o AND d.is_default ORDER BY d.cohort_code"),
        {"o": omics}).all()
    if not datasets:
        return []
    ids = [int(d.dataset_id) for d in datasets]
    roles = conn.execute(
        sa.text("SELECT ds.dataset_id, ds.sample_ord, s.stat_role FROM dataset_sample AS ds JOIN sample AS s ON s.sample_id = ds.sample_id "
                "WHERE ds.dataset_id IN :ids ORDER BY ds.dataset_id, ds.sample_ord").bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": ids}).all()
    tumors: dict[int, list[int]] = {i: [] for i in ids}
    for r in roles:
        if r.stat_role == "tumor":
            tumors[int(r.dataset_id)].append(int(r.sample_ord) - 1)
    features = conn.execute(
        sa.text("SELECT m.dataset_id, m.feature_id FROM measurement_row AS m JOIN feature AS f ON f.feature_id = m.feature_id "
                "WHERE f.gene_id = :g AND f.feature_kind = 'gene' AND m.dataset_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
        {"g": gene_id, "ids": ids}).all()
    feature_of = {int(r.dataset_id): int(r.feature_id) for r in features}
    return [CohortDataset(d.cohort_code, int(d.dataset_id), int(d.n_samples), int(d.release_id), np.array(tumors[int(d.dataset_id)], dtype=np.int64),
                          feature_of.get(int(d.dataset_id))) for d in datasets]


def one_against_all(conn: sa.Connection, gene_id: str, omics: str, timing: TransTiming | None = None) -> pa.Table:
    """The `trans_pairs` table: per cohort, the gene against every other row of the default dataset
    of `omics` (tumors), then a META row per partner. A cohort whose dataset lacks the gene gives
    one row with a note and no partner."""
    timing = timing or TransTiming()
    started = time.perf_counter()
    plan = _plan(conn, gene_id, omics)
    timing.seconds["plan"] += time.perf_counter() - started
    wanted = [c for c in plan if c.gene_row_feature is not None]
    parts: list[dict[str, Any]] = []
    for c in plan:
        if c.gene_row_feature is None:
            parts.append(_note_row(c.cohort_code, omics, f"the gene has no row in {c.cohort_code}'s default {omics} dataset"))
    per_cohort = []
    for c, (feature_ids, values) in zip(wanted, _read_in_turn(conn, wanted, timing)):
        started = time.perf_counter()
        tumors = values[:, c.tumor_columns] if len(c.tumor_columns) != values.shape[1] else values
        own = np.flatnonzero(feature_ids == c.gene_row_feature)
        x = tumors[own[0]]
        others = np.ones(len(feature_ids), dtype=bool)
        others[own] = False
        result = spearman_one_vs_rows(x, tumors[others])
        partners = feature_ids[others]
        log10_q = bh_log10_q(result.log10_p)
        per_cohort.append((c.cohort_code, partners, result))
        parts.append({
            "cohort": [c.cohort_code] * len(partners), "omics": [omics] * len(partners), "feature_id": partners, "n": result.n,
            "rho": result.rho, "p": result.p, "log10_p": result.log10_p, "signed_log10_p": result.signed_log10_p,
            "q": p_from_log10(log10_q), "is_meta": np.zeros(len(partners), dtype=bool), "n_agree": np.full(len(partners), None),
            "note": result.reason,
        })
        timing.seconds["test"] += time.perf_counter() - started
    started = time.perf_counter()
    if per_cohort:
        parts.append(_meta(per_cohort, omics))
    timing.seconds["meta"] += time.perf_counter() - started
    tables = [pa.table({name: pa.array(part[name], type=TRANS_PAIRS_SCHEMA.field(name).type, from_pandas=True) for name in TRANS_PAIRS_SCHEMA.names},
                       schema=TRANS_PAIRS_SCHEMA) for part in parts]
    return pa.concat_tables(tables) if tables else TRANS_PAIRS_SCHEMA.empty_table()


def _note_row(cohort: str, omics: str, note: str) -> dict[str, Any]:
    return {"cohort": [cohort], "omics": [omics], "feature_id": [None], "n": [None], "rho": [None], "p": [None], "log10_p": [None],
            "signed_log10_p": [None], "q": [None], "is_meta": [False], "n_agree": [None], "note": [note]}


def _meta(per_cohort: list, omics: str) -> dict[str, Any]:
    """Stouffer's Meta P per partner over the cohorts where it was tested."""
    tested = [r.tested for _, _, r in per_cohort]
    every, meta, p = stouffer_long(
        np.concatenate([partners[t] for (_, partners, _), t in zip(per_cohort, tested)]),
        np.concatenate([np.full(int(t.sum()), i) for i, t in enumerate(tested)]), len(per_cohort),
        np.concatenate([r.log10_p[t] for (_, _, r), t in zip(per_cohort, tested)]),
        np.concatenate([r.rho[t] >= 0 for (_, _, r), t in zip(per_cohort, tested)]),
        np.concatenate([r.p[t] for (_, _, r), t in zip(per_cohort, tested)]))
    n = len(every)
    undefined = np.isnan(meta.log10_p)
    return {
        "cohort": ["META"] * n, "omics": [omics] * n, "feature_id": every, "n": meta.n_cohorts, "rho": np.full(n, np.nan),
        "p": p, "log10_p": meta.log10_p, "signed_log10_p": meta.signed_log10_p, "q": np.full(n, np.nan),
        "is_meta": np.ones(n, dtype=bool), "n_agree": meta.n_agree,
        "note": np.where(undefined, "perfect correlations of opposite signs: no Meta P", None),
    }


class _OtherSnapshot(Exception):
    """The side connection sees another release of a dataset than the caller's connection."""


def _read_in_turn(conn: sa.Connection, wanted: list[CohortDataset], timing: TransTiming) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(feature ids, values) of each dataset in turn. On DuckDB a thread reads the next one on a
    connection of its own while the caller computes. That connection is outside the caller's
    transaction, so it first checks that it sees the releases the caller's connection does (as
    etl.tumor_normal's prefetch does); if not, the dataset is read on the caller's connection."""

    def on_caller_connection(c: CohortDataset) -> tuple[np.ndarray, np.ndarray]:
        started = time.perf_counter()
        _, feature_ids, values = fetch_dataset_rows(conn, c.dataset_id, c.n_samples)
        timing.seconds["fetch"] += time.perf_counter() - started
        return np.asarray(feature_ids, dtype=np.int64), values

    if not wanted:
        return
    if not is_duckdb(conn):
        for c in wanted:
            yield on_caller_connection(c)
        return
    side = duckdb_side_connection(conn)

    def read(c: CohortDataset) -> tuple[np.ndarray, np.ndarray]:
        side.begin()  # one snapshot for the check and the read
        try:
            seen = side.sql("SELECT release_id FROM dataset WHERE dataset_id = $1", params=[c.dataset_id]).fetchall()
            if seen != [(c.release_id,)]:
                raise _OtherSnapshot
            started = time.perf_counter()
            _, feature_ids, values = duckdb_dataset_rows(side, c.dataset_id, c.n_samples)
            timing.seconds["fetch"] += time.perf_counter() - started
            return np.asarray(feature_ids, dtype=np.int64), values
        finally:
            side.rollback()  # it only read

    try:
        with ThreadPoolExecutor(1, thread_name_prefix="omicskb-trans-read") as reader:
            pending = reader.submit(read, wanted[0])
            try:
                for i, c in enumerate(wanted):
                    started = time.perf_counter()
                    try:
                        done = pending.result()
                    except _OtherSnapshot:
                        done = on_caller_connection(c)
                    timing.seconds["waiting_fetch"] += time.perf_counter() - started
                    if i + 1 < len(wanted):
                        pending = reader.submit(read, wanted[i + 1])
                    yield done
            except BaseException:
                pending.cancel()
                raise
    finally:
        side.close()


def resolve_gene(conn: sa.Connection, gene: str) -> str | None:
    """The GeneID `gene` names, by the rule the saved queries apply (view gene_name: GeneID, then
    official symbol, then alias or previous symbol); None if none. Raises QueryError when two genes
    share the best match (the CLI's lookup says which)."""
    from omicskb.etl.queries import QueryError

    rows = conn.execute(sa.text("SELECT gene_id, precedence FROM gene_name WHERE name = upper(trim(:g))"), {"g": gene}).all()
    if not rows:
        return None
    best = min(r.precedence for r in rows)
    genes = sorted({r.gene_id for r in rows if r.precedence == best})
    if len(genes) > 1:
        raise QueryError(f"gene {gene!r} names {len(genes)} genes (GeneIDs {', '.join(genes[:5])}): give the GeneID")
    return genes[0]


def trans_pairs_input(conn: sa.Connection, gene: str, omics: str, **_: Any) -> pa.Table:
    """The computed input of queries/gene_trans.sql (etl.queries.COMPUTED_INPUTS): empty when the
    gene is unknown, as the SQL's own lookup then finds nothing either."""
    from omicskb.etl.queries import QueryError

    known = [r[0] for r in conn.execute(sa.text("SELECT code FROM omics_type WHERE feature_level = 'gene' ORDER BY code")).all()]
    if omics not in known:
        raise QueryError(f"omics {omics!r} is not a gene-level omics type ({', '.join(known)})")
    gene_id = resolve_gene(conn, gene)
    return one_against_all(conn, gene_id, omics) if gene_id is not None else TRANS_PAIRS_SCHEMA.empty_table()
