"""Loads through the CLI on both backends: what is written, reruns, newer releases, bad input."""

from __future__ import annotations

import gzip
import shutil

import pytest

from conftest import DATA, SEEDS, query_rows, snapshot

GENE_INFO = DATA / "ncbi" / "gene_info_il7_and_edge_cases.tsv"
GENE2GO = DATA / "ncbi" / "gene2go_il7_and_edge_cases.tsv"


def test_seeds_load_every_source_and_record_runs(seeded):
    assert query_rows(seeded, "SELECT symbol, name FROM gene WHERE gene_id = '3574'") == [("IL7", "interleukin 7")]
    statuses = query_rows(seeded, "SELECT status, count(*) FROM load_run GROUP BY status")
    assert statuses == [("ok", 1 + 12 + 8)]  # init installs the CPTAC cohorts, 12 annotation files, then the UCEC subset: clinical, 6 matrices, the MAF
    # every data row traces to a release, and every release to the run that loaded it
    orphans = query_rows(seeded, "SELECT count(*) FROM gene_go_annotation a LEFT JOIN source_release r ON r.release_id = a.release_id LEFT JOIN load_run l ON l.run_id = r.run_id WHERE l.run_id IS NULL")
    assert orphans == [(0,)]
    assert query_rows(seeded, "SELECT count(*) FROM gene_go_annotation WHERE gene_id = '3574'") == [(23,)]


def test_reloading_the_same_file_changes_nothing(seeded, omicskb):
    before = snapshot(seeded)
    for command, file in (("gene-info", "gene_info_il7_ucec.tsv"), ("gene2go", "gene2go_il7_seed_page.tsv"), ("go-obo", "go_il7_terms_with_ancestors.obo")):
        result = omicskb(seeded, "load", command, SEEDS / file)
        assert result.exit_code == 0, result.output
        assert ": unchanged," in result.output
    assert snapshot(seeded) == before
    assert query_rows(seeded, "SELECT count(*) FROM load_run WHERE status = 'unchanged'") == [(3,)]


def test_a_newer_release_replaces_rows_but_summaries_keep_history(seeded, omicskb, tmp_path):
    newer = tmp_path / "gene2go_newer.tsv"
    lines = GENE2GO.read_text().splitlines()
    newer.write_text("\n".join(lines) + "\n")
    result = omicskb(seeded, "load", "gene2go", newer)
    assert result.exit_code == 0, result.output
    # the seed page's 23 IL7 rows are replaced by the newer release's IL7 rows
    expected = sum(1 for line in lines[1:] if line.split("\t")[1] == "3574")
    assert query_rows(seeded, "SELECT count(*) FROM gene_go_annotation WHERE gene_id = '3574'") == [(expected,)]
    assert query_rows(seeded, "SELECT count(*) FROM gene_go_annotation WHERE go_id = 'GO:0006916'") == [(0,)]
    # both summary versions stay; the Jul 2020 one is current
    history = query_rows(seeded, "SELECT provided_date_text FROM gene_summary WHERE gene_id = '3574' ORDER BY provided_date")
    assert history == [("Dec 2010",), ("Jul 2020",)]
    assert query_rows(seeded, "SELECT provided_date_text FROM gene_summary_current WHERE gene_id = '3574'") == [("Jul 2020",)]


def test_summary_loaded_out_of_order_still_makes_the_newest_current(target, omicskb):
    assert omicskb(target, "load", "gene-info", GENE_INFO).exit_code == 0
    assert omicskb(target, "load", "summaries", SEEDS / "il7_summary_refseq_2020-07.tsv").exit_code == 0
    assert omicskb(target, "load", "summaries", SEEDS / "il7_summary_refseq_2010-12.tsv").exit_code == 0
    assert query_rows(target, "SELECT provided_date_text FROM gene_summary_current WHERE gene_id = '3574'") == [("Jul 2020",)]


def _truncated_gzip(source, tmp_path):
    packed = tmp_path / "gene2go.gz"
    with open(source, "rb") as raw, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(raw, out)
    data = packed.read_bytes()
    cut = tmp_path / "gene2go_truncated.gz"
    cut.write_bytes(data[: len(data) // 2])
    return cut


@pytest.mark.parametrize("damage", ["truncated_gzip", "bad_go_id_midway", "ragged_row", "not_utf8", "wrong_header", "empty"])
def test_bad_input_exits_1_with_file_and_line_and_leaves_the_database_unchanged(seeded, omicskb, tmp_path, damage):
    lines = GENE2GO.read_text().splitlines(keepends=True)
    bad = tmp_path / "gene2go_bad.tsv"
    if damage == "truncated_gzip":
        bad = _truncated_gzip(GENE2GO, tmp_path)
        expect = "truncated gzip"
    elif damage == "bad_go_id_midway":
        fields = lines[60].split("\t")
        fields[2] = "GO:12"
        lines[60] = "\t".join(fields)
        bad.write_text("".join(lines))
        expect = ":61:"
    elif damage == "ragged_row":
        lines[40] = lines[40].rstrip("\n") + "\textra\n"
        bad.write_text("".join(lines))
        expect = ":41"
    elif damage == "not_utf8":
        bad.write_bytes("".join(lines[:30]).encode() + b"9606\t3574\tGO:0005125\tIDA\tenables\tcytokine \x96 activity\t-\tFunction\n")
        expect = ":31:"
    elif damage == "wrong_header":
        bad.write_text("tax_id\tGeneID\n" + "".join(lines[1:]))
        expect = ":1:"
    else:
        bad.write_bytes(b"")
        expect = "empty file"
    before = snapshot(seeded)
    result = omicskb(seeded, "load", "gene2go", bad)
    assert result.exit_code == 1
    message = result.output.strip().splitlines()
    assert len(message) == 1 and message[0].startswith("omicskb: error: ") and str(bad) in message[0] and expect in message[0], result.output
    assert snapshot(seeded) == before
    failed = query_rows(seeded, "SELECT status, message FROM load_run ORDER BY run_id DESC LIMIT 1")
    assert failed[0][0] == "failed" and str(bad) in failed[0][1]


def test_unresolved_identifiers_are_recorded_with_their_reason(seeded):
    rows = query_rows(seeded, "SELECT identifier, reason FROM unresolved_identifier WHERE source_kind = 'hgnc' ORDER BY identifier")
    assert rows, "the HGNC seed holds withdrawn entries and genes absent from the seed gene_info"
    assert all(reason for _, reason in rows)
    assert ("HGNC:1", "HGNC entry not approved (Entry Withdrawn)") in rows
    counted = query_rows(seeded, "SELECT rows_rejected FROM load_run WHERE source_kind = 'hgnc'")
    assert counted == [(len(rows),)]


def test_missing_file_and_uninitialised_database(tmp_path, omicskb):
    result = omicskb(str(tmp_path / "new.duckdb"), "load", "gene-info", GENE_INFO)
    assert result.exit_code == 2 and "omicskb init" in result.output
    target = str(tmp_path / "new.duckdb")
    assert omicskb(target, "init").exit_code == 0
    result = omicskb(target, "load", "gene-info", tmp_path / "nope.tsv")
    assert result.exit_code == 1 and "no such file" in result.output


def test_duplicate_gene_is_bad_input(target, omicskb, tmp_path):
    lines = GENE_INFO.read_text().splitlines(keepends=True)
    dup = tmp_path / "gene_info_dup.tsv"
    dup.write_text("".join(lines + [lines[1]]))
    result = omicskb(target, "load", "gene-info", dup)
    assert result.exit_code == 1 and f":{len(lines) + 1}:" in result.output and "duplicate GeneID" in result.output
    assert query_rows(target, "SELECT count(*) FROM gene") == [(0,)]
