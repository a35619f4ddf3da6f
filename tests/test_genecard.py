"""`omicskb gene`: the seed card matches the seed page; lookups by every identifier kind."""

from __future__ import annotations

import json
import re

from conftest import ROOT, query_rows

SEED_PAGE = ROOT.parent / "shared" / "seeds" / "il7-gene-card.txt"
# The 23 (GO id, term, category) rows of ../shared/seeds/il7-gene-card.txt, spelled out so the
# default suite runs without ../shared; test_seed_rows_match_the_shared_page checks them against it.
SEED_PAGE_GO = {
    ("GO:0002360", "T cell lineage commitment", "biological_process"),
    ("GO:0006916", "anti-apoptosis", "biological_process"),
    ("GO:0006955", "immune response", "biological_process"),
    ("GO:0006959", "humoral immune response", "biological_process"),
    ("GO:0007267", "cell-cell signaling", "biological_process"),
    ("GO:0008284", "positive regulation of cell proliferation", "biological_process"),
    ("GO:0009887", "organ morphogenesis", "biological_process"),
    ("GO:0010468", "regulation of gene expression", "biological_process"),
    ("GO:0030308", "negative regulation of cell growth", "biological_process"),
    ("GO:0030890", "positive regulation of B cell proliferation", "biological_process"),
    ("GO:0043066", "negative regulation of apoptotic process", "biological_process"),
    ("GO:0043086", "negative regulation of catalytic activity", "biological_process"),
    ("GO:0045453", "bone resorption", "biological_process"),
    ("GO:0045582", "positive regulation of T cell differentiation", "biological_process"),
    ("GO:0046622", "positive regulation of organ growth", "biological_process"),
    ("GO:0048873", "homeostasis of number of cells within a tissue", "biological_process"),
    ("GO:0005576", "extracellular region", "cellular_component"),
    ("GO:0005615", "extracellular space", "cellular_component"),
    ("GO:0005125", "cytokine activity", "molecular_function"),
    ("GO:0005126", "cytokine receptor binding", "molecular_function"),
    ("GO:0005139", "interleukin-7 receptor binding", "molecular_function"),
    ("GO:0005515", "protein binding", "molecular_function"),
    ("GO:0008083", "growth factor activity", "molecular_function"),
}
JSON_KEYS = {"gene_id", "symbol", "name", "type", "ensembl_gene", "aliases", "summary", "summary_history", "orthologs", "go", "transcripts", "categories"}


def test_seed_rows_match_the_shared_page():
    import pytest

    if not SEED_PAGE.is_file():
        pytest.skip("../shared/seeds is not beside this checkout")
    rows = set(re.findall(r"^(GO:\d{7}) (.+) (biological_process|cellular_component|molecular_function)$", SEED_PAGE.read_text(), re.M))
    assert rows == SEED_PAGE_GO


def card(omicskb, target, query):
    result = omicskb(target, "gene", query, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_il7_card_json(seeded, omicskb):
    c = card(omicskb, seeded, "IL7")
    assert JSON_KEYS <= set(c)
    assert (c["gene_id"], c["symbol"], c["name"], c["type"], c["ensembl_gene"]) == ("3574", "IL7", "interleukin 7", "protein-coding", "ENSG00000104432")
    assert c["ensembl_gene_versioned"] == "ENSG00000104432.14"
    assert {(g["id"], g["term"], g["category"]) for g in c["go"]} == SEED_PAGE_GO
    anti = [g for g in c["go"] if g["id"] == "GO:0006916"]
    assert anti and anti[0]["primary_id"] == "GO:0043066"
    assert c["summary"]["source"] == "RefSeq" and c["summary"]["date"] == "Jul 2020" and "COVID-19" in c["summary"]["text"]
    assert [(s["source"], s["date"], s["current"]) for s in c["summary_history"]] == [("RefSeq", "Jul 2020", True), ("RefSeq", "Dec 2010", False)]
    orthologs = {(o["taxon"], o["taxon_name"], o["symbol"]) for o in c["orthologs"]}
    assert orthologs == {("10090", "Mus musculus", "Il7"), ("10116", "Rattus norvegicus", "Il7")}
    transcripts = {t["transcript"]: t for t in c["transcripts"]}
    assert set(transcripts) == {"ENST00000263851.9", "ENST00000541183.2", "ENST00000520269.5", "ENST00000379113.6", "ENST00000639719.1"}
    assert [t["transcript"] for t in c["transcripts"] if t["primary"]] == ["ENST00000263851.9"]
    assert transcripts["ENST00000263851.9"]["protein"] == "ENSP00000263851.4"
    assert c["categories"] == ["Ligand"]


def test_il7_card_text_lists_the_seed_page_go_rows(seeded, omicskb):
    result = omicskb(seeded, "gene", "IL7")
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("IL7  interleukin 7")
    go_lines = [line for line in text.splitlines() if re.match(r"GO:\d{7} ", line)]
    assert len(go_lines) == 23
    assert "anti-apoptosis  [-> GO:0043066]" in text
    assert "Il7 Rattus norvegicus" in text and "ENST00000263851.9 Primary MANE ENSP00000263851.4" in text


def test_lookup_by_geneid_ensembl_and_alias(seeded, omicskb):
    assert card(omicskb, seeded, "3574")["symbol"] == "IL7"
    assert card(omicskb, seeded, "ENSG00000104432.14")["gene_id"] == "3574"
    assert card(omicskb, seeded, "il7")["gene_id"] == "3574"
    by_alias = card(omicskb, seeded, "IL-7")
    assert by_alias["gene_id"] == "3574" and "alias" in by_alias["matched_by"]


def test_ambiguous_symbol_lists_candidates_and_exits_1(seeded, omicskb):
    # HBD is the official symbol of two genes in the real gene_info (3045 and 100187828)
    assert len(query_rows(seeded, "SELECT gene_id FROM gene WHERE symbol = 'HBD'")) == 2
    result = omicskb(seeded, "gene", "HBD")
    assert result.exit_code == 1
    assert "3045" in result.output and "100187828" in result.output and "ambiguous" in result.output
    result = omicskb(seeded, "gene", "HBD", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.output[: result.output.rindex("}") + 1])
    assert {c["gene_id"] for c in payload["candidates"]} == {"3045", "100187828"}


def test_unknown_gene_exits_1(seeded, omicskb):
    result = omicskb(seeded, "gene", "NOSUCHGENE1")
    assert result.exit_code == 1 and "no gene matches" in result.output
