"""Post-translational modification (PTM) site identifiers: the row ids of phospho-/acetyl-site matrices.

Two layouts occur:
- cptac 2019 releases (e.g. UCEC `phosphoproteomics_site.cct`, `acetylproteomics.cct`):
  `SYMBOL-S123`. Symbols may themselves contain '-' (`HLA-DRA-K100`, `ANKHD1-EIF4EBP3-S2539`),
  so the id is split on the LAST '-'. Every UCEC id has exactly one site (S/T/Y in the phospho
  file, K in the acetyl file); multi-site ids (`AAAS-S495S501`) are accepted as well.
- CPTAC pan-cancer data freeze v1.2: five '|'-separated fields
  `ENSG00000048028.11|ENSP00000003302.4|S1053|PPTIRPNSPYDLCSR|1` = gene (GENCODE v34, with version,
  sometimes `_PAR_Y` after it) | protein | site(s) | flanking peptide | flag. The site field may list
  several sites of one peptide (`S1053S1057`, `S10s12`); the release also has rows that repeat
  (gene, protein, site) with another peptide: `collapse_duplicate_sites` keeps one of each.

Residue letters are kept as written (lowercase is what some pipelines use for a site whose
localisation is ambiguous). Parsers raise ValueError with a reason; the loader records the id as
unresolved instead of stopping. Not a reader (no SOURCE_KIND): the matrix readers give the ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# One-letter amino-acid codes (either case): the residue of a site.
_SITE = re.compile(r"([ACDEFGHIKLMNPQRSTVWYacdefghiklmnpqrstvwy])([0-9]+)")
_SITES = re.compile(r"(?:[ACDEFGHIKLMNPQRSTVWYacdefghiklmnpqrstvwy][0-9]+)+")
_ENSG = re.compile(r"ENSG[0-9]{11}\.[0-9]+(?:_PAR_Y)?")
_ENSP = re.compile(r"ENSP[0-9]{11}\.[0-9]+(?:_PAR_Y)?")
_NO_SPACE = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class SiteId:
    gene: str  # symbol (cptac 2019) or ENSG.version[_PAR_Y] (pan-cancer), as given
    protein: str | None  # ENSP.version (pan-cancer only)
    residue: str  # one letter: S, T, Y, K, ...
    position: int  # 1-based position in the protein
    flanking: str | None = None  # the motif peptide (pan-cancer 4th field)
    flag: str | None = None  # the pan-cancer 5th field, as written
    multi: tuple[tuple[str, int], ...] = ()  # further sites of a multi-site id, in id order


def parse_sites(text: str) -> tuple[tuple[str, int], ...]:
    """'S495' -> (('S', 495),); 'S495s501' -> (('S', 495), ('s', 501)). Raises ValueError."""
    if not text:
        raise ValueError("empty site")
    if not _SITES.fullmatch(text):
        raise ValueError(f"site {text!r} is not a residue letter followed by a position (e.g. S123, S12T15)")
    sites = tuple((letter, int(digits)) for letter, digits in _SITE.findall(text))
    for letter, position in sites:
        if position == 0:
            raise ValueError(f"site {text!r} has position 0 (positions are 1-based)")
    return sites


def _check_outer(raw: str) -> None:
    if not raw:
        raise ValueError("empty site id")
    if raw != raw.strip():
        raise ValueError(f"site id {raw!r} has leading or trailing whitespace")


def parse_symbol_site(raw: str) -> SiteId:
    """cptac 2019 `SYMBOL-S123` (also `SYMBOL-S12S15`); split on the last '-'. Raises ValueError."""
    _check_outer(raw)
    if "|" in raw:
        raise ValueError(f"site id {raw!r} contains '|' (a pan-cancer five-field id?), expected SYMBOL-S123")
    gene, sep, site = raw.rpartition("-")
    if not sep:
        raise ValueError(f"site id {raw!r} has no '-' between gene symbol and site")
    if not gene:
        raise ValueError(f"site id {raw!r} has no gene symbol before the '-'")
    if not _NO_SPACE.fullmatch(gene):
        raise ValueError(f"gene symbol {gene!r} of site id {raw!r} contains whitespace")
    try:
        sites = parse_sites(site)
    except ValueError as exc:
        raise ValueError(f"site id {raw!r}: {exc}") from None
    (residue, position), *more = sites
    return SiteId(gene=gene, protein=None, residue=residue, position=position, multi=tuple(more))


def parse_pancan_site(raw: str) -> SiteId:
    """Pan-cancer `ENSG.v|ENSP.v|S1053|PEPTIDE|flag`. Raises ValueError."""
    _check_outer(raw)
    fields = raw.split("|")
    if len(fields) != 5:
        raise ValueError(f"site id {raw!r} has {len(fields)} '|'-separated fields, expected 5 (gene|protein|site|peptide|flag)")
    gene, protein, site, flanking, flag = fields
    if not _ENSG.fullmatch(gene):
        raise ValueError(f"site id {raw!r}: gene {gene!r} is not ENSG<11 digits>.<version>[_PAR_Y]")
    if not _ENSP.fullmatch(protein):
        raise ValueError(f"site id {raw!r}: protein {protein!r} is not ENSP<11 digits>.<version>")
    try:
        sites = parse_sites(site)
    except ValueError as exc:
        raise ValueError(f"site id {raw!r}: {exc}") from None
    for name, value in (("peptide", flanking), ("flag", flag)):
        if value and not _NO_SPACE.fullmatch(value):
            raise ValueError(f"site id {raw!r}: {name} {value!r} contains whitespace")
    (residue, position), *more = sites
    return SiteId(
        gene=gene,
        protein=protein,
        residue=residue,
        position=position,
        flanking=flanking or None,
        flag=flag or None,
        multi=tuple(more),
    )


def site_key(site: SiteId) -> tuple[str, str, str, int, tuple[tuple[str, int], ...]]:
    """(gene, protein or '', residue, position, further sites): rows with equal keys are duplicates.

    The further sites are part of the key, so a doubly modified peptide (`S10S12`) is not taken for
    a duplicate of the single site `S10`; peptide and flag are not, so rows that differ only there
    (the pan-cancer release's duplicate (gene, protein, site) rows) are.
    """
    return (site.gene, site.protein or "", site.residue, site.position, site.multi)


def collapse_duplicate_sites(
    ids: Sequence[str],
    values: np.ndarray,
    parse: Callable[[str], SiteId],
) -> tuple[list[int], list[tuple[int, int, str]], list[tuple[int, str]]]:
    """Choose one row per site among the rows of a site matrix (row i = ids[i], values[i]).

    Among rows with the same site_key, keeps the one with the most non-missing (non-NaN) values;
    ties go to the first in file order. Returns
      keep_index: rows kept, ascending;
      collapsed: (dropped row, kept row, reason) for every other row of a duplicated site, by dropped row;
      unparsed: (row, reason) for ids that `parse` rejects (neither kept nor collapsed).
    Rows are 0-based indices into `ids`.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] != len(ids):
        raise ValueError(f"values has shape {values.shape}, expected ({len(ids)}, samples)")
    present = np.count_nonzero(~np.isnan(values), axis=1)
    groups: dict[tuple[str, str, str, int, tuple[tuple[str, int], ...]], list[int]] = {}
    unparsed: list[tuple[int, str]] = []
    for row, raw in enumerate(ids):
        try:
            key = site_key(parse(raw))
        except ValueError as exc:
            unparsed.append((row, str(exc)))
            continue
        groups.setdefault(key, []).append(row)
    keep: list[int] = []
    collapsed: list[tuple[int, int, str]] = []
    for rows in groups.values():
        # max() returns the first of equal maxima, and rows are in file order: ties -> the first row.
        kept = max(rows, key=lambda r: present[r])
        keep.append(kept)
        for row in rows:
            if row == kept:
                continue
            how = "tie, kept the first in file order" if present[row] == present[kept] else "kept the row with more values"
            collapsed.append(
                (row, kept, f"same (gene, protein, site) as {ids[kept]!r}: {present[row]} non-missing values vs {present[kept]} ({how})")
            )
    keep.sort()
    collapsed.sort()
    return keep, collapsed, unparsed
