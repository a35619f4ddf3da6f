"""Mutation Annotation Format (MAF), e.g. the GDC/VEP `somatic.maf.gz` of the cptac 2019 UCEC release.

One row per somatic variant call, tab-separated, after optional `#version 2.4`-style comment lines
and a header naming the columns. Column order varies between MAF producers, so every column is
found by NAME in the header; only the columns in COLUMNS are read (a GDC MAF has 124 or more).

Real-file quirk: the UCEC MAF's header names 124 columns, but every data row has 113 fields (the 11
trailing `ExAC_*` columns are omitted) and lines end in CRLF. So a row may be shorter than the header
as long as every row has the same width as the first data row and that width reaches every column
read here; anything else is a ragged row.

Variant_Classification values outside ALL_CLASSES are returned as written (not an error): the
loader adds them to its lookup. `Entrez_Gene_Id` is `0` on every row of the UCEC MAF (-> None).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.textio import Head, iter_lines
from omicskb.schema import vocabularies

SOURCE_KIND = "maf"
DESCRIPTION = "a MAF mutation table"
LOAD_COMMAND = "omicskb load maf"

REQUIRED_COLUMNS: tuple[str, ...] = (
    "Hugo_Symbol",
    "Entrez_Gene_Id",
    "Chromosome",
    "Start_Position",
    "End_Position",
    "Variant_Classification",
    "Variant_Type",
    "Reference_Allele",
    "Tumor_Seq_Allele2",
    "Tumor_Sample_Barcode",
)

# Read when present; None on every record when the header lacks them.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "Tumor_Seq_Allele1",
    "HGVSc",
    "HGVSp_Short",
    "Transcript_ID",
    "t_depth",
    "t_alt_count",
    "Gene",
    "Matched_Norm_Sample_Barcode",
)

COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# The Variant_Classification values that change the protein (the usual "non-silent" set, as used
# e.g. by maftools and the TCGA MAF specification), and every value the MAF specification (TCGA 2.4
# and GDC) lists: stated once in schema/vocabularies.py.
NONSILENT_CLASSES: frozenset[str] = frozenset(vocabularies.NONSILENT_VARIANT_CLASSES)
ALL_CLASSES: frozenset[str] = NONSILENT_CLASSES | frozenset(vocabularies.SILENT_VARIANT_CLASSES)

# Markers of an empty optional cell. '-' is NOT one of them: in allele columns it means "no bases".
_EMPTY = frozenset({"", "."})


@dataclass(frozen=True, slots=True)
class MafRecord:
    line: int
    hugo_symbol: str
    entrez_gene_id: str | None  # '0' (GDC's "unknown") and '' -> None
    ensembl_gene: str | None  # column `Gene` (GDC/VEP MAFs)
    chromosome: str
    start: int
    end: int
    variant_classification: str
    variant_type: str
    reference_allele: str
    tumor_allele: str  # Tumor_Seq_Allele2
    tumor_sample_barcode: str
    hgvsc: str | None
    hgvsp_short: str | None
    transcript_id: str | None
    t_depth: int | None
    t_alt_count: int | None
    tumor_seq_allele1: str | None = None
    matched_norm_sample_barcode: str | None = None


def _header(path: Path, lineno: int, cells: list[str]) -> dict[str, int]:
    """Map each column read to its 0-based index; raise for a missing required or a repeated column."""
    index: dict[str, int] = {}
    for i, name in enumerate(cells):
        if name in COLUMNS:
            if name in index:
                raise InputError(path, lineno, f"column {name!r} appears twice (columns {index[name] + 1} and {i + 1})", column=i + 1)
            index[name] = i
    missing = [name for name in REQUIRED_COLUMNS if name not in index]
    if missing:
        raise InputError(path, lineno, "missing required MAF column" + ("s " if len(missing) > 1 else " ") + ", ".join(repr(c) for c in missing))
    return index


def _int(path: Path, lineno: int, value: str, name: str, column: int) -> int:
    # isdigit() alone accepts '²' and other Unicode digits; MAF positions and counts are ASCII.
    if not value.isascii() or not value.isdigit():
        raise InputError(path, lineno, f"{name} {value!r} is not a whole number", column=column)
    return int(value)


_TCGA = re.compile(r"^TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}")
_TUMOR_SUFFIXES = ("_Tumor", "-Tumor", "_T", "-T")


def tumor_barcode_to_participant(barcode: str) -> str:
    """The participant (case) id of a tumour sample barcode.

    `C3L-00006_T` -> `C3L-00006` (a trailing `_T`, `-T`, `_Tumor` or `-Tumor` is removed);
    TCGA barcodes `TCGA-AB-1234-01A-11D-...` -> their first 12 characters `TCGA-AB-1234`;
    anything else is returned unchanged. In the cptac 2019 UCEC release, the participant id is the
    clinical table's `Proteomics_Participant_ID`, which maps it to the matrices' `S###` sample id;
    the loader does that mapping. Raises ValueError for an empty barcode.
    """
    barcode = barcode.strip()
    if not barcode:
        raise ValueError("empty tumor sample barcode")
    if _TCGA.match(barcode):
        return barcode[:12]
    for suffix in _TUMOR_SUFFIXES:
        if barcode.endswith(suffix) and len(barcode) > len(suffix):
            return barcode[: -len(suffix)]
    return barcode


def read(path: str | Path) -> Iterator[MafRecord]:
    """Stream MafRecords from a MAF (plain or gzip). Raises InputError naming file:line[:column]."""
    path = Path(path)
    lines = iter_lines(path)
    index: dict[str, int] | None = None
    header_line = 0
    header_width = 0
    width = 0  # fields per data row, fixed by the first data row (see the module docstring)
    width_line = 0
    needed = 0  # a row must have at least this many fields to reach every column read
    for lineno, line in lines:
        if index is None:
            # Comment lines (`#version 2.4`, `#tumor.aliquots...`) come before the header only.
            if line.startswith("#"):
                continue
            cells = line.split("\t")
            index = _header(path, lineno, cells)
            header_line, header_width = lineno, len(cells)
            needed = max(index.values()) + 1
            continue
        fields = line.split("\t")
        if not width:
            width, width_line = len(fields), lineno
            if width > header_width:
                raise InputError(path, lineno, f"ragged row: {width} fields, but the header (line {header_line}) names {header_width} columns")
            if width < needed:
                short = min((i, name) for name, i in index.items() if i >= width)
                raise InputError(path, lineno, f"ragged row: {width} fields, too few to reach column {short[1]!r} (column {short[0] + 1} of the header)")
        elif len(fields) != width:
            raise InputError(path, lineno, f"ragged row: expected {width} fields like line {width_line}, found {len(fields)}")
        yield _record(path, lineno, fields, index)
    if index is None:
        raise InputError(path, None, "no MAF header (only comment lines)")


def _record(path: Path, lineno: int, f: list[str], index: dict[str, int]) -> MafRecord:
    def required(name: str) -> str:
        value = f[index[name]]
        if value in _EMPTY:
            raise InputError(path, lineno, f"empty {name}", column=index[name] + 1)
        return value

    def optional(name: str) -> str | None:
        i = index.get(name)
        if i is None:
            return None
        value = f[i]
        return None if value in _EMPTY else value

    def optional_int(name: str) -> int | None:
        value = optional(name)
        return None if value is None else _int(path, lineno, value, name, index[name] + 1)

    start = _int(path, lineno, f[index["Start_Position"]], "Start_Position", index["Start_Position"] + 1)
    end = _int(path, lineno, f[index["End_Position"]], "End_Position", index["End_Position"] + 1)
    if start < 1:
        raise InputError(path, lineno, f"Start_Position {start} is not a 1-based position", column=index["Start_Position"] + 1)
    # The MAF specification: End_Position >= Start_Position (an insertion spans the 2 flanking bases).
    if end < start:
        raise InputError(path, lineno, f"End_Position {end} is before Start_Position {start}", column=index["End_Position"] + 1)
    entrez = f[index["Entrez_Gene_Id"]]
    if entrez in _EMPTY or entrez == "0":
        entrez_id: str | None = None
    else:
        _int(path, lineno, entrez, "Entrez_Gene_Id", index["Entrez_Gene_Id"] + 1)  # validate; kept as text
        entrez_id = entrez
    return MafRecord(
        line=lineno,
        hugo_symbol=required("Hugo_Symbol"),
        entrez_gene_id=entrez_id,
        ensembl_gene=optional("Gene"),
        chromosome=required("Chromosome"),
        start=start,
        end=end,
        variant_classification=required("Variant_Classification"),
        variant_type=required("Variant_Type"),
        reference_allele=required("Reference_Allele"),
        tumor_allele=required("Tumor_Seq_Allele2"),
        tumor_sample_barcode=required("Tumor_Sample_Barcode"),
        hgvsc=optional("HGVSc"),
        hgvsp_short=optional("HGVSp_Short"),
        transcript_id=optional("Transcript_ID"),
        t_depth=optional_int("t_depth"),
        t_alt_count=optional_int("t_alt_count"),
        tumor_seq_allele1=optional("Tumor_Seq_Allele1"),
        matched_norm_sample_barcode=optional("Matched_Norm_Sample_Barcode"),
    )


def looks_like(head: Head) -> bool:
    """A MAF: its first line that is not a `#` comment names Hugo_Symbol, Variant_Classification
    and Tumor_Sample_Barcode."""
    first = head.first_line_not_starting("#")
    return first is not None and {"Hugo_Symbol", "Variant_Classification", "Tumor_Sample_Barcode"} <= set(head.cells(first))
