"""NCBI Gene `gene2go`: GO annotations keyed by NCBI GeneID, 8 tab-separated columns.

Published at https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene2go.gz (format: gene/DATA/README).
Missing values are '-'; PubMed ids are '|'-separated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.sources.gene_info import require_digits, split_multi
from omicskb.etl.textio import Head, iter_rows, none_if_dash

SOURCE_KIND = "gene2go"
DESCRIPTION = "an NCBI gene2go table"
LOAD_COMMAND = "omicskb load gene2go"

COLUMNS: tuple[str, ...] = ("#tax_id", "GeneID", "GO_ID", "Evidence", "Qualifier", "GO_term", "PubMed", "Category")

NAMESPACES: dict[str, str] = {
    "Process": "biological_process",
    "Component": "cellular_component",
    "Function": "molecular_function",
}

# GO evidence codes (https://geneontology.org/docs/guide-go-evidence-codes/).
EVIDENCE_CODES: frozenset[str] = frozenset(
    "EXP IDA IPI IMP IGI IEP HTP HDA HMP HGI HEP IBA IBD IKR IRD ISS ISO ISA ISM IGC RCA TAS NAS IC ND IEA".split()
)


@dataclass(frozen=True, slots=True)
class Gene2GoRecord:
    line: int
    tax_id: str
    gene_id: str
    go_id: str
    evidence: str | None
    qualifier: str | None
    is_not: bool
    go_term: str
    pubmed: tuple[str, ...]
    namespace: str


def check_go_id(path: str | Path, lineno: int, value: str, column: int) -> str:
    """Raise unless value is 'GO:' followed by 7 ASCII digits."""
    tail = value[3:]
    if not (len(value) == 10 and value.startswith("GO:") and tail.isdigit() and tail.isascii()):
        raise InputError(path, lineno, f"GO id {value!r} is not GO: followed by 7 digits", column=column)
    return value


def read(path: str | Path) -> Iterator[Gene2GoRecord]:
    """Stream Gene2GoRecords from a gene2go file (plain or gzip)."""
    for lineno, f in iter_rows(path, COLUMNS):
        evidence = none_if_dash(f[3])
        if evidence is not None and evidence not in EVIDENCE_CODES:
            raise InputError(path, lineno, f"unknown evidence code {evidence!r}", column=4)
        qualifier = none_if_dash(f[4])
        go_term = f[5]
        if go_term in ("-", ""):
            raise InputError(path, lineno, "missing GO term name", column=6)
        pubmed = split_multi(f[6])
        for pmid in pubmed:
            if not pmid.isdigit() or not pmid.isascii():
                raise InputError(path, lineno, f"PubMed id {pmid!r} is not a number", column=7)
        namespace = NAMESPACES.get(f[7])
        if namespace is None:
            raise InputError(path, lineno, f"unknown category {f[7]!r} (expected Process, Component or Function)", column=8)
        yield Gene2GoRecord(
            line=lineno,
            tax_id=require_digits(path, lineno, f[0], "tax id", 1),
            gene_id=require_digits(path, lineno, f[1], "GeneID", 2),
            go_id=check_go_id(path, lineno, f[2], 3),
            evidence=evidence,
            qualifier=qualifier,
            is_not=qualifier is not None and qualifier.startswith("NOT"),
            go_term=go_term,
            pubmed=pubmed,
            namespace=namespace,
        )


def looks_like(head: Head) -> bool:
    """A gene2go file: its header is COLUMNS."""
    return tuple(head.cells(0)) == COLUMNS
