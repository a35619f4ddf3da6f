"""Saved queries: each has a valid header, binds its parameters, and the audits find nothing on sound data."""

from __future__ import annotations

import pytest

from conftest import query_rows
from omicskb.etl.queries import QUERIES_DIR, QueryError, catalogue, parse, run_saved
from omicskb.etl.db import make_engine

SAMPLE_VALUES = {"gene_id": "3574", "symbol": "IL7", "xref_db": "Ensembl", "accession": "ENSG00000104432", "go_id": "GO:0006916", "cohort": "UCEC", "dataset": ""}


def test_every_query_file_has_a_header_naming_it():
    files = sorted(QUERIES_DIR.glob("*.sql"))
    assert files and len(catalogue()) == len(files)
    for path in files:
        query = parse(path)
        assert query.name == path.stem and query.description
        for param in query.params:
            assert f":{param.name}" in query.sql


def test_every_query_runs_on_the_seeded_database(seeded):
    engine = make_engine(seeded)
    with engine.connect() as conn:
        for name, query in catalogue().items():
            values = {p.name: SAMPLE_VALUES[p.name] for p in query.params}
            rows = run_saved(conn, name, **values)
            if name.startswith("audit_"):
                assert rows == [], f"{name} found problems: {rows[:3]}"
        ancestors = {r["ancestor_id"] for r in run_saved(conn, "go_ancestors", go_id="GO:0006916")}
        assert "GO:0042981" in ancestors and "GO:0008150" in ancestors  # regulation of apoptotic process; the root
        genes = {r["symbol"] for r in run_saved(conn, "genes_for_go_term", go_id="GO:0008150")}
        assert "IL7" in genes
        with pytest.raises(QueryError):
            run_saved(conn, "go_ancestors")
    engine.dispose()


def test_parameters_are_bound_not_formatted(seeded):
    engine = make_engine(seeded)
    with engine.connect() as conn:
        assert run_saved(conn, "gene_lookup_by_symbol", symbol="IL7' OR '1'='1") == []
    engine.dispose()
    assert query_rows(seeded, "SELECT count(*) FROM gene WHERE gene_id = '3574'") == [(1,)]


def test_audit_finds_an_orphan(seeded):
    engine = make_engine(seeded)
    if engine.dialect.name != "duckdb":  # PostgreSQL enforces the foreign keys instead
        import sqlalchemy as sa

        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM gene WHERE gene_id = '3574'")
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM gene WHERE gene_id = '3574'")
    with engine.connect() as conn:
        rows = run_saved(conn, "audit_orphan_rows")
    engine.dispose()
    assert {r["table_name"] for r in rows} >= {"gene_go_annotation", "gene_summary", "ortholog"}
