"""`omicskb derive --pair COHORT/OMICS/TUMOR=NORMAL` on both backends: it declares (or overrides) a
tumor/normal pair in derive's own transaction, derives that block and names its datasets; a
malformed value is a usage error and an unknown dataset a data error, and neither changes the
database (the failed run is logged)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import omicskb as api
from conftest import query_rows, snapshot
from omicskb.etl import tumor_normal

PAIR_ROWS = "SELECT t.name, n.name, p.declared_by FROM dataset_pair AS p JOIN dataset AS t ON t.dataset_id = p.tumor_dataset_id JOIN dataset AS n ON n.dataset_id = p.normal_dataset_id ORDER BY 1"


def write_luad(target, omicskb, tmp_path, name: str, role: str, n_samples: int, prefix: str) -> None:
    """A LUAD protein matrix from UCEC's real tumor or normal columns (tumors shifted up), loaded
    with --sample-type `role` as dataset `name`; its samples are named `prefix`000, `prefix`001, ..."""
    with api.connect(target) as db:
        block = db.block("UCEC", "protein")
    columns = block.columns(role)[:n_samples]
    assert len(columns) == n_samples
    rng = np.random.default_rng(len(name))
    values = block.values[:, columns] + (0.4 if role == "tumor" else 0.0) + rng.normal(0, 0.05, size=(len(block.feature_ids), n_samples))
    header = ["idx"] + [f"{prefix}{i:03d}" for i in range(n_samples)]
    body = ["\t".join([label] + ["NA" if np.isnan(v) else repr(float(v)) for v in row]) for label, row in zip(block.feature_labels, values)]
    path = tmp_path / f"{name}.cct"
    path.write_text("\t".join(header) + "\n" + "\n".join(body) + "\n")
    result = omicskb(target, "load", "matrix", path, "--cohort", "LUAD", "--omics", "protein", "--sample-type", role, "--name", name)
    assert result.exit_code == 0, result.output


def comparisons(target) -> list[tuple]:
    """LUAD's comparisons as (tumor dataset, normal dataset, normals)."""
    return query_rows(target, """
        SELECT t.name, n.name, c.n_normal_samples FROM tn_comparison AS c
        JOIN dataset AS t ON t.dataset_id = c.tumor_dataset_id JOIN dataset AS n ON n.dataset_id = c.normal_dataset_id
        WHERE c.cohort_code = 'LUAD' ORDER BY 1, 2""")


def audits_clean(omicskb, target) -> None:
    for audit in ("audit_tn_stale", "audit_tn_results", "audit_dataset_defaults"):
        result = omicskb(target, "query", audit, "-f", "json")
        assert result.exit_code == 0 and json.loads(result.output) == [], (audit, result.output)


def state(target) -> dict:
    """Every data row snapshot() sees, and the pairs (which it does not)."""
    return {**snapshot(target), "dataset_pair": sorted(query_rows(target, "SELECT * FROM dataset_pair"), key=repr)}


def derive_runs(target) -> list[tuple]:
    return query_rows(target, "SELECT status, command, message FROM load_run WHERE source_kind = 'derive' ORDER BY run_id")


@pytest.fixture
def name_pair(seeded, omicskb, tmp_path) -> str:
    """LUAD protein: proteomics_tumor + proteomics_normal (paired by their names, 25 normals), and
    a second normal dataset proteomics_adjacent (12 normals) that pairs with nothing; derived."""
    write_luad(seeded, omicskb, tmp_path, "proteomics_tumor", "tumor", 40, "LT")
    write_luad(seeded, omicskb, tmp_path, "proteomics_normal", "normal", 25, "LN")
    write_luad(seeded, omicskb, tmp_path, "proteomics_adjacent", "normal", 12, "LA")
    assert query_rows(seeded, PAIR_ROWS) == [("proteomics_tumor", "proteomics_normal", "name")]
    result = omicskb(seeded, "derive", "--analysis", "tumor-normal")
    assert result.exit_code == 0, result.output
    assert comparisons(seeded) == [("proteomics_tumor", "proteomics_normal", 25)]
    return seeded


def test_pair_declares_a_pair_the_names_do_not_and_derives_it(seeded, omicskb, tmp_path):
    write_luad(seeded, omicskb, tmp_path, "luad_prot_t", "tumor", 40, "LT")
    write_luad(seeded, omicskb, tmp_path, "luad_prot_adjacent", "normal", 20, "LA")
    assert query_rows(seeded, PAIR_ROWS) == []  # nothing pairs them by name
    first = omicskb(seeded, "derive", "--analysis", "tumor-normal")
    assert first.exit_code == 0 and "LUAD protein luad_prot_t: no normal samples" in first.output, first.output

    result = omicskb(seeded, "derive", "--analysis", "tumor-normal", "--pair", "luad/protein/luad_prot_t=luad_prot_adjacent")  # the cohort code in any case
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "paired LUAD/protein: tumor luad_prot_t + normal luad_prot_adjacent (declared by user)", result.output
    assert "1 comparisons computed, 4 unchanged, 1 stale removed" in result.output  # the tumor-only comparison went
    assert any(line.startswith("  LUAD protein luad_prot_t + luad_prot_adjacent: 40 tumors x 20 normals") for line in lines), result.output
    assert query_rows(seeded, PAIR_ROWS) == [("luad_prot_t", "luad_prot_adjacent", "user")]
    ids = dict(query_rows(seeded, "SELECT name, dataset_id FROM dataset WHERE cohort_code = 'LUAD'"))
    assert query_rows(seeded, "SELECT tumor_dataset_id, normal_dataset_id, n_tumor_samples, n_normal_samples FROM tn_comparison WHERE cohort_code = 'LUAD'") == [
        (ids["luad_prot_t"], ids["luad_prot_adjacent"], 40, 20)]
    assert query_rows(seeded, "SELECT count(*) FROM tn_result AS r JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id "
                              "WHERE c.cohort_code = 'LUAD' AND r.p IS NOT NULL")[0][0] > 100
    blocks = json.loads(omicskb(seeded, "query", "tumor_normal_pairs", "-p", "cohort=LUAD", "-f", "json").output)
    assert [(b["tumor_dataset"], b["normal_dataset"], b["declared_by"], b["comparison_id"] is not None) for b in blocks] == [
        ("luad_prot_t", "luad_prot_adjacent", "user", True)]
    assert derive_runs(seeded)[-1][:2] == ("ok", "derive --analysis tumor-normal --pair luad/protein/luad_prot_t=luad_prot_adjacent")
    audits_clean(omicskb, seeded)
    # the same --pair again changes nothing, and the unchanged blocks are named
    again = omicskb(seeded, "derive", "--analysis", "tumor-normal", "--pair", "LUAD/protein/luad_prot_t=luad_prot_adjacent")
    assert again.exit_code == 0, again.output
    assert "luad_prot_t and luad_prot_adjacent are already a pair (declared by user)" in again.output
    assert "0 comparisons computed, 5 unchanged" in again.output and "nothing changed" in again.output
    unchanged = next(line for line in again.output.splitlines() if line.startswith("  unchanged: "))
    assert "LUAD protein luad_prot_t + luad_prot_adjacent" in unchanged and "UCEC protein proteomics" in unchanged, unchanged


def test_pair_overrides_an_automatic_pair_and_rederives(name_pair, omicskb):
    target = name_pair
    before = query_rows(target, "SELECT comparison_id FROM tn_comparison WHERE cohort_code = 'LUAD'")
    result = omicskb(target, "derive", "--analysis", "tumor-normal", "--pair", "LUAD/protein/proteomics_tumor=proteomics_adjacent")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == ["unpaired proteomics_tumor and proteomics_normal",
                         "paired LUAD/protein: tumor proteomics_tumor + normal proteomics_adjacent (declared by user)"], result.output
    assert "1 comparisons computed, 4 unchanged, 1 stale removed" in result.output
    assert any(line.startswith("  LUAD protein proteomics_tumor + proteomics_adjacent: 40 tumors x 12 normals") for line in lines), result.output
    assert query_rows(target, PAIR_ROWS) == [("proteomics_tumor", "proteomics_adjacent", "user")]
    assert comparisons(target) == [("proteomics_tumor", "proteomics_adjacent", 12)]  # the old comparison is gone
    assert not set(before) & set(query_rows(target, "SELECT comparison_id FROM tn_comparison"))
    assert query_rows(target, "SELECT n_cohorts FROM tn_meta WHERE omics_type = 'protein' ORDER BY n_cohorts DESC LIMIT 1") == [(2,)]
    audits_clean(omicskb, target)
    # a later plain derive keeps the user's pair and has nothing to do
    again = omicskb(target, "derive", "--analysis", "tumor-normal")
    assert again.exit_code == 0 and "nothing changed" in again.output, again.output
    assert "LUAD protein proteomics_tumor + proteomics_adjacent" in again.output
    assert comparisons(target) == [("proteomics_tumor", "proteomics_adjacent", 12)]


@pytest.mark.parametrize("value", [
    "LUAD/protein/proteomics_tumor",  # no '='
    "LUAD/proteomics_tumor=proteomics_adjacent",  # no omics
    "LUAD/protein/proteomics_tumor=proteomics_adjacent=x",  # two '='
    "/protein/proteomics_tumor=proteomics_adjacent",  # empty cohort
    "LUAD/protein/proteomics_tumor=",  # empty normal
])
def test_a_malformed_pair_is_a_usage_error_and_changes_nothing(name_pair, omicskb, value):
    target = name_pair
    before, runs = state(target), derive_runs(target)
    result = omicskb(target, "derive", "--analysis", "tumor-normal", "--pair", "LUAD/protein/proteomics_tumor=proteomics_adjacent", "--pair", value)
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("omicskb: usage error: derive: Invalid value for '--pair'") and "COHORT/OMICS/TUMOR=NORMAL" in line, line
    assert state(target) == before and derive_runs(target) == runs  # refused before any run starts


def test_one_dataset_in_two_pairs_is_a_usage_error(name_pair, omicskb):
    before = state(name_pair)
    result = omicskb(name_pair, "derive", "--analysis", "tumor-normal", "--pair", "LUAD/protein/proteomics_tumor=proteomics_adjacent", "--pair", "LUAD/protein/proteomics_tumor=proteomics_normal")
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "LUAD/protein/proteomics_tumor" in line and "one pair per dataset" in line, line
    assert state(name_pair) == before


@pytest.mark.parametrize(("values", "named"), [
    # the first --pair is valid and overrides the name pair: it must be rolled back with the rest
    (["LUAD/protein/proteomics_tumor=proteomics_adjacent", "LUAD/protein/nope_tumor=proteomics_normal"], "no protein dataset named 'nope_tumor' in cohort LUAD"),
    (["LUAD/protein/proteomics_tumor=proteomics_adjacent", "NOPE/protein/proteomics_tumor=proteomics_normal"], "unknown cohort 'NOPE'"),
    # declare_pair's rules, after proteomics_normal's pair was undone to override it
    (["LUAD/protein/proteomics_normal=proteomics_adjacent"], "the tumor side proteomics_normal holds 25 normal sample(s)"),
])
def test_an_unknown_dataset_or_invalid_pair_is_a_data_error_and_changes_nothing(name_pair, omicskb, values, named):
    target = name_pair
    before = state(target)
    result = omicskb(target, "derive", "--analysis", "tumor-normal", *[arg for value in values for arg in ("--pair", value)])
    assert result.exit_code == 1, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("omicskb: error: ") and named in line, line
    assert state(target) == before
    assert query_rows(target, PAIR_ROWS) == [("proteomics_tumor", "proteomics_normal", "name")]
    status, command, message = derive_runs(target)[-1]
    assert status == "failed" and named in message and values[-1] in command, (status, command, message)
    runs = omicskb(target, "runs", "-f", "json")
    assert runs.exit_code == 0 and json.loads(runs.output)[-1]["status"] == "failed", runs.output


def test_a_derive_that_fails_after_declaring_the_pair_keeps_the_old_pair(name_pair, omicskb, monkeypatch):
    target = name_pair
    before = state(target)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tumor_normal, "rank_sum_with_boxes", broken)  # the pair is declared, then the comparison fails
    result = omicskb(target, "derive", "--analysis", "tumor-normal", "--pair", "LUAD/protein/proteomics_tumor=proteomics_adjacent")
    assert result.exit_code == 2 and "disk full" in result.output, result.output
    assert state(target) == before
    assert query_rows(target, PAIR_ROWS) == [("proteomics_tumor", "proteomics_normal", "name")]
    assert derive_runs(target)[-1][0::2] == ("failed", "disk full")
