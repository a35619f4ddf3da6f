"""Saved queries: headers that tell the truth, SQL that runs as-is in plain DuckDB and transpiled in
psql, typed parameters, every output format, and audits that find nothing on sound data."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from conftest import decoded_schema, query_rows
from omicskb.etl.db import make_engine
from omicskb.etl.queries import (
    MACROS_FILE, QUERIES_DIR, QueryError, SqlType, catalogue, deep_sql, duckdb_script, get, parse, psql_script, run_query, run_saved,
)

SAMPLE_VALUES = {
    "gene_id": "3574", "symbol": "IL7", "xref_db": "Ensembl", "accession": "ENSG00000104432", "go_id": "GO:0006916",
    "cohort": "UCEC", "dataset": "", "omics": "protein", "gene_ids": ["3574", "7157", "5728"], "min_samples": 2,
    "max_distance": 2, "min_value": -1.5, "tumor_only": True, "gene": "IL7", "min_cohorts": 1, "min_abs_signed_log10_p": 2.0, "cohorts": ["UCEC"],
    "top": 10, "analysis": "tumor_normal", "attribute": "TP53_mutation", "namespace": "biological_process", "min_size": 1, "max_size": 500,
    "universe": "annotated", "max_q": 1.0, "permutations": 50, "seed": 1,
}
REPO = Path(__file__).resolve().parent.parent


def values_for(name: str) -> dict:
    return {p.name: SAMPLE_VALUES[p.name] for p in get(name).params}


def test_every_query_file_has_a_header_that_matches_its_sql():
    files = sorted(p for p in QUERIES_DIR.glob("*.sql") if p.name != MACROS_FILE)
    assert files and len(catalogue()) == len(files)
    for path in files:
        query = parse(path)
        assert query.name == path.stem and query.description and query.columns
        # the parameters the SQL reads (sqlglot's parse, independent of the loader's regex) are the header's
        with deep_sql():
            tree = sqlglot.parse_one(query.body, read="duckdb")
        used = {f.expressions[0].name for f in tree.find_all(exp.Anonymous) if f.name.lower() == "getvariable"}
        assert used == {p.name for p in query.params}, path.name
        assert not re.search(r"(?<![:\w]):[a-z_]+\b", query.body), f"{path.name} still has a :name placeholder"
        assert all(p.description for p in query.params) and all(c.description for c in query.columns), path.name


def test_a_header_that_disagrees_with_its_sql_is_refused(tmp_path):
    header = "-- name: q\n-- description: d\n-- column: x TEXT  x\n"
    cases = {
        "SELECT getvariable('a') AS x": "uses undeclared a",
        "-- param: a TEXT  a\nSELECT 1 AS x": None,  # header line after the name: declared, unused
    }
    (tmp_path / "q.sql").write_text(header + "SELECT getvariable('a') AS x\n")
    with pytest.raises(QueryError, match="uses undeclared a"):
        parse(tmp_path / "q.sql")
    (tmp_path / "q.sql").write_text(header.replace("-- column", "-- param: a TEXT  a\n-- column") + "SELECT 1 AS x\n")
    with pytest.raises(QueryError, match="declares unused a"):
        parse(tmp_path / "q.sql")
    (tmp_path / "q.sql").write_text(header.replace("-- column", "-- param: a INTEGER = 'x'  a\n-- column") + "SELECT getvariable('a') AS x\n")
    with pytest.raises(QueryError, match="default 'x' for type INTEGER"):
        parse(tmp_path / "q.sql")
    (tmp_path / "q.sql").write_text(header.replace("TEXT", "TEXTS") + "SELECT 1 AS x\n")
    with pytest.raises(QueryError, match="unknown type TEXTS"):
        parse(tmp_path / "q.sql")
    assert cases  # (documentation of the two shapes above)


def test_parameter_types_and_defaults_are_parsed():
    q = get("go_descendants")
    assert q.param("max_distance").type == SqlType("INTEGER") and q.param("max_distance").default == 1000
    q = get("gene_set_values")
    assert q.param("gene_ids").type == SqlType("TEXT", True) and q.param("gene_ids").required
    assert q.param("min_value").default is None and not q.param("min_value").required
    assert q.param("tumor_only").default is False
    assert SqlType("TEXT", True).from_text("TP53, PTEN") == ["TP53", "PTEN"]
    assert SqlType("TEXT", True).from_text('["a,b", "c"]') == ["a,b", "c"]
    assert SqlType("TEXT", True).from_text("") == []
    assert SqlType("INTEGER", True).from_text("1,2") == [1, 2]
    assert SqlType("BOOLEAN").from_text("Yes") is True and SqlType("FLOAT").from_text("1e-3") == 0.001
    for ptype, bad in (("INTEGER", "TP53"), ("INTEGER", "1.5"), ("FLOAT", "x"), ("FLOAT", "nan"), ("BOOLEAN", "maybe")):
        with pytest.raises(ValueError):
            SqlType(ptype).from_text(bad)


def test_every_query_runs_with_its_declared_columns(seeded):
    engine = make_engine(seeded)
    with engine.connect() as conn:
        for name, query in catalogue().items():
            table = run_query(conn, name, values_for(name), native=False)
            assert table.schema == query.arrow_schema, name
            # a native twin (etl/long_form.py) may dictionary-encode text; otherwise the same types
            native = run_query(conn, name, values_for(name))
            assert decoded_schema(native.schema).equals(query.arrow_schema), name
            if name.startswith("audit_"):
                assert table.num_rows == 0, f"{name} found problems: {table.to_pylist()[:3]}"
        ancestors = {r["ancestor_id"] for r in run_saved(conn, "go_ancestors", go_id="GO:0006916")}
        assert "GO:0042981" in ancestors and "GO:0008150" in ancestors  # regulation of apoptotic process; the root
        genes = {r["symbol"] for r in run_saved(conn, "genes_for_go_term", go_id="GO:0008150")}
        assert "IL7" in genes
        near = run_saved(conn, "go_descendants", go_id="GO:0008150", max_distance=1)
        assert near and {r["distance"] for r in near} == {1}
        assert len(run_saved(conn, "go_descendants", go_id="GO:0008150")) > len(near)
        with pytest.raises(QueryError, match="needs -p go_id"):
            run_saved(conn, "go_ancestors")
        with pytest.raises(QueryError, match="max_distance is INTEGER"):
            run_saved(conn, "go_descendants", go_id="GO:0008150", max_distance="TP53")
    engine.dispose()


def test_filtered_long_queries_equal_the_measurement_view(seeded):
    """gene_values reads only the gene's rows; the same rows come out of the plain view."""
    naive = """
        SELECT m.cohort_code, m.omics_type, m.dataset_name, m.feature_label, m.raw_identifier, m.sample_label, m.sample_type, m.stat_role, m.value
        FROM measurement AS m JOIN dataset AS d ON d.dataset_id = m.dataset_id
        WHERE m.gene_id = :g AND (d.is_default OR d.dataset_id IN (SELECT p.normal_dataset_id FROM dataset_pair AS p JOIN dataset AS t ON t.dataset_id = p.tumor_dataset_id AND t.is_default))
    """
    engine = make_engine(seeded)
    with engine.connect() as conn:
        for gene_id in ("3574", "7157", "5728"):
            table = run_query(conn, "gene_values", {"gene_id": gene_id}).drop_columns(["block_name"])
            got = sorted(tuple(r.values()) for r in table.to_pylist())
            expected = sorted(tuple(r) for r in query_rows(seeded, naive, g=gene_id))
            assert got == expected and got, gene_id
        values = run_query(conn, "gene_set_values", {"gene_ids": ["3574", "7157"], "cohort": "ucec"})
        assert set(values["gene_id"].to_pylist()) == {"3574", "7157"}
        one = run_query(conn, "gene_values", {"gene_id": "7157"})
        assert values.filter(pa.compute.equal(values["gene_id"], "7157")).num_rows == one.num_rows
        whole = run_query(conn, "dataset_values", {"cohort": "UCEC", "omics": "protein"})
        assert whole.num_rows == query_rows(seeded, "SELECT count(*) FROM measurement AS m JOIN dataset AS d USING (dataset_id) WHERE d.cohort_code = 'UCEC' AND d.omics_type = 'protein' AND d.is_default")[0][0]
    engine.dispose()


def test_parameters_are_bound_not_formatted(seeded):
    engine = make_engine(seeded)
    with engine.connect() as conn:
        assert run_saved(conn, "gene_lookup_by_symbol", symbol="IL7' OR '1'='1") == []
        assert run_saved(conn, "gene_set_values", gene_ids=["3574') OR ('1'='1"]) == []
    engine.dispose()
    assert query_rows(seeded, "SELECT count(*) FROM gene WHERE gene_id = '3574'") == [(1,)]


def test_audit_finds_an_orphan(seeded):
    engine = make_engine(seeded)
    if engine.dialect.name != "duckdb":  # PostgreSQL enforces the foreign keys instead
        import sqlalchemy as sa

        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM gene WHERE gene_id = '3574'")
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM gene WHERE gene_id = '3574'")
    with engine.connect() as conn:
        rows = run_saved(conn, "audit_orphan_rows")
    engine.dispose()
    assert {r["table_name"] for r in rows} >= {"gene_go_annotation", "gene_summary", "ortholog"}


# --- the same files outside omicskb -----------------------------------------------------------

PLAIN_DUCKDB = textwrap.dedent("""
    import sys, duckdb, pyarrow.parquet as pq
    con = duckdb.connect(sys.argv[1], read_only=True)
    for script, out in zip(sys.argv[2::2], sys.argv[3::2]):
        for statement in open(script).read().split(";\\n")[:-1]:  # SET VARIABLE lines, then the query
            result = con.execute(statement)
        pq.write_table(result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.fetch_arrow_table(), out)
""")


def test_every_query_runs_in_plain_duckdb_as_printed_by_sql(seeded, omicskb, tmp_path):
    """`omicskb query NAME --sql` pasted into DuckDB (here its Python module, without omicskb) gives
    what `omicskb query` gives."""
    if not seeded.endswith(".duckdb"):
        pytest.skip("plain DuckDB reads DuckDB files")
    assert omicskb(seeded, "derive").exit_code == 0  # the tumor-vs-normal queries then have rows
    args, expected = [], {}
    for name in catalogue():
        params = [a for k, v in values_for(name).items() for a in ("-p", f"{k}={','.join(v) if isinstance(v, list) else v}")]
        script = omicskb(seeded, "query", name, *params, "--sql")
        if get(name).inputs:  # computed by omicskb at run time (gene_trans): refused, with the reason
            assert script.exit_code == 2 and "computes when it runs the query" in script.output, name
            continue
        assert script.exit_code == 0, script.output
        assert script.output.endswith(get(name).sql.rstrip().rstrip(";") + ";\n")  # the file's text, verbatim
        (tmp_path / f"{name}.sql").write_text(script.output)
        args += [str(tmp_path / f"{name}.sql"), str(tmp_path / f"{name}.parquet")]
        result = omicskb(seeded, "query", name, *params, "--format", "json")
        assert result.exit_code == 0, result.output
        expected[name] = json.loads(result.output)
    done = subprocess.run([sys.executable, "-I", "-c", PLAIN_DUCKDB, seeded, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name, rows in expected.items():
        plain = pq.read_table(tmp_path / f"{name}.parquet")
        assert plain.column_names == [c.name for c in get(name).columns]
        plain = plain.cast(get(name).arrow_schema)  # e.g. a sum is HUGEINT there: the header gives the type
        got = json.loads(json.dumps(plain.to_pylist(), default=lambda v: v.isoformat()))
        assert got == rows, name


def test_every_query_runs_in_psql_as_printed_by_sql(pg_target, omicskb, tmp_path):
    """`omicskb query NAME --sql --dialect postgresql` run by psql gives what `omicskb query` gives."""
    psql = shutil.which("psql") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))), None)
    if psql is None:
        pytest.skip("no psql on this machine")
    assert omicskb(pg_target, "load", "seeds", str(REPO / "seeds")).exit_code == 0
    assert omicskb(pg_target, "derive").exit_code == 0
    for name, query in catalogue().items():
        params = [a for k, v in values_for(name).items() for a in ("-p", f"{k}={','.join(v) if isinstance(v, list) else v}")]
        script = omicskb(pg_target, "query", name, *params, "--sql", "--dialect", "postgresql")
        if query.inputs:  # computed by omicskb at run time (gene_trans): refused, with the reason
            assert script.exit_code == 2 and "computes when it runs the query" in script.output, name
            continue
        assert script.exit_code == 0, script.output
        done = subprocess.run([psql, "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-d", pg_target], input=script.output, capture_output=True, text=True)
        assert done.returncode == 0, f"{name}: {done.stderr}"
        header, *lines = done.stdout.splitlines()
        result = omicskb(pg_target, "query", name, *params, "--format", "csv")
        ours_header, *ours = result.output.splitlines()
        assert header == ours_header, name
        assert len(lines) == len(ours), name
        types = [c.type.base + ("[]" if c.type.is_list else "") for c in query.columns]
        for theirs, mine in zip(lines, ours):
            for kind, a, b in zip(types, next(iter(__import__("csv").reader([theirs]))), next(iter(__import__("csv").reader([mine])))):
                if kind.endswith("[]") and a:  # psql writes {x,y}, omicskb [x, y]
                    items_a, items_b = a.strip("{}").split(","), b.strip("[]").split(", ")
                    if kind == "FLOAT[]":
                        assert [float(x) for x in items_a] == pytest.approx([float(x) for x in items_b], rel=1e-12), name
                    else:
                        assert [x.strip('"') for x in items_a] == items_b, name
                elif kind == "FLOAT" and a and b:
                    assert float(a) == pytest.approx(float(b), rel=1e-12), name
                elif kind == "BOOLEAN" and a:
                    assert {"t": "true", "f": "false"}[a] == b, name
                elif kind not in ("TIMESTAMP",):
                    assert a == b, name


# --- the command line -------------------------------------------------------------------------


def test_parameter_mistakes_are_one_line_usage_errors(seeded, omicskb):
    cases = [
        (("go_descendants", "-p", "go_id=GO:0008150", "-p", "max_distance=TP53"), "parameter max_distance is INTEGER: 'TP53' is not an integer"),
        (("go_descendants", "-p", "go_id=GO:1", "-p", "go_id=GO:2"), "-p go_id is given twice"),
        (("go_descendants", "-p", "nope=1", "-p", "go_id=GO:1"), "has no parameter 'nope'"),
        (("go_descendants",), "needs -p go_id=VALUE"),
        (("go_descendants", "-p", "go_id"), "is not NAME=VALUE"),
        (("gene_set_values", "-p", "gene_ids=3574", "-p", "tumor_only=maybe"), "is not a boolean"),
        (("gene_set_values", "-p", "gene_ids=3574", "-p", "min_value=abc"), "is not a number"),
        (("no_such_query",), "no saved query named 'no_such_query'"),
    ]
    for args, message in cases:
        for extra in ((), ("--sql",)):
            result = omicskb(seeded, "query", *args, *extra)
            assert result.exit_code == 2, (args, result.output)
            assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output


def test_unknown_cohort_and_gene_are_data_errors(seeded, omicskb):
    result = omicskb(seeded, "query", "gene_values", "-p", "gene_id=3574", "-p", "cohort=NOPE")
    assert result.exit_code == 1 and "NOPE" in result.output
    result = omicskb(seeded, "query", "gene_values", "-p", "gene_id=NOSUCHGENE")
    assert result.exit_code == 1 and "NOSUCHGENE" in result.output
    by_symbol = omicskb(seeded, "query", "gene_values", "-p", "gene_id=il7", "-p", "cohort=ucec", "--format", "json")
    by_id = omicskb(seeded, "query", "gene_values", "-p", "gene_id=3574", "-p", "cohort=UCEC", "--format", "json")
    assert by_symbol.exit_code == 0 and by_symbol.output == by_id.output and json.loads(by_id.output)


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json", "jsonl", "parquet"])
def test_every_format_writes_its_header_even_with_zero_rows(seeded, omicskb, tmp_path, fmt):
    columns = [c.name for c in get("go_descendants").columns]
    for go_id, rows in (("GO:0008150", None), ("GO:9999999", 0)):
        out = tmp_path / f"out.{fmt}"
        result = omicskb(seeded, "query", "go_descendants", "-p", f"go_id={go_id}", "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        if fmt == "parquet":
            table = pq.read_table(out)
            assert table.schema == get("go_descendants").arrow_schema
            n = table.num_rows
        elif fmt in ("tsv", "csv"):
            lines = out.read_text().splitlines()
            assert lines[0].split("\t" if fmt == "tsv" else ",") == columns
            n = len(lines) - 1
        elif fmt == "json":
            data = json.loads(out.read_text())
            assert all(list(r) == columns for r in data)
            n = len(data)
        elif fmt == "jsonl":
            data = [json.loads(line) for line in out.read_text().splitlines()]
            assert all(list(r) == columns for r in data)
            n = len(data)
        else:
            lines = out.read_text().splitlines()
            assert lines[0].split() == columns and set(lines[1]) <= {"-", " "}
            assert lines[-1] == f"({len(lines) - 3} row{'s' if len(lines) - 3 != 1 else ''})"
            n = len(lines) - 3
        if rows is not None:
            assert n == rows
        else:
            assert n > 100


def test_piped_output_is_tsv_and_the_suffix_picks_the_format(seeded, tmp_path):
    env = {**os.environ, "OMICSKB_DB": seeded}
    exe = Path(sys.executable).with_name("omicskb")  # the venv's, whatever PATH holds
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "omicskb.etl.cli"]
    piped = subprocess.run([*command, "query", "go_descendants", "-p", "go_id=GO:0008150"], capture_output=True, text=True, env=env)
    assert piped.returncode == 0 and piped.stdout.splitlines()[0] == "\t".join(c.name for c in get("go_descendants").columns)
    out = tmp_path / "x.parquet"
    done = subprocess.run([*command, "query", "go_descendants", "-p", "go_id=GO:0008150", "-o", str(out)], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and pq.read_table(out).num_rows == len(piped.stdout.splitlines()) - 1


def test_queries_lists_and_describes(omicskb, tmp_path):
    listing = omicskb(str(tmp_path / "none.duckdb"), "queries")
    assert listing.exit_code == 0 and len(listing.output.splitlines()) == len(catalogue())
    shown = omicskb(str(tmp_path / "none.duckdb"), "queries", "gene_set_values")
    assert shown.exit_code == 0
    for text in ("gene_ids TEXT[]", "tumor_only BOOLEAN = false", "min_value FLOAT = NULL::DOUBLE", "(required)", "columns:", "value FLOAT"):
        assert text in shown.output, text
    assert not (tmp_path / "none.duckdb").exists()


def test_the_macros_file_loads_in_plain_duckdb(seeded):
    if not seeded.endswith(".duckdb"):
        pytest.skip("DuckDB macros")
    code = textwrap.dedent("""
        import sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        con.execute(open(sys.argv[2]).read())
        rows = con.execute("SELECT count(*), count(DISTINCT dataset_name) FROM measurements_of(gene := '3574')").fetchone()
        every = con.execute("SELECT count(*) FROM measurements_of(gene := '3574', default_only := false)").fetchone()
        naive = con.execute("SELECT count(*) FROM measurement WHERE gene_id = '3574'").fetchone()
        print(rows[0], rows[1], every[0], naive[0])
    """)
    done = subprocess.run([sys.executable, "-I", "-c", code, seeded, str(QUERIES_DIR / MACROS_FILE)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    n, datasets, every, naive = map(int, done.stdout.split())
    assert n > 0 and datasets > 1 and every == naive


def test_values_writes_the_saved_query_rows_in_every_format(seeded, omicskb, tmp_path):
    """`values` shares the query formatter: its tsv is the saved query's tsv, its -o picks by suffix."""
    via_values = omicskb(seeded, "values", "IL7", "--cohort", "ucec", "--format", "tsv")
    via_query = omicskb(seeded, "query", "gene_value_summary", "-p", "gene_id=3574", "-p", "cohort=UCEC", "--format", "tsv")
    assert via_values.exit_code == 0 and via_values.output == via_query.output and len(via_values.output.splitlines()) > 3
    result = omicskb(seeded, "values", "IL7", "--all-values", "-o", str(tmp_path / "v.parquet"))
    assert result.exit_code == 0 and pq.read_table(tmp_path / "v.parquet").schema == get("gene_values").arrow_schema


def same_row(a: dict, b: dict) -> bool:
    """Equal rows; floats to 1e-12 relative (a quartile can differ in its last bit between backends)."""
    return a.keys() == b.keys() and all(
        (isinstance(x, float) and isinstance(y, float) and math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15)) or x == y for x, y in zip(a.values(), b.values())
    )


@pytest.mark.postgres
def test_postgresql_orders_text_as_duckdb_does_whatever_the_database_collation(pg_target, omicskb, tmp_path):
    """Under an en-US collation PostgreSQL would put 'C1orf43' before 'C1QA' and 'a_b' before 'aB';
    DuckDB sorts by bytes. The transpiled queries sort their TEXT keys COLLATE "C", so every query
    returns its rows in the same order on both, here in a database created with ICU en-US."""
    url = sa.engine.make_url(pg_target)
    icu_name = f"{url.database}_icu"
    admin = make_engine(pg_target)
    with admin.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{icu_name}"')
        try:
            conn.exec_driver_sql(f"CREATE DATABASE \"{icu_name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
        except sa.exc.DBAPIError as exc:
            pytest.skip(f"this server cannot create an ICU database: {str(exc).splitlines()[0]}")
        assert conn.exec_driver_sql("SELECT 'C1orf43' < 'C1QA' COLLATE \"en-US-x-icu\"").scalar()  # the trap is real
    icu = url.set(database=icu_name).render_as_string(hide_password=False)
    duck = str(tmp_path / "order.duckdb")
    try:
        for target in (icu, duck):
            assert omicskb(target, "init").exit_code == 0
            result = omicskb(target, "load", "seeds", str(REPO / "seeds"))
            assert result.exit_code == 0, result.output
        # sample labels whose byte order and en-US order differ, in a cohort of their own
        matrix = tmp_path / "order.tsv"
        matrix.write_text("idx\ta_b\taB\tC1orf43\tC1QA\nIL7\t1.5\t2.5\t3.5\t4.5\nTP53\t0.5\t0.25\t0.125\t1.0\n")
        for target in (icu, duck):
            result = omicskb(target, "load", "matrix", matrix, "--cohort", "BRCA", "--omics", "protein", "--name", "ordering", "--sample-type", "tumor")
            assert result.exit_code == 0, result.output
        params = dict(SAMPLE_VALUES, cohort="", dataset="")
        engines = [make_engine(t) for t in (duck, icu)]
        with engines[0].connect() as a, engines[1].connect() as b:
            for name in catalogue():
                values = {p.name: params[p.name] for p in get(name).params}
                left, right = run_query(a, name, values).to_pylist(), run_query(b, name, values).to_pylist()
                if name in ("cohort_datasets", "cohort_load_batches", "audit_runs_not_finished"):
                    continue  # load times and directories differ between the two loads
                assert len(left) == len(right) and all(same_row(x, y) for x, y in zip(left, right)), name
            brca = [r["sample_label"] for r in run_query(b, "gene_values", {"gene_id": "3574", "cohort": "brca", "dataset": ""}).to_pylist()]
            assert brca == ["C1QA", "C1orf43", "aB", "a_b"]  # by bytes, as DuckDB sorts
        for engine in engines:
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(f'DROP DATABASE IF EXISTS "{icu_name}" WITH (FORCE)')
        admin.dispose()


def test_protein_products_gives_the_line_of_the_seed_page(seeded, omicskb):
    page = (REPO.parent / "shared" / "seeds" / "il7-linkedomicskb-page.txt")
    expected = "ENST00000263851.9 Primary ENSP00000263851.4 (0 phosphosite)"
    if page.is_file():  # the page itself, where ../shared is there
        assert expected in page.read_text()
    rows = json.loads(omicskb(seeded, "query", "protein_products", "-p", "gene=il7", "-f", "json").output)
    assert rows[0]["page_label"] == expected and rows[0]["is_primary"] and rows[0]["n_phosphosites"] == 0
    assert len(rows) == 5 and all(r["protein"] is None for r in rows[1:])
