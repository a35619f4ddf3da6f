"""SQLAlchemy 2 models: the annotation part of the omicskb schema.

Conventions:
- identifiers are strings (GeneIDs, GO ids, Ensembl ids without their version, which has its own column);
- small vocabularies are lookup tables, never native enums;
- every data row carries `release_id` (the source file it came from); `source_release.run_id` names
  the load run that wrote it;
- foreign keys are declared for documentation and enforced on PostgreSQL only: DuckDB cannot delete
  a parent row and its children in one transaction, which a dataset replacement needs, so on DuckDB
  the `queries/audit_*.sql` checks stand in for them.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

# Sequences work on both backends; bulk loads omit these columns and take the server default.
load_run_id_seq = sa.Sequence("load_run_id_seq")
source_release_id_seq = sa.Sequence("source_release_id_seq")
gene_go_annotation_id_seq = sa.Sequence("gene_go_annotation_id_seq")
unresolved_identifier_id_seq = sa.Sequence("unresolved_identifier_id_seq")
load_batch_id_seq = sa.Sequence("load_batch_id_seq")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def pg_only_foreign_keys(table: sa.Table) -> None:
    for constraint in table.foreign_key_constraints:
        constraint.ddl_if(dialect="postgresql")


# ---------------------------------------------------------------------------------------------
# Lookup tables (vocabularies). Their rows are inserted by the migration that creates them.


class RunStatus(Base):
    __tablename__ = "run_status"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)


class ReleaseState(Base):
    """What a source release holds now: current, superseded (kept for rollback) or removed."""

    __tablename__ = "release_state"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)


class IdentifierDisposition(Base):
    """What happened to a row whose identifier did not resolve: stored unlinked, dropped or collapsed."""

    __tablename__ = "identifier_disposition"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)


class SourceKind(Base):
    __tablename__ = "source_kind"
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)


class GoNamespace(Base):
    __tablename__ = "go_namespace"
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    aspect: Mapped[str] = mapped_column(sa.String(1), unique=True)
    label: Mapped[str] = mapped_column(sa.String(16))


class GoRelationType(Base):
    __tablename__ = "go_relation_type"
    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    propagates_annotation: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class GoSuccessorKind(Base):
    __tablename__ = "go_successor_kind"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)


class EvidenceCode(Base):
    __tablename__ = "evidence_code"
    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    description: Mapped[str | None] = mapped_column(sa.Text)


class SymbolKind(Base):
    __tablename__ = "symbol_kind"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)


class XrefDb(Base):
    __tablename__ = "xref_db"
    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    description: Mapped[str | None] = mapped_column(sa.Text)


class GeneType(Base):
    __tablename__ = "gene_type"
    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    description: Mapped[str | None] = mapped_column(sa.Text)


class OmicsType(Base):
    __tablename__ = "omics_type"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)
    feature_level: Mapped[str] = mapped_column(sa.String(16))


class Taxon(Base):
    __tablename__ = "taxon"
    taxon_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    scientific_name: Mapped[str | None] = mapped_column(sa.Text, comment="NULL for a taxon first seen in data")
    common_name: Mapped[str | None] = mapped_column(sa.Text)


# ---------------------------------------------------------------------------------------------
# Provenance


class LoadRun(Base):
    """One invocation of a load (or undo) command, whatever its outcome."""

    __tablename__ = "load_run"
    run_id: Mapped[int] = mapped_column(
        sa.BigInteger, load_run_id_seq, primary_key=True, server_default=load_run_id_seq.next_value()
    )
    command: Mapped[str] = mapped_column(sa.Text)
    source_kind: Mapped[str | None] = mapped_column(sa.ForeignKey("source_kind.code"), comment="NULL for an undo spanning kinds (remove cohort)")
    file_path: Mapped[str] = mapped_column(sa.Text)
    file_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    file_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.ForeignKey("run_status.code"))
    started_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)
    rows_read: Mapped[int | None] = mapped_column(sa.BigInteger)
    rows_loaded: Mapped[int | None] = mapped_column(sa.BigInteger)
    rows_rejected: Mapped[int | None] = mapped_column(sa.BigInteger)
    release_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    message: Mapped[str | None] = mapped_column(sa.Text)
    omicskb_version: Mapped[str] = mapped_column(sa.String(32))
    rows_removed: Mapped[int | None] = mapped_column(sa.BigInteger, comment="rows this run deleted (kept in release_archive when a release replaced them)")
    rows_unlinked: Mapped[int | None] = mapped_column(sa.BigInteger, comment="rows stored under an unlinked feature (counted in rows_loaded too)")
    process_id: Mapped[int | None] = mapped_column(sa.Integer, comment="the operating-system process that ran it")
    host: Mapped[str | None] = mapped_column(sa.Text)
    batch_id: Mapped[int | None] = mapped_column(sa.BigInteger, index=True, comment="the `load cohort` batch it belongs to")


class LoadBatch(Base):
    """One `load cohort` (or `load seeds`) command: the files it planned, so a batch stopped part-way shows."""

    __tablename__ = "load_batch"
    batch_id: Mapped[int] = mapped_column(
        sa.BigInteger, load_batch_id_seq, primary_key=True, server_default=load_batch_id_seq.next_value()
    )
    command: Mapped[str] = mapped_column(sa.Text)
    cohort_code: Mapped[str | None] = mapped_column(sa.Text)
    directory: Mapped[str] = mapped_column(sa.Text)
    planned_files: Mapped[str] = mapped_column(sa.Text, comment="newline-separated file names, in load order")
    n_planned: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.ForeignKey("run_status.code"))
    started_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)
    message: Mapped[str | None] = mapped_column(sa.Text)
    process_id: Mapped[int | None] = mapped_column(sa.Integer)
    host: Mapped[str | None] = mapped_column(sa.Text)


class SourceRelease(Base):
    """One source file as loaded with its parameters: what it was, its checksum, the run that loaded
    it, the slot it fills (an annotation source's scope, a dataset, a cohort's sample table) and
    whether it is what that slot holds now."""

    __tablename__ = "source_release"
    release_id: Mapped[int] = mapped_column(
        sa.BigInteger, source_release_id_seq, primary_key=True, server_default=source_release_id_seq.next_value()
    )
    source_kind: Mapped[str] = mapped_column(sa.ForeignKey("source_kind.code"))
    file_name: Mapped[str] = mapped_column(sa.Text)
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    file_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    version: Mapped[str | None] = mapped_column(sa.Text)
    release_date: Mapped[datetime.date | None] = mapped_column(sa.Date)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"))
    loaded_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime)
    load_key: Mapped[str | None] = mapped_column(sa.String(64), index=True, comment="sha256 of kind, file sha256 and load_params: equal keys give equal results")
    load_params: Mapped[str | None] = mapped_column(sa.Text, comment="the parameters that change the result, as canonical JSON")
    slot_key: Mapped[str | None] = mapped_column(sa.Text, index=True, comment="what it fills, e.g. gene_info:9606 or dataset:UCEC/protein/proteomics")
    state: Mapped[str] = mapped_column(sa.ForeignKey("release_state.code"), server_default="current")


class ReleaseReplacement(Base):
    """Release `release_id` replaced `replaced_release_id` in its slot; a rollback restores the latter."""

    __tablename__ = "release_replacement"
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"), primary_key=True)
    replaced_release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"), primary_key=True)


class ReleaseArchive(Base):
    """The rows a release deleted or overwrote (their state before it), as Parquet, so the release
    can be rolled back. Chunked so no single value grows past what either backend stores."""

    __tablename__ = "release_archive"
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"), primary_key=True)
    table_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    chunk_no: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    n_rows: Mapped[int] = mapped_column(sa.BigInteger)
    parquet: Mapped[bytes] = mapped_column(sa.LargeBinary)


class UnresolvedIdentifier(Base):
    """An input identifier that did not resolve, with the reason; nothing is dropped silently."""

    __tablename__ = "unresolved_identifier"
    unresolved_id: Mapped[int] = mapped_column(
        sa.BigInteger,
        unresolved_identifier_id_seq,
        primary_key=True,
        server_default=unresolved_identifier_id_seq.next_value(),
    )
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"), index=True)
    source_kind: Mapped[str] = mapped_column(sa.ForeignKey("source_kind.code"))
    file_line: Mapped[int] = mapped_column(sa.BigInteger)
    identifier: Mapped[str] = mapped_column(sa.Text)
    id_kind: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    disposition: Mapped[str] = mapped_column(sa.ForeignKey("identifier_disposition.code"), server_default="dropped")


# ---------------------------------------------------------------------------------------------
# Genes


class Gene(Base):
    __tablename__ = "gene"
    gene_id: Mapped[str] = mapped_column(sa.Text, primary_key=True, comment="Entrez GeneID")
    taxon_id: Mapped[str] = mapped_column(sa.ForeignKey("taxon.taxon_id"))
    symbol: Mapped[str] = mapped_column(sa.Text, index=True)
    name: Mapped[str | None] = mapped_column(sa.Text)
    type_of_gene: Mapped[str | None] = mapped_column(sa.ForeignKey("gene_type.code"))
    chromosome: Mapped[str | None] = mapped_column(sa.Text)
    map_location: Mapped[str | None] = mapped_column(sa.Text)
    locus_tag: Mapped[str | None] = mapped_column(sa.Text)
    nomenclature_status: Mapped[str | None] = mapped_column(sa.Text)
    modification_date: Mapped[datetime.date | None] = mapped_column(sa.Date)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class GeneSymbol(Base):
    """Official symbols, aliases and previous symbols, by source."""

    __tablename__ = "gene_symbol"
    gene_id: Mapped[str] = mapped_column(sa.ForeignKey("gene.gene_id"), primary_key=True)
    symbol: Mapped[str] = mapped_column(sa.Text, primary_key=True, index=True)
    symbol_kind: Mapped[str] = mapped_column(sa.ForeignKey("symbol_kind.code"), primary_key=True)
    source_kind: Mapped[str] = mapped_column(sa.ForeignKey("source_kind.code"), primary_key=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class GeneXref(Base):
    """Cross-references: Ensembl gene (version in its own column), HGNC, MIM, UniProt, ..."""

    __tablename__ = "gene_xref"
    gene_id: Mapped[str] = mapped_column(sa.ForeignKey("gene.gene_id"), primary_key=True)
    xref_db: Mapped[str] = mapped_column(sa.ForeignKey("xref_db.code"), primary_key=True)
    accession: Mapped[str] = mapped_column(sa.Text, primary_key=True, index=True)
    source_kind: Mapped[str] = mapped_column(sa.ForeignKey("source_kind.code"), primary_key=True)
    version: Mapped[str | None] = mapped_column(sa.Text)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class GeneSummary(Base):
    """Every distinct summary text ever loaded for a gene; `gene_summary_current` picks the newest."""

    __tablename__ = "gene_summary"
    gene_id: Mapped[str] = mapped_column(sa.ForeignKey("gene.gene_id"), primary_key=True)
    text_sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    summary: Mapped[str] = mapped_column(sa.Text)
    provided_by: Mapped[str | None] = mapped_column(sa.Text, comment="e.g. RefSeq, from '[provided by RefSeq, Jul 2020]'")
    provided_date: Mapped[datetime.date | None] = mapped_column(sa.Date, comment="first day of the stated month")
    provided_date_text: Mapped[str | None] = mapped_column(sa.Text, comment="as written, e.g. 'Jul 2020'")
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class SpeciesGene(Base):
    """Model-organism genes (MGI, RGD tables), so orthologs given by MGI/RGD id get a symbol."""

    __tablename__ = "species_gene"
    db_id: Mapped[str] = mapped_column(sa.Text, primary_key=True, comment="MGI:96561, RGD:2904")
    taxon_id: Mapped[str] = mapped_column(sa.ForeignKey("taxon.taxon_id"))
    symbol: Mapped[str] = mapped_column(sa.Text, index=True)
    synonyms: Mapped[str | None] = mapped_column(sa.Text, comment="'|'-joined")
    ensembl_genes: Mapped[str | None] = mapped_column(sa.Text, comment="'|'-joined")
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class Ortholog(Base):
    """A gene's ortholog in another taxon, as one source states it."""

    __tablename__ = "ortholog"
    gene_id: Mapped[str] = mapped_column(sa.ForeignKey("gene.gene_id"), primary_key=True)
    other_taxon_id: Mapped[str] = mapped_column(sa.ForeignKey("taxon.taxon_id"), primary_key=True)
    other_gene_id: Mapped[str] = mapped_column(
        sa.Text, primary_key=True, comment="as the source gives it: Entrez GeneID, MGI:/RGD: id or Ensembl gene"
    )
    source_kind: Mapped[str] = mapped_column(sa.ForeignKey("source_kind.code"), primary_key=True)
    other_id_kind: Mapped[str] = mapped_column(sa.ForeignKey("xref_db.code"))
    other_symbol: Mapped[str | None] = mapped_column(sa.Text)
    support: Mapped[str | None] = mapped_column(sa.Text)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class GeneCategory(Base):
    __tablename__ = "gene_category"
    gene_id: Mapped[str] = mapped_column(sa.ForeignKey("gene.gene_id"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


# ---------------------------------------------------------------------------------------------
# Gene Ontology


class GoTerm(Base):
    __tablename__ = "go_term"
    go_id: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    namespace: Mapped[str] = mapped_column(sa.ForeignKey("go_namespace.code"))
    definition: Mapped[str | None] = mapped_column(sa.Text)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    is_obsolete: Mapped[bool] = mapped_column(sa.Boolean)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class GoAltId(Base):
    """A secondary GO id (OBO alt_id) and the primary term it now belongs to."""

    __tablename__ = "go_alt_id"
    alt_id: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    go_id: Mapped[str] = mapped_column(sa.ForeignKey("go_term.go_id"), index=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class GoSuccessor(Base):
    """replaced_by and consider links of obsolete terms."""

    __tablename__ = "go_successor"
    go_id: Mapped[str] = mapped_column(sa.ForeignKey("go_term.go_id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.ForeignKey("go_successor_kind.code"), primary_key=True)
    target_id: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class GoRelation(Base):
    """Direct edges: is_a, part_of, regulates, ... (child go_id, relation, parent_id)."""

    __tablename__ = "go_relation"
    go_id: Mapped[str] = mapped_column(sa.ForeignKey("go_term.go_id"), primary_key=True)
    relation: Mapped[str] = mapped_column(sa.ForeignKey("go_relation_type.code"), primary_key=True)
    parent_id: Mapped[str] = mapped_column(sa.String(10), primary_key=True, index=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class GoClosure(Base):
    """Transitive closure over the propagating relations (is_a, part_of), self pairs included."""

    __tablename__ = "go_closure"
    go_id: Mapped[str] = mapped_column(sa.String(10), primary_key=True, comment="descendant")
    ancestor_id: Mapped[str] = mapped_column(sa.String(10), primary_key=True, index=True)
    distance: Mapped[int] = mapped_column(sa.Integer, comment="fewest edges from go_id up to ancestor_id")
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class GeneGoAnnotation(Base):
    """A gene–GO annotation as its source states it (NCBI gene2go or a GAF)."""

    __tablename__ = "gene_go_annotation"
    annotation_id: Mapped[int] = mapped_column(
        sa.BigInteger,
        gene_go_annotation_id_seq,
        primary_key=True,
        server_default=gene_go_annotation_id_seq.next_value(),
    )
    gene_id: Mapped[str] = mapped_column(sa.ForeignKey("gene.gene_id"), index=True)
    go_id: Mapped[str] = mapped_column(sa.String(10), index=True, comment="as annotated; may be an alt_id or obsolete")
    qualifier: Mapped[str | None] = mapped_column(sa.Text, comment="as given, e.g. 'NOT|involved_in'")
    is_not: Mapped[bool] = mapped_column(sa.Boolean)
    evidence_code: Mapped[str | None] = mapped_column(sa.ForeignKey("evidence_code.code"))
    namespace: Mapped[str] = mapped_column(sa.ForeignKey("go_namespace.code"))
    go_term_as_given: Mapped[str | None] = mapped_column(sa.Text, comment="gene2go's GO_term column")
    reference_ids: Mapped[str | None] = mapped_column(sa.Text, comment="'|'-joined, e.g. PMID:2643102")
    with_from: Mapped[str | None] = mapped_column(sa.Text)
    db_object_id: Mapped[str | None] = mapped_column(sa.Text, comment="GAF: the annotated UniProtKB entry")
    assigned_by: Mapped[str | None] = mapped_column(sa.Text)
    annotation_date: Mapped[datetime.date | None] = mapped_column(sa.Date)
    source_kind: Mapped[str] = mapped_column(sa.ForeignKey("source_kind.code"))
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"), index=True)


# ---------------------------------------------------------------------------------------------
# Transcripts and protein products


class Transcript(Base):
    """Transcripts and their protein products from a GTF or NCBI gene2ensembl."""

    __tablename__ = "transcript"
    transcript_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    source_kind: Mapped[str] = mapped_column(sa.ForeignKey("source_kind.code"), primary_key=True)
    transcript_version: Mapped[str | None] = mapped_column(sa.Text)
    gene_id: Mapped[str] = mapped_column(sa.ForeignKey("gene.gene_id"), index=True)
    ensembl_gene_id: Mapped[str | None] = mapped_column(sa.Text)
    ensembl_gene_version: Mapped[str | None] = mapped_column(sa.Text)
    transcript_name: Mapped[str | None] = mapped_column(sa.Text)
    biotype: Mapped[str | None] = mapped_column(sa.Text)
    protein_id: Mapped[str | None] = mapped_column(sa.Text, index=True)
    protein_version: Mapped[str | None] = mapped_column(sa.Text)
    refseq_rna: Mapped[str | None] = mapped_column(sa.Text)
    refseq_protein: Mapped[str | None] = mapped_column(sa.Text)
    is_canonical: Mapped[bool] = mapped_column(sa.Boolean, comment="GTF tag Ensembl_canonical")
    is_mane_select: Mapped[bool] = mapped_column(sa.Boolean, comment="GTF tag MANE_Select")
    tags: Mapped[str | None] = mapped_column(sa.Text, comment="'|'-joined GTF tags")
    chromosome: Mapped[str | None] = mapped_column(sa.Text)
    start_position: Mapped[int | None] = mapped_column(sa.BigInteger)
    end_position: Mapped[int | None] = mapped_column(sa.BigInteger)
    strand: Mapped[str | None] = mapped_column(sa.String(1))
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class TranscriptSelection(Base):
    """The CPTAC/LinkedOmicsKB isoform-selection table: which product is primary, which is MANE."""

    __tablename__ = "transcript_selection"
    transcript_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    transcript_version: Mapped[str | None] = mapped_column(sa.Text)
    gene_id: Mapped[str] = mapped_column(sa.ForeignKey("gene.gene_id"), index=True)
    ensembl_gene_id: Mapped[str | None] = mapped_column(sa.Text)
    ensembl_gene_version: Mapped[str | None] = mapped_column(sa.Text)
    protein_id: Mapped[str | None] = mapped_column(sa.Text)
    protein_version: Mapped[str | None] = mapped_column(sa.Text)
    is_primary: Mapped[bool] = mapped_column(sa.Boolean)
    is_mane: Mapped[bool | None] = mapped_column(sa.Boolean)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


# ---------------------------------------------------------------------------------------------
# Cohorts (reference part; measurements come with the cohort issue)


class Cohort(Base):
    __tablename__ = "cohort"
    cohort_code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class CohortAlias(Base):
    """Other codes releases use for a cohort (ccRCC, HGSC); matched without regard to case."""

    __tablename__ = "cohort_alias"
    alias: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    cohort_code: Mapped[str] = mapped_column(sa.ForeignKey("cohort.cohort_code"), index=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


# ---------------------------------------------------------------------------------------------
# Cohort measurements: patients, samples, clinical attributes, datasets, features, values, mutations

patient_id_seq = sa.Sequence("patient_id_seq")
sample_id_seq = sa.Sequence("sample_id_seq")
clinical_attribute_id_seq = sa.Sequence("clinical_attribute_id_seq")
clinical_value_id_seq = sa.Sequence("clinical_value_id_seq")
dataset_id_seq = sa.Sequence("dataset_id_seq")
feature_id_seq = sa.Sequence("feature_id_seq")
mutation_id_seq = sa.Sequence("mutation_id_seq")


def _id_column(sequence: sa.Sequence):
    return mapped_column(sa.BigInteger, sequence, primary_key=True, server_default=sequence.next_value())


class SampleType(Base):
    __tablename__ = "sample_type"
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)
    is_normal: Mapped[bool] = mapped_column(sa.Boolean)


class SampleRole(Base):
    """The role a sample plays in the default tumor-vs-normal comparison."""

    __tablename__ = "sample_role"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)


class ClinicalType(Base):
    __tablename__ = "clinical_type"
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)


class FeatureKind(Base):
    __tablename__ = "feature_kind"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text)


class VariantClass(Base):
    """MAF Variant_Classification values; is_nonsilent drives gene-level mutation status."""

    __tablename__ = "variant_class"
    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    is_nonsilent: Mapped[bool] = mapped_column(sa.Boolean)
    description: Mapped[str | None] = mapped_column(sa.Text)


class Patient(Base):
    """A case (participant); pooled normals get a case of their own label."""

    __tablename__ = "patient"
    __table_args__ = (sa.UniqueConstraint("cohort_code", "patient_label"),)
    patient_id: Mapped[int] = _id_column(patient_id_seq)
    cohort_code: Mapped[str] = mapped_column(sa.ForeignKey("cohort.cohort_code"))
    patient_label: Mapped[str] = mapped_column(sa.Text)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class Sample(Base):
    """A sample as matrix headers name it. Pan-cancer Tumor and Normal files reuse case ids as labels,
    so a label is unique per cohort and sample type."""

    __tablename__ = "sample"
    __table_args__ = (sa.UniqueConstraint("cohort_code", "sample_label", "sample_type"),)
    sample_id: Mapped[int] = _id_column(sample_id_seq)
    cohort_code: Mapped[str] = mapped_column(sa.ForeignKey("cohort.cohort_code"))
    sample_label: Mapped[str] = mapped_column(sa.Text)
    sample_type: Mapped[str] = mapped_column(sa.ForeignKey("sample_type.code"))
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patient.patient_id"), index=True)
    is_excluded: Mapped[bool] = mapped_column(sa.Boolean)
    is_replicate: Mapped[bool] = mapped_column(sa.Boolean)
    stat_role: Mapped[str | None] = mapped_column(sa.ForeignKey("sample_role.code"), comment="tumor: primary tumor, not excluded, not a replicate; normal: adjacent normal")
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class ClinicalAttribute(Base):
    __tablename__ = "clinical_attribute"
    __table_args__ = (sa.UniqueConstraint("cohort_code", "name"),)
    attribute_id: Mapped[int] = _id_column(clinical_attribute_id_seq)
    cohort_code: Mapped[str] = mapped_column(sa.ForeignKey("cohort.cohort_code"))
    name: Mapped[str] = mapped_column(sa.Text)
    clinical_type: Mapped[str] = mapped_column(sa.ForeignKey("clinical_type.code"))
    keyed_by: Mapped[str] = mapped_column(sa.String(16), comment="'sample' or 'patient': which id its values carry")
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class ClinicalLevel(Base):
    """Levels of a BIN, CAT or ORD attribute; for ORD, level_order is the order low -> high."""

    __tablename__ = "clinical_level"
    attribute_id: Mapped[int] = mapped_column(sa.ForeignKey("clinical_attribute.attribute_id"), primary_key=True)
    level_order: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    level_value: Mapped[str] = mapped_column(sa.Text)


class ClinicalValue(Base):
    """One attribute value of one sample (or one patient). SUR: value_number = time, event = 0/1."""

    __tablename__ = "clinical_value"
    clinical_value_id: Mapped[int] = _id_column(clinical_value_id_seq)
    attribute_id: Mapped[int] = mapped_column(sa.ForeignKey("clinical_attribute.attribute_id"), index=True)
    sample_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sample.sample_id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patient.patient_id"), index=True)
    value_text: Mapped[str | None] = mapped_column(sa.Text)
    value_number: Mapped[float | None] = mapped_column(sa.Double)
    event: Mapped[int | None] = mapped_column(sa.SmallInteger)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


class Dataset(Base):
    """One loaded matrix: cohort x omics x unit/normalisation x source release."""

    __tablename__ = "dataset"
    __table_args__ = (sa.UniqueConstraint("cohort_code", "omics_type", "name"),)
    dataset_id: Mapped[int] = _id_column(dataset_id_seq)
    cohort_code: Mapped[str] = mapped_column(sa.ForeignKey("cohort.cohort_code"))
    omics_type: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"))
    name: Mapped[str] = mapped_column(sa.Text, comment="file name without .gz/.txt unless --name: a corrected file of the same name replaces it")
    feature_kind: Mapped[str] = mapped_column(sa.ForeignKey("feature_kind.code"))
    source_format: Mapped[str] = mapped_column(sa.String(16))
    sample_scope: Mapped[str] = mapped_column(sa.String(16), comment="tumor, normal or from-samples: how column labels were matched")
    unit: Mapped[str | None] = mapped_column(sa.Text)
    n_features: Mapped[int] = mapped_column(sa.Integer)
    n_samples: Mapped[int] = mapped_column(sa.Integer)
    n_missing: Mapped[int] = mapped_column(sa.BigInteger)
    n_unresolved: Mapped[int] = mapped_column(sa.Integer)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))
    is_default: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false(), comment="the dataset summaries and statistics use for its (cohort, omics)")


class DatasetPair(Base):
    """A tumor dataset and the normal dataset that completes it (pan-cancer and LinkedOmics
    Tumor/Normal files): the same features and unit, so one block holds both."""

    __tablename__ = "dataset_pair"
    tumor_dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.dataset_id"), primary_key=True)
    normal_dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.dataset_id"), unique=True)
    declared_by: Mapped[str] = mapped_column(sa.String(16), comment="layout, name (tumor/normal suffixes) or user")


class DatasetSample(Base):
    """Column order of a dataset: sample_values[sample_ord] (1-based, like SQL arrays) belongs to sample_id."""

    __tablename__ = "dataset_sample"
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.dataset_id"), primary_key=True)
    sample_ord: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("sample.sample_id"), index=True)
    column_label: Mapped[str] = mapped_column(sa.Text)


class Feature(Base):
    """A measured thing, shared across datasets: a gene, a PTM site, a miRNA, a variant, or an
    identifier that did not resolve (gene_id NULL; its reason is in unresolved_identifier)."""

    __tablename__ = "feature"
    feature_id: Mapped[int] = _id_column(feature_id_seq)
    feature_key: Mapped[str] = mapped_column(sa.Text, unique=True, comment="gene:<GeneID>, site:<GeneID>:<protein>:<S123>, id:<kind>:<raw>")
    feature_kind: Mapped[str] = mapped_column(sa.ForeignKey("feature_kind.code"))
    label: Mapped[str] = mapped_column(sa.Text)
    gene_id: Mapped[str | None] = mapped_column(sa.ForeignKey("gene.gene_id"), index=True)
    protein_id: Mapped[str | None] = mapped_column(sa.Text)
    residue: Mapped[str | None] = mapped_column(sa.String(1))
    site_position: Mapped[int | None] = mapped_column(sa.Integer)
    flanking_peptide: Mapped[str | None] = mapped_column(sa.Text)


class MeasurementRow(Base):
    """One feature's values in one dataset, as an array in dataset_sample order (NULL = missing).

    A cohort x omics block is one range scan that reshapes into a matrix without a pivot; the
    `measurement` view unnests it into the long (cohort, omics, feature, sample, value) form."""

    __tablename__ = "measurement_row"
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.dataset_id"), primary_key=True)
    row_ord: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), index=True)
    raw_identifier: Mapped[str] = mapped_column(sa.Text, comment="the id exactly as the file gives it")
    file_line: Mapped[int] = mapped_column(sa.BigInteger)
    # PostgreSQL keeps no planner statistics for it (statistics target 0, migration 0004): no plan uses them.
    sample_values: Mapped[list[float | None]] = mapped_column(sa.ARRAY(sa.Double))


class Mutation(Base):
    """One MAF row; the MAF's dataset also holds the gene-level non-silent status matrix."""

    __tablename__ = "mutation"
    mutation_id: Mapped[int] = _id_column(mutation_id_seq)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.dataset_id"), index=True)
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("sample.sample_id"), index=True)
    gene_id: Mapped[str | None] = mapped_column(sa.ForeignKey("gene.gene_id"))
    hugo_symbol: Mapped[str] = mapped_column(sa.Text)
    chromosome: Mapped[str] = mapped_column(sa.Text)
    start_position: Mapped[int] = mapped_column(sa.BigInteger)
    end_position: Mapped[int] = mapped_column(sa.BigInteger)
    variant_class: Mapped[str] = mapped_column(sa.ForeignKey("variant_class.code"))
    variant_type: Mapped[str] = mapped_column(sa.Text)
    reference_allele: Mapped[str] = mapped_column(sa.Text)
    tumor_allele: Mapped[str] = mapped_column(sa.Text)
    hgvsc: Mapped[str | None] = mapped_column(sa.Text)
    hgvsp_short: Mapped[str | None] = mapped_column(sa.Text)
    transcript_id: Mapped[str | None] = mapped_column(sa.Text)
    t_depth: Mapped[int | None] = mapped_column(sa.Integer)
    t_alt_count: Mapped[int | None] = mapped_column(sa.Integer)
    tumor_sample_barcode: Mapped[str] = mapped_column(sa.Text)
    file_line: Mapped[int] = mapped_column(sa.BigInteger)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("source_release.release_id"))


# ---------------------------------------------------------------------------------------------
# Derived results: tumor vs normal (omicskb derive). Each comparison records the dataset releases
# and the sample roles it read. They refer to datasets, samples and releases without foreign keys:
# derived data never blocks a user's delete. Instead every load and undo deletes, in its own
# transaction, the comparisons whose inputs it changed (etl.tumor_normal.drop_stale), and
# queries/audit_tn_stale.sql finds any left.

tn_comparison_id_seq = sa.Sequence("tn_comparison_id_seq")


class TnComparison(Base):
    """One tumor-vs-normal comparison as `derive` computed it: a block (one dataset holding both
    roles, or a declared tumor/normal pair of datasets), the releases it read and the run that
    wrote it. A block without enough samples of a role is kept with its reason and no results."""

    __tablename__ = "tn_comparison"
    __table_args__ = (sa.UniqueConstraint("tumor_dataset_id", "normal_dataset_id"),)
    comparison_id: Mapped[int] = _id_column(tn_comparison_id_seq)
    cohort_code: Mapped[str] = mapped_column(sa.ForeignKey("cohort.cohort_code"))
    omics_type: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"))
    tumor_dataset_id: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    normal_dataset_id: Mapped[int] = mapped_column(sa.BigInteger, index=True, comment="the tumor dataset itself when one dataset holds both roles")
    tumor_release_id: Mapped[int] = mapped_column(sa.BigInteger, comment="the tumor dataset's release when derived")
    normal_release_id: Mapped[int] = mapped_column(sa.BigInteger)
    is_default: Mapped[bool] = mapped_column(sa.Boolean, comment="the (cohort, omics) default block: the one Meta P combines")
    n_tumor_samples: Mapped[int] = mapped_column(sa.Integer)
    n_normal_samples: Mapped[int] = mapped_column(sa.Integer)
    n_features: Mapped[int] = mapped_column(sa.Integer)
    n_tested: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str | None] = mapped_column(sa.Text, comment="why nothing was tested (no normal samples), else NULL")
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"))


class TnComparisonSample(Base):
    """Every sample of a comparison's block, with the role it had then (NULL: neither); a load
    that changes a role makes the comparison stale."""

    __tablename__ = "tn_comparison_sample"
    comparison_id: Mapped[int] = mapped_column(sa.ForeignKey("tn_comparison.comparison_id"), primary_key=True)
    sample_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    stat_role: Mapped[str | None] = mapped_column(sa.ForeignKey("sample_role.code"))


class TnResult(Base):
    """One feature's Wilcoxon rank-sum test of tumor against normal (R's wilcox.test conventions).
    A feature with too few values, or all values equal, has its counts, medians and skip_reason."""

    __tablename__ = "tn_result"
    comparison_id: Mapped[int] = mapped_column(sa.ForeignKey("tn_comparison.comparison_id"), primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    n_tumor: Mapped[int] = mapped_column(sa.Integer)
    n_normal: Mapped[int] = mapped_column(sa.Integer)
    median_tumor: Mapped[float | None] = mapped_column(sa.Double)
    median_normal: Mapped[float | None] = mapped_column(sa.Double)
    hl_shift: Mapped[float | None] = mapped_column(sa.Double, comment="Hodges-Lehmann tumor - normal: the median of all pairwise differences")
    u: Mapped[float | None] = mapped_column(sa.Double, comment="Mann-Whitney U of the tumors (R's W)")
    z: Mapped[float | None] = mapped_column(sa.Double, comment="2 Phi(-|z|) = p, signed by the shift's direction")
    exact: Mapped[bool | None] = mapped_column(sa.Boolean, comment="p from the exact distribution (both groups < 50, no ties)")
    p: Mapped[float | None] = mapped_column(sa.Double, comment="two-sided; 0 where it underflows a double: log10_p keeps it")
    log10_p: Mapped[float | None] = mapped_column(sa.Double)
    signed_p: Mapped[float | None] = mapped_column(sa.Double)
    signed_log10_p: Mapped[float | None] = mapped_column(sa.Double, comment="direction x -log10 p")
    q: Mapped[float | None] = mapped_column(sa.Double, comment="Benjamini-Hochberg within the comparison")
    log10_q: Mapped[float | None] = mapped_column(sa.Double)
    skip_reason: Mapped[str | None] = mapped_column(sa.Text)


class TnBox(Base):
    """Box statistics of one feature's values in one role of a comparison (Tukey; type-7 quartiles)."""

    __tablename__ = "tn_box"
    comparison_id: Mapped[int] = mapped_column(sa.ForeignKey("tn_comparison.comparison_id"), primary_key=True)
    stat_role: Mapped[str] = mapped_column(sa.ForeignKey("sample_role.code"), primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    n: Mapped[int] = mapped_column(sa.Integer)
    minimum: Mapped[float | None] = mapped_column(sa.Double)
    q1: Mapped[float | None] = mapped_column(sa.Double)
    median: Mapped[float | None] = mapped_column(sa.Double)
    q3: Mapped[float | None] = mapped_column(sa.Double)
    maximum: Mapped[float | None] = mapped_column(sa.Double)
    whisker_low: Mapped[float | None] = mapped_column(sa.Double, comment="the lowest value within 1.5 x IQR below q1")
    whisker_high: Mapped[float | None] = mapped_column(sa.Double)
    n_mild: Mapped[int] = mapped_column(sa.Integer, comment="values 1.5-3 x IQR beyond the quartiles (in tn_box_outlier)")
    n_extreme: Mapped[int] = mapped_column(sa.Integer, comment="values beyond 3 x IQR")


class TnBoxOutlier(Base):
    """The outlying values of a box, one row each: mild (1.5-3 x IQR beyond a quartile) or extreme."""

    __tablename__ = "tn_box_outlier"
    comparison_id: Mapped[int] = mapped_column(sa.ForeignKey("tn_comparison.comparison_id"), primary_key=True)
    stat_role: Mapped[str] = mapped_column(sa.ForeignKey("sample_role.code"), primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    sample_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    value: Mapped[float] = mapped_column(sa.Double)
    is_extreme: Mapped[bool] = mapped_column(sa.Boolean)


class TnMeta(Base):
    """Meta P per omics and feature across the cohorts' default comparisons (Stouffer from z)."""

    __tablename__ = "tn_meta"
    omics_type: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"), primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    n_cohorts: Mapped[int] = mapped_column(sa.Integer)
    n_agree: Mapped[int] = mapped_column(sa.Integer, comment="cohorts in the majority direction")
    z: Mapped[float | None] = mapped_column(sa.Double, comment="the combined Z in the majority direction")
    p: Mapped[float | None] = mapped_column(sa.Double)
    log10_p: Mapped[float] = mapped_column(sa.Double)
    signed_p: Mapped[float | None] = mapped_column(sa.Double)
    signed_log10_p: Mapped[float] = mapped_column(sa.Double)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"))



# ---------------------------------------------------------------------------------------------
# Derived results: cis associations (omicskb derive --analysis cis). Like tn_comparison, a block
# records the dataset releases and sample roles it read, without foreign keys to them; loads and
# undos drop stale blocks (etl.cis.drop_stale, queries/audit_cis_stale.sql).

cis_block_id_seq = sa.Sequence("cis_block_id_seq")


class CisBlock(Base):
    """One cis comparison in one cohort: the default dataset of omics_x against that of omics_y, on
    the tumors both measured. x is the upstream gene-level omics (cnv, methylation, rna, protein in
    that order); y is a gene-level omics further down, or a site-level one (phospho, acetyl)."""

    __tablename__ = "cis_block"
    __table_args__ = (sa.UniqueConstraint("dataset_x_id", "dataset_y_id"),)
    block_id: Mapped[int] = _id_column(cis_block_id_seq)
    cohort_code: Mapped[str] = mapped_column(sa.ForeignKey("cohort.cohort_code"))
    omics_x: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"))
    omics_y: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"))
    dataset_x_id: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    dataset_y_id: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    release_x_id: Mapped[int] = mapped_column(sa.BigInteger, comment="dataset x's release when derived")
    release_y_id: Mapped[int] = mapped_column(sa.BigInteger)
    n_samples: Mapped[int] = mapped_column(sa.Integer, comment="tumors both datasets measured")
    n_pairs: Mapped[int] = mapped_column(sa.Integer, comment="y features whose gene has a row in x")
    n_tested: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str | None] = mapped_column(sa.Text, comment="why nothing was tested, else NULL")
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"))


class CisBlockSample(Base):
    """Every sample of both datasets of a cis block with its role then; a changed role makes the block stale."""

    __tablename__ = "cis_block_sample"
    block_id: Mapped[int] = mapped_column(sa.ForeignKey("cis_block.block_id"), primary_key=True)
    sample_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    stat_role: Mapped[str | None] = mapped_column(sa.ForeignKey("sample_role.code"))


class CisResult(Base):
    """Spearman of a y feature (a gene, or a site) against its gene's x row, on the tumors both have
    values for, re-ranked there (R's cor.test(method = "spearman", exact = FALSE))."""

    __tablename__ = "cis_result"
    block_id: Mapped[int] = mapped_column(sa.ForeignKey("cis_block.block_id"), primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True, comment="the y feature: a gene, or a site")
    x_feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), comment="the x row: the gene's own feature")
    n: Mapped[int] = mapped_column(sa.Integer, comment="tumors with both values")
    rho: Mapped[float | None] = mapped_column(sa.Double)
    p: Mapped[float | None] = mapped_column(sa.Double, comment="two-sided, t approximation; 0 where it underflows: log10_p keeps it")
    log10_p: Mapped[float | None] = mapped_column(sa.Double)
    signed_log10_p: Mapped[float | None] = mapped_column(sa.Double, comment="sign(rho) x -log10 p")
    q: Mapped[float | None] = mapped_column(sa.Double, comment="Benjamini-Hochberg within the block")
    skip_reason: Mapped[str | None] = mapped_column(sa.Text)


class CisMeta(Base):
    """Meta P of a cis pair (omics_x, omics_y, y feature) across the cohorts' blocks (Stouffer from z)."""

    __tablename__ = "cis_meta"
    omics_x: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"), primary_key=True)
    omics_y: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"), primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    n_cohorts: Mapped[int] = mapped_column(sa.Integer)
    n_agree: Mapped[int] = mapped_column(sa.Integer, comment="cohorts in the majority direction")
    z: Mapped[float | None] = mapped_column(sa.Double, comment="the combined Z in the majority direction")
    p: Mapped[float | None] = mapped_column(sa.Double)
    log10_p: Mapped[float] = mapped_column(sa.Double)
    signed_log10_p: Mapped[float] = mapped_column(sa.Double)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"))


# cis_result keeps its primary key on PostgreSQL only, as the tn_ results do (see below).
CisResult.__table__.primary_key.ddl_if(dialect="postgresql")


# ---------------------------------------------------------------------------------------------
# Derived results: phenotype and mutation associations (omicskb derive --analysis phenotypes). As
# for the tn_ and cis_ tables: releases and roles recorded, no keys to user data, loads drop stale
# blocks (etl.phenotypes.drop_stale, queries/audit_pheno_stale.sql).

pheno_block_id_seq = sa.Sequence("pheno_block_id_seq")


class PhenoBlock(Base):
    """One cohort's default dataset of one omics type tested against every attribute of the cohort
    (its clinical attributes, and the mutation status of its most mutated genes), on the tumors."""

    __tablename__ = "pheno_block"
    __table_args__ = (sa.UniqueConstraint("dataset_id"),)
    block_id: Mapped[int] = _id_column(pheno_block_id_seq)
    cohort_code: Mapped[str] = mapped_column(sa.ForeignKey("cohort.cohort_code"))
    omics_type: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"))
    dataset_id: Mapped[int] = mapped_column(sa.BigInteger)
    release_id: Mapped[int] = mapped_column(sa.BigInteger, comment="the dataset's release when derived")
    clinical_fingerprint: Mapped[str] = mapped_column(sa.Text, comment="the cohort's attributes and their releases when derived (queries/pheno_blocks.sql computes it)")
    mutation_dataset_id: Mapped[int | None] = mapped_column(sa.BigInteger, comment="the default mutation dataset the mutation attributes came from")
    mutation_release_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    n_samples: Mapped[int] = mapped_column(sa.Integer, comment="tumors in the dataset")
    n_features: Mapped[int] = mapped_column(sa.Integer)
    n_attributes: Mapped[int] = mapped_column(sa.Integer)
    n_tested: Mapped[int] = mapped_column(sa.Integer)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"))


class PhenoBlockSample(Base):
    """Every sample of a phenotype block's dataset with its role then."""

    __tablename__ = "pheno_block_sample"
    block_id: Mapped[int] = mapped_column(sa.ForeignKey("pheno_block.block_id"), primary_key=True)
    sample_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    stat_role: Mapped[str | None] = mapped_column(sa.ForeignKey("sample_role.code"))


class PhenoAttribute(Base):
    """One attribute a block was tested against: its type, the test that type takes, how many of
    the block's tumors have a value, and why it was not tested at all (else NULL)."""

    __tablename__ = "pheno_attribute"
    block_id: Mapped[int] = mapped_column(sa.ForeignKey("pheno_block.block_id"), primary_key=True)
    attribute_name: Mapped[str] = mapped_column(sa.Text, primary_key=True, comment="the clinical attribute's name, or <SYMBOL>_mutation")
    attribute_group: Mapped[str] = mapped_column(sa.String(16), comment="clinical or mutation")
    attribute_type: Mapped[str] = mapped_column(sa.ForeignKey("clinical_type.code"), comment="CON, BIN, ORD, CAT or SUR")
    test: Mapped[str] = mapped_column(sa.String(16), comment="spearman, wilcoxon, jonckheere, kruskal or cox")
    attribute_id: Mapped[int | None] = mapped_column(sa.BigInteger, comment="the clinical attribute (NULL for mutation status)")
    direction: Mapped[str | None] = mapped_column(sa.Text, comment="what a positive sign means, e.g. 'higher in mutated than wildtype'")
    n_with_value: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str | None] = mapped_column(sa.Text)


class PhenoResult(Base):
    """One feature against one attribute in one block."""

    __tablename__ = "pheno_result"
    block_id: Mapped[int] = mapped_column(sa.ForeignKey("pheno_block.block_id"), primary_key=True)
    attribute_name: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    n: Mapped[int] = mapped_column(sa.Integer, comment="tumors with a value and the attribute")
    statistic: Mapped[float | None] = mapped_column(sa.Double, comment="rho, the Hodges-Lehmann shift, JT's z, H, or the score chi-square")
    p: Mapped[float | None] = mapped_column(sa.Double, comment="two-sided; 0 where it underflows: log10_p keeps it")
    log10_p: Mapped[float | None] = mapped_column(sa.Double)
    signed_log10_p: Mapped[float | None] = mapped_column(sa.Double, comment="direction x -log10 p (Kruskal-Wallis: unsigned, positive)")
    q: Mapped[float | None] = mapped_column(sa.Double, comment="Benjamini-Hochberg within the block and attribute")
    skip_reason: Mapped[str | None] = mapped_column(sa.Text)


class PhenoMeta(Base):
    """Meta P of a feature against an attribute shared by name across cohorts (Stouffer from z)."""

    __tablename__ = "pheno_meta"
    omics_type: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"), primary_key=True)
    attribute_name: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    n_cohorts: Mapped[int] = mapped_column(sa.Integer)
    n_agree: Mapped[int] = mapped_column(sa.Integer)
    z: Mapped[float | None] = mapped_column(sa.Double)
    p: Mapped[float | None] = mapped_column(sa.Double)
    log10_p: Mapped[float] = mapped_column(sa.Double)
    signed_log10_p: Mapped[float] = mapped_column(sa.Double)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"))


# ---------------------------------------------------------------------------------------------
# Derived results: all-pairs trans associations (omicskb derive --analysis trans). Every pair is
# tested; only each feature's top partners per cohort and by Meta P are stored. As for the other
# derived tables: releases and roles recorded, no keys to user data, loads drop stale blocks.

trans_block_id_seq = sa.Sequence("trans_block_id_seq")


class TransBlock(Base):
    """One cohort's default dataset of one omics type (protein or rna): every row against every
    other, on the tumors, each pair re-ranked on the samples both have."""

    __tablename__ = "trans_block"
    __table_args__ = (sa.UniqueConstraint("dataset_id"),)
    block_id: Mapped[int] = _id_column(trans_block_id_seq)
    cohort_code: Mapped[str] = mapped_column(sa.ForeignKey("cohort.cohort_code"))
    omics_type: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"))
    dataset_id: Mapped[int] = mapped_column(sa.BigInteger)
    release_id: Mapped[int] = mapped_column(sa.BigInteger, comment="the dataset's release when derived")
    n_samples: Mapped[int] = mapped_column(sa.Integer, comment="tumors in the dataset")
    n_features: Mapped[int] = mapped_column(sa.Integer)
    n_pairs_tested: Mapped[int] = mapped_column(sa.BigInteger, comment="pairs with 10 shared tumors and variance in both (each pair once)")
    top_n: Mapped[int] = mapped_column(sa.Integer, comment="partners stored per feature")
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"))


class TransBlockSample(Base):
    """Every sample of a trans block's dataset with its role then."""

    __tablename__ = "trans_block_sample"
    block_id: Mapped[int] = mapped_column(sa.ForeignKey("trans_block.block_id"), primary_key=True)
    sample_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    stat_role: Mapped[str | None] = mapped_column(sa.ForeignKey("sample_role.code"))


class TransResult(Base):
    """One of a feature's top partners in one block, by p (ties by partner feature id)."""

    __tablename__ = "trans_result"
    block_id: Mapped[int] = mapped_column(sa.ForeignKey("trans_block.block_id"), primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    partner_feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    partner_rank: Mapped[int] = mapped_column(sa.Integer, comment="1 for the feature's most significant partner in the block")
    n: Mapped[int] = mapped_column(sa.Integer, comment="tumors with both values")
    rho: Mapped[float] = mapped_column(sa.Double)
    p: Mapped[float] = mapped_column(sa.Double, comment="two-sided, t approximation; 0 where it underflows: log10_p keeps it")
    log10_p: Mapped[float] = mapped_column(sa.Double)
    signed_log10_p: Mapped[float] = mapped_column(sa.Double, comment="sign(rho) x -log10 p")
    q: Mapped[float] = mapped_column(sa.Double, comment="Benjamini-Hochberg over every partner of the feature in the block")


class TransMeta(Base):
    """Meta P (Stouffer from z) of a feature and a partner across the blocks of an omics type: for
    the feature's top partners by Meta P, and for every pair trans_result stores."""

    __tablename__ = "trans_meta"
    omics_type: Mapped[str] = mapped_column(sa.ForeignKey("omics_type.code"), primary_key=True)
    feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    partner_feature_id: Mapped[int] = mapped_column(sa.ForeignKey("feature.feature_id"), primary_key=True)
    meta_rank: Mapped[int | None] = mapped_column(sa.Integer, comment="rank among the feature's top partners by Meta P; NULL when stored only because a block ranked the pair")
    n_cohorts: Mapped[int] = mapped_column(sa.Integer)
    n_agree: Mapped[int] = mapped_column(sa.Integer, comment="cohorts in the majority direction")
    z: Mapped[float | None] = mapped_column(sa.Double, comment="the combined Z in the majority direction")
    p: Mapped[float | None] = mapped_column(sa.Double)
    log10_p: Mapped[float] = mapped_column(sa.Double)
    signed_log10_p: Mapped[float] = mapped_column(sa.Double)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("load_run.run_id"))


TransResult.__table__.primary_key.ddl_if(dialect="postgresql")
TransMeta.__table__.primary_key.ddl_if(dialect="postgresql")

# pheno_result and pheno_meta keep their primary keys on PostgreSQL only, as the tn_ results do.
PhenoResult.__table__.primary_key.ddl_if(dialect="postgresql")
PhenoMeta.__table__.primary_key.ddl_if(dialect="postgresql")

# The derived result tables keep their primary keys on PostgreSQL only (migration 0007): DuckDB
# maintained them row by row at every derive; audit_tn_results reports a duplicate key instead.
for _table in (TnResult, TnBox, TnBoxOutlier):
    _table.__table__.primary_key.ddl_if(dialect="postgresql")

# Lookups of derived results by feature: PostgreSQL's planner needs these indexes; DuckDB finds the
# rows from zone maps, and would maintain each index row by row at every derive (migration 0006).
for _table in (TnResult, TnBox, TnMeta, CisResult, CisMeta, PhenoResult, PhenoMeta, TransResult, TransMeta):
    sa.Index(f"ix_{_table.__tablename__}_feature_id", _table.feature_id).ddl_if(dialect="postgresql")

# Case-insensitive symbol and accession lookups (`upper(symbol) = upper(:symbol)`): expression
# indexes for PostgreSQL's planner. DuckDB scans these small tables in milliseconds and would pay
# for the extra index at every commit that deletes rows.
for _name, _column in (
    ("ix_gene_upper_symbol", Gene.symbol),
    ("ix_gene_symbol_upper_symbol", GeneSymbol.symbol),
    ("ix_gene_xref_upper_accession", GeneXref.accession),
):
    sa.Index(_name, sa.func.upper(_column)).ddl_if(dialect="postgresql")

for _table in Base.metadata.sorted_tables:
    pg_only_foreign_keys(_table)

# Views (gene_summary_current, go_id_primary, measurement, sample_clinical) are created by the
# migrations; see README 'Schema'.
