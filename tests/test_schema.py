"""Migrations build the schema on DuckDB and PostgreSQL, round-trip, and agree with the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from omicskb.etl.db import current_revision, downgrade, head_revision, make_engine, upgrade
from omicskb.schema import SCHEMA_REVISION
from omicskb.schema.models import Base

VIEWS = {"gene_summary_current", "go_id_primary", "measurement", "sample_clinical", "gene_name"}


def user_tables(conn: sa.Connection) -> set[str]:
    rows = conn.execute(sa.text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'"
    ))
    return {r[0] for r in rows}


def test_code_expects_the_migrations_head():
    assert SCHEMA_REVISION == head_revision()


def test_upgrade_then_downgrade_round_trips(empty_target):
    engine = make_engine(empty_target)
    upgrade(engine)
    assert current_revision(engine) == SCHEMA_REVISION
    with engine.connect() as conn:
        assert user_tables(conn) == set(Base.metadata.tables) | {"alembic_version"}
        for view in VIEWS:
            conn.execute(sa.text(f"SELECT * FROM {view}")).all()
        assert conn.execute(sa.text("SELECT count(*) FROM go_namespace")).scalar() == 3
    downgrade(engine)
    assert current_revision(engine) is None
    with engine.connect() as conn:
        assert user_tables(conn) == {"alembic_version"}
    upgrade(engine)  # and up again from base
    assert current_revision(engine) == SCHEMA_REVISION
    engine.dispose()


@pytest.mark.postgres
def test_models_and_migrations_agree_on_postgresql(pg_target):
    """Alembic autogenerate finds no difference (duckdb_engine cannot reflect, so DuckDB has its own check)."""
    engine = make_engine(pg_target)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def _duckdb_type(column: sa.Column) -> str:
    t = column.type
    if isinstance(t, sa.ARRAY):
        return "DOUBLE[]" if isinstance(t.item_type, sa.Double) else "UNKNOWN[]"
    if isinstance(t, sa.Boolean):
        return "BOOLEAN"
    if isinstance(t, sa.LargeBinary):
        return "BLOB"
    if isinstance(t, sa.Double):
        return "DOUBLE"
    if isinstance(t, sa.SmallInteger):
        return "SMALLINT"
    if isinstance(t, sa.BigInteger):
        return "BIGINT"
    if isinstance(t, sa.Integer):
        return "INTEGER"
    if isinstance(t, sa.DateTime):
        return "TIMESTAMP"
    if isinstance(t, sa.Date):
        return "DATE"
    return "VARCHAR"


def test_models_and_migrations_agree_on_duckdb(duckdb_target):
    """Columns, types, nullability, primary keys and indexes as DuckDB's catalog reports them."""
    engine = make_engine(duckdb_target)
    with engine.connect() as conn:
        columns = {
            (r.table_name, r.column_name): (r.data_type, r.is_nullable)
            for r in conn.execute(sa.text("SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() WHERE NOT internal AND table_name <> 'alembic_version'"))
            if r.table_name not in VIEWS
        }
        primary_keys = {
            r.table_name: set(r.constraint_column_names)
            for r in conn.execute(sa.text("SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND table_name <> 'alembic_version'"))
        }
        indexes = {r.index_name for r in conn.execute(sa.text("SELECT index_name FROM duckdb_indexes()"))}
    engine.dispose()
    expected_columns = {
        (table.name, column.name): (_duckdb_type(column), column.nullable)
        for table in Base.metadata.tables.values()
        for column in table.columns
    }
    assert columns == expected_columns
    def on_duckdb(item: sa.Index | sa.Constraint) -> bool:
        only = getattr(item, "_ddl_if", None)
        return only is None or only.dialect in (None, "duckdb")

    assert primary_keys == {t.name: {c.name for c in t.primary_key.columns} for t in Base.metadata.tables.values()
                            if t.name != "alembic_version" and on_duckdb(t.primary_key)}
    assert {"tn_result", "tn_box", "tn_box_outlier"}.isdisjoint(primary_keys)  # PostgreSQL only (0007)

    assert indexes == {i.name for t in Base.metadata.tables.values() for i in t.indexes if on_duckdb(i)}


def test_every_load_command_has_a_source_kind_row(target):
    from omicskb.etl.cli.load import LOADERS
    from omicskb.etl.sources import gene_orthologs, hcop

    kinds = {kind for kind, _, _ in LOADERS.values() if kind} | {gene_orthologs.SOURCE_KIND, hcop.SOURCE_KIND}
    engine = make_engine(target)
    with engine.connect() as conn:
        codes = {r[0] for r in conn.execute(sa.text("SELECT code FROM source_kind"))}
    engine.dispose()
    assert kinds <= codes
