"""Value arrays are stored and fetched bit for bit, NULL exactly where a value is missing, on both
backends: the binary COPY that PostgreSQL loads and blocks use is checked against the driver's own
decoding of the stored arrays, and against the file the values came from."""

from __future__ import annotations

import gzip

import numpy as np
import psycopg
import pytest
import sqlalchemy as sa

from conftest import SEEDS, query_rows
from omicskb.etl.blocks import fetch_block
from omicskb.etl.db import make_engine, pg_binary_copy_rows, pg_copy_in, pg_fetch_float_arrays
from omicskb.etl.sources import matrix

UCEC = SEEDS / "ucec"
SPECIAL = (-0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308, np.inf, -np.inf, 0.1, 1 / 3)


def _bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64).view(np.int64)


def _same(expected: np.ndarray, got: np.ndarray) -> None:
    """Equal shapes, NaN in the same places, every other value the same 64 bits (-0.0 is not 0.0)."""
    assert got.shape == expected.shape
    missing = np.isnan(expected)
    assert np.array_equal(np.isnan(got), missing)
    assert np.array_equal(_bits(got)[~missing], _bits(expected)[~missing])


def _awkward_values(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    """Doubles from random bit patterns (every exponent, subnormals), the special values, ~30% NaN,
    one row all missing, one row with nothing missing."""
    values = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, size=(rows, columns), dtype=np.int64).view(np.float64).copy()
    values[~np.isfinite(values)] = 1.5
    values.flat[: len(SPECIAL)] = SPECIAL
    values[rng.random(values.shape) < 0.3] = np.nan
    values[1] = np.nan
    values[2] = rng.standard_normal(columns)
    return values


@pytest.fixture
def awkward_matrix(tmp_path) -> tuple:
    """The seed proteomics matrix's first 40 rows and all 153 UCEC samples, its values replaced by
    awkward doubles written so that they parse back exactly; one id is not ASCII (kept unlinked)."""
    with gzip.open(UCEC / "proteomics.cct.gz", "rt", encoding="utf-8") as handle:
        header = next(handle).rstrip("\n").split("\t")
        ids = [next(handle).split("\t", 1)[0] for _ in range(40)]
    ids[5] = "GÈNE-ß1"
    values = _awkward_values(np.random.default_rng(7), len(ids), len(header) - 1)
    lines = ["\t".join(header)] + [
        "\t".join([gene] + ["NA" if np.isnan(v) else repr(float(v)) for v in row]) for gene, row in zip(ids, values)
    ]
    path = tmp_path / "proteomics.cct"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, ids, values


def test_loaded_arrays_equal_the_file_bit_for_bit(target, omicskb, awkward_matrix):
    path, ids, values = awkward_matrix
    _same(values, matrix.read(path).values)  # the file says exactly these doubles
    for args in (
        ("gene-info", SEEDS / "gene_info_il7_ucec.tsv"),
        ("samples", UCEC / "clinical.txt", "--cohort", "UCEC"),
        ("matrix", path, "--cohort", "UCEC", "--omics", "protein"),
    ):
        result = omicskb(target, "load", *args)
        assert result.exit_code == 0, result.output

    # The driver's own decoding of the stored arrays (psycopg's float8[] loader, DuckDB's LIST).
    stored = query_rows(target, "SELECT m.raw_identifier, m.file_line, m.sample_values FROM measurement_row AS m ORDER BY m.row_ord")
    assert [r[0] for r in stored] == ids
    assert [r[1] for r in stored] == list(range(2, len(ids) + 2))
    assert all(len(r[2]) == values.shape[1] for r in stored)
    nulls = np.array([[v is None for v in r[2]] for r in stored])
    assert np.array_equal(nulls, np.isnan(values))  # NULL exactly where the file has NA
    _same(values, np.array([[np.nan if v is None else v for v in r[2]] for r in stored], dtype=np.float64))
    assert query_rows(target, "SELECT n_missing FROM dataset")[0][0] == int(np.isnan(values).sum())

    # The block fetch (Arrow on DuckDB, binary COPY on PostgreSQL) gives the same bits back.
    engine = make_engine(target)
    with engine.connect() as conn:
        block = fetch_block(conn, "UCEC", "protein")
    engine.dispose()
    _same(values, block.values)


@pytest.mark.parametrize("rows, columns", [(0, 4), (1, 1), (3, 0), (257, 153), (5000, 7)])
def test_binary_copy_round_trip(pg_target, rows, columns):
    rng = np.random.default_rng(rows * 31 + columns)
    values = _awkward_values(rng, max(rows, 3), columns)[:rows] if columns else np.empty((rows, 0))
    ids = np.arange(rows, dtype=np.int64) * 7 - 3
    texts = [f"id {i} é ✓" * (i % 4) for i in range(rows)]
    engine = make_engine(pg_target)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE copy_check (id bigint, small int, label text, arr float8[])")
        pg_copy_in(conn, "copy_check", ["id", "small", "label", "arr"],
                   pg_binary_copy_rows([("int8", ids), ("int4", ids // 7), ("text", texts)], values))
        stored = conn.exec_driver_sql("SELECT id, small, label, arr FROM copy_check ORDER BY id").all()
        assert [r[0] for r in stored] == ids.tolist()
        assert [r[1] for r in stored] == (ids // 7).tolist()
        assert [r[2] for r in stored] == texts
        if rows:
            _same(values, np.array([[np.nan if v is None else v for v in r[3]] for r in stored], dtype=np.float64).reshape(rows, columns))
            assert np.array_equal(np.array([[v is None for v in r[3]] for r in stored]).reshape(rows, columns), np.isnan(values))
        got_ids, got = pg_fetch_float_arrays(conn, "SELECT id, arr FROM copy_check ORDER BY id", columns)
        assert got_ids.tolist() == ids.tolist()
        _same(values, got)
        if rows:
            with pytest.raises(ValueError, match="not all"):
                pg_fetch_float_arrays(conn, "SELECT id, arr FROM copy_check ORDER BY id", columns + 1)
        conn.exec_driver_sql("DROP TABLE copy_check")
    engine.dispose()


def test_binary_copy_refuses_what_it_cannot_encode(pg_target):
    values = np.zeros((1, 2))
    with pytest.raises(ValueError, match="text column must come last"):
        list(pg_binary_copy_rows([("text", ["a"]), ("int8", [1])], values))
    with pytest.raises(ValueError, match="unsupported"):
        list(pg_binary_copy_rows([("float4", [1.0])], values))
    engine = make_engine(pg_target)
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TEMPORARY TABLE copy_check (id int, arr float8[])")
        # The server checks every field: an int8 sent to an int4 column is rejected, not truncated.
        with pytest.raises(psycopg.DataError, match="binary data format"):
            pg_copy_in(conn, "copy_check", ["id", "arr"], pg_binary_copy_rows([("int8", [1])], values))
        conn.rollback()
    engine.dispose()


def test_dataset_values_follow_row_ord_whatever_order_rows_are_stored_in(duckdb_target):
    """Rows stored out of row_ord order still come back in row_ord order (DuckDB reads them
    without ORDER BY; PostgreSQL's ORDER BY is in the query)."""
    from omicskb.etl.blocks import fetch_dataset_values

    engine = make_engine(duckdb_target)
    values = np.array([[1.0, np.nan], [3.0, 4.0], [np.nan, -0.0]])
    with engine.begin() as conn:
        for row_ord in (3, 1, 2):
            row = [None if np.isnan(v) else float(v) for v in values[row_ord - 1]]
            conn.execute(
                sa.text("INSERT INTO measurement_row VALUES (7, :r, :f, :raw, :line, :v)"),
                {"r": row_ord, "f": 100 + row_ord, "raw": f"id{row_ord}", "line": row_ord + 1, "v": row},
            )
        feature_ids, got = fetch_dataset_values(conn, 7, 2)
    engine.dispose()
    assert feature_ids.tolist() == [101, 102, 103]
    _same(values, got)


def test_rows_holding_other_than_n_samples_values_in_all_are_refused_not_misread(duckdb_target):
    """DuckDB reads the keys and the unnested values in two queries and lines them up by count:
    values that do not fill the rows exactly (a broken database; loads never write one) raise,
    never shift every later row's values. (Rows of wrong lengths that happen to add up are what
    queries/audit_dataset_shape.sql reports.)"""
    from omicskb.etl.blocks import BlockError, fetch_dataset_values

    engine = make_engine(duckdb_target)
    with engine.begin() as conn:
        for row_ord, row in ((1, [1.0, 2.0]), (2, [3.0]), (3, [4.0, 5.0])):
            conn.execute(sa.text("INSERT INTO measurement_row VALUES (7, :r, :f, :raw, :line, :v)"),
                         {"r": row_ord, "f": 100 + row_ord, "raw": f"id{row_ord}", "line": row_ord + 1, "v": row})
        with pytest.raises(BlockError, match=r"dataset 7: its rows hold other than 2 values each \(read 5 for 3 rows\)"):
            fetch_dataset_values(conn, 7, 2)
        conn.execute(sa.text("UPDATE measurement_row SET sample_values = [3.0, 3.5, 3.75] WHERE row_ord = 2"))
        with pytest.raises(BlockError, match=r"read 7 for 3 rows"):
            fetch_dataset_values(conn, 7, 2)
        conn.execute(sa.text("UPDATE measurement_row SET sample_values = [3.0, NULL] WHERE row_ord = 2"))
        feature_ids, got = fetch_dataset_values(conn, 7, 2)
    engine.dispose()
    assert feature_ids.tolist() == [101, 102, 103]
    _same(np.array([[1.0, 2.0], [3.0, np.nan], [4.0, 5.0]]), got)
