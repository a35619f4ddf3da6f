"""HGNC gene table, as a custom download from genenames.org (https://www.genenames.org/download/custom/).

Tab-separated, one header row, one row per HGNC ID (approved and withdrawn entries alike).
Custom downloads let the user choose the columns, so the header is matched by name: the four
REQUIRED columns must be present, every other column must be one of KNOWN_COLUMNS (HGNC-curated
or '(supplied by X)' spelling), and anything else is rejected. Multi-valued cells are
', '-separated (a few alias cells use a bare ',').

Withdrawn entries have Status 'Symbol Withdrawn' (name 'symbol withdrawn, see [HGNC:N](...)',
see `replaced_by`) or 'Entry Withdrawn' (name kept, no cross-references).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.textio import Head, iter_lines

SOURCE_KIND = "hgnc"
DESCRIPTION = "an HGNC gene table"
LOAD_COMMAND = "omicskb load hgnc"

# The 13 columns of the custom download we have (hgnc/hgnc_entries.tsv.gz).
COLUMNS: tuple[str, ...] = (
    "HGNC ID",
    "Approved symbol",
    "Approved name",
    "Status",
    "Alias symbols",
    "NCBI Gene ID(supplied by NCBI)",
    "UniProt ID(supplied by UniProt)",
    "Mouse genome database ID(supplied by MGI)",
    "Rat genome database ID(supplied by RGD)",
    "Previous symbols",
    "Ensembl gene ID",
    "Locus type",
    "Enzyme IDs",
)

REQUIRED: tuple[str, ...] = ("HGNC ID", "Approved symbol", "Approved name", "Status")

# Optional column -> record field. Where HGNC offers a curated and a supplied-by column for the
# same field, the curated one is listed first and wins when both are present and non-empty.
KNOWN_COLUMNS: dict[str, str] = {
    "Alias symbols": "aliases",
    "Previous symbols": "previous_symbols",
    "NCBI Gene ID": "entrez_id",
    "NCBI Gene ID(supplied by NCBI)": "entrez_id",
    "Ensembl gene ID": "ensembl_gene",
    "Ensembl ID(supplied by Ensembl)": "ensembl_gene",
    "Ensembl gene ID(supplied by Ensembl)": "ensembl_gene",
    "UniProt ID": "uniprot_ids",
    "UniProt ID(supplied by UniProt)": "uniprot_ids",
    "Mouse genome database ID": "mgi_ids",
    "Mouse genome database ID(supplied by MGI)": "mgi_ids",
    "Rat genome database ID": "rgd_ids",
    "Rat genome database ID(supplied by RGD)": "rgd_ids",
    "Locus type": "locus_type",
    "Enzyme IDs": "enzyme_ids",
    "Chromosome": "chromosome",
}

STATUSES = frozenset({"Approved", "Symbol Withdrawn", "Entry Withdrawn"})

_UNIPROT = re.compile(r"[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2}")
# EC numbers; a letter may lead a component (preliminary 'n5', and one real '3.4.24.B15').
_ENZYME = re.compile(r"\d+(?:\.(?:-|[A-Za-z]?\d+)){3}")
_SEE_ID = re.compile(r"\[HGNC: ?(\d+)\]")


@dataclass(frozen=True, slots=True)
class HgncRecord:
    line: int
    hgnc_id: str
    symbol: str
    name: str
    status: str
    aliases: tuple[str, ...]
    previous_symbols: tuple[str, ...]
    entrez_id: str | None
    ensembl_gene: str | None
    uniprot_ids: tuple[str, ...]
    mgi_ids: tuple[str, ...]
    rgd_ids: tuple[str, ...]
    locus_type: str | None
    enzyme_ids: tuple[str, ...]
    chromosome: str | None


def resolve_columns(
    path: str | Path,
    lineno: int,
    found: Sequence[str],
    required: Sequence[str],
    known: Sequence[str],
) -> dict[str, int]:
    """Map header names to positions for a file whose columns are chosen by the user.

    Every `required` column must be present, every other one must be in `known`, none twice.
    """
    positions: dict[str, int] = {}
    for index, name in enumerate(found):
        if name in positions:
            raise InputError(path, lineno, f"column {name!r} appears twice in the header", column=index + 1)
        if name not in required and name not in known:
            raise InputError(path, lineno, f"unknown column {name!r} in header", column=index + 1)
        positions[name] = index
    missing = [name for name in required if name not in positions]
    if missing:
        raise InputError(path, lineno, "header lacks required column(s) " + ", ".join(repr(c) for c in missing))
    return positions


def _multi(value: str) -> tuple[str, ...]:
    # ', ' is the rule, but a few alias cells use a bare ',' (e.g. 'HS1-BP3,FLJ14249').
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _check_prefixed(path: Path, lineno: int, values: tuple[str, ...], prefix: str, column: str) -> None:
    for value in values:
        if not value.startswith(prefix) or not value[len(prefix):].isdigit():
            raise InputError(path, lineno, f"{column} {value!r} is not {prefix} followed by digits")


def replaced_by(record: HgncRecord) -> tuple[str, ...]:
    """HGNC IDs a 'Symbol Withdrawn' entry points to, parsed from its name; () otherwise.

    The name reads 'symbol withdrawn, see [HGNC:12469](/data/...)', with several targets joined
    by ', ' and ' and '; one real row writes 'HGNC: 4741' with a space.
    """
    if record.status != "Symbol Withdrawn":
        return ()
    return tuple("HGNC:" + digits for digits in _SEE_ID.findall(record.name))


def read(path: str | Path) -> Iterator[HgncRecord]:
    """Stream HgncRecords from an HGNC custom-download TSV (plain or gzip)."""
    path = Path(path)
    lines = iter_lines(path)
    header_lineno, header = next(lines)
    columns = header.split("\t")
    pos = resolve_columns(path, header_lineno, columns, REQUIRED, tuple(KNOWN_COLUMNS))
    width = len(columns)
    # field -> positions, curated column first
    sources: dict[str, list[int]] = {}
    for name, field in KNOWN_COLUMNS.items():
        if name in pos:
            sources.setdefault(field, []).append(pos[name])
    i_id, i_symbol, i_name, i_status = (pos[c] for c in REQUIRED)

    def get(fields: list[str], field: str) -> str:
        for index in sources.get(field, ()):
            if fields[index]:
                return fields[index]
        return ""

    for lineno, text in lines:
        fields = text.split("\t")
        if len(fields) != width:
            if text == "":
                raise InputError(path, lineno, "blank line")
            raise InputError(path, lineno, f"expected {width} fields, found {len(fields)}")
        hgnc_id = fields[i_id]
        if not hgnc_id.startswith("HGNC:") or not hgnc_id[5:].isdigit():
            raise InputError(path, lineno, f"HGNC ID {hgnc_id!r} is not HGNC: followed by digits", column=i_id + 1)
        symbol = fields[i_symbol]
        if not symbol:
            raise InputError(path, lineno, "empty approved symbol", column=i_symbol + 1)
        status = fields[i_status]
        if status not in STATUSES:
            raise InputError(path, lineno, f"unknown status {status!r}", column=i_status + 1)

        entrez = get(fields, "entrez_id") or None
        if entrez is not None and not entrez.isdigit():
            raise InputError(path, lineno, f"NCBI Gene ID {entrez!r} is not digits")
        ensembl = get(fields, "ensembl_gene") or None
        if ensembl is not None and not (len(ensembl) == 15 and ensembl.startswith("ENSG") and ensembl[4:].isdigit()):
            raise InputError(path, lineno, f"Ensembl gene ID {ensembl!r} is not ENSG followed by 11 digits")
        uniprot = _multi(get(fields, "uniprot_ids"))
        for acc in uniprot:
            if not _UNIPROT.fullmatch(acc):
                raise InputError(path, lineno, f"UniProt ID {acc!r} is not a UniProt accession")
        mgi = _multi(get(fields, "mgi_ids"))
        _check_prefixed(path, lineno, mgi, "MGI:", "mouse genome database ID")
        rgd = _multi(get(fields, "rgd_ids"))
        _check_prefixed(path, lineno, rgd, "RGD:", "rat genome database ID")
        enzymes = _multi(get(fields, "enzyme_ids"))
        for ec in enzymes:
            if not _ENZYME.fullmatch(ec):
                raise InputError(path, lineno, f"enzyme ID {ec!r} is not an EC number")

        yield HgncRecord(
            line=lineno,
            hgnc_id=hgnc_id,
            symbol=symbol,
            name=fields[i_name],
            status=status,
            aliases=_multi(get(fields, "aliases")),
            previous_symbols=_multi(get(fields, "previous_symbols")),
            entrez_id=entrez,
            ensembl_gene=ensembl,
            uniprot_ids=uniprot,
            mgi_ids=mgi,
            rgd_ids=rgd,
            locus_type=get(fields, "locus_type") or None,
            enzyme_ids=enzymes,
            chromosome=get(fields, "chromosome") or None,
        )


def looks_like(head: Head) -> bool:
    """An HGNC custom download: its header has the REQUIRED columns."""
    return set(REQUIRED) <= set(head.cells(0))
