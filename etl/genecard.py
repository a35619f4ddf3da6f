"""The gene card: everything the database knows about one gene, as a dict and as text.

The SQL lives in queries/gene_card_*.sql; this module finds the gene, runs them with bound
parameters, and shapes the result.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import sqlalchemy as sa

from omicskb.etl.errors import LookupFailed
from omicskb.etl.queries import run_saved
from omicskb.etl.resolve import strip_version

NAMESPACE_ORDER = ("biological_process", "cellular_component", "molecular_function")
_ENSEMBL_GENE = re.compile(r"ENS[A-Z]*G\d{11}(\.\d+)?(_PAR_Y)?", re.IGNORECASE)


def find_gene(conn: sa.Connection, query: str) -> tuple[str, str | None]:
    """Resolve QUERY (GeneID, ENSG, symbol, alias, previous symbol) to one gene id.

    Returns (gene_id, note) where note explains a match by alias. Raises LookupFailed listing the
    candidates when the query is ambiguous, and when nothing matches.
    """
    query = query.strip()
    if query.isdigit():
        rows = run_saved(conn, "gene_lookup_by_id", gene_id=query)
        if rows:
            return query, None
        raise LookupFailed(f"no gene with GeneID {query}")
    if _ENSEMBL_GENE.fullmatch(query):
        rows = run_saved(conn, "gene_lookup_by_xref", xref_db="Ensembl", accession=strip_version(query).upper())
        return _one(query, rows, "Ensembl gene"), None
    rows = run_saved(conn, "gene_lookup_by_symbol", symbol=query)
    official = [r for r in rows if r["match_kind"] == "official"]
    exact = [r for r in official if r["matched_symbol"] == query]
    for group in (exact, official):
        genes = {r["gene_id"] for r in group}
        if len(genes) == 1:
            return genes.pop(), None
        if len(genes) > 1:
            _ambiguous(query, group)
    genes = {r["gene_id"] for r in rows}
    if len(genes) == 1:
        row = rows[0]
        return row["gene_id"], f"{query} is {'an alias' if row['match_kind'] == 'alias' else 'a previous symbol'} of {row['symbol']}"
    if len(genes) > 1:
        _ambiguous(query, rows)
    raise LookupFailed(f"no gene matches {query!r} (tried symbol, alias and previous symbol)")


def _one(query: str, rows: list[dict], what: str) -> str:
    genes = {r["gene_id"] for r in rows}
    if len(genes) == 1:
        return genes.pop()
    if not genes:
        raise LookupFailed(f"no gene linked to {what} {query}")
    _ambiguous(query, rows)
    raise AssertionError("unreachable")


def _ambiguous(query: str, rows: list[dict]) -> None:
    seen: dict[str, dict] = {}
    for r in rows:
        seen.setdefault(r["gene_id"], {"gene_id": r["gene_id"], "symbol": r["symbol"], "name": r["name"], "taxon_id": r["taxon_id"], "match": r["match_kind"]})
    candidates = sorted(seen.values(), key=lambda c: int(c["gene_id"]) if c["gene_id"].isdigit() else 0)
    listing = "; ".join(f"{c['gene_id']} {c['symbol']} ({c['name'] or 'no name'}, {c['match']})" for c in candidates)
    raise LookupFailed(f"{query!r} is ambiguous: {len(candidates)} genes match: {listing}", candidates)


def gene_card(conn: sa.Connection, query: str) -> dict[str, Any]:
    gene_id, note = find_gene(conn, query)
    (gene,) = run_saved(conn, "gene_lookup_by_id", gene_id=gene_id)
    summaries = run_saved(conn, "gene_card_summaries", gene_id=gene_id)
    summary_history = [
        {"text": s["summary"], "source": s["provided_by"], "date": s["provided_date_text"], "date_iso": _iso(s["provided_date"]), "current": bool(s["is_current"])}
        for s in summaries
    ]
    current = next((s for s in summary_history if s["current"]), None)
    ensembl = run_saved(conn, "gene_card_ensembl", gene_id=gene_id)
    transcripts = run_saved(conn, "gene_card_transcripts", gene_id=gene_id)
    card: dict[str, Any] = {
        "gene_id": gene["gene_id"],
        "symbol": gene["symbol"],
        "name": gene["name"],
        "type": gene["type_of_gene"],
        "taxon_id": gene["taxon_id"],
        "chromosome": gene["chromosome"],
        "map_location": gene["map_location"],
        "ensembl_gene": ensembl[0]["accession"] if ensembl else None,
        "ensembl_gene_versioned": _versioned(ensembl[0]["accession"], ensembl[0]["version"]) if ensembl else None,
        "aliases": [r["symbol"] for r in run_saved(conn, "gene_card_symbols", gene_id=gene_id) if r["symbol_kind"] == "alias"],
        "previous_symbols": [r["symbol"] for r in run_saved(conn, "gene_card_symbols", gene_id=gene_id) if r["symbol_kind"] == "previous"],
        "xrefs": [{"db": r["xref_db"], "id": _versioned(r["accession"], r["version"])} for r in run_saved(conn, "gene_card_xrefs", gene_id=gene_id)],
        "summary": {"text": current["text"], "source": current["source"], "date": current["date"]} if current else None,
        "summary_history": summary_history,
        "orthologs": _orthologs(run_saved(conn, "gene_card_orthologs", gene_id=gene_id)),
        "go": [
            {
                "id": r["go_id"], "term": r["term"], "category": r["category"], "evidence": r["evidence_code"], "qualifier": r["qualifier"],
                "primary_id": r["primary_id"], "current_term": r["current_term"], "sources": r["sources"].split("|"),
            }
            for r in run_saved(conn, "gene_card_go", gene_id=gene_id)
        ],
        "transcripts": [
            {
                "transcript": _versioned(t["transcript_id"], t["transcript_version"]),
                "protein": _versioned(t["protein_id"], t["protein_version"]) if t["protein_id"] else None,
                "primary": bool(t["is_primary"]),
                "mane_select": bool(t["is_mane"]),
                "canonical": bool(t["is_canonical"]),
                "biotype": t["biotype"],
            }
            for t in transcripts
        ],
        "categories": [r["category"] for r in run_saved(conn, "gene_card_categories", gene_id=gene_id)],
    }
    if note:
        card["matched_by"] = note
    return card


def _versioned(identifier: str | None, version: str | None) -> str | None:
    if identifier is None:
        return None
    return f"{identifier}.{version}" if version else identifier


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _orthologs(rows: list[dict]) -> list[dict]:
    """One entry per (taxon, symbol): sources that name the same gene by different ids merge."""
    merged: dict[tuple[str, str], dict] = {}
    for r in rows:
        key = (r["other_taxon_id"], (r["symbol"] or r["other_gene_id"]).upper())
        entry = merged.setdefault(key, {
            "taxon": r["other_taxon_id"], "taxon_name": r["scientific_name"], "gene_id": r["other_gene_id"], "symbol": r["symbol"], "ids": [], "sources": [],
        })
        entry["ids"].append(r["other_gene_id"])
        if r["source_kind"] not in entry["sources"]:
            entry["sources"].append(r["source_kind"])
        entry["symbol"] = entry["symbol"] or r["symbol"]
    return list(merged.values())


def render_text(card: dict[str, Any], width: int = 100) -> str:
    """A plain-text card laid out like the seed gene page."""
    out: list[str] = []
    out.append(f"{card['symbol']}  {card['name'] or ''}".rstrip())
    facts = [f"Gene ID {card['gene_id']}", card["type"], f"chromosome {card['chromosome']}" if card["chromosome"] else None, card["map_location"]]
    out.append(" | ".join(f for f in facts if f))
    if card["ensembl_gene_versioned"]:
        out.append(f"Ensembl {card['ensembl_gene_versioned']}")
    if card.get("matched_by"):
        out.append(f"({card['matched_by']})")
    if card["aliases"]:
        out.append("Also known as: " + ", ".join(card["aliases"]))
    if card["previous_symbols"]:
        out.append("Previous symbols: " + ", ".join(card["previous_symbols"]))
    if card["categories"]:
        out.append("Annotation: " + ", ".join(card["categories"]))
    out.append("")
    out.append("Summary")
    if card["summary"]:
        tag = f"[provided by {card['summary']['source']}, {card['summary']['date']}]" if card["summary"]["source"] else ""
        out.extend(textwrap.wrap(f"{card['summary']['text']} {tag}".strip(), width))
        older = [s for s in card["summary_history"] if not s["current"]]
        if older:
            out.append("Earlier versions kept: " + ", ".join(f"{s['source'] or 'unstated'} {s['date'] or ''}".strip() for s in older))
    else:
        out.append("(none loaded)")
    out.append("")
    out.append("Orthologs")
    for o in card["orthologs"]:
        out.append(f"{o['symbol'] or '?'} {o['taxon_name'] or 'taxon ' + o['taxon']}    ({', '.join(o['ids'])}; from {', '.join(o['sources'])})")
    if not card["orthologs"]:
        out.append("(none loaded)")
    out.append("")
    out.append("Protein product")
    for t in card["transcripts"]:
        flags = " ".join(f for f, on in (("Primary", t["primary"]), ("MANE", t["mane_select"])) if on)
        out.append("  * " + " ".join(x for x in (t["transcript"], flags, t["protein"]) if x))
    if not card["transcripts"]:
        out.append("(none loaded)")
    out.append("")
    out.append("GO Terms")
    out.append("")
    out.append(f"{'GO ID':<11}{'GO Term':<60}GO Category")
    shown: set[tuple[str, str, str]] = set()
    for g in card["go"]:
        key = (g["id"], g["term"], g["category"])
        if key in shown:
            continue
        shown.add(key)
        term = g["term"] + (f"  [-> {g['primary_id']}]" if g["primary_id"] and g["primary_id"] != g["id"] else "")
        if g["qualifier"] and g["qualifier"].startswith("NOT"):
            term = "NOT " + term
        out.append(f"{g['id']:<11}{term:<60}{g['category']}")
    if not card["go"]:
        out.append("(none loaded)")
    return "\n".join(out)
