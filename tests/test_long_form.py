"""The native twin of queries/dataset_values.sql (etl/long_form.py): the same rows in the same order
as the SQL file, on both backends, for every dataset, pair and way of naming one; and every output
format writes its dictionary-encoded text exactly as it writes the SQL file's plain text."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

import omicskb as api
from conftest import SEEDS, decoded, query_rows
from omicskb.etl.db import make_engine
from omicskb.etl.long_form import NATIVE
from omicskb.etl.queries import run_query
from test_datasets import NORMALIZED, pancan_folder


def both_ways(conn: sa.Connection, **params) -> tuple[pa.Table, pa.Table]:
    native = run_query(conn, "dataset_values", params)
    sql = run_query(conn, "dataset_values", params, native=False)
    return native, sql


def assert_same(native: pa.Table, sql: pa.Table, label: str) -> None:
    assert native.schema.names == sql.schema.names, label
    assert decoded(native).equals(sql), f"{label}: {native.num_rows} native rows, {sql.num_rows} from the SQL file"


def test_dataset_values_is_the_only_native_query():
    assert set(NATIVE) == {"dataset_values"}  # a new twin needs its own equality test here


def test_every_seed_dataset_comes_out_as_the_sql_file_gives_it(seeded):
    engine = make_engine(seeded)
    with engine.connect() as conn:
        datasets = conn.execute(sa.text("SELECT cohort_code, omics_type, name, is_default FROM dataset ORDER BY dataset_id")).all()
        assert len(datasets) >= 6
        total = 0
        for d in datasets:
            for params in ({"cohort": d.cohort_code, "omics": d.omics_type, "dataset": d.name},
                           {"cohort": d.cohort_code.lower(), "omics": d.omics_type, "dataset": ""}):
                native, sql = both_ways(conn, **params)
                assert_same(native, sql, str(params))
                total += native.num_rows
            assert native.num_rows > 0
        # NULL gene ids (identifiers that did not resolve) and NULL roles survive the dictionaries
        native, sql = both_ways(conn, cohort="UCEC", omics="phospho", dataset="")
        assert_same(native, sql, "phospho")
        assert native.column("gene_id").null_count == sql.column("gene_id").null_count
        # nothing matches: zero rows with the header's columns, both ways
        for params in ({"cohort": "UCEC", "omics": "protein", "dataset": "no such dataset"}, {"cohort": "XX", "omics": "protein", "dataset": ""},
                       {"cohort": "UCEC", "omics": "no such omics", "dataset": ""}):
            native, sql = both_ways(conn, **params)
            assert native.num_rows == 0 and native.schema.names == sql.schema.names
            assert_same(native, sql, str(params))
    engine.dispose()
    assert total > 100_000


def test_a_pair_is_its_tumor_dataset_then_its_normal_dataset(target, omicskb, tmp_path):
    assert omicskb(target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv").exit_code == 0
    result = omicskb(target, "load", "cohort", pancan_folder(tmp_path), "--cohort", "UCEC", "--layout", "pancan")
    assert result.exit_code == 0, result.output
    tumor, normal = f"UCEC_{NORMALIZED}_Tumor", f"UCEC_{NORMALIZED}_Normal"
    engine = make_engine(target)
    with engine.connect() as conn:
        for dataset in ("", tumor, normal):  # the default, or either half, names the pair
            native, sql = both_ways(conn, cohort="ucec", omics="phospho", dataset=dataset)
            assert_same(native, sql, dataset or "default")
            names = native.column("dataset_name").to_pylist()
            cut = names.index(normal)
            assert names[:cut] == [tumor] * cut and names[cut:] == [normal] * (len(names) - cut) and cut > 0
            roles = set(native.column("stat_role").to_pylist()[cut:])
            assert roles == {"normal"}
    engine.dispose()


def test_rows_stored_out_of_order_come_back_in_row_order(duckdb_target, omicskb):
    assert omicskb(duckdb_target, "load", "seeds", SEEDS).exit_code == 0
    engine = make_engine(duckdb_target)
    with engine.begin() as conn:
        dataset_id = conn.execute(sa.text("SELECT dataset_id FROM dataset WHERE omics_type = 'protein' AND is_default")).scalar()
        conn.execute(sa.text("CREATE TEMP TABLE kept AS SELECT * FROM measurement_row WHERE dataset_id = :d"), {"d": dataset_id})
        conn.execute(sa.text("DELETE FROM measurement_row WHERE dataset_id = :d"), {"d": dataset_id})
        conn.execute(sa.text("INSERT INTO measurement_row SELECT * FROM kept ORDER BY row_ord DESC"))
    with engine.connect() as conn:
        stored = [r for (r,) in conn.execute(sa.text("SELECT row_ord FROM measurement_row WHERE dataset_id = :d"), {"d": dataset_id})]
        assert stored != sorted(stored)
        native, sql = both_ways(conn, cohort="UCEC", omics="protein", dataset="")
        assert_same(native, sql, "reversed")
        row_ord = native.column("row_ord").to_pylist()
        assert row_ord == sorted(row_ord)
    engine.dispose()


@pytest.mark.parametrize("fmt", ["tsv", "csv", "json", "jsonl", "table"])
def test_every_format_writes_the_native_rows_as_it_writes_the_sql_files(seeded, omicskb, fmt):
    args = ["query", "dataset_values", "-p", "cohort=UCEC", "-p", "omics=cnv", "-f", fmt]
    native, sql = omicskb(seeded, *args), omicskb(seeded, *args, "--no-native")
    assert native.exit_code == 0 and sql.exit_code == 0, native.output + sql.output
    assert native.output == sql.output and len(native.output.splitlines()) > 20_000


def test_parquet_output_reads_back_as_the_sql_files_rows(seeded, omicskb, tmp_path):
    args = ["query", "dataset_values", "-p", "cohort=UCEC", "-p", "omics=protein"]
    assert omicskb(seeded, *args, "-o", tmp_path / "native.parquet").exit_code == 0
    assert omicskb(seeded, *args, "--no-native", "-o", tmp_path / "sql.parquet").exit_code == 0
    native, sql = pq.read_table(tmp_path / "native.parquet"), pq.read_table(tmp_path / "sql.parquet")
    assert native.num_rows == sql.num_rows > 0
    assert decoded(native).equals(decoded(sql))


def test_the_api_and_the_description_say_which_path_runs(seeded, omicskb):
    with api.connect(seeded) as db:
        native = db.query("dataset_values", cohort="UCEC", omics="rna")
        sql = db.query("dataset_values", cohort="UCEC", omics="rna", native=False)
    assert pa.types.is_dictionary(native.schema.field("sample_label").type) and pa.types.is_string(sql.schema.field("sample_label").type)
    assert_same(native, sql, "api")
    shown = omicskb(seeded, "queries", "dataset_values")
    assert shown.exit_code == 0 and "natively" in shown.output and "--no-native" in shown.output
    other = omicskb(seeded, "queries", "gene_values")
    assert "natively" not in other.output
    assert query_rows(seeded, "SELECT count(*) FROM measurement_row")[0][0] > 0
