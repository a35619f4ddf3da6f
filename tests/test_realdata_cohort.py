"""The complete cptac 2019 UCEC cohort from $OMICSKB_REALDATA, loaded as a user would (DuckDB)."""

from __future__ import annotations

import gzip
import json

import pytest

from conftest import SEEDS, query_rows

pytestmark = pytest.mark.realdata


def fingerprint(target: str) -> dict:
    """Row counts of every cohort table and a hash over every stored value array."""
    tables = ("patient", "sample", "clinical_attribute", "clinical_value", "dataset", "dataset_sample", "feature", "measurement_row", "mutation", "unresolved_identifier", "source_release")
    out = {t: query_rows(target, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    out["values_hash"] = query_rows(target, "SELECT sum(hash(dataset_id, row_ord, feature_id, sample_values)::HUGEINT) FROM measurement_row")[0][0]
    return out


@pytest.fixture(scope="module")
def ucec(realdata, tmp_path_factory):
    from click.testing import CliRunner

    from omicskb.etl.cli import cli

    folder = realdata / "cptac-ucec-2019"
    if not (folder / "clinical.txt").is_file():
        pytest.skip(f"{folder} has no clinical.txt (run fetch.sh)")
    target = str(tmp_path_factory.mktemp("ucec") / "ucec.duckdb")
    runner = CliRunner()

    def omicskb(*args):
        return runner.invoke(cli, ["--db", target, "--quiet", *map(str, args)], catch_exceptions=False)

    for args in (("init",), ("load", "gene-info", realdata / "ncbi" / "Homo_sapiens.gene_info.gz")):
        result = omicskb(*args)
        assert result.exit_code == 0, result.output
    result = omicskb("load", "cohort", folder, "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 0, result.output
    return target, folder, omicskb


def test_counts_match_what_the_files_hold(ucec):
    target, folder, omicskb = ucec
    overview = json.loads(omicskb("cohorts", "--format", "json").output)
    (entry,) = overview
    samples = entry["samples"]
    assert {k: v["samples"] for k, v in samples.items()} == {"tumor": 104, "adjacent_normal": 25, "myometrium_normal": 6, "enriched_normal": 18}
    assert samples["tumor"]["excluded"] == 9 and samples["tumor"]["replicates"] == 1
    assert samples["tumor"]["usable_tumor"] == 95  # 104 tumors - 9 excluded (S104, the replicate, is one of them)
    datasets = {d["name"]: d for d in entry["datasets"]}
    proteomics = datasets["proteomics"]
    assert proteomics["features"] == 10999 and proteomics["samples"] == 153
    assert {k: v for k, v in proteomics["samples_by_type"].items() if k != "tumor"} == {"adjacent_normal": 25, "myometrium_normal": 6, "enriched_normal": 18}
    assert datasets["transcriptomics_linear"]["samples_by_type"]["adjacent_normal"] == 14
    assert datasets["phosphoproteomics_site"]["features"] == 73212
    assert datasets["acetylproteomics"]["features"] == 10862
    assert datasets["somatic"]["samples"] == 103
    # nothing dropped silently: every matrix row is stored, resolved or not
    for name, d in datasets.items():
        if name != "somatic":
            rows = sum(1 for _ in gzip.open(folder / f"{name}.{'cbt' if name == 'somatic_binary' else 'cct'}.gz", "rt")) - 1
            assert d["features"] == rows, name
    unresolved = query_rows(target, "SELECT count(*) FROM unresolved_identifier")[0][0]
    assert unresolved == sum(d["unresolved"] for d in entry["datasets"])


def test_loading_twice_changes_nothing(ucec):
    target, folder, omicskb = ucec
    before = fingerprint(target)
    result = omicskb("load", "cohort", folder, "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 0 and "9 files: 0 loaded, 9 unchanged" in result.output, result.output
    assert fingerprint(target) == before


def test_corrupted_copies_leave_the_database_as_it_was(ucec, tmp_path):
    target, folder, omicskb = ucec
    before = fingerprint(target)
    whole = (folder / "phosphoproteomics_site.cct.gz").read_bytes()
    truncated = tmp_path / "phosphoproteomics_site.cct.gz"
    truncated.write_bytes(whole[: len(whole) * 2 // 3])
    result = omicskb("load", "matrix", truncated, "--cohort", "UCEC", "--omics", "phospho")
    assert result.exit_code == 1 and "truncated gzip" in result.output, result.output
    lines = gzip.open(folder / "proteomics.cct.gz", "rt").read().split("\n")
    fields = lines[5000].split("\t")
    fields[77] = "1.2.3"
    lines[5000] = "\t".join(fields)
    bad = tmp_path / "proteomics.cct.gz"
    with gzip.open(bad, "wt") as out:
        out.write("\n".join(lines))
    result = omicskb("load", "matrix", bad, "--cohort", "UCEC", "--omics", "protein")
    assert result.exit_code == 1 and f"{bad}:5001:78: non-numeric value '1.2.3'" in result.output, result.output
    assert fingerprint(target) == before
    assert query_rows(target, "SELECT status FROM load_run ORDER BY run_id DESC LIMIT 2") == [("failed",), ("failed",)]
