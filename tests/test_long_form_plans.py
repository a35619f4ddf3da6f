"""The filtered long-form queries read only their rows into the unnest: EXPLAIN ANALYZE of the SQL
exactly as omicskb runs it (etl.queries.duckdb_sql with $params on DuckDB, postgres_sql with
psycopg parameters on PostgreSQL), counted against the rows the seeded database holds.

On DuckDB the `measurement` view is the contrast: it unnests every measurement_row array before the
gene filter applies, and gene_values unnests exactly the gene's arrays of the wanted datasets.
PostgreSQL's planner moves the view's gene filter below the unnest by itself, so there the view
unnests only the gene's arrays too (of every dataset). gene_values materialises the gene's rows of
the wanted datasets first (WITH ... AS MATERIALIZED), so on both backends it unnests only those.

The plans are parsed from EXPLAIN's JSON by benchmarks.long_form.explain (the benchmark prints the
same summaries). DuckDB's row counts are exact. PostgreSQL's are per loop and rounded; the loops of
its unnest (one per array) are exact, and those are what the PostgreSQL checks use.
"""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from benchmarks.long_form import PlanSummary, explain, saved_sql, view_sql
from omicskb.etl.db import make_engine
from omicskb.etl.queries import get

GENE = "7158"  # TP53BP1: 195 measurement_row rows in 7 datasets; 12 of them in somatic_binary, which is no default
GENE_SET = ["7158", "3574", "5728"]

# The datasets the saved queries read by default: each cohort and omics' default dataset, and the
# normal dataset paired with a default tumor dataset.
WANTED = """
    SELECT dataset_id FROM dataset WHERE is_default
    UNION
    SELECT p.normal_dataset_id FROM dataset_pair AS p JOIN dataset AS t ON t.dataset_id = p.tumor_dataset_id WHERE t.is_default
"""


@dataclasses.dataclass
class Rows:
    rows: int  # measurement_row rows
    values: int  # elements of their arrays


def rows_of(conn: sa.Connection, where: str, **params) -> Rows:
    length = "len(m.sample_values)" if conn.dialect.name == "duckdb" else "cardinality(m.sample_values)"
    row = conn.execute(sa.text(
        f"SELECT count(*), COALESCE(sum({length}), 0) FROM measurement_row AS m JOIN feature AS f ON f.feature_id = m.feature_id WHERE {where}"
    ).bindparams(*(sa.bindparam(k, expanding=isinstance(v, list)) for k, v in params.items())), params).one()
    return Rows(int(row[0]), int(row[1]))


def plan_of(conn: sa.Connection, name: str, **values) -> PlanSummary:
    return explain(conn, saved_sql(conn, name), get(name).bind(values))


def describe(plan: PlanSummary) -> str:
    return plan.line() + "\n" + "\n".join(plan.tree)


def counts(conn: sa.Connection) -> dict[str, Rows]:
    return {
        "everything": rows_of(conn, "true"),
        "wanted datasets": rows_of(conn, f"m.dataset_id IN ({WANTED})"),
        "gene": rows_of(conn, "f.gene_id = :g", g=GENE),
        "gene, wanted datasets": rows_of(conn, f"f.gene_id = :g AND m.dataset_id IN ({WANTED})", g=GENE),
    }


def test_gene_values_unnests_only_the_genes_rows_and_the_view_every_row(seeded):
    engine = make_engine(seeded)
    with engine.connect() as conn:
        duckdb = conn.dialect.name == "duckdb"
        n = counts(conn)
        filtered = plan_of(conn, "gene_values", gene_id=GENE)
        view = explain(conn, view_sql(conn), {"gene_id": GENE})
    engine.dispose()
    everything, gene, gene_wanted = n["everything"], n["gene"], n["gene, wanted datasets"]
    # A fair seed: the gene is a small part of the table, and some of its rows lie outside the default datasets.
    assert 0 < gene_wanted.rows < gene.rows < everything.rows / 10

    # gene_values unnests only the gene's arrays, on both backends.
    assert gene_wanted.rows <= filtered.unnest_arrays <= gene.rows, describe(filtered)
    if duckdb:
        # The scan emits at most the wanted datasets' rows: DuckDB pushes the dataset ids and, at
        # scale, the gene's feature ids into it as dynamic filters (on this small table the feature
        # join comes after the scan).
        assert filtered.scan_rows_out <= n["wanted datasets"].rows < everything.rows, describe(filtered)
        # The view unnests every array of every dataset, then filters.
        assert view.scan_rows_out == everything.rows, describe(view)
        assert view.unnest_arrays == everything.rows, describe(view)
        assert view.unnest_values == everything.values, describe(view)
    else:
        # PostgreSQL's planner moves the view's gene filter below the unnest: it unnests the gene's
        # arrays of every dataset (the view knows no default datasets). Finding them is the planner's
        # choice (a sequential scan on this small table, the feature_id index at scale).
        assert view.unnest_arrays == gene.rows, describe(view)


def test_gene_values_unnests_only_the_wanted_datasets_rows(seeded):
    engine = make_engine(seeded)
    with engine.connect() as conn:
        n = counts(conn)
        filtered = plan_of(conn, "gene_values", gene_id=GENE)
        duckdb = conn.dialect.name == "duckdb"
    engine.dispose()
    gene_wanted = n["gene, wanted datasets"]
    assert filtered.unnest_arrays == gene_wanted.rows, describe(filtered)
    if duckdb:  # PostgreSQL's element count is per loop, rounded
        assert filtered.unnest_values == gene_wanted.values, describe(filtered)


OTHERS = [
    ("gene_value_summary", {"gene_id": GENE}, "f.gene_id = :g"),
    ("gene_set_values", {"gene_ids": GENE_SET}, "f.gene_id IN :g"),
    ("dataset_values", {"cohort": "ucec", "omics": "protein"},
     "m.dataset_id IN (SELECT dataset_id FROM dataset WHERE cohort_code = 'UCEC' AND omics_type = 'protein' AND is_default)"),
]


def test_the_other_filtered_queries_unnest_only_their_rows(seeded):
    engine = make_engine(seeded)
    with engine.connect() as conn:
        duckdb = conn.dialect.name == "duckdb"
        everything = rows_of(conn, "true")
        for name, values, where in OTHERS:
            params = {"g": values.get("gene_id", values.get("gene_ids"))} if ":g" in where else {}
            theirs = rows_of(conn, f"{where} AND m.dataset_id IN ({WANTED})", **params)
            anywhere = rows_of(conn, where, **params)
            plan = plan_of(conn, name, **values)
            assert 0 < theirs.rows < everything.rows / 4, name
            if duckdb:
                assert plan.unnest_arrays == theirs.rows, f"{name}: {describe(plan)}"
                assert plan.unnest_values == theirs.values, f"{name}: {describe(plan)}"
            else:
                assert theirs.rows <= plan.unnest_arrays <= anywhere.rows, f"{name}: {describe(plan)}"
    engine.dispose()
