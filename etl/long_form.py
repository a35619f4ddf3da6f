"""Whole datasets in long form at Arrow speed: omicskb's native twin of queries/dataset_values.sql.

The saved query is the definition, and what plain DuckDB and psql run. Its unnest joins every value
to its sample and feature rows, which holds DuckDB to a quarter of the speed it reads the value
arrays at, and makes PostgreSQL hand psycopg one Python tuple per value. This module gives the same
rows in the same order from the block path instead (one range scan of the value arrays, then numpy
and dictionary-encoded labels, so `omicskb query dataset_values` and `db.query("dataset_values")` run
near the speed of `db.block()` on both backends. tests/test_long_form.py checks that both paths
agree on every dataset of the seed and of the real UCEC cohort, on DuckDB and PostgreSQL;
`omicskb query ... --no-native` runs the SQL file instead.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from omicskb.etl.blocks import fetch_dataset_rows
from omicskb.etl.db import duckdb_driver, fetch_text_table, is_duckdb
from omicskb.etl.errors import OmicsKBError

# The saved query's dataset choice, word for word except for the parameter markers: a cohort code
# or alias in any case; the default dataset of (cohort, omics) or the one named; a pair's normal
# dataset after its tumor dataset (naming either half names the pair).
MEMBERS_SQL = """
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE upper(cohort_code) = upper(trim(:cohort))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(:cohort))
),
blocks AS (
    SELECT DISTINCT COALESCE(p.tumor_dataset_id, d.dataset_id) AS block_id
    FROM dataset AS d
    LEFT JOIN dataset_pair AS p ON p.normal_dataset_id = d.dataset_id
    WHERE d.cohort_code IN (SELECT cohort_code FROM wanted_cohort) AND d.omics_type = :omics
      AND ((:dataset = '' AND d.is_default) OR (:dataset <> '' AND d.name = :dataset))
),
members AS (
    SELECT block_id AS dataset_id, 0 AS side FROM blocks
    UNION ALL
    SELECT p.normal_dataset_id, 1 FROM blocks AS b JOIN dataset_pair AS p ON p.tumor_dataset_id = b.block_id
)
SELECT k.side, d.dataset_id, d.name, d.n_samples FROM members AS k JOIN dataset AS d ON d.dataset_id = k.dataset_id
ORDER BY k.side, d.dataset_id
"""


class LongFormError(OmicsKBError):
    """A dataset whose value rows and sample or feature rows disagree (a load being replaced)."""


DICTIONARY_TEXT = pa.dictionary(pa.int32(), pa.string())


def _dictionary(dictionary: pa.Array, index: np.ndarray) -> pa.DictionaryArray:
    """dictionary[index] without copying a string per value; NULL entries stay NULL."""
    if dictionary.null_count:
        null = dictionary.is_null().to_numpy(zero_copy_only=False)
        indices = pa.array(index, mask=null[index])
        dictionary = dictionary.fill_null("")
    else:
        indices = pa.array(index)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _one_dataset(conn: sa.Connection, side: int, dataset_id: int, name: str, n_samples: int) -> dict[str, Any]:
    row_ord, feature_ids, values = fetch_dataset_rows(conn, dataset_id, n_samples)
    dataset_id = int(dataset_id)
    features = fetch_text_table(
        conn,
        "SELECT f.feature_id, f.gene_id, f.label FROM feature AS f WHERE f.feature_id IN "
        f"(SELECT feature_id FROM measurement_row WHERE dataset_id = {dataset_id}) ORDER BY f.feature_id",
        {"feature_id": pa.int64(), "gene_id": pa.string(), "label": pa.string()},
    )
    samples = fetch_text_table(
        conn,
        "SELECT ds.sample_ord, s.sample_label, s.stat_role FROM dataset_sample AS ds JOIN sample AS s ON s.sample_id = ds.sample_id "
        f"WHERE ds.dataset_id = {dataset_id} ORDER BY ds.sample_ord",
        {"sample_ord": pa.int64(), "sample_label": pa.string(), "stat_role": pa.string()},
    )
    known = features.column("feature_id").to_numpy()
    at = np.searchsorted(known, feature_ids)
    if len(feature_ids) and (at.max(initial=0) >= len(known) or not np.array_equal(known[np.minimum(at, len(known) - 1)], feature_ids)):
        raise LongFormError(f"dataset {name}: its value rows name features the feature table does not hold (was it being replaced?)")
    # The saved query joins value ordinal k (1-based) to dataset_sample.sample_ord = k: a value
    # whose ordinal has no sample row is not returned there, so not here either.
    sample_ord = samples.column("sample_ord").to_numpy()
    slot = np.full(n_samples, -1, dtype=np.int64)
    inside = (sample_ord >= 1) & (sample_ord <= n_samples)
    slot[sample_ord[inside] - 1] = np.flatnonzero(inside)
    present = ~np.isnan(values)  # loads refuse NaN, so NaN here is a NULL element
    if (slot < 0).any():
        present &= (slot >= 0)[np.newaxis, :]
    flat = np.flatnonzero(present.reshape(-1))
    rows = flat // max(n_samples, 1)
    cols = flat - rows * n_samples
    feature_at = at.astype(np.int32)[rows]
    sample_at = slot.astype(np.int32)[cols]
    return {
        "side": np.full(len(flat), side, dtype=np.int8),
        "dataset_name": _dictionary(pa.array([name], type=pa.string()), np.zeros(len(flat), dtype=np.int32)),
        "row_ord": row_ord[rows],
        "feature_id": np.asarray(feature_ids, dtype=np.int64)[rows],
        "gene_id": _dictionary(features.column("gene_id").combine_chunks(), feature_at),
        "feature_label": _dictionary(features.column("label").combine_chunks(), feature_at),
        "sample_ord": cols + 1,
        "sample_label": _dictionary(samples.column("sample_label").combine_chunks(), sample_at),
        "stat_role": _dictionary(samples.column("stat_role").combine_chunks(), sample_at),
        "value": values.reshape(-1)[flat],
    }


def _one_dataset_empty() -> dict[str, Any]:
    none = np.empty(0, dtype=np.int64)
    text = _dictionary(pa.array([], type=pa.string()), np.empty(0, dtype=np.int32))
    return {"side": np.empty(0, dtype=np.int8), "dataset_name": text, "row_ord": none, "feature_id": none, "gene_id": text,
            "feature_label": text, "sample_ord": none, "sample_label": text, "stat_role": text, "value": np.empty(0)}


COLUMNS = ["dataset_name", "row_ord", "feature_id", "gene_id", "feature_label", "sample_ord", "sample_label", "stat_role", "value"]


def dataset_values(conn: sa.Connection, cohort: str, omics: str, dataset: str = "") -> pa.Table:
    """queries/dataset_values.sql's rows, in its order (side, row_ord, sample_ord), from the block path."""
    members = conn.execute(sa.text(MEMBERS_SQL), {"cohort": cohort, "omics": omics, "dataset": dataset}).all()
    parts = [_one_dataset(conn, int(m.side), int(m.dataset_id), m.name, int(m.n_samples)) for m in members]
    if not parts:
        parts = [_one_dataset_empty()]
    columns = {}
    for column in COLUMNS:
        pieces = [p[column] for p in parts]
        if isinstance(pieces[0], np.ndarray):
            columns[column] = pa.array(pieces[0] if len(pieces) == 1 else np.concatenate(pieces))
        else:  # one dictionary per dataset: a chunk each
            columns[column] = pa.chunked_array(pieces, type=DICTIONARY_TEXT)
    table = pa.table(columns)
    sides = [int(m.side) for m in members]
    if len(sides) != len(set(sides)):
        # Two datasets on one side (not possible while a (cohort, omics) has one default and names
        # are unique in a cohort): interleave as the saved query's ORDER BY would.
        side = np.concatenate([p["side"] for p in parts])
        order = np.lexsort((columns["sample_ord"].to_numpy(), columns["row_ord"].to_numpy(), side))
        table = table.take(pa.array(order))
    return table


# Saved queries that omicskb runs natively; each returns exactly what its .sql file returns.
NATIVE: dict[str, Callable[..., pa.Table]] = {"dataset_values": dataset_values}
