"""`omicskb derive` (etl/tumor_normal.py) on both backends: stored tests equal scipy's per feature,
Meta P equals an independent Stouffer over two cohorts, only what changed is recomputed, stale
results never outlive the load that made them stale, a failed derive changes nothing, and a cohort
without normals shows with its reason."""

from __future__ import annotations

import gzip
import json
import math

import numpy as np
import pytest
import sqlalchemy as sa
from scipy import stats

import omicskb as api
from conftest import SEEDS, corrected_seed_proteomics, query_rows, snapshot
from omicskb.etl import tumor_normal
from test_ranksum import r_uses_exact, scipy_row

UCEC = SEEDS / "ucec"


def derived(omicskb, target) -> str:
    result = omicskb(target, "derive", "--analysis", "tumor-normal")
    assert result.exit_code == 0, result.output
    return result.output


def stored(target, cohort: str, omics: str) -> dict[int, dict]:
    rows = query_rows(target, """
        SELECT r.feature_id, r.n_tumor, r.n_normal, r.median_tumor, r.median_normal, r.hl_shift, r.u, r.z, r.exact, r.p, r.log10_p,
               r.signed_p, r.signed_log10_p, r.q, r.log10_q, r.skip_reason
        FROM tn_result AS r JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id
        WHERE c.cohort_code = :c AND c.omics_type = :o AND c.is_default""", c=cohort, o=omics)
    names = ["feature_id", "n_tumor", "n_normal", "median_tumor", "median_normal", "hl_shift", "u", "z", "exact", "p", "log10_p",
             "signed_p", "signed_log10_p", "q", "log10_q", "skip_reason"]
    return {r[0]: dict(zip(names, r)) for r in rows}


@pytest.mark.parametrize("omics", ["protein", "phospho"])
def test_stored_results_equal_scipy_for_every_feature(seeded, omicskb, omics):
    derived(omicskb, seeded)
    with api.connect(seeded) as db:
        block = db.block("UCEC", omics)
    rows = stored(seeded, "UCEC", omics)
    assert len(rows) == len(block.feature_ids)
    tumor, normal = block.columns("tumor"), block.columns("normal")
    tested = 0
    for i, feature_id in enumerate(block.feature_ids.tolist()):
        row = rows[feature_id]
        x, y = block.values[i, tumor], block.values[i, normal]
        x, y = x[~np.isnan(x)], y[~np.isnan(y)]
        assert (row["n_tumor"], row["n_normal"]) == (len(x), len(y))
        if len(x) < 20 or len(y) < 10 or len(np.unique(np.concatenate([x, y]))) == 1:
            assert row["skip_reason"] and row["p"] is None and row["log10_p"] is None
            continue
        exact = r_uses_exact(x, y)
        ref = scipy_row(x, y, exact)
        shift = float(np.median(np.subtract.outer(x, y)))
        assert row["exact"] == exact and row["u"] == ref.statistic and row["hl_shift"] == shift
        assert math.isclose(row["p"], ref.pvalue, rel_tol=1e-10) and math.isclose(10 ** row["log10_p"], ref.pvalue, rel_tol=1e-10)
        sign = 1 if shift >= 0 else -1
        assert row["signed_p"] == sign * row["p"] and row["signed_log10_p"] == sign * -row["log10_p"]
        assert row["median_tumor"] == float(np.median(x)) and row["median_normal"] == float(np.median(y))
        tested += 1
    assert tested > 50
    # BH within the comparison
    p = np.array([r["p"] for r in rows.values() if r["p"] is not None])
    q = np.array([r["q"] for r in rows.values() if r["p"] is not None])
    assert np.allclose(q, stats.false_discovery_control(p, method="bh"), rtol=1e-10)


def per_cohort_rows(target, cohort: str) -> list[tuple]:
    return query_rows(target, """
        SELECT r.feature_id, r.log10_p FROM tn_result AS r JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id
        WHERE c.omics_type = 'protein' AND c.is_default AND c.cohort_code = :c AND r.log10_p IS NOT NULL""", c=cohort)


def write_second_cohort(target, omicskb, tmp_path) -> None:
    with api.connect(target) as db:
        block = db.block("UCEC", "protein")
    tumor, normal = block.columns("tumor"), block.columns("normal")
    rng = np.random.default_rng(12)
    for role, columns, name in (("tumor", tumor[:60], "proteomics_tumor.cct"), ("normal", normal, "proteomics_normal.cct")):
        values = block.values[:, columns] + (0.4 if role == "tumor" else 0.0) + rng.normal(0, 0.05, size=(len(block.feature_ids), len(columns)))
        header = ["idx"] + [f"X{role[0].upper()}{i:03d}" for i in range(len(columns))]
        body = ["\t".join([label] + ["NA" if np.isnan(v) else repr(float(v)) for v in row]) for label, row in zip(block.feature_labels, values)]
        (tmp_path / name).write_text("\t".join(header) + "\n" + "\n".join(body) + "\n")
        result = omicskb(target, "load", "matrix", tmp_path / name, "--cohort", "LUAD", "--omics", "protein", "--sample-type", role)
        assert result.exit_code == 0, result.output


def test_meta_p_equals_an_independent_stouffer_over_two_cohorts(seeded, omicskb, tmp_path):
    write_second_cohort(seeded, omicskb, tmp_path)
    assert query_rows(seeded, "SELECT declared_by FROM dataset_pair")[0][0] == "name"  # paired by their names
    output = derived(omicskb, seeded)
    assert "LUAD protein proteomics_tumor + proteomics_normal" in output
    listed = [line.split(":")[0].strip() for line in output.splitlines() if " tumors x " in line]
    assert len(listed) >= 5 and listed == sorted(listed)  # block order, whatever order the pipeline ran them in
    per_cohort = query_rows(seeded, """
        SELECT r.feature_id, c.cohort_code, r.z, r.hl_shift, r.log10_p FROM tn_result AS r JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id
        WHERE c.omics_type = 'protein' AND c.is_default AND r.log10_p IS NOT NULL""")
    by_feature: dict[int, list] = {}
    for feature_id, cohort, z, shift, log10_p in per_cohort:
        by_feature.setdefault(feature_id, []).append((cohort, z, shift, log10_p))
    meta = {r[0]: r[1:] for r in query_rows(seeded, "SELECT feature_id, n_cohorts, n_agree, z, log10_p, signed_log10_p FROM tn_meta WHERE omics_type = 'protein'")}
    assert set(meta) == set(by_feature)
    two = 0
    for feature_id, rows in by_feature.items():
        n_cohorts, n_agree, z, log10_p, signed = meta[feature_id]
        directions = [1 if shift >= 0 else -1 for _, _, shift, _ in rows]
        majority = 1 if sum(directions) >= 0 else -1
        if len(rows) == 1:
            assert log10_p == rows[0][3] and signed == directions[0] * -rows[0][3]
            continue
        # one-sided in the majority direction, from |z| (never from a rounded p)
        combined = sum(abs(zz) * (1 if d == majority else -1) for (_, zz, _, _), d in zip(rows, directions)) / math.sqrt(len(rows))
        expected_log10 = (math.log(2) + stats.norm.logsf(abs(combined))) / math.log(10)
        assert n_cohorts == len(rows) and n_agree == sum(1 for d in directions if d == majority)
        assert math.isclose(z, combined, rel_tol=1e-12, abs_tol=1e-300)
        assert math.isclose(log10_p, expected_log10, rel_tol=1e-10)
        assert signed == (majority if combined >= 0 else -majority) * -log10_p
        two += 1
    assert two > 100
    # meta_tumor_normal recomputes it in SQL (its normal tail in log space): over both cohorts it is tn_meta,
    # over one it is that cohort's own p
    on_the_fly = json.loads(omicskb(seeded, "query", "meta_tumor_normal", "-p", "cohorts=ucec,LUAD", "-f", "json").output)
    assert len(on_the_fly) == len(meta)
    for row in on_the_fly:
        n_cohorts, n_agree, z, log10_p, signed = meta[row["feature_id"]]
        assert (row["n_cohorts"], row["n_agree"]) == (n_cohorts, n_agree)
        assert math.isclose(row["log10_p"], log10_p, rel_tol=1e-10, abs_tol=1e-13) and math.isclose(row["signed_log10_p"], signed, rel_tol=1e-10, abs_tol=1e-13)
    luad = {r[0]: r[1] for r in per_cohort_rows(seeded, "LUAD")}
    alone = json.loads(omicskb(seeded, "query", "meta_tumor_normal", "-p", "cohorts=luad", "-f", "json").output)
    assert len(alone) == len(luad) and all(r["log10_p"] == luad[r["feature_id"]] for r in alone)
    rows = json.loads(omicskb(seeded, "query", "gene_tumor_normal", "-p", "gene=PTEN", "-f", "json").output)
    protein = [r for r in rows if r["omics"] == "protein"]
    assert [r["cohort"] for r in protein] == ["LUAD", "UCEC", "META"] and protein[-1]["n_cohorts"] == 2
    assert omicskb(seeded, "query", "audit_tn_results").output.count("\n") == 1


def test_only_what_changed_is_recomputed_and_stale_results_never_outlive_a_load(seeded, omicskb, tmp_path):
    first = derived(omicskb, seeded)
    assert "4 comparisons computed" in first
    again = derived(omicskb, seeded)
    assert "0 comparisons computed, 4 unchanged" in again and "nothing changed" in again
    before = {k: v for k, v in snapshot(seeded).items() if k.startswith("tn_") and k != "tn_comparison"}
    # a corrected protein file: its comparison goes in the load's own transaction, with protein's Meta P
    corrected = corrected_seed_proteomics(tmp_path)
    load = omicskb(seeded, "load", "matrix", corrected, "--cohort", "UCEC", "--omics", "protein", "--name", "proteomics")
    assert load.exit_code == 0 and "removed 1 tumor-vs-normal comparison(s) and the Meta P of protein" in load.output, load.output
    assert query_rows(seeded, "SELECT count(*) FROM tn_comparison WHERE omics_type = 'protein'")[0][0] == 0
    assert query_rows(seeded, "SELECT count(*) FROM tn_meta WHERE omics_type = 'protein'")[0][0] == 0
    assert omicskb(seeded, "query", "audit_tn_stale").output.count("\n") == 1
    third = derived(omicskb, seeded)
    assert "1 comparisons computed, 3 unchanged" in third and "UCEC protein proteomics" in third
    after = {k: v for k, v in snapshot(seeded).items() if k.startswith("tn_") and k != "tn_comparison"}
    assert after["tn_box"] != before["tn_box"]  # the new value changed a box
    for audit in ("audit_tn_stale", "audit_tn_results"):
        assert omicskb(seeded, "query", audit).output.count("\n") == 1, audit
    # removing a dataset removes its results with it
    removed = omicskb(seeded, "remove", "dataset", "UCEC", "rna", "transcriptomics_linear")
    assert removed.exit_code == 0 and "tumor-vs-normal" in removed.output
    assert query_rows(seeded, "SELECT count(*) FROM tn_comparison WHERE omics_type = 'rna'")[0][0] == 0
    assert query_rows(seeded, "SELECT count(*) FROM tn_meta WHERE omics_type = 'rna'")[0][0] == 0
    runs = query_rows(seeded, "SELECT status, rows_loaded FROM load_run WHERE source_kind = 'derive' ORDER BY run_id")
    assert [r[0] for r in runs] == ["ok", "ok", "ok"] and runs[1][1] == 0


def test_a_pair_undone_or_a_default_moved_takes_its_stale_results_with_it(seeded, omicskb, tmp_path):
    """`datasets unpair|pair|default` drop the results they make stale in their own transaction (as a
    load does), so no query serves a comparison of an undone pair until the next derive; --dry-run
    says so and writes nothing."""
    write_second_cohort(seeded, omicskb, tmp_path)
    derived(omicskb, seeded)
    luad = "SELECT count(*) FROM tn_comparison WHERE cohort_code = 'LUAD'"
    assert query_rows(seeded, luad)[0][0] == 1
    before = snapshot(seeded)
    dry = omicskb(seeded, "datasets", "unpair", "LUAD", "protein", "proteomics_tumor", "--dry-run")
    assert dry.exit_code == 0 and "dry run: would remove 1 tumor-vs-normal comparison(s) and the Meta P of protein" in dry.output, dry.output
    assert snapshot(seeded) == before
    undone = omicskb(seeded, "datasets", "unpair", "LUAD", "protein", "proteomics_tumor")
    assert undone.exit_code == 0 and "removed 1 tumor-vs-normal comparison(s) and the Meta P of protein" in undone.output, undone.output
    assert query_rows(seeded, luad)[0][0] == 0 and query_rows(seeded, "SELECT count(*) FROM tn_meta WHERE omics_type = 'protein'")[0][0] == 0
    assert omicskb(seeded, "query", "audit_tn_stale").output.count("\n") == 1
    rows = json.loads(omicskb(seeded, "query", "gene_tumor_normal", "-p", "gene=PTEN", "-f", "json").output)
    assert [r["cohort"] for r in rows if r["omics"] == "protein"] == ["UCEC"]
    assert "LUAD protein proteomics_tumor: no normal samples" in derived(omicskb, seeded)
    paired = omicskb(seeded, "datasets", "pair", "LUAD", "protein", "proteomics_tumor", "proteomics_normal")
    assert paired.exit_code == 0 and "removed 1 tumor-vs-normal comparison(s)" in paired.output, paired.output
    assert "LUAD protein proteomics_tumor + proteomics_normal: 60 tumors x " in derived(omicskb, seeded)
    for audit in ("audit_tn_stale", "audit_tn_results"):
        assert omicskb(seeded, "query", audit).output.count("\n") == 1, audit
    # a moved default: the normal half cannot be it, and a failed change writes nothing
    before = snapshot(seeded)
    refused = omicskb(seeded, "datasets", "default", "LUAD", "protein", "proteomics_normal")
    assert refused.exit_code == 1 and snapshot(seeded) == before


def test_a_result_stored_twice_is_refused_or_reported(seeded, omicskb):
    """DuckDB keeps no primary key on tn_result, tn_box and tn_box_outlier (migration 0007):
    audit_tn_results reports a duplicate there; PostgreSQL's keys refuse it."""
    import sqlalchemy as sa

    from omicskb.etl.db import make_engine

    derived(omicskb, seeded)
    engine = make_engine(seeded)
    duplicates = [f"INSERT INTO {table} SELECT * FROM (SELECT * FROM {table} ORDER BY comparison_id, feature_id LIMIT 1) AS one_row"
                  for table in ("tn_result", "tn_box", "tn_box_outlier")]
    if engine.dialect.name == "postgresql":
        for sql in duplicates:
            with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
                conn.execute(sa.text(sql))
        engine.dispose()
        return
    with engine.begin() as conn:
        for sql in duplicates:
            conn.execute(sa.text(sql))
    engine.dispose()
    report = json.loads(omicskb(seeded, "query", "audit_tn_results", "-f", "json").output)
    twice = sorted(r["problem"] for r in report if r["problem"].endswith("stored twice"))
    assert twice == ["box stored twice", "outlier stored twice", "result stored twice"], report


def test_a_cohort_without_normals_shows_with_its_reason(seeded, omicskb, tmp_path):
    with gzip.open(UCEC / "proteomics.cct.gz", "rt") as handle:
        text = handle.read()
    (tmp_path / "brca_proteomics.cct").write_text(text.replace("\tS", "\tB"))
    result = omicskb(seeded, "load", "matrix", tmp_path / "brca_proteomics.cct", "--cohort", "BRCA", "--omics", "protein", "--sample-type", "tumor")
    assert result.exit_code == 0, result.output
    output = derived(omicskb, seeded)
    assert "BRCA protein brca_proteomics: no normal samples" in output
    rows = json.loads(omicskb(seeded, "query", "gene_tumor_normal", "-p", "gene=PTEN", "-f", "json").output)
    brca = [r for r in rows if r["cohort"] == "BRCA"]
    assert brca and brca[0]["note"] == "no normal samples" and brca[0]["p"] is None
    meta = [r for r in rows if r["omics"] == "protein" and r["is_meta"]]
    assert meta[0]["n_cohorts"] == 1  # BRCA adds nothing to the Meta P


# derive fetches the next block and writes the previous one while it computes: a failure in any
# of the three stages (the fetch and write threads included) must roll back the whole run.
@pytest.mark.parametrize("stage", ["rank_sum_with_boxes", "fetch_planned_roles", "bulk_insert"])
def test_a_failed_derive_changes_nothing_and_says_so(seeded, omicskb, monkeypatch, stage):
    before = snapshot(seeded)
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    original = getattr(tumor_normal, stage)
    monkeypatch.setattr(tumor_normal, stage, broken)
    result = omicskb(seeded, "derive", "--analysis", "tumor-normal")
    assert result.exit_code == 2 and "disk full" in result.output
    after = snapshot(seeded)
    assert {k: v for k, v in after.items() if k != "load_run"} == {k: v for k, v in before.items() if k != "load_run"}
    assert query_rows(seeded, "SELECT status, message FROM load_run WHERE source_kind = 'derive'") == [("failed", "disk full")]


@pytest.mark.realdata
def test_every_stored_protein_and_rna_p_of_the_full_ucec_cohort_equals_scipy(realdata, tmp_path_factory, omicskb):
    """derive on the complete cptac 2019 UCEC cohort; then every stored protein and RNA result
    against scipy (exact where R goes exact, else asymptotic with continuity correction)."""
    target = str(tmp_path_factory.mktemp("tn_ucec") / "ucec.duckdb")
    assert omicskb(target, "init").exit_code == 0
    assert omicskb(target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv").exit_code == 0  # TP53 among its genes
    result = omicskb(target, "load", "cohort", realdata / "cptac-ucec-2019", "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 0, result.output
    derived(omicskb, target)
    checked = 0
    with api.connect(target) as db:
        blocks = {omics: db.block("UCEC", omics) for omics in ("protein", "rna")}
    for omics, block in blocks.items():
        rows = stored(target, "UCEC", omics)
        tumor, normal = block.columns("tumor"), block.columns("normal")
        for i, feature_id in enumerate(block.feature_ids.tolist()):
            row = rows[feature_id]
            if row["p"] is None:
                continue
            x, y = block.values[i, tumor], block.values[i, normal]
            x, y = x[~np.isnan(x)], y[~np.isnan(y)]
            ref = scipy_row(x, y, row["exact"])
            assert row["exact"] == r_uses_exact(x, y)
            assert math.isclose(row["p"], ref.pvalue, rel_tol=1e-10), (omics, feature_id)
            assert (row["signed_p"] > 0) == (np.median(np.subtract.outer(x, y)) >= 0)
            checked += 1
    assert checked > 35_000
    tp53 = json.loads(omicskb(target, "query", "gene_tumor_normal", "-p", "gene=TP53", "-f", "json").output)
    assert {r["omics"] for r in tp53 if r["p"] is not None} >= {"protein", "rna"}


def test_derive_in_a_transaction_that_changed_a_dataset_computes_from_what_that_transaction_sees(seeded):
    """derive reads the next block on a connection of its own (outside its transaction) while it
    computes: when that connection sees other releases than derive's transaction (here, values and
    a release changed earlier in the same, uncommitted transaction), the block is read on derive's
    own connection, never from the older committed rows."""
    from omicskb.etl.db import make_engine
    from omicskb.etl.runs import record_run
    from omicskb.etl.db import utcnow

    engine = make_engine(seeded)
    with engine.begin() as conn:
        dataset_id, release_id = conn.execute(sa.text(
            "SELECT dataset_id, release_id FROM dataset WHERE cohort_code = 'UCEC' AND omics_type = 'protein' AND is_default")).one()
        other_release = conn.execute(sa.text("SELECT min(release_id) FROM source_release WHERE release_id <> :r"), {"r": release_id}).scalar_one()
        feature_id = conn.execute(sa.text("SELECT min(feature_id) FROM measurement_row WHERE dataset_id = :d"), {"d": dataset_id}).scalar_one()
    run_id = record_run(engine, {"command": "test", "source_kind": "derive", "file_path": "-", "status": "running", "started_at": utcnow(), "omicskb_version": "test"})
    with engine.connect() as conn:
        transaction = conn.begin()
        # every value of the feature becomes 1000 + its sample position: a median no committed row has
        n_samples = conn.execute(sa.text("SELECT n_samples FROM dataset WHERE dataset_id = :d"), {"d": dataset_id}).scalar_one()
        changed = [1000.0 + i for i in range(n_samples)]
        conn.execute(sa.text("UPDATE measurement_row SET sample_values = :v WHERE dataset_id = :d AND feature_id = :f"),
                     {"v": changed, "d": dataset_id, "f": feature_id})
        conn.execute(sa.text("UPDATE dataset SET release_id = :r WHERE dataset_id = :d"), {"r": other_release, "d": dataset_id})
        tumor_normal.derive_tumor_normal(conn, run_id)
        tumor_columns = [i for i, (role,) in enumerate(conn.execute(sa.text(
            "SELECT s.stat_role FROM dataset_sample AS ds JOIN sample AS s ON s.sample_id = ds.sample_id WHERE ds.dataset_id = :d ORDER BY ds.sample_ord"),
            {"d": dataset_id})) if role == "tumor"]
        median_tumor = conn.execute(sa.text(
            "SELECT r.median_tumor FROM tn_result AS r JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id "
            "WHERE c.tumor_dataset_id = :d AND r.feature_id = :f"), {"d": dataset_id, "f": feature_id}).scalar_one()
        transaction.rollback()
    assert median_tumor == float(np.median([changed[i] for i in tumor_columns]))


def test_fetch_buffers_are_reused_only_once_given_back():
    """derive hands each computed block's matrices back for the next fetches (tumor_normal._Buffers):
    a buffer is never handed out twice, and a given-back one is reused, the smallest that fits."""
    from omicskb.etl.tumor_normal import _Buffers

    buffers = _Buffers()
    first = buffers.take(1000)
    second = buffers.take(1000)
    assert first.size == second.size == 1000 and not np.shares_memory(first, second)  # nothing given back yet: new memory
    large = buffers.take(5000)
    buffers.give_back([first.reshape(10, 100), large.reshape(50, 100), large.reshape(50, 100)])  # the same buffer twice counts once
    reused = buffers.take(800)
    assert np.shares_memory(reused, first) and reused.size == 800  # the smallest that holds it
    assert np.shares_memory(buffers.take(3000), large)
    after = buffers.take(10)
    assert not np.shares_memory(after, first) and not np.shares_memory(after, large)  # both handed out already, each once
    buffers.give_back([np.arange(10)])  # not a float buffer: not kept
    assert buffers.take(10).dtype == np.float64


def test_pipeline_order_puts_small_blocks_before_the_largest_and_ends_small():
    """derive's block order (tumor_normal._pipeline_order): small blocks first, together fewer
    values than the largest (computed while it is read), then the rest largest first (so the last
    write is a small one); every block once."""
    from types import SimpleNamespace

    from omicskb.etl.tumor_normal import _pipeline_order, _size

    def planned(sizes):
        return [(SimpleNamespace(members=[SimpleNamespace(n_features=size, n_samples=1)]), f"block {i}") for i, size in enumerate(sizes)]

    pancan_like = [17, 2, 3, 17, 2, 3, 16, 2, 3, 17, 2, 3]  # phospho, protein, rna per cohort, in millions of values
    order = _pipeline_order(planned(pancan_like))
    sizes = [_size(plan) for plan, _ in order]
    assert sorted(label for _, label in order) == sorted(f"block {i}" for i in range(len(pancan_like)))
    assert sizes == [2, 2, 2, 2, 3, 3, 17, 17, 17, 16, 3, 3]  # 2+2+2+2+3+3 = 14 < 17; one more 3 would reach it
    assert _pipeline_order(planned([5, 1])) == planned([5, 1])  # too few to reorder
    assert [_size(p) for p, _ in _pipeline_order(planned([9, 9, 9]))] == [9, 9, 9]
    assert [_size(p) for p, _ in _pipeline_order(planned([1, 1, 1, 1]))] == [1, 1, 1, 1]
    assert [_size(p) for p, _ in _pipeline_order(planned([1, 2, 30, 4]))] == [1, 2, 30, 4]  # (two left for the descending part)
    assert [_size(p) for p, _ in _pipeline_order(planned([1, 2, 30, 4, 5]))] == [1, 2, 4, 30, 5]


def test_duckdb_runs_one_worker_thread_during_a_derive_and_gets_its_threads_back(duckdb_target, omicskb, monkeypatch):
    """run_derive limits DuckDB's own workers (tumor_normal.DUCKDB_THREADS) while it runs, and
    gives the setting back afterwards, after a failure too."""
    from omicskb.etl.db import make_engine

    assert omicskb(duckdb_target, "load", "seeds", SEEDS).exit_code == 0
    engine = make_engine(duckdb_target)

    def threads(conn) -> int:
        return int(conn.execute(sa.text("SELECT current_setting('threads')")).scalar_one())

    with engine.connect() as conn:
        conn.exec_driver_sql("SET threads = 2")
        before = threads(conn)
    seen = []
    store = tumor_normal._store

    def watched(conn, *args, **kwargs):
        seen.append(threads(conn))
        return store(conn, *args, **kwargs)

    monkeypatch.setattr(tumor_normal, "_store", watched)
    report = tumor_normal.run_derive(engine, "derive (test)")
    assert report.computed and seen and set(seen) == {tumor_normal.DUCKDB_THREADS}
    with engine.connect() as conn:
        assert threads(conn) == before == 2

    def broken(conn, *args, **kwargs):
        raise RuntimeError("injected")

    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM tn_box_outlier")); conn.execute(sa.text("DELETE FROM tn_box"))
        conn.execute(sa.text("DELETE FROM tn_result")); conn.execute(sa.text("DELETE FROM tn_comparison_sample"))
        conn.execute(sa.text("DELETE FROM tn_meta")); conn.execute(sa.text("DELETE FROM tn_comparison"))
    monkeypatch.setattr(tumor_normal, "_store", broken)
    with pytest.raises(RuntimeError, match="injected"):
        tumor_normal.run_derive(engine, "derive (test)")
    with engine.connect() as conn:
        assert threads(conn) == 2
    engine.dispose()
