"""Phenotype and mutation associations of `omicskb derive --analysis phenotypes`.

Revision ID: 0009_phenotype_associations
Revises: 0008_cis_associations
Create Date: 2026-11-30

- pheno_block: one per cohort and omics type (its default dataset) tested against every attribute
  of the cohort, with the dataset's release, a fingerprint of the cohort's clinical attributes and
  their releases, and the mutation dataset it took mutation status from; pheno_block_sample: the
  samples and their roles then.
- pheno_attribute: each attribute a block was tested against, its type and test, or why not.
- pheno_result: one test per feature and attribute.
- pheno_meta: Stouffer's Meta P per omics type, attribute name and feature, over the cohorts that
  share the attribute's name.
As for the tn_ and cis_ tables: foreign keys on PostgreSQL only, none to a dataset, sample or
release; pheno_result and pheno_meta keep primary keys and feature indexes on PostgreSQL only
(audit_pheno_results reports duplicates on DuckDB).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009_phenotype_associations'
down_revision = '0008_cis_associations'
branch_labels = None
depends_on = None


def pg_fk(*args, **kwargs) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(*args, **kwargs).ddl_if(dialect="postgresql")


def _postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence('pheno_block_id_seq')))
    op.create_table('pheno_block',
    sa.Column('block_id', sa.BigInteger(), server_default=sa.text("nextval('pheno_block_id_seq')"), nullable=False),
    sa.Column('cohort_code', sa.Text(), nullable=False),
    sa.Column('omics_type', sa.String(length=16), nullable=False),
    sa.Column('dataset_id', sa.BigInteger(), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False, comment="the dataset's release when derived"),
    sa.Column('clinical_fingerprint', sa.Text(), nullable=False, comment="the cohort's attributes and their releases when derived (queries/pheno_blocks.sql computes it)"),
    sa.Column('mutation_dataset_id', sa.BigInteger(), nullable=True, comment='the default mutation dataset the mutation attributes came from'),
    sa.Column('mutation_release_id', sa.BigInteger(), nullable=True),
    sa.Column('n_samples', sa.Integer(), nullable=False, comment='tumors in the dataset'),
    sa.Column('n_features', sa.Integer(), nullable=False),
    sa.Column('n_attributes', sa.Integer(), nullable=False),
    sa.Column('n_tested', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    pg_fk(['cohort_code'], ['cohort.cohort_code'], name=op.f('fk_pheno_block_cohort_code_cohort')),
    pg_fk(['omics_type'], ['omics_type.code'], name=op.f('fk_pheno_block_omics_type_omics_type')),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_pheno_block_run_id_load_run')),
    sa.PrimaryKeyConstraint('block_id', name=op.f('pk_pheno_block')),
    sa.UniqueConstraint('dataset_id', name=op.f('uq_pheno_block_dataset_id'))
    )
    op.create_table('pheno_block_sample',
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('sample_id', sa.BigInteger(), nullable=False),
    sa.Column('stat_role', sa.String(length=16), nullable=True),
    pg_fk(['block_id'], ['pheno_block.block_id'], name=op.f('fk_pheno_block_sample_block_id_pheno_block')),
    pg_fk(['stat_role'], ['sample_role.code'], name=op.f('fk_pheno_block_sample_stat_role_sample_role')),
    sa.PrimaryKeyConstraint('block_id', 'sample_id', name=op.f('pk_pheno_block_sample'))
    )
    op.create_table('pheno_attribute',
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('attribute_name', sa.Text(), nullable=False, comment='the clinical attribute\'s name, or <SYMBOL>_mutation'),
    sa.Column('attribute_group', sa.String(length=16), nullable=False, comment='clinical or mutation'),
    sa.Column('attribute_type', sa.String(length=8), nullable=False, comment='CON, BIN, ORD, CAT or SUR'),
    sa.Column('test', sa.String(length=16), nullable=False, comment='spearman, wilcoxon, jonckheere, kruskal or cox'),
    sa.Column('attribute_id', sa.BigInteger(), nullable=True, comment='the clinical attribute (NULL for mutation status)'),
    sa.Column('direction', sa.Text(), nullable=True, comment="what a positive sign means, e.g. 'higher in mutated than wildtype'"),
    sa.Column('n_with_value', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    pg_fk(['block_id'], ['pheno_block.block_id'], name=op.f('fk_pheno_attribute_block_id_pheno_block')),
    pg_fk(['attribute_type'], ['clinical_type.code'], name=op.f('fk_pheno_attribute_attribute_type_clinical_type')),
    sa.PrimaryKeyConstraint('block_id', 'attribute_name', name=op.f('pk_pheno_attribute'))
    )
    result_key = [sa.PrimaryKeyConstraint('block_id', 'attribute_name', 'feature_id', name=op.f('pk_pheno_result'))] if _postgres() else []
    op.create_table('pheno_result',
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('attribute_name', sa.Text(), nullable=False),
    sa.Column('feature_id', sa.BigInteger(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False, comment='tumors with a value and the attribute'),
    sa.Column('statistic', sa.Double(), nullable=True, comment="rho, the Hodges-Lehmann shift, JT's z, H, or the score chi-square"),
    sa.Column('p', sa.Double(), nullable=True, comment='two-sided; 0 where it underflows: log10_p keeps it'),
    sa.Column('log10_p', sa.Double(), nullable=True),
    sa.Column('signed_log10_p', sa.Double(), nullable=True, comment='direction x -log10 p (Kruskal-Wallis: unsigned, positive)'),
    sa.Column('q', sa.Double(), nullable=True, comment='Benjamini-Hochberg within the block and attribute'),
    sa.Column('skip_reason', sa.Text(), nullable=True),
    pg_fk(['block_id'], ['pheno_block.block_id'], name=op.f('fk_pheno_result_block_id_pheno_block')),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_pheno_result_feature_id_feature')),
    *result_key,
    )
    meta_key = [sa.PrimaryKeyConstraint('omics_type', 'attribute_name', 'feature_id', name=op.f('pk_pheno_meta'))] if _postgres() else []
    op.create_table('pheno_meta',
    sa.Column('omics_type', sa.String(length=16), nullable=False),
    sa.Column('attribute_name', sa.Text(), nullable=False),
    sa.Column('feature_id', sa.BigInteger(), nullable=False),
    sa.Column('n_cohorts', sa.Integer(), nullable=False),
    sa.Column('n_agree', sa.Integer(), nullable=False),
    sa.Column('z', sa.Double(), nullable=True),
    sa.Column('p', sa.Double(), nullable=True),
    sa.Column('log10_p', sa.Double(), nullable=False),
    sa.Column('signed_log10_p', sa.Double(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    pg_fk(['omics_type'], ['omics_type.code'], name=op.f('fk_pheno_meta_omics_type_omics_type')),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_pheno_meta_feature_id_feature')),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_pheno_meta_run_id_load_run')),
    *meta_key,
    )
    if _postgres():
        op.create_index('ix_pheno_result_feature_id', 'pheno_result', ['feature_id'], unique=False)
        op.create_index('ix_pheno_meta_feature_id', 'pheno_meta', ['feature_id'], unique=False)


def downgrade() -> None:
    for table in ('pheno_meta', 'pheno_result', 'pheno_attribute', 'pheno_block_sample', 'pheno_block'):
        op.drop_table(table)
    op.execute(sa.schema.DropSequence(sa.Sequence('pheno_block_id_seq')))
