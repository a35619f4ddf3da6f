"""Cohort measurements through the CLI on both backends: what is stored, block fetches that equal the
files, reruns, replacement by a corrected file, and every kind of bad input leaving the database as it was."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from conftest import DATA, SEEDS, query_rows, snapshot
from omicskb.etl.blocks import fetch_block
from omicskb.etl.db import make_engine
from omicskb.etl.sources import matrix

UCEC = SEEDS / "ucec"
PANCAN = DATA / "pancan"


@pytest.fixture
def ucec_samples(target, omicskb) -> str:
    """Cohorts, the seed genes and the UCEC sample table: ready for matrix loads."""
    for args in (("gene-info", SEEDS / "gene_info_il7_ucec.tsv"), ("samples", UCEC / "clinical.txt", "--cohort", "UCEC")):
        result = omicskb(target, "load", *args)
        assert result.exit_code == 0, result.output
    return target


def small_matrix(tmp_path, rows: int = 12, name: str = "proteomics.cct") -> tuple:
    """The first `rows` rows of the seed proteomics matrix, as text lines (header first)."""
    with gzip.open(UCEC / "proteomics.cct.gz", "rt", encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(rows + 1)]
    return tmp_path / name, lines


def one_line_error(result, path, location: str, words: str) -> None:
    assert result.exit_code == 1, result.output
    message = result.output.strip().splitlines()
    assert len(message) == 1 and message[0].startswith("omicskb: error: "), result.output
    assert f"{path}:{location}:" in message[0] and words in message[0], message[0]


def last_run(target) -> tuple:
    return query_rows(target, "SELECT status, message FROM load_run ORDER BY run_id DESC LIMIT 1")[0]


# ---------------------------------------------------------------------------------------------
# What the seeded UCEC subset holds


def test_seeded_ucec_counts_come_from_the_clinical_table(seeded, omicskb):
    result = omicskb(seeded, "cohorts", "--format", "json")
    assert result.exit_code == 0, result.output
    (ucec,) = [c for c in json.loads(result.output) if c["cohort"] == "UCEC"]
    # counted independently from the clinical file
    lines = (UCEC / "clinical.txt").read_bytes().decode("cp1252").splitlines()
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:] if line]
    kind = header.index("Proteomics_Tumor_Normal")
    excluded = header.index("Case_excluded")
    expected = {}
    for row in rows:
        expected[row[kind]] = expected.get(row[kind], 0) + 1
    assert {k: v["samples"] for k, v in ucec["samples"].items()} == {
        "tumor": expected["Tumor"], "adjacent_normal": expected["Adjacent_normal"],
        "myometrium_normal": expected["Myometrium_normal"], "enriched_normal": expected["Enriched_normal"],
    }
    usable = sum(1 for r in rows if r[kind] == "Tumor" and r[excluded] == "No" and not r[1].endswith("_replication"))
    assert ucec["samples"]["tumor"]["usable_tumor"] == usable == 95
    assert ucec["samples"]["adjacent_normal"]["usable_normal"] == expected["Adjacent_normal"]
    datasets = {d["name"]: d for d in ucec["datasets"]}
    rna_header = gzip.open(UCEC / "transcriptomics_linear.cct.gz", "rt").readline().rstrip("\n").split("\t")[1:]
    assert datasets["transcriptomics_linear"]["samples"] == len(rna_header)
    assert datasets["transcriptomics_linear"]["samples_by_type"]["adjacent_normal"] == sum(1 for s in rna_header if rows[int(s[1:]) - 1][kind] == "Adjacent_normal") == 14
    assert sum(v for k, v in datasets["proteomics"]["samples_by_type"].items() if k != "tumor") == 49
    assert query_rows(seeded, "SELECT count(*) FROM load_run WHERE status = 'ok' AND message LIKE '%cp1252%'") == [(1,)]


def test_blocks_come_back_equal_to_the_files(seeded):
    engine = make_engine(seeded)
    with engine.connect() as conn:
        for stem, omics in (("proteomics", "protein"), ("phosphoproteomics_site", "phospho"), ("CNA", "cnv")):
            data = matrix.read(UCEC / f"{stem}.cct.gz")
            block = fetch_block(conn, "UCEC", omics)
            assert block.sample_labels == data.samples
            assert block.values.shape == data.values.shape
            assert np.array_equal(np.isnan(block.values), np.isnan(data.values))
            assert np.array_equal(np.nan_to_num(block.values), np.nan_to_num(data.values))
        tumors = fetch_block(conn, "UCEC", "protein", role="tumor")
        assert tumors.values.shape[1] == 95 and set(tumors.stat_roles) == {"tumor"}
    engine.dispose()


def test_long_view_and_saved_queries_agree_with_the_file(seeded):
    data = matrix.read(UCEC / "proteomics.cct.gz")
    row = data.feature_ids.index("IL7R") if "IL7R" in data.feature_ids else 0
    gene = data.feature_ids[row]
    present = {s: v for s, v in zip(data.samples, data.values[row]) if not np.isnan(v)}
    got = dict(query_rows(seeded, "SELECT sample_label, value FROM measurement WHERE omics_type = 'protein' AND raw_identifier = :g", g=gene))
    assert got == present


def test_maf_rows_and_gene_status(seeded):
    with gzip.open(UCEC / "somatic.maf.gz", "rt", encoding="utf-8") as handle:
        rows = [line.rstrip("\r\n").split("\t") for line in handle][1:]
    assert query_rows(seeded, "SELECT count(*) FROM mutation") == [(len(rows),)]
    nonsilent = {"Frame_Shift_Del", "Frame_Shift_Ins", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation", "Nonsense_Mutation", "Nonstop_Mutation", "Splice_Site", "Translation_Start_Site"}
    pten = {r[15] for r in rows if r[0] == "PTEN" and r[8] in nonsilent}
    stored = query_rows(seeded, "SELECT s.sample_label FROM measurement m JOIN sample s ON s.sample_id = m.sample_id WHERE m.dataset_name = 'somatic' AND m.feature_label = 'PTEN' AND m.value = 1")
    barcode_to_label = dict(query_rows(seeded, "SELECT DISTINCT m.tumor_sample_barcode, s.sample_label FROM mutation m JOIN sample s ON s.sample_id = m.sample_id"))
    assert sorted(r[0] for r in stored) == sorted(barcode_to_label[b] for b in pten) and len(pten) > 10


# ---------------------------------------------------------------------------------------------
# Reruns and corrections


def test_loading_the_cohort_twice_changes_nothing(seeded, omicskb):
    before = snapshot(seeded)
    result = omicskb(seeded, "load", "cohort", UCEC, "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 0, result.output
    assert "8 files: 0 loaded, 8 unchanged" in result.output
    assert snapshot(seeded) == before


def test_a_corrected_file_replaces_its_dataset(ucec_samples, omicskb, tmp_path):
    path, lines = small_matrix(tmp_path)
    path.write_text("".join(lines))
    assert omicskb(ucec_samples, "load", "matrix", path, "--cohort", "UCEC", "--omics", "protein").exit_code == 0
    fields = lines[3].split("\t")
    fields[5] = "42.5"
    corrected = tmp_path / "corrected" / path.name
    corrected.parent.mkdir()
    corrected.write_text("".join(lines[:3] + ["\t".join(fields)] + lines[4:-1]))  # one value changed, last row gone
    result = omicskb(ucec_samples, "load", "matrix", corrected, "--cohort", "UCEC", "--omics", "protein")
    assert result.exit_code == 0 and "replaced dataset UCEC/protein/proteomics" in result.output, result.output
    assert query_rows(ucec_samples, "SELECT count(*), max(n_features) FROM dataset") == [(1, len(lines) - 2)]
    assert query_rows(ucec_samples, "SELECT count(*) FROM measurement_row") == [(len(lines) - 2,)]
    assert query_rows(ucec_samples, "SELECT value FROM measurement WHERE raw_identifier = :g AND sample_label = :s", g=fields[0], s=lines[0].split("\t")[5]) == [(42.5,)]


# ---------------------------------------------------------------------------------------------
# Bad input: one line naming file:line:column, exit 1, nothing written, a failed run recorded


def _write_bad(path, lines, edit):
    lines = list(lines)
    edit(lines)
    path.write_text("".join(lines))
    return path


def _value_at(lines: list[str], row: int, column: int, text: str) -> None:
    fields = lines[row].rstrip("\n").split("\t")
    fields[column - 1] = text
    lines[row] = "\t".join(fields) + "\n"


def _extra_column(lines: list[str], label: str) -> None:
    lines[0] = lines[0].rstrip("\n") + f"\t{label}\n"
    for i in range(1, len(lines)):
        lines[i] = lines[i].rstrip("\n") + "\t1.0\n"


BAD_MATRICES = {
    "non-numeric value": (lambda ls: _value_at(ls, 5, 2, "abc"), "6:2", "non-numeric value 'abc'"),
    "duplicate sample": (lambda ls: _extra_column(ls, "S001"), "1:155", "duplicate sample 'S001'"),
    "duplicate feature": (lambda ls: ls.append(ls[2]), "14:1", "duplicate feature"),
    "ragged row": (lambda ls: ls.__setitem__(7, ls[7].rsplit("\t", 1)[0] + "\n"), "8", "ragged row"),
    "blank line": (lambda ls: ls.insert(4, "\n"), "5:1", "empty feature id"),
}


@pytest.mark.parametrize("case", sorted(BAD_MATRICES))
def test_bad_matrix_is_rejected_whole(ucec_samples, omicskb, tmp_path, case):
    edit, location, words = BAD_MATRICES[case]
    path, lines = small_matrix(tmp_path)
    bad = _write_bad(path, lines, edit)
    before = snapshot(ucec_samples)
    result = omicskb(ucec_samples, "load", "matrix", bad, "--cohort", "UCEC", "--omics", "protein")
    one_line_error(result, bad, location, words)
    assert snapshot(ucec_samples) == before
    status, message = last_run(ucec_samples)
    assert status == "failed" and words in message


def test_sample_missing_from_the_sample_table(ucec_samples, omicskb, tmp_path):
    path, lines = small_matrix(tmp_path)
    bad = _write_bad(path, lines, lambda ls: ls.__setitem__(0, ls[0].replace("\tS007\t", "\tS999\t")))
    before = snapshot(ucec_samples)
    one_line_error(omicskb(ucec_samples, "load", "matrix", bad, "--cohort", "UCEC", "--omics", "protein"), bad, "1:8", "sample 'S999' is not in cohort UCEC's sample table")
    assert snapshot(ucec_samples) == before


def test_empty_and_truncated_files(ucec_samples, omicskb, tmp_path):
    empty = tmp_path / "empty.cct"
    empty.write_bytes(b"")
    one_line_error(omicskb(ucec_samples, "load", "matrix", empty, "--cohort", "UCEC", "--omics", "protein"), empty, "1", "empty file")
    whole = (UCEC / "phosphoproteomics_site.cct.gz").read_bytes()
    truncated = tmp_path / "phosphoproteomics_site.cct.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    before = snapshot(ucec_samples)
    result = omicskb(ucec_samples, "load", "matrix", truncated, "--cohort", "UCEC", "--omics", "phospho")
    assert result.exit_code == 1 and "truncated gzip" in result.output and str(truncated) in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(ucec_samples) == before
    assert query_rows(ucec_samples, "SELECT status FROM load_run ORDER BY run_id DESC LIMIT 2") == [("failed",), ("failed",)]


def test_mixed_encoding_is_read_and_reported_but_undecodable_bytes_are_not(target, omicskb, tmp_path):
    result = omicskb(target, "load", "samples", UCEC / "clinical.txt", "--cohort", "UCEC")
    assert result.exit_code == 0 and "read as cp1252" in result.output, result.output
    dash = query_rows(target, "SELECT value_text FROM clinical_value v JOIN clinical_attribute a ON a.attribute_id = v.attribute_id WHERE a.name = 'Other_IHC_specify' AND value_text LIKE :p", p="%\u2013%")
    assert dash  # the cp1252 en dash arrives as U+2013
    raw = (UCEC / "clinical.txt").read_bytes().split(b"\n")
    raw[3] = raw[3].replace(b"\tNo\t", b"\tN\x81o\t", 1)  # 0x81 is neither UTF-8 nor cp1252
    bad = tmp_path / "clinical.txt"
    bad.write_bytes(b"\n".join(raw))
    before = snapshot(target)
    result = omicskb(target, "load", "samples", bad, "--cohort", "UCEC")
    assert result.exit_code == 1 and f"{bad}:4:" in result.output and "0x81" in result.output, result.output
    assert snapshot(target) == before


def test_a_new_cohort_without_samples_is_a_data_error_and_is_not_created(ucec_samples, omicskb, tmp_path):
    path, lines = small_matrix(tmp_path)
    path.write_text("".join(lines))
    result = omicskb(ucec_samples, "load", "matrix", path, "--cohort", "XYZ", "--omics", "protein")
    assert result.exit_code == 1 and "not in cohort XYZ's sample table" in result.output
    assert query_rows(ucec_samples, "SELECT count(*) FROM cohort WHERE cohort_code = 'XYZ'") == [(0,)]


def test_failure_after_rows_were_written_leaves_no_trace(ucec_samples, omicskb, tmp_path, monkeypatch):
    """Break the load after features, the dataset and its samples are written: the rollback removes them."""
    import omicskb.etl.loaders.matrices as matrices

    def fail(*args, **kwargs):
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(matrices, "insert_rows", fail)
    path, lines = small_matrix(tmp_path)
    path.write_text("".join(lines))
    before = snapshot(ucec_samples)
    result = omicskb(ucec_samples, "load", "matrix", path, "--cohort", "UCEC", "--omics", "protein")
    assert result.exit_code == 2 and "disk full" in result.output
    assert snapshot(ucec_samples) == before
    assert last_run(ucec_samples)[0] == "failed"


def test_a_bad_value_at_row_900000_leaves_no_trace(duckdb_target, omicskb, tmp_path):
    rng = np.random.default_rng(7)
    values = rng.normal(size=(900_001, 3)).round(4)
    path = tmp_path / "big.tsv"
    with open(path, "w") as out:
        out.write("idx\tA\tB\tC\n")
        text = [f"G{i}\t{a}\t{b}\t{c}\n" for i, (a, b, c) in enumerate(values.tolist())]
        text[899_999] = "G899999\t0.5\toops\t1.0\n"  # data row 900,000 = file line 900,001
        out.writelines(text)
    before = snapshot(duckdb_target)
    result = omicskb(duckdb_target, "load", "matrix", path, "--cohort", "UCEC", "--omics", "rna", "--sample-type", "tumor")
    one_line_error(result, path, "900001:3", "non-numeric value 'oops'")
    assert snapshot(duckdb_target) == before
    assert last_run(duckdb_target)[0] == "failed"


# ---------------------------------------------------------------------------------------------
# The pan-cancer layout, GCT and .tsi


def test_pancan_layout_loads_with_split_tumor_normal_files(target, omicskb):
    for args in (("gene-info", SEEDS / "gene_info_il7_ucec.tsv"),):
        assert omicskb(target, "load", *args).exit_code == 0
    result = omicskb(target, "load", "cohort", PANCAN, "--cohort", "UCEC", "--layout", "pancan")
    assert result.exit_code == 0, result.output
    rna_t = matrix.read(PANCAN / "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor.txt")
    rna_n = matrix.read(PANCAN / "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Normal.txt")
    counts = dict(query_rows(target, "SELECT sample_type, count(*) FROM sample GROUP BY sample_type"))
    assert counts == {"tumor": len(rna_t.samples), "adjacent_normal": len(rna_n.samples)}
    # normal files reuse the tumor case ids as labels: same patient, two samples
    shared = set(rna_t.samples) & set(rna_n.samples)
    patients = {(label, patient) for label, patient in query_rows(target, "SELECT sample_label, patient_id FROM sample") if label in shared}
    assert shared and len(patients) == len(shared)
    # ENSG.version ids resolve; the _PAR_Y copy is recorded, not dropped
    assert query_rows(target, "SELECT f.gene_id FROM measurement_row m JOIN feature f ON f.feature_id = m.feature_id WHERE m.raw_identifier LIKE 'ENSG00000104432.%' LIMIT 1") == [("3574",)]
    unresolved = query_rows(target, "SELECT identifier, reason FROM unresolved_identifier")
    assert any("_PAR_Y" in i for i, _ in unresolved)
    collapsed = [i for i, r in unresolved if "collapsed into the row with the most values" in r]
    assert collapsed  # the fixture's duplicate (gene, protein, site) rows
    survival = query_rows(target, "SELECT a.name, a.clinical_type, count(*) FROM clinical_value v JOIN clinical_attribute a ON a.attribute_id = v.attribute_id WHERE a.clinical_type = 'SUR' GROUP BY a.name, a.clinical_type ORDER BY 1")
    assert [name for name, _, _ in survival] == ["OS", "PFS"]
    # patient-level values reach every sample of the patient
    rows = [line.split("\t") for line in (PANCAN / "UCEC_survival.txt").read_text().splitlines()[1:]]
    with_os = {r[0] for r in rows if r[1] != "NA" and r[2] != "NA"}
    expected = sum(1 for s in rna_t.samples if s in with_os) + sum(1 for s in rna_n.samples if s in with_os)
    assert query_rows(target, "SELECT count(DISTINCT sample_id) FROM sample_clinical WHERE attribute = 'OS'") == [(expected,)]
    again = omicskb(target, "load", "cohort", PANCAN, "--cohort", "UCEC", "--layout", "pancan")
    assert again.exit_code == 0 and " 0 loaded," in again.output


def test_gct_samples_and_matrix(target, omicskb):
    for args in (("gene-info", SEEDS / "gene_info_il7_ucec.tsv"),):
        assert omicskb(target, "load", *args).exit_code == 0
    gct = DATA / "gct" / "brca_like_proteome.gct"
    result = omicskb(target, "load", "samples", gct, "--cohort", "BRCA")
    assert result.exit_code == 0, result.output
    result = omicskb(target, "load", "matrix", gct, "--cohort", "BRCA", "--omics", "protein")
    assert result.exit_code == 0, result.output
    # RefSeq protein ids resolve through the geneSymbol row annotation
    assert query_rows(target, "SELECT f.gene_id FROM measurement_row m JOIN feature f ON f.feature_id = m.feature_id WHERE m.raw_identifier = 'NP_004312.2'") == [("3574",)]
    assert dict(query_rows(target, "SELECT sample_type, count(*) FROM sample GROUP BY sample_type")) == {"tumor": 5, "adjacent_normal": 1}


def test_tsi_samples_then_matrix_by_label(target, omicskb, tmp_path):
    tsi = DATA / "tsi" / "samples_as_rows_typed.tsi"
    result = omicskb(target, "load", "samples", tsi, "--cohort", "UCEC")
    assert result.exit_code == 0, result.output
    assert query_rows(target, "SELECT clinical_type FROM clinical_attribute WHERE name = 'OS'") == [("SUR",)]
    labels = [line.split("\t")[0] for line in tsi.read_text().splitlines()[2:]]
    path = tmp_path / "mirna.cct"
    path.write_text("idx\t" + "\t".join(labels) + "\nhsa-let-7a-3p\t" + "\t".join("1.5" for _ in labels) + "\n")
    result = omicskb(target, "load", "matrix", path, "--cohort", "UCEC", "--omics", "mirna")
    assert result.exit_code == 0, result.output
    assert query_rows(target, "SELECT feature_kind, label FROM feature") == [("mirna", "hsa-let-7a-3p")]
