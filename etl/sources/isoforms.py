"""CPTAC / LinkedOmicsKB isoform-selection table: which transcript and protein stand for a gene.

The CPTAC pan-cancer data (https://www.linkedomicskb.org, CPTAC harmonised proteomics) pick one
primary isoform per gene. The exact public header is not available here, so COLUMNS declares the
layout this reader accepts: tab-separated, one row per transcript, versioned GENCODE ids
('ENSG00000104432.14', 'ENST00000263851.9', 'ENSP00000263851.4'), an empty protein for
non-coding transcripts, and yes/no flags. 'gene_name' and 'MANE' are optional; columns are
matched by exact (case-sensitive) name, in any order; an unknown column is an error. A gene may
have at most one primary isoform.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources.gtf import split_ensembl_id
from omicskb.etl.sources.hgnc import resolve_columns
from omicskb.etl.textio import Head, iter_lines

SOURCE_KIND = "isoforms"
DESCRIPTION = "an isoform-selection table"
LOAD_COMMAND = "omicskb load isoforms"

COLUMNS: tuple[str, ...] = ("gene", "gene_name", "transcript", "protein", "Primary_select", "MANE")
REQUIRED: tuple[str, ...] = ("gene", "transcript", "protein", "Primary_select")
OPTIONAL: tuple[str, ...] = ("gene_name", "MANE")

_BOOLEANS: dict[str, bool] = {
    "Yes": True, "No": False,
    "TRUE": True, "FALSE": False,
    "True": True, "False": False,
    "1": True, "0": False,
}
_MISSING = frozenset({"", "-", "NA"})


@dataclass(frozen=True, slots=True)
class IsoformRecord:
    line: int
    gene_id: str
    gene_version: str | None
    gene_name: str | None
    transcript_id: str
    transcript_version: str | None
    protein_id: str | None
    protein_version: str | None
    is_primary: bool
    is_mane: bool | None


def _flag(path: Path, lineno: int, value: str, column_name: str, column: int) -> bool:
    flag = _BOOLEANS.get(value)
    if flag is None:
        raise InputError(path, lineno, f"{column_name} {value!r} is not Yes/No, TRUE/FALSE, True/False or 1/0", column=column)
    return flag


def read(path: str | Path) -> Iterator[IsoformRecord]:
    """Stream IsoformRecords from an isoform-selection TSV (plain or gzip)."""
    path = Path(path)
    lines = iter_lines(path)
    header_lineno, header = next(lines)
    names = header.split("\t")
    pos = resolve_columns(path, header_lineno, names, REQUIRED, OPTIONAL)
    width = len(names)
    i_gene, i_transcript, i_protein, i_primary = (pos[c] for c in REQUIRED)
    i_name = pos.get("gene_name")
    i_mane = pos.get("MANE")
    primary_line: dict[str, int] = {}  # gene_id -> line of its primary isoform

    for lineno, text in lines:
        fields = text.split("\t")
        if len(fields) != width:
            raise InputError(path, lineno, f"expected {width} fields, found {len(fields)}")
        gene_id, gene_version = split_ensembl_id(path, lineno, fields[i_gene], "G", column=i_gene + 1)
        transcript_id, transcript_version = split_ensembl_id(path, lineno, fields[i_transcript], "T", column=i_transcript + 1)
        protein_text = fields[i_protein]
        protein_id: str | None = None
        protein_version: str | None = None
        if protein_text not in _MISSING:
            protein_id, protein_version = split_ensembl_id(path, lineno, protein_text, "P", column=i_protein + 1)
        is_mane: bool | None = None
        if i_mane is not None and fields[i_mane] not in _MISSING:
            is_mane = _flag(path, lineno, fields[i_mane], "MANE", i_mane + 1)
        is_primary = _flag(path, lineno, fields[i_primary], "Primary_select", i_primary + 1)
        if is_primary:
            if gene_id in primary_line:
                raise InputError(path, lineno, f"gene {gene_id!r} has a second primary isoform (first at line {primary_line[gene_id]})", column=i_primary + 1)
            primary_line[gene_id] = lineno
        gene_name = fields[i_name] if i_name is not None else ""
        yield IsoformRecord(
            line=lineno,
            gene_id=gene_id,
            gene_version=gene_version,
            gene_name=None if gene_name in _MISSING else gene_name,
            transcript_id=transcript_id,
            transcript_version=transcript_version,
            protein_id=protein_id,
            protein_version=protein_version,
            is_primary=is_primary,
            is_mane=is_mane,
        )


def looks_like(head: Head) -> bool:
    """An isoform table: its header has the REQUIRED columns and no column outside COLUMNS."""
    header = set(head.cells(0))
    return set(REQUIRED) <= header <= set(COLUMNS)
