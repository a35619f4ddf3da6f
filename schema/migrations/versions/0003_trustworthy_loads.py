"""Trustworthy loads: release slots and states, rollback archives, load batches, cohort aliases,
default datasets and tumor/normal pairs, identifier dispositions, text types, lookup indexes.

Revision ID: 0003_trustworthy_loads
Revises: 0002_cohort_measurements
Create Date: 2026-11-29

- source_release: a release is a file loaded with its parameters (load_key), filling a slot
  (slot_key) in a state (current, superseded, removed). The unique (source_kind, file_sha256) goes:
  the same bytes may be loaded for another cohort, or again after a correction.
- release_replacement and release_archive: what each release replaced, and the rows it deleted or
  overwrote as Parquet, so it can be rolled back.
- load_run: the process that ran it, rows removed and rows stored unlinked, its batch; source_kind
  may be NULL for an undo that spans kinds. load_batch: a `load cohort`'s planned files.
- unresolved_identifier.disposition: unlinked (stored), dropped or collapsed.
- cohort_alias replaces cohort.aliases; the CPTAC cohort list is installed here.
- dataset.is_default and dataset_pair.
- PostgreSQL: identifiers and names from files become TEXT (two MGI symbols are 76 and 81
  characters); DuckDB's VARCHAR has no length, so it needs nothing.
- Indexes a gene lookup and a cohort removal need.

Existing releases are given slots and states from the rows they still own; their load_key stays
NULL, so reloading a file loaded before this revision loads it again (with the same result).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import socket

import sqlalchemy as sa
from alembic import op

from omicskb.schema import vocabularies

revision = '0003_trustworthy_loads'
down_revision = '0002_cohort_measurements'
branch_labels = None
depends_on = None

# Columns that were VARCHAR(n) and are TEXT from this revision on (PostgreSQL only): (column, old length).
WIDENED = {
    'evidence_code': (('code', 8),),
    'gene_type': (('code', 64),),
    'go_relation_type': (('code', 64),),
    'taxon': (('taxon_id', 16),),
    'variant_class': (('code', 64),),
    'xref_db': (('code', 32),),
    'unresolved_identifier': (('id_kind', 32),),
    'cohort': (('cohort_code', 16),),
    'gene': (('gene_id', 32), ('taxon_id', 16), ('symbol', 64), ('type_of_gene', 64), ('chromosome', 32), ('locus_tag', 64), ('nomenclature_status', 16)),
    'species_gene': (('db_id', 32), ('taxon_id', 16), ('symbol', 64)),
    'clinical_attribute': (('cohort_code', 16), ('name', 200)),
    'dataset': (('cohort_code', 16), ('name', 200)),
    'feature': (('gene_id', 32), ('protein_id', 64)),
    'gene_category': (('gene_id', 32), ('category', 64)),
    'gene_go_annotation': (('gene_id', 32), ('qualifier', 64), ('evidence_code', 8), ('db_object_id', 64), ('assigned_by', 64)),
    'gene_summary': (('gene_id', 32), ('provided_by', 32), ('provided_date_text', 16)),
    'gene_symbol': (('gene_id', 32), ('symbol', 64)),
    'gene_xref': (('gene_id', 32), ('xref_db', 32), ('accession', 64), ('version', 16)),
    'go_relation': (('relation', 64),),
    'ortholog': (('gene_id', 32), ('other_taxon_id', 16), ('other_gene_id', 64), ('other_id_kind', 32), ('other_symbol', 64)),
    'patient': (('cohort_code', 16), ('patient_label', 64)),
    'transcript': (('transcript_id', 32), ('transcript_version', 16), ('gene_id', 32), ('ensembl_gene_id', 32), ('ensembl_gene_version', 16), ('transcript_name', 64), ('biotype', 64), ('protein_id', 32), ('protein_version', 16), ('refseq_rna', 32), ('refseq_protein', 32), ('chromosome', 32)),
    'transcript_selection': (('transcript_id', 32), ('transcript_version', 16), ('gene_id', 32), ('ensembl_gene_id', 32), ('ensembl_gene_version', 16), ('protein_id', 32), ('protein_version', 16)),
    'sample': (('cohort_code', 16), ('sample_label', 64)),
    'dataset_sample': (('column_label', 64),),
    'mutation': (('gene_id', 32), ('hugo_symbol', 64), ('chromosome', 32), ('variant_class', 64), ('variant_type', 16), ('transcript_id', 64), ('tumor_sample_barcode', 64)),
}

NEW_INDEXES = (
    ('ix_measurement_row_feature_id', 'measurement_row', ['feature_id']),
    ('ix_dataset_sample_sample_id', 'dataset_sample', ['sample_id']),
    ('ix_clinical_value_sample_id', 'clinical_value', ['sample_id']),
    ('ix_clinical_value_patient_id', 'clinical_value', ['patient_id']),
    ('ix_mutation_sample_id', 'mutation', ['sample_id']),
    ('ix_sample_patient_id', 'sample', ['patient_id']),
    ('ix_source_release_load_key', 'source_release', ['load_key']),
    ('ix_source_release_slot_key', 'source_release', ['slot_key']),
    ('ix_load_run_batch_id', 'load_run', ['batch_id']),
    ('ix_cohort_alias_cohort_code', 'cohort_alias', ['cohort_code']),
)

# PostgreSQL only: case-insensitive lookups by symbol and accession.
UPPER_INDEXES = (
    ('ix_gene_upper_symbol', 'gene', 'symbol'),
    ('ix_gene_symbol_upper_symbol', 'gene_symbol', 'symbol'),
    ('ix_gene_xref_upper_accession', 'gene_xref', 'accession'),
)

# Sources whose slot is scoped by taxa (a mouse gene_info does not replace the human one).
TAXA_SCOPED = {
    'gene_info': "SELECT DISTINCT taxon_id FROM gene WHERE release_id = :r",
    'gene2go': "SELECT DISTINCT g.taxon_id FROM gene_go_annotation AS a JOIN gene AS g ON g.gene_id = a.gene_id WHERE a.release_id = :r",
    'gaf': "SELECT DISTINCT g.taxon_id FROM gene_go_annotation AS a JOIN gene AS g ON g.gene_id = a.gene_id WHERE a.release_id = :r",
    'species_genes': "SELECT DISTINCT taxon_id FROM species_gene WHERE release_id = :r",
    'hcop': "SELECT DISTINCT other_taxon_id FROM ortholog WHERE release_id = :r",
    'gene_orthologs': "SELECT DISTINCT other_taxon_id FROM ortholog WHERE release_id = :r",
}
ADDITIVE = ('summaries', 'cohorts')
SAMPLE_KINDS = ('cptac2019_clinical', 'tsi', 'pancan_meta', 'pancan_survival', 'gct_annotations')
ANNOTATION_TABLES = {
    'hgnc': ('gene_symbol', 'gene_xref', 'ortholog'),
    'go_obo': ('go_term',),
    'gtf': ('transcript',),
    'gene2ensembl': ('transcript',),
    'isoforms': ('transcript_selection',),
    'categories': ('gene_category',),
}
BUILTIN_KIND = 'omicskb'


def pg_fk(*args, **kwargs) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(*args, **kwargs).ddl_if(dialect="postgresql")


def is_pg() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    bind = op.get_bind()
    pg = is_pg()
    op.create_table('release_state',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_release_state'))
    )
    op.create_table('identifier_disposition',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_identifier_disposition'))
    )
    vocabularies.sync(op)
    if not bind.execute(sa.text("SELECT 1 FROM source_kind WHERE code = :k"), {'k': BUILTIN_KIND}).first():  # kept by a downgrade
        op.bulk_insert(sa.table('source_kind', sa.column('code'), sa.column('description')), [
            {'code': BUILTIN_KIND, 'description': 'shipped with omicskb (the CPTAC cohort list installed by init)'},
        ])

    if pg:
        views = drop_views()
        for table, columns in WIDENED.items():
            for column, _ in columns:
                op.alter_column(table, column, type_=sa.Text())
    # load_run: who ran it, what it removed, which batch; nullability first (DuckDB cannot alter
    # a column's nullability once the table has an index)
    op.alter_column('load_run', 'source_kind', existing_type=sa.String(length=32), nullable=True)
    if pg:  # Alembic's DuckDB support has no column comments
        op.alter_column('load_run', 'source_kind', existing_type=sa.String(length=32), comment='NULL for an undo spanning kinds (remove cohort)')
    op.add_column('load_run', sa.Column('rows_removed', sa.BigInteger(), nullable=True, comment='rows this run deleted (kept in release_archive when a release replaced them)'))
    op.add_column('load_run', sa.Column('rows_unlinked', sa.BigInteger(), nullable=True, comment='rows stored under an unlinked feature (counted in rows_loaded too)'))
    op.add_column('load_run', sa.Column('process_id', sa.Integer(), nullable=True, comment='the operating-system process that ran it'))
    op.add_column('load_run', sa.Column('host', sa.Text(), nullable=True))
    op.add_column('load_run', sa.Column('batch_id', sa.BigInteger(), nullable=True, comment='the `load cohort` batch it belongs to'))

    op.execute(sa.schema.CreateSequence(sa.Sequence('load_batch_id_seq')))
    op.create_table('load_batch',
    sa.Column('batch_id', sa.BigInteger(), server_default=sa.text("nextval('load_batch_id_seq')"), nullable=False),
    sa.Column('command', sa.Text(), nullable=False),
    sa.Column('cohort_code', sa.Text(), nullable=True),
    sa.Column('directory', sa.Text(), nullable=False),
    sa.Column('planned_files', sa.Text(), nullable=False, comment='newline-separated file names, in load order'),
    sa.Column('n_planned', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('host', sa.Text(), nullable=True),
    pg_fk(['status'], ['run_status.code'], name=op.f('fk_load_batch_status_run_status')),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_load_batch'))
    )

    upgrade_source_release(pg)
    op.create_table('release_replacement',
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    sa.Column('replaced_release_id', sa.BigInteger(), nullable=False),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_release_replacement_release_id_source_release')),
    pg_fk(['replaced_release_id'], ['source_release.release_id'], name=op.f('fk_release_replacement_replaced_release_id_source_release')),
    sa.PrimaryKeyConstraint('release_id', 'replaced_release_id', name=op.f('pk_release_replacement'))
    )
    op.create_table('release_archive',
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('chunk_no', sa.Integer(), nullable=False),
    sa.Column('n_rows', sa.BigInteger(), nullable=False),
    sa.Column('parquet', sa.LargeBinary(), nullable=False),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_release_archive_release_id_source_release')),
    sa.PrimaryKeyConstraint('release_id', 'table_name', 'chunk_no', name=op.f('pk_release_archive'))
    )

    # DuckDB alters no table that has an index: lift the run_id index for the new column.
    op.drop_index('ix_unresolved_identifier_run_id', table_name='unresolved_identifier')
    # Added nullable, then made NOT NULL: DuckDB before 2.0 adds no column with a constraint.
    op.add_column('unresolved_identifier', sa.Column('disposition', sa.String(length=16), server_default='dropped', nullable=True))
    op.alter_column('unresolved_identifier', 'disposition', existing_type=sa.String(length=16), nullable=False)
    op.create_index('ix_unresolved_identifier_run_id', 'unresolved_identifier', ['run_id'], unique=False)
    op.execute(
        "UPDATE unresolved_identifier SET disposition = CASE WHEN reason LIKE 'duplicate (gene, protein, site) row collapsed%' THEN 'collapsed' ELSE 'unlinked' END "
        "WHERE source_kind IN ('matrix', 'gct')"
    )
    if pg:
        op.create_foreign_key(op.f('fk_unresolved_identifier_disposition_identifier_disposition'), 'unresolved_identifier', 'identifier_disposition', ['disposition'], ['code'])

    upgrade_cohorts(pg)

    op.add_column('dataset', sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=True,
                                       comment='the dataset summaries and statistics use for its (cohort, omics)'))
    op.alter_column('dataset', 'is_default', existing_type=sa.Boolean(), nullable=False)
    op.create_table('dataset_pair',
    sa.Column('tumor_dataset_id', sa.BigInteger(), nullable=False),
    sa.Column('normal_dataset_id', sa.BigInteger(), nullable=False),
    sa.Column('declared_by', sa.String(length=16), nullable=False, comment='layout, name (tumor/normal suffixes) or user'),
    pg_fk(['normal_dataset_id'], ['dataset.dataset_id'], name=op.f('fk_dataset_pair_normal_dataset_id_dataset')),
    pg_fk(['tumor_dataset_id'], ['dataset.dataset_id'], name=op.f('fk_dataset_pair_tumor_dataset_id_dataset')),
    sa.PrimaryKeyConstraint('tumor_dataset_id', name=op.f('pk_dataset_pair')),
    sa.UniqueConstraint('normal_dataset_id', name=op.f('uq_dataset_pair_normal_dataset_id'))
    )
    backfill_datasets()

    for name, table, columns in NEW_INDEXES:
        op.create_index(name, table, columns, unique=False)
    if pg:
        for name, table, column in UPPER_INDEXES:
            op.create_index(name, table, [sa.text(f"upper({column})")], unique=False)
        create_views(views)


def upgrade_source_release(pg: bool) -> None:
    new_columns = [
        sa.Column('load_key', sa.String(length=64), nullable=True, comment='sha256 of kind, file sha256 and load_params: equal keys give equal results'),
        sa.Column('load_params', sa.Text(), nullable=True, comment='the parameters that change the result, as canonical JSON'),
        sa.Column('slot_key', sa.Text(), nullable=True, comment='what it fills, e.g. gene_info:9606 or dataset:UCEC/protein/proteomics'),
        sa.Column('state', sa.String(length=16), server_default='current', nullable=False),
    ]
    if pg:
        op.drop_constraint('uq_source_release_source_kind_file_sha256', 'source_release', type_='unique')
        for column in new_columns:
            op.add_column('source_release', column)
        op.create_foreign_key(op.f('fk_source_release_state_release_state'), 'source_release', 'release_state', ['state'], ['code'])
    else:
        # DuckDB cannot drop a unique constraint: rebuild the table.
        op.execute("ALTER TABLE source_release RENAME TO source_release_0002")
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
        *new_columns,
        sa.PrimaryKeyConstraint('release_id', name=op.f('pk_source_release')),
        )
        columns = "release_id, source_kind, file_name, file_sha256, file_bytes, version, release_date, run_id, loaded_at"
        op.execute(f"INSERT INTO source_release ({columns}) SELECT {columns} FROM source_release_0002")
        op.execute("DROP TABLE source_release_0002")
    backfill_releases()


def backfill_releases() -> None:
    """Slots and states for releases loaded before this revision, from the rows they still own."""
    conn = op.get_bind()
    releases = conn.execute(sa.text("SELECT release_id, source_kind, file_sha256 FROM source_release ORDER BY release_id")).all()
    slots: dict[int, tuple[str, bool]] = {}
    for release_id, kind, sha in releases:
        params = {'r': release_id}
        if kind in TAXA_SCOPED:
            taxa = sorted(r[0] for r in conn.execute(sa.text(TAXA_SCOPED[kind]), params))
            slots[release_id] = (f"{kind}:{','.join(taxa)}" if taxa else kind, bool(taxa))
        elif kind in ADDITIVE:
            slots[release_id] = (f"{kind}:{sha}", True)
        elif kind in ('matrix', 'gct', 'maf'):
            row = conn.execute(sa.text("SELECT cohort_code, omics_type, name FROM dataset WHERE release_id = :r"), params).first()
            slots[release_id] = (f"dataset:{row[0]}/{row[1]}/{row[2]}" if row else f"{kind}:{sha}", row is not None)
        elif kind in SAMPLE_KINDS:
            cohort = conn.execute(sa.text(
                "SELECT cohort_code FROM sample WHERE release_id = :r UNION SELECT cohort_code FROM patient WHERE release_id = :r "
                "UNION SELECT cohort_code FROM clinical_attribute WHERE release_id = :r"), params).scalar()
            slots[release_id] = (f"samples:{cohort}/{kind}" if cohort else f"{kind}:{sha}", cohort is not None)
        else:
            owns = any(conn.execute(sa.text(f"SELECT 1 FROM {table} WHERE release_id = :r LIMIT 1"), params).first() for table in ANNOTATION_TABLES.get(kind, ()))
            slots[release_id] = (kind, owns)
    newest: dict[str, int] = {}
    for release_id, (slot, owns) in slots.items():
        if owns:
            newest[slot] = release_id
    for release_id, (slot, owns) in slots.items():
        state = 'current' if newest.get(slot) == release_id else 'superseded'
        conn.execute(sa.text("UPDATE source_release SET slot_key = :s, state = :state WHERE release_id = :r"), {'s': slot, 'state': state, 'r': release_id})


def upgrade_cohorts(pg: bool) -> None:
    conn = op.get_bind()
    op.create_table('cohort_alias',
    sa.Column('alias', sa.Text(), nullable=False),
    sa.Column('cohort_code', sa.Text(), nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    pg_fk(['cohort_code'], ['cohort.cohort_code'], name=op.f('fk_cohort_alias_cohort_code_cohort')),
    pg_fk(['release_id'], ['source_release.release_id'], name=op.f('fk_cohort_alias_release_id_source_release')),
    sa.PrimaryKeyConstraint('alias', name=op.f('pk_cohort_alias'))
    )
    for code, aliases, release_id in conn.execute(sa.text("SELECT cohort_code, aliases, release_id FROM cohort")).all():
        for alias in filter(None, (aliases or '').split('|')):
            conn.execute(sa.text("INSERT INTO cohort_alias (alias, cohort_code, release_id) VALUES (:a, :c, :r)"), {'a': alias, 'c': code, 'r': release_id})
    op.drop_column('cohort', 'aliases')
    install_cptac_cohorts()


def install_cptac_cohorts() -> None:
    """The ten CPTAC cohorts and their aliases, as a release of the omicskb kind (provenance holds)."""
    conn = op.get_bind()
    listing = json.dumps([list(c[:2]) + [list(c[2])] for c in vocabularies.CPTAC_COHORTS]).encode()
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    run_id = conn.execute(sa.text(
        "INSERT INTO load_run (command, source_kind, file_path, status, started_at, finished_at, rows_read, rows_loaded, rows_rejected, omicskb_version, process_id, host) "
        "VALUES ('init', :k, 'omicskb.schema.vocabularies.CPTAC_COHORTS', 'ok', :t, :t, :n, 0, 0, :v, :pid, :host) RETURNING run_id"),
        {'k': BUILTIN_KIND, 't': now, 'n': len(vocabularies.CPTAC_COHORTS), 'v': revision, 'pid': os.getpid(), 'host': socket.gethostname()}).scalar_one()
    sha = hashlib.sha256(listing).hexdigest()
    kept = conn.execute(sa.text("SELECT release_id FROM source_release WHERE source_kind = :k AND file_sha256 = :sha"), {'k': BUILTIN_KIND, 'sha': sha}).scalar()
    if kept is not None:  # installed before a downgrade
        conn.execute(sa.text("UPDATE source_release SET state = 'current', slot_key = :slot WHERE release_id = :r"), {'slot': f'{BUILTIN_KIND}:cohorts', 'r': kept})
        conn.execute(sa.text("DELETE FROM load_run WHERE run_id = :run"), {'run': run_id})
        return
    release_id = conn.execute(sa.text(
        "INSERT INTO source_release (source_kind, file_name, file_sha256, file_bytes, version, run_id, loaded_at, slot_key, state) "
        "VALUES (:k, 'CPTAC_COHORTS', :sha, :n, :v, :run, :t, :slot, 'current') RETURNING release_id"),
        {'k': BUILTIN_KIND, 'sha': sha, 'n': len(listing), 'v': revision, 'run': run_id, 't': now, 'slot': f'{BUILTIN_KIND}:cohorts'}).scalar_one()
    present = {r[0] for r in conn.execute(sa.text("SELECT cohort_code FROM cohort"))}
    aliases = {r[0].upper() for r in conn.execute(sa.text("SELECT alias FROM cohort_alias"))}
    loaded = 0
    for code, name, other_codes in vocabularies.CPTAC_COHORTS:
        if code not in present:
            conn.execute(sa.text("INSERT INTO cohort (cohort_code, name, release_id) VALUES (:c, :n, :r)"), {'c': code, 'n': name, 'r': release_id})
            loaded += 1
        for alias in other_codes:
            if alias.upper() not in aliases:
                conn.execute(sa.text("INSERT INTO cohort_alias (alias, cohort_code, release_id) VALUES (:a, :c, :r)"), {'a': alias, 'c': code, 'r': release_id})
                loaded += 1
    conn.execute(sa.text("UPDATE load_run SET rows_loaded = :n, release_id = :r WHERE run_id = :run"), {'n': loaded, 'r': release_id, 'run': run_id})


def backfill_datasets() -> None:
    """The first dataset of each (cohort, omics) becomes its default; pan-cancer Tumor/Normal files pair up."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT dataset_id, cohort_code, omics_type, name, sample_scope FROM dataset ORDER BY dataset_id")).all()
    seen = set()
    by_name = {(r.cohort_code, r.omics_type, r.name): r for r in rows}
    for r in rows:
        if r.sample_scope == 'normal':
            continue
        if r.name.endswith('_Tumor'):
            partner = by_name.get((r.cohort_code, r.omics_type, r.name[: -len('_Tumor')] + '_Normal'))
            if partner is not None:
                conn.execute(sa.text("INSERT INTO dataset_pair (tumor_dataset_id, normal_dataset_id, declared_by) VALUES (:t, :n, 'name')"),
                             {'t': r.dataset_id, 'n': partner.dataset_id})
        if (r.cohort_code, r.omics_type) not in seen and 'isoform_adjusted' not in r.name and 'gistic' not in r.name:
            seen.add((r.cohort_code, r.omics_type))
            conn.execute(sa.text("UPDATE dataset SET is_default = TRUE WHERE dataset_id = :d"), {'d': r.dataset_id})


def LOAD_RUN_0002() -> list:
    return [
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
        sa.PrimaryKeyConstraint('run_id', name=op.f('pk_load_run')),
    ]


def UNRESOLVED_0002() -> list:
    return [
        sa.Column('unresolved_id', sa.BigInteger(), server_default=sa.text("nextval('unresolved_identifier_id_seq')"), nullable=False),
        sa.Column('run_id', sa.BigInteger(), nullable=False),
        sa.Column('source_kind', sa.String(length=32), nullable=False),
        sa.Column('file_line', sa.BigInteger(), nullable=False),
        sa.Column('identifier', sa.Text(), nullable=False),
        sa.Column('id_kind', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('unresolved_id', name=op.f('pk_unresolved_identifier')),
    ]


def duckdb_rebuild(table: str, definition, *indexes: tuple[str, list[str]]) -> None:
    """DuckDB drops no column of a table with an index: copy out, recreate, copy back."""
    items = definition()
    columns = ", ".join(c.name for c in items if isinstance(c, sa.Column))
    op.execute(f"CREATE TEMPORARY TABLE {table}_copy AS SELECT {columns} FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.create_table(table, *items)
    for name, index_columns in indexes:
        op.create_index(name, table, index_columns, unique=False)
    op.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_copy")
    op.execute(f"DROP TABLE {table}_copy")


def drop_views() -> dict[str, str]:
    """PostgreSQL will not change a column's type under a view: drop them, keep their text."""
    conn = op.get_bind()
    views = dict(conn.execute(sa.text("SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema()")).all())
    for name in views:
        op.execute(f"DROP VIEW IF EXISTS {name} CASCADE")
    return views


def create_views(views: dict[str, str]) -> None:
    for name, body in views.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    pg = is_pg()
    conn = op.get_bind()
    if pg:
        for name, table, _ in UPPER_INDEXES:
            op.drop_index(name, table_name=table)
    for name, table, _ in reversed(NEW_INDEXES):
        if table != 'cohort_alias':
            op.drop_index(name, table_name=table)
    op.drop_table('dataset_pair')
    op.drop_column('dataset', 'is_default')
    op.add_column('cohort', sa.Column('aliases', sa.Text(), nullable=True, comment="'|'-joined other codes used by releases, e.g. HGSC"))
    for code, in conn.execute(sa.text("SELECT DISTINCT cohort_code FROM cohort_alias")).all():
        aliases = [r[0] for r in conn.execute(sa.text("SELECT alias FROM cohort_alias WHERE cohort_code = :c ORDER BY alias"), {'c': code})]
        conn.execute(sa.text("UPDATE cohort SET aliases = :a WHERE cohort_code = :c"), {'a': '|'.join(aliases), 'c': code})
    op.drop_index('ix_cohort_alias_cohort_code', table_name='cohort_alias')
    op.drop_table('cohort_alias')
    if pg:
        op.drop_constraint(op.f('fk_unresolved_identifier_disposition_identifier_disposition'), 'unresolved_identifier', type_='foreignkey')
    if pg:
        op.drop_column('unresolved_identifier', 'disposition')
    else:
        duckdb_rebuild('unresolved_identifier', UNRESOLVED_0002, ('ix_unresolved_identifier_run_id', ['run_id']))
    op.drop_table('release_archive')
    op.drop_table('release_replacement')
    # Two releases of the same bytes (another cohort, a reload after a correction) cannot coexist
    # under 0002's constraint: the newest stays, and rows of the others point at it.
    duplicates = conn.execute(sa.text(
        "SELECT r.release_id, k.keep FROM source_release AS r JOIN (SELECT source_kind, file_sha256, max(release_id) AS keep "
        "FROM source_release GROUP BY source_kind, file_sha256) AS k ON k.source_kind = r.source_kind AND k.file_sha256 = r.file_sha256 "
        "WHERE r.release_id <> k.keep")).all()
    if duplicates:
        tables = [r[0] for r in conn.execute(sa.text(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'release_id' AND table_name NOT IN ('source_release', 'load_run') "
            "AND table_schema = current_schema() AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')"))]
        for old_id, keep in duplicates:
            for table in tables + ['load_run']:
                conn.execute(sa.text(f"UPDATE {table} SET release_id = :keep WHERE release_id = :old"), {'keep': keep, 'old': old_id})
            conn.execute(sa.text("DELETE FROM source_release WHERE release_id = :old"), {'old': old_id})
    columns = "release_id, source_kind, file_name, file_sha256, file_bytes, version, release_date, run_id, loaded_at"
    if pg:
        op.drop_constraint(op.f('fk_source_release_state_release_state'), 'source_release', type_='foreignkey')
        for column in ('state', 'slot_key', 'load_params', 'load_key'):
            op.drop_column('source_release', column)
        op.create_unique_constraint('uq_source_release_source_kind_file_sha256', 'source_release', ['source_kind', 'file_sha256'])
    else:  # DuckDB cannot add a unique constraint to a table: rebuild it
        op.execute("ALTER TABLE source_release RENAME TO source_release_0003")
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
        sa.PrimaryKeyConstraint('release_id', name=op.f('pk_source_release')),
        sa.UniqueConstraint('source_kind', 'file_sha256', name=op.f('uq_source_release_source_kind_file_sha256'))
        )
        op.execute(f"INSERT INTO source_release ({columns}) SELECT {columns} FROM source_release_0003")
        op.execute("DROP TABLE source_release_0003")
    op.drop_table('load_batch')
    op.execute(sa.schema.DropSequence(sa.Sequence('load_batch_id_seq')))
    op.execute("UPDATE load_run SET status = 'failed' WHERE status IN ('refused', 'interrupted')")
    op.execute("DELETE FROM load_run WHERE source_kind IS NULL")
    if pg:
        for column in ('batch_id', 'host', 'process_id', 'rows_unlinked', 'rows_removed'):
            op.drop_column('load_run', column)
        op.alter_column('load_run', 'source_kind', existing_type=sa.String(length=32), nullable=False, comment=None)
    else:
        duckdb_rebuild('load_run', LOAD_RUN_0002)
    op.execute("DELETE FROM run_status WHERE code IN ('refused', 'interrupted')")
    op.execute("UPDATE sample SET sample_type = 'other' WHERE sample_type = 'unknown'")
    op.execute("DELETE FROM sample_type WHERE code = 'unknown'")
    op.drop_table('identifier_disposition')
    op.drop_table('release_state')
    if pg:
        views = drop_views()
        for table, columns in WIDENED.items():
            for column, length in columns:
                op.alter_column(table, column, type_=sa.String(length=length), existing_type=sa.Text())
        create_views(views)
