"""Associations (issue 10): `python -m benchmarks.associations --db PANCAN.duckdb`.

On the synthetic pan-cancer freeze (benchmarks/synthetic_pancan.py: 10 cohorts; per cohort 20k RNA
genes, 20k CNV genes, 12k proteins with missing values, ~100k phosphosites) this measures:

  1. Trans on demand: `query gene_trans` (etl.queries.run_query: the computed input trans_pairs,
     then the SQL) in-process on a read-only connection, for --genes (GeneIDs measured in every
     cohort's protein dataset; by default three picked at random with --seed), median of --repeats
     after one warm-up run; with the phases of etl.trans.one_against_all (plan, fetch in the
     background thread, waiting for it, the tests, Meta P).
     The naive way: a pandas DataFrame of each cohort's tumor proteins (read with omicskb's
     Database.block), and scipy.stats.spearmanr of the gene against every --naive-stride-th other
     protein on the samples both have, extrapolated to every protein; its rho and p are checked
     against gene_trans's for the same partners.
  2. `derive --analysis cis` (etl.cis.run_derive_cis) end to end on a copy of the database (the copy
     is not timed), once, with its phases. The naive way: for every --naive-stride-th pair of each
     block, spearmanr on the shared tumors of the pair (pandas dropna), extrapolated; checked against
     the stored rho and p.

    python -m benchmarks.associations --db PANCAN.duckdb [--repeats 5] [--naive-stride 50] [--skip-cis]

--db is never written; it must be at this omicskb's schema revision ('omicskb --db COPY init' upgrades a copy).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import omicskb as api
from omicskb.etl import trans
from omicskb.etl.db import make_engine, upgrade
from omicskb.etl.queries import run_query


def pick_genes(db_path: str, count: int, seed: int) -> list[str]:
    import duckdb

    with duckdb.connect(db_path, read_only=True) as conn:
        rows = conn.sql(
            "SELECT f.gene_id FROM measurement_row AS m JOIN feature AS f ON f.feature_id = m.feature_id "
            "JOIN dataset AS d ON d.dataset_id = m.dataset_id WHERE d.omics_type = 'protein' AND d.is_default AND f.gene_id IS NOT NULL "
            "GROUP BY f.gene_id HAVING count(*) = (SELECT count(*) FROM dataset WHERE omics_type = 'protein' AND is_default) ORDER BY f.gene_id"
        ).fetchall()
    rng = np.random.default_rng(seed)
    return [rows[i][0] for i in rng.choice(len(rows), size=count, replace=False)]


def bench_trans(db_path: str, genes: list[str], repeats: int, stride: int) -> None:
    engine = make_engine(db_path, read_only=True)
    print(f"== trans on demand: gene_trans, protein, every cohort ({', '.join(genes)}) ==")
    medians = []
    with engine.connect() as conn:
        run_query(conn, "gene_trans", {"gene": genes[0], "top": 50})  # warm-up: kernels from numba's cache
        for gene in genes:
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                table = run_query(conn, "gene_trans", {"gene": gene, "top": 50})
                times.append(time.perf_counter() - started)
            timing = trans.TransTiming()
            started = time.perf_counter()
            pairs = trans.one_against_all(conn, gene, "protein", timing)
            whole = time.perf_counter() - started
            medians.append(statistics.median(times))
            print(f"  gene {gene}: gene_trans median {statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f}; {table.num_rows} rows); "
                  f"one_against_all {whole:.3f} s, {pairs.num_rows:,} rows: " + ", ".join(f"{k} {v:.3f} s" for k, v in timing.seconds.items()))
    engine.dispose()
    gene = genes[0]
    with api.connect(db_path) as db:
        cohorts = [r["cohort_code"] for r in db.query("cohort_datasets").to_pylist() if r["omics_type"] == "protein" and r["is_default"]]
        started = time.perf_counter()
        frames = {}
        for cohort in cohorts:
            block = db.block(cohort, "protein")
            tumors = block.columns("tumor")
            frames[cohort] = pd.DataFrame(block.values[:, tumors].T, columns=block.feature_ids)
            frames[cohort].attrs["gene_feature"] = block.feature_ids[block.gene_ids.index(gene)]
        read = time.perf_counter() - started
    started = time.perf_counter()
    done, total, naive = 0, 0, {}
    for cohort, frame in frames.items():
        own = frame.attrs["gene_feature"]
        partners = [f for f in frame.columns if f != own]
        total += len(partners)
        for feature in partners[::stride]:
            pair = frame[[own, feature]].dropna()
            if len(pair) >= 10 and pair[own].nunique() > 1 and pair[feature].nunique() > 1:
                result = stats.spearmanr(pair[own], pair[feature])
                naive[(cohort, int(feature))] = (result.statistic, result.pvalue)
            done += 1
    loop = time.perf_counter() - started
    extrapolated = read + loop * total / done
    ours = statistics.median(medians)
    print(f"  naive pandas + scipy for gene {gene}: read {read:.2f} s, {done:,} of {total:,} pairs in {loop:.2f} s -> {extrapolated:.1f} s for all; "
          f"ratio {extrapolated / ours:.0f}x against the median gene_trans ({ours:.3f} s)")
    engine = make_engine(db_path, read_only=True)
    with engine.connect() as conn:
        pairs = trans.one_against_all(conn, gene, "protein").to_pylist()
    engine.dispose()
    mine = {(r["cohort"], r["feature_id"]): (r["rho"], r["p"]) for r in pairs if not r["is_meta"] and r["rho"] is not None}
    worst = max(max(abs(mine[k][0] - v[0]) / max(abs(v[0]), 1e-300), abs(mine[k][1] - v[1]) / max(v[1], 1e-300)) for k, v in naive.items())
    print(f"  checked {len(naive):,} naive pairs against gene_trans: largest relative difference in rho or p {worst:.1e}")


def bench_cis(db_path: str, stride: int) -> None:
    print("== derive --analysis cis (end to end, one run on a fresh copy) ==")
    with tempfile.TemporaryDirectory(prefix="omicskb-bench-cis-") as work:
        copy = str(Path(work) / "cis.duckdb")
        shutil.copyfile(db_path, copy)
        engine = make_engine(copy)
        upgrade(engine)
        from omicskb.etl.cis import run_derive_cis

        started = time.perf_counter()
        report = run_derive_cis(engine, "derive --analysis cis (benchmark)")
        took = time.perf_counter() - started
        engine.dispose()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {len(report.computed)} blocks, {report.tests:,} tests in {took:.1f} s: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
              + f"; peak RSS of this process so far {rss:,.0f} MB")
        with api.connect(copy) as db:
            blocks = db.query("cis_blocks").to_pylist()
            reading = pairing = 0.0
            done = total = 0
            checked, worst = 0, 0.0
            stored = {}
            for b in blocks:
                started = time.perf_counter()
                x, y = db.block(b["cohort_code"], b["omics_x"]), db.block(b["cohort_code"], b["omics_y"])
                xs, ys = x.sample_ids[x.columns("tumor")], y.sample_ids[y.columns("tumor")]
                shared = np.intersect1d(xs, ys)
                frame_x = pd.DataFrame(x.values[:, x.columns("tumor")].T, index=xs, columns=x.feature_ids).loc[shared]
                frame_y = pd.DataFrame(y.values[:, y.columns("tumor")].T, index=ys, columns=y.feature_ids).loc[shared]
                x_of_gene = {g: f for f, g in zip(x.feature_ids.tolist(), x.gene_ids) if g is not None}
                pairs = [(x_of_gene[g], f) for f, g in zip(y.feature_ids.tolist(), y.gene_ids) if g in x_of_gene]
                total += len(pairs)
                reading += time.perf_counter() - started
                started = time.perf_counter()
                for fx, fy in pairs[::stride]:
                    pair = pd.concat([frame_x[fx], frame_y[fy]], axis=1).dropna()
                    done += 1
                    if len(pair) >= 10 and pair.iloc[:, 0].nunique() > 1 and pair.iloc[:, 1].nunique() > 1:
                        result = stats.spearmanr(pair.iloc[:, 0], pair.iloc[:, 1])
                        stored.setdefault(b["block_id"], {})[fy] = (result.statistic, result.pvalue)
                pairing += time.perf_counter() - started
        import duckdb

        with duckdb.connect(copy, read_only=True) as raw:
            for block_id, expected in stored.items():
                rows = {r[0]: (r[1], r[2]) for r in raw.sql(f"SELECT feature_id, rho, p FROM cis_result WHERE block_id = {int(block_id)}").fetchall()}
                for feature, (rho, p) in expected.items():
                    got = rows[feature]
                    worst = max(worst, abs(got[0] - rho) / max(abs(rho), 1e-300), abs(got[1] - p) / max(p, 1e-300))
                    checked += 1
        extrapolated = reading + pairing * total / max(done, 1)
        print(f"  naive pandas + scipy: blocks read into DataFrames in {reading:.1f} s, {done:,} of {total:,} pairs in {pairing:.1f} s -> "
              f"{extrapolated:.0f} s for all; ratio {extrapolated / took:.0f}x; {checked:,} pairs checked, largest relative difference in rho or p {worst:.1e}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the synthetic pan-cancer DuckDB (never written)")
    parser.add_argument("--genes", nargs="*", help="GeneIDs for gene_trans (default: three at random)")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--naive-stride", type=int, default=50)
    parser.add_argument("--skip-cis", action="store_true")
    args = parser.parse_args(argv)
    if not Path(args.db).is_file():
        parser.error(f"{args.db} does not exist (build it with python -m benchmarks.synthetic_pancan)")
    from omicskb.etl.db import require_schema

    engine = make_engine(args.db, read_only=True)
    try:
        require_schema(engine)
    finally:
        engine.dispose()
    genes = args.genes or pick_genes(args.db, 3, args.seed)
    bench_trans(args.db, genes, args.repeats, args.naive_stride)
    if not args.skip_cis:
        bench_cis(args.db, args.naive_stride)
    return 0


if __name__ == "__main__":
    sys.exit(main())
