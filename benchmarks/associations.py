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
  3. `derive --analysis phenotypes` (etl.phenotypes.run_derive_phenotypes) end to end on a copy, once,
     with its phases. The naive way: for every --naive-stride-th feature of each block and each
     attribute the block tested, a pandas Series joined to the attribute, dropna, and the scipy test
     its type takes (spearmanr, mannwhitneyu, kruskal; Jonckheere-Terpstra as the pair count with
     its normal approximation in numpy; the Cox score test from statsmodels' PHReg score and
     Hessian at 0), extrapolated; checked against the stored p.

  4. `derive --analysis trans` (etl.trans_all.run_derive_trans) for protein, all pairs, end to end on a
     copy, with its phases; then the same pipeline on another copy with the exact kernel replaced by
     the rank-once approximation (etl.stats.allpairs.approximate_all_pairs: ranks over each row's
     own samples, Pearson on the shared ones, four matrix products). Ratios of the whole derive and
     of the pairs phase; how far the approximation's rho is from the exact one (on one cohort's
     pairs) and how many of its stored top partners are the exact ones; stored pairs checked
     against scipy. The naive way: spearmanr on the shared samples of --naive-pairs random pairs of
     one cohort (pandas dropna), extrapolated to every pair of every cohort. --all-pairs-omics rna
     measures the RNA blocks (20k genes, 2e9 pairs); --skip-approximate the exact derive only.

    python -m benchmarks.associations --db PANCAN.duckdb [--repeats 5] [--naive-stride 50] [--skip-cis] [--skip-phenotypes] [--skip-all-pairs]

--db is never written; it must be at this omicskb's schema revision ('omicskb --db COPY init' upgrades a copy).
"""

from __future__ import annotations

import argparse
import math
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


def naive_jonckheere(x: np.ndarray, codes: np.ndarray) -> float:
    """Two-sided p of Jonckheere-Terpstra by counting pairs, with the tie-corrected normal approximation."""
    jt = 0.0
    levels = sorted(set(codes.tolist()))
    for a, lo in enumerate(levels):
        for hi in levels[a + 1:]:
            diff = np.subtract.outer(x[codes == hi], x[codes == lo])
            jt += (diff > 0).sum() + 0.5 * (diff == 0).sum()
    n = len(x)
    sizes = np.array([(codes == g).sum() for g in levels], dtype=float)
    _, ties = np.unique(x, return_counts=True)
    ties = ties.astype(float)
    var = (n * (n - 1) * (2 * n + 5) - (sizes * (sizes - 1) * (2 * sizes + 5)).sum() - (ties * (ties - 1) * (2 * ties + 5)).sum()) / 72 \
        + (sizes * (sizes - 1) * (sizes - 2)).sum() * (ties * (ties - 1) * (ties - 2)).sum() / (36 * n * (n - 1) * (n - 2)) \
        + (sizes * (sizes - 1)).sum() * (ties * (ties - 1)).sum() / (8 * n * (n - 1))
    return float(2 * stats.norm.sf(abs((jt - (n * n - (sizes ** 2).sum()) / 4) / np.sqrt(var))))


def naive_cox_score(x: np.ndarray, time: np.ndarray, event: np.ndarray) -> float:
    from statsmodels.duration.hazard_regression import PHReg

    model = PHReg(time, x[:, None], status=event, ties="breslow")
    score, information = model.score(np.zeros(1))[0], -model.hessian(np.zeros(1))[0, 0]
    return float(stats.chi2.sf(score * score / information, 1))


def bench_phenotypes(db_path: str, stride: int) -> None:
    import duckdb

    from omicskb.etl.phenotypes import clinical_attributes, mutation_attributes, run_derive_phenotypes

    print("== derive --analysis phenotypes (end to end, one run on a fresh copy) ==")
    with tempfile.TemporaryDirectory(prefix="omicskb-bench-pheno-") as work:
        copy = str(Path(work) / "pheno.duckdb")
        shutil.copyfile(db_path, copy)
        engine = make_engine(copy)
        upgrade(engine)
        started = time.perf_counter()
        report = run_derive_phenotypes(engine, "derive --analysis phenotypes (benchmark)")
        took = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {len(report.computed)} blocks, {report.tests:,} tests in {took:.1f} s: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
              + f"; peak RSS of this process so far {rss:,.0f} MB")
        reading = testing = 0.0
        done = total = 0
        naive: dict[tuple[int, str, int], float] = {}
        with engine.connect() as conn, api.connect(copy) as db:
            for b in db.query("pheno_blocks").to_pylist():
                started = time.perf_counter()
                block = db.block(b["cohort_code"], b["omics_type"])
                tumors = block.columns("tumor")
                frame = pd.DataFrame(block.values[:, tumors].T, index=block.sample_ids[tumors], columns=block.feature_ids)
                attributes = clinical_attributes(conn, b["cohort_code"], block.sample_ids[tumors])
                if b["mutation_dataset_id"] is not None:
                    attributes += mutation_attributes(conn, b["mutation_dataset_id"], block.sample_ids[tumors])
                tested = {r[0] for r in conn.exec_driver_sql(f"SELECT attribute_name FROM pheno_attribute WHERE block_id = {int(b['block_id'])} AND reason IS NULL")}
                reading += time.perf_counter() - started
                started = time.perf_counter()
                for attribute in attributes:
                    if attribute.name not in tested:
                        continue
                    total += frame.shape[1]
                    for feature in frame.columns[::stride]:
                        done += 1
                        data = pd.DataFrame({"x": frame[feature].to_numpy(), "a": attribute.values,
                                             "e": attribute.event if attribute.event is not None else np.zeros(len(frame))})
                        data = data[~data["x"].isna() & (data["a"] >= 0 if attribute.type in ("BIN", "ORD", "CAT") else ~data["a"].isna())]
                        x, a = data["x"].to_numpy(), data["a"].to_numpy()
                        p = math.nan
                        if attribute.type == "CON" and len(x) >= 10 and len(set(x)) > 1 and len(set(a)) > 1:
                            p = stats.spearmanr(x, a).pvalue
                        elif attribute.type == "BIN" and len(x) >= 20 and min((a == 1).sum(), (a == 0).sum()) >= 10 and len(set(x)) > 1:
                            hi, lo = x[a == 1], x[a == 0]
                            exact = len(hi) < 50 and len(lo) < 50 and len(set(x)) == len(x)
                            p = stats.mannwhitneyu(hi, lo, alternative="two-sided", method="exact" if exact else "asymptotic", use_continuity=True).pvalue
                        elif attribute.type == "CAT" and len(x) >= 20 and len(set(a)) > 1 and len(set(x)) > 1:
                            p = stats.kruskal(*[x[a == g] for g in sorted(set(a.tolist()))]).pvalue
                        elif attribute.type == "ORD" and len(x) >= 20 and len(set(a)) > 1 and len(set(x)) > 1:
                            p = naive_jonckheere(x, a.astype(int))
                        elif attribute.type == "SUR" and len(x) >= 10 and data["e"].sum() >= 5:
                            low = (x <= np.median(x)).sum()
                            if min(low, len(x) - low) >= 10 and len(set(x)) > 1:
                                p = naive_cox_score(x, a, data["e"].to_numpy())
                        if not math.isnan(p):
                            naive[(int(b["block_id"]), attribute.name, int(feature))] = p
                testing += time.perf_counter() - started
        engine.dispose()
        worst, checked = 0.0, 0
        with duckdb.connect(copy, read_only=True) as raw:
            stored = {(int(r[0]), r[1], int(r[2])): r[3] for r in raw.sql("SELECT block_id, attribute_name, feature_id, p FROM pheno_result WHERE p IS NOT NULL").fetchall()
                      if (int(r[0]), r[1], int(r[2])) in naive}
        for key, p in naive.items():
            if key in stored and p > 0:
                worst = max(worst, abs(stored[key] - p) / p)
                checked += 1
        extrapolated = reading + testing * total / max(done, 1)
        print(f"  naive pandas + scipy/statsmodels: blocks and attributes read in {reading:.1f} s, {done:,} of {total:,} tests in {testing:.1f} s -> "
              f"{extrapolated:.0f} s for all; ratio {extrapolated / took:.0f}x; {checked:,} of {len(naive):,} naive p found stored, largest relative "
              f"difference {worst:.1e}")


MAX_SQUARE_ROWS = 12_000


def bench_trans_all(db_path: str, naive_pairs: int, omics: str = "protein", top: int = 50, approximate: bool = True) -> None:
    kinds = ("exact", "approximate") if approximate else ("exact",)
    print(f"== derive --analysis trans, every pair of {omics} (one run on a fresh copy each: {', then '.join(kinds)}) ==")
    from omicskb.etl import trans_all
    from omicskb.etl.stats import allpairs

    results = {}
    print(f"  kernels compiled or loaded from numba's cache in {allpairs.prepare():.1f} s (not in the timings below)")
    with tempfile.TemporaryDirectory(prefix="omicskb-bench-trans-") as work:
        for kind in kinds:
            copy = str(Path(work) / f"{kind}.duckdb")
            shutil.copyfile(db_path, copy)
            engine = make_engine(copy)
            upgrade(engine)
            exact_kernel = allpairs.spearman_all_pairs_packed
            if kind == "approximate":
                allpairs.spearman_all_pairs_packed = allpairs.approximate_all_pairs_packed
            try:
                started = time.perf_counter()
                report = trans_all.run_derive_trans(engine, f"derive --analysis trans (benchmark, {kind})", top=top, omics=(omics,))
                took = time.perf_counter() - started
            finally:
                allpairs.spearman_all_pairs_packed = exact_kernel
            engine.dispose()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            results[kind] = (took, report, copy)
            print(f"  {kind}: {len(report.computed)} blocks, {report.pairs_tested:,} pairs tested in {took:.1f} s: "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items()) + f"; peak RSS of this process so far {rss:,.0f} MB", flush=True)
        exact_took, exact_report, exact_copy = results["exact"]
        if approximate:
            approx_took, approx_report, approx_copy = results["approximate"]
            print(f"  exact / approximate: whole derive {exact_took / approx_took:.2f}x, pairs phase "
                  f"{exact_report.seconds['pairs'] / approx_report.seconds['pairs']:.2f}x (target: at most 10x)")
            import duckdb

            with duckdb.connect(exact_copy, read_only=True) as a, duckdb.connect(approx_copy, read_only=True) as b:
                sql = ("SELECT k.cohort_code, r.feature_id, r.partner_feature_id FROM trans_result r JOIN trans_block k USING (block_id)")
                exact_pairs, approx_pairs = set(a.sql(sql).fetchall()), set(b.sql(sql).fetchall())
            print(f"  the approximation's stored top-{top} partners: {len(exact_pairs & approx_pairs) / max(len(exact_pairs), 1):.1%} are the exact ones "
                  f"({len(exact_pairs):,} stored pairs)")
        with api.connect(exact_copy) as db:
            listed = [b for b in db.query("trans_blocks").to_pylist() if b["omics_type"] == omics]
            cohort = listed[0]["cohort_code"]
            block = db.block(cohort, omics)
        total_pairs = sum(b["n_features"] * (b["n_features"] - 1) // 2 for b in listed)
        # square matrices here: the first 12k rows at most (20k RNA rows would take 18 GB)
        tumors = block.values[:MAX_SQUARE_ROWS, block.columns("tumor")]
        exact_rho, _ = allpairs.spearman_all_pairs(tumors)
        approx_rho, _ = allpairs.approximate_all_pairs(tumors)
        tested = ~np.isnan(exact_rho) & ~np.isnan(approx_rho)
        error = np.abs(exact_rho - approx_rho)[tested]
        del approx_rho
        print(f"  {cohort}: rank-once rho against exact over {tested.sum() // 2:,} pairs of its first {len(tumors):,} rows: median error "
              f"{np.median(error):.3g}, p99 {np.quantile(error, 0.99):.3g}, max {error.max():.3g}")
        # the naive way on random pairs of this cohort, checked against the exact matrix
        rng = np.random.default_rng(5)
        frame = pd.DataFrame(tumors.T)
        rows = len(tumors)
        picks = rng.integers(0, rows, size=(naive_pairs, 2))
        picks = picks[picks[:, 0] != picks[:, 1]]
        worst = 0.0
        started = time.perf_counter()
        for x, y in picks:
            pair = frame[[x, y]].dropna()
            if len(pair) >= 10 and pair[x].nunique() > 1 and pair[y].nunique() > 1:
                rho = stats.spearmanr(pair[x], pair[y]).statistic
                worst = max(worst, abs(rho - exact_rho[x, y]) / max(abs(rho), 1e-300))
        per_pair = (time.perf_counter() - started) / len(picks)
        naive = per_pair * total_pairs
        print(f"  naive pandas + scipy: {per_pair * 1e6:.0f} us a pair over {len(picks):,} random pairs of {cohort} (largest relative difference "
              f"from the exact kernel {worst:.1e}) -> {naive:,.0f} s for the {total_pairs:,} pairs; ratio {naive / exact_took:.0f}x the exact derive")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the synthetic pan-cancer DuckDB (never written)")
    parser.add_argument("--genes", nargs="*", help="GeneIDs for gene_trans (default: three at random)")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--naive-stride", type=int, default=50)
    parser.add_argument("--skip-cis", action="store_true")
    parser.add_argument("--skip-trans", action="store_true")
    parser.add_argument("--skip-phenotypes", action="store_true")
    parser.add_argument("--skip-all-pairs", action="store_true")
    parser.add_argument("--naive-pairs", type=int, default=3000, help="random pairs the naive all-pairs baseline runs, extrapolated [3000]")
    parser.add_argument("--all-pairs-omics", default="protein", help="the omics type of the all-pairs trans benchmark [protein]")
    parser.add_argument("--skip-approximate", action="store_true", help="all-pairs trans: the exact derive only")
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
    if not args.skip_trans:
        bench_trans(args.db, genes, args.repeats, args.naive_stride)
    if not args.skip_cis:
        bench_cis(args.db, args.naive_stride)
    if not args.skip_phenotypes:
        bench_phenotypes(args.db, args.naive_stride)
    if not args.skip_all_pairs:
        bench_trans_all(args.db, args.naive_pairs, args.all_pairs_omics, approximate=not args.skip_approximate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
