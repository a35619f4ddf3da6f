"""Tumor vs normal for every block that has both roles: `omicskb derive`'s engine.

A comparison is a block (etl.blocks): one dataset whose samples include tumors and normals, or a
declared tumor/normal pair of datasets (etl.datasets). For each, every feature gets R's
wilcox.test(tumor, normal) (etl.stats.ranksum), a BH q within the comparison, and box statistics
per role; then Stouffer's Meta P per omics and feature over the cohorts' default comparisons.

Results point at what they were computed from: the releases of the block's datasets and the role
of every sample in it (tn_comparison, tn_comparison_sample). `drop_stale` deletes every comparison
whose inputs changed (queries/audit_tn_stale.sql), and the Meta P of its omics type; loads and undos call it in their own
transaction, so no stale result outlives the change that made it stale. `derive` then computes
only the comparisons that are missing, and the Meta P of the omics types they touch.

`derive --pair` declares pairs first, in the same transaction (`declare_pairs`): a failed derive
leaves the pairs as they were.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import sqlalchemy as sa

from omicskb.etl.blocks import BlockPlan, RoleMatrices, RowReader, duckdb_dataset_rows, fetch_dataset_rows, fetch_planned_roles, plan_blocks
from omicskb.etl.datasets import declare_pair, find_dataset, remove_pair
from omicskb.etl.db import CodedText, bulk_insert, delete_by_ids, duckdb_side_connection, duckdb_threads, fetch_text_table, is_duckdb, numpy_of
from omicskb.etl.queries import run_saved
from omicskb.etl.stats.box import Box
from omicskb.etl.stats.combine import bh_log10_q, stouffer_with_single
from omicskb.etl.stats import kernels
from omicskb.etl.stats.logp import p_from_log10
from omicskb.etl.stats.ranksum import RankSum, rank_sum_with_boxes

NO_NORMALS = "no normal samples"

ProgressFn = Callable[[str], None]

MAIN_PHASES = ("kernels", "plan", "waiting_fetch", "rank", "q", "waiting_write", "meta")  # rank: sorts, tests and boxes, chunk by chunk
BACKGROUND_PHASES = ("fetch", "write", "meta_by_writer")  # meta_by_writer: an omics type's Meta P, refreshed once its last block is written
PREFETCH_LARGEST = 2  # blocks are read ahead of the one being computed while they hold at most as many values as this many of the largest
DUCKDB_THREADS = 1  # DuckDB's worker threads while run_derive runs (etl.db.duckdb_threads)
WRITE_QUEUE = 2  # computed blocks waiting for, or in, the writer thread (each holds its results in memory)

CHILD_TABLES = ("tn_box_outlier", "tn_box", "tn_result", "tn_comparison_sample")


@dataclasses.dataclass
class Candidate:
    cohort_code: str
    omics_type: str
    tumor_dataset_id: int
    normal_dataset_id: int
    tumor_name: str
    tumor_release_id: int
    normal_release_id: int
    is_default: bool
    normal_name: str = ""

    @property
    def label(self) -> str:
        """'UCEC protein proteomics', or 'LUAD protein proteomics_tumor + proteomics_normal' for a pair."""
        pair = f" + {self.normal_name}" if self.normal_dataset_id != self.tumor_dataset_id else ""
        return f"{self.cohort_code} {self.omics_type} {self.tumor_name}{pair}"


@dataclasses.dataclass
class DeriveReport:
    run_id: int | None = None
    computed: list[str] = dataclasses.field(default_factory=list)  # "UCEC protein proteomics: 10,018 of 10,999 features tested"
    unchanged: int = 0
    unchanged_blocks: list[str] = dataclasses.field(default_factory=list)  # Candidate.label of each
    pairs_declared: list[str] = dataclasses.field(default_factory=list)  # declare_pairs' notes
    stale_removed: int = 0
    tests: int = 0
    meta: dict[str, int] = dataclasses.field(default_factory=dict)  # omics -> Meta P rows
    # Where the time went. MAIN_PHASES add up to derive's own time (less the stale check and the
    # commit); "fetch" and "write" ran in background threads, overlapping them.
    seconds: dict[str, float] = dataclasses.field(default_factory=lambda: dict.fromkeys((*MAIN_PHASES, *BACKGROUND_PHASES), 0.0))


def drop_stale(conn: sa.Connection) -> tuple[int, set[str]]:
    """Delete every comparison whose inputs changed, and the Meta P rows of their omics types.
    Returns (comparisons deleted, omics types whose Meta P went)."""
    # The audit's definition of stale (a dataset gone or at another release, a pair undone, a
    # default moved, a sample's role changed) is the one place that says it.
    stale = run_saved(conn, "audit_tn_stale")
    if not stale:
        return 0, set()
    ids = sorted({int(r["comparison_id"]) for r in stale})
    omics = {r["omics_type"] for r in stale}
    delete_by_ids(conn, (*CHILD_TABLES, "tn_comparison"), "comparison_id", ids)
    conn.execute(sa.text("DELETE FROM tn_meta WHERE omics_type IN :o").bindparams(sa.bindparam("o", expanding=True)), {"o": sorted(omics)})
    return len(ids), omics


def candidates(conn: sa.Connection) -> list[Candidate]:
    """The blocks with tumors that queries/tumor_normal_pairs.sql lists (it says which omics types
    are compared, and how blocks are formed), in dataset order."""
    rows = [r for r in run_saved(conn, "tumor_normal_pairs") if r["n_tumor_samples"]]  # a normal-only dataset compares nothing
    return [
        Candidate(r["cohort_code"], r["omics_type"], r["tumor_dataset_id"], r["normal_dataset_id"], r["tumor_dataset"], r["tumor_release_id"],
                  r["normal_release_id"], r["is_default"], r["normal_dataset"])
        for r in sorted(rows, key=lambda r: (r["cohort_code"], r["omics_type"], r["tumor_dataset_id"]))
    ]


def declare_pairs(conn: sa.Connection, pairs: Sequence[tuple[str, str, str, str]]) -> list[str]:
    """Pair each (cohort, omics, tumor name, normal name), declared by the user: either dataset's
    other pair (automatic or declared) is undone first, so this overrides it; a pair that exists
    already stays as it is. Raises what `declare_pair` raises (exit 1). Returns the notes."""
    notes: list[str] = []
    for cohort, omics, tumor_name, normal_name in pairs:
        tumor = find_dataset(conn, cohort, omics, tumor_name)
        normal = find_dataset(conn, cohort, omics, normal_name)
        if not (tumor.pair_role == "tumor" and tumor.paired_with == normal.dataset_id):
            for name in (tumor_name, normal_name):
                if find_dataset(conn, cohort, omics, name).pair_role is not None:
                    notes += remove_pair(conn, cohort, omics, name)
        notes += declare_pair(conn, cohort, omics, tumor_name, normal_name, declared_by="user")
    return notes


def derive_tumor_normal(
    conn: sa.Connection, run_id: int, progress: ProgressFn | None = None, pairs: Sequence[tuple[str, str, str, str]] = ()
) -> DeriveReport:
    """In the caller's transaction: declare `pairs` (see `declare_pairs`), drop stale comparisons,
    compute the missing ones, refresh the Meta P of the omics types that changed."""
    report = DeriveReport(run_id=run_id)
    report.pairs_declared = declare_pairs(conn, pairs)

    def start_kernels() -> Future[float]:
        if progress:
            progress("preparing the statistics kernels (compiled on first use, about 30 s; cached afterwards)")
        # loaded (or compiled) in the background while the blocks are planned and the first are fetched
        preparing = ThreadPoolExecutor(1, thread_name_prefix="omicskb-kernels")
        ready = preparing.submit(kernels.prepare)
        preparing.shutdown(wait=False)
        return ready

    # a block never compared needs the kernels whatever the stale check finds: they start loading now
    # (the stale check deletes comparisons only: the candidates stay what they are now)
    wanted = candidates(conn)
    compared = {tuple(r) for r in conn.execute(sa.text("SELECT tumor_dataset_id, normal_dataset_id FROM tn_comparison"))}
    kernels_ready: Future[float] | None = None
    if any((c.tumor_dataset_id, c.normal_dataset_id) not in compared for c in wanted):
        kernels_ready = start_kernels()
    removed, touched = drop_stale(conn)
    report.stale_removed = removed
    stored = conn.execute(sa.text("SELECT comparison_id, tumor_dataset_id, normal_dataset_id, omics_type FROM tn_comparison")).all()
    done = {(int(r.tumor_dataset_id), int(r.normal_dataset_id)) for r in stored}
    wanted_keys = {(c.tumor_dataset_id, c.normal_dataset_id) for c in wanted}
    # comparisons no block asks for any more (a dataset moved to another omics type, say)
    orphans = [r for r in stored if (int(r.tumor_dataset_id), int(r.normal_dataset_id)) not in wanted_keys]
    if orphans:
        touched |= {r.omics_type for r in orphans}
        delete_by_ids(conn, (*CHILD_TABLES, "tn_comparison"), "comparison_id", [int(r.comparison_id) for r in orphans])
        report.stale_removed += len(orphans)
    todo = [c for c in wanted if (c.tumor_dataset_id, c.normal_dataset_id) not in done]
    report.unchanged = len(wanted) - len(todo)
    if todo and kernels_ready is None:
        kernels_ready = start_kernels()
    report.unchanged_blocks = [c.label for c in wanted if (c.tumor_dataset_id, c.normal_dataset_id) in done]
    started = time.perf_counter()
    members = [[c.tumor_dataset_id] if c.normal_dataset_id == c.tumor_dataset_id else [c.tumor_dataset_id, c.normal_dataset_id] for c in todo]
    planned = list(zip(plan_blocks(conn, members), todo))
    planned = _pipeline_order(planned)
    todo = [c for _, c in planned]
    plans = [(plan, {c.tumor_dataset_id: c.tumor_release_id, c.normal_dataset_id: c.normal_release_id}) for plan, c in planned]
    report.seconds["plan"] = time.perf_counter() - started
    # Three stages overlap: the next block is fetched (_blocks_in_turn) and the previous one is
    # written (on derive's connection, in a thread of its own) while this one is computed.
    with ThreadPoolExecutor(1, thread_name_prefix="omicskb-write") as writer:
        writing: collections.deque[Future[str | None]] = collections.deque()  # writes queued or in flight, oldest first

        def finish_writing(keep: int = 0) -> None:
            """Wait until at most `keep` writes are queued or in flight (0: derive's connection is free)."""
            started = time.perf_counter()
            while len(writing) > keep:
                line = writing.popleft().result()
                if line is not None:  # a block's (a Meta P refresh says nothing here)
                    report.computed.append(line)
            report.seconds["waiting_write"] += time.perf_counter() - started

        def refresh_meta_behind(omics: str) -> None:
            started = time.perf_counter()
            report.meta[omics] = refresh_meta(conn, omics, run_id)
            report.seconds["meta_by_writer"] += time.perf_counter() - started

        # An omics type's Meta P is refreshed by the writer right after its last block is written,
        # overlapping the blocks still to compute, rather than all at the end.
        last_of_omics = {c.omics_type: i for i, c in enumerate(todo, 1)}

        buffers = _Buffers()
        blocks = _blocks_in_turn(conn, plans, report.seconds, finish_writing, buffers)
        try:
            for i, candidate in enumerate(todo, 1):
                if progress:
                    progress(f"tumor vs normal {i}/{len(todo)}: {candidate.cohort_code} {candidate.omics_type} {candidate.tumor_name}")
                started, waited_on_writes = time.perf_counter(), report.seconds["waiting_write"]
                block = next(blocks)  # (it may first wait for the writes: counted as waiting_write only)
                report.seconds["waiting_fetch"] += time.perf_counter() - started - (report.seconds["waiting_write"] - waited_on_writes)
                if kernels_ready is not None:
                    started = time.perf_counter()
                    kernels_ready.result()
                    kernels_ready = None
                    report.seconds["kernels"] = time.perf_counter() - started  # what the wait cost
                computed = _compute(block, report)
                buffers.give_back(block.role_values.values())  # the writes need only the block's ids
                block.role_values = {}
                finish_writing(keep=WRITE_QUEUE - 1)
                writing.append(writer.submit(_store, conn, candidate, computed, run_id, report))
                touched.add(candidate.omics_type)
                if last_of_omics[candidate.omics_type] == i:
                    writing.append(writer.submit(refresh_meta_behind, candidate.omics_type))
            finish_writing()
        except BaseException:
            for queued in writing:
                queued.cancel()  # a write not yet started never starts; one in flight finishes
            raise
        finally:
            blocks.close()
    # (on an error, leaving the with-block waited for the write in flight before the rollback)
    # report in block order, not in the pipeline's (report.computed[i] is todo[i]'s line)
    listed = sorted(range(len(todo)), key=lambda i: (todo[i].cohort_code, todo[i].omics_type, todo[i].tumor_dataset_id))
    report.computed = [report.computed[i] for i in listed]
    for omics in sorted((touched | _omics_without_meta(conn)) - set(report.meta)):  # stale ones only, or a Meta P missing
        started = time.perf_counter()
        report.meta[omics] = refresh_meta(conn, omics, run_id)
        report.seconds["meta"] += time.perf_counter() - started
    report.meta = dict(sorted(report.meta.items()))
    return report


def _size(plan: BlockPlan) -> int:
    return sum(d.n_features * d.n_samples for d in plan.members)


def _pipeline_order(planned: list[tuple[BlockPlan, Candidate]]) -> list[tuple[BlockPlan, Candidate]]:
    """Small blocks first, as many as together hold fewer values than the largest block: they are
    computed while the largest is read (nothing overlaps the first reads, and the kernels load
    then). Then the rest, largest first, so that the last write, which nothing overlaps either,
    is a small one."""
    if len(planned) < 3:
        return planned
    ascending = sorted(planned, key=lambda item: _size(item[0]))
    largest = _size(ascending[-1][0])
    first, total = [], 0
    for item in ascending[:-2]:  # (at least two blocks are left for the descending part)
        if total + _size(item[0]) >= largest:
            break
        first.append(item)
        total += _size(item[0])
    rest = ascending[len(first):]
    return [*first, *reversed(rest)]


def _omics_without_meta(conn: sa.Connection) -> set[str]:
    return {r[0] for r in conn.execute(sa.text(
        "SELECT DISTINCT c.omics_type FROM tn_comparison AS c WHERE c.is_default AND c.n_tested > 0 "
        "AND NOT EXISTS (SELECT 1 FROM tn_meta AS m WHERE m.omics_type = c.omics_type)"))}


class _OtherSnapshot(Exception):
    """The side connection sees other releases than derive's transaction (uncommitted or newer)."""


class _Buffers:
    """Float buffers handed back by blocks already computed, for the next fetches to fill: memory a
    process touches for the first time is slow on some machines (this VM: 2-3 s of system time per
    GB), and the fetched values are most of what derive allocates."""

    def __init__(self) -> None:
        self._free: list[np.ndarray] = []
        self._lock = threading.Lock()

    def take(self, size: int) -> np.ndarray:
        """A float64 array of `size` (its contents arbitrary): the smallest free buffer that holds
        it, else a new one."""
        with self._lock:
            fits = [i for i, buffer in enumerate(self._free) if buffer.size >= size]
            if fits:
                return self._free.pop(min(fits, key=lambda i: self._free[i].size)).reshape(-1)[:size]
        return np.empty(size)

    def give_back(self, matrices: Iterable[np.ndarray]) -> None:
        """The memory under `matrices`, which nothing reads any more."""
        with self._lock:
            for matrix in matrices:
                owner = matrix if matrix.base is None else matrix.base
                if isinstance(owner, np.ndarray) and owner.dtype == np.float64 and owner.flags.c_contiguous and owner.flags.writeable \
                        and owner.size and not any(owner is kept for kept in self._free):
                    self._free.append(owner)  # the owner itself, so that `is` finds it again


def _blocks_in_turn(conn: sa.Connection, todo: list[tuple[BlockPlan, dict[int, int]]], seconds: dict[str, float],
                    free_connection: Callable[[], None], buffers: _Buffers) -> Iterator[RoleMatrices]:
    """Each planned block's role matrices, in turn; `todo` pairs each plan with the release each of
    its datasets holds in derive's transaction. `free_connection` is called before any read on
    derive's connection (the writer thread may be using it).

    On DuckDB the next block is fetched on a connection of its own, in a background thread, while
    the caller computes the current one (DuckDB's scan uses one core, and the kernels release the
    GIL). That connection is outside derive's transaction, so it first checks that it sees the
    same releases; if not (a caller that loaded in the same transaction, or a load committed since)
    the block is read on derive's own connection instead."""

    def fetch(plan: BlockPlan, read: RowReader) -> RoleMatrices:
        started = time.perf_counter()
        block = fetch_planned_roles(plan, read)
        seconds["fetch"] += time.perf_counter() - started
        return block

    def on_derive_connection(plan: BlockPlan) -> RoleMatrices:
        free_connection()
        return fetch(plan, lambda d, n: fetch_dataset_rows(conn, d, n))

    if not todo:
        return
    if not is_duckdb(conn):
        for plan, _ in todo:
            yield on_derive_connection(plan)
        return
    side = duckdb_side_connection(conn)

    def prefetch(plan: BlockPlan, releases: dict[int, int]) -> RoleMatrices:
        side.begin()  # one snapshot for the check and every read of the block
        try:
            ids = ", ".join(str(int(i)) for i in sorted(releases))
            if dict(side.sql(f"SELECT dataset_id, release_id FROM dataset WHERE dataset_id IN ({ids})").fetchall()) != releases:
                raise _OtherSnapshot
            return fetch(plan, lambda d, n: duckdb_dataset_rows(side, d, n, allocate=buffers.take))
        finally:
            side.rollback()  # it only read

    # Blocks are read ahead, in order, by the one thread, while those read and not yet taken hold
    # at most PREFETCH_LARGEST times the largest block's values (and always the next one): a
    # large block after quick ones would otherwise keep the caller waiting.
    budget = PREFETCH_LARGEST * max(_size(plan) for plan, _ in todo)
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="omicskb-prefetch") as pool:
            pending: collections.deque[tuple[Future[RoleMatrices], int]] = collections.deque()
            submitted = 0

            def read_ahead() -> None:
                nonlocal submitted
                while submitted < len(todo) and (not pending or sum(size for _, size in pending) + _size(todo[submitted][0]) <= budget):
                    pending.append((pool.submit(prefetch, *todo[submitted]), _size(todo[submitted][0])))
                    submitted += 1

            try:
                for plan, _ in todo:
                    read_ahead()
                    try:
                        block = pending.popleft()[0].result()
                    except _OtherSnapshot:
                        block = on_derive_connection(plan)
                    read_ahead()
                    yield block
            except BaseException:  # derive failed or stopped reading (GeneratorExit): no block is read for nothing
                for queued, _ in pending:
                    queued.cancel()
                raise
    finally:
        side.close()


@dataclasses.dataclass
class _Computed:
    """One block's statistics, computed and not yet stored."""

    block: RoleMatrices
    reason: str | None  # NO_NORMALS, or None when tested
    result: RankSum | None
    log10_q: np.ndarray | None
    boxes: list[tuple[str, Box, np.ndarray]]  # (role, its boxes, its sample ids)


def _compute(block: RoleMatrices, report: DeriveReport) -> _Computed:
    """The test, q and boxes of one block: arrays only, no database."""
    x, y = block.role_values["tumor"], block.role_values["normal"]
    reason = NO_NORMALS if len(block.role_sample_ids["normal"]) == 0 else None
    started = time.perf_counter()
    # each chunk of rows is sorted once and shared by the test and the boxes (etl.stats.ranksum)
    result, box_x, box_y = rank_sum_with_boxes(x, y)
    report.seconds["rank"] += time.perf_counter() - started
    started = time.perf_counter()
    q = bh_log10_q(result.log10_p) if result is not None else None
    boxes = [(role, box, block.role_sample_ids[role]) for role, box in (("tumor", box_x), ("normal", box_y)) if box is not None]
    report.seconds["q"] += time.perf_counter() - started
    return _Computed(block=block, reason=reason, result=result, log10_q=q, boxes=boxes)


def _store(conn: sa.Connection, c: Candidate, computed: _Computed, run_id: int, report: DeriveReport) -> str:
    """Write one computed block: its comparison row, samples, results, boxes and outliers."""
    started = time.perf_counter()
    block, result, reason = computed.block, computed.result, computed.reason
    tumor, normal = block.role_sample_ids["tumor"], block.role_sample_ids["normal"]
    tested = int(result.tested.sum()) if result is not None else 0
    comparison_id = conn.execute(
        sa.text(
            "INSERT INTO tn_comparison (cohort_code, omics_type, tumor_dataset_id, normal_dataset_id, tumor_release_id, normal_release_id, is_default, "
            "n_tumor_samples, n_normal_samples, n_features, n_tested, reason, run_id) VALUES (:c, :o, :t, :n, :tr, :nr, :d, :nt, :nn, :nf, :tested, :reason, :run) "
            "RETURNING comparison_id"
        ),
        {"c": c.cohort_code, "o": c.omics_type, "t": c.tumor_dataset_id, "n": c.normal_dataset_id, "tr": c.tumor_release_id, "nr": c.normal_release_id,
         "d": c.is_default, "nt": len(tumor), "nn": len(normal), "nf": len(block.feature_ids), "tested": tested, "reason": reason, "run": run_id},
    ).scalar_one()
    # arrays and coded text only: staged without pyarrow's conversions, which import pandas (etl.db.arrow_array)
    bulk_insert(conn, "tn_comparison_sample", {"sample_id": block.sample_ids, "stat_role": CodedText.of(block.stat_roles)}, extra={"comparison_id": comparison_id})
    if result is not None:
        p = result.p
        bulk_insert(conn, "tn_result", {
            "feature_id": block.feature_ids,
            "n_tumor": result.n_x, "n_normal": result.n_y,
            "median_tumor": result.median_x, "median_normal": result.median_y,
            "hl_shift": result.hl_shift, "u": result.u, "z": result.z,
            "exact": np.ma.MaskedArray(result.exact, mask=~result.tested),
            "p": p, "log10_p": result.log10_p,
            "signed_p": result.signed_p, "signed_log10_p": result.signed_log10_p,
            "q": p_from_log10(computed.log10_q), "log10_q": computed.log10_q,
            "skip_reason": CodedText(result.reason_code, result.reason_labels),
        }, extra={"comparison_id": comparison_id})
        report.tests += tested
    for role, box, role_samples in computed.boxes:
        bulk_insert(conn, "tn_box", {
            "feature_id": block.feature_ids, "n": box.n,
            "minimum": box.minimum, "q1": box.q1, "median": box.median, "q3": box.q3,
            "maximum": box.maximum, "whisker_low": box.whisker_low, "whisker_high": box.whisker_high,
            "n_mild": box.n_mild, "n_extreme": box.n_extreme,
        }, extra={"comparison_id": comparison_id, "stat_role": role})
        if len(box.outlier_rows):
            bulk_insert(conn, "tn_box_outlier", {
                "feature_id": block.feature_ids[box.outlier_rows],
                "sample_id": role_samples[box.outlier_columns],
                "value": box.outlier_values,
                "is_extreme": box.outlier_extreme,
            }, extra={"comparison_id": comparison_id, "stat_role": role})
    report.seconds["write"] += time.perf_counter() - started
    what = f"{c.cohort_code} {c.omics_type} {block.dataset_names[0]}" + (f" + {block.dataset_names[1]}" if len(block.dataset_names) > 1 else "")
    if reason:
        return f"{what}: {reason} ({len(tumor)} tumors); not tested"
    return f"{what}: {len(tumor)} tumors x {len(normal)} normals, {tested:,} of {len(block.feature_ids):,} features tested"


def refresh_meta(conn: sa.Connection, omics: str, run_id: int) -> int:
    """Recompute Meta P of one omics type from the stored default comparisons; returns its rows."""
    import pyarrow as pa

    conn.execute(sa.text("DELETE FROM tn_meta WHERE omics_type = :o"), {"o": omics})
    comparisons = conn.execute(
        sa.text("SELECT comparison_id, cohort_code FROM tn_comparison WHERE omics_type = :o AND is_default ORDER BY cohort_code, comparison_id"), {"o": omics}
    ).all()
    if not comparisons:
        return 0
    cohort_codes = sorted({r.cohort_code for r in comparisons})
    cohort_of = {int(r.comparison_id): cohort_codes.index(r.cohort_code) for r in comparisons}
    ids = ", ".join(str(i) for i in cohort_of)  # integers from the database
    table = fetch_text_table(
        conn,
        f"SELECT comparison_id, feature_id, z, hl_shift, log10_p FROM tn_result WHERE comparison_id IN ({ids}) AND log10_p IS NOT NULL",
        {"comparison_id": pa.int64(), "feature_id": pa.int64(), "z": pa.float64(), "hl_shift": pa.float64(), "log10_p": pa.float64()},
    )
    if table.num_rows == 0:
        return 0
    comparison_ids = numpy_of(table.column("comparison_id"))
    lookup = np.array(sorted(cohort_of))
    cohort_at = np.array([cohort_of[int(i)] for i in lookup])[np.searchsorted(lookup, comparison_ids)]
    feature_ids, feature_at = np.unique(numpy_of(table.column("feature_id")), return_inverse=True)
    shape = (len(feature_ids), len(cohort_codes))
    z_abs, direction, log10_p = (np.full(shape, np.nan) for _ in range(3))
    z_abs[feature_at, cohort_at] = np.abs(numpy_of(table.column("z")))
    direction[feature_at, cohort_at] = np.where(numpy_of(table.column("hl_shift")) >= 0, 1.0, -1.0)
    log10_p[feature_at, cohort_at] = numpy_of(table.column("log10_p"))
    meta = stouffer_with_single(z_abs, direction, log10_p)
    p = p_from_log10(meta.log10_p)
    bulk_insert(conn, "tn_meta", {
        "feature_id": feature_ids, "n_cohorts": meta.n_cohorts, "n_agree": meta.n_agree,
        "z": meta.z, "p": p, "log10_p": meta.log10_p,
        "signed_p": meta.direction * p, "signed_log10_p": meta.signed_log10_p,
    }, extra={"omics_type": omics, "run_id": run_id})
    return len(feature_ids)


def run_derive(engine: sa.Engine, command: str, progress: ProgressFn | None = None, pairs: Sequence[tuple[str, str, str, str]] = ()) -> DeriveReport:
    """derive_tumor_normal as one logged, atomic run (etl.runs.run_logged_derive): nothing is
    written unless everything is, the pairs included."""
    from omicskb.etl.runs import run_logged_derive

    def summary(report: DeriveReport) -> tuple[str, int, int]:
        text = f"{len(report.computed)} comparisons computed ({report.tests:,} tests), {report.unchanged} unchanged, {report.stale_removed} stale removed"
        return text, report.tests, report.stale_removed

    # derive's own threads keep both cores of a small machine busy (a read, the kernels on every
    # core, a write): DuckDB's workers only competed with them (2 cores: 0.3 s and 0.7 CPU-s more)
    with duckdb_threads(engine, DUCKDB_THREADS):
        return run_logged_derive(engine, command, lambda conn, run_id: derive_tumor_normal(conn, run_id, progress, pairs), summary)
