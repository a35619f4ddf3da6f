"""`derive --analysis trans` (etl/trans_all.py) on both backends, on the seed UCEC cohort and a
second one: the stored top partners of every feature are, row for row, the ones `query gene_trans`
computes on demand (itself checked against scipy in test_trans.py), and sampled stored pairs equal
scipy directly; a corrected file drops every block of its omics type, and the next derive recomputes
it; --top changes what is kept; a failure mid-derive changes nothing."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

import omicskb as api
from conftest import assert_a_failed_derive_changes_nothing, corrected_seed_proteomics, query_rows
from omicskb.etl import trans_all
from test_cis import write_second_cohort

KEYS = ("cohort", "partner_feature_id", "rank")
VALUES = ("n", "rho", "p", "log10_p", "signed_log10_p", "q", "n_agree")


def derived(omicskb, target, *args: str) -> str:
    result = omicskb(target, "derive", "--analysis", "trans", *args)
    assert result.exit_code == 0, result.output
    return result.output


def rows(omicskb, target, query: str, gene: str, omics: str, top: int) -> list[dict]:
    result = omicskb(target, "query", query, "-p", f"gene={gene}", "-p", f"omics={omics}", "-p", f"top={top}", "-f", "json")
    assert result.exit_code == 0, result.output
    return [r for r in json.loads(result.output) if r["partner_feature_id"] is not None]


def assert_stored_equals_on_demand(omicskb, target, genes: list[str], omics: str, top: int) -> int:
    compared = 0
    for gene in genes:
        stored = rows(omicskb, target, "trans_top_partners", gene, omics, top)
        computed = rows(omicskb, target, "gene_trans", gene, omics, top)
        assert [tuple(r[k] for k in KEYS) for r in stored] == [tuple(r[k] for k in KEYS) for r in computed], (gene, omics)
        for a, b in zip(stored, computed):
            for name in VALUES:
                if a[name] is None or b[name] is None:
                    assert a[name] is None and b[name] is None, (gene, omics, a, b, name)
                else:
                    assert math.isclose(a[name], b[name], rel_tol=1e-12, abs_tol=1e-300), (gene, omics, a["cohort"], a["partner"], name, a[name], b[name])
            if not a["is_meta"]:
                meta = next((m for m in computed if m["is_meta"] and m["partner_feature_id"] == a["partner_feature_id"]), None)
                if meta is not None:  # the pair's Meta P, also where META's top list does not reach it
                    assert math.isclose(a["meta_signed_log10_p"], meta["signed_log10_p"], rel_tol=1e-12, abs_tol=1e-300)
        compared += len(stored)
    return compared


def sampled_genes(target, omics: str, every: int) -> list[str]:
    symbols = query_rows(target, f"""
        SELECT DISTINCT g.symbol FROM trans_result AS r JOIN trans_block AS b ON b.block_id = r.block_id
        JOIN feature AS f ON f.feature_id = r.feature_id JOIN gene AS g ON g.gene_id = f.gene_id
        WHERE b.omics_type = '{omics}' ORDER BY g.symbol""")
    return [s[0] for s in symbols[::every]]


def test_stored_top_partners_are_gene_trans_on_demand_in_two_cohorts(seeded, omicskb, tmp_path):
    write_second_cohort(seeded, omicskb, tmp_path)
    output = derived(omicskb, seeded)
    assert "trans: 4 blocks computed" in output and "LUAD protein luad_proteomics" in output, output
    for omics in ("protein", "rna"):
        genes = sampled_genes(seeded, omics, 9)
        assert len(genes) > 20
        assert assert_stored_equals_on_demand(omicskb, seeded, genes, omics, 50) > 2000
    # and directly: sampled stored pairs against scipy on the tumors the pair shares
    stored = query_rows(seeded, """
        SELECT b.cohort_code, r.feature_id, r.partner_feature_id, r.n, r.rho, r.p FROM trans_result AS r
        JOIN trans_block AS b ON b.block_id = r.block_id WHERE b.omics_type = 'protein' ORDER BY 1, 2, 3""")
    with api.connect(seeded) as db:
        blocks = {c: db.block(c, "protein") for c in ("UCEC", "LUAD")}
    for cohort, feature, partner, n, rho, p in stored[::97]:
        block = blocks[cohort]
        tumors = block.values[:, block.columns("tumor")]
        ids = block.feature_ids.tolist()
        x, y = tumors[ids.index(feature)], tumors[ids.index(partner)]
        both = ~np.isnan(x) & ~np.isnan(y)
        reference = stats.spearmanr(x[both], y[both])
        assert n == both.sum() and math.isclose(rho, reference.statistic, rel_tol=1e-12) and math.isclose(p, reference.pvalue, rel_tol=1e-10)
    for audit in ("audit_trans_stale", "audit_trans_results"):
        assert omicskb(seeded, "query", audit).output.count("\n") == 1, audit
    blocks_listed = json.loads(omicskb(seeded, "query", "trans_blocks", "-f", "json").output)
    assert len(blocks_listed) == 4 and all(b["block_id"] is not None and b["top_n"] == 50 for b in blocks_listed)


def test_a_corrected_file_drops_its_omics_type_and_top_changes_what_is_kept(seeded, omicskb, tmp_path):
    first = derived(omicskb, seeded)
    assert "trans: 2 blocks computed" in first
    assert "nothing changed" in derived(omicskb, seeded)
    corrected = corrected_seed_proteomics(tmp_path)
    load = omicskb(seeded, "load", "matrix", corrected, "--cohort", "UCEC", "--omics", "protein", "--name", "proteomics")
    assert load.exit_code == 0, load.output
    assert "removed 1 trans block(s) of protein" in load.output, load.output
    assert query_rows(seeded, "SELECT count(*) FROM trans_meta WHERE omics_type = 'protein'")[0][0] == 0
    assert query_rows(seeded, "SELECT count(*) FROM trans_block WHERE omics_type = 'rna'")[0][0] == 1  # rna keeps its block
    again = derived(omicskb, seeded)
    assert "trans: 1 blocks computed, 1 unchanged" in again, again
    assert assert_stored_equals_on_demand(omicskb, seeded, sampled_genes(seeded, "protein", 15), "protein", 50) > 500
    fewer = derived(omicskb, seeded, "--top", "5")
    assert "trans: 2 blocks computed" in fewer and "2 removed" in fewer, fewer
    assert query_rows(seeded, "SELECT max(partner_rank), min(top_n) FROM trans_result JOIN trans_block USING (block_id)")[0] == (5, 5)
    assert assert_stored_equals_on_demand(omicskb, seeded, sampled_genes(seeded, "rna", 25), "rna", 5) > 50
    runs = query_rows(seeded, "SELECT status, command FROM load_run WHERE source_kind = 'derive' ORDER BY run_id")
    assert runs == [("ok", "derive --analysis trans --top 50")] * 3 + [("ok", "derive --analysis trans --top 5")]


def test_a_failed_trans_derive_changes_nothing_and_says_so(seeded, omicskb, monkeypatch):
    assert_a_failed_derive_changes_nothing(seeded, omicskb, monkeypatch, trans_all, "spearman_row_pairs", "trans", 2)


@pytest.mark.realdata
def test_all_pairs_of_the_full_ucec_proteome_equal_gene_trans_and_scipy(realdata, tmp_path_factory, omicskb):
    """Every pair of the complete cptac 2019 UCEC proteome (11k proteins, 104 tumors), exact: the
    stored top partners of a handful of genes are gene_trans's, and EGFR's are scipy's over every
    protein. Protein only: the 28k-row RNA block (3.9e8 pairs) is for the benchmark, not CI."""
    from omicskb.etl.db import make_engine
    from test_trans import assert_cohort_equals_scipy, scipy_partners

    target = str(tmp_path_factory.mktemp("trans_all_ucec_full") / "ucec.duckdb")
    assert omicskb(target, "init").exit_code == 0
    assert omicskb(target, "load", "gene-info", realdata / "ncbi" / "Homo_sapiens.gene_info.gz").exit_code == 0
    result = omicskb(target, "load", "cohort", realdata / "cptac-ucec-2019", "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 0, result.output
    engine = make_engine(target)
    try:
        report = trans_all.run_derive_trans(engine, "derive --analysis trans (test)", top=20, omics=("protein",))
    finally:
        engine.dispose()
    print("\n" + "\n".join(report.computed) + "\n" + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items()))
    assert report.pairs_tested > 50_000_000
    assert assert_stored_equals_on_demand(omicskb, target, ["EGFR", "TP53", "PTEN", "ESR1", "CTNNB1", "MKI67"], "protein", 20) >= 6 * 40
    stored = [r for r in rows(omicskb, target, "trans_top_partners", "EGFR", "protein", 20) if r["cohort"] == "UCEC"]
    for r in stored:
        r["note"] = None
    assert_cohort_equals_scipy(stored, scipy_partners(target, "UCEC", "protein", "1956"), 20)
    for audit in ("audit_trans_stale", "audit_trans_results"):
        assert omicskb(target, "query", audit).output.count("\n") == 1, audit
