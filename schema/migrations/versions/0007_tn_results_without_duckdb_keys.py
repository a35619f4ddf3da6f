"""tn_result, tn_box and tn_box_outlier without primary keys on DuckDB.

Revision ID: 0007_tn_results_no_duckdb_keys
Revises: 0006_tn_feature_indexes_pg_only
Create Date: 2026-11-30

DuckDB keeps a primary key as an ART index maintained row by row at insert and written out at
commit. For the five million rows a pan-cancer `derive` writes into these three tables that was
about two thirds of its write time (6.9 s of keys against 2.2 s without, measured with the same
rows). `derive` writes each key once by construction (one row per feature and role of a block), and
queries/audit_tn_results.sql reports any duplicate. PostgreSQL keeps the keys (its b-tree inserts
are cheap next to its foreign-key checks). DuckDB cannot drop a primary key in place, so each table
is rebuilt: renamed, created again without the key, refilled, and the old one dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_tn_results_no_duckdb_keys'
down_revision = '0006_tn_feature_indexes_pg_only'
branch_labels = None
depends_on = None


def _columns(table: str) -> list[sa.Column]:
    """The columns as 0005 created them, in the same order (SELECT * copies by position)."""
    if table == 'tn_result':
        return [
            sa.Column('comparison_id', sa.BigInteger(), nullable=False),
            sa.Column('feature_id', sa.BigInteger(), nullable=False),
            sa.Column('n_tumor', sa.Integer(), nullable=False),
            sa.Column('n_normal', sa.Integer(), nullable=False),
            sa.Column('median_tumor', sa.Double(), nullable=True),
            sa.Column('median_normal', sa.Double(), nullable=True),
            sa.Column('hl_shift', sa.Double(), nullable=True, comment='Hodges-Lehmann tumor - normal: the median of all pairwise differences'),
            sa.Column('u', sa.Double(), nullable=True, comment="Mann-Whitney U of the tumors (R's W)"),
            sa.Column('z', sa.Double(), nullable=True, comment="2 Phi(-|z|) = p, signed by the shift's direction"),
            sa.Column('exact', sa.Boolean(), nullable=True, comment='p from the exact distribution (both groups < 50, no ties)'),
            sa.Column('p', sa.Double(), nullable=True, comment='two-sided; 0 where it underflows a double: log10_p keeps it'),
            sa.Column('log10_p', sa.Double(), nullable=True),
            sa.Column('signed_p', sa.Double(), nullable=True),
            sa.Column('signed_log10_p', sa.Double(), nullable=True, comment='direction x -log10 p'),
            sa.Column('q', sa.Double(), nullable=True, comment='Benjamini-Hochberg within the comparison'),
            sa.Column('log10_q', sa.Double(), nullable=True),
            sa.Column('skip_reason', sa.Text(), nullable=True),
        ]
    if table == 'tn_box':
        return [
            sa.Column('comparison_id', sa.BigInteger(), nullable=False),
            sa.Column('stat_role', sa.String(length=16), nullable=False),
            sa.Column('feature_id', sa.BigInteger(), nullable=False),
            sa.Column('n', sa.Integer(), nullable=False),
            sa.Column('minimum', sa.Double(), nullable=True),
            sa.Column('q1', sa.Double(), nullable=True),
            sa.Column('median', sa.Double(), nullable=True),
            sa.Column('q3', sa.Double(), nullable=True),
            sa.Column('maximum', sa.Double(), nullable=True),
            sa.Column('whisker_low', sa.Double(), nullable=True, comment='the lowest value within 1.5 x IQR below q1'),
            sa.Column('whisker_high', sa.Double(), nullable=True),
            sa.Column('n_mild', sa.Integer(), nullable=False, comment='values 1.5-3 x IQR beyond the quartiles (in tn_box_outlier)'),
            sa.Column('n_extreme', sa.Integer(), nullable=False, comment='values beyond 3 x IQR'),
        ]
    return [
        sa.Column('comparison_id', sa.BigInteger(), nullable=False),
        sa.Column('stat_role', sa.String(length=16), nullable=False),
        sa.Column('feature_id', sa.BigInteger(), nullable=False),
        sa.Column('sample_id', sa.BigInteger(), nullable=False),
        sa.Column('value', sa.Double(), nullable=False),
        sa.Column('is_extreme', sa.Boolean(), nullable=False),
    ]


KEYS = {
    'tn_result': ('comparison_id', 'feature_id'),
    'tn_box': ('comparison_id', 'stat_role', 'feature_id'),
    'tn_box_outlier': ('comparison_id', 'stat_role', 'feature_id', 'sample_id'),
}


def _duckdb() -> bool:
    return op.get_bind().dialect.name == 'duckdb'


def _rebuild(table: str, with_key: bool) -> None:
    old = f'{table}__rebuilt'
    op.execute(f'ALTER TABLE {table} RENAME TO {old}')
    key = [sa.PrimaryKeyConstraint(*KEYS[table], name=op.f(f'pk_{table}'))] if with_key else []
    op.create_table(table, *_columns(table), *key)
    op.execute(f'INSERT INTO {table} SELECT * FROM {old}')
    op.execute(f'DROP TABLE {old}')


def upgrade() -> None:
    if _duckdb():
        for table in KEYS:
            _rebuild(table, with_key=False)


def downgrade() -> None:
    if _duckdb():
        for table in KEYS:
            _rebuild(table, with_key=True)
