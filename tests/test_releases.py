"""Reload semantics, shrink refusal, dry runs and undo, through the CLI on both backends.

Each test reproduces a mistake a user can make with a load and checks it can be seen and undone.
"""

from __future__ import annotations

import gzip

import pytest

from conftest import DATA, SEEDS, query_rows, snapshot

UCEC = SEEDS / "ucec"
GENE_INFO = SEEDS / "gene_info_il7_ucec.tsv"
DATA_TABLES = (
    "gene", "gene_symbol", "gene_xref", "gene_summary", "ortholog", "species_gene", "gene_category", "go_term", "go_alt_id",
    "go_relation", "go_closure", "gene_go_annotation", "transcript", "transcript_selection", "cohort", "cohort_alias", "patient",
    "sample", "clinical_attribute", "clinical_level", "clinical_value", "dataset", "dataset_sample", "feature", "measurement_row", "mutation",
)


def data_tables(target: str) -> dict[str, list]:
    """Every row of the data tables (not the run log, releases or archive)."""
    full = snapshot(target)
    full["cohort_alias"] = sorted(map(tuple, query_rows(target, "SELECT * FROM cohort_alias")), key=repr)
    return {t: full[t] for t in DATA_TABLES}


def run_count(target: str) -> int:
    return query_rows(target, "SELECT count(*) FROM load_run")[0][0]


def last_run(target: str) -> tuple:
    return query_rows(target, "SELECT status, message, rows_removed, rows_unlinked, rows_rejected FROM load_run ORDER BY run_id DESC LIMIT 1")[0]


def proteomics_lines() -> list[str]:
    with gzip.open(UCEC / "proteomics.cct.gz", "rt", encoding="utf-8") as handle:
        return handle.read().splitlines(keepends=True)


def value_of(target: str, feature: str, sample: str, dataset: str = "proteomics", cohort: str = "UCEC") -> list:
    return query_rows(
        target, "SELECT value FROM measurement WHERE cohort_code = :c AND dataset_name = :d AND raw_identifier = :f AND sample_label = :s",
        c=cohort, d=dataset, f=feature, s=sample,
    )


@pytest.fixture
def corrected(tmp_path) -> tuple:
    """The seed proteomics matrix, as shipped and with one value corrected: (original, corrected, feature, sample, old, new)."""
    lines = proteomics_lines()
    header = lines[0].rstrip("\r\n").split("\t")
    fields = lines[5].rstrip("\r\n").split("\t")
    old = float(fields[7])
    fields[7] = "42.5"
    original = tmp_path / "original" / "proteomics.cct"
    fixed = tmp_path / "fixed" / "proteomics.cct"
    original.parent.mkdir()
    fixed.parent.mkdir()
    original.write_text("".join(lines))
    fixed.write_text("".join(lines[:5] + ["\t".join(fields) + "\n"] + lines[6:]))
    return original, fixed, fields[0], header[7], old, 42.5


# ---------------------------------------------------------------------------------------------
# 1. A reload does what the user asked


def test_reloading_the_original_after_a_correction_loads_the_original_and_rollback_brings_the_correction_back(seeded, omicskb, corrected):
    original, fixed, feature, sample, old, new = corrected
    matrix = ("load", "matrix", "--cohort", "UCEC", "--omics", "protein", "--name", "proteomics")
    assert omicskb(seeded, *matrix[:2], fixed, *matrix[2:]).exit_code == 0
    assert value_of(seeded, feature, sample) == [(new,)]
    result = omicskb(seeded, *matrix[:2], original, *matrix[2:])
    assert result.exit_code == 0, result.output
    assert ": unchanged," not in result.output and "replaced release" in result.output, result.output
    assert value_of(seeded, feature, sample) == [(old,)]
    # Loading the original again now changes nothing: it is what the dataset holds.
    again = omicskb(seeded, *matrix[:2], original, *matrix[2:])
    assert again.exit_code == 0 and ": unchanged," in again.output and "nothing changed" in again.output
    # The mistake can be undone: the corrected values come back.
    undo = omicskb(seeded, "rollback", "dataset:UCEC/protein/proteomics")
    assert undo.exit_code == 0, undo.output
    assert value_of(seeded, feature, sample) == [(new,)]
    current = query_rows(seeded, "SELECT file_name, state FROM source_release WHERE slot_key = 'dataset:UCEC/protein/proteomics' AND state = 'current'")
    assert current == [("proteomics.cct", "current")]
    assert query_rows(seeded, "SELECT count(*) FROM measurement_row m JOIN dataset d ON d.dataset_id = m.dataset_id WHERE d.name = 'proteomics'") == [(len(proteomics_lines()) - 1,)]


@pytest.mark.parametrize("change", ["cohort", "name", "sample_type"])
def test_the_same_bytes_with_another_parameter_load_again(seeded, omicskb, change):
    path = UCEC / "proteomics.cct.gz"
    base = ["load", "matrix", path, "--omics", "protein"]
    if change == "cohort":
        # The same file into a cohort of one's own (created by the load) with tumor columns.
        args = [*base, "--cohort", "lab1", "--cohort-name", "Lab cohort 1", "--sample-type", "tumor"]
        where = ("LAB1", "proteomics")
    elif change == "name":
        args = [*base, "--cohort", "UCEC", "--name", "proteomics_copy"]
        where = ("UCEC", "proteomics_copy")
    else:
        # The seed loaded it from the sample table; as all-tumor columns it is a different load
        # (it creates tumor samples of the same labels where the sheet has normals).
        args = [*base, "--cohort", "UCEC", "--sample-type", "tumor", "--name", "proteomics_as_tumor"]
        where = ("UCEC", "proteomics_as_tumor")
    result = omicskb(seeded, *args)
    assert result.exit_code == 0, result.output
    assert ": unchanged," not in result.output
    rows = query_rows(seeded, "SELECT n_features, n_samples FROM dataset WHERE cohort_code = :c AND name = :n", c=where[0], n=where[1])
    assert rows == [(len(proteomics_lines()) - 1, 153)], result.output
    assert omicskb(seeded, *args).output.count(": unchanged,") == 1
    if change == "cohort":
        assert query_rows(seeded, "SELECT name FROM cohort WHERE cohort_code = 'LAB1'") == [("Lab cohort 1",)]
        assert "created cohort LAB1" in result.output
        # the original UCEC dataset is untouched
        assert query_rows(seeded, "SELECT count(*) FROM dataset WHERE cohort_code = 'UCEC' AND name = 'proteomics'") == [(1,)]


def test_cohort_names_key_loads_without_regard_to_case_or_alias(seeded, omicskb):
    result = omicskb(seeded, "load", "matrix", UCEC / "proteomics.cct.gz", "--cohort", "ucec", "--omics", "protein")
    assert result.exit_code == 0 and ": unchanged," in result.output, result.output


# ---------------------------------------------------------------------------------------------
# 2. Nothing is deleted by surprise, and every mistake can be undone


def subset(path, tmp_path, rows: int):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out = tmp_path / f"subset_{path.name}"
    out.write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return out


def test_a_subset_release_is_refused_then_accepted_with_the_flag_and_rolled_back(target, omicskb, tmp_path):
    assert omicskb(target, "load", "gene-info", GENE_INFO).exit_code == 0
    full = data_tables(target)
    runs = run_count(target)
    small = subset(GENE_INFO, tmp_path, 40)

    refused = omicskb(target, "load", "gene-info", small)
    assert refused.exit_code == 1
    message = refused.output.strip().splitlines()
    assert len(message) == 1 and message[0].startswith("omicskb: error: ") and "refused" in message[0], refused.output
    symbols_before = len(full["gene_symbol"])
    assert f"gene_symbol " in message[0] and f"of {symbols_before:,}" in message[0] and "--allow-shrink" in message[0]
    assert data_tables(target) == full
    assert last_run(target)[0] == "refused" and run_count(target) == runs + 1

    dry = omicskb(target, "load", "gene-info", small, "--dry-run")
    assert dry.exit_code == 1 and dry.output.startswith("dry run: ") and "refused" in dry.output, dry.output
    assert data_tables(target) == full and run_count(target) == runs + 1

    accepted = omicskb(target, "load", "gene-info", small, "--allow-shrink")
    assert accepted.exit_code == 0, accepted.output
    kept_genes = {line.split("\t")[1] for line in small.read_text().splitlines()[1:]}
    assert {r[0] for r in query_rows(target, "SELECT DISTINCT gene_id FROM gene_symbol")} == kept_genes
    assert last_run(target)[2] > 0  # rows_removed, honestly counted

    # Reloading the full file is a real load again (the subset holds the slot), not "unchanged".
    again = omicskb(target, "load", "gene-info", GENE_INFO, "--dry-run")
    assert again.exit_code == 0 and ": unchanged," not in again.output

    undo = omicskb(target, "rollback", "gene_info:9606")
    assert undo.exit_code == 0, undo.output
    assert data_tables(target) == full
    assert query_rows(target, "SELECT state FROM source_release WHERE file_name = :f", f=small.name) == [("removed",)]
    reload = omicskb(target, "load", "gene-info", GENE_INFO)
    assert reload.exit_code == 0 and ": unchanged," in reload.output


def test_a_small_change_in_a_release_is_not_a_shrink(target, omicskb, tmp_path):
    assert omicskb(target, "load", "gene-info", GENE_INFO).exit_code == 0
    lines = GENE_INFO.read_text(encoding="utf-8").splitlines(keepends=True)
    newer = tmp_path / "gene_info_newer.tsv"
    newer.write_text("".join(lines[:-3]), encoding="utf-8")  # three genes gone: well under the limit
    result = omicskb(target, "load", "gene-info", newer)
    assert result.exit_code == 0, result.output
    assert "removed" in result.output


@pytest.mark.parametrize("command, file", [
    ("gene2go", SEEDS / "gene2go_il7_seed_page.tsv"),
    ("go-obo", SEEDS / "go_il7_terms_with_ancestors.obo"),
    ("hgnc", SEEDS / "hgnc_il7.tsv"),
    ("orthologs", SEEDS / "hcop_human_mouse_il7.csv"),
    ("gtf", SEEDS / "gencode_il7_transcripts.gtf"),
])
def test_rolling_back_a_replacement_restores_the_previous_release_exactly(target, omicskb, tmp_path, command, file):
    """Every annotation kind: load the seed, then a release that drops rows; roll it back."""
    assert omicskb(target, "load", "gene-info", GENE_INFO).exit_code == 0
    assert omicskb(target, "load", command, file).exit_code == 0
    before = data_tables(target)
    text = file.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if command == "go-obo":
        stanzas = text.split("\n[Term]\n")
        smaller = "\n[Term]\n".join(stanzas[:-5]) + "\n"  # the last five terms go
    elif command == "orthologs":
        smaller = "".join(line for line in lines if ",IL7," not in line)  # the rows that resolve are IL7's and IL7R's
    else:
        smaller = "".join(lines[: max(2, len(lines) - 3)])
    newer = tmp_path / file.name
    newer.write_text(smaller, encoding="utf-8")
    result = omicskb(target, "load", command, newer, "--allow-shrink")
    assert result.exit_code == 0, result.output
    assert data_tables(target) != before
    undo = omicskb(target, "rollback", query_rows(target, "SELECT max(release_id) FROM source_release WHERE state = 'current'")[0][0])
    assert undo.exit_code == 0, undo.output
    assert data_tables(target) == before


def test_rolling_back_a_sample_table_restores_types_and_clinical_values(target, omicskb, tmp_path):
    assert omicskb(target, "load", "samples", UCEC / "clinical.txt", "--cohort", "UCEC").exit_code == 0
    before = data_tables(target)
    raw = (UCEC / "clinical.txt").read_bytes().decode("cp1252").splitlines(keepends=True)
    header = raw[0].split("\t")
    age = header.index("Age") if "Age" in header else 5
    edited = [raw[0]]
    for line in raw[1:]:
        fields = line.split("\t")
        if fields[age] not in ("", "NA"):
            fields[age] = "1"
        edited.append("\t".join(fields))
    newer = tmp_path / "clinical.txt"
    newer.write_bytes("".join(edited).encode("cp1252"))
    assert omicskb(target, "load", "samples", newer, "--cohort", "UCEC").exit_code == 0
    assert data_tables(target) != before
    assert omicskb(target, "rollback", "samples:UCEC/cptac2019_clinical").exit_code == 0
    assert data_tables(target) == before


def test_an_older_release_after_a_newer_one_is_pointed_out(target, omicskb, tmp_path):
    assert omicskb(target, "load", "gene-info", GENE_INFO, "--release-date", "2030-01-01").exit_code == 0
    result = omicskb(target, "load", "gene-info", GENE_INFO, "--release-date", "2020-01-01")
    assert result.exit_code == 0 and "older than release" in result.output and "omicskb rollback" in result.output, result.output


# ---------------------------------------------------------------------------------------------
# Dry runs write nothing


DRY_RUNS = [
    ("gene-info", GENE_INFO),
    ("go-obo", SEEDS / "go_il7_terms_with_ancestors.obo"),
    ("gene2go", SEEDS / "gene2go_il7_seed_page.tsv"),
    ("hgnc", SEEDS / "hgnc_il7.tsv"),
    ("species-genes", SEEDS / "mgi_il7.tsv"),
    ("orthologs", SEEDS / "hcop_human_mouse_il7.csv"),
    ("summaries", SEEDS / "il7_summary_refseq_2020-07.tsv"),
    ("gtf", SEEDS / "gencode_il7_transcripts.gtf"),
    ("isoforms", SEEDS / "il7_isoform_selection.tsv"),
    ("categories", SEEDS / "categories_il7.tsv"),
    ("gene2ensembl", DATA / "ncbi" / "gene2ensembl_il7_primary.tsv"),
]


@pytest.mark.parametrize("command, file", DRY_RUNS, ids=[c for c, _ in DRY_RUNS])
def test_a_dry_run_of_an_annotation_load_reports_and_writes_nothing(target, omicskb, command, file):
    if command != "gene-info":
        assert omicskb(target, "load", "gene-info", GENE_INFO).exit_code == 0
    before, runs = snapshot(target), run_count(target)
    result = omicskb(target, "load", command, file, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("dry run: ") and "nothing written" in result.output and "rows" in result.output, result.output
    assert snapshot(target) == before and run_count(target) == runs
    # the real load then writes what the dry run said
    assert omicskb(target, "load", command, file).exit_code == 0
    assert snapshot(target) != before


def test_dry_runs_of_cohort_loads_write_nothing(target, omicskb):
    assert omicskb(target, "load", "gene-info", GENE_INFO).exit_code == 0
    before, runs = snapshot(target), run_count(target)
    whole = omicskb(target, "load", "cohort", UCEC, "--cohort", "UCEC", "--layout", "cptac2019", "--dry-run")
    assert whole.exit_code == 0, whole.output
    # one transaction for the whole directory: the matrices see the samples the dry run loaded
    assert "dry run: 8 files: 8 would load" in whole.output, whole.output
    assert snapshot(target) == before and run_count(target) == runs
    assert query_rows(target, "SELECT count(*) FROM load_batch") == [(0,)]
    for args in (
        ("samples", UCEC / "clinical.txt", "--cohort", "UCEC"),
        ("matrix", UCEC / "proteomics.cct.gz", "--cohort", "UCEC", "--omics", "protein", "--sample-type", "tumor"),
    ):
        result = omicskb(target, "load", *args, "--dry-run")
        assert result.exit_code == 0 and result.output.startswith("dry run: "), result.output
        assert snapshot(target) == before and run_count(target) == runs


# ---------------------------------------------------------------------------------------------
# Undo commands


def test_remove_a_dataset_with_a_dry_run_first(seeded, omicskb):
    before, runs = snapshot(seeded), run_count(seeded)
    dry = omicskb(seeded, "remove", "dataset", "ucec", "protein", "proteomics", "--dry-run")
    assert dry.exit_code == 0 and dry.output.startswith("dry run: ") and "measurement_row" in dry.output, dry.output
    assert snapshot(seeded) == before and run_count(seeded) == runs
    result = omicskb(seeded, "remove", "dataset", "UCEC", "protein", "proteomics")
    assert result.exit_code == 0, result.output
    assert query_rows(seeded, "SELECT count(*) FROM dataset WHERE name = 'proteomics'") == [(0,)]
    n = len(proteomics_lines()) - 1
    assert query_rows(seeded, "SELECT command, status, rows_removed FROM load_run ORDER BY run_id DESC LIMIT 1")[0][1:] == ("ok", n + 153 + 1)
    for audit in ("audit_cohort_orphans", "audit_dataset_shape"):
        assert omicskb(seeded, "query", audit).output.strip().count("\n") == 0
    # the same file loads again (its release was removed, so it is not "unchanged")
    again = omicskb(seeded, "load", "matrix", UCEC / "proteomics.cct.gz", "--cohort", "UCEC", "--omics", "protein")
    assert again.exit_code == 0 and ": unchanged," not in again.output, again.output
    missing = omicskb(seeded, "remove", "dataset", "UCEC", "protein", "nope")
    assert missing.exit_code == 1 and "no dataset UCEC/protein/nope" in missing.output


def test_remove_a_cohorts_data_keeps_the_cohort(seeded, omicskb):
    annotation = {t: v for t, v in data_tables(seeded).items() if t in ("gene", "gene_symbol", "go_term", "gene_go_annotation")}
    dry = omicskb(seeded, "remove", "cohort", "UCEC", "--dry-run")
    assert dry.exit_code == 0 and "sample 153" in dry.output, dry.output
    result = omicskb(seeded, "remove", "cohort", "UCEC")
    assert result.exit_code == 0, result.output
    assert "default" not in dry.output and "default" not in result.output, result.output  # no default handed to a dataset that goes too
    for table in ("dataset", "sample", "patient", "clinical_value", "clinical_attribute", "measurement_row", "mutation", "dataset_sample"):
        assert query_rows(seeded, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert query_rows(seeded, "SELECT cohort_code FROM cohort WHERE cohort_code = 'UCEC'") == [("UCEC",)]
    assert {t: v for t, v in data_tables(seeded).items() if t in annotation} == annotation
    assert query_rows(seeded, "SELECT count(*) FROM source_release WHERE state = 'current' AND (slot_key LIKE 'dataset:UCEC/%' OR slot_key LIKE 'samples:UCEC/%')") == [(0,)]
    reload = omicskb(seeded, "load", "cohort", UCEC, "--cohort", "UCEC", "--layout", "cptac2019")
    assert reload.exit_code == 0 and "8 files: 8 loaded" in reload.output, reload.output
    assert omicskb(seeded, "remove", "cohort", "NOPE").exit_code == 1


def test_rollback_refuses_a_release_that_is_not_current(seeded, omicskb, corrected):
    _, fixed, *_ = corrected
    first = query_rows(seeded, "SELECT release_id FROM source_release WHERE slot_key = 'dataset:UCEC/protein/proteomics'")[0][0]
    assert omicskb(seeded, "load", "matrix", fixed, "--cohort", "UCEC", "--omics", "protein").exit_code == 0
    result = omicskb(seeded, "rollback", str(first))
    assert result.exit_code == 1 and "superseded, not current" in result.output
    assert omicskb(seeded, "rollback", "nope").exit_code == 1


def test_releases_lists_what_each_slot_holds(seeded, omicskb):
    result = omicskb(seeded, "releases")
    assert result.exit_code == 0
    assert "dataset:UCEC/protein/proteomics" in result.output and "gene_info:9606" in result.output and "samples:UCEC/cptac2019_clinical" in result.output


# ---------------------------------------------------------------------------------------------
# Honest counts


def test_unlinked_rows_are_counted_apart_from_dropped_ones(seeded):
    cna = query_rows(seeded, "SELECT rows_unlinked, rows_rejected FROM load_run WHERE file_path LIKE '%CNA.cct.gz'")[0]
    stored_unlinked = query_rows(seeded, "SELECT count(*) FROM measurement_row m JOIN feature f ON f.feature_id = m.feature_id JOIN dataset d ON d.dataset_id = m.dataset_id WHERE d.name = 'CNA' AND f.gene_id IS NULL")[0][0]
    assert cna == (stored_unlinked, 0) and stored_unlinked > 0
    assert query_rows(seeded, "SELECT count(*) FROM unresolved_identifier u JOIN load_run r ON r.run_id = u.run_id WHERE r.file_path LIKE '%CNA.cct.gz' AND u.disposition = 'unlinked'") == [(stored_unlinked,)]
    hgnc = query_rows(seeded, "SELECT rows_unlinked, rows_rejected FROM load_run WHERE source_kind = 'hgnc'")[0]
    assert hgnc[0] == 0 and hgnc[1] == query_rows(seeded, "SELECT count(*) FROM unresolved_identifier WHERE source_kind = 'hgnc' AND disposition = 'dropped'")[0][0] > 0


def test_the_load_output_says_stored_unlinked_not_rejected(target, omicskb):
    assert omicskb(target, "load", "gene-info", GENE_INFO).exit_code == 0
    assert omicskb(target, "load", "samples", UCEC / "clinical.txt", "--cohort", "UCEC").exit_code == 0
    result = omicskb(target, "load", "matrix", UCEC / "CNA.cct.gz", "--cohort", "UCEC", "--omics", "cnv")
    assert result.exit_code == 0
    assert "stored unlinked (no gene)" in result.output and "rejected" not in result.output and "dropped" not in result.output, result.output


# ---------------------------------------------------------------------------------------------
# A cohort load stopped part-way is visible


def test_a_cohort_load_that_stops_part_way_shows_as_incomplete_until_rerun(target, omicskb, tmp_path):
    import json
    import shutil

    from omicskb.etl.cohorts import plan_cptac2019

    assert omicskb(target, "load", "gene-info", GENE_INFO).exit_code == 0
    folder = tmp_path / "ucec"
    shutil.copytree(UCEC, folder)
    good = (folder / "proteomics.cct.gz").read_bytes()
    (folder / "proteomics.cct.gz").write_bytes(good[: len(good) // 2])  # truncated
    plan, _ = plan_cptac2019(folder)
    done = [p.path.name for p in plan].index("proteomics.cct.gz")
    assert 0 < done < len(plan) - 1
    result = omicskb(target, "load", "cohort", folder, "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 1 and "truncated" in result.output
    overview = omicskb(target, "cohorts")
    assert "INCOMPLETE" in overview.output and f"after {done} of {len(plan)} files" in overview.output and "proteomics.cct.gz" in overview.output, overview.output
    (ucec,) = [c for c in json.loads(omicskb(target, "cohorts", "--format", "json").output) if c["cohort"] == "UCEC"]
    assert ucec["last_load"]["complete"] is False and ucec["last_load"]["files_done"] == done and ucec["last_load"]["status"] == "failed"
    (folder / "proteomics.cct.gz").write_bytes(good)
    rerun = omicskb(target, "load", "cohort", folder, "--cohort", "UCEC", "--layout", "cptac2019")
    assert rerun.exit_code == 0 and f"{len(plan)} files: {len(plan) - done} loaded, {done} unchanged" in rerun.output, rerun.output
    assert "INCOMPLETE" not in omicskb(target, "cohorts").output
    assert omicskb(target, "query", "audit_runs_not_finished").output.strip().count("\n") == 0


def test_kill_9_during_load_cohort_then_a_rerun(tmp_path):
    """A real `omicskb load cohort` killed while it loads its fifth file: four files are committed,
    `cohorts` shows the batch incomplete, and a rerun finishes it and marks the dead run and batch."""
    import json
    import signal

    from test_access import Terminal, run

    from omicskb.etl.cohorts import plan_cptac2019

    target = str(tmp_path / "kill.duckdb")
    assert run("--db", target, "init").returncode == 0
    assert run("--db", target, "load", "gene-info", GENE_INFO).returncode == 0
    plan, _ = plan_cptac2019(UCEC)
    fifth = plan[4]
    assert fifth.step == "matrix"
    load = Terminal("--db", target, "load", "cohort", UCEC, "--cohort", "UCEC", "--layout", "cptac2019")
    load.wait_for(f"reading {fifth.path.name}")  # the matrix loader's first progress line
    load.kill(signal.SIGSTOP)
    load.kill(signal.SIGKILL)
    assert load.finish() == -signal.SIGKILL
    overview = run("--db", target, "cohorts")
    assert overview.returncode == 0 and "INCOMPLETE" in overview.stdout and "was killed after 4 of" in overview.stdout, overview.stdout
    assert fifth.path.name in overview.stdout
    loaded = run("--db", target, "query", "cohort_datasets", "-p", "cohort=UCEC", "--format", "json")
    assert len(json.loads(loaded.stdout)) == 3  # the three matrices before the fifth file (the first file is the sample table)
    rerun = run("--db", target, "load", "cohort", UCEC, "--cohort", "UCEC", "--layout", "cptac2019")
    assert rerun.returncode == 0 and f"{len(plan)} files: {len(plan) - 4} loaded, 4 unchanged" in rerun.stdout, rerun.stdout + rerun.stderr
    assert "interrupted" in rerun.stderr
    assert "INCOMPLETE" not in run("--db", target, "cohorts").stdout
    audit = run("--db", target, "query", "audit_runs_not_finished", "--format", "json")
    assert json.loads(audit.stdout) == []
    statuses = dict(query_rows(target, "SELECT status, count(*) FROM load_batch GROUP BY status"))
    assert statuses == {"interrupted": 1, "ok": 1}
