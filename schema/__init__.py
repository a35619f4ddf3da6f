"""The omicskb relational schema: SQLAlchemy models and Alembic migrations."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
