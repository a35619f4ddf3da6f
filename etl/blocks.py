"""Fetch a cohort x omics block as a float matrix: the statistics engine's way into the values.

A block is one dataset, or a declared tumor/normal pair of datasets (etl.datasets), never a pool of
the datasets of a (cohort, omics): the default one unless a name is given.

Each dataset stores one value array per feature, in dataset_sample order, so a block is one range
scan and a reshape; no long-to-wide pivot. On DuckDB the arrays arrive through Arrow without a
Python loop; on PostgreSQL through one binary COPY parsed by numpy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa

from omicskb.etl.datasets import block_datasets, get_datasets
from omicskb.etl.db import copy_doubles, duckdb_driver, fetch_text_table, is_duckdb, numpy_of, pg_fetch_float_arrays
from omicskb.etl.errors import LookupFailed, OmicsKBError


@dataclasses.dataclass
class Block:
    cohort: str
    omics: str
    dataset_ids: list[int]
    feature_ids: np.ndarray  # int64, one per row
    feature_labels: list[str]
    gene_ids: list[str | None]
    sample_ids: np.ndarray  # int64, one per column
    sample_labels: list[str]
    sample_types: list[str]
    stat_roles: list[str | None]
    values: np.ndarray  # float64 (features x samples), NaN = missing
    dataset_names: list[str] = dataclasses.field(default_factory=list)  # the block's dataset, or its tumor and normal datasets

    def columns(self, role: str) -> np.ndarray:
        """Column indexes of the samples with this default role ('tumor' or 'normal')."""
        return np.flatnonzero(np.array([r == role for r in self.stat_roles], dtype=bool))


def fetch_dataset_values(conn: sa.Connection, dataset_id: int, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """One dataset's (feature ids, features x samples float matrix in row_ord order, NaN = missing)."""
    _, feature_ids, values = fetch_dataset_rows(conn, dataset_id, n_samples)
    return feature_ids, values


def _ints(column: Any) -> np.ndarray:
    """An Arrow integer key column as int64, without pyarrow's to_numpy (it imports pandas: half a
    second, holding the GIL, at the start of a derive)."""
    if column.null_count:
        raise BlockError(f"a key column holds {column.null_count} NULL(s)")
    return numpy_of(column)


def fetch_dataset_rows(conn: sa.Connection, dataset_id: int, n_samples: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One dataset's (row_ord, feature ids, features x samples float matrix), rows in row_ord order,
    NaN = missing."""
    if is_duckdb(conn):
        return duckdb_dataset_rows(duckdb_driver(conn), dataset_id, n_samples)
    # One binary COPY parsed by numpy (etl.db.pg_fetch_float_arrays); dataset_id is an int.
    select = f"SELECT row_ord::bigint, feature_id, sample_values FROM measurement_row WHERE dataset_id = {int(dataset_id)} ORDER BY row_ord"
    keys, values = pg_fetch_float_arrays(conn, select, n_samples, n_keys=2)
    return keys[:, 0], keys[:, 1], values


def duckdb_dataset_rows(raw: Any, dataset_id: int, n_samples: int,
                        allocate: Callable[[int], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """fetch_dataset_rows on a DuckDB connection (the driver's own, or another in a transaction of
    its own: the two queries here must see one snapshot). `allocate(size)` gives the float64 buffer
    the values go into (else a new one)."""
    keys = raw.sql("SELECT row_ord, feature_id FROM measurement_row WHERE dataset_id = $1", params=[dataset_id]).to_arrow_table()
    row_ord, feature_ids = (_ints(keys.column(name)) for name in ("row_ord", "feature_id"))
    # The values come unnested: DuckDB hands a flat double column to Arrow about twice as fast as
    # a list column. Both queries scan one table with one filter, which DuckDB answers in the
    # table's row order, so the i-th n_samples values are the i-th key's. No ORDER BY: sorting rows
    # that carry their arrays cost DuckDB half the fetch; numpy puts the rows in row_ord order
    # instead (a scan usually returns them in it already).
    values = allocate(len(row_ord) * n_samples) if allocate else np.empty(len(row_ord) * n_samples)
    at = 0
    # NULL comes as NaN from DuckDB itself: the batches then hold no validity bitmap to apply, and
    # the copy is a plain one (a fifth less CPU for the whole read)
    unnested = raw.sql("SELECT coalesce(unnest(sample_values), 'NaN'::DOUBLE) AS v FROM measurement_row WHERE dataset_id = $1", params=[dataset_id])
    # DuckDB 2 names it to_arrow_reader; 1.4, the floor, fetch_arrow_reader (deprecated in 2)
    reader = unnested.to_arrow_reader(1 << 20) if hasattr(unnested, "to_arrow_reader") else unnested.fetch_arrow_reader(1 << 20)
    for batch in reader:
        if at + len(batch) > values.size:
            at += len(batch)
            break
        at = copy_doubles(batch.column(0), values, at)
    if at != values.size:
        raise BlockError(f"dataset {dataset_id}: its rows hold other than {n_samples} values each (read {at:,} for {len(row_ord):,} rows)")
    values = values.reshape(len(row_ord), n_samples)
    if len(row_ord) > 1 and not (np.diff(row_ord) > 0).all():
        order = np.argsort(row_ord, kind="stable")
        row_ord, feature_ids, values = row_ord[order], feature_ids[order], values[order]
    return row_ord, feature_ids, values


def _feature_labels(conn: sa.Connection, dataset_ids: list[int], feature_ids: np.ndarray) -> tuple[list[str], list[str | None]]:
    """The label and gene id of each feature id, in that order, through Arrow (no Python loop over
    rows: a phospho block has 100k features)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = ", ".join(str(int(d)) for d in dataset_ids)
    table = fetch_text_table(
        conn,
        f"SELECT f.feature_id, f.label, f.gene_id FROM feature AS f WHERE f.feature_id IN (SELECT feature_id FROM measurement_row WHERE dataset_id IN ({ids}))",
        {"feature_id": pa.int64(), "label": pa.string(), "gene_id": pa.string()},
    )
    known = table.column("feature_id").to_numpy()
    order = np.argsort(known, kind="stable")
    at = order[np.searchsorted(known, feature_ids, sorter=order)]
    taken = pa.array(at)
    return pc.take(table.column("label"), taken).to_pylist(), pc.take(table.column("gene_id"), taken).to_pylist()


class BlockError(OmicsKBError):
    """A block that breaks its own rules (a sample twice): a bug or a broken pair, never data to analyse."""


RowReader = Callable[[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]
"""(dataset_id, n_samples) -> one dataset's (row_ord, feature ids, values), as fetch_dataset_rows."""


@dataclasses.dataclass
class BlockPlan:
    """What a block is made of, read in the caller's transaction: its member datasets and each
    one's samples in sample order. Fetching the values (`fetch_planned_roles`) may then happen on
    another connection, since loads never change a dataset's values in place."""

    members: list[Any]
    samples: list[list[Any]]


def plan_block(conn: sa.Connection, cohort: str, omics: str, name: str | None = None) -> BlockPlan:
    """The block's member datasets and their samples. Raises BlockError if a sample would appear twice."""
    members = block_datasets(conn, cohort, omics, name)
    return _plan(members, _samples_of(conn, [d.dataset_id for d in members]))


def plan_blocks(conn: sa.Connection, blocks: Sequence[Sequence[int]]) -> list[BlockPlan]:
    """plan_block for many blocks, each given as its member dataset ids ([dataset] or [tumor
    dataset, normal dataset], as block_datasets orders them): two queries in all, where planning
    block by block costs five a block (a large part of a quick derive)."""
    datasets = get_datasets(conn, (i for ids in blocks for i in ids))
    missing = sorted({i for ids in blocks for i in ids} - set(datasets))
    if missing:
        raise LookupFailed(f"no dataset with id {missing[0]}")
    samples = _samples_of(conn, list(datasets))
    return [_plan([datasets[i] for i in ids], samples) for ids in blocks]


def _samples_of(conn: sa.Connection, dataset_ids: list[int]) -> dict[int, list[Any]]:
    """Each dataset's samples (rows with sample_id, sample_label, sample_type, stat_role), in sample order."""
    rows = conn.execute(
        sa.text(
            "SELECT ds.dataset_id, s.sample_id, s.sample_label, s.sample_type, s.stat_role FROM dataset_sample AS ds JOIN sample AS s ON s.sample_id = ds.sample_id "
            "WHERE ds.dataset_id IN :ids ORDER BY ds.dataset_id, ds.sample_ord"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": sorted(set(dataset_ids))},
    ).all()
    samples: dict[int, list[Any]] = {i: [] for i in dataset_ids}
    for row in rows:
        samples[row.dataset_id].append(row)
    return samples


def _plan(members: list[Any], samples_of: dict[int, list[Any]]) -> BlockPlan:
    samples = [samples_of[dataset.dataset_id] for dataset in members]
    every = [s for member in samples for s in member]
    sample_ids = [s.sample_id for s in every]
    if len(set(sample_ids)) != len(sample_ids):
        twice = sorted({s.sample_label for s in every if sample_ids.count(s.sample_id) > 1})
        raise BlockError(f"block {members[0].cohort_code}/{members[0].omics_type}/{members[0].name} would hold sample(s) twice: {', '.join(twice[:5])}")
    return BlockPlan(members=members, samples=samples)


def _fetch_parts(plan: BlockPlan, read_rows: RowReader) -> tuple[list, np.ndarray, list]:
    """Each member dataset's (feature ids, values, samples in sample order), the block's feature ids
    and each part's rows among them (_block_rows)."""
    parts = []
    for dataset, samples in zip(plan.members, plan.samples):
        _, feature_ids, values = read_rows(dataset.dataset_id, dataset.n_samples)
        parts.append((np.asarray(feature_ids, dtype=np.int64), values, samples))
    feature_ids, rows_of = _block_rows(parts)
    return parts, feature_ids, rows_of


def _block_rows(parts: list) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """The block's feature ids (the first dataset's in its order, then those only a later one has,
    in theirs) and, per part, the block row of each of its rows (None: the same rows in the same order)."""
    feature_ids = parts[0][0]
    if all(np.array_equal(p[0], feature_ids) for p in parts[1:]):  # the usual pair
        return feature_ids, [None] * len(parts)
    for ids, _, _ in parts[1:]:
        feature_ids = np.concatenate([feature_ids, ids[~np.isin(ids, feature_ids)]])
    order = np.argsort(feature_ids, kind="stable")
    return feature_ids, [order[np.searchsorted(feature_ids, ids, sorter=order)] for ids, _, _ in parts]


def _gather(parts: list, rows_of: list, n_rows: int, columns_of: list[list[int]]) -> np.ndarray:
    """A row-major matrix of the block's rows and, part after part, the columns `columns_of[part]`
    (NaN where a part lacks a row). No copy when one part gives all its columns in its own order."""
    used = [i for i, columns in enumerate(columns_of) if columns]
    if len(used) == 1:
        i = used[0]
        ids, values, _ = parts[i]
        if rows_of[i] is None and n_rows == len(ids) and columns_of[i] == list(range(values.shape[1])):
            return values
    width = sum(len(c) for c in columns_of)
    out = np.full((n_rows, width), np.nan) if any(r is not None for r in rows_of) else np.empty((n_rows, width))
    offset = 0
    for (ids, values, _), rows, columns in zip(parts, rows_of, columns_of):
        if not columns:
            continue
        chosen = values if columns == list(range(values.shape[1])) else values.take(columns, axis=1)
        if rows is None:
            out[:, offset:offset + len(columns)] = chosen
        else:
            out[rows, offset:offset + len(columns)] = chosen
        offset += len(columns)
    return out


@dataclasses.dataclass
class RoleMatrices:
    """A block split by default role, for the statistics engine: per role the samples and a
    row-major matrix (features x those samples), built without an intermediate whole block."""

    cohort: str
    omics: str
    dataset_ids: list[int]
    dataset_names: list[str]
    feature_ids: np.ndarray  # int64, one per row
    sample_ids: np.ndarray  # every sample of the block, in block order
    stat_roles: list[str | None]
    role_sample_ids: dict[str, np.ndarray]
    role_values: dict[str, np.ndarray]


def fetch_roles(conn: sa.Connection, cohort: str, omics: str, name: str | None = None, roles: tuple[str, ...] = ("tumor", "normal")) -> RoleMatrices:
    """fetch_block's block (same datasets, rows and sample order) as one matrix per role. A pair's
    tumor dataset holding only tumors becomes the tumor matrix as fetched, with no copy."""
    return fetch_planned_roles(plan_block(conn, cohort, omics, name), lambda d, n: fetch_dataset_rows(conn, d, n), roles)


def fetch_planned_roles(plan: BlockPlan, read_rows: RowReader, roles: tuple[str, ...] = ("tumor", "normal")) -> RoleMatrices:
    """fetch_roles for a planned block, its values read by `read_rows` (which may use another
    connection than the one that planned it: derive prefetches the next block while it computes)."""
    parts, feature_ids, rows_of = _fetch_parts(plan, read_rows)
    members = plan.members
    samples = [s for p in parts for s in p[2]]
    role_values, role_sample_ids = {}, {}
    for role in roles:
        columns_of = [[i for i, s in enumerate(p[2]) if s.stat_role == role] for p in parts]
        role_values[role] = _gather(parts, rows_of, len(feature_ids), columns_of)
        role_sample_ids[role] = np.array([p[2][i].sample_id for p, columns in zip(parts, columns_of) for i in columns], dtype=np.int64)
    return RoleMatrices(cohort=members[0].cohort_code, omics=members[0].omics_type, dataset_ids=[d.dataset_id for d in members], dataset_names=[d.name for d in members],
                        feature_ids=np.asarray(feature_ids, dtype=np.int64), sample_ids=np.array([s.sample_id for s in samples], dtype=np.int64),
                        stat_roles=[s.stat_role for s in samples], role_sample_ids=role_sample_ids, role_values=role_values)


def fetch_block(conn: sa.Connection, cohort: str, omics: str, name: str | None = None, role: str | None = None) -> Block:
    """One block of (cohort, omics) as a float matrix: its default dataset, or the dataset `name`,
    together with the normal dataset it is paired with (naming either half of a pair gives the pair).

    Never pools unrelated datasets. Rows are the block's features: the tumor dataset's in file order,
    then any only the normal dataset has (NaN where a side lacks one); columns are the tumor
    dataset's samples, then the normal dataset's. `role` keeps the samples of that default role
    ('tumor' or 'normal'). `cohort` is a code or alias, in any case. Raises LookupFailed for an
    unknown cohort or dataset, BlockError if a sample would appear twice."""
    plan = plan_block(conn, cohort, omics, name)
    members = plan.members
    parts, feature_ids, rows_of = _fetch_parts(plan, lambda d, n: fetch_dataset_rows(conn, d, n))
    code = members[0].cohort_code
    columns_of = [[i for i, s in enumerate(p[2]) if role is None or s.stat_role == role] for p in parts]
    values = _gather(parts, rows_of, len(feature_ids), columns_of)
    if not values.flags.writeable:
        values = values.copy()  # the API hands out a matrix the caller owns
    samples = [p[2][i] for p, columns in zip(parts, columns_of) for i in columns]
    labels, gene_ids = _feature_labels(conn, [d.dataset_id for d in members], np.asarray(feature_ids, dtype=np.int64))
    return Block(
        cohort=code,
        omics=omics,
        dataset_ids=[d.dataset_id for d in members],
        feature_ids=np.asarray(feature_ids, dtype=np.int64),
        feature_labels=labels,
        gene_ids=gene_ids,
        sample_ids=np.array([s.sample_id for s in samples], dtype=np.int64),
        sample_labels=[s.sample_label for s in samples],
        sample_types=[s.sample_type for s in samples],
        stat_roles=[s.stat_role for s in samples],
        values=values,
        dataset_names=[d.name for d in members],
    )
