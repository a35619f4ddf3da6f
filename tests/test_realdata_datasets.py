"""Blocks and defaults on the complete real cptac 2019 UCEC cohort from $OMICSKB_REALDATA (DuckDB):
each block is one dataset, every sample once, its columns those of its file."""

from __future__ import annotations

import gzip
import json

import pytest

from omicskb.etl.blocks import fetch_block
from omicskb.etl.cohorts import CPTAC2019_MATRICES
from omicskb.etl.db import make_engine
from omicskb.etl.queries import run_saved

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def ucec(realdata, tmp_path_factory):
    from click.testing import CliRunner

    from omicskb.etl.cli import cli

    folder = realdata / "cptac-ucec-2019"
    if not (folder / "clinical.txt").is_file():
        pytest.skip(f"{folder} has no clinical.txt (run fetch.sh)")
    target = str(tmp_path_factory.mktemp("ucec_datasets") / "ucec.duckdb")
    runner = CliRunner()

    def omicskb(*args):
        return runner.invoke(cli, ["--db", target, "--quiet", *map(str, args)], catch_exceptions=False)

    for args in (("init",), ("load", "gene-info", realdata / "ncbi" / "Homo_sapiens.gene_info.gz"),
                 ("load", "cohort", folder, "--cohort", "ucec", "--layout", "cptac2019")):
        result = omicskb(*args)
        assert result.exit_code == 0, result.output
    return target, folder, omicskb


def header(path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return handle.readline().rstrip("\r\n").split("\t")[1:]


def test_every_block_is_one_dataset_with_its_files_columns(ucec):
    target, folder, _ = ucec
    with gzip.open(folder / "somatic.maf.gz", "rt", encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        column = next(lines).rstrip("\n").split("\t").index("Tumor_Sample_Barcode")
        barcodes = {line.rstrip("\n").split("\t")[column] for line in lines if line.strip()}
    engine = make_engine(target)
    with engine.connect() as conn:
        mutation = fetch_block(conn, "UCEC", "mutation")
        assert mutation.dataset_names == ["somatic"]
        assert mutation.values.shape[1] == len(barcodes) == len(set(mutation.sample_ids.tolist()))
        tumors = fetch_block(conn, "UCEC", "mutation", role="tumor")
        assert len(set(tumors.sample_ids.tolist())) == tumors.values.shape[1] < mutation.values.shape[1]
        for path in sorted(folder.glob("*.c?t.gz")):
            stem = path.name.split(".")[0]
            if stem not in CPTAC2019_MATRICES:
                continue
            omics = CPTAC2019_MATRICES[stem][0]
            block = fetch_block(conn, "ucec", omics, name=stem)
            labels = header(path)
            assert block.dataset_names == [stem] and block.sample_labels == labels, stem
            assert len(set(block.sample_ids.tolist())) == len(labels), stem
            if omics != "mutation":  # the only omics with two datasets
                assert fetch_block(conn, "UCEC", omics).dataset_names == [stem]
        assert run_saved(conn, "audit_dataset_defaults") == []
    engine.dispose()


def test_values_name_the_default_datasets(ucec):
    target, _, omicskb = ucec
    result = omicskb("values", "IL7", "--cohort", "ucec", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    listing = json.loads(omicskb("datasets", "UCEC", "--format", "json").output)
    default_names = {d["name"] for d in listing if d["default"]}
    assert rows and {r["dataset_name"] for r in rows} <= default_names
    assert {r["omics_type"] for r in rows} <= {d["omics"] for d in listing if d["default"]}
    assert len({d["omics"] for d in listing if d["default"]}) == len(default_names) == len({d["omics"] for d in listing})
