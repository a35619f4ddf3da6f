"""Tumor-vs-normal results of `omicskb derive`: comparisons, per-feature tests, boxes, Meta P.

Revision ID: 0005_tumor_normal_results
Revises: 0004_no_array_statistics
Create Date: 2026-11-29

- tn_comparison: one per block derived (a dataset holding both roles, or a tumor/normal pair), with
  the dataset releases it read, the run that wrote it, and a reason where nothing could be tested;
  tn_comparison_sample: the samples it read and their roles then.
- tn_result: one Wilcoxon rank-sum test per feature (R's wilcox.test conventions, p in log space).
- tn_box and tn_box_outlier: box statistics per role and feature, and the outlying values.
- tn_meta: Stouffer's Meta P per omics and feature over the cohorts' default comparisons.
- source_kind 'derive' for the run log.
- view gene_name: every name a gene answers to, upper-cased, with its precedence (1 GeneID,
  2 official symbol, 3 alias or previous symbol), for the saved queries that take a `gene`.
As elsewhere, foreign keys are created on PostgreSQL only; none points at a dataset, sample or
release: derived rows never block a user's delete (loads and undos drop stale ones themselves).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_tumor_normal_results'
down_revision = '0004_no_array_statistics'
branch_labels = None
depends_on = None

TABLES = ('tn_meta', 'tn_box_outlier', 'tn_box', 'tn_result', 'tn_comparison_sample', 'tn_comparison')


def pg_fk(*args, **kwargs) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(*args, **kwargs).ddl_if(dialect="postgresql")


GENE_NAME_VIEW = (
    "SELECT gene_id, gene_id AS name, 1 AS precedence FROM gene "
    "UNION ALL SELECT gene_id, upper(symbol), 2 FROM gene "
    "UNION ALL SELECT gene_id, upper(symbol), 3 FROM gene_symbol"
)


def upgrade() -> None:
    if not op.get_bind().execute(sa.text("SELECT 1 FROM source_kind WHERE code = 'derive'")).first():
        op.bulk_insert(sa.table('source_kind', sa.column('code'), sa.column('description')),
                       [{'code': 'derive', 'description': 'omicskb derive: statistics computed from the loaded datasets'}])
    op.execute(sa.schema.CreateSequence(sa.Sequence('tn_comparison_id_seq')))
    op.create_table('tn_comparison',
    sa.Column('comparison_id', sa.BigInteger(), server_default=sa.text("nextval('tn_comparison_id_seq')"), nullable=False),
    sa.Column('cohort_code', sa.Text(), nullable=False),
    sa.Column('omics_type', sa.String(length=16), nullable=False),
    sa.Column('tumor_dataset_id', sa.BigInteger(), nullable=False),
    sa.Column('normal_dataset_id', sa.BigInteger(), nullable=False, comment='the tumor dataset itself when one dataset holds both roles'),
    sa.Column('tumor_release_id', sa.BigInteger(), nullable=False, comment="the tumor dataset's release when derived"),
    sa.Column('normal_release_id', sa.BigInteger(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False, comment='the (cohort, omics) default block: the one Meta P combines'),
    sa.Column('n_tumor_samples', sa.Integer(), nullable=False),
    sa.Column('n_normal_samples', sa.Integer(), nullable=False),
    sa.Column('n_features', sa.Integer(), nullable=False),
    sa.Column('n_tested', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True, comment='why nothing was tested (no normal samples), else NULL'),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    pg_fk(['cohort_code'], ['cohort.cohort_code'], name=op.f('fk_tn_comparison_cohort_code_cohort')),
    pg_fk(['omics_type'], ['omics_type.code'], name=op.f('fk_tn_comparison_omics_type_omics_type')),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_tn_comparison_run_id_load_run')),
    sa.PrimaryKeyConstraint('comparison_id', name=op.f('pk_tn_comparison')),
    sa.UniqueConstraint('tumor_dataset_id', 'normal_dataset_id', name=op.f('uq_tn_comparison_tumor_dataset_id_normal_dataset_id'))
    )
    op.create_index(op.f('ix_tn_comparison_tumor_dataset_id'), 'tn_comparison', ['tumor_dataset_id'], unique=False)
    op.create_index(op.f('ix_tn_comparison_normal_dataset_id'), 'tn_comparison', ['normal_dataset_id'], unique=False)
    op.create_table('tn_comparison_sample',
    sa.Column('comparison_id', sa.BigInteger(), nullable=False),
    sa.Column('sample_id', sa.BigInteger(), nullable=False),
    sa.Column('stat_role', sa.String(length=16), nullable=True),
    pg_fk(['comparison_id'], ['tn_comparison.comparison_id'], name=op.f('fk_tn_comparison_sample_comparison_id_tn_comparison')),
    pg_fk(['stat_role'], ['sample_role.code'], name=op.f('fk_tn_comparison_sample_stat_role_sample_role')),
    sa.PrimaryKeyConstraint('comparison_id', 'sample_id', name=op.f('pk_tn_comparison_sample'))
    )
    op.create_table('tn_result',
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
    pg_fk(['comparison_id'], ['tn_comparison.comparison_id'], name=op.f('fk_tn_result_comparison_id_tn_comparison')),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_tn_result_feature_id_feature')),
    sa.PrimaryKeyConstraint('comparison_id', 'feature_id', name=op.f('pk_tn_result'))
    )
    op.create_index(op.f('ix_tn_result_feature_id'), 'tn_result', ['feature_id'], unique=False)
    op.create_table('tn_box',
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
    pg_fk(['comparison_id'], ['tn_comparison.comparison_id'], name=op.f('fk_tn_box_comparison_id_tn_comparison')),
    pg_fk(['stat_role'], ['sample_role.code'], name=op.f('fk_tn_box_stat_role_sample_role')),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_tn_box_feature_id_feature')),
    sa.PrimaryKeyConstraint('comparison_id', 'stat_role', 'feature_id', name=op.f('pk_tn_box'))
    )
    op.create_index(op.f('ix_tn_box_feature_id'), 'tn_box', ['feature_id'], unique=False)
    op.create_table('tn_box_outlier',
    sa.Column('comparison_id', sa.BigInteger(), nullable=False),
    sa.Column('stat_role', sa.String(length=16), nullable=False),
    sa.Column('feature_id', sa.BigInteger(), nullable=False),
    sa.Column('sample_id', sa.BigInteger(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('is_extreme', sa.Boolean(), nullable=False),
    pg_fk(['comparison_id'], ['tn_comparison.comparison_id'], name=op.f('fk_tn_box_outlier_comparison_id_tn_comparison')),
    pg_fk(['stat_role'], ['sample_role.code'], name=op.f('fk_tn_box_outlier_stat_role_sample_role')),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_tn_box_outlier_feature_id_feature')),
    sa.PrimaryKeyConstraint('comparison_id', 'stat_role', 'feature_id', 'sample_id', name=op.f('pk_tn_box_outlier'))
    )
    op.create_table('tn_meta',
    sa.Column('omics_type', sa.String(length=16), nullable=False),
    sa.Column('feature_id', sa.BigInteger(), nullable=False),
    sa.Column('n_cohorts', sa.Integer(), nullable=False),
    sa.Column('n_agree', sa.Integer(), nullable=False, comment='cohorts in the majority direction'),
    sa.Column('z', sa.Double(), nullable=True, comment='the combined Z in the majority direction'),
    sa.Column('p', sa.Double(), nullable=True),
    sa.Column('log10_p', sa.Double(), nullable=False),
    sa.Column('signed_p', sa.Double(), nullable=True),
    sa.Column('signed_log10_p', sa.Double(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    pg_fk(['omics_type'], ['omics_type.code'], name=op.f('fk_tn_meta_omics_type_omics_type')),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_tn_meta_feature_id_feature')),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_tn_meta_run_id_load_run')),
    sa.PrimaryKeyConstraint('omics_type', 'feature_id', name=op.f('pk_tn_meta'))
    )
    op.create_index(op.f('ix_tn_meta_feature_id'), 'tn_meta', ['feature_id'], unique=False)
    op.execute(f"CREATE VIEW gene_name AS {GENE_NAME_VIEW}")


def downgrade() -> None:
    op.execute("DROP VIEW gene_name")
    for table in TABLES:
        op.drop_table(table)
    op.execute(sa.schema.DropSequence(sa.Sequence('tn_comparison_id_seq')))
    op.execute(sa.text("DELETE FROM load_run WHERE source_kind = 'derive'"))
    op.execute(sa.text("DELETE FROM source_kind WHERE code = 'derive'"))
