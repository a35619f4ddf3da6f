"""Shared fixtures: a fresh database on each backend, the CLI runner, and the real-data folder.

DuckDB always runs. PostgreSQL runs when $OMICSKB_TEST_PG_URL names a server (.ci/run starts one
and sets it); locally without it those tests skip and say why, and under CI they fail instead.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from omicskb.etl.cli import cli
from omicskb.etl.db import make_engine, upgrade

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEEDS = ROOT / "seeds"
PG_URL = os.environ.get("OMICSKB_TEST_PG_URL")
IN_CI = bool(os.environ.get("CI"))


def _postgres_target() -> str:
    if not PG_URL:
        if IN_CI:
            pytest.fail("OMICSKB_TEST_PG_URL is not set: CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL tests skipped: set OMICSKB_TEST_PG_URL (e.g. postgresql://omicskb:omicskb@localhost/omicskb_test)")
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return PG_URL


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_target(request, tmp_path) -> str:
    """A database target with no schema, on each backend."""
    if request.param == "duckdb":
        return str(tmp_path / "test.duckdb")
    return _postgres_target()


@pytest.fixture
def target(empty_target) -> str:
    """A database target at the head schema revision."""
    engine = make_engine(empty_target)
    upgrade(engine)
    engine.dispose()
    return empty_target


@pytest.fixture
def pg_target() -> str:
    target = _postgres_target()
    engine = make_engine(target)
    upgrade(engine)
    engine.dispose()
    return target


@pytest.fixture
def duckdb_target(tmp_path) -> str:
    target = str(tmp_path / "test.duckdb")
    engine = make_engine(target)
    upgrade(engine)
    engine.dispose()
    return target


@pytest.fixture
def omicskb():
    """Run the CLI in-process: omicskb(target, 'load', 'gene-info', path) -> click Result."""
    runner = CliRunner()

    def invoke(target: str, *args: str):
        return runner.invoke(cli, ["--db", target, "--quiet", *map(str, args)], catch_exceptions=False)

    return invoke


@pytest.fixture
def seeded(target, omicskb) -> str:
    result = omicskb(target, "load", "seeds", SEEDS)
    assert result.exit_code == 0, result.output
    return target


def snapshot(target: str) -> dict[str, list]:
    """Every row of every data table, to compare a database before and after a failed load."""
    engine = make_engine(target)
    tables = [
        "gene", "gene_symbol", "gene_xref", "gene_summary", "ortholog", "species_gene", "gene_category", "go_term",
        "go_alt_id", "go_relation", "go_closure", "gene_go_annotation", "transcript", "transcript_selection",
        "source_release", "unresolved_identifier", "cohort", "patient", "sample", "clinical_attribute", "clinical_level",
        "clinical_value", "dataset", "dataset_sample", "feature", "measurement_row", "mutation",
        "tn_comparison", "tn_comparison_sample", "tn_result", "tn_box", "tn_box_outlier", "tn_meta",
        "cis_block", "cis_block_sample", "cis_result", "cis_meta",
        "pheno_block", "pheno_block_sample", "pheno_attribute", "pheno_result", "pheno_meta",
        "trans_block", "trans_block_sample", "trans_result", "trans_meta",
    ]
    with engine.connect() as conn:
        out = {t: sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {t}")).all()), key=repr) for t in tables}
    engine.dispose()
    return out


def decoded_schema(schema):
    """The schema with dictionary-encoded columns as their value type (the native dataset_values
    encodes its text; the SQL file's result does not)."""
    import pyarrow as pa

    return pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in schema])


def decoded(table):
    """The table with its dictionary-encoded text decoded, to compare with plain text."""
    return table.cast(decoded_schema(table.schema))


def query_rows(target: str, sql: str, **params) -> list[tuple]:
    engine = make_engine(target)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql), params).all()]
    engine.dispose()
    return rows


@pytest.fixture(scope="session")
def realdata() -> Path:
    folder = os.environ.get("OMICSKB_REALDATA")
    if not folder:
        pytest.skip("OMICSKB_REALDATA not set (run ../shared/realdata/fetch.sh and point it at the cache)")
    path = Path(folder).expanduser()
    if not path.is_dir():
        pytest.skip(f"OMICSKB_REALDATA={folder} is not a folder")
    return path


def corrected_seed_proteomics(tmp_path: Path) -> Path:
    """The seed UCEC proteomics file with its first value changed to 9.5: a corrected release of
    the same dataset (load it with --cohort UCEC --omics protein --name proteomics)."""
    with gzip.open(SEEDS / "ucec" / "proteomics.cct.gz", "rt") as handle:
        lines = handle.read().splitlines()
    fields = lines[1].split("\t")
    fields[1] = "9.5"
    lines[1] = "\t".join(fields)
    corrected = tmp_path / "proteomics.cct"
    corrected.write_text("\n".join(lines) + "\n")
    return corrected


def assert_a_failed_derive_changes_nothing(target: str, omicskb, monkeypatch, module, function: str, analysis: str, failing_call: int) -> None:
    """Make module.function raise on its failing_call-th call during `derive --analysis ANALYSIS`:
    the command exits 2 with the message, one failed run is logged, and nothing else changed."""
    before = snapshot(target)
    calls = []
    original = getattr(module, function)

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == failing_call:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, function, broken)
    result = omicskb(target, "derive", "--analysis", analysis)
    assert result.exit_code == 2 and "disk full" in result.output, result.output
    after = snapshot(target)
    assert {k: v for k, v in after.items() if k != "load_run"} == {k: v for k, v in before.items() if k != "load_run"}
    assert query_rows(target, "SELECT status, message FROM load_run WHERE source_kind = 'derive'") == [("failed", "disk full")]
