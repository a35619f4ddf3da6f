"""Cohort benchmark: `make bench-cohort` (or `python -m benchmarks.cohort_load`).

1. Generate a full pan-cancer-scale synthetic freeze (benchmarks/synthetic_pancan.py: 10 cohorts,
   ~1,100 tumors, ~500 normals, 20k mRNA genes, 12k proteins 20% missing, 100k phosphosites 50%
   missing, CNV and mutation), with real Ensembl ids when an annotated database is given.
2. Load all of it into a new DuckDB with `load cohort --layout pancan` per cohort: end-to-end
   values/s from text files to committed tables, and the process's peak memory.
3. The naive way on one file: pandas read_csv, melt to long form, DataFrame.to_sql (values/s).
4. Fetch a cohort x protein block (12k x ~180) and x phospho block (100k x ~180) as float
   matrices: median of --repeats, against the naive pandas read_sql of the long form plus pivot.
5. With --pg URL (or $OMICSKB_BENCH_PG_URL), steps 2-4 again on that PostgreSQL database, which
   the benchmark empties (drops its schema public) before and after.

    python -m benchmarks.cohort_load [--data DIR] [--genes-from ANNOTATED.duckdb] [--scale 1.0]
                                     [--pg URL] [--backends duckdb,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from omicskb.etl.blocks import fetch_block
from omicskb.etl.cohorts import load_cohort_directory
from omicskb.etl.db import analyze_tables, make_engine, upgrade
from omicskb.etl.runs import run_load

ROOT = Path(__file__).resolve().parent.parent
LOADED_TABLES = ("source_release", "load_run", "unresolved_identifier", "cohort", "patient", "sample", "clinical_attribute",
                 "clinical_level", "clinical_value", "dataset", "dataset_sample", "feature", "measurement_row", "mutation")
COHORTS = ("BRCA", "CCRCC", "COAD", "GBM", "HNSCC", "LSCC", "LUAD", "OV", "PDAC", "UCEC")


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def prepare_database(target: str, genes_from: str | None) -> sa.Engine:
    from omicskb.etl.cli.load import LOADERS

    engine = make_engine(target)
    upgrade(engine)
    realdata = Path(os.environ.get("OMICSKB_REALDATA", Path.home() / ".cache" / "omicskb-realdata"))
    gene_info = realdata / "ncbi" / "Homo_sapiens.gene_info.gz"
    if genes_from and gene_info.is_file():
        kind, loader, _ = LOADERS["gene-info"]
        run_load(engine, kind, gene_info, loader, command="bench gene-info")
    return engine


def load_freeze(engine: sa.Engine, data: Path, cohorts, label: str) -> int:
    """`load cohort --layout pancan` of each cohort in turn (one batch each); the values loaded."""
    values = 0
    for cohort in cohorts:
        cohort_start = time.perf_counter()
        reports, _ = load_cohort_directory(engine, data, cohort, "pancan")
        cohort_values = sum(r.loaded_by_table.get("values", 0) for r in reports)
        values += cohort_values
        print(f"  [{label}] {cohort:<6} {len(reports)} files, {cohort_values:>12,} values, {time.perf_counter() - cohort_start:6.1f} s", flush=True)
    return values


def default_genes_from() -> str | None:
    """An annotated DuckDB to draw real Ensembl ids from (built once in the temp folder from
    $OMICSKB_REALDATA's gene_info), or None when there is no gene_info: then the ids are synthetic."""
    realdata = Path(os.environ.get("OMICSKB_REALDATA", Path.home() / ".cache" / "omicskb-realdata"))
    if not (realdata / "ncbi" / "Homo_sapiens.gene_info.gz").is_file():
        return None
    genes_from = str(Path(tempfile.gettempdir()) / "omicskb-bench-genes.duckdb")
    if not Path(genes_from).is_file():
        prepare_database(genes_from, "gene_info").dispose()
    return genes_from


def ensure_freeze(data: Path | None, scale: float, genes_from: str | None) -> tuple[Path, dict]:
    """The synthetic freeze's folder (generated there if it has no manifest) and its manifest."""
    from benchmarks.synthetic_pancan import generate

    if data is None:
        data = Path(tempfile.gettempdir()) / ("omicskb-pancan-bench" if genes_from else "omicskb-pancan-bench-synthetic-ids")
    manifest_path = data / "manifest.json"
    if not manifest_path.is_file():
        started = time.perf_counter()
        generate(data, seed=1, scale=scale, genes_from=Path(genes_from) if genes_from else None)
        print(f"generated {data} in {time.perf_counter() - started:.1f} s")
    return data, json.loads(manifest_path.read_text())


def naive_values_per_second(path: Path, target: str, rows: int) -> float:
    """pandas read_csv + melt + to_sql of the first `rows` rows: what a notebook does."""
    import pandas as pd

    engine = make_engine(target)
    start = time.perf_counter()
    frame = pd.read_csv(path, sep="\t", index_col=0, nrows=rows)
    long = frame.copy().reset_index().melt(id_vars=frame.index.name or "idx", var_name="sample", value_name="value")
    long.to_sql("naive_values", engine, index=False, if_exists="replace", chunksize=10_000)
    seconds = time.perf_counter() - start
    engine.dispose()
    return len(long) / seconds


def naive_block_seconds(engine: sa.Engine, cohort: str) -> float:
    import pandas as pd

    start = time.perf_counter()
    with engine.connect() as conn:
        long = pd.read_sql(sa.text("SELECT feature_id, sample_id, value FROM measurement WHERE cohort_code = :c AND omics_type = 'protein'"), conn, params={"c": cohort})
    long.pivot(index="feature_id", columns="sample_id", values="value").to_numpy()
    return time.perf_counter() - start


def reset_postgres(url: str) -> None:
    """Empty the benchmark's PostgreSQL database: its schema public is dropped and recreated."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def database_gb(engine: sa.Engine, target: str) -> float:
    if engine.dialect.name == "duckdb":
        return Path(target).stat().st_size / 1e9
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar() / 1e9


def run_backend(label: str, target: str, args, manifest: dict, workdir: Path, first_label: str | None = None) -> dict:
    """Load the whole freeze into `target`, then time block fetches; returns the figures."""
    first = first_label is None
    engine = prepare_database(target, args.genes_from)
    start = time.perf_counter()
    values = load_freeze(engine, args.data, args.cohorts, label)
    engine.dispose()  # DuckDB: the final checkpoint into the database file is part of the load
    seconds = time.perf_counter() - start
    engine = make_engine(target)
    if label != "duckdb":  # what every load is followed by (etl.db.analyze_tables), timed on its own
        analyze_start = time.perf_counter()
        analyze_tables(engine, LOADED_TABLES)
        print(f"[{label}] ANALYZE of the {len(LOADED_TABLES)} tables the loads wrote: {time.perf_counter() - analyze_start:.1f} s")
    size = database_gb(engine, target)
    # The process's peak: only the first backend's is its load's own (a naive baseline that ran
    # before may have used more).
    rss = f"peak RSS {peak_rss_gb():.2f} GB" if first else f"peak RSS not separable (a {first_label} run came first)"
    print(f"[{label}] {'full pan-cancer' if len(args.cohorts) == len(COHORTS) else ' '.join(args.cohorts)} load: {values:,} values in {seconds:.1f} s = {values / seconds / 1e6:.2f} M values/s end to end; "
          f"{rss}; database {size:.2f} GB")
    if len(args.cohorts) == len(COHORTS):
        print(f"  (the files hold {manifest['total_values']:,} values; the difference is the duplicate phosphosite rows collapsed and reported)")

    one = next(f for f in manifest["files"] if f["file"].startswith("UCEC_proteomics") and f["sample_type"] == "Tumor")
    naive_target = str(workdir / "naive.duckdb") if label == "duckdb" else target
    naive = naive_values_per_second(args.data / one["file"], naive_target, args.naive_rows)
    if label != "duckdb":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS naive_values")
    print(f"[{label}] naive pandas melt + to_sql: {naive:,.0f} values/s; omicskb is {values / seconds / naive:.0f}x faster")

    with engine.connect() as conn:
        sizes = {c: conn.execute(sa.text("SELECT sum(n_samples) FROM dataset WHERE cohort_code = :c AND omics_type = 'protein'"), {"c": c}).scalar() for c in args.cohorts}
    cohort = max(sizes, key=lambda c: sizes[c] or 0)
    fetches = {}
    for omics in ("protein", "phospho"):
        timings = []
        with engine.connect() as conn:
            for _ in range(args.repeats):
                started = time.perf_counter()
                block = fetch_block(conn, cohort, omics)
                timings.append(time.perf_counter() - started)
        fetches[omics] = statistics.median(timings)
        print(f"[{label}] block fetch {cohort} {omics} {block.values.shape[0]:,} x {block.values.shape[1]}: median {fetches[omics] * 1000:.0f} ms "
              f"(runs: {', '.join(f'{t * 1000:.0f}' for t in timings)})")
    naive_fetch = statistics.median(naive_block_seconds(engine, cohort) for _ in range(max(1, args.repeats // 2)))
    print(f"[{label}] naive read_sql + pivot of the {cohort} protein block: {naive_fetch * 1000:.0f} ms ({naive_fetch / fetches['protein']:.0f}x the block fetch)")
    engine.dispose()
    return {"values": values, "seconds": seconds, "naive_values_per_s": naive, "fetch_s": fetches, "naive_fetch_s": naive_fetch}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="where the synthetic freeze is (generated if missing)")
    parser.add_argument("--genes-from", help="an omicskb DuckDB with Ensembl xrefs, so the synthetic ids resolve [default: built from $OMICSKB_REALDATA's gene_info when present]")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--naive-rows", type=int, default=2000)
    parser.add_argument("--pg", default=os.environ.get("OMICSKB_BENCH_PG_URL"), metavar="URL",
                        help="also load into this PostgreSQL database, which the benchmark EMPTIES (drops schema public) "
                             "[default: $OMICSKB_BENCH_PG_URL; e.g. postgresql://omicskb:omicskb@localhost/omicskb_pg_bench]")
    parser.add_argument("--backends", default="duckdb,postgresql", help="which of duckdb,postgresql to run (postgresql needs --pg)")
    parser.add_argument("--cohorts", default=",".join(COHORTS), help="load only these cohorts (comma-separated) [default: all ten]")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and the DuckDB database")
    args = parser.parse_args()
    args.cohorts = [c.strip() for c in args.cohorts.split(",") if c.strip()]

    if args.genes_from is None:
        args.genes_from = default_genes_from()
    args.data, manifest = ensure_freeze(args.data, args.scale, args.genes_from)
    workdir = Path(tempfile.mkdtemp(prefix="omicskb-bench-"))
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    results = {}
    if "duckdb" in backends:
        results["duckdb"] = run_backend("duckdb", str(workdir / "pancan.duckdb"), args, manifest, workdir)
    if "postgresql" in backends:
        if not args.pg:
            print("[postgresql] skipped: name a database the benchmark may empty with --pg URL or $OMICSKB_BENCH_PG_URL")
        else:
            reset_postgres(args.pg)
            results["postgresql"] = run_backend("postgresql", args.pg, args, manifest, workdir, "duckdb" if results else None)
            reset_postgres(args.pg)  # give the disk back
    if len(results) == 2:
        duck, pg = results["duckdb"], results["postgresql"]
        print("summary: backend    M values/s   protein block   phospho block")
        for label, r in results.items():
            print(f"         {label:<10} {r['values'] / r['seconds'] / 1e6:10.2f}   {r['fetch_s']['protein'] * 1000:10.0f} ms   {r['fetch_s']['phospho'] * 1000:10.0f} ms")
        print(f"         PostgreSQL load at {pg['values'] / pg['seconds'] / (duck['values'] / duck['seconds']):.2f}x DuckDB's values/s")
    if args.keep:
        print(f"kept {workdir}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
