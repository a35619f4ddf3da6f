"""Cohort benchmark: `make bench-cohort` (or `python -m benchmarks.cohort_load`).

1. Generate a full pan-cancer-scale synthetic freeze (benchmarks/synthetic_pancan.py: 10 cohorts,
   ~1,100 tumors, ~500 normals, 20k mRNA genes, 12k proteins 20% missing, 100k phosphosites 50%
   missing, CNV and mutation), with real Ensembl ids when an annotated database is given.
2. Load all of it into a new DuckDB with `load cohort --layout pancan` per cohort: end-to-end
   values/s from text files to committed tables, and the process's peak memory.
3. The naive way on one file: pandas read_csv, melt to long form, DataFrame.to_sql (values/s).
4. Fetch a cohort x protein block (12k x ~180) as a float matrix: median of --repeats, against the
   naive pandas read_sql of the long form plus pivot.

    python -m benchmarks.cohort_load [--data DIR] [--genes-from ANNOTATED.duckdb] [--scale 1.0]
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
from omicskb.etl.db import make_engine, upgrade
from omicskb.etl.runs import run_load

ROOT = Path(__file__).resolve().parent.parent
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="where the synthetic freeze is (generated if missing)")
    parser.add_argument("--genes-from", help="an omicskb DuckDB with Ensembl xrefs, so the synthetic ids resolve [default: built from $OMICSKB_REALDATA's gene_info when present]")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--naive-rows", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files and the database")
    args = parser.parse_args()

    from benchmarks.synthetic_pancan import generate

    realdata = Path(os.environ.get("OMICSKB_REALDATA", Path.home() / ".cache" / "omicskb-realdata"))
    if args.genes_from is None and (realdata / "ncbi" / "Homo_sapiens.gene_info.gz").is_file():
        args.genes_from = str(Path(tempfile.gettempdir()) / "omicskb-bench-genes.duckdb")
        if not Path(args.genes_from).is_file():
            prepare_database(args.genes_from, "gene_info").dispose()
    if args.data is None:
        args.data = Path(tempfile.gettempdir()) / ("omicskb-pancan-bench" if args.genes_from else "omicskb-pancan-bench-synthetic-ids")
    manifest_path = args.data / "manifest.json"
    if not manifest_path.is_file():
        started = time.perf_counter()
        generate(args.data, seed=1, scale=args.scale, genes_from=Path(args.genes_from) if args.genes_from else None)
        print(f"generated {args.data} in {time.perf_counter() - started:.1f} s")
    manifest = json.loads(manifest_path.read_text())
    workdir = Path(tempfile.mkdtemp(prefix="omicskb-bench-"))
    target = str(workdir / "pancan.duckdb")
    engine = prepare_database(target, args.genes_from)

    start = time.perf_counter()
    values = 0
    for cohort in COHORTS:
        cohort_start = time.perf_counter()
        reports, _ = load_cohort_directory(engine, args.data, cohort, "pancan")
        cohort_values = sum(r.loaded_by_table.get("values", 0) for r in reports)
        values += cohort_values
        print(f"  {cohort:<6} {len(reports)} files, {cohort_values:>12,} values, {time.perf_counter() - cohort_start:6.1f} s")
    engine.dispose()  # the final checkpoint into the database file is part of the load
    seconds = time.perf_counter() - start
    print(f"full pan-cancer load: {values:,} values in {seconds:.1f} s = {values / seconds / 1e6:.2f} M values/s end to end; "
          f"peak RSS {peak_rss_gb():.2f} GB; database {Path(target).stat().st_size / 1e9:.2f} GB")
    print(f"  (the files hold {manifest['total_values']:,} values; the difference is the duplicate phosphosite rows collapsed and reported)")

    one = next(f for f in manifest["files"] if f["file"].startswith("UCEC_proteomics") and f["sample_type"] == "Tumor")
    naive = naive_values_per_second(args.data / one["file"], str(workdir / "naive.duckdb"), args.naive_rows)
    print(f"naive pandas melt + to_sql: {naive:,.0f} values/s; omicskb is {values / seconds / naive:.0f}x faster")

    with engine.connect() as conn:
        sizes = {c: conn.execute(sa.text("SELECT sum(n_samples) FROM dataset WHERE cohort_code = :c AND omics_type = 'protein'"), {"c": c}).scalar() for c in COHORTS}
    cohort = max(sizes, key=lambda c: sizes[c] or 0)
    timings = []
    with engine.connect() as conn:
        for _ in range(args.repeats):
            started = time.perf_counter()
            block = fetch_block(conn, cohort, "protein")
            timings.append(time.perf_counter() - started)
    fetch = statistics.median(timings)
    naive_fetch = statistics.median(naive_block_seconds(engine, cohort) for _ in range(max(1, args.repeats // 2)))
    print(f"block fetch {cohort} protein {block.values.shape[0]:,} x {block.values.shape[1]}: median {fetch * 1000:.0f} ms "
          f"(naive read_sql + pivot {naive_fetch * 1000:.0f} ms, {naive_fetch / fetch:.0f}x)")
    engine.dispose()
    if args.keep:
        print(f"kept {target}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
