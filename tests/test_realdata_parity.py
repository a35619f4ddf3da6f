"""The README's complete annotation load and the real UCEC cohort, on DuckDB and on PostgreSQL:
the same answers on both, and every load mistake of the issue "Trustworthy loads" tried on the
full real data, seen and undone (marked realdata; PostgreSQL needs $OMICSKB_TEST_PG_URL)."""

from __future__ import annotations

import gzip
import json
import math

import pytest
from click.testing import CliRunner

from conftest import PG_URL, _postgres_target, decoded, query_rows
from omicskb.etl.cli import cli
from omicskb.etl.db import make_engine, upgrade

pytestmark = pytest.mark.realdata

README_LOAD = [
    ("gene-info", "ncbi/Homo_sapiens.gene_info.gz"),
    ("go-obo", "go/go-2019-01-27.obo.gz"),
    ("gene2go", "ncbi/gene2go.human.gz"),
    ("hgnc", "hgnc/hgnc_entries.tsv.gz"),
    ("gaf", "go/goa_human-2019-01-14.gaf.gz"),
    ("species-genes", "hgnc/mgi_entries.tsv.gz"),
    ("species-genes", "hgnc/rgd_entries.tsv.gz"),
    ("orthologs", "orthologs/hcop_human_to_mouse.csv.gz"),
]


class Database:
    def __init__(self, target: str, realdata):
        self.target = target
        self.realdata = realdata
        self.runner = CliRunner()

    def __call__(self, *args):
        return self.runner.invoke(cli, ["--db", self.target, "--quiet", *map(str, args)], catch_exceptions=False)

    def ok(self, *args) -> str:
        result = self(*args)
        assert result.exit_code == 0, result.output
        return result.output


def _load_everything(db: Database) -> Database:
    for command, relative in README_LOAD:
        db.ok("load", command, db.realdata / relative)
    db.ok("load", "cohort", db.realdata / "cptac-ucec-2019", "--cohort", "UCEC", "--layout", "cptac2019")
    return db


@pytest.fixture(scope="module")
def duck(realdata, tmp_path_factory) -> Database:
    db = Database(str(tmp_path_factory.mktemp("parity") / "full.duckdb"), realdata)
    db.ok("init")
    return _load_everything(db)


@pytest.fixture(scope="module")
def pg(realdata) -> Database:
    if not PG_URL:
        pytest.skip("PostgreSQL tests skipped: set OMICSKB_TEST_PG_URL")
    target = _postgres_target()
    engine = make_engine(target)
    upgrade(engine)
    engine.dispose()
    return _load_everything(Database(target, realdata))


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request) -> Database:
    return request.getfixturevalue("duck" if request.param == "duckdb" else "pg")


def close(a, b) -> bool:
    """Equal, with floats equal to 1e-12 relative (PostgreSQL and DuckDB may round the last bit
    of a quartile differently)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return a == b


# ---------------------------------------------------------------------------------------------
# The same answers on both backends


@pytest.mark.postgres
@pytest.mark.parametrize("args", [
    ("gene", "IL7", "--format", "json"),
    ("gene", "TP53", "--format", "json"),
    ("values", "IL7", "--cohort", "UCEC", "--format", "json"),
    ("values", "PTEN", "--cohort", "ucec", "--format", "json"),
    ("cohorts", "--format", "json"),
    ("datasets", "list", "--format", "json"),
    ("query", "unresolved_by_reason", "--format", "json"),
    ("query", "genes_for_go_term", "-p", "go_id=GO:0006955", "--format", "json"),
])
def test_postgresql_gives_the_same_answers_as_duckdb(duck, pg, args):
    a, b = duck(*args), pg(*args)
    assert a.exit_code == 0 and b.exit_code == 0, (a.output, b.output)
    assert close(json.loads(a.output), json.loads(b.output))


FULL_DATA_VALUES = {
    "gene_id": "7157", "symbol": "TP53", "xref_db": "Ensembl", "accession": "ENSG00000141510", "go_id": "GO:0006955",
    "cohort": "ucec", "dataset": "", "omics": "phospho", "gene_ids": ["7157", "5728", "3574", "1956"],
    "max_distance": 3, "min_value": -1.0, "tumor_only": True, "gene": "TP53", "min_cohorts": 1, "min_abs_signed_log10_p": 6.0, "cohorts": ["ucec"],
}


@pytest.mark.postgres
def test_every_saved_query_gives_the_same_table_on_both_backends(duck, pg):
    """Each query as omicskb runs it (DuckDB SQL; sqlglot's PostgreSQL), on the full data; the whole
    phospho block in long form (dataset_values) included."""
    import omicskb
    from omicskb.etl.queries import catalogue

    with omicskb.connect(duck.target) as a, omicskb.connect(pg.target) as b:
        for name, query in catalogue().items():
            params = {p.name: FULL_DATA_VALUES[p.name] for p in query.params}
            left, right = a.query(name, **params), b.query(name, **params)
            assert left.schema == right.schema and left.num_rows == right.num_rows, name
            if name in ("cohort_datasets", "cohort_load_batches", "audit_runs_not_finished"):
                continue  # load times, directories
            if name == "dataset_values":
                assert left.num_rows > 1_000_000 and left.equals(right), name  # stored doubles: exactly equal
                continue
            assert close(left.to_pylist(), right.to_pylist()), name


def test_native_dataset_values_equal_the_sql_file_on_the_full_data(db):
    """etl/long_form.py against queries/dataset_values.sql on whole real blocks (1.8 M phospho values)."""
    import omicskb

    with omicskb.connect(db.target) as handle:
        for omics in ("phospho", "rna"):
            native = handle.query("dataset_values", cohort="ucec", omics=omics)
            sql = handle.query("dataset_values", cohort="ucec", omics=omics, native=False)
            assert native.num_rows > 100_000 and decoded(native).equals(sql), omics


def test_filtered_gene_values_equal_the_measurement_view(db):
    """On the full data: the filter-first saved query returns what the plain view returns."""
    naive = """
        SELECT m.omics_type, m.dataset_name, m.feature_label, m.sample_label, m.value
        FROM measurement AS m JOIN dataset AS d ON d.dataset_id = m.dataset_id
        WHERE m.gene_id = :g AND d.is_default
    """
    for gene_id in ("7157", "5728", "1956"):
        got = json.loads(db.ok("query", "gene_values", "-p", f"gene_id={gene_id}", "--format", "json"))
        mine = sorted((r["omics_type"], r["dataset_name"], r["feature_label"], r["sample_label"], r["value"]) for r in got)
        assert mine and mine == sorted(tuple(r) for r in query_rows(db.target, naive, g=gene_id)), gene_id


def test_the_audits_are_clean(db):
    for audit in ("audit_orphan_rows", "audit_cohort_orphans", "audit_dataset_shape", "audit_runs_not_finished", "audit_dataset_defaults"):
        assert json.loads(db.ok("query", audit, "--format", "json")) == [], audit


# ---------------------------------------------------------------------------------------------
# Mistakes, on the full data


TABLES = (
    "gene", "gene_symbol", "gene_xref", "gene_summary", "ortholog", "species_gene", "go_term", "go_closure", "gene_go_annotation",
    "cohort", "cohort_alias", "patient", "sample", "clinical_attribute", "clinical_level", "clinical_value", "dataset", "dataset_pair",
    "dataset_sample", "feature", "measurement_row", "mutation",
)


def fingerprint(target: str) -> dict:
    """Per data table: its row count and a hash over every row (the whole database, cheaply)."""
    row_hash = "sum(hash(t)::HUGEINT)" if "://" not in target else "sum(hashtextextended(CAST(t AS TEXT), 0)::NUMERIC)"
    return {table: query_rows(target, f"SELECT count(*), {row_hash} FROM {table} AS t")[0] for table in TABLES}


def test_a_subset_gene_info_is_refused_then_accepted_with_the_flag_and_rolled_back(db, tmp_path):
    full = db.realdata / "ncbi" / "Homo_sapiens.gene_info.gz"
    with gzip.open(full, "rt", encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(2000)]
    subset = tmp_path / "gene_info_first_1999.tsv"
    subset.write_text("".join(lines), encoding="utf-8")
    before = fingerprint(db.target)
    refused = db("load", "gene-info", subset)
    assert refused.exit_code == 1 and "refused" in refused.output and "gene_symbol" in refused.output and "--allow-shrink" in refused.output, refused.output
    assert fingerprint(db.target) == before
    dry = db("load", "gene-info", subset, "--dry-run")
    assert dry.exit_code == 1 and "would write gene_symbol" in dry.output
    assert fingerprint(db.target) == before
    accepted = db.ok("load", "gene-info", subset, "--allow-shrink")
    assert "removed" in accepted
    # IL7 is past line 2000: gene_info's symbols for it are gone (HGNC's, its own source, stay).
    assert query_rows(db.target, "SELECT count(*) FROM gene_symbol WHERE gene_id = '3574' AND source_kind = 'gene_info'") == [(0,)]
    assert query_rows(db.target, "SELECT count(*) FROM gene_symbol WHERE gene_id = '3574' AND source_kind = 'hgnc'")[0][0] > 0
    db.ok("rollback", "gene_info:9606")
    after = fingerprint(db.target)
    assert after == before
    assert ": unchanged," in db.ok("load", "gene-info", full)


def test_reloading_the_original_after_a_correction_and_undoing_it(db, tmp_path):
    original = db.realdata / "cptac-ucec-2019" / "proteomics.cct.gz"
    with gzip.open(original, "rt", encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    fields = lines[100].split("\t")
    feature, old = fields[0], fields[3]
    assert old not in ("NA", "")
    fields[3] = "42.5"
    corrected = tmp_path / "proteomics.cct"
    corrected.write_text("".join(lines[:100] + ["\t".join(fields)] + lines[101:]), encoding="utf-8", newline="")
    sample = lines[0].split("\t")[3]
    value = "SELECT value FROM measurement WHERE dataset_name = 'proteomics' AND raw_identifier = :f AND sample_label = :s"
    state = lambda: query_rows(db.target, "SELECT count(*), sum(n_features) FROM dataset")  # noqa: E731
    shape = state()
    db.ok("load", "matrix", corrected, "--cohort", "UCEC", "--omics", "protein", "--name", "proteomics")
    assert query_rows(db.target, value, f=feature, s=sample) == [(42.5,)]
    reloaded = db.ok("load", "matrix", original, "--cohort", "UCEC", "--omics", "protein", "--name", "proteomics")
    assert "replaced release" in reloaded and ": unchanged," not in reloaded
    assert query_rows(db.target, value, f=feature, s=sample) == [(float(old),)]
    db.ok("rollback", "dataset:UCEC/protein/proteomics")
    assert query_rows(db.target, value, f=feature, s=sample) == [(42.5,)]
    db.ok("rollback", "dataset:UCEC/protein/proteomics")
    assert query_rows(db.target, value, f=feature, s=sample) == [(float(old),)]
    assert state() == shape
    assert ": unchanged," in db.ok("load", "cohort", db.realdata / "cptac-ucec-2019", "--cohort", "UCEC", "--layout", "cptac2019")


def test_the_same_file_into_a_second_cohort_loads_and_can_be_removed(db):
    proteomics = db.realdata / "cptac-ucec-2019" / "proteomics.cct.gz"
    before = fingerprint(db.target)
    loaded = db.ok("load", "matrix", proteomics, "--cohort", "ucec_copy", "--cohort-name", "UCEC again", "--omics", "protein", "--sample-type", "tumor")
    assert "created cohort UCEC_COPY" in loaded
    assert query_rows(db.target, "SELECT n_features, n_samples FROM dataset WHERE cohort_code = 'UCEC_COPY'") == [(10999, 153)]
    db.ok("remove", "cohort", "UCEC_COPY")
    after = fingerprint(db.target)
    for table in ("sample", "patient", "dataset", "dataset_sample", "measurement_row", "clinical_value"):
        assert after[table] == before[table], table
    assert after["feature"] == before["feature"]  # the features were there already


def test_a_matrix_given_to_load_samples_is_refused(db):
    before = fingerprint(db.target)
    result = db("load", "samples", db.realdata / "cptac-ucec-2019" / "CNA.cct.gz", "--cohort", "UCEC")
    assert result.exit_code == 1 and "looks like a feature x sample matrix" in result.output and "omicskb load matrix" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert fingerprint(db.target) == before


def test_a_non_finite_value_is_refused_with_its_line_and_column(db, tmp_path):
    with gzip.open(db.realdata / "cptac-ucec-2019" / "proteomics.cct.gz", "rt", encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    assert lines[0].endswith("\r\n")  # the real files use CRLF
    fields = lines[5000].split("\t")
    fields[77] = "inf"
    bad = tmp_path / "proteomics.cct"
    bad.write_text("".join(lines[:5000] + ["\t".join(fields)] + lines[5001:]), encoding="utf-8", newline="")
    before = fingerprint(db.target)
    result = db("load", "matrix", bad, "--cohort", "UCEC", "--omics", "protein", "--name", "proteomics")
    assert result.exit_code == 1 and f"{bad}:5001:78:" in result.output and "non-finite" in result.output, result.output
    assert fingerprint(db.target) == before
