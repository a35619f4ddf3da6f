"""The omicskb relational schema: SQLAlchemy models and Alembic migrations."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The Alembic head this code expects (tests/test_schema.py checks it against the migrations).
SCHEMA_REVISION = "0010_trans_associations"
