"""Cohort measurements: patients, samples, clinical attributes, datasets, features, values, mutations.

Revision ID: 0002_cohort_measurements
Revises: 0001_annotation
Create Date: 2026-11-21

Values are stored one array per (dataset, feature) in `measurement_row`, so a cohort x omics block
is one range scan; the `measurement` view gives the long form. Foreign keys on PostgreSQL only.
"""

from alembic import op

from omicskb.schema import vocabularies
import sqlalchemy as sa


revision = '0002_cohort_measurements'
down_revision = '0001_annotation'
branch_labels = None
depends_on = None

SEQUENCES = (
    "patient_id_seq", "sample_id_seq", "clinical_attribute_id_seq", "clinical_value_id_seq",
    "dataset_id_seq", "feature_id_seq", "mutation_id_seq",
)


def pg_fk(*args, **kwargs) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(*args, **kwargs).ddl_if(dialect="postgresql")


def upgrade() -> None:
    for name in SEQUENCES:
        op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    op.create_table('clinical_type',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_clinical_type'))
    )
    op.create_table('feature_kind',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_feature_kind'))
    )
    op.create_table('sample_role',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_sample_role'))
    )
    op.create_table('sample_type',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('is_normal', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_sample_type'))
    )
    op.create_table('variant_class',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('is_nonsilent', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_variant_class'))
    )
    op.create_table('clinical_attribute',
    sa.Column('attribute_id', sa.BigInteger(), server_default=sa.text("nextval('clinical_attribute_id_seq')"), nullable=False),
    sa.Column('cohort_code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('clinical_type', sa.String(length=8), nullable=False),
    sa.Column('keyed_by', sa.String(length=16), nullable=False, comment="'sample' or 'patient': which id its values carry"),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['clinical_type'], ['clinical_type.code'], name=op.f('fk_clinical_attribute_clinical_type_clinical_type')),
    pg_fk(['cohort_code'], ['cohort.cohort_code'], name=op.f('fk_clinical_attribute_cohort_code_cohort')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_clinical_attribute_release_id_source_release')),
    sa.PrimaryKeyConstraint('attribute_id', name=op.f('pk_clinical_attribute')),
    sa.UniqueConstraint('cohort_code', 'name', name=op.f('uq_clinical_attribute_cohort_code_name'))
    )
    op.create_table('dataset',
    sa.Column('dataset_id', sa.BigInteger(), server_default=sa.text("nextval('dataset_id_seq')"), nullable=False),
    sa.Column('cohort_code', sa.String(length=16), nullable=False),
    sa.Column('omics_type', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False, comment='file name without .gz/.txt unless --name: a corrected file of the same name replaces it'),
    sa.Column('feature_kind', sa.String(length=16), nullable=False),
    sa.Column('source_format', sa.String(length=16), nullable=False),
    sa.Column('sample_scope', sa.String(length=16), nullable=False, comment='tumor, normal or from-samples: how column labels were matched'),
    sa.Column('unit', sa.Text(), nullable=True),
    sa.Column('n_features', sa.Integer(), nullable=False),
    sa.Column('n_samples', sa.Integer(), nullable=False),
    sa.Column('n_missing', sa.BigInteger(), nullable=False),
    sa.Column('n_unresolved', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['cohort_code'], ['cohort.cohort_code'], name=op.f('fk_dataset_cohort_code_cohort')),
    pg_fk(['feature_kind'], ['feature_kind.code'], name=op.f('fk_dataset_feature_kind_feature_kind')),
    pg_fk(['omics_type'], ['omics_type.code'], name=op.f('fk_dataset_omics_type_omics_type')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_dataset_release_id_source_release')),
    sa.PrimaryKeyConstraint('dataset_id', name=op.f('pk_dataset')),
    sa.UniqueConstraint('cohort_code', 'omics_type', 'name', name=op.f('uq_dataset_cohort_code_omics_type_name'))
    )
    op.create_table('feature',
    sa.Column('feature_id', sa.BigInteger(), server_default=sa.text("nextval('feature_id_seq')"), nullable=False),
    sa.Column('feature_key', sa.Text(), nullable=False, comment='gene:<GeneID>, site:<GeneID>:<protein>:<S123>, id:<kind>:<raw>'),
    sa.Column('feature_kind', sa.String(length=16), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('gene_id', sa.String(length=32), nullable=True),
    sa.Column('protein_id', sa.String(length=64), nullable=True),
    sa.Column('residue', sa.String(length=1), nullable=True),
    sa.Column('site_position', sa.Integer(), nullable=True),
    sa.Column('flanking_peptide', sa.Text(), nullable=True),
    pg_fk(['feature_kind'], ['feature_kind.code'], name=op.f('fk_feature_feature_kind_feature_kind')),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_feature_gene_id_gene')),
    sa.PrimaryKeyConstraint('feature_id', name=op.f('pk_feature')),
    sa.UniqueConstraint('feature_key', name=op.f('uq_feature_feature_key'))
    )
    op.create_index(op.f('ix_feature_gene_id'), 'feature', ['gene_id'], unique=False)
    op.create_table('patient',
    sa.Column('patient_id', sa.BigInteger(), server_default=sa.text("nextval('patient_id_seq')"), nullable=False),
    sa.Column('cohort_code', sa.String(length=16), nullable=False),
    sa.Column('patient_label', sa.String(length=64), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['cohort_code'], ['cohort.cohort_code'], name=op.f('fk_patient_cohort_code_cohort')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_patient_release_id_source_release')),
    sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_patient')),
    sa.UniqueConstraint('cohort_code', 'patient_label', name=op.f('uq_patient_cohort_code_patient_label'))
    )
    op.create_table('clinical_level',
    sa.Column('attribute_id', sa.BigInteger(), nullable=False),
    sa.Column('level_order', sa.Integer(), nullable=False),
    sa.Column('level_value', sa.Text(), nullable=False),
    pg_fk(['attribute_id'], ['clinical_attribute.attribute_id'], name=op.f('fk_clinical_level_attribute_id_clinical_attribute')),
    sa.PrimaryKeyConstraint('attribute_id', 'level_order', name=op.f('pk_clinical_level'))
    )
    op.create_table('measurement_row',
    sa.Column('dataset_id', sa.BigInteger(), nullable=False),
    sa.Column('row_ord', sa.Integer(), nullable=False),
    sa.Column('feature_id', sa.BigInteger(), nullable=False),
    sa.Column('raw_identifier', sa.Text(), nullable=False, comment='the id exactly as the file gives it'),
    sa.Column('file_line', sa.BigInteger(), nullable=False),
    sa.Column('sample_values', sa.ARRAY(sa.Double()), nullable=False),
    pg_fk(['dataset_id'], ['dataset.dataset_id'], name=op.f('fk_measurement_row_dataset_id_dataset')),
    pg_fk(['feature_id'], ['feature.feature_id'], name=op.f('fk_measurement_row_feature_id_feature')),
    sa.PrimaryKeyConstraint('dataset_id', 'row_ord', name=op.f('pk_measurement_row'))
    )
    op.create_table('sample',
    sa.Column('sample_id', sa.BigInteger(), server_default=sa.text("nextval('sample_id_seq')"), nullable=False),
    sa.Column('cohort_code', sa.String(length=16), nullable=False),
    sa.Column('sample_label', sa.String(length=64), nullable=False),
    sa.Column('sample_type', sa.String(length=32), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=True),
    sa.Column('is_excluded', sa.Boolean(), nullable=False),
    sa.Column('is_replicate', sa.Boolean(), nullable=False),
    sa.Column('stat_role', sa.String(length=16), nullable=True, comment='tumor: primary tumor, not excluded, not a replicate; normal: adjacent normal'),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['cohort_code'], ['cohort.cohort_code'], name=op.f('fk_sample_cohort_code_cohort')),
    pg_fk(['patient_id'], ['patient.patient_id'], name=op.f('fk_sample_patient_id_patient')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_sample_release_id_source_release')),
    pg_fk(['sample_type'], ['sample_type.code'], name=op.f('fk_sample_sample_type_sample_type')),
    pg_fk(['stat_role'], ['sample_role.code'], name=op.f('fk_sample_stat_role_sample_role')),
    sa.PrimaryKeyConstraint('sample_id', name=op.f('pk_sample')),
    sa.UniqueConstraint('cohort_code', 'sample_label', 'sample_type', name=op.f('uq_sample_cohort_code_sample_label_sample_type'))
    )
    op.create_table('clinical_value',
    sa.Column('clinical_value_id', sa.BigInteger(), server_default=sa.text("nextval('clinical_value_id_seq')"), nullable=False),
    sa.Column('attribute_id', sa.BigInteger(), nullable=False),
    sa.Column('sample_id', sa.BigInteger(), nullable=True),
    sa.Column('patient_id', sa.BigInteger(), nullable=True),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.Column('value_number', sa.Double(), nullable=True),
    sa.Column('event', sa.SmallInteger(), nullable=True),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['attribute_id'], ['clinical_attribute.attribute_id'], name=op.f('fk_clinical_value_attribute_id_clinical_attribute')),
    pg_fk(['patient_id'], ['patient.patient_id'], name=op.f('fk_clinical_value_patient_id_patient')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_clinical_value_release_id_source_release')),
    pg_fk(['sample_id'], ['sample.sample_id'], name=op.f('fk_clinical_value_sample_id_sample')),
    sa.PrimaryKeyConstraint('clinical_value_id', name=op.f('pk_clinical_value'))
    )
    op.create_index(op.f('ix_clinical_value_attribute_id'), 'clinical_value', ['attribute_id'], unique=False)
    op.create_table('dataset_sample',
    sa.Column('dataset_id', sa.BigInteger(), nullable=False),
    sa.Column('sample_ord', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.BigInteger(), nullable=False),
    sa.Column('column_label', sa.String(length=64), nullable=False),
    pg_fk(['dataset_id'], ['dataset.dataset_id'], name=op.f('fk_dataset_sample_dataset_id_dataset')),
    pg_fk(['sample_id'], ['sample.sample_id'], name=op.f('fk_dataset_sample_sample_id_sample')),
    sa.PrimaryKeyConstraint('dataset_id', 'sample_ord', name=op.f('pk_dataset_sample'))
    )
    op.create_table('mutation',
    sa.Column('mutation_id', sa.BigInteger(), server_default=sa.text("nextval('mutation_id_seq')"), nullable=False),
    sa.Column('dataset_id', sa.BigInteger(), nullable=False),
    sa.Column('sample_id', sa.BigInteger(), nullable=False),
    sa.Column('gene_id', sa.String(length=32), nullable=True),
    sa.Column('hugo_symbol', sa.String(length=64), nullable=False),
    sa.Column('chromosome', sa.String(length=32), nullable=False),
    sa.Column('start_position', sa.BigInteger(), nullable=False),
    sa.Column('end_position', sa.BigInteger(), nullable=False),
    sa.Column('variant_class', sa.String(length=64), nullable=False),
    sa.Column('variant_type', sa.String(length=16), nullable=False),
    sa.Column('reference_allele', sa.Text(), nullable=False),
    sa.Column('tumor_allele', sa.Text(), nullable=False),
    sa.Column('hgvsc', sa.Text(), nullable=True),
    sa.Column('hgvsp_short', sa.Text(), nullable=True),
    sa.Column('transcript_id', sa.String(length=64), nullable=True),
    sa.Column('t_depth', sa.Integer(), nullable=True),
    sa.Column('t_alt_count', sa.Integer(), nullable=True),
    sa.Column('tumor_sample_barcode', sa.String(length=64), nullable=False),
    sa.Column('file_line', sa.BigInteger(), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['dataset_id'], ['dataset.dataset_id'], name=op.f('fk_mutation_dataset_id_dataset')),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_mutation_gene_id_gene')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_mutation_release_id_source_release')),
    pg_fk(['sample_id'], ['sample.sample_id'], name=op.f('fk_mutation_sample_id_sample')),
    pg_fk(['variant_class'], ['variant_class.code'], name=op.f('fk_mutation_variant_class_variant_class')),
    sa.PrimaryKeyConstraint('mutation_id', name=op.f('pk_mutation'))
    )
    op.create_index(op.f('ix_mutation_dataset_id'), 'mutation', ['dataset_id'], unique=False)
    create_views()
    insert_vocabularies()


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_index(op.f('ix_mutation_dataset_id'), table_name='mutation')
    op.drop_table('mutation')
    op.drop_table('dataset_sample')
    op.drop_index(op.f('ix_clinical_value_attribute_id'), table_name='clinical_value')
    op.drop_table('clinical_value')
    op.drop_table('sample')
    op.drop_table('measurement_row')
    op.drop_table('clinical_level')
    op.drop_table('patient')
    op.drop_index(op.f('ix_feature_gene_id'), table_name='feature')
    op.drop_table('feature')
    op.drop_table('dataset')
    op.drop_table('clinical_attribute')
    op.drop_table('variant_class')
    op.drop_table('sample_type')
    op.drop_table('sample_role')
    op.drop_table('feature_kind')
    op.drop_table('clinical_type')
    for name in SEQUENCES:
        op.execute(sa.schema.DropSequence(sa.Sequence(name)))
    op.execute("DELETE FROM source_kind WHERE code IN (" + ", ".join(f"'{code}'" for code, _ in SOURCE_KINDS) + ")")


VIEWS = {
    # Long form: one row per present value. Filters on dataset/feature columns are applied before the unnest.
    "measurement": """
        SELECT d.cohort_code, d.omics_type, d.dataset_id, d.name AS dataset_name,
               m.feature_id, f.gene_id, f.label AS feature_label, m.raw_identifier,
               ds.sample_id, s.sample_label, s.sample_type, s.stat_role, u.value
        FROM measurement_row AS m
        CROSS JOIN LATERAL unnest(m.sample_values) WITH ORDINALITY AS u(value, sample_ord)
        JOIN dataset AS d ON d.dataset_id = m.dataset_id
        JOIN dataset_sample AS ds ON ds.dataset_id = m.dataset_id AND ds.sample_ord = u.sample_ord
        JOIN sample AS s ON s.sample_id = ds.sample_id
        JOIN feature AS f ON f.feature_id = m.feature_id
        WHERE u.value IS NOT NULL
    """,
    # Clinical values per sample: a patient-level value (pan-cancer meta, survival) applies to every sample of the patient.
    "sample_clinical": """
        SELECT s.cohort_code, s.sample_id, s.sample_label, s.sample_type, s.stat_role,
               a.attribute_id, a.name AS attribute, a.clinical_type, v.value_text, v.value_number, v.event
        FROM clinical_value AS v
        JOIN clinical_attribute AS a ON a.attribute_id = v.attribute_id
        JOIN sample AS s ON s.sample_id = v.sample_id
        UNION ALL
        SELECT s.cohort_code, s.sample_id, s.sample_label, s.sample_type, s.stat_role,
               a.attribute_id, a.name AS attribute, a.clinical_type, v.value_text, v.value_number, v.event
        FROM clinical_value AS v
        JOIN clinical_attribute AS a ON a.attribute_id = v.attribute_id
        JOIN sample AS s ON s.patient_id = v.patient_id
        WHERE v.sample_id IS NULL
    """,
}

SOURCE_KINDS = [
    ("matrix", "feature x sample matrix: LinkedOmics .cct/.cbt, cptac 2019 or pan-cancer idx TSV"),
    ("gct", "GCT 1.3 matrix"),
    ("gct_annotations", "GCT 1.3 column annotations (samples and their attributes)"),
    ("cptac2019_clinical", "cptac 2019 clinical table (one row per sample)"),
    ("tsi", "LinkedOmics sample information (.tsi)"),
    ("pancan_meta", "CPTAC pan-cancer <C>_meta.txt (per case, data_type row)"),
    ("pancan_survival", "CPTAC pan-cancer <C>_survival.txt"),
    ("maf", "Mutation Annotation Format"),
]

def create_views() -> None:
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def rows(table: str, columns: tuple[str, ...], values: list[tuple]) -> None:
    op.bulk_insert(sa.table(table, *(sa.column(c) for c in columns)), [dict(zip(columns, v)) for v in values])


def insert_vocabularies() -> None:
    rows("source_kind", ("code", "description"), SOURCE_KINDS)
    vocabularies.sync(op, ("sample_type", "sample_role", "clinical_type", "feature_kind", "variant_class"))
