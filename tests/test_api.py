"""The Python API (import omicskb): the same answers as the CLI, on both backends."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest
import sqlalchemy as sa

import omicskb
from omicskb.etl.blocks import fetch_block
from omicskb.etl.db import make_engine
from omicskb.etl.errors import DatabaseError, LookupFailed
from omicskb.etl.queries import QueryError, get


def test_the_api_answers_as_the_cli_does(seeded, omicskb):
    with omicskb_connect(seeded) as db:
        card = db.gene("il7")
        assert card["gene_id"] == "3574" and card == db.gene("3574")
        cli_card = json.loads(omicskb(seeded, "gene", "IL7", "--format", "json").output)
        assert json.loads(json.dumps(card, default=str)) == cli_card

        values = db.values("IL7", cohort="ucec")
        assert isinstance(values, pa.Table) and values.schema == get("gene_values").arrow_schema and values.num_rows > 300
        cli_rows = json.loads(omicskb(seeded, "query", "gene_values", "-p", "gene_id=3574", "-p", "cohort=UCEC", "--format", "json").output)
        assert values.to_pylist() == cli_rows
        summary = db.values("IL7", summary=True)  # (.to_pandas() needs pandas, which omicskb does not require)
        assert set(summary["role"].to_pylist()) >= {"tumor", "normal"}

        assert db.gene_id("ENSG00000104432") == "3574"
        assert db.query("genes_for_go_term", go_id="GO:0008150").num_rows >= 1
        datasets = db.datasets(cohort="UCEC", omics="protein")
        assert datasets["omics_type"].to_pylist() == ["protein"]
        assert db.cohorts().num_rows >= 1


def test_block_equals_fetch_block_and_names_resolve(seeded):
    engine = make_engine(seeded, read_only=True)
    with engine.connect() as conn:
        expected = fetch_block(conn, "UCEC", "protein")
    engine.dispose()
    with omicskb_connect(seeded) as db:
        for block in (db.block("ucec", "protein"), db.block(expected.dataset_names[0])):
            assert np.array_equal(block.values, expected.values, equal_nan=True)
            assert block.sample_labels == expected.sample_labels and block.feature_labels == expected.feature_labels
        tumors = db.block("UCEC", "protein", role="tumor")
        assert set(tumors.stat_roles) == {"tumor"}


def test_mistakes_raise_the_library_errors(seeded, tmp_path):
    with omicskb_connect(seeded) as db:
        with pytest.raises(LookupFailed, match="NOSUCHGENE"):
            db.values("NOSUCHGENE")
        with pytest.raises(LookupFailed):
            db.values("IL7", cohort="NOPE")
        with pytest.raises(QueryError, match="max_distance is INTEGER"):
            db.query("go_descendants", go_id="GO:0008150", max_distance="many")
        with pytest.raises(QueryError, match="has no parameter"):
            db.query("go_descendants", go_id="GO:0008150", depth=2)
        with pytest.raises(LookupFailed):
            db.block("no_such_dataset")
        if "://" not in seeded:  # a read-only DuckDB connection cannot write
            with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM gene")
    with pytest.raises(DatabaseError, match="no database at"):
        omicskb.connect(str(tmp_path / "missing.duckdb"))
    assert not (tmp_path / "missing.duckdb").exists()


def test_the_repr_masks_a_password():
    db = object.__new__(omicskb.Database)
    db.target, db.read_only = "postgresql://ana:Sup3rSecret@db.example/kb", True
    assert "Sup3rSecret" not in repr(db) and "ana:***@db.example" in repr(db)


def test_import_omicskb_is_cheap_for_the_cli():
    """The CLI imports omicskb.etl.* through the omicskb package; the API loads on first use."""
    code = "import sys, omicskb.etl.errors; print('omicskb.etl.api' in sys.modules, 'pyarrow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "False"], done.stderr


def omicskb_connect(target: str) -> omicskb.Database:
    return omicskb.connect(target, read_only=True)
