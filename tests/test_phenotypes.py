"""`omicskb derive --analysis phenotypes` (etl/phenotypes.py) and its queries on both backends: each
stored test equals an independent reference computed from the block and the sample_clinical view
(scipy's spearmanr, mannwhitneyu as R chooses it, kruskal; the Jonckheere-Terpstra and Cox kernels,
themselves checked in tests/test_groups.py, on independently built inputs), mutation status comes
from the default mutation dataset, Meta P combines cohorts sharing an attribute, stale blocks go with
the load that made them stale, and a failed derive changes nothing."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

import omicskb as api
from conftest import assert_a_failed_derive_changes_nothing, query_rows
from omicskb.etl import phenotypes
from omicskb.etl.stats.groups import cox_score_rows, jonckheere_rows
from test_ranksum import r_uses_exact, scipy_row


def derived(omicskb, target) -> str:
    result = omicskb(target, "derive", "--analysis", "phenotypes")
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def with_survival(seeded, omicskb, tmp_path) -> str:
    """The seed cohort plus an OS endpoint for its patients (a pan-cancer survival file), so every
    attribute type is present. The times and events are drawn (seeded); the kernels' statistics are
    checked against statsmodels in tests/test_groups.py, this checks the wiring."""
    patients = [r[0] for r in query_rows(seeded, "SELECT patient_label FROM patient WHERE cohort_code = 'UCEC' ORDER BY patient_label")]
    rng = np.random.default_rng(8)
    lines = ["case_id\tOS_days\tOS_event"] + [f"{p}\t{int(rng.exponential(900)) + 1}\t{int(rng.random() < 0.4)}" for p in patients]
    path = tmp_path / "UCEC_survival.txt"
    path.write_text("\n".join(lines) + "\n")
    result = omicskb(seeded, "load", "samples", path, "--cohort", "UCEC", "--format", "pancan-survival")
    assert result.exit_code == 0, result.output
    return seeded


def block_and_clinical(target, omics: str):
    with api.connect(target) as db:
        block = db.block("UCEC", omics)
    tumors = block.columns("tumor")
    sample_ids = block.sample_ids[tumors]
    clinical: dict[str, dict[int, tuple]] = {}
    for attribute, kind, sample_id, text, number, event in query_rows(
            target, "SELECT attribute, clinical_type, sample_id, value_text, value_number, event FROM sample_clinical WHERE cohort_code = 'UCEC'"):
        clinical.setdefault(attribute, {})[sample_id] = (kind, text, number, event)
    return block, block.values[:, tumors], sample_ids, clinical


def stored(target, omics: str, attribute: str) -> dict[int, dict]:
    names = ["feature_id", "n", "statistic", "p", "log10_p", "signed_log10_p", "q", "skip_reason"]
    rows = query_rows(target, f"""SELECT {', '.join('r.' + n for n in names)} FROM pheno_result AS r JOIN pheno_block AS b ON b.block_id = r.block_id
                                  WHERE b.omics_type = :o AND r.attribute_name = :a""", o=omics, a=attribute)
    return {r[0]: dict(zip(names, r)) for r in rows}


def attribute_rows(target, omics: str) -> dict[str, dict]:
    names = ["attribute_name", "attribute_group", "attribute_type", "test", "n_with_value", "reason", "direction"]
    rows = query_rows(target, f"""SELECT {', '.join('a.' + n for n in names)} FROM pheno_attribute AS a JOIN pheno_block AS b ON b.block_id = a.block_id
                                  WHERE b.omics_type = :o""", o=omics)
    return {r[0]: dict(zip(names, r)) for r in rows}


def levels(target, attribute: str) -> list[str]:
    return [r[0] for r in query_rows(target, """SELECT l.level_value FROM clinical_level AS l JOIN clinical_attribute AS a ON a.attribute_id = l.attribute_id
                                                WHERE a.cohort_code = 'UCEC' AND a.name = :n ORDER BY l.level_order""", n=attribute)]


@pytest.mark.parametrize("omics", ["protein", "phospho"])
def test_every_attribute_type_equals_an_independent_reference(with_survival, omicskb, omics):
    output = derived(omicskb, with_survival)
    assert "phenotypes: 4 blocks computed" in output
    block, values, sample_ids, clinical = block_and_clinical(with_survival, omics)
    attributes = attribute_rows(with_survival, omics)
    assert {a["attribute_type"] for a in attributes.values() if a["reason"] is None} == {"CON", "BIN", "ORD", "CAT", "SUR"}
    checked: dict[str, int] = {}
    for name, a in sorted(attributes.items()):
        if a["reason"] is not None or a["attribute_group"] != "clinical":
            continue
        kind = a["attribute_type"]
        by_sample = clinical[name]
        rows = stored(with_survival, omics, name)
        assert len(rows) == len(block.feature_ids)
        if kind in ("BIN", "ORD", "CAT"):
            order = levels(with_survival, name)
            codes = np.array([order.index(by_sample[s][1]) if s in by_sample and by_sample[s][1] in order else -1 for s in sample_ids.tolist()])
        for i, feature_id in enumerate(block.feature_ids.tolist()):
            row, x = rows[feature_id], values[i]
            if row["log10_p"] is None:
                assert row["skip_reason"]
                continue
            if kind == "CON":
                y = np.array([by_sample[s][2] if s in by_sample and by_sample[s][2] is not None else np.nan for s in sample_ids.tolist()])
                both = ~np.isnan(x) & ~np.isnan(y)
                ref = stats.spearmanr(x[both], y[both])
                assert row["n"] == both.sum() and math.isclose(row["statistic"], ref.statistic, rel_tol=1e-12)
                assert math.isclose(row["p"], ref.pvalue, rel_tol=1e-10)
            elif kind == "BIN":
                high, low = x[(codes == 1) & ~np.isnan(x)], x[(codes == 0) & ~np.isnan(x)]
                ref = scipy_row(high, low, r_uses_exact(high, low))
                assert row["n"] == len(high) + len(low) >= 20 and min(len(high), len(low)) >= 10
                assert math.isclose(row["p"], ref.pvalue, rel_tol=1e-10)
                assert row["statistic"] == float(np.median(np.subtract.outer(high, low)))
                assert row["signed_log10_p"] == (1 if row["statistic"] >= 0 else -1) * -row["log10_p"]
            elif kind == "CAT":
                keep = ~np.isnan(x) & (codes >= 0)
                ref = stats.kruskal(*[x[keep & (codes == g)] for g in range(len(order)) if (keep & (codes == g)).any()])
                assert row["n"] == keep.sum() and math.isclose(row["statistic"], ref.statistic, rel_tol=1e-12)
                assert math.isclose(row["p"], ref.pvalue, rel_tol=1e-10) and row["signed_log10_p"] > 0 or row["p"] == 1.0
            elif kind == "ORD":
                ref = jonckheere_rows(x[None, :], codes)
                assert math.isclose(row["statistic"], ref.z[0], rel_tol=1e-12) and math.isclose(row["log10_p"], ref.log10_p[0], rel_tol=1e-12)
            else:
                time = np.array([by_sample[s][2] if s in by_sample and by_sample[s][2] is not None else np.nan for s in sample_ids.tolist()])
                event = np.array([by_sample[s][3] if s in by_sample and by_sample[s][3] is not None else np.nan for s in sample_ids.tolist()], dtype=float)
                ref = cox_score_rows(x[None, :], time, event)
                assert math.isclose(row["statistic"], ref.statistic[0], rel_tol=1e-12) and row["signed_log10_p"] == ref.signed_log10_p[0]
            checked[kind] = checked.get(kind, 0) + 1
        p = np.array([r["p"] for r in rows.values() if r["p"] is not None])
        q = np.array([r["q"] for r in rows.values() if r["p"] is not None])
        assert np.allclose(q, stats.false_discovery_control(p, method="bh"), rtol=1e-10)
    assert set(checked) == {"CON", "BIN", "ORD", "CAT", "SUR"} and min(checked.values()) > 20
    for audit in ("audit_pheno_stale", "audit_pheno_results"):
        assert omicskb(with_survival, "query", audit).output.count("\n") == 1, audit


def test_mutation_status_comes_from_the_default_mutation_dataset(seeded, omicskb):
    derived(omicskb, seeded)
    block, values, sample_ids, _ = block_and_clinical(seeded, "protein")
    with api.connect(seeded) as db:
        mutation = db.block("UCEC", "mutation")
    at = {s: i for i, s in enumerate(mutation.sample_ids.tolist())}
    attributes = attribute_rows(seeded, "protein")
    chosen = sorted(name for name, a in attributes.items() if a["attribute_group"] == "mutation")
    counts = {}
    for i, label in enumerate(mutation.feature_labels):
        status = np.array([mutation.values[i, at[s]] if s in at else np.nan for s in sample_ids.tolist()])
        if (status == 1).sum() >= 10 and (status == 0).sum() >= 10 and mutation.gene_ids[i]:
            counts[label] = int((status == 1).sum())
    expected = sorted(f"{g}_mutation" for g in sorted(counts, key=lambda g: (-counts[g], g))[:phenotypes.MAX_MUTATION_GENES])
    assert chosen == expected and "TP53_mutation" in chosen
    tp53 = stored(seeded, "protein", "TP53_mutation")
    i = mutation.feature_labels.index("TP53")
    status = np.array([mutation.values[i, at[s]] if s in at else np.nan for s in sample_ids.tolist()])
    for j, feature_id in enumerate(block.feature_ids.tolist()):
        row = tp53[feature_id]
        if row["p"] is None:
            continue
        x = values[j]
        high, low = x[(status == 1) & ~np.isnan(x)], x[(status == 0) & ~np.isnan(x)]
        assert math.isclose(row["p"], scipy_row(high, low, r_uses_exact(high, low)).pvalue, rel_tol=1e-10)
    rows = json.loads(omicskb(seeded, "query", "gene_phenotypes", "-p", "gene=IL7", "-f", "json").output)
    assert {r["attribute_type"] for r in rows if r["p"] is not None} == {"CON", "BIN", "ORD", "CAT"}
    assert {(r["attribute_type"], r["test"]) for r in rows} <= {("CON", "spearman"), ("BIN", "wilcoxon"), ("ORD", "jonckheere"), ("CAT", "kruskal")}
    scores = [abs(r["signed_log10_p"]) for r in rows if r["signed_log10_p"] is not None]
    assert scores == sorted(scores, reverse=True)
    top = json.loads(omicskb(seeded, "query", "phenotype_top_genes", "-p", "attribute=tp53_MUTATION", "-p", "top=5", "-f", "json").output)
    best = sorted((r["p"], f) for f, r in tp53.items() if r["p"] is not None)[:5]
    assert [r["feature_id"] for r in top] == [f for _, f in best] and [r["rank"] for r in top] == [1, 2, 3, 4, 5]


def test_meta_p_combines_cohorts_sharing_an_attribute_and_stale_blocks_go(seeded, omicskb, tmp_path):
    from test_cis import write_second_cohort

    assert "phenotypes: 4 blocks computed" in derived(omicskb, seeded)
    again = derived(omicskb, seeded)
    assert "phenotypes: 0 blocks computed, 4 unchanged" in again and "nothing changed" in again
    write_second_cohort(seeded, omicskb, tmp_path)  # LUAD rna and protein, samples L000..L059
    patients = [r[0] for r in query_rows(seeded, "SELECT sample_label FROM sample WHERE cohort_code = 'LUAD' ORDER BY sample_label")]
    rng = np.random.default_rng(9)
    meta_file = tmp_path / "LUAD_meta.txt"
    meta_file.write_text("case_id\tAge\ndata_type\tCON\n" + "".join(f"{p}\t{40 + rng.integers(0, 40)}\n" for p in patients))
    result = omicskb(seeded, "load", "samples", meta_file, "--cohort", "LUAD", "--format", "pancan-meta")
    assert result.exit_code == 0, result.output
    output = derived(omicskb, seeded)
    assert "LUAD protein luad_proteomics" in output, output
    rows = query_rows(seeded, """SELECT r.feature_id, b.cohort_code, r.p, r.signed_log10_p FROM pheno_result AS r JOIN pheno_block AS b ON b.block_id = r.block_id
                                 WHERE b.omics_type = 'protein' AND r.attribute_name = 'Age' AND r.log10_p IS NOT NULL""")
    by_feature: dict[int, list] = {}
    for feature_id, cohort, p, signed in rows:
        by_feature.setdefault(feature_id, []).append((p, signed))
    meta = {r[0]: r[1:] for r in query_rows(seeded, "SELECT feature_id, n_cohorts, log10_p, signed_log10_p FROM pheno_meta WHERE omics_type = 'protein' AND attribute_name = 'Age'")}
    two = 0
    for feature_id, cohorts in by_feature.items():
        if len(cohorts) < 2:
            continue
        directions = [1 if s >= 0 else -1 for _, s in cohorts]
        majority = 1 if sum(directions) >= 0 else -1
        combined = sum(stats.norm.isf(p / 2) * (1 if d == majority else -1) for (p, _), d in zip(cohorts, directions)) / math.sqrt(2)
        n_cohorts, log10_p, signed = meta[feature_id]
        assert n_cohorts == 2 and math.isclose(log10_p, (math.log(2) + stats.norm.logsf(abs(combined))) / math.log(10), rel_tol=1e-9, abs_tol=1e-12)
        two += 1
    assert two > 100
    assert query_rows(seeded, "SELECT count(*) FROM pheno_meta WHERE attribute_name <> 'Age'")[0][0] == 0  # only Age is shared
    # a reloaded clinical file makes the cohort's blocks stale in the load's own transaction
    meta_file.write_text(meta_file.read_text().replace("\t4", "\t5", 1))
    result = omicskb(seeded, "load", "samples", meta_file, "--cohort", "LUAD", "--format", "pancan-meta")
    assert result.exit_code == 0 and "phenotype block(s)" in result.output, result.output
    assert query_rows(seeded, "SELECT count(*) FROM pheno_block WHERE cohort_code = 'LUAD'")[0][0] == 0
    assert "phenotypes: 2 blocks computed, 4 unchanged" in derived(omicskb, seeded)
    for audit in ("audit_pheno_stale", "audit_pheno_results"):
        assert omicskb(seeded, "query", audit).output.count("\n") == 1, audit


def test_a_failed_phenotype_derive_changes_nothing_and_says_so(seeded, omicskb, monkeypatch):
    assert_a_failed_derive_changes_nothing(seeded, omicskb, monkeypatch, phenotypes, "test_attribute", "phenotypes", 30)


@pytest.mark.realdata
def test_gene_phenotypes_of_il7_on_the_full_ucec_cohort(realdata, tmp_path_factory, omicskb):
    """The acceptance check: phenotypes derived on the complete cptac 2019 UCEC cohort; IL7's RNA
    against every attribute lists every attribute type present with its test, and each p equals the
    independent reference on the same tumors."""
    target = str(tmp_path_factory.mktemp("pheno_ucec_full") / "ucec.duckdb")
    assert omicskb(target, "init").exit_code == 0
    assert omicskb(target, "load", "gene-info", realdata / "ncbi" / "Homo_sapiens.gene_info.gz").exit_code == 0
    result = omicskb(target, "load", "cohort", realdata / "cptac-ucec-2019", "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 0, result.output
    derived(omicskb, target)
    rows = json.loads(omicskb(target, "query", "gene_phenotypes", "-p", "gene=IL7", "-f", "json").output)
    present = {r[0] for r in query_rows(target, "SELECT DISTINCT clinical_type FROM clinical_attribute WHERE clinical_type <> 'TXT'")}
    assert {r["attribute_type"] for r in rows if r["p"] is not None} == present
    block, values, sample_ids, clinical = block_and_clinical(target, "rna")
    x = values[block.gene_ids.index("3574")]
    checked = 0
    for row in rows:
        if row["omics"] != "rna" or row["p"] is None or row["attribute_group"] != "clinical":
            continue
        by_sample = clinical[row["attribute"]]
        kind = row["attribute_type"]
        if kind == "CON":
            y = np.array([by_sample[s][2] if s in by_sample and by_sample[s][2] is not None else np.nan for s in sample_ids.tolist()])
            both = ~np.isnan(x) & ~np.isnan(y)
            reference = stats.spearmanr(x[both], y[both]).pvalue
        else:
            order = levels(target, row["attribute"])
            codes = np.array([order.index(by_sample[s][1]) if s in by_sample and by_sample[s][1] in order else -1 for s in sample_ids.tolist()])
            keep = ~np.isnan(x) & (codes >= 0)
            if kind == "BIN":
                high, low = x[keep & (codes == 1)], x[keep & (codes == 0)]
                reference = scipy_row(high, low, r_uses_exact(high, low)).pvalue
            elif kind == "CAT":
                reference = stats.kruskal(*[x[keep & (codes == g)] for g in range(len(order)) if (keep & (codes == g)).any()]).pvalue
            else:
                reference = float(jonckheere_rows(x[None, :], codes).p[0])
        assert math.isclose(row["p"], reference, rel_tol=1e-10), row
        checked += 1
    assert checked > 100
