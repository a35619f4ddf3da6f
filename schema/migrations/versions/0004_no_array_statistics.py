"""measurement_row.sample_values without planner statistics (PostgreSQL).

Revision ID: 0004_no_array_statistics
Revises: 0003_trustworthy_loads
Create Date: 2026-11-29

Loads ANALYZE the tables they wrote. For measurement_row most of that time went into element
statistics of the value arrays (about 30,000 sampled arrays of hundreds of values each), which no
query plans by: with the column's statistics target at 0, ANALYZE of the UCEC measurement_row
(220k rows) takes 0.19 s instead of 0.5 s. DuckDB keeps no such statistics: nothing to do there.
"""

from __future__ import annotations

from alembic import op

revision = '0004_no_array_statistics'
down_revision = '0003_trustworthy_loads'
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    if _postgresql():
        op.execute('ALTER TABLE measurement_row ALTER COLUMN sample_values SET STATISTICS 0')


def downgrade() -> None:
    if _postgresql():
        op.execute('ALTER TABLE measurement_row ALTER COLUMN sample_values SET STATISTICS -1')
