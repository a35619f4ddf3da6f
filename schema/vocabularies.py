"""The controlled vocabularies, stated once.

The migrations fill the lookup tables from these lists (`sync` inserts missing codes and refreshes
descriptions, so it is safe to run again), and the code takes its constants from here:
tests/test_schema.py checks that a migrated database holds exactly these rows.
"""

from __future__ import annotations

from collections.abc import Callable

# code, description
RUN_STATUSES: tuple[tuple[str, str], ...] = (
    ("running", "started and not finished; a run whose process is gone is marked interrupted"),
    ("ok", "written and committed"),
    ("unchanged", "the same content with the same parameters is already current; nothing written"),
    ("failed", "rolled back; message says why"),
    ("refused", "rolled back on purpose: the release would remove more than the shrink limit allows"),
    ("interrupted", "the process ended before the run finished (killed); its transaction was rolled back"),
)

# What a source release holds now.
RELEASE_STATES: tuple[tuple[str, str], ...] = (
    ("current", "its rows are what the database holds for its slot"),
    ("superseded", "a newer release of the same slot replaced it; its rows are kept for rollback in release_archive"),
    ("removed", "rolled back or removed by an undo command; none of its rows remain"),
)

# What happened to an identifier that did not resolve.
IDENTIFIER_DISPOSITIONS: tuple[tuple[str, str], ...] = (
    ("unlinked", "the row is stored, under a feature with no gene"),
    ("dropped", "the row is not stored"),
    ("collapsed", "the row is a duplicate of another row, which is stored instead"),
)

# code, description, feature level
OMICS_TYPES: tuple[tuple[str, str, str], ...] = (
    ("rna", "mRNA expression", "gene"),
    ("protein", "protein abundance", "gene"),
    ("phospho", "phosphosite abundance", "site"),
    ("acetyl", "acetylsite abundance", "site"),
    ("cnv", "copy number", "gene"),
    ("methylation", "DNA methylation (beta)", "gene"),
    ("mirna", "miRNA expression", "gene"),
    ("mutation", "gene-level somatic mutation status", "gene"),
)

# code, description, is_normal
SAMPLE_TYPES: tuple[tuple[str, str, bool], ...] = (
    ("tumor", "primary tumor", False),
    ("adjacent_normal", "normal tissue adjacent to the tumor (NAT)", True),
    ("myometrium_normal", "normal myometrium (UCEC)", True),
    ("enriched_normal", "enriched or pooled normal", True),
    ("blood_normal", "blood-derived normal", True),
    ("other_normal", "another kind of normal sample", True),
    ("other", "neither tumor nor normal (e.g. a reference or cell line)", False),
    ("unknown", "the sample table leaves the type empty; no statistical role", False),
)

SAMPLE_ROLES: tuple[tuple[str, str], ...] = (
    ("tumor", "primary tumor, not excluded and not a replicate"),
    ("normal", "adjacent normal tissue"),
)

CLINICAL_TYPES: tuple[tuple[str, str], ...] = (
    ("CON", "continuous"),
    ("BIN", "binary (two levels)"),
    ("ORD", "ordinal (levels in order, clinical_level.level_order)"),
    ("CAT", "categorical"),
    ("SUR", "survival: value_number = time, event = 0/1"),
    ("TXT", "free text or identifier; not used in statistics"),
)

FEATURE_KINDS: tuple[tuple[str, str], ...] = (
    ("gene", "a gene (linked to gene.gene_id when the id resolves)"),
    ("site", "a PTM site: gene, protein, residue, position, flanking peptide"),
    ("mirna", "a microRNA"),
    ("variant", "a specific mutation (e.g. A1BG_p.E298K)"),
    ("other", "any other feature (e.g. circular RNA)"),
)

# MAF Variant_Classification values; the non-silent ones make a gene "mutated" in a sample.
NONSILENT_VARIANT_CLASSES: tuple[str, ...] = (
    "Frame_Shift_Del", "Frame_Shift_Ins", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation",
    "Nonsense_Mutation", "Nonstop_Mutation", "Splice_Site", "Translation_Start_Site",
)
SILENT_VARIANT_CLASSES: tuple[str, ...] = (
    "Silent", "Intron", "3'UTR", "5'UTR", "3'Flank", "5'Flank", "IGR", "RNA", "Splice_Region",
    "De_novo_Start_InFrame", "De_novo_Start_OutOfFrame", "Start_Codon_SNP", "Start_Codon_Del",
    "Start_Codon_Ins", "Stop_Codon_Del", "Stop_Codon_Ins", "Targeted_Region", "lincRNA", "Unknown",
)

# The ten CPTAC pan-cancer cohorts, installed by `omicskb init`: code, name, other codes releases use.
CPTAC_COHORTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("BRCA", "Breast invasive carcinoma", ()),
    ("CCRCC", "Clear cell renal cell carcinoma", ("ccRCC",)),
    ("COAD", "Colon adenocarcinoma", ()),
    ("GBM", "Glioblastoma", ()),
    ("HNSCC", "Head and neck squamous cell carcinoma", ()),
    ("LSCC", "Lung squamous cell carcinoma", ()),
    ("LUAD", "Lung adenocarcinoma", ()),
    ("OV", "Ovarian serous cystadenocarcinoma", ("HGSC",)),
    ("PDAC", "Pancreatic ductal adenocarcinoma", ()),
    ("UCEC", "Uterine corpus endometrial carcinoma", ()),
)


def codes(vocabulary: tuple[tuple, ...]) -> tuple[str, ...]:
    return tuple(row[0] for row in vocabulary)


# lookup table -> (its columns, its rows)
LOOKUPS: dict[str, tuple[tuple[str, ...], Callable[[], list[tuple]]]] = {
    "run_status": (("code", "description"), lambda: list(RUN_STATUSES)),
    "release_state": (("code", "description"), lambda: list(RELEASE_STATES)),
    "identifier_disposition": (("code", "description"), lambda: list(IDENTIFIER_DISPOSITIONS)),
    "omics_type": (("code", "description", "feature_level"), lambda: list(OMICS_TYPES)),
    "sample_type": (("code", "description", "is_normal"), lambda: list(SAMPLE_TYPES)),
    "sample_role": (("code", "description"), lambda: list(SAMPLE_ROLES)),
    "clinical_type": (("code", "description"), lambda: list(CLINICAL_TYPES)),
    "feature_kind": (("code", "description"), lambda: list(FEATURE_KINDS)),
    "variant_class": (
        ("code", "is_nonsilent", "description"),
        lambda: [(c, True, None) for c in NONSILENT_VARIANT_CLASSES] + [(c, False, None) for c in SILENT_VARIANT_CLASSES],
    ),
}


def sync(op, tables: tuple[str, ...] | None = None) -> None:
    """Insert the codes a lookup table lacks and refresh the other columns of those it has.

    `op` is Alembic's operations object; codes added by data (e.g. a new variant class seen in a
    MAF) are left alone."""
    import sqlalchemy as sa

    conn = op.get_bind()
    for table in tables or tuple(LOOKUPS):
        columns, rows = LOOKUPS[table]
        present = {r[0] for r in conn.execute(sa.text(f"SELECT {columns[0]} FROM {table}"))}
        target = sa.table(table, *(sa.column(c) for c in columns))
        for row in rows():
            values = dict(zip(columns, row))
            if row[0] in present:
                op.execute(target.update().where(target.c[columns[0]] == row[0]).values({c: values[c] for c in columns[1:]}))
            else:
                op.execute(target.insert().values(values))
