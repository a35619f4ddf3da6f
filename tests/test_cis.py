"""`omicskb derive --analysis cis` (etl/cis.py) and `query gene_cis` on both backends: every stored
pair equals scipy's spearmanr on the tumors both datasets hold, Meta P equals an independent
Stouffer over two cohorts, only what changed is recomputed, stale blocks never outlive the load that
made them stale, and a failed derive changes nothing."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

import omicskb as api
from conftest import assert_a_failed_derive_changes_nothing, corrected_seed_proteomics, query_rows
from omicskb.etl import cis



def derived(omicskb, target) -> str:
    result = omicskb(target, "derive", "--analysis", "cis")
    assert result.exit_code == 0, result.output
    return result.output


def stored_pairs(target, cohort: str, omics_x: str, omics_y: str) -> list[dict]:
    names = ["feature_id", "x_feature_id", "n", "rho", "p", "log10_p", "signed_log10_p", "q", "skip_reason"]
    rows = query_rows(target, f"""
        SELECT {', '.join('r.' + n for n in names)} FROM cis_result AS r JOIN cis_block AS b ON b.block_id = r.block_id
        WHERE b.cohort_code = :c AND b.omics_x = :x AND b.omics_y = :y""", c=cohort, x=omics_x, y=omics_y)
    return [dict(zip(names, r)) for r in rows]


def tumor_rows(target, cohort: str, omics: str) -> tuple[dict[int, np.ndarray], dict[int, str | None], np.ndarray]:
    """Each feature's tumor values keyed by feature id, its gene, and the tumors' sample ids."""
    with api.connect(target) as db:
        block = db.block(cohort, omics)
    tumors = block.columns("tumor")
    values = {int(f): block.values[i, tumors] for i, f in enumerate(block.feature_ids.tolist())}
    genes = {int(f): g for f, g in zip(block.feature_ids.tolist(), block.gene_ids)}
    return values, genes, block.sample_ids[tumors]


def scipy_pair(x: np.ndarray, y: np.ndarray):
    both = ~np.isnan(x) & ~np.isnan(y)
    return int(both.sum()), x[both], y[both]


def assert_block_equals_scipy(target, cohort: str, omics_x: str, omics_y: str) -> int:
    x_values, x_genes, x_samples = tumor_rows(target, cohort, omics_x)
    y_values, y_genes, y_samples = tumor_rows(target, cohort, omics_y)
    shared = np.intersect1d(x_samples, y_samples)
    x_cols = np.searchsorted(x_samples, shared, sorter=np.argsort(x_samples))
    x_cols = np.argsort(x_samples)[x_cols]
    y_cols = np.argsort(y_samples)[np.searchsorted(y_samples, shared, sorter=np.argsort(y_samples))]
    x_of_gene = {g: f for f, g in x_genes.items() if g is not None}
    rows = stored_pairs(target, cohort, omics_x, omics_y)
    expected_pairs = {f for f, g in y_genes.items() if g in x_of_gene}
    assert {r["feature_id"] for r in rows} == expected_pairs and len(rows) == len(expected_pairs)
    tested = 0
    for row in rows:
        x_feature = x_of_gene[y_genes[row["feature_id"]]]
        assert row["x_feature_id"] == x_feature
        n, x, y = scipy_pair(x_values[x_feature][x_cols], y_values[row["feature_id"]][y_cols])
        assert row["n"] == n
        if n < 10 or len(np.unique(x)) == 1 or len(np.unique(y)) == 1:
            assert row["skip_reason"] and row["rho"] is None and row["p"] is None
            continue
        ref = stats.spearmanr(x, y)
        assert math.isclose(row["rho"], ref.statistic, rel_tol=1e-12, abs_tol=1e-15)
        assert math.isclose(row["p"], ref.pvalue, rel_tol=1e-10) and math.isclose(10 ** row["log10_p"], ref.pvalue, rel_tol=1e-10)
        assert row["signed_log10_p"] == (1 if row["rho"] >= 0 else -1) * -row["log10_p"]
        tested += 1
    p = np.array([r["p"] for r in rows if r["p"] is not None])
    q = np.array([r["q"] for r in rows if r["p"] is not None])
    assert np.allclose(q, stats.false_discovery_control(p, method="bh"), rtol=1e-10)
    return tested


@pytest.mark.parametrize(("omics_x", "omics_y"), [("rna", "protein"), ("cnv", "rna"), ("protein", "phospho"), ("cnv", "acetyl")])
def test_every_stored_pair_equals_scipy_on_the_tumors_both_datasets_hold(seeded, omicskb, omics_x, omics_y):
    output = derived(omicskb, seeded)
    assert "cis: 9 blocks computed" in output
    assert assert_block_equals_scipy(seeded, "UCEC", omics_x, omics_y) > 100
    for audit in ("audit_cis_stale", "audit_cis_results"):
        assert omicskb(seeded, "query", audit).output.count("\n") == 1, audit


def test_gene_cis_lists_the_gene_and_its_sites_with_meta_rows(seeded, omicskb):
    derived(omicskb, seeded)
    rows = json.loads(omicskb(seeded, "query", "gene_cis", "-p", "gene=tp53", "-f", "json").output)
    pairs = {(r["omics_x"], r["omics_y"]) for r in rows}
    assert {("rna", "protein"), ("cnv", "rna"), ("cnv", "protein"), ("rna", "phospho"), ("protein", "phospho")} <= pairs
    rna_protein = [r for r in rows if (r["omics_x"], r["omics_y"]) == ("rna", "protein")]
    assert [r["cohort"] for r in rna_protein] == ["UCEC", "META"] and rna_protein[0]["feature"] == "TP53"
    x_values, x_genes, x_samples = tumor_rows(seeded, "UCEC", "rna")
    y_values, y_genes, y_samples = tumor_rows(seeded, "UCEC", "protein")
    shared = np.intersect1d(x_samples, y_samples)
    x = x_values[next(f for f, g in x_genes.items() if g == "7157")][[list(x_samples).index(s) for s in shared]]
    y = y_values[next(f for f, g in y_genes.items() if g == "7157")][[list(y_samples).index(s) for s in shared]]
    n, x, y = scipy_pair(x, y)
    ref = stats.spearmanr(x, y)
    ucec, meta = rna_protein
    assert ucec["n"] == n and math.isclose(ucec["rho"], ref.statistic, rel_tol=1e-12) and math.isclose(ucec["p"], ref.pvalue, rel_tol=1e-10)
    assert meta["is_meta"] and meta["n"] == 1 and meta["rho"] is None and meta["signed_log10_p"] == ucec["signed_log10_p"]
    sites = {r["feature"] for r in rows if r["omics_y"] == "phospho"}
    assert sites and all(s.startswith("TP53-") for s in sites)


def write_second_cohort(target, omicskb, tmp_path) -> None:
    """LUAD: 60 UCEC tumors' RNA and protein with noise, under new labels both files share."""
    rng = np.random.default_rng(7)
    for omics, name in (("rna", "luad_rna.cct"), ("protein", "luad_proteomics.cct")):
        with api.connect(target) as db:
            block = db.block("UCEC", omics)
        tumors = block.columns("tumor")[:60]
        values = block.values[:, tumors] + rng.normal(0, 0.3, size=(len(block.feature_ids), len(tumors)))
        header = ["idx"] + [f"L{i:03d}" for i in range(len(tumors))]
        body = ["\t".join([label] + ["NA" if np.isnan(v) else repr(float(v)) for v in row]) for label, row in zip(block.feature_labels, values)]
        (tmp_path / name).write_text("\t".join(header) + "\n" + "\n".join(body) + "\n")
        result = omicskb(target, "load", "matrix", tmp_path / name, "--cohort", "LUAD", "--omics", omics, "--sample-type", "tumor")
        assert result.exit_code == 0, result.output


def test_meta_p_equals_an_independent_stouffer_over_two_cohorts(seeded, omicskb, tmp_path):
    write_second_cohort(seeded, omicskb, tmp_path)
    output = derived(omicskb, seeded)
    assert "LUAD rna luad_rna ~ protein luad_proteomics: 60 shared tumors" in output
    assert assert_block_equals_scipy(seeded, "LUAD", "rna", "protein") > 100
    per_cohort = query_rows(seeded, """
        SELECT r.feature_id, r.rho, r.p, r.log10_p FROM cis_result AS r JOIN cis_block AS b ON b.block_id = r.block_id
        WHERE b.omics_x = 'rna' AND b.omics_y = 'protein' AND r.log10_p IS NOT NULL""")
    by_feature: dict[int, list] = {}
    for feature_id, rho, p, log10_p in per_cohort:
        by_feature.setdefault(feature_id, []).append((rho, p, log10_p))
    meta = {r[0]: r[1:] for r in query_rows(seeded, "SELECT feature_id, n_cohorts, n_agree, z, log10_p, signed_log10_p FROM cis_meta WHERE omics_x = 'rna' AND omics_y = 'protein'")}
    assert set(meta) == set(by_feature)
    two = 0
    for feature_id, rows in by_feature.items():
        n_cohorts, n_agree, z, log10_p, signed = meta[feature_id]
        directions = [1 if rho >= 0 else -1 for rho, _, _ in rows]
        majority = 1 if sum(directions) >= 0 else -1
        if len(rows) == 1:
            assert log10_p == rows[0][2] and signed == directions[0] * -rows[0][2]
            continue
        # one-sided in the majority direction: p/2 agreeing, 1 - p/2 opposing (norm.isf keeps both exact here)
        combined = sum(stats.norm.isf(p / 2) * (1 if d == majority else -1) for (_, p, _), d in zip(rows, directions)) / math.sqrt(len(rows))
        expected_log10 = (math.log(2) + stats.norm.logsf(abs(combined))) / math.log(10)
        assert n_cohorts == 2 and n_agree == sum(1 for d in directions if d == majority)
        assert math.isclose(z, combined, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(log10_p, expected_log10, rel_tol=1e-9, abs_tol=1e-12)
        assert signed == (majority if combined >= 0 else -majority) * -log10_p
        two += 1
    assert two > 100
    rows = json.loads(omicskb(seeded, "query", "gene_cis", "-p", "gene=PTEN", "-f", "json").output)
    rna_protein = [r for r in rows if (r["omics_x"], r["omics_y"]) == ("rna", "protein")]
    assert [r["cohort"] for r in rna_protein] == ["LUAD", "UCEC", "META"] and rna_protein[-1]["n"] == 2
    assert omicskb(seeded, "query", "audit_cis_results").output.count("\n") == 1


def test_only_what_changed_is_recomputed_and_stale_blocks_never_outlive_a_load(seeded, omicskb, tmp_path):
    assert "cis: 9 blocks computed" in derived(omicskb, seeded)
    again = derived(omicskb, seeded)
    assert "cis: 0 blocks computed, 9 unchanged" in again and "nothing changed" in again
    corrected = corrected_seed_proteomics(tmp_path)
    load = omicskb(seeded, "load", "matrix", corrected, "--cohort", "UCEC", "--omics", "protein", "--name", "proteomics")
    assert load.exit_code == 0, load.output
    # protein is x of two blocks (acetyl, phospho) and y of two (cnv, rna)
    assert "removed 4 cis block(s) and the Meta P of cnv~protein, protein~acetyl, protein~phospho, rna~protein" in load.output, load.output
    assert query_rows(seeded, "SELECT count(*) FROM cis_block WHERE 'protein' IN (omics_x, omics_y)")[0][0] == 0
    assert query_rows(seeded, "SELECT count(*) FROM cis_meta WHERE 'protein' IN (omics_x, omics_y)")[0][0] == 0
    assert query_rows(seeded, "SELECT count(*) FROM cis_meta")[0][0] > 0  # the other pairs keep theirs
    third = derived(omicskb, seeded)
    assert "cis: 4 blocks computed, 5 unchanged" in third
    assert assert_block_equals_scipy(seeded, "UCEC", "rna", "protein") > 100
    for audit in ("audit_cis_stale", "audit_cis_results"):
        assert omicskb(seeded, "query", audit).output.count("\n") == 1, audit
    removed = omicskb(seeded, "remove", "dataset", "UCEC", "rna", "transcriptomics_linear")
    assert removed.exit_code == 0 and "cis block(s)" in removed.output, removed.output
    assert query_rows(seeded, "SELECT count(*) FROM cis_block WHERE 'rna' IN (omics_x, omics_y)")[0][0] == 0
    runs = query_rows(seeded, "SELECT status, command FROM load_run WHERE source_kind = 'derive' ORDER BY run_id")
    assert runs == [("ok", "derive --analysis cis")] * 3


def test_a_failed_cis_derive_changes_nothing_and_says_so(seeded, omicskb, monkeypatch):
    assert_a_failed_derive_changes_nothing(seeded, omicskb, monkeypatch, cis, "spearman_paired", "cis", 3)


def test_pair_needs_the_tumor_normal_analysis(seeded, omicskb):
    result = omicskb(seeded, "derive", "--analysis", "cis", "--pair", "UCEC/protein/a=b")
    assert result.exit_code == 2 and "--pair" in result.output


@pytest.mark.realdata
def test_gene_cis_of_tp53_on_the_full_ucec_cohort_equals_scipy(realdata, tmp_path_factory, omicskb):
    """The acceptance check: derive cis on the complete cptac 2019 UCEC cohort, then every stored
    RNA-protein pair, and TP53's through `query gene_cis`, against scipy on the same samples."""
    target = str(tmp_path_factory.mktemp("cis_ucec_full") / "ucec.duckdb")
    assert omicskb(target, "init").exit_code == 0
    assert omicskb(target, "load", "gene-info", realdata / "ncbi" / "Homo_sapiens.gene_info.gz").exit_code == 0
    result = omicskb(target, "load", "cohort", realdata / "cptac-ucec-2019", "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 0, result.output
    derived(omicskb, target)
    assert assert_block_equals_scipy(target, "UCEC", "rna", "protein") > 9_000
    rows = json.loads(omicskb(target, "query", "gene_cis", "-p", "gene=TP53", "-f", "json").output)
    ucec = next(r for r in rows if (r["omics_x"], r["omics_y"], r["cohort"]) == ("rna", "protein", "UCEC"))
    x_values, x_genes, x_samples = tumor_rows(target, "UCEC", "rna")
    y_values, y_genes, y_samples = tumor_rows(target, "UCEC", "protein")
    shared = np.intersect1d(x_samples, y_samples)
    x = x_values[next(f for f, g in x_genes.items() if g == "7157")][[list(x_samples).index(s) for s in shared]]
    y = y_values[next(f for f, g in y_genes.items() if g == "7157")][[list(y_samples).index(s) for s in shared]]
    n, x, y = scipy_pair(x, y)
    ref = stats.spearmanr(x, y)
    assert ucec["n"] == n and math.isclose(ucec["rho"], ref.statistic, rel_tol=1e-12) and math.isclose(ucec["p"], ref.pvalue, rel_tol=1e-10)
