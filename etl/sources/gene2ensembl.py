"""NCBI Gene `gene2ensembl`: GeneID to Ensembl gene/transcript/protein and matching RefSeq, 7 columns.

Published at https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene2ensembl.gz (format: gene/DATA/README).
One row per RefSeq/Ensembl transcript pair; '-' where a gene has no RNA or protein pair.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources.gene_info import require_digits
from omicskb.etl.textio import Head, iter_rows

SOURCE_KIND = "gene2ensembl"
DESCRIPTION = "an NCBI gene2ensembl table"
LOAD_COMMAND = "omicskb load gene2ensembl"

COLUMNS: tuple[str, ...] = (
    "#tax_id",
    "GeneID",
    "Ensembl_gene_identifier",
    "RNA_nucleotide_accession.version",
    "Ensembl_rna_identifier",
    "protein_accession.version",
    "Ensembl_protein_identifier",
)

_PAR_Y = "_PAR_Y"


@dataclass(frozen=True, slots=True)
class Gene2EnsemblRecord:
    line: int
    tax_id: str
    gene_id: str
    ensembl_gene: str
    ensembl_gene_version: str | None
    refseq_rna: str | None
    ensembl_transcript: str | None
    ensembl_transcript_version: str | None
    refseq_protein: str | None
    ensembl_protein: str | None
    ensembl_protein_version: str | None


def split_version(path: str | Path, lineno: int, value: str, column: int) -> tuple[str, str | None]:
    """'ENST00000263851.9' -> ('ENST00000263851', '9'); unversioned ids get None.

    A '_PAR_Y' suffix stays on the id: 'ENSG00000182378.14_PAR_Y' -> ('ENSG00000182378_PAR_Y', '14').
    """
    suffix = ""
    if value.endswith(_PAR_Y):
        value, suffix = value[: -len(_PAR_Y)], _PAR_Y
    stem, dot, version = value.rpartition(".")
    if not dot:
        return value + suffix, None
    if not stem or not version.isdigit() or not version.isascii():
        raise InputError(path, lineno, f"identifier {value + suffix!r} has a bad version suffix", column=column)
    return stem + suffix, version


def _optional_id(path: str | Path, lineno: int, value: str, column: int) -> tuple[str | None, str | None]:
    if value in ("-", ""):
        return None, None
    return split_version(path, lineno, value, column)


def _refseq(path: str | Path, lineno: int, value: str, column: int) -> str | None:
    """RefSeq accession.version stays whole; it must carry a numeric version."""
    if value in ("-", ""):
        return None
    stem, dot, version = value.rpartition(".")
    if not dot or not stem or not version.isdigit() or not version.isascii():
        raise InputError(path, lineno, f"RefSeq accession {value!r} is not accession.version", column=column)
    return value


def read(path: str | Path) -> Iterator[Gene2EnsemblRecord]:
    """Stream Gene2EnsemblRecords from a gene2ensembl file (plain or gzip)."""
    for lineno, f in iter_rows(path, COLUMNS):
        if f[2] in ("-", ""):
            raise InputError(path, lineno, "missing Ensembl gene identifier", column=3)
        gene, gene_version = split_version(path, lineno, f[2], 3)
        transcript, transcript_version = _optional_id(path, lineno, f[4], 5)
        protein, protein_version = _optional_id(path, lineno, f[6], 7)
        yield Gene2EnsemblRecord(
            line=lineno,
            tax_id=require_digits(path, lineno, f[0], "tax id", 1),
            gene_id=require_digits(path, lineno, f[1], "GeneID", 2),
            ensembl_gene=gene,
            ensembl_gene_version=gene_version,
            refseq_rna=_refseq(path, lineno, f[3], 4),
            ensembl_transcript=transcript,
            ensembl_transcript_version=transcript_version,
            refseq_protein=_refseq(path, lineno, f[5], 6),
            ensembl_protein=protein,
            ensembl_protein_version=protein_version,
        )


def looks_like(head: Head) -> bool:
    """A gene2ensembl file: its header is COLUMNS."""
    return tuple(head.cells(0)) == COLUMNS
