"""Gene Ontology loaders: the OBO ontology (terms, alt ids, edges, closure) and gene annotations."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from omicskb.etl.db import upsert_lookup
from omicskb.etl.errors import InputError
from omicskb.etl.loaders import Columns, replace_many, replace_rows, taxa_scope
from omicskb.etl.releases import slot_for
from omicskb.etl.resolve import GeneIndex
from omicskb.etl.runs import LoadContext
from omicskb.etl.sources import gaf, gene2go, go_obo

# Annotations propagate up these relations; the closure table follows them only.
PROPAGATING_RELATIONS = ("is_a", "part_of")
_DATE_IN_VERSION = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def load_go_obo(ctx: LoadContext) -> None:
    header = go_obo.read_header(ctx.path)
    terms = Columns("go_id", "name", "namespace", "definition", "comment", "is_obsolete")
    alt_ids = Columns("alt_id", "go_id")
    successors = Columns("go_id", "kind", "target_id")
    relations = Columns("go_id", "relation", "parent_id")
    relation_types: set[str] = set()
    alt_seen: dict[str, str] = {}
    for rec in go_obo.read(ctx.path):
        if isinstance(rec, go_obo.TypedefRecord):
            relation_types.add(rec.id)
            continue
        ctx.rows_read += 1
        terms.add(go_id=rec.go_id, name=rec.name, namespace=rec.namespace, definition=rec.definition, comment=rec.comment, is_obsolete=rec.is_obsolete)
        for alt in rec.alt_ids:
            if alt in alt_seen:
                raise InputError(ctx.path, rec.line, f"alt_id {alt} of {rec.go_id} is already an alt_id of {alt_seen[alt]}")
            alt_seen[alt] = rec.go_id
            alt_ids.add(alt_id=alt, go_id=rec.go_id)
        for kind, targets in (("replaced_by", rec.replaced_by), ("consider", rec.consider)):
            for target in dict.fromkeys(targets):
                successors.add(go_id=rec.go_id, kind=kind, target_id=target)
        edges = {("is_a", parent) for parent in rec.is_a} | set(rec.relationships)
        for relation, parent in sorted(edges):
            relations.add(go_id=rec.go_id, relation=relation, parent_id=parent)
            relation_types.add(relation)
        if ctx.rows_read % 10000 == 0:
            ctx.progress(f"{ctx.rows_read:,} GO terms read")
    primary = set(terms.data["go_id"])
    clash = primary.intersection(alt_seen)
    if clash:
        alt = min(clash)
        raise InputError(ctx.path, None, f"{alt} is both a term id and an alt_id of {alt_seen[alt]}")
    upsert_lookup(ctx.conn, "go_relation_type", relation_types)
    ctx.progress("computing the is_a/part_of closure")
    closure = transitive_closure(relations)
    # The ontology is replaced whole; replace_many deletes dependants first for PostgreSQL's foreign keys.
    replace_many(ctx, [
        ("go_term", terms, "1 = 1", {}),
        ("go_alt_id", alt_ids, "1 = 1", {}),
        ("go_successor", successors, "1 = 1", {}),
        ("go_relation", relations, "1 = 1", {}),
        ("go_closure", closure, "1 = 1", {}),
    ])
    date = header.date
    if date is None and header.data_version and (match := _DATE_IN_VERSION.search(header.data_version)):
        date = datetime.date(*map(int, match.groups()))
    ctx.set_release(version=header.data_version, date=date)


def transitive_closure(relations: Columns) -> Columns:
    """(term, ancestor, fewest edges) over is_a/part_of, self pairs included (distance 0)."""
    parents: dict[str, list[str]] = defaultdict(list)
    terms: set[str] = set()
    for go_id, relation, parent in zip(relations.data["go_id"], relations.data["relation"], relations.data["parent_id"]):
        terms.add(go_id)
        terms.add(parent)
        if relation in PROPAGATING_RELATIONS:
            parents[go_id].append(parent)
    ancestors: dict[str, dict[str, int]] = {}

    def up(term: str) -> dict[str, int]:
        # Iterative depth-first walk: GO is deep enough that recursion could hit Python's limit.
        stack = [(term, iter(parents.get(term, ())))]
        on_path = {term}
        while stack:
            node, pending = stack[-1]
            advanced = False
            for parent in pending:
                if parent in ancestors:
                    continue
                if parent in on_path:
                    raise ValueError(f"cycle in is_a/part_of through {parent}")
                stack.append((parent, iter(parents.get(parent, ()))))
                on_path.add(parent)
                advanced = True
                break
            if advanced:
                continue
            stack.pop()
            on_path.discard(node)
            merged = {node: 0}
            for parent in parents.get(node, ()):
                for ancestor, distance in ancestors[parent].items():
                    if distance + 1 < merged.get(ancestor, 1 << 30):
                        merged[ancestor] = distance + 1
            ancestors[node] = merged
        return ancestors[term]

    out = Columns("go_id", "ancestor_id", "distance")
    for term in sorted(terms):
        for ancestor, distance in up(term).items():
            out.add(go_id=term, ancestor_id=ancestor, distance=distance)
    return out


ANNOTATION_COLUMNS = (
    "gene_id", "go_id", "qualifier", "is_not", "evidence_code", "namespace", "go_term_as_given",
    "reference_ids", "with_from", "db_object_id", "assigned_by", "annotation_date", "source_kind",
)


def _replace_annotations(ctx: LoadContext, rows: Columns, taxa: set[str]) -> None:
    ctx.set_slot(slot_for(ctx.source_kind, taxa))
    upsert_lookup(ctx.conn, "evidence_code", rows.data["evidence_code"])
    replace_rows(ctx, "gene_go_annotation", rows, f"source_kind = :kind AND {taxa_scope()}", {"kind": ctx.source_kind, "taxa": taxa})


def load_gene2go(ctx: LoadContext) -> None:
    """NCBI gene2go: rows for genes not in the gene table are recorded as unresolved."""
    index = GeneIndex(ctx.conn)
    rows = Columns(*ANNOTATION_COLUMNS)
    taxa: set[str] = set()
    for rec in gene2go.read(ctx.path):
        ctx.rows_read += 1
        taxa.add(rec.tax_id)
        if rec.gene_id not in index:
            ctx.reject(rec.line, rec.gene_id, "GeneID", "GeneID not in gene table")
            continue
        rows.add(
            gene_id=rec.gene_id, go_id=rec.go_id, qualifier=rec.qualifier, is_not=rec.is_not, evidence_code=rec.evidence,
            namespace=rec.namespace, go_term_as_given=rec.go_term, reference_ids="|".join(f"PMID:{p}" for p in rec.pubmed) or None,
            with_from=None, db_object_id=None, assigned_by=None, annotation_date=None, source_kind=ctx.source_kind,
        )
        if ctx.rows_read % 100000 == 0:
            ctx.progress(f"{ctx.rows_read:,} gene2go rows read")
    _replace_annotations(ctx, rows, taxa)


def load_gaf(ctx: LoadContext) -> None:
    """A GAF: the annotated object (a UniProtKB entry, usually) is mapped to a gene by its
    accession via the UniProtKB cross-references, else by its symbol."""
    header = gaf.read_header(ctx.path)
    index = GeneIndex(ctx.conn)
    rows = Columns(*ANNOTATION_COLUMNS)
    taxa: set[str] = set()
    resolved: dict[tuple[str, str, str], tuple[str | None, str | None]] = {}
    loaded_taxa = set(index.taxon_of.values())
    for rec in gaf.read(ctx.path):
        ctx.rows_read += 1
        taxon = rec.taxon_ids[0]
        taxa.add(taxon)
        key = (rec.db, rec.db_object_id, rec.db_object_symbol)
        if key not in resolved:
            if taxon not in loaded_taxa:
                resolved[key] = (None, f"no genes of taxon {taxon} loaded")
            else:
                attempts = [("UniProtKB", rec.db_object_id)] if rec.db == "UniProtKB" else []
                found = index.first(*attempts, ("symbol", rec.db_object_symbol))
                resolved[key] = (found.gene_id, found.reason)
        gene_id, reason = resolved[key]
        if gene_id is None:
            ctx.reject(rec.line, f"{rec.db}:{rec.db_object_id}", rec.db, reason or "not resolved")
            continue
        rows.add(
            gene_id=gene_id, go_id=rec.go_id, qualifier=rec.qualifier, is_not=rec.is_not, evidence_code=rec.evidence_code,
            namespace=rec.namespace, go_term_as_given=None, reference_ids="|".join(rec.references) or None,
            with_from="|".join(rec.with_from) or None, db_object_id=f"{rec.db}:{rec.db_object_id}", assigned_by=rec.assigned_by,
            annotation_date=rec.date, source_kind=ctx.source_kind,
        )
        if ctx.rows_read % 100000 == 0:
            ctx.progress(f"{ctx.rows_read:,} GAF rows read")
    _replace_annotations(ctx, rows, taxa)
    ctx.set_release(version=f"gaf-version {header.gaf_version}" + (f", generated {header.generated}" if header.generated else ""), date=header.generated)
