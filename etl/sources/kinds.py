"""What kind of source file is this? Guessed from its first lines, so a loader can refuse a file of
another kind before reading it (a matrix given to `load samples`, gene2go given to `load gene-info`).

Every reader module declares its kind: `SOURCE_KIND` (the schema's `source_kind` code), a
`DESCRIPTION`, the `LOAD_COMMAND` that loads it, and `looks_like(head) -> bool` on the file's first
lines (`textio.read_head`: at most HEAD_LINES lines or about 2 MB, gzip read transparently). Modules
that hold two kinds declare the second with a suffix (`pancan_meta`: `..._SURVIVAL`; `gct`:
`..._ANNOTATIONS`, the same file read for its column annotations).

`sniff(path)` lists the kinds a file looks like, best first: KINDS is in that order, the specific
ones first (GCT, pan-cancer meta and survival, cptac 2019 clinical, MAF, .tsi, matrix, then the
annotation tables, which have exact headers and exclude each other). Most files match one kind; a
GCT file matches `gct` and `gct_annotations`.

`check_kind(path, source_kind)` raises InputError at line 1 when the file looks like another known
kind and not like `source_kind`, naming the kind it looks like and the command that loads it. A file
that looks like nothing known passes: the reader's own strict header checks judge it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources import (
    categories,
    cohorts,
    cptac2019_clinical,
    gaf,
    gct,
    gene2ensembl,
    gene2go,
    gene_info,
    gene_orthologs,
    go_obo,
    gtf,
    hcop,
    hgnc,
    isoforms,
    maf,
    matrix,
    pancan_meta,
    species_genes,
    summaries,
    tsi,
)
from omicskb.etl.textio import Head, read_head


@dataclasses.dataclass(frozen=True)
class Kind:
    code: str  # source_kind
    description: str
    command: str
    looks_like: Callable[[Head], bool]


def _kind(module) -> Kind:
    return Kind(module.SOURCE_KIND, module.DESCRIPTION, module.LOAD_COMMAND, module.looks_like)


# Best first (see the module docstring).
KINDS: tuple[Kind, ...] = (
    _kind(gct),
    Kind(gct.SOURCE_KIND_ANNOTATIONS, gct.DESCRIPTION_ANNOTATIONS, gct.LOAD_COMMAND_ANNOTATIONS, gct.looks_like),
    _kind(pancan_meta),
    Kind(pancan_meta.SOURCE_KIND_SURVIVAL, pancan_meta.DESCRIPTION_SURVIVAL, pancan_meta.LOAD_COMMAND_SURVIVAL, pancan_meta.looks_like_survival),
    _kind(cptac2019_clinical),
    _kind(maf),
    _kind(tsi),
    _kind(matrix),
    _kind(gene_info),
    _kind(gene2go),
    _kind(gene2ensembl),
    _kind(gene_orthologs),
    _kind(go_obo),
    _kind(gaf),
    _kind(hgnc),
    _kind(species_genes),
    _kind(hcop),
    _kind(summaries),
    _kind(gtf),
    _kind(isoforms),
    _kind(categories),
    _kind(cohorts),
)
BY_CODE: dict[str, Kind] = {kind.code: kind for kind in KINDS}


def sniff_head(head: Head) -> list[str]:
    """The kinds whose `looks_like` accepts these first lines, best first."""
    return [kind.code for kind in KINDS if kind.looks_like(head)]


def sniff(path: str | Path) -> list[str]:
    """The source kinds a file looks like, best first; [] when it looks like none.

    Raises InputError only for a missing or empty file."""
    return sniff_head(read_head(path))


def check_kind(path: str | Path, source_kind: str) -> None:
    """Raise InputError when the file looks like another known kind and not like `source_kind`.

    The message names the file, line 1, the kind the file looks like, the kind wanted and the
    command(s) that load it, e.g. `CNA.cct.gz:1: this looks like a feature x sample matrix (.cct/.cbt,
    idx table), not a LinkedOmics .tsi sample table: load it with 'omicskb load matrix'`.
    Raises ValueError for an unknown `source_kind` (a programming error)."""
    if source_kind not in BY_CODE:
        raise ValueError(f"unknown source kind {source_kind!r} (one of {', '.join(BY_CODE)})")
    head = read_head(path)
    found = sniff_head(head)
    if not found or source_kind in found:
        return
    best = BY_CODE[found[0]]
    commands = list(dict.fromkeys(BY_CODE[code].command for code in found))
    reason = ""
    if best.code == matrix.SOURCE_KIND:
        evidence = matrix.matrix_evidence(head.cells(0), head.rows(1), head.path.name)
        reason = f" ({evidence})" if evidence else ""
    load = f"'{commands[0]}'" + "".join(f" or '{c}'" for c in commands[1:])
    raise InputError(path, 1, f"this looks like {best.description}, not {BY_CODE[source_kind].description}{reason}: load it with {load}")
