"""Alembic environment: runs against the connection handed over by etl.db, or a -x db=TARGET."""

from __future__ import annotations

import os

from alembic import context

import omicskb.schema.dialects  # noqa: F401  (registers the DuckDB implementation)
from omicskb.schema.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    from omicskb.etl.db import make_engine

    target = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("OMICSKB_DB") or "omicskb.duckdb"
    engine = make_engine(target)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
