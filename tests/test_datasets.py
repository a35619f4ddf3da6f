"""Datasets as the unit of analysis, on both backends: a block is one dataset or a declared
tumor/normal pair, never a pool; each (cohort, omics) has one default; `values` names the dataset
of every line; cohort codes and aliases resolve the same way everywhere.

Fixtures: the seeded UCEC subset (cptac2019 layout), and the pan-cancer fixture copied with an
isoform-adjusted phosphosite pair (the normalized values minus 1.5) and a GISTIC-level CNV file
(the log2 ratios thresholded) written beside it, so each has two datasets in different units.
"""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
import sqlalchemy as sa

from conftest import DATA, SEEDS, query_rows
from omicskb.etl import datasets as lib
from omicskb.etl.blocks import BlockError, fetch_block, plan_block, plan_blocks
from omicskb.etl.db import make_engine
from omicskb.etl.queries import run_saved
from omicskb.etl.sources import matrix

UCEC = SEEDS / "ucec"
PANCAN = DATA / "pancan"
NORMALIZED = "phospho_site_abundance_log2_reference_intensity_normalized"
ISOFORM = NORMALIZED + "_isoform_adjusted"
ISOFORM_SHIFT = 1.5
PTEN_ENSG = "ENSG00000171862.10"


def rewrite_values(source, dest, change) -> None:
    """A copy of a pan-cancer matrix with every present value passed through `change`."""
    lines = source.read_text().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split("\t")
        out.append("\t".join([cells[0]] + [c if c == "NA" else repr(round(change(float(c)), 6)) for c in cells[1:]]))
    dest.write_text("\n".join(out) + "\n")


def pancan_folder(tmp_path, prefix: str = "UCEC"):
    folder = tmp_path / f"pancan_{prefix}"
    folder.mkdir()
    for path in PANCAN.glob("UCEC_*.txt"):
        (folder / path.name.replace("UCEC_", f"{prefix}_", 1)).write_bytes(path.read_bytes())
    for side in ("Tumor", "Normal"):
        rewrite_values(folder / f"{prefix}_{NORMALIZED}_{side}.txt", folder / f"{prefix}_{ISOFORM}_{side}.txt", lambda v: v - ISOFORM_SHIFT)
    rewrite_values(folder / f"{prefix}_WES_CNV_gene_ratio_log2.txt", folder / f"{prefix}_WES_CNV_gene_gistic_level.txt", lambda v: float(max(-2, min(2, round(v * 4)))))
    return folder


@pytest.fixture
def pancan(target, omicskb, tmp_path):
    assert omicskb(target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv").exit_code == 0
    folder = pancan_folder(tmp_path)
    result = omicskb(target, "load", "cohort", folder, "--cohort", "ucec", "--layout", "pancan")
    assert result.exit_code == 0, result.output
    return target, folder, result.output


def connect(target):
    engine = make_engine(target)
    return engine, engine.connect()


def defaults(target) -> dict[tuple[str, str], str]:
    return {(c, o): n for c, o, n in query_rows(target, "SELECT cohort_code, omics_type, name FROM dataset WHERE is_default")}


def audit(target) -> list[dict]:
    engine, conn = connect(target)
    with conn:
        rows = run_saved(conn, "audit_dataset_defaults")
    engine.dispose()
    return rows


def header(path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return handle.readline().rstrip("\r\n").split("\t")[1:]


def maf_barcodes(path) -> set[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        names = handle.readline().rstrip("\n").split("\t")
        column = names.index("Tumor_Sample_Barcode")
        return {line.rstrip("\n").split("\t")[column] for line in handle if line.strip()}


# ---------------------------------------------------------------------------------------------
# cptac 2019 (the seeded UCEC subset): one block is one dataset


def test_mutation_block_is_one_dataset_with_each_sample_once(seeded):
    barcodes = maf_barcodes(UCEC / "somatic.maf.gz")
    cbt_samples = header(UCEC / "somatic_binary.cbt.gz")
    engine, conn = connect(seeded)
    with conn:
        block = fetch_block(conn, "UCEC", "mutation")
        assert block.dataset_names == ["somatic"]  # the cptac2019 layout's default: the MAF's gene-level status
        assert len(block.dataset_ids) == 1
        assert block.values.shape[1] == len(barcodes) == len(set(block.sample_ids.tolist()))
        tumors = fetch_block(conn, "ucec", "mutation", role="tumor")
        assert len(set(tumors.sample_ids.tolist())) == tumors.values.shape[1] and set(tumors.stat_roles) == {"tumor"}
        binary = fetch_block(conn, "UCEC", "mutation", name="somatic_binary")
        assert binary.dataset_names == ["somatic_binary"]
        assert binary.sample_labels == cbt_samples and len(set(binary.sample_ids.tolist())) == len(cbt_samples)
        data = matrix.read(UCEC / "somatic_binary.cbt.gz")
        assert np.array_equal(np.nan_to_num(binary.values), np.nan_to_num(data.values))
        assert set(block.feature_labels).isdisjoint(f for f in binary.feature_labels if "_p." in f)  # gene status vs variants: not pooled
    engine.dispose()


def test_each_cohort_and_omics_has_one_default_and_the_audit_is_clean(seeded, omicskb):
    stems = {p.name.split(".")[0] for p in UCEC.iterdir() if p.name.endswith(".gz")}
    found = defaults(seeded)
    omics = {o for _, o in query_rows(seeded, "SELECT cohort_code, omics_type FROM dataset")}
    assert set(found) == {("UCEC", o) for o in omics} and set(found.values()) <= stems
    assert found[("UCEC", "mutation")] == "somatic"
    assert audit(seeded) == []
    listing = json.loads(omicskb(seeded, "datasets", "ucec", "--format", "json").output)
    assert {(d["omics"], d["name"]) for d in listing if d["default"]} == {(o, n) for (_, o), n in found.items()}
    assert {d["name"] for d in listing} == {n for (n,) in query_rows(seeded, "SELECT name FROM dataset")}


def test_values_lines_name_their_datasets(seeded, omicskb):
    default_names = set(defaults(seeded).values())
    result = omicskb(seeded, "values", "IL7", "--cohort", "UCEC")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()[2:]
    assert lines and {line.split()[-1] for line in lines} <= default_names
    assert {line.split()[1] for line in lines} == {o for (o,) in query_rows(seeded, "SELECT DISTINCT m.omics_type FROM measurement m JOIN dataset d ON d.dataset_id = m.dataset_id WHERE m.gene_id = '3574' AND d.is_default")}
    every = omicskb(seeded, "values", "IL7", "--cohort", "UCEC", "--all-values")
    rows = [line.strip().split("\t") for line in every.output.splitlines()[2:]]
    expected = query_rows(seeded, "SELECT count(*) FROM measurement m JOIN dataset d ON d.dataset_id = m.dataset_id WHERE m.gene_id = '3574' AND d.is_default")[0][0]
    assert len(rows) == expected and {r[-1] for r in rows} <= default_names
    named = json.loads(omicskb(seeded, "values", "IL7", "-c", "ucec", "--dataset", "somatic_binary", "--format", "json").output)
    assert named["rows"] and {r["dataset_name"] for r in named["rows"]} == {"somatic_binary"}
    variants = [r for r in query_rows(seeded, "SELECT DISTINCT m.feature_label FROM measurement m WHERE m.dataset_name = 'somatic_binary' AND m.gene_id = '3574'")]
    assert {r["feature_label"] for r in named["rows"]} == {v for (v,) in variants}
    assert omicskb(seeded, "values", "IL7", "--dataset", "no_such_dataset").exit_code == 1


def test_unknown_cohort_is_an_error_everywhere(seeded, omicskb):
    for args in (("values", "IL7", "--cohort", "NOPE"), ("cohorts", "--cohort", "NOPE"), ("datasets", "NOPE"),
                 ("query", "gene_values", "-p", "gene_id=3574", "-p", "cohort=NOPE", "-p", "dataset=")):
        result = omicskb(seeded, *args)
        assert result.exit_code == 1, (args, result.output)
        (line,) = result.output.strip().splitlines()
        assert line.startswith("omicskb: error: unknown cohort 'NOPE'") and "UCEC" in line, line
    everything = omicskb(seeded, "query", "gene_value_summary", "-p", "gene_id=3574", "-p", "cohort=", "-p", "dataset=")
    assert everything.exit_code == 0 and "UCEC" in everything.output


def test_cohort_codes_resolve_in_any_case(seeded, omicskb):
    def summary(cohort):
        result = omicskb(seeded, "query", "gene_value_summary", "-p", "gene_id=3574", "-p", f"cohort={cohort}", "-p", "dataset=", "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    assert summary("ucec") == summary("UCEC") == summary(" Ucec ") != []
    for name in ("cohort_datasets", "cohort_sample_counts", "dataset_sample_types"):
        lower = omicskb(seeded, "query", name, "-p", "cohort=ucec")
        assert lower.exit_code == 0 and lower.output == omicskb(seeded, "query", name, "-p", "cohort=").output and "UCEC" in lower.output
    assert omicskb(seeded, "values", "IL7", "-c", "ucec").output.splitlines()[2:] == omicskb(seeded, "values", "IL7", "-c", "UCEC").output.splitlines()[2:]
    assert json.loads(omicskb(seeded, "cohorts", "-c", "ucec", "--format", "json").output)[0]["cohort"] == "UCEC"


def test_user_changes_the_default_and_the_blocks_follow(seeded, omicskb):
    result = omicskb(seeded, "datasets", "default", "UCEC", "mutation", "somatic_binary")
    assert result.exit_code == 0 and "somatic_binary" in result.output and "was somatic" in result.output, result.output
    assert defaults(seeded)[("UCEC", "mutation")] == "somatic_binary" and audit(seeded) == []
    engine, conn = connect(seeded)
    with conn:
        assert fetch_block(conn, "UCEC", "mutation").dataset_names == ["somatic_binary"]
        assert fetch_block(conn, "UCEC", "mutation", "somatic").dataset_names == ["somatic"]
    engine.dispose()
    lines = omicskb(seeded, "values", "IL7", "-c", "UCEC").output.splitlines()[2:]
    assert {line.split()[-1] for line in lines if line.split()[1] == "mutation"} == {"somatic_binary"}
    # the user's choice survives a reload of the unchanged cohort
    assert omicskb(seeded, "load", "cohort", UCEC, "--cohort", "UCEC", "--layout", "cptac2019").exit_code == 0
    assert defaults(seeded)[("UCEC", "mutation")] == "somatic_binary"
    missing = omicskb(seeded, "datasets", "default", "UCEC", "mutation", "nope")
    assert missing.exit_code == 1 and "somatic_binary" in missing.output  # names the datasets that exist


def test_a_pair_that_breaks_the_rules_is_refused(seeded, omicskb):
    before = query_rows(seeded, "SELECT count(*) FROM dataset_pair")
    result = omicskb(seeded, "datasets", "pair", "UCEC", "mutation", "somatic_binary", "somatic")
    assert result.exit_code == 1, result.output
    (line,) = result.output.strip().splitlines()
    assert "cannot pair" in line and "units differ" in line and "share" in line and "not normal" in line, line
    same = omicskb(seeded, "datasets", "pair", "UCEC", "protein", "proteomics", "proteomics")
    assert same.exit_code == 1 and "itself" in same.output
    assert query_rows(seeded, "SELECT count(*) FROM dataset_pair") == before
    engine = make_engine(seeded)
    with pytest.raises(lib.DatasetRuleError, match="layout pairs"), engine.begin() as conn:
        dataset_id = conn.execute(sa.text("SELECT dataset_id FROM dataset WHERE name = 'somatic_binary'")).scalar_one()
        lib.settle_dataset(conn, dataset_id, layout_pair="somatic")
    engine.dispose()


def test_forgetting_the_default_hands_it_on(seeded):
    engine = make_engine(seeded)
    with engine.begin() as conn:
        dataset_id = conn.execute(sa.text("SELECT dataset_id FROM dataset WHERE name = 'somatic'")).scalar_one()
        notes = lib.forget_dataset(conn, dataset_id)
        for table in ("measurement_row", "dataset_sample", "mutation", "dataset"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE dataset_id = :d"), {"d": dataset_id})
    engine.dispose()
    assert any("somatic_binary" in n for n in notes), notes
    assert defaults(seeded)[("UCEC", "mutation")] == "somatic_binary" and audit(seeded) == []


def test_audit_finds_broken_defaults_and_pairs(seeded):
    engine = make_engine(seeded)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE dataset SET is_default = TRUE WHERE omics_type = 'mutation'"))
        conn.execute(sa.text("UPDATE dataset SET is_default = FALSE WHERE omics_type = 'protein'"))
        ids = dict(conn.execute(sa.text("SELECT name, dataset_id FROM dataset WHERE omics_type = 'mutation'")).all())
        conn.execute(sa.text("INSERT INTO dataset_pair (tumor_dataset_id, normal_dataset_id, declared_by) VALUES (:t, :n, 'user')"), {"t": ids["somatic"], "n": ids["somatic_binary"]})
    engine.dispose()
    problems = {(r["omics_type"], r["problem"].split(" with ")[0]) for r in audit(seeded)}
    assert {("mutation", "several default datasets"), ("protein", "no default dataset"), ("mutation", "the default is the normal half of a pair"),
            ("mutation", "pair shares samples"), ("mutation", "pair of different units"),
            ("mutation", "the normal side of a pair holds samples that are not normal")} <= problems


# ---------------------------------------------------------------------------------------------
# The pan-cancer layout: pairs, and several datasets of one omics in different units


def test_pancan_phospho_default_is_the_normalized_pair(pancan):
    target, folder, output = pancan
    tumor_file, normal_file = folder / f"UCEC_{NORMALIZED}_Tumor.txt", folder / f"UCEC_{NORMALIZED}_Normal.txt"
    engine, conn = connect(target)
    with conn:
        block = fetch_block(conn, "UCEC", "phospho")
        assert block.dataset_names == [f"UCEC_{NORMALIZED}_Tumor", f"UCEC_{NORMALIZED}_Normal"]
        assert block.sample_labels == header(tumor_file) + header(normal_file)
        assert len(set(block.sample_ids.tolist())) == len(block.sample_ids)  # the same case ids, different samples
        assert block.stat_roles == ["tumor"] * len(header(tumor_file)) + ["normal"] * len(header(normal_file))
        isoform = fetch_block(conn, "ucec", "phospho", name=f"UCEC_{ISOFORM}_Normal")  # either half names the pair
        assert isoform.dataset_names == [f"UCEC_{ISOFORM}_Tumor", f"UCEC_{ISOFORM}_Normal"]
        assert isoform.feature_ids.tolist() == block.feature_ids.tolist() and isoform.sample_ids.tolist() == block.sample_ids.tolist()
        assert np.array_equal(np.isnan(isoform.values), np.isnan(block.values))
        assert np.allclose(np.nan_to_num(isoform.values), np.nan_to_num(block.values - ISOFORM_SHIFT))
        cnv = fetch_block(conn, "UCEC", "cnv")
        ratio = matrix.read(folder / "UCEC_WES_CNV_gene_ratio_log2.txt")
        assert cnv.dataset_names == ["UCEC_WES_CNV_gene_ratio_log2"] and cnv.values.shape[1] == len(ratio.samples)
        gistic = fetch_block(conn, "UCEC", "cnv", "UCEC_WES_CNV_gene_gistic_level")
        assert set(np.unique(gistic.values[~np.isnan(gistic.values)])) <= {-2.0, -1.0, 0.0, 1.0, 2.0}
    engine.dispose()
    found = defaults(target)
    assert found[("UCEC", "phospho")] == f"UCEC_{NORMALIZED}_Tumor" and found[("UCEC", "cnv")] == "UCEC_WES_CNV_gene_ratio_log2"
    pairs = query_rows(target, "SELECT t.name, n.name, p.declared_by FROM dataset_pair p JOIN dataset t ON t.dataset_id = p.tumor_dataset_id JOIN dataset n ON n.dataset_id = p.normal_dataset_id")
    tumor_files = sorted(p.name[:-len("_Tumor.txt")] for p in folder.glob("*_Tumor.txt") if (folder / p.name.replace("_Tumor.txt", "_Normal.txt")).exists())
    assert sorted(t[:-len("_Tumor")] for t, n, _ in pairs) == tumor_files and {b for _, _, b in pairs} == {"layout"}
    assert all(n == t[:-len("_Tumor")] + "_Normal" for t, n, _ in pairs)
    assert "preferred by the pancan layout" in output and audit(target) == []


def test_planning_every_block_at_once_equals_planning_each(pancan):
    """derive plans its blocks in two queries (plan_blocks); each plan must be plan_block's: the same
    datasets in the same order, the same samples in sample order."""
    from omicskb.etl.tumor_normal import candidates

    target, _, _ = pancan
    engine, conn = connect(target)
    with conn:
        wanted = candidates(conn)
        members = [[c.tumor_dataset_id] if c.normal_dataset_id == c.tumor_dataset_id else [c.tumor_dataset_id, c.normal_dataset_id] for c in wanted]
        assert any(len(m) == 2 for m in members)
        at_once = plan_blocks(conn, members)
        assert len(at_once) == len(wanted)
        for c, plan in zip(wanted, at_once):
            single = plan_block(conn, c.cohort_code, c.omics_type, c.tumor_name)
            assert plan.members == single.members
            assert [[tuple(s) for s in part] for part in plan.samples] == [[tuple(s) for s in part] for part in single.samples]
            for dataset, part in zip(plan.members, plan.samples):  # against the table itself
                ordered = conn.execute(sa.text("SELECT sample_id FROM dataset_sample WHERE dataset_id = :d ORDER BY sample_ord"), {"d": dataset.dataset_id}).scalars().all()
                assert [s.sample_id for s in part] == ordered and ordered
        with pytest.raises(lib.LookupFailed, match="no dataset with id"):
            plan_blocks(conn, [[members[0][0], 10**9]])
        # a block that would hold a sample twice (a dataset paired with itself, in effect) is refused
        with pytest.raises(BlockError, match="would hold sample"):
            plan_blocks(conn, [[members[0][0], members[0][0]]])
    engine.dispose()


def test_pancan_summary_uses_one_dataset_per_unit(pancan, omicskb):
    target, folder, _ = pancan
    ratio = matrix.read(folder / "UCEC_WES_CNV_gene_ratio_log2.txt")
    present = int(np.sum(~np.isnan(ratio.values[ratio.feature_ids.index(PTEN_ENSG)])))
    tumor, normal = (matrix.read(folder / f"UCEC_{NORMALIZED}_{s}.txt") for s in ("Tumor", "Normal"))
    s385 = [sum(int(np.sum(~np.isnan(m.values[i]))) for i, f in enumerate(m.feature_ids) if f.startswith(PTEN_ENSG) and "|S385|" in f) for m in (tumor, normal)]
    result = omicskb(target, "query", "gene_value_summary", "-p", "gene_id=5728", "-p", "cohort=UCEC", "-p", "dataset=", "--format", "json")
    rows = json.loads(result.output)
    cnv = [r for r in rows if r["omics_type"] == "cnv"]
    assert {r["dataset_name"] for r in cnv} == {"UCEC_WES_CNV_gene_ratio_log2"} and sum(r["n"] for r in cnv) == present
    site = [r for r in rows if r["omics_type"] == "phospho" and r["feature_label"] == "PTEN-S385"]
    assert {(r["role"], r["dataset_name"]) for r in site} == {("tumor", f"UCEC_{NORMALIZED}_Tumor"), ("normal", f"UCEC_{NORMALIZED}_Normal")}
    assert [next(r["n"] for r in site if r["role"] == role) for role in ("tumor", "normal")] == s385
    assert {r["block_name"] for r in rows if r["omics_type"] == "phospho"} == {f"UCEC_{NORMALIZED}_Tumor"}
    named = json.loads(omicskb(target, "query", "gene_value_summary", "-p", "gene_id=5728", "-p", "cohort=ucec", "-p", f"dataset=UCEC_{ISOFORM}_Tumor", "--format", "json").output)
    iso_site = {r["role"]: r for r in named if r["feature_label"] == "PTEN-S385"}
    normalized_site = {r["role"]: r for r in site}
    assert set(iso_site) == {"tumor", "normal"}
    for role in iso_site:
        assert iso_site[role]["n"] == normalized_site[role]["n"]
        assert iso_site[role]["median"] == pytest.approx(normalized_site[role]["median"] - ISOFORM_SHIFT)
    gistic = json.loads(omicskb(target, "values", "PTEN", "-c", "UCEC", "-d", "UCEC_WES_CNV_gene_gistic_level", "--format", "json").output)["rows"]
    assert {r["dataset_name"] for r in gistic} == {"UCEC_WES_CNV_gene_gistic_level"} and sum(r["n"] for r in gistic) == present


def test_pancan_reload_of_a_corrected_half_keeps_pair_and_default(pancan, omicskb):
    target, folder, _ = pancan
    before = query_rows(target, "SELECT tumor_dataset_id, normal_dataset_id, declared_by FROM dataset_pair ORDER BY 1")
    normal = folder / "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Normal.txt"
    rewrite_values(normal, normal, lambda v: v + 0.25)
    result = omicskb(target, "load", "cohort", folder, "--cohort", "UCEC", "--layout", "pancan")
    assert result.exit_code == 0 and " 1 loaded," in result.output, result.output
    assert query_rows(target, "SELECT tumor_dataset_id, normal_dataset_id, declared_by FROM dataset_pair ORDER BY 1") == before
    assert defaults(target)[("UCEC", "rna")] == "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor" and audit(target) == []


def test_unpair_and_pair_again_by_the_user(pancan, omicskb):
    target, _, _ = pancan
    tumor, normal = "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor", "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Normal"
    assert omicskb(target, "datasets", "unpair", "UCEC", "rna", normal).exit_code == 0
    engine, conn = connect(target)
    with conn:
        assert fetch_block(conn, "UCEC", "rna").dataset_names == [tumor]
    engine.dispose()
    wrong_way = omicskb(target, "datasets", "pair", "UCEC", "rna", normal, tumor)
    assert wrong_way.exit_code == 1 and "tumor side" in wrong_way.output
    assert omicskb(target, "datasets", "pair", "UCEC", "rna", tumor, normal).exit_code == 0
    assert query_rows(target, "SELECT declared_by FROM dataset_pair WHERE tumor_dataset_id = (SELECT dataset_id FROM dataset WHERE name = :n)", n=tumor) == [("user",)]
    crossed = omicskb(target, "datasets", "pair", "UCEC", "phospho", f"UCEC_{NORMALIZED}_Tumor", f"UCEC_{ISOFORM}_Normal")
    assert crossed.exit_code == 1 and "units differ" in crossed.output and "already paired" in crossed.output
    normal_default = omicskb(target, "datasets", "default", "UCEC", "rna", normal)
    assert normal_default.exit_code == 1 and "normal half" in normal_default.output
    assert audit(target) == []


def test_aliases_resolve_in_every_command(target, omicskb, tmp_path):
    """The fixture loaded under the alias HGSC lands in cohort OV; HGSC, hgsc and ov all find it."""
    assert omicskb(target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv").exit_code == 0
    result = omicskb(target, "load", "cohort", pancan_folder(tmp_path, "HGSC"), "--cohort", "hgsc", "--layout", "pancan")
    assert result.exit_code == 0, result.output
    assert query_rows(target, "SELECT DISTINCT cohort_code FROM dataset") == [("OV",)]
    outputs = {name: omicskb(target, "values", "PTEN", "--cohort", name).output.splitlines()[1:] for name in ("HGSC", "hgsc", "OV")}
    assert outputs["HGSC"] == outputs["hgsc"] == outputs["OV"] and any(line.split()[0] == "OV" for line in outputs["OV"][1:])
    assert json.loads(omicskb(target, "cohorts", "-c", "hgsc", "--format", "json").output)[0]["cohort"] == "OV"
    queried = omicskb(target, "query", "gene_values", "-p", "gene_id=5728", "-p", "cohort=HgSc", "-p", "dataset=", "--format", "json")
    assert queried.exit_code == 0 and {r["cohort_code"] for r in json.loads(queried.output)} == {"OV"}
    listing = omicskb(target, "datasets", "HGSC")
    assert listing.exit_code == 0 and "OV " in listing.output
    engine, conn = connect(target)
    with conn:
        assert fetch_block(conn, "hgsc", "phospho").dataset_names == [f"HGSC_{NORMALIZED}_Tumor", f"HGSC_{NORMALIZED}_Normal"]
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# Pairs by name: two `load matrix --sample-type tumor|normal` files


def test_tumor_and_normal_files_pair_by_name(target, omicskb, tmp_path):
    assert omicskb(target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv").exit_code == 0
    tumor_file, normal_file = tmp_path / "proteomics_Tumor.tsv", tmp_path / "proteomics_normal.tsv"
    tumor_file.write_bytes((PANCAN / "UCEC_proteomics_gene_abundance_log2_reference_intensity_normalized_Tumor.txt").read_bytes())
    normal_file.write_bytes((PANCAN / "UCEC_proteomics_gene_abundance_log2_reference_intensity_normalized_Normal.txt").read_bytes())
    first = omicskb(target, "load", "matrix", normal_file, "--cohort", "UCEC", "--omics", "protein", "--sample-type", "normal")
    assert first.exit_code == 0 and "default protein dataset of UCEC: proteomics_normal" in first.output, first.output
    second = omicskb(target, "load", "matrix", tumor_file, "--cohort", "UCEC", "--omics", "protein", "--sample-type", "tumor")
    assert second.exit_code == 0 and "declared by name" in second.output, second.output
    assert query_rows(target, "SELECT t.name, n.name, p.declared_by FROM dataset_pair p JOIN dataset t ON t.dataset_id = p.tumor_dataset_id JOIN dataset n ON n.dataset_id = p.normal_dataset_id") == [("proteomics_Tumor", "proteomics_normal", "name")]
    assert defaults(target) == {("UCEC", "protein"): "proteomics_Tumor"} and audit(target) == []
    engine, conn = connect(target)
    with conn:
        block = fetch_block(conn, "UCEC", "protein")
        assert block.dataset_names == ["proteomics_Tumor", "proteomics_normal"]
        assert block.values.shape[1] == len(header(tumor_file)) + len(header(normal_file))
    engine.dispose()
    # names that match but units that differ: loaded, not paired, and the load says why
    other_tumor, other_normal = tmp_path / "rna-tumor.tsv", tmp_path / "rna-normal.tsv"
    other_tumor.write_bytes((PANCAN / "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor.txt").read_bytes())
    other_normal.write_bytes((PANCAN / "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Normal.txt").read_bytes())
    assert omicskb(target, "load", "matrix", other_tumor, "--cohort", "UCEC", "--omics", "rna", "--sample-type", "tumor", "--unit", "log2 UQ").exit_code == 0
    unpaired = omicskb(target, "load", "matrix", other_normal, "--cohort", "UCEC", "--omics", "rna", "--sample-type", "normal", "--unit", "TPM")
    assert unpaired.exit_code == 0 and "not paired with rna-tumor" in unpaired.output and "units differ" in unpaired.output, unpaired.output
    assert query_rows(target, "SELECT count(*) FROM dataset_pair") == [(1,)]
    assert defaults(target)[("UCEC", "rna")] == "rna-tumor" and audit(target) == []


def test_tumor_and_normal_files_with_no_feature_in_common_are_not_paired(target, omicskb, tmp_path):
    assert omicskb(target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv").exit_code == 0
    tumor_lines = (PANCAN / "UCEC_proteomics_gene_abundance_log2_reference_intensity_normalized_Tumor.txt").read_text().splitlines(keepends=True)
    normal_lines = (PANCAN / "UCEC_proteomics_gene_abundance_log2_reference_intensity_normalized_Normal.txt").read_text().splitlines(keepends=True)
    half = len(tumor_lines) // 2
    tumor_file, normal_file = tmp_path / "proteomics_tumor.tsv", tmp_path / "proteomics_normal.tsv"
    tumor_file.write_text("".join(tumor_lines[:half]))
    tumor_features = {line.split("\t")[0] for line in tumor_lines[1:half]}
    normal_file.write_text("".join([normal_lines[0]] + [line for line in normal_lines[1:] if line.split("\t")[0] not in tumor_features]))
    assert omicskb(target, "load", "matrix", tumor_file, "--cohort", "UCEC", "--omics", "protein", "--sample-type", "tumor").exit_code == 0
    second = omicskb(target, "load", "matrix", normal_file, "--cohort", "UCEC", "--omics", "protein", "--sample-type", "normal")
    assert second.exit_code == 0 and "not paired with proteomics_tumor" in second.output and "no feature in common" in second.output, second.output
    assert query_rows(target, "SELECT count(*) FROM dataset_pair") == [(0,)]


def test_name_side_rule():
    assert lib.name_side("proteomics_tumor") == ("proteomics_", "tumor")
    assert lib.name_side("X_NORMAL") == ("X_", "normal")
    assert lib.name_side("y.Tumour") == ("y.", "tumor")
    assert lib.name_side("antitumor") is None and lib.name_side("tumor") is None and lib.name_side("proteomics") is None
