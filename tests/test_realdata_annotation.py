"""The complete human annotation from ../shared/realdata (marked realdata; needs $OMICSKB_REALDATA)."""

from __future__ import annotations

import json

import pytest

from conftest import query_rows, snapshot

pytestmark = pytest.mark.realdata

FULL_LOAD = [
    ("gene-info", "ncbi/Homo_sapiens.gene_info.gz"),
    ("go-obo", "go/go-2019-01-27.obo.gz"),
    ("gene2go", "ncbi/gene2go.human.gz"),
    ("hgnc", "hgnc/hgnc_entries.tsv.gz"),
    ("gaf", "go/goa_human-2019-01-14.gaf.gz"),
    ("species-genes", "hgnc/mgi_entries.tsv.gz"),
    ("species-genes", "hgnc/rgd_entries.tsv.gz"),
    ("orthologs", "orthologs/hcop_human_to_mouse.csv.gz"),
]


@pytest.fixture(scope="module")
def full_db(realdata, tmp_path_factory):
    from click.testing import CliRunner

    from omicskb.etl.cli import cli

    target = str(tmp_path_factory.mktemp("full") / "full.duckdb")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", target, "init"]).exit_code == 0
    for command, rel in FULL_LOAD:
        result = runner.invoke(cli, ["--db", target, "--quiet", "load", command, str(realdata / rel)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return target


def test_full_annotation_counts(full_db):
    assert query_rows(full_db, "SELECT count(*) FROM gene") == [(77614,)]
    assert query_rows(full_db, "SELECT count(*) FROM go_term") == [(47347,)]
    assert query_rows(full_db, "SELECT count(*) FROM gene_go_annotation WHERE source_kind = 'gene2go'") == [(348116,)]
    loaded, rejected = query_rows(full_db, "SELECT rows_loaded, rows_rejected FROM load_run WHERE source_kind = 'gaf'")[0]
    assert loaded + rejected == 475402 and rejected == query_rows(full_db, "SELECT count(*) FROM unresolved_identifier WHERE source_kind = 'gaf'")[0][0]


def test_il7_acceptance(full_db, omicskb):
    result = omicskb(full_db, "gene", "IL7", "--format", "json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    assert card["name"] == "interleukin 7" and card["ensembl_gene"] == "ENSG00000104432"
    assert {g["category"] for g in card["go"]} == {"biological_process", "cellular_component", "molecular_function"}
    mouse = [o for o in card["orthologs"] if o["taxon"] == "10090"]
    rat = [o for o in card["orthologs"] if o["taxon"] == "10116"]
    assert mouse and mouse[0]["symbol"] == "Il7" and "hcop" in mouse[0]["sources"]
    assert rat and rat[0]["symbol"] == "Il7" and rat[0]["gene_id"] == "RGD:2904" and "hgnc" in rat[0]["sources"]


def test_truncated_gene2go_leaves_the_full_database_unchanged(full_db, realdata, omicskb, tmp_path):
    data = (realdata / "ncbi" / "gene2go.human.gz").read_bytes()
    cut = tmp_path / "gene2go.human.truncated.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    before = snapshot(full_db)
    result = omicskb(full_db, "load", "gene2go", cut)
    assert result.exit_code == 1
    assert "truncated gzip" in result.output and str(cut) in result.output
    assert snapshot(full_db) == before


def test_full_reload_is_a_no_op(full_db, realdata, omicskb):
    result = omicskb(full_db, "load", "gene2go", realdata / "ncbi" / "gene2go.human.gz")
    assert result.exit_code == 0 and ": unchanged," in result.output
