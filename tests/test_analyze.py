"""analyze_tables: after a load, PostgreSQL has statistics for exactly the tables named."""

from __future__ import annotations

import pytest

from conftest import DATA, SEEDS, query_rows
from omicskb.etl.db import analyze_tables, make_engine

PANCAN = DATA / "pancan"
STATS = "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN ('gene', 'gene_xref', 'gene_symbol', 'go_term', 'ortholog')"


def _last_analyze(target) -> dict:
    return dict(query_rows(target, STATS))


def _reltuples(target, table: str) -> float:
    return query_rows(target, "SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)", t=table)[0][0]


def test_named_tables_are_analyzed_and_only_they(pg_target):
    before = _last_analyze(pg_target)
    assert set(before) == {"gene", "gene_xref", "gene_symbol", "go_term", "ortholog"}
    assert all(when is None for when in before.values()), before  # a fresh schema: never analyzed
    engine = make_engine(pg_target)
    analyze_tables(engine, ["gene", "go_term", "gene"])
    engine.dispose()
    after = _last_analyze(pg_target)
    assert after["gene"] is not None and after["go_term"] is not None
    assert after["gene_symbol"] is None and after["ortholog"] is None  # not named, not analyzed


def test_a_load_leaves_statistics_for_the_tables_it_wrote(pg_target, omicskb):
    result = omicskb(pg_target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv")
    assert result.exit_code == 0, result.output
    after = _last_analyze(pg_target)
    assert after["gene"] is not None and after["gene_xref"] is not None and after["gene_symbol"] is not None
    assert after["go_term"] is None and after["ortholog"] is None  # not written by this load
    genes = query_rows(pg_target, "SELECT count(*) FROM gene")[0][0]
    assert genes > 200 and _reltuples(pg_target, "gene") == genes  # a small table is counted exactly
    assert query_rows(pg_target, "SELECT count(*) FROM pg_stats WHERE tablename = 'gene' AND attname = 'symbol'")[0][0] == 1


def test_analyze_in_the_callers_transaction(pg_target):
    engine = make_engine(pg_target)
    with engine.begin() as conn:
        analyze_tables(conn, ["go_term"])
    engine.dispose()
    assert _last_analyze(pg_target)["go_term"] is not None
    assert _last_analyze(pg_target)["ortholog"] is None


def test_unknown_tables_are_refused_on_both_backends(target):
    engine = make_engine(target)
    with pytest.raises(ValueError, match="not tables of the schema: gene; DROP TABLE gene"):
        analyze_tables(engine, ["gene", "gene; DROP TABLE gene"])
    with pytest.raises(ValueError, match="measurement"):
        analyze_tables(engine, ["measurement"])  # a view
    analyze_tables(engine, [])  # nothing to do
    analyze_tables(engine, ["gene", "measurement_row"])  # DuckDB: nothing to do either
    engine.dispose()
    assert query_rows(target, "SELECT count(*) FROM gene")[0][0] == 0


def test_value_arrays_get_no_statistics_the_other_columns_do(pg_target, omicskb):
    result = omicskb(pg_target, "load", "seeds", SEEDS)
    assert result.exit_code == 0, result.output
    columns = {c for (c,) in query_rows(pg_target, "SELECT attname FROM pg_stats WHERE tablename = 'measurement_row'")}
    assert "feature_id" in columns and "dataset_id" in columns  # the load analyzed measurement_row
    assert "sample_values" not in columns  # statistics target 0 (migration 0004): not worth ANALYZE's time


def test_load_cohort_analyzes_once_what_its_files_wrote(pg_target, omicskb):
    assert omicskb(pg_target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv").exit_code == 0
    result = omicskb(pg_target, "load", "cohort", PANCAN, "--cohort", "UCEC", "--layout", "pancan")
    assert result.exit_code == 0, result.output
    stats = dict(query_rows(pg_target, "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN ('measurement_row', 'dataset_sample', 'sample', 'go_term')"))
    assert stats["measurement_row"] is not None and stats["dataset_sample"] is not None and stats["sample"] is not None
    assert stats["go_term"] is None
    assert query_rows(pg_target, "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'measurement_row'") == [(1,)]  # once, not per file
