"""analyze_tables: after a load, PostgreSQL has statistics for exactly the tables named."""

from __future__ import annotations

import pytest

from conftest import SEEDS, query_rows
from omicskb.etl.db import analyze_tables, make_engine

STATS = "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN ('gene', 'gene_xref', 'gene_symbol')"


def _last_analyze(target) -> dict:
    return dict(query_rows(target, STATS))


def _reltuples(target, table: str) -> float:
    return query_rows(target, "SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)", t=table)[0][0]


def test_named_tables_are_analyzed_and_only_they(pg_target, omicskb):
    result = omicskb(pg_target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv")
    assert result.exit_code == 0, result.output
    before = _last_analyze(pg_target)
    assert set(before) == {"gene", "gene_xref", "gene_symbol"}
    assert before["gene"] is None and before["gene_xref"] is None  # a fresh schema: never analyzed by hand
    assert _reltuples(pg_target, "gene") == -1  # PostgreSQL's "no statistics yet"

    engine = make_engine(pg_target)
    analyze_tables(engine, ["gene", "gene_xref", "gene"])
    engine.dispose()

    after = _last_analyze(pg_target)
    assert after["gene"] is not None and after["gene_xref"] is not None
    assert after["gene_symbol"] == before["gene_symbol"]  # not named, not analyzed
    genes = query_rows(pg_target, "SELECT count(*) FROM gene")[0][0]
    assert genes > 200 and _reltuples(pg_target, "gene") == genes  # a small table is counted exactly
    assert query_rows(pg_target, "SELECT count(*) FROM pg_stats WHERE tablename = 'gene' AND attname = 'symbol'")[0][0] == 1


def test_analyze_in_the_callers_transaction(pg_target, omicskb):
    result = omicskb(pg_target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv")
    assert result.exit_code == 0, result.output
    engine = make_engine(pg_target)
    with engine.begin() as conn:
        analyze_tables(conn, ["gene_symbol"])
    engine.dispose()
    assert _last_analyze(pg_target)["gene_symbol"] is not None
    assert _last_analyze(pg_target)["gene"] is None


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
