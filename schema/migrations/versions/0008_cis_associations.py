"""Cis associations of `omicskb derive --analysis cis`: blocks, per-pair Spearman, Meta P.

Revision ID: 0008_cis_associations
Revises: 0007_tn_results_no_duckdb_keys
Create Date: 2026-11-30

- cis_block: one per cohort and pair of omics types (default datasets), with the releases it read,
  the run that wrote it and a reason where nothing could be tested; cis_block_sample: the samples
  of both datasets and their roles then.
- cis_result: one Spearman per y feature (a gene, or a site) against its gene's x row.
- cis_meta: Stouffer's Meta P per (omics_x, omics_y, feature) over the cohorts.
As for the tn_ tables, no foreign key points at a dataset, sample or release, foreign keys exist on
PostgreSQL only, and cis_result has its primary key and the feature_id indexes on PostgreSQL only
(DuckDB would maintain them row by row at every derive; audit_cis_results reports duplicates).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_cis_associations'
down_revision = '0007_tn_results_no_duckdb_keys'
branch_labels = None
depends_on = None


def pg_fk(*args, **kwargs) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(*args, **kwargs).ddl_if(dialect="postgresql")


def _postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence('cis_block_id_seq')))
    op.create_table('cis_block',
    sa.Column('block_id', sa.BigInteger(), server_default=sa.text("nextval('cis_block_id_seq')"), nullable=False),
    sa.Column('cohort_code', sa.Text(), nullable=False),
    sa.Column('omics_x', sa.String(length=16), nullable=False),
    sa.Column('omics_y', sa.String(length=16), nullable=False),
    sa.Column('dataset_x_id', sa.BigInteger(), nullable=False),
    sa.Column('dataset_y_id', sa.BigInteger(), nullable=False),
    sa.Column('release_x_id', sa.BigInteger(), nullable=False, comment="dataset x's release when derived"),
    sa.Column('release_y_id', sa.BigInteger(), nullable=False),
    sa.Column('n_samples', sa.Integer(), nullable=False, comment='tumors both datasets measured'),
    sa.Column('n_pairs', sa.Integer(), nullable=False, comment='y features whose gene has a row in x'),
    sa.Column('n_tested', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True, comment='why nothing was tested, else NULL'),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    pg_fk(['cohort_code'], ['cohort.cohort_code'], name=op.f('fk_cis_block_cohort_code_cohort')),
    pg_fk(['omics_x'], ['omics_type.code'], name=op.f('fk_cis_block_omics_x_omics_type')),
    pg_fk(['omics_y'], ['omics_type.code'], name=op.f('fk_cis_block_omics_y_omics_type')),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_cis_block_run_id_load_run')),
    sa.PrimaryKeyConstraint('block_id', name=op.f('pk_cis_block')),
    sa.UniqueConstraint('dataset_x_id', 'dataset_y_id', name=op.f('uq_cis_block_dataset_x_id_dataset_y_id'))
    )
    op.create_index(op.f('ix_cis_block_dataset_x_id'), 'cis_block', ['dataset_x_id'], unique=False)
    op.create_index(op.f('ix_cis_block_dataset_y_id'), 'cis_block', ['dataset_y_id'], unique=False)
    op.create_table('cis_block_sample',
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('sample_id', sa.BigInteger(), nullable=False),
    sa.Column('stat_role', sa.String(length=16), nullable=True),
    pg_fk(['block_id'], ['cis_block.block_id'], name=op.f('fk_cis_block_sample_block_id_cis_block')),
    pg_fk(['stat_role'], ['sample_role.code'], name=op.f('fk_cis_block_sample_stat_role_sample_role')),
    sa.PrimaryKeyConstraint('block_id', 'sample_id', name=op.f('pk_cis_block_sample'))
    )
    result_key = [sa.PrimaryKeyConstraint('block_id', 'feature_id', name=op.f('pk_cis_result'))] if _postgres() else []
    op.create_table('cis_result',
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('feature_id', sa.BigInteger(), nullable=False, comment='the y feature: a gene, or a site'),
    sa.Column('x_feature_id', sa.BigInteger(), nullable=False, comment="the x row: the gene's own feature"),
    sa.Column('n', sa.Integer(), nullable=False, comment='tumors with both values'),
    sa.Column('rho', sa.Double(), nullable=True),
    sa.Column('p', sa.Double(), nullable=True, comment='two-sided, t approximation; 0 where it underflows: log10_p keeps it'),
    sa.Column('log10_p', sa.Double(), nullable=True),
    sa.Column('signed_log10_p', sa.Double(), nullable=True, comment='sign(rho) x -log10 p'),
    sa.Column('q', sa.Double(), nullable=True, comment='Benjamini-Hochberg within the block'),
    sa.Column('skip_reason', sa.Text(), nullable=True),
    pg_fk(['block_id'], ['cis_block.block_id'], name=op.f('fk_cis_result_block_id_cis_block')),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_cis_result_feature_id_feature')),
    pg_fk(['x_feature_id'], ['feature.feature_id'], name=op.f('fk_cis_result_x_feature_id_feature')),
    *result_key,
    )
    op.create_table('cis_meta',
    sa.Column('omics_x', sa.String(length=16), nullable=False),
    sa.Column('omics_y', sa.String(length=16), nullable=False),
    sa.Column('feature_id', sa.BigInteger(), nullable=False),
    sa.Column('n_cohorts', sa.Integer(), nullable=False),
    sa.Column('n_agree', sa.Integer(), nullable=False, comment='cohorts in the majority direction'),
    sa.Column('z', sa.Double(), nullable=True, comment='the combined Z in the majority direction'),
    sa.Column('p', sa.Double(), nullable=True),
    sa.Column('log10_p', sa.Double(), nullable=False),
    sa.Column('signed_log10_p', sa.Double(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_cis_meta_feature_id_feature')),
    pg_fk(['omics_x'], ['omics_type.code'], name=op.f('fk_cis_meta_omics_x_omics_type')),
    pg_fk(['omics_y'], ['omics_type.code'], name=op.f('fk_cis_meta_omics_y_omics_type')),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_cis_meta_run_id_load_run')),
    sa.PrimaryKeyConstraint('omics_x', 'omics_y', 'feature_id', name=op.f('pk_cis_meta'))
    )
    if _postgres():
        op.create_index('ix_cis_result_feature_id', 'cis_result', ['feature_id'], unique=False)
        op.create_index('ix_cis_meta_feature_id', 'cis_meta', ['feature_id'], unique=False)


def downgrade() -> None:
    for table in ('cis_meta', 'cis_result', 'cis_block_sample', 'cis_block'):
        op.drop_table(table)
    op.execute(sa.schema.DropSequence(sa.Sequence('cis_block_id_seq')))
