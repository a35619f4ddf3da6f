"""The feature_id indexes of tn_result, tn_box and tn_meta on PostgreSQL only.

Revision ID: 0006_tn_feature_indexes_pg_only
Revises: 0005_tumor_normal_results
Create Date: 2026-11-30

`derive` writes about a million result rows and two million box rows on the pan-cancer data, and
DuckDB maintains each ART index row by row at insert and serialises it at commit: these three
indexes cost about a fifth of the derive's write time. DuckDB answers the saved queries' lookups
by feature from the column's zone maps instead (gene_tumor_normal stays in tens of milliseconds);
PostgreSQL's planner needs the index.
"""

from __future__ import annotations

from alembic import op

revision = '0006_tn_feature_indexes_pg_only'
down_revision = '0005_tumor_normal_results'
branch_labels = None
depends_on = None

INDEXES = (('ix_tn_result_feature_id', 'tn_result'), ('ix_tn_box_feature_id', 'tn_box'), ('ix_tn_meta_feature_id', 'tn_meta'))


def _duckdb() -> bool:
    return op.get_bind().dialect.name == 'duckdb'


def upgrade() -> None:
    if _duckdb():
        for name, table in INDEXES:
            op.drop_index(name, table_name=table)


def downgrade() -> None:
    if _duckdb():
        for name, table in INDEXES:
            op.create_index(name, table, ['feature_id'], unique=False)
