"""Long-form access that filters first (issue 8, section 2): `python -m benchmarks.long_form`.

Values are stored one array per (dataset, feature) in measurement_row. On DuckDB the `measurement`
view unnests every array before any filter applies (PostgreSQL's planner moves a gene filter below
the view's unnest by itself); the saved queries gene_values, gene_set_values and dataset_values
(and the DuckDB macro measurements_of in queries/macros.sql) select the rows first and unnest only
those. This benchmark measures both, on the synthetic pan-cancer freeze
(benchmarks/synthetic_pancan.py: 10 cohorts, ~254 M values), and prints the plans that explain
the difference:

  a. One gene across every cohort and omics, long form: db.query("gene_values"), gene_set_values
     with 10 genes, and measurements_of(gene := ...), against the naive ways: the `measurement`
     view filtered on gene_id (into Arrow, and into pandas through pandas.read_sql), and reading
     every block with db.block() and melting the gene's rows with pandas.
  b. One whole block long form (the cohort with the most phospho samples): db.query("dataset_values"),
     which omicskb runs natively (etl/long_form.py), in values/s, against the matrix path db.block()
     ("Arrow speed"), the block turned into a long Arrow table with numpy, the SQL file itself
     (native=False: what plain DuckDB and psql run), and the naive pandas ways: read_sql of the long
     view, block + melt.
  c. With --ucec DB: gene_values of TP53 (7157) on a real UCEC database, in-process, and the view;
     then b on its phospho block.
  d. EXPLAIN ANALYZE of the filtered query and of the view for the one-gene case: how many
     measurement_row rows each scan emits and how many arrays go into the unnest.
  e. With --pg URL (or $OMICSKB_BENCH_PG_URL): a-b and d on PostgreSQL. The benchmark EMPTIES that
     database (drops its schema public) before loading and afterwards, as cohort_load does, unless
     --pg-reuse (measure what it holds) or --pg-keep (leave the load there).

Timings are medians of --repeats runs (--naive-repeats for the slow naive forms); every run is
printed. The figures also go to --json FILE.

    python -m benchmarks.long_form [--db PANCAN.duckdb] [--data DIR] [--ucec UCEC.duckdb]
                                   [--pg URL] [--pg-scale 0.2] [--repeats 15] [--naive-repeats 3]

--db reuses a pan-cancer DuckDB (built there first when the file does not exist); without it the
database is built in a temporary folder and deleted at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

import omicskb
from benchmarks.cohort_load import COHORTS, LOADED_TABLES, default_genes_from, ensure_freeze, load_freeze, prepare_database, reset_postgres
from omicskb.etl.db import analyze_tables, duckdb_driver, make_engine
from omicskb.etl.queries import MACROS_FILE, QUERIES_DIR, duckdb_sql, get, postgres_sql

GENE_SET_SIZE = 10
VIEW_ONE_GENE = "SELECT * FROM measurement WHERE gene_id = {}"


# ---------------------------------------------------------------------------------------------
# Plans: EXPLAIN ANALYZE as JSON, reduced to what filter-first is about (tests/test_long_form_plans.py uses it too)


@dataclasses.dataclass
class PlanSummary:
    """What EXPLAIN ANALYZE says a query did with measurement_row.

    scan_rows_out: rows the measurement_row scans emitted. DuckDB counts them exactly; PostgreSQL
        gives rows per loop, rounded, times loops (approximate when a scan runs in a loop).
    scan_rows_read: PostgreSQL adds the rows its scan filters removed; DuckDB does not count the
        rows its pushed-down filters drop (row groups its zone maps skip are not read at all), so
        there it equals scan_rows_out.
    unnest_arrays: arrays fed to the unnest, i.e. measurement_row rows unnested. DuckDB: the rows
        into its unnest operator; PostgreSQL: the loops of the Function Scan on unnest. Exact on both.
    unnest_values: the elements the unnest produced. DuckDB: exact (before the NULL filter);
        PostgreSQL: (rows + rows removed by its NULL filter) per loop times loops, approximate.
    """

    backend: str
    scan_rows_out: int
    scan_rows_read: int
    scans: list[str]
    unnest_arrays: int
    unnest_values: int
    seconds: float
    tree: list[str]

    def line(self) -> str:
        return (f"measurement_row scan(s) {', '.join(self.scans) or 'none'}: {self.scan_rows_out:,} rows out"
                + (f" ({self.scan_rows_read:,} read)" if self.scan_rows_read != self.scan_rows_out else "")
                + f"; unnest: {self.unnest_arrays:,} arrays in, {self.unnest_values:,} values out; {self.seconds * 1000:.0f} ms under EXPLAIN ANALYZE")


def _is_measurement_row(table: str | None) -> bool:
    return bool(table) and table.replace('"', "").split(".")[-1] == "measurement_row"


def _constant_input(node: dict) -> bool:
    """An operator whose input reads no table: only DUMMY_SCANs (a constant or a parameter)."""
    names = []

    def collect(n: dict) -> None:
        for child in n.get("children", []):
            names.append(child.get("name", ""))
            collect(child)

    collect(node)
    return all("SCAN" not in n or n == "DUMMY_SCAN" for n in names)


def summarise_duckdb(doc: dict) -> PlanSummary:
    """DuckDB's `EXPLAIN (ANALYZE, FORMAT JSON)` profile: operators with name, intermediate_rows
    (their output cardinality), timing, extra_info and children."""
    scans, scan_rows, arrays, values, tree = [], 0, 0, 0, []

    def walk(node: dict, depth: int) -> None:
        nonlocal scan_rows, arrays, values
        info = node.get("extra_info") or {}
        name, rows = node.get("name", "?"), int(node.get("intermediate_rows", 0))
        children = node.get("children", [])
        if "SCAN" in name and _is_measurement_row(info.get("Table")):
            scans.append(info.get("Type", name))
            scan_rows += rows
        is_unnest = name == "UNNEST" or (name in ("INOUT_FUNCTION", "TABLE_FUNCTION") and str(info.get("Name", info.get("Function", ""))).lower() == "unnest")
        if is_unnest and not _constant_input(node):  # unnest of a parameter list (gene_set_values' gene_ids) is no array of values
            arrays += sum(int(c.get("intermediate_rows", 0)) for c in children)
            values += rows
        if name not in ("RESULT_COLLECTOR", "EXPLAIN_ANALYZE"):
            detail = [str(info[k]) for k in ("Table", "Type", "Join Type", "Conditions", "Filters", "Dynamic Filters", "Name") if info.get(k)]
            text = " ".join(" ".join(d.split()) for d in detail)
            tree.append(f"{'  ' * depth}{name} rows={rows:,} {float(node.get('timing', 0)) * 1000:.1f}ms {text[:150]}".rstrip())
            depth += 1
        for child in children:
            walk(child, depth)

    for top in doc.get("operator", doc.get("children", [])):
        walk(top, 0)
    seconds = float((doc.get("query") or {}).get("total_time") or doc.get("latency") or 0.0)
    return PlanSummary("duckdb", scan_rows, scan_rows, scans, arrays, values, seconds, tree)


def summarise_postgres(doc: list | dict) -> PlanSummary:
    """PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`: nodes with Actual Rows (per loop,
    rounded) and Actual Loops."""
    top = doc[0] if isinstance(doc, list) else doc
    scans, scan_out, scan_read, arrays, values, tree = [], 0.0, 0.0, 0, 0.0, []

    def walk(node: dict, depth: int) -> None:
        nonlocal scan_out, scan_read, arrays, values
        kind, loops = node.get("Node Type", "?"), int(node.get("Actual Loops", 0))
        rows = float(node.get("Actual Rows", 0))
        removed = float(node.get("Rows Removed by Filter", 0)) + float(node.get("Rows Removed by Index Recheck", 0))
        if _is_measurement_row(node.get("Relation Name")):
            scans.append(kind + (f" using {node['Index Name']}" if node.get("Index Name") else ""))
            scan_out += rows * loops
            scan_read += (rows + removed) * loops
        if kind == "Function Scan" and node.get("Function Name") == "unnest":
            arrays += loops
            values += (rows + removed) * loops
        where = " ".join(str(node[k]) for k in ("Relation Name", "Index Name", "Function Name", "Hash Cond", "Index Cond", "Filter", "Join Filter") if node.get(k))
        buffers = node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
        tree.append(f"{'  ' * depth}{kind} rows={rows:,.0f} loops={loops:,} {float(node.get('Actual Total Time', 0)):.1f}ms"
                    f"{f' buffers={buffers:,}' if buffers else ''} {where[:150]}".rstrip())
        for child in node.get("Plans", []):
            walk(child, depth + 1)

    walk(top["Plan"], 0)
    return PlanSummary("postgresql", round(scan_out), round(scan_read), scans, arrays, round(values), float(top.get("Execution Time", 0)) / 1000, tree)


def explain(conn: sa.Connection, sql: str, params: dict[str, Any]) -> PlanSummary:
    """EXPLAIN ANALYZE of `sql` as the driver runs it: DuckDB with `$name` parameters, PostgreSQL
    with psycopg's `%(name)s` ones (the forms etl.queries.duckdb_sql / postgres_sql produce)."""
    if conn.dialect.name == "duckdb":
        rows = duckdb_driver(conn).execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchall()
        return summarise_duckdb(json.loads(rows[0][1]))
    with conn.connection.driver_connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    return summarise_postgres(json.loads(plan) if isinstance(plan, str) else plan)


def saved_sql(conn: sa.Connection, name: str) -> str:
    return duckdb_sql(name) if conn.dialect.name == "duckdb" else postgres_sql(name)


def view_sql(conn: sa.Connection) -> str:
    return VIEW_ONE_GENE.format("$gene_id" if conn.dialect.name == "duckdb" else "%(gene_id)s")


# ---------------------------------------------------------------------------------------------
# Timing


def timed(fn: Callable[[], Any], repeats: int) -> tuple[dict, Any]:
    runs, result = [], None
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return {"median_s": statistics.median(runs), "runs_s": [round(r, 4) for r in runs]}, result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def versus(seconds: float, reference: dict, name: str) -> str:
    """How a form compares with the saved query's median, in words that cannot be misread."""
    ratio = seconds / reference["median_s"]
    if 0.9 <= ratio <= 1.1:
        return f"about the time of {name} ({ratio:.2f}x)"
    return f"{ratio:,.1f}x the time of {name}" if ratio > 1 else f"{1 / ratio:,.1f}x faster than {name}"


class Forms:
    """Time forms of one question, print each, keep the figures in `fig`."""

    def __init__(self, label: str, fig: dict) -> None:
        self.label, self.fig = label, fig

    def run(self, key: str, what: str, fn: Callable[[], int], repeats: int, *, values: int | None = None,
            compare: str | None = None, note: str = "") -> dict:
        figure, count = timed(fn, repeats)
        figure["rows"] = count
        n = values if values is not None else count
        figure["values_per_s"] = n / figure["median_s"]
        self.fig[key] = figure
        text = f"{count:,} rows"
        if values is not None or n >= 1_000_000:
            text += f", {figure['values_per_s'] / 1e6:.2f} M values/s"
        if compare and compare in self.fig and compare != key:
            text += "; " + versus(figure["median_s"], self.fig[compare], compare)
        if note:
            text += "; " + note
        runs = ", ".join(f"{r * 1000:.0f}" if r >= 0.1 else f"{r * 1000:.1f}" for r in figure["runs_s"])
        print(f"[{self.label}]   {what:<60} median {ms(figure['median_s']):>10}  {text}  (runs, ms: {runs})", flush=True)
        return figure


# ---------------------------------------------------------------------------------------------
# The measurements


def pick_genes(conn: sa.Connection) -> tuple[str, list[str], dict[str, int]]:
    """A typical gene (the median by measurement_row rows among the genes present in every omics
    type) and GENE_SET_SIZE genes spread over that distribution (5th to 95th percentile). Sorted
    here, not in SQL, so both backends pick the same genes whatever their collation."""
    rows = conn.execute(sa.text(
        "WITH g AS (SELECT f.gene_id, count(*) AS n_rows, count(DISTINCT d.omics_type) AS n_omics "
        "FROM measurement_row AS m JOIN feature AS f ON f.feature_id = m.feature_id JOIN dataset AS d ON d.dataset_id = m.dataset_id "
        "WHERE f.gene_id IS NOT NULL GROUP BY f.gene_id) "
        "SELECT gene_id, n_rows FROM g WHERE n_omics = (SELECT max(n_omics) FROM g)"
    )).all()
    if not rows:
        raise SystemExit("the database holds no values of any gene")
    ranked = sorted(((int(r.n_rows), str(r.gene_id)) for r in rows))
    counts = {g: n for n, g in ranked}
    gene = ranked[len(ranked) // 2][1]
    picks = [ranked[min(len(ranked) - 1, int(len(ranked) * (0.05 + 0.1 * i)))][1] for i in range(GENE_SET_SIZE)]
    return gene, list(dict.fromkeys(picks)), counts


def default_blocks(db: omicskb.Database) -> list[tuple[str, str]]:
    table = db.datasets().to_pylist()
    return sorted({(d["cohort_code"], d["omics_type"]) for d in table if d["is_default"]})


def naive_blocks_melt(db: omicskb.Database, gene: str) -> int:
    """Naive pandas with the matrix API: every default block read whole, the gene's rows melted."""
    import pandas as pd

    frames = []
    for cohort, omics in default_blocks(db):
        block = db.block(cohort, omics)
        keep = [i for i, g in enumerate(block.gene_ids) if g == gene]
        if not keep:
            continue
        frame = pd.DataFrame(block.values[keep], columns=block.sample_labels)
        frame.insert(0, "feature_label", [block.feature_labels[i] for i in keep])
        frame.insert(0, "omics_type", omics)
        frame.insert(0, "cohort_code", cohort)
        frames.append(frame.melt(id_vars=["cohort_code", "omics_type", "feature_label"], var_name="sample_label").dropna(subset=["value"]))
    return sum(len(f) for f in frames)


def fetch_view(conn: sa.Connection, sql: str, params: dict) -> int:
    """Rows as the saved queries' own path fetches them: DuckDB into Arrow, PostgreSQL psycopg rows."""
    if conn.dialect.name == "duckdb":
        return duckdb_driver(conn).sql(sql, params=params).to_arrow_table().num_rows
    with conn.connection.driver_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def pandas_read_sql(conn: sa.Connection, sql: str, params: dict) -> int:
    import pandas as pd

    return len(pd.read_sql(sa.text(sql), conn, params=params))


def one_gene(label: str, db: omicskb.Database, args, out: dict) -> None:
    with db.engine.connect() as conn:
        gene, gene_set, counts = pick_genes(conn)
    symbol = db.gene(gene)["symbol"]
    out["gene"] = {"gene_id": gene, "symbol": symbol, "measurement_rows": counts[gene], "genes_considered": len(counts),
                   "gene_set": gene_set, "gene_set_measurement_rows": sum(counts[g] for g in gene_set)}
    print(f"[{label}] a. one gene across every cohort and omics: GeneID {gene} ({symbol}), {counts[gene]} measurement_row rows "
          f"(the median of the {len(counts):,} genes present in every omics type); gene set: {len(gene_set)} genes, "
          f"{out['gene']['gene_set_measurement_rows']:,} rows (5th to 95th percentile)")
    forms = Forms(label, out.setdefault("one_gene", {}))
    forms.run("gene_values", 'db.query("gene_values", gene_id=G)', lambda: db.query("gene_values", gene_id=gene).num_rows, args.repeats)
    forms.run("gene_set_values", f'db.query("gene_set_values", gene_ids=<{len(gene_set)} genes>)', lambda: db.query("gene_set_values", gene_ids=gene_set).num_rows, args.repeats)
    with db.engine.connect() as conn:
        if conn.dialect.name == "duckdb":
            raw = duckdb_driver(conn)
            raw.execute((QUERIES_DIR / MACROS_FILE).read_text())
            forms.run("macro", "measurements_of(gene := G)  (DuckDB macro, into Arrow)",
                      lambda: raw.sql("SELECT * FROM measurements_of(gene := $g)", params={"g": gene}).to_arrow_table().num_rows, args.repeats, compare="gene_values")
        if args.naive_repeats <= 0:
            return
        view = view_sql(conn)
        forms.run("view", "naive: the measurement view WHERE gene_id = G", lambda: fetch_view(conn, view, {"gene_id": gene}), args.naive_repeats, compare="gene_values")
        in_list = ", ".join(f"'{g}'" for g in gene_set)  # GeneIDs read from the database, not user input
        forms.run("view_gene_set", f"naive: the view WHERE gene_id IN (<{len(gene_set)} genes>)",
                  lambda: fetch_view(conn, f"SELECT * FROM measurement WHERE gene_id IN ({in_list})", {}), args.naive_repeats, compare="gene_set_values")
        forms.run("pandas_read_sql_view", "naive pandas: read_sql(view WHERE gene_id = :g)",
                  lambda: pandas_read_sql(conn, "SELECT * FROM measurement WHERE gene_id = :g", {"g": gene}), args.naive_repeats, compare="gene_values")
    forms.run("blocks_melt", "naive pandas: db.block() of every default block + melt", lambda: naive_blocks_melt(db, gene), args.naive_repeats, compare="gene_values")
    found = {k: forms.fig[k]["rows"] for k in ("gene_values", "macro", "view", "pandas_read_sql_view", "blocks_melt") if k in forms.fig}
    if len(set(found.values())) > 1:
        print(f"[{label}]   note: the forms return different row counts {found}: the view holds every dataset, "
              "gene_values only the defaults and the normal datasets paired with them")


def block_to_long_arrow(block) -> pa.Table:
    present = ~np.isnan(block.values)
    rows, cols = np.nonzero(present)
    return pa.table({"feature_id": block.feature_ids[rows], "sample_id": block.sample_ids[cols], "value": block.values[present]})


def naive_block_melt(block) -> int:
    import pandas as pd

    frame = pd.DataFrame(block.values, columns=block.sample_labels)
    frame.insert(0, "feature_label", block.feature_labels)
    return len(frame.melt(id_vars="feature_label", var_name="sample_label").dropna(subset=["value"]))


def one_block(label: str, db: omicskb.Database, args, out: dict, omics: str, cohort: str | None = None, key: str = "one_block") -> None:
    if cohort is None:
        with db.engine.connect() as conn:
            sizes = conn.execute(sa.text("SELECT cohort_code, sum(n_samples) AS n FROM dataset WHERE omics_type = :o GROUP BY cohort_code"), {"o": omics}).all()
        if not sizes:
            print(f"[{label}] b. skipped: no {omics} dataset")
            return
        cohort = sorted(sizes, key=lambda r: (-int(r.n), r.cohort_code))[0].cohort_code
    fig = out.setdefault(key, {"cohort": cohort, "omics": omics})
    block = db.block(cohort, omics)
    present = int(np.count_nonzero(~np.isnan(block.values)))
    cells = int(block.values.size)
    fig.update(features=block.values.shape[0], samples=block.values.shape[1], cells=cells, present_values=present)
    del block
    print(f"[{label}] b. one whole block long form: {cohort} {omics}, {fig['features']:,} x {fig['samples']} = {cells:,} cells, {present:,} present values")
    forms = Forms(label, fig)
    forms.run("dataset_values", 'db.query("dataset_values", cohort, omics): native, 9 columns', lambda: db.query("dataset_values", cohort=cohort, omics=omics).num_rows,
              args.block_repeats, values=present)
    forms.run("block", "db.block(cohort, omics): the float matrix (Arrow path)", lambda: (db.block(cohort, omics), present)[1], args.block_repeats,
              values=present, compare="dataset_values", note=f"a {fig['features']:,} x {fig['samples']} matrix")
    forms.run("block_to_long_arrow", "db.block() + numpy to a long Arrow table (3 id columns)", lambda: block_to_long_arrow(db.block(cohort, omics)).num_rows,
              args.block_repeats, values=present, compare="dataset_values")
    forms.run("dataset_values_sql", "the SQL file itself (native=False; plain DuckDB/psql run this)",
              lambda: db.query("dataset_values", cohort=cohort, omics=omics, native=False).num_rows, args.sql_block_repeats, values=present, compare="dataset_values")
    if args.naive_repeats <= 0:
        return
    forms.run("block_melt", "naive pandas: db.block() + DataFrame.melt + dropna", lambda: naive_block_melt(db.block(cohort, omics)), args.naive_repeats,
              values=present, compare="dataset_values")
    if not args.skip_naive_read_sql:
        sql = "SELECT feature_id, sample_id, value FROM measurement WHERE cohort_code = :c AND omics_type = :o"
        with db.engine.connect() as conn:
            forms.run("pandas_read_sql_view", "naive pandas: read_sql(view, 3 columns, WHERE cohort, omics)",
                      lambda: pandas_read_sql(conn, sql, {"c": cohort, "o": omics}), args.naive_repeats, values=present, compare="dataset_values")


def plans(label: str, db: omicskb.Database, out: dict, gene: str) -> None:
    """EXPLAIN ANALYZE of gene_values as omicskb runs it and of the view, for the same gene."""
    params = get("gene_values").bind({"gene_id": gene})
    with db.engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM measurement_row")).scalar()
        gene_rows = conn.execute(sa.text("SELECT count(*) FROM measurement_row AS m JOIN feature AS f ON f.feature_id = m.feature_id WHERE f.gene_id = :g"), {"g": gene}).scalar()
        filtered = explain(conn, saved_sql(conn, "gene_values"), params)
        view = explain(conn, view_sql(conn), {"gene_id": gene})
    out["plans"] = {"measurement_row_rows": total, "gene_rows_all_datasets": gene_rows,
                    "gene_values": dataclasses.asdict(filtered), "view": dataclasses.asdict(view)}
    print(f"[{label}] d. EXPLAIN ANALYZE, one gene (GeneID {gene}: {gene_rows:,} of the {total:,} measurement_row rows)")
    for name, summary in (("gene_values (filtered first)", filtered), ("the measurement view WHERE gene_id", view)):
        print(f"[{label}]   {name}: {summary.line()}")
        for line in summary.tree:
            print(f"[{label}]     {line}")


def ucec(args, out: dict) -> None:
    label = "ucec"
    with omicskb.connect(str(args.ucec)) as db:
        fig = out.setdefault("ucec", {"database": str(args.ucec)})
        print(f"[{label}] c. real UCEC database {args.ucec}: TP53 (7157)")
        forms = Forms(label, fig)
        forms.run("gene_values", 'db.query("gene_values", gene_id="7157") in-process', lambda: db.query("gene_values", gene_id="7157").num_rows, args.ucec_repeats)
        print(f"[{label}]   acceptance (< 100 ms): {'met' if fig['gene_values']['median_s'] < 0.1 else 'NOT met'}")
        if args.naive_repeats > 0:
            with db.engine.connect() as conn:
                datasets = sorted(set(db.query("gene_values", gene_id="7157").column("dataset_name").to_pylist()))
                forms.run("view", "naive: the measurement view WHERE gene_id = '7157' (every dataset)",
                          lambda: fetch_view(conn, view_sql(conn), {"gene_id": "7157"}), args.naive_repeats, compare="gene_values")
                same = "SELECT * FROM measurement WHERE gene_id = $g AND dataset_name IN (SELECT unnest($d))"
                forms.run("view_same_datasets", "naive: the view, gene_values' datasets only (the same rows)",
                          lambda: duckdb_driver(conn).sql(same, params={"g": "7157", "d": datasets}).to_arrow_table().num_rows, args.naive_repeats, compare="gene_values")
                forms.run("pandas_read_sql_view", "naive pandas: read_sql(view WHERE gene_id = '7157')",
                          lambda: pandas_read_sql(conn, "SELECT * FROM measurement WHERE gene_id = :g", {"g": "7157"}), args.naive_repeats, compare="gene_values")
        plans(label, db, fig, "7157")
        if not args.skip_block:
            one_block(label, db, args, fig, args.dataset_omics, cohort="UCEC", key="whole_block")


def measure(label: str, target: str, args) -> dict:
    out: dict = {}
    with omicskb.connect(target) as db:
        one_gene(label, db, args, out)
        if not args.skip_block:
            one_block(label, db, args, out, args.pg_dataset_omics if label == "postgresql" and args.pg_dataset_omics else args.dataset_omics)
        plans(label, db, out, out["gene"]["gene_id"])
    return out


# ---------------------------------------------------------------------------------------------
# Databases


def build_duckdb(path: Path, data: Path, genes_from: str | None, cohorts) -> None:
    started = time.perf_counter()
    engine = prepare_database(str(path), genes_from)
    values = load_freeze(engine, data, cohorts, "duckdb")
    engine.dispose()
    print(f"[duckdb] built {path}: {values:,} values in {time.perf_counter() - started:.0f} s")


def holds(target: str) -> str:
    engine = make_engine(target, read_only=True)
    try:
        with engine.connect() as conn:
            cohorts = conn.execute(sa.text("SELECT count(DISTINCT cohort_code) FROM dataset")).scalar()
            rows = conn.execute(sa.text("SELECT count(*) FROM measurement_row")).scalar()
            values = conn.execute(sa.text("SELECT sum(CAST(n_features AS BIGINT) * n_samples) FROM dataset")).scalar() or 0
    finally:
        engine.dispose()
    return f"{cohorts} cohorts, {rows:,} measurement_row rows, {values:,} cells"


def pg_database(args, genes_from: str | None, manifest: dict) -> str | None:
    """Load the freeze into the PostgreSQL database (unless --pg-reuse); returns what it holds."""
    if args.pg_reuse:
        return holds(args.pg)
    data = args.data
    if args.pg_scale is not None and not (manifest and abs(args.pg_scale - float(manifest.get("scale", 1.0))) < 1e-9):
        data, _ = ensure_freeze(Path(tempfile.gettempdir()) / f"omicskb-pancan-bench-scale{args.pg_scale:g}", args.pg_scale, genes_from)
    reset_postgres(args.pg)
    started = time.perf_counter()
    engine = prepare_database(args.pg, genes_from)
    values = load_freeze(engine, data, args.cohorts, "postgresql")
    engine.dispose()
    engine = make_engine(args.pg)
    analyze_tables(engine, LOADED_TABLES)
    engine.dispose()
    print(f"[postgresql] loaded {data} ({values:,} values) in {time.perf_counter() - started:.0f} s, ANALYZE included")
    return holds(args.pg)


def block_line(label: str, b: dict) -> str:
    line = f"  {label}: {b['cohort']} {b['omics']} block ({b['present_values']:,} values) long form: dataset_values {b['dataset_values']['values_per_s'] / 1e6:.2f} M values/s"
    for key, name in (("block", "db.block matrix"), ("block_to_long_arrow", "db.block + numpy long Arrow"), ("dataset_values_sql", "the SQL file"),
                      ("block_melt", "db.block + pandas melt"), ("pandas_read_sql_view", "pandas read_sql of the view")):
        if key in b:
            line += f"; {name} {b[key]['values_per_s'] / 1e6:.2f} M values/s (dataset_values at {b['dataset_values']['values_per_s'] / b[key]['values_per_s']:.2f}x its speed)"
    return line


def summary(results: dict) -> None:
    print(f"\nsummary (medians; saved queries from {QUERIES_DIR})")

    def part(fig: dict, key: str, name: str, reference: str) -> str:
        if key not in fig:
            return ""
        return f"; {name} {ms(fig[key]['median_s'])} ({versus(fig[key]['median_s'], fig[reference], reference)})"

    for label in ("duckdb", "postgresql"):
        r = results.get(label)
        if not r:
            continue
        g, b = r["one_gene"], r.get("one_block")
        line = (f"  {label}: one gene (GeneID {r['gene']['gene_id']}, {g['gene_values']['rows']:,} values, every cohort and omics): "
                f"gene_values {ms(g['gene_values']['median_s'])} (goal < 100 ms: {'met' if g['gene_values']['median_s'] < 0.1 else 'NOT met'})")
        line += part(g, "macro", "measurements_of", "gene_values") + part(g, "view", "view", "gene_values")
        line += part(g, "pandas_read_sql_view", "pandas read_sql of the view", "gene_values") + part(g, "blocks_melt", "every block + melt", "gene_values")
        print(line)
        print(f"  {label}: {len(r['gene']['gene_set'])} genes: gene_set_values {ms(g['gene_set_values']['median_s'])} ({g['gene_set_values']['rows']:,} values)"
              + part(g, "view_gene_set", "view", "gene_set_values"))
        if b:
            print(block_line(label, b))
        p = r["plans"]
        print(f"  {label}: plans: gene_values unnests {p['gene_values']['unnest_arrays']:,} arrays (the gene has {p['gene_rows_all_datasets']:,} rows), "
              f"its measurement_row scan emits {p['gene_values']['scan_rows_out']:,}; the view unnests {p['view']['unnest_arrays']:,} arrays, "
              f"its scan emits {p['view']['scan_rows_out']:,} of {p['measurement_row_rows']:,} rows")
    u = results.get("ucec")
    if u:
        print(f"  ucec: gene_values 7157 {ms(u['gene_values']['median_s'])} in-process ({u['gene_values']['rows']:,} values; acceptance < 100 ms "
              f"{'met' if u['gene_values']['median_s'] < 0.1 else 'NOT met'})" + part(u, "view", "view", "gene_values")
              + part(u, "view_same_datasets", "view on the same datasets", "gene_values"))
        if u.get("whole_block"):
            print(block_line("ucec", u["whole_block"]))


def write_figures(results: dict, path: Path) -> None:
    """The figures as JSON, with the load average at the end beside the one at the start."""
    results["machine"]["load_average_at_end"] = os.getloadavg()
    path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(f"figures written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="a pan-cancer DuckDB to measure (built there first if the file does not exist) [default: built in a temporary folder]")
    parser.add_argument("--data", type=Path, help="the synthetic freeze (generated there if it has no manifest.json) [default: cohort_load's]")
    parser.add_argument("--scale", type=float, default=1.0, help="feature-count scale when the freeze is generated [1.0]")
    parser.add_argument("--genes-from", help="an omicskb DuckDB with Ensembl xrefs for the generated ids [default: as cohort_load]")
    parser.add_argument("--ucec", type=Path, help="a real UCEC omicskb DuckDB (opened read-only) for step c")
    parser.add_argument("--pg", default=os.environ.get("OMICSKB_BENCH_PG_URL"), metavar="URL",
                        help="also measure PostgreSQL; the benchmark EMPTIES this database before and after [default: $OMICSKB_BENCH_PG_URL]")
    parser.add_argument("--pg-scale", type=float, help="load a freeze of this scale into PostgreSQL (generated in the temp folder) [default: the DuckDB one]")
    parser.add_argument("--pg-reuse", action="store_true", help="measure what the PostgreSQL database already holds: no load, not emptied")
    parser.add_argument("--pg-keep", action="store_true", help="leave the PostgreSQL load in place afterwards")
    parser.add_argument("--backends", default="duckdb,postgresql", help="which of duckdb,postgresql to run (postgresql needs --pg)")
    parser.add_argument("--cohorts", default=",".join(COHORTS), help="load only these cohorts [default: all ten]")
    parser.add_argument("--repeats", type=int, default=15, help="runs of each fast form (medians) [15]")
    parser.add_argument("--block-repeats", type=int, default=5, help="runs of each whole-block form [5]")
    parser.add_argument("--sql-block-repeats", type=int, default=3, help="runs of the dataset_values SQL file on a whole block [3]")
    parser.add_argument("--naive-repeats", type=int, default=3, help="runs of each slow naive form; 0 skips them [3]")
    parser.add_argument("--ucec-repeats", type=int, default=30, help="runs of gene_values on the UCEC database [30]")
    parser.add_argument("--dataset-omics", default="phospho", help="the omics type of the whole block in step b [phospho]")
    parser.add_argument("--pg-dataset-omics", help="the same on PostgreSQL, whose dataset_values SQL file fetches rows through psycopg "
                                                    "(a 9 M-value phospho block needs several GB there) [default: --dataset-omics]")
    parser.add_argument("--skip-block", action="store_true", help="skip step b")
    parser.add_argument("--skip-naive-read-sql", action="store_true", help="skip the slowest naive form of step b (pandas read_sql of a whole block through the view)")
    parser.add_argument("--json", type=Path, default=Path("long_form.json"), help="write the figures here [long_form.json]")
    args = parser.parse_args()
    args.cohorts = [c.strip() for c in args.cohorts.split(",") if c.strip()]
    backends = {b.strip() for b in args.backends.split(",") if b.strip()}

    print(f"saved queries from {QUERIES_DIR}")
    results: dict = {"queries_dir": str(QUERIES_DIR),
                     "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average_at_start": os.getloadavg()},
                     "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "pg"}}
    workdir = Path(tempfile.mkdtemp(prefix="omicskb-long-form-"))
    genes_from = args.genes_from
    manifest: dict = {}
    try:
        builds_duckdb = "duckdb" in backends and (args.db is None or not args.db.exists())
        loads_pg = "postgresql" in backends and bool(args.pg) and not args.pg_reuse
        if (builds_duckdb or loads_pg) and genes_from is None:
            genes_from = default_genes_from()
        if builds_duckdb or (loads_pg and args.pg_scale is None):
            args.data, manifest = ensure_freeze(args.data, args.scale, genes_from)
        if "duckdb" in backends:
            target = args.db or workdir / "pancan.duckdb"
            if not target.exists():
                build_duckdb(target, args.data, genes_from, args.cohorts)
            print(f"[duckdb] {target}: {holds(str(target))}")
            results["duckdb"] = measure("duckdb", str(target), args)
        if args.ucec:
            ucec(args, results)
        if "postgresql" in backends:
            if not args.pg:
                print("[postgresql] skipped: name a database the benchmark may empty with --pg URL or $OMICSKB_BENCH_PG_URL")
            else:
                print(f"[postgresql] {pg_database(args, genes_from, manifest)}")
                try:
                    results["postgresql"] = measure("postgresql", args.pg, args)
                finally:
                    if not (args.pg_reuse or args.pg_keep):
                        reset_postgres(args.pg)  # give the disk back
        summary(results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        write_figures(results, args.json)


if __name__ == "__main__":
    main()
