"""All-pairs trans associations of `omicskb derive --analysis trans`.

Revision ID: 0010_trans_associations
Revises: 0009_phenotype_associations
Create Date: 2026-11-30

- trans_block: one per cohort and omics type (protein, rna): its default dataset, every row
  against every other on the tumors, with the dataset's release; trans_block_sample: the samples
  and their roles then.
- trans_result: each feature's top partners in a block (every pair is tested, these are stored).
- trans_meta: Stouffer's Meta P of a feature and a partner across an omics type's blocks, for the
  feature's top partners by Meta P and for every pair trans_result holds.
As for the tn_, cis_ and pheno_ tables: foreign keys on PostgreSQL only, none to a dataset, sample
or release; trans_result and trans_meta keep primary keys and feature indexes on PostgreSQL only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010_trans_associations'
down_revision = '0009_phenotype_associations'
branch_labels = None
depends_on = None


def pg_fk(*args, **kwargs) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(*args, **kwargs).ddl_if(dialect="postgresql")


def _postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence('trans_block_id_seq')))
    op.create_table('trans_block',
    sa.Column('block_id', sa.BigInteger(), server_default=sa.text("nextval('trans_block_id_seq')"), nullable=False),
    sa.Column('cohort_code', sa.Text(), nullable=False),
    sa.Column('omics_type', sa.String(length=16), nullable=False),
    sa.Column('dataset_id', sa.BigInteger(), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False, comment="the dataset's release when derived"),
    sa.Column('n_samples', sa.Integer(), nullable=False, comment='tumors in the dataset'),
    sa.Column('n_features', sa.Integer(), nullable=False),
    sa.Column('n_pairs_tested', sa.BigInteger(), nullable=False, comment='pairs with 10 shared tumors and variance in both (each pair once)'),
    sa.Column('top_n', sa.Integer(), nullable=False, comment='partners stored per feature'),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    pg_fk(['cohort_code'], ['cohort.cohort_code'], name=op.f('fk_trans_block_cohort_code_cohort')),
    pg_fk(['omics_type'], ['omics_type.code'], name=op.f('fk_trans_block_omics_type_omics_type')),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_trans_block_run_id_load_run')),
    sa.PrimaryKeyConstraint('block_id', name=op.f('pk_trans_block')),
    sa.UniqueConstraint('dataset_id', name=op.f('uq_trans_block_dataset_id'))
    )
    op.create_table('trans_block_sample',
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('sample_id', sa.BigInteger(), nullable=False),
    sa.Column('stat_role', sa.String(length=16), nullable=True),
    pg_fk(['block_id'], ['trans_block.block_id'], name=op.f('fk_trans_block_sample_block_id_trans_block')),
    pg_fk(['stat_role'], ['sample_role.code'], name=op.f('fk_trans_block_sample_stat_role_sample_role')),
    sa.PrimaryKeyConstraint('block_id', 'sample_id', name=op.f('pk_trans_block_sample'))
    )
    meta_key = [sa.PrimaryKeyConstraint('omics_type', 'feature_id', 'partner_feature_id', name=op.f('pk_trans_meta'))] if _postgres() else []
    op.create_table('trans_meta',
    sa.Column('omics_type', sa.String(length=16), nullable=False),
    sa.Column('feature_id', sa.BigInteger(), nullable=False),
    sa.Column('partner_feature_id', sa.BigInteger(), nullable=False),
    sa.Column('meta_rank', sa.Integer(), nullable=True, comment="rank among the feature's top partners by Meta P; NULL when stored only because a block ranked the pair"),
    sa.Column('n_cohorts', sa.Integer(), nullable=False),
    sa.Column('n_agree', sa.Integer(), nullable=False, comment='cohorts in the majority direction'),
    sa.Column('z', sa.Double(), nullable=True, comment='the combined Z in the majority direction'),
    sa.Column('p', sa.Double(), nullable=True),
    sa.Column('log10_p', sa.Double(), nullable=False),
    sa.Column('signed_log10_p', sa.Double(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_trans_meta_feature_id_feature')),
    pg_fk(['omics_type'], ['omics_type.code'], name=op.f('fk_trans_meta_omics_type_omics_type')),
    pg_fk(['partner_feature_id'], ['feature.feature_id'], name=op.f('fk_trans_meta_partner_feature_id_feature')),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_trans_meta_run_id_load_run')),
    *meta_key,
    )
    result_key = [sa.PrimaryKeyConstraint('block_id', 'feature_id', 'partner_feature_id', name=op.f('pk_trans_result'))] if _postgres() else []
    op.create_table('trans_result',
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('feature_id', sa.BigInteger(), nullable=False),
    sa.Column('partner_feature_id', sa.BigInteger(), nullable=False),
    sa.Column('partner_rank', sa.Integer(), nullable=False, comment="1 for the feature's most significant partner in the block"),
    sa.Column('n', sa.Integer(), nullable=False, comment='tumors with both values'),
    sa.Column('rho', sa.Double(), nullable=False),
    sa.Column('p', sa.Double(), nullable=False, comment='two-sided, t approximation; 0 where it underflows: log10_p keeps it'),
    sa.Column('log10_p', sa.Double(), nullable=False),
    sa.Column('signed_log10_p', sa.Double(), nullable=False, comment='sign(rho) x -log10 p'),
    sa.Column('q', sa.Double(), nullable=False, comment='Benjamini-Hochberg over every partner of the feature in the block'),
    pg_fk(['block_id'], ['trans_block.block_id'], name=op.f('fk_trans_result_block_id_trans_block')),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_trans_result_feature_id_feature')),
    pg_fk(['partner_feature_id'], ['feature.feature_id'], name=op.f('fk_trans_result_partner_feature_id_feature')),
    *result_key,
    )
    if _postgres():
        op.create_index('ix_trans_result_feature_id', 'trans_result', ['feature_id'], unique=False)
        op.create_index('ix_trans_meta_feature_id', 'trans_meta', ['feature_id'], unique=False)


def downgrade() -> None:
    for table in ('trans_meta', 'trans_result', 'trans_block_sample', 'trans_block'):
        op.drop_table(table)
    op.execute(sa.schema.DropSequence(sa.Sequence('trans_block_id_seq')))
