"""Alembic support for DuckDB, which duckdb_engine leaves to the application."""

from alembic.ddl.impl import DefaultImpl


class DuckDBImpl(DefaultImpl):
    __dialect__ = "duckdb"
