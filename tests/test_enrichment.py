"""`query go_enrichment` (etl/enrichment.py, the computed input go_enrichment_terms) on both
backends: every term's counts equal those of the independent genes_for_go_term query (annotations
propagated up is_a/part_of, NOT excluded), p equals scipy's hypergeometric tail, q scipy's BH; the
universe can be the measured genes of an omics type; the gene set can come from a file or stdin."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
from scipy import stats

from conftest import SEEDS, query_rows


@pytest.fixture
def annotated(seeded, omicskb, tmp_path) -> str:
    """The seed database with its gene2go file extended: every seed gene annotated to 1-4 of the
    seed OBO's Process terms (a seeded draw), and one NOT annotation, which must not count."""
    genes = [r[0] for r in query_rows(seeded, "SELECT gene_id FROM gene ORDER BY gene_id")]
    names = dict(query_rows(seeded, "SELECT go_id, name FROM go_term WHERE namespace = 'biological_process' AND NOT is_obsolete ORDER BY go_id"))
    terms = sorted(names)
    rng = random.Random(11)
    lines = (SEEDS / "gene2go_il7_seed_page.tsv").read_text().splitlines()  # the seed's own lines stay (a superset, not a shrink)
    for gene in genes:
        for term in rng.sample(terms, rng.randint(1, 4)):
            lines.append(f"9606\t{gene}\t{term}\tIDA\tinvolved_in\t{names[term]}\t-\tProcess")
    lines.append(f"9606\t{genes[0]}\t{terms[0]}\tIDA\tNOT involved_in\t{names[terms[0]]}\t-\tProcess")
    path = tmp_path / "gene2go_seed_genes.tsv"
    path.write_text("\n".join(lines) + "\n")
    result = omicskb(seeded, "load", "gene2go", path)
    assert result.exit_code == 0, result.output
    return seeded


def independent_term_genes(target, omicskb, go_id: str) -> set[str]:
    result = omicskb(target, "query", "genes_for_go_term", "-p", f"go_id={go_id}", "-f", "json")
    return {r["gene_id"] for r in json.loads(result.output)}


def enrichment(omicskb, target, *params: str) -> list[dict]:
    result = omicskb(target, "query", "go_enrichment", *[a for p in params for a in ("-p", p)], "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("universe", ["annotated", "protein"])
def test_every_term_equals_the_independent_counts_and_scipy(annotated, omicskb, universe):
    # every gene whose annotations reach the namespace's root (GO links some functions and components
    # to processes by part_of, so those propagate too), by the independent term query
    annotated_genes = independent_term_genes(annotated, omicskb, "GO:0008150")
    universe_genes = annotated_genes
    if universe == "protein":
        measured = {r[0] for r in query_rows(annotated, """
            SELECT DISTINCT f.gene_id FROM measurement_row AS m JOIN dataset AS d ON d.dataset_id = m.dataset_id
            JOIN feature AS f ON f.feature_id = m.feature_id WHERE d.omics_type = 'protein' AND d.is_default""")}
        universe_genes = annotated_genes & measured
    listed = sorted(universe_genes)[::4]
    symbols = dict(query_rows(annotated, "SELECT gene_id, symbol FROM gene"))
    rows = enrichment(omicskb, annotated, "gene_ids=" + ",".join(symbols[g] for g in listed), "min_size=2", "max_size=100", f"universe={universe}")
    assert rows and {r["universe_size"] for r in rows} == {len(universe_genes)} and {r["list_size"] for r in rows} == {len(listed)}
    every_term = [r[0] for r in query_rows(annotated, "SELECT go_id FROM go_term WHERE namespace = 'biological_process'")]
    tested_p, shown = [], {r["go_id"]: r for r in rows}
    for go_id in every_term:
        members = independent_term_genes(annotated, omicskb, go_id) & universe_genes
        if not 2 <= len(members) <= 100:
            assert go_id not in shown
            continue
        k = len(members & set(listed))
        p = stats.hypergeom.sf(k - 1, len(universe_genes), len(members), len(listed))
        tested_p.append((go_id, p))
        if k == 0:
            assert go_id not in shown
            continue
        row = shown[go_id]
        assert (row["overlap"], row["term_size"]) == (k, len(members))
        assert math.isclose(row["p"], p, rel_tol=1e-10) and math.isclose(10 ** row["log10_p"], p, rel_tol=1e-10)
        assert row["overlap_genes"].split(",") == sorted(symbols[g] for g in members & set(listed))
        assert math.isclose(row["expected"], len(members) * len(listed) / len(universe_genes), rel_tol=1e-12)
    assert len(shown) == sum(1 for go_id, _ in tested_p if go_id in shown) and len(shown) > 10
    q = dict(zip([g for g, _ in tested_p], stats.false_discovery_control(np.array([p for _, p in tested_p]), method="bh")))
    assert all(math.isclose(r["q"], q[r["go_id"]], rel_tol=1e-10) for r in rows)
    assert [r["log10_p"] for r in rows] == sorted(r["log10_p"] for r in rows)


def test_the_gene_set_can_come_from_a_file_or_standard_input(annotated, omicskb, tmp_path):
    from click.testing import CliRunner

    from omicskb.etl.cli import cli

    given = enrichment(omicskb, annotated, "gene_ids=IL7,TP53,PTEN,EGFR", "min_size=1")
    listing = tmp_path / "genes.tsv"
    listing.write_text("# from a saved query\nIL7\t1.5\nTP53\t-2\n\nPTEN\nEGFR\n")
    assert enrichment(omicskb, annotated, f"gene_ids=@{listing}", "min_size=1") == given
    piped = CliRunner().invoke(cli, ["--db", annotated, "query", "go_enrichment", "-p", "gene_ids=@-", "-p", "min_size=1", "-f", "json"],
                               input="IL7\nTP53\nPTEN\nEGFR\n")
    assert piped.exit_code == 0 and json.loads(piped.output) == given
    for bad, message in (("@" + str(tmp_path / "missing.txt"), "No such file"), ("@" + str(listing.parent / "empty.txt"), "no items")):
        (listing.parent / "empty.txt").write_text("# nothing\n")
        result = omicskb(annotated, "query", "go_enrichment", "-p", f"gene_ids={bad}")
        assert result.exit_code == 2 and message in result.output
    result = omicskb(annotated, "query", "go_enrichment", "-p", "gene_ids=IL7", "-p", "namespace=process")
    assert result.exit_code == 2 and "not a GO namespace" in result.output
    result = omicskb(annotated, "query", "go_enrichment", "-p", "gene_ids=IL7", "-p", "universe=proteins")
    assert result.exit_code == 2 and "neither 'annotated' nor an omics type" in result.output


@pytest.mark.realdata
def test_go_enrichment_of_the_top_200_trans_partners_on_real_data(realdata, tmp_path_factory, omicskb):
    """The acceptance check: full UCEC, the whole human gene_info, GO and gene2go; EGFR's 200 best
    protein partners from gene_trans, written as a list file, enriched against the proteins measured."""
    target = str(tmp_path_factory.mktemp("enrich_ucec_full") / "ucec.duckdb")
    for args in (("init",), ("load", "gene-info", realdata / "ncbi" / "Homo_sapiens.gene_info.gz"),
                 ("load", "go-obo", realdata / "go" / "go-2019-01-27.obo.gz"), ("load", "gene2go", realdata / "ncbi" / "gene2go.human.gz"),
                 ("load", "cohort", realdata / "cptac-ucec-2019", "--cohort", "UCEC", "--layout", "cptac2019")):
        result = omicskb(target, *args)
        assert result.exit_code == 0, result.output
    partners = json.loads(omicskb(target, "query", "gene_trans", "-p", "gene=EGFR", "-p", "top=200", "-f", "json").output)
    genes = [r["partner_gene_id"] for r in partners if r["cohort"] == "UCEC" and r["partner_gene_id"]]
    assert len(genes) >= 190
    listing = tmp_path_factory.mktemp("lists") / "egfr_partners.txt"
    listing.write_text("\n".join(genes) + "\n")
    rows = enrichment(omicskb, target, f"gene_ids=@{listing}", "universe=protein")
    assert rows and all(r["q"] is not None and 0 <= r["q"] <= 1 for r in rows)
    top = rows[0]
    members = independent_term_genes(target, omicskb, top["go_id"])
    universe = independent_term_genes(target, omicskb, "GO:0008150") & {r[0] for r in query_rows(target, """
        SELECT DISTINCT f.gene_id FROM measurement_row AS m JOIN dataset AS d ON d.dataset_id = m.dataset_id
        JOIN feature AS f ON f.feature_id = m.feature_id WHERE d.omics_type = 'protein' AND d.is_default""")}
    listed = set(genes) & universe
    k = len(members & listed)
    assert (top["overlap"], top["term_size"], top["list_size"], top["universe_size"]) == (k, len(members & universe), len(listed), len(universe))
    assert math.isclose(top["p"], stats.hypergeom.sf(k - 1, len(universe), len(members & universe), len(listed)), rel_tol=1e-10)
