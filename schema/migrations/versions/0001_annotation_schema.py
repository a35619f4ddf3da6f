"""Annotation schema: provenance, genes, GO, orthologs, transcripts, cohorts, and their vocabularies.

Revision ID: 0001_annotation
Revises:
Create Date: 2026-11-21

Foreign keys are created on PostgreSQL only (see schema/models.py for why).
"""

import sqlalchemy as sa
from alembic import op

from omicskb.schema import vocabularies


revision = '0001_annotation'
down_revision = None
branch_labels = None
depends_on = None


SEQUENCES = ("load_run_id_seq", "source_release_id_seq", "gene_go_annotation_id_seq", "unresolved_identifier_id_seq")


def pg_fk(*args, **kwargs) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(*args, **kwargs).ddl_if(dialect="postgresql")


def upgrade() -> None:
    for name in SEQUENCES:
        op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    op.create_table('evidence_code',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_evidence_code'))
    )
    op.create_table('gene_type',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_gene_type'))
    )
    op.create_table('go_namespace',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('aspect', sa.String(length=1), nullable=False),
    sa.Column('label', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_go_namespace')),
    sa.UniqueConstraint('aspect', name=op.f('uq_go_namespace_aspect'))
    )
    op.create_table('go_relation_type',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('propagates_annotation', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_go_relation_type'))
    )
    op.create_table('go_successor_kind',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_go_successor_kind'))
    )
    op.create_table('omics_type',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('feature_level', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_omics_type'))
    )
    op.create_table('run_status',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_run_status'))
    )
    op.create_table('source_kind',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_source_kind'))
    )
    op.create_table('symbol_kind',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_symbol_kind'))
    )
    op.create_table('taxon',
    sa.Column('taxon_id', sa.String(length=16), nullable=False),
    sa.Column('scientific_name', sa.Text(), nullable=True, comment='NULL for a taxon first seen in data'),
    sa.Column('common_name', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('taxon_id', name=op.f('pk_taxon'))
    )
    op.create_table('xref_db',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_xref_db'))
    )
    op.create_table('load_run',
    sa.Column('run_id', sa.BigInteger(), server_default=sa.text("nextval('load_run_id_seq')"), nullable=False),
    sa.Column('command', sa.Text(), nullable=False),
    sa.Column('source_kind', sa.String(length=32), nullable=False),
    sa.Column('file_path', sa.Text(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('file_bytes', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('rows_read', sa.BigInteger(), nullable=True),
    sa.Column('rows_loaded', sa.BigInteger(), nullable=True),
    sa.Column('rows_rejected', sa.BigInteger(), nullable=True),
    sa.Column('release_id', sa.BigInteger(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('omicskb_version', sa.String(length=32), nullable=False),
    pg_fk(['source_kind'], ['source_kind.code'], name=op.f('fk_load_run_source_kind_source_kind')),
    pg_fk(['status'], ['run_status.code'], name=op.f('fk_load_run_status_run_status')),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_load_run'))
    )
    op.create_table('source_release',
    sa.Column('release_id', sa.BigInteger(), server_default=sa.text("nextval('source_release_id_seq')"), nullable=False),
    sa.Column('source_kind', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_bytes', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Text(), nullable=True),
    sa.Column('release_date', sa.Date(), nullable=True),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_source_release_run_id_load_run')),
    pg_fk(['source_kind'], ['source_kind.code'], name=op.f('fk_source_release_source_kind_source_kind')),
    sa.PrimaryKeyConstraint('release_id', name=op.f('pk_source_release')),
    sa.UniqueConstraint('source_kind', 'file_sha256', name=op.f('uq_source_release_source_kind_file_sha256'))
    )
    op.create_table('unresolved_identifier',
    sa.Column('unresolved_id', sa.BigInteger(), server_default=sa.text("nextval('unresolved_identifier_id_seq')"), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.Column('source_kind', sa.String(length=32), nullable=False),
    sa.Column('file_line', sa.BigInteger(), nullable=False),
    sa.Column('identifier', sa.Text(), nullable=False),
    sa.Column('id_kind', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    pg_fk(['run_id'], ['load_run.run_id'], name=op.f('fk_unresolved_identifier_run_id_load_run')),
    pg_fk(['source_kind'], ['source_kind.code'], name=op.f('fk_unresolved_identifier_source_kind_source_kind')),
    sa.PrimaryKeyConstraint('unresolved_id', name=op.f('pk_unresolved_identifier'))
    )
    op.create_index(op.f('ix_unresolved_identifier_run_id'), 'unresolved_identifier', ['run_id'], unique=False)
    op.create_table('cohort',
    sa.Column('cohort_code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('aliases', sa.Text(), nullable=True, comment="'|'-joined other codes used by releases, e.g. HGSC"),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_cohort_release_id_source_release')),
    sa.PrimaryKeyConstraint('cohort_code', name=op.f('pk_cohort'))
    )
    op.create_table('gene',
    sa.Column('gene_id', sa.String(length=32), nullable=False, comment='Entrez GeneID'),
    sa.Column('taxon_id', sa.String(length=16), nullable=False),
    sa.Column('symbol', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('type_of_gene', sa.String(length=64), nullable=True),
    sa.Column('chromosome', sa.String(length=32), nullable=True),
    sa.Column('map_location', sa.Text(), nullable=True),
    sa.Column('locus_tag', sa.String(length=64), nullable=True),
    sa.Column('nomenclature_status', sa.String(length=16), nullable=True),
    sa.Column('modification_date', sa.Date(), nullable=True),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_gene_release_id_source_release')),
    pg_fk(['taxon_id'], ['taxon.taxon_id'], name=op.f('fk_gene_taxon_id_taxon')),
    pg_fk(['type_of_gene'], ['gene_type.code'], name=op.f('fk_gene_type_of_gene_gene_type')),
    sa.PrimaryKeyConstraint('gene_id', name=op.f('pk_gene'))
    )
    op.create_index(op.f('ix_gene_symbol'), 'gene', ['symbol'], unique=False)
    op.create_table('go_closure',
    sa.Column('go_id', sa.String(length=10), nullable=False, comment='descendant'),
    sa.Column('ancestor_id', sa.String(length=10), nullable=False),
    sa.Column('distance', sa.Integer(), nullable=False, comment='fewest edges from go_id up to ancestor_id'),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_go_closure_release_id_source_release')),
    sa.PrimaryKeyConstraint('go_id', 'ancestor_id', name=op.f('pk_go_closure'))
    )
    op.create_index(op.f('ix_go_closure_ancestor_id'), 'go_closure', ['ancestor_id'], unique=False)
    op.create_table('go_term',
    sa.Column('go_id', sa.String(length=10), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('namespace', sa.String(length=32), nullable=False),
    sa.Column('definition', sa.Text(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('is_obsolete', sa.Boolean(), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['namespace'], ['go_namespace.code'], name=op.f('fk_go_term_namespace_go_namespace')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_go_term_release_id_source_release')),
    sa.PrimaryKeyConstraint('go_id', name=op.f('pk_go_term'))
    )
    op.create_table('species_gene',
    sa.Column('db_id', sa.String(length=32), nullable=False, comment='MGI:96561, RGD:2904'),
    sa.Column('taxon_id', sa.String(length=16), nullable=False),
    sa.Column('symbol', sa.String(length=64), nullable=False),
    sa.Column('synonyms', sa.Text(), nullable=True, comment="'|'-joined"),
    sa.Column('ensembl_genes', sa.Text(), nullable=True, comment="'|'-joined"),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_species_gene_release_id_source_release')),
    pg_fk(['taxon_id'], ['taxon.taxon_id'], name=op.f('fk_species_gene_taxon_id_taxon')),
    sa.PrimaryKeyConstraint('db_id', name=op.f('pk_species_gene'))
    )
    op.create_index(op.f('ix_species_gene_symbol'), 'species_gene', ['symbol'], unique=False)
    op.create_table('gene_category',
    sa.Column('gene_id', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_gene_category_gene_id_gene')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_gene_category_release_id_source_release')),
    sa.PrimaryKeyConstraint('gene_id', 'category', name=op.f('pk_gene_category'))
    )
    op.create_table('gene_go_annotation',
    sa.Column('annotation_id', sa.BigInteger(), server_default=sa.text("nextval('gene_go_annotation_id_seq')"), nullable=False),
    sa.Column('gene_id', sa.String(length=32), nullable=False),
    sa.Column('go_id', sa.String(length=10), nullable=False, comment='as annotated; may be an alt_id or obsolete'),
    sa.Column('qualifier', sa.String(length=64), nullable=True, comment="as given, e.g. 'NOT|involved_in'"),
    sa.Column('is_not', sa.Boolean(), nullable=False),
    sa.Column('evidence_code', sa.String(length=8), nullable=True),
    sa.Column('namespace', sa.String(length=32), nullable=False),
    sa.Column('go_term_as_given', sa.Text(), nullable=True, comment="gene2go's GO_term column"),
    sa.Column('reference_ids', sa.Text(), nullable=True, comment="'|'-joined, e.g. PMID:2643102"),
    sa.Column('with_from', sa.Text(), nullable=True),
    sa.Column('db_object_id', sa.String(length=64), nullable=True, comment='GAF: the annotated UniProtKB entry'),
    sa.Column('assigned_by', sa.String(length=64), nullable=True),
    sa.Column('annotation_date', sa.Date(), nullable=True),
    sa.Column('source_kind', sa.String(length=32), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['evidence_code'], ['evidence_code.code'], name=op.f('fk_gene_go_annotation_evidence_code_evidence_code')),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_gene_go_annotation_gene_id_gene')),
    pg_fk(['namespace'], ['go_namespace.code'], name=op.f('fk_gene_go_annotation_namespace_go_namespace')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_gene_go_annotation_release_id_source_release')),
    pg_fk(['source_kind'], ['source_kind.code'], name=op.f('fk_gene_go_annotation_source_kind_source_kind')),
    sa.PrimaryKeyConstraint('annotation_id', name=op.f('pk_gene_go_annotation'))
    )
    op.create_index(op.f('ix_gene_go_annotation_gene_id'), 'gene_go_annotation', ['gene_id'], unique=False)
    op.create_index(op.f('ix_gene_go_annotation_go_id'), 'gene_go_annotation', ['go_id'], unique=False)
    op.create_index(op.f('ix_gene_go_annotation_release_id'), 'gene_go_annotation', ['release_id'], unique=False)
    op.create_table('gene_summary',
    sa.Column('gene_id', sa.String(length=32), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('provided_by', sa.String(length=32), nullable=True, comment="e.g. RefSeq, from '[provided by RefSeq, Jul 2020]'"),
    sa.Column('provided_date', sa.Date(), nullable=True, comment='first day of the stated month'),
    sa.Column('provided_date_text', sa.String(length=16), nullable=True, comment="as written, e.g. 'Jul 2020'"),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_gene_summary_gene_id_gene')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_gene_summary_release_id_source_release')),
    sa.PrimaryKeyConstraint('gene_id', 'text_sha256', name=op.f('pk_gene_summary'))
    )
    op.create_table('gene_symbol',
    sa.Column('gene_id', sa.String(length=32), nullable=False),
    sa.Column('symbol', sa.String(length=64), nullable=False),
    sa.Column('symbol_kind', sa.String(length=16), nullable=False),
    sa.Column('source_kind', sa.String(length=32), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_gene_symbol_gene_id_gene')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_gene_symbol_release_id_source_release')),
    pg_fk(['source_kind'], ['source_kind.code'], name=op.f('fk_gene_symbol_source_kind_source_kind')),
    pg_fk(['symbol_kind'], ['symbol_kind.code'], name=op.f('fk_gene_symbol_symbol_kind_symbol_kind')),
    sa.PrimaryKeyConstraint('gene_id', 'symbol', 'symbol_kind', 'source_kind', name=op.f('pk_gene_symbol'))
    )
    op.create_index(op.f('ix_gene_symbol_symbol'), 'gene_symbol', ['symbol'], unique=False)
    op.create_table('gene_xref',
    sa.Column('gene_id', sa.String(length=32), nullable=False),
    sa.Column('xref_db', sa.String(length=32), nullable=False),
    sa.Column('accession', sa.String(length=64), nullable=False),
    sa.Column('source_kind', sa.String(length=32), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=True),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_gene_xref_gene_id_gene')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_gene_xref_release_id_source_release')),
    pg_fk(['source_kind'], ['source_kind.code'], name=op.f('fk_gene_xref_source_kind_source_kind')),
    pg_fk(['xref_db'], ['xref_db.code'], name=op.f('fk_gene_xref_xref_db_xref_db')),
    sa.PrimaryKeyConstraint('gene_id', 'xref_db', 'accession', 'source_kind', name=op.f('pk_gene_xref'))
    )
    op.create_index(op.f('ix_gene_xref_accession'), 'gene_xref', ['accession'], unique=False)
    op.create_table('go_alt_id',
    sa.Column('alt_id', sa.String(length=10), nullable=False),
    sa.Column('go_id', sa.String(length=10), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['go_id'], ['go_term.go_id'], name=op.f('fk_go_alt_id_go_id_go_term')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_go_alt_id_release_id_source_release')),
    sa.PrimaryKeyConstraint('alt_id', name=op.f('pk_go_alt_id'))
    )
    op.create_index(op.f('ix_go_alt_id_go_id'), 'go_alt_id', ['go_id'], unique=False)
    op.create_table('go_relation',
    sa.Column('go_id', sa.String(length=10), nullable=False),
    sa.Column('relation', sa.String(length=64), nullable=False),
    sa.Column('parent_id', sa.String(length=10), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['go_id'], ['go_term.go_id'], name=op.f('fk_go_relation_go_id_go_term')),
    pg_fk(['relation'], ['go_relation_type.code'], name=op.f('fk_go_relation_relation_go_relation_type')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_go_relation_release_id_source_release')),
    sa.PrimaryKeyConstraint('go_id', 'relation', 'parent_id', name=op.f('pk_go_relation'))
    )
    op.create_index(op.f('ix_go_relation_parent_id'), 'go_relation', ['parent_id'], unique=False)
    op.create_table('go_successor',
    sa.Column('go_id', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.String(length=10), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['go_id'], ['go_term.go_id'], name=op.f('fk_go_successor_go_id_go_term')),
    pg_fk(['kind'], ['go_successor_kind.code'], name=op.f('fk_go_successor_kind_go_successor_kind')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_go_successor_release_id_source_release')),
    sa.PrimaryKeyConstraint('go_id', 'kind', 'target_id', name=op.f('pk_go_successor'))
    )
    op.create_table('ortholog',
    sa.Column('gene_id', sa.String(length=32), nullable=False),
    sa.Column('other_taxon_id', sa.String(length=16), nullable=False),
    sa.Column('other_gene_id', sa.String(length=64), nullable=False, comment='as the source gives it: Entrez GeneID, MGI:/RGD: id or Ensembl gene'),
    sa.Column('source_kind', sa.String(length=32), nullable=False),
    sa.Column('other_id_kind', sa.String(length=32), nullable=False),
    sa.Column('other_symbol', sa.String(length=64), nullable=True),
    sa.Column('support', sa.Text(), nullable=True),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_ortholog_gene_id_gene')),
    pg_fk(['other_id_kind'], ['xref_db.code'], name=op.f('fk_ortholog_other_id_kind_xref_db')),
    pg_fk(['other_taxon_id'], ['taxon.taxon_id'], name=op.f('fk_ortholog_other_taxon_id_taxon')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_ortholog_release_id_source_release')),
    pg_fk(['source_kind'], ['source_kind.code'], name=op.f('fk_ortholog_source_kind_source_kind')),
    sa.PrimaryKeyConstraint('gene_id', 'other_taxon_id', 'other_gene_id', 'source_kind', name=op.f('pk_ortholog'))
    )
    op.create_table('transcript',
    sa.Column('transcript_id', sa.String(length=32), nullable=False),
    sa.Column('source_kind', sa.String(length=32), nullable=False),
    sa.Column('transcript_version', sa.String(length=16), nullable=True),
    sa.Column('gene_id', sa.String(length=32), nullable=False),
    sa.Column('ensembl_gene_id', sa.String(length=32), nullable=True),
    sa.Column('ensembl_gene_version', sa.String(length=16), nullable=True),
    sa.Column('transcript_name', sa.String(length=64), nullable=True),
    sa.Column('biotype', sa.String(length=64), nullable=True),
    sa.Column('protein_id', sa.String(length=32), nullable=True),
    sa.Column('protein_version', sa.String(length=16), nullable=True),
    sa.Column('refseq_rna', sa.String(length=32), nullable=True),
    sa.Column('refseq_protein', sa.String(length=32), nullable=True),
    sa.Column('is_canonical', sa.Boolean(), nullable=False, comment='GTF tag Ensembl_canonical'),
    sa.Column('is_mane_select', sa.Boolean(), nullable=False, comment='GTF tag MANE_Select'),
    sa.Column('tags', sa.Text(), nullable=True, comment="'|'-joined GTF tags"),
    sa.Column('chromosome', sa.String(length=32), nullable=True),
    sa.Column('start_position', sa.BigInteger(), nullable=True),
    sa.Column('end_position', sa.BigInteger(), nullable=True),
    sa.Column('strand', sa.String(length=1), nullable=True),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_transcript_gene_id_gene')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_transcript_release_id_source_release')),
    pg_fk(['source_kind'], ['source_kind.code'], name=op.f('fk_transcript_source_kind_source_kind')),
    sa.PrimaryKeyConstraint('transcript_id', 'source_kind', name=op.f('pk_transcript'))
    )
    op.create_index(op.f('ix_transcript_gene_id'), 'transcript', ['gene_id'], unique=False)
    op.create_index(op.f('ix_transcript_protein_id'), 'transcript', ['protein_id'], unique=False)
    op.create_table('transcript_selection',
    sa.Column('transcript_id', sa.String(length=32), nullable=False),
    sa.Column('transcript_version', sa.String(length=16), nullable=True),
    sa.Column('gene_id', sa.String(length=32), nullable=False),
    sa.Column('ensembl_gene_id', sa.String(length=32), nullable=True),
    sa.Column('ensembl_gene_version', sa.String(length=16), nullable=True),
    sa.Column('protein_id', sa.String(length=32), nullable=True),
    sa.Column('protein_version', sa.String(length=16), nullable=True),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('is_mane', sa.Boolean(), nullable=True),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['gene_id'], ['gene.gene_id'], name=op.f('fk_transcript_selection_gene_id_gene')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_transcript_selection_release_id_source_release')),
    sa.PrimaryKeyConstraint('transcript_id', name=op.f('pk_transcript_selection'))
    )
    op.create_index(op.f('ix_transcript_selection_gene_id'), 'transcript_selection', ['gene_id'], unique=False)
    create_views()
    insert_vocabularies()


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_index(op.f('ix_transcript_selection_gene_id'), table_name='transcript_selection')
    op.drop_table('transcript_selection')
    op.drop_index(op.f('ix_transcript_protein_id'), table_name='transcript')
    op.drop_index(op.f('ix_transcript_gene_id'), table_name='transcript')
    op.drop_table('transcript')
    op.drop_table('ortholog')
    op.drop_table('go_successor')
    op.drop_index(op.f('ix_go_relation_parent_id'), table_name='go_relation')
    op.drop_table('go_relation')
    op.drop_index(op.f('ix_go_alt_id_go_id'), table_name='go_alt_id')
    op.drop_table('go_alt_id')
    op.drop_index(op.f('ix_gene_xref_accession'), table_name='gene_xref')
    op.drop_table('gene_xref')
    op.drop_index(op.f('ix_gene_symbol_symbol'), table_name='gene_symbol')
    op.drop_table('gene_symbol')
    op.drop_table('gene_summary')
    op.drop_index(op.f('ix_gene_go_annotation_release_id'), table_name='gene_go_annotation')
    op.drop_index(op.f('ix_gene_go_annotation_go_id'), table_name='gene_go_annotation')
    op.drop_index(op.f('ix_gene_go_annotation_gene_id'), table_name='gene_go_annotation')
    op.drop_table('gene_go_annotation')
    op.drop_table('gene_category')
    op.drop_index(op.f('ix_species_gene_symbol'), table_name='species_gene')
    op.drop_table('species_gene')
    op.drop_table('go_term')
    op.drop_index(op.f('ix_go_closure_ancestor_id'), table_name='go_closure')
    op.drop_table('go_closure')
    op.drop_index(op.f('ix_gene_symbol'), table_name='gene')
    op.drop_table('gene')
    op.drop_table('cohort')
    op.drop_index(op.f('ix_unresolved_identifier_run_id'), table_name='unresolved_identifier')
    op.drop_table('unresolved_identifier')
    op.drop_table('source_release')
    op.drop_table('load_run')
    op.drop_table('xref_db')
    op.drop_table('taxon')
    op.drop_table('symbol_kind')
    op.drop_table('source_kind')
    op.drop_table('run_status')
    op.drop_table('omics_type')
    op.drop_table('go_successor_kind')
    op.drop_table('go_relation_type')
    op.drop_table('go_namespace')
    op.drop_table('gene_type')
    op.drop_table('evidence_code')
    for name in reversed(SEQUENCES):
        op.execute(sa.schema.DropSequence(sa.Sequence(name)))


# Frozen copies of the views and vocabularies as of this revision.
VIEWS = {
    "gene_summary_current": """
        SELECT gene_id, summary, provided_by, provided_date, provided_date_text, release_id
        FROM (
            SELECT s.*, row_number() OVER (
                PARTITION BY s.gene_id
                ORDER BY s.provided_date DESC NULLS LAST, s.release_id DESC
            ) AS recency
            FROM gene_summary AS s
        ) AS ranked
        WHERE recency = 1
    """,
    "go_id_primary": """
        SELECT go_id AS any_id, go_id AS primary_id FROM go_term
        UNION ALL
        SELECT alt_id AS any_id, go_id AS primary_id FROM go_alt_id
    """,
}


def create_views() -> None:
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def rows(table: str, columns: tuple[str, ...], values: list[tuple]) -> None:
    op.bulk_insert(sa.table(table, *(sa.column(c) for c in columns)), [dict(zip(columns, v)) for v in values])


def insert_vocabularies() -> None:
    vocabularies.sync(op, ("run_status",))
    rows("source_kind", ("code", "description"), [
        ("gene_info", "NCBI gene_info"),
        ("gene2go", "NCBI gene2go"),
        ("gene_orthologs", "NCBI gene_orthologs"),
        ("gene2ensembl", "NCBI gene2ensembl"),
        ("go_obo", "Gene Ontology OBO 1.2"),
        ("gaf", "GO annotation file (GAF 2.x)"),
        ("hgnc", "HGNC custom download (TSV)"),
        ("species_genes", "MGI or RGD gene table"),
        ("hcop", "HCOP orthologs"),
        ("summaries", "gene summary TSV (GeneID, Summary)"),
        ("gtf", "GENCODE/Ensembl GTF"),
        ("isoforms", "CPTAC/LinkedOmicsKB isoform-selection table"),
        ("categories", "gene category TSV (GeneID, Symbol, Category)"),
        ("cohorts", "cohort reference TSV"),
    ])
    rows("go_namespace", ("code", "aspect", "label"), [
        ("biological_process", "P", "Process"),
        ("cellular_component", "C", "Component"),
        ("molecular_function", "F", "Function"),
    ])
    rows("go_relation_type", ("code", "description", "propagates_annotation"), [
        ("is_a", "subclass of", True),
        ("part_of", "part of", True),
        ("regulates", "regulates", False),
        ("negatively_regulates", "negatively regulates", False),
        ("positively_regulates", "positively regulates", False),
        ("has_part", "has part", False),
        ("occurs_in", "occurs in", False),
        ("ends_during", "ends during", False),
        ("happens_during", "happens during", False),
    ])
    rows("go_successor_kind", ("code", "description"), [
        ("replaced_by", "the obsolete term's single replacement"),
        ("consider", "a term to consider instead of the obsolete one"),
    ])
    rows("evidence_code", ("code", "description"), [
        ("EXP", "Inferred from Experiment"), ("IDA", "Inferred from Direct Assay"),
        ("IPI", "Inferred from Physical Interaction"), ("IMP", "Inferred from Mutant Phenotype"),
        ("IGI", "Inferred from Genetic Interaction"), ("IEP", "Inferred from Expression Pattern"),
        ("HTP", "Inferred from High Throughput Experiment"), ("HDA", "Inferred from High Throughput Direct Assay"),
        ("HMP", "Inferred from High Throughput Mutant Phenotype"), ("HGI", "Inferred from High Throughput Genetic Interaction"),
        ("HEP", "Inferred from High Throughput Expression Pattern"), ("IBA", "Inferred from Biological aspect of Ancestor"),
        ("IBD", "Inferred from Biological aspect of Descendant"), ("IKR", "Inferred from Key Residues"),
        ("IRD", "Inferred from Rapid Divergence"), ("ISS", "Inferred from Sequence or structural Similarity"),
        ("ISO", "Inferred from Sequence Orthology"), ("ISA", "Inferred from Sequence Alignment"),
        ("ISM", "Inferred from Sequence Model"), ("IGC", "Inferred from Genomic Context"),
        ("RCA", "Inferred from Reviewed Computational Analysis"), ("TAS", "Traceable Author Statement"),
        ("NAS", "Non-traceable Author Statement"), ("IC", "Inferred by Curator"),
        ("ND", "No biological Data available"), ("IEA", "Inferred from Electronic Annotation"),
    ])
    rows("symbol_kind", ("code", "description"), [
        ("official", "the approved or official symbol"),
        ("alias", "an alias or synonym"),
        ("previous", "a previous (withdrawn) approved symbol"),
    ])
    rows("xref_db", ("code", "description"), [
        ("Ensembl", "Ensembl gene"), ("HGNC", "HGNC"), ("MIM", "OMIM"), ("UniProtKB", "UniProtKB accession"),
        ("MGI", "Mouse Genome Informatics"), ("RGD", "Rat Genome Database"), ("Entrez", "NCBI Gene"),
        ("EC", "Enzyme Commission number"), ("miRBase", "miRBase"), ("IMGT/GENE-DB", "IMGT/GENE-DB"),
    ])
    vocabularies.sync(op, ("omics_type",))
    rows("taxon", ("taxon_id", "scientific_name", "common_name"), [
        ("9606", "Homo sapiens", "human"),
        ("10090", "Mus musculus", "mouse"),
        ("10116", "Rattus norvegicus", "rat"),
    ])
