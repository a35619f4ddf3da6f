"""Tumor vs normal end to end (issue 9): `python -m benchmarks.tumor_normal`.

On the synthetic pan-cancer freeze (benchmarks/synthetic_pancan.py: 10 cohorts, ~254 M values,
~970k tumor-vs-normal tests; 8 cohorts have normals, 2 have none) this measures:

  1. `omicskb derive` (etl.tumor_normal.run_derive: rank-sum tests, BH q, box statistics, outliers
     and Meta P, written and committed) end to end from the database to stored results, median of
     --repeats runs. Each run starts from a copy of the never-derived database (the copy is not
     timed) and runs in a fresh subprocess, so its peak memory (ru_maxrss of that process; also
     /usr/bin/time's maximum resident set when present) is its own. Printed per run: the wall time
     of run_derive, the report's main-thread phases (kernels, plan, waiting_fetch, rank, q,
     waiting_write, meta) and the busy time of its background fetch and write threads, what no
     main-thread phase holds (the stale check, candidates, the commit), closing the engine (DuckDB's checkpoint
     into the file), the whole process, the tests, the peak RSS. Before the timed runs an untimed
     child compiles (or loads from numba's on-disk cache) the kernels, and says which it did.
  2. The naive pandas + scipy way on the same blocks (listed by the saved query tumor_normal_pairs,
     read with omicskb's Database.block): a DataFrame per block, a Python loop over features
     (dropna per group, the same skip rules, scipy.stats.mannwhitneyu exact or asymptotic as R
     chooses, Hodges-Lehmann as the median of np.subtract.outer, np.percentile boxes with Tukey
     fences), BH q per block (scipy.stats.false_discovery_control), Stouffer per feature across
     cohorts (z from scipy.stats.norm.isf), every table written with DataFrame.to_sql into a
     scratch SQLite file (sqlite3 from the standard library: what a notebook reaches for). By
     default on the features whose feature_id is a multiple of --naive-stride (the same features
     in every cohort, so Meta P is computable), extrapolated linearly to every feature (block
     fetches and DataFrame builds are done in full and not scaled); --naive-full runs everything.
     Its results are checked against what derive stored for the same features (p to 1e-9
     relative; U, the exact/normal choice, the shift, medians, boxes; Meta P; q only when run on
     every feature, since BH ranks within the whole block).
  3. The saved queries in-process on the derived database (omicskb.connect, db.query), median of
     --query-repeats: gene_tumor_normal for IL7 (--gene), and, since the synthetic freeze draws its
     genes at random and may not measure IL7, for a typical and for the largest measured gene; and
     go_term_tumor_normal for GO:0006955 (immune response). The synthetic freeze holds no GO annotations; when $OMICSKB_REALDATA has the GO
     OBO and gene2go files they are loaded into the derived work copy first (--no-load-go skips).

    python -m benchmarks.tumor_normal [--db PANCAN.duckdb] [--data DIR] [--repeats 3]
                                      [--naive-stride 25 | --naive-full] [--query-repeats 15]

--db is never written: it is copied (and upgraded, and emptied of tn_ results, in a copy if it
needs either) to a work folder (--workdir, else a temporary one deleted at the end). When the file
does not exist the database is built there first; without --db it is built in the work folder.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from benchmarks.cohort_load import COHORTS, default_genes_from, ensure_freeze
from benchmarks.long_form import build_duckdb, holds, ms, timed, write_figures
from omicskb.etl.db import current_revision, head_revision, make_engine, upgrade

ROOT = Path(__file__).resolve().parent.parent
CHILD_MARK = "BENCH_JSON "
NAIVE_PHASES = ("fetch", "frame", "test", "box", "bh", "write", "meta")
TN_TABLES = ("tn_box_outlier", "tn_box", "tn_result", "tn_comparison_sample", "tn_comparison", "tn_meta")
TARGET_DERIVE_S = 10.0
TARGET_RSS_GB = 6.0
TARGET_GENE_S = 0.3
TARGET_GO_S = 1.0
IMMUNE_RESPONSE = "GO:0006955"
P_TOLERANCE = 1e-9
MIN_X, MIN_Y, EXACT_BELOW = 20, 10, 50  # what the naive loop uses: R's wilcox.test choice, omicskb's skip rules


def gb(kilobytes: float) -> float:
    return kilobytes / 1024**2


# ---------------------------------------------------------------------------------------------
# Children: each timed derive (and the kernel warm-up) in a fresh process


def child_derive(path: str) -> None:
    """run_derive on `path` in this process; prints one JSON line with the figures."""
    started = time.perf_counter()
    from omicskb.etl.tumor_normal import run_derive

    imported = time.perf_counter() - started
    engine = make_engine(path)
    started, cpu_started = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    report = run_derive(engine, "derive (benchmarks.tumor_normal)")
    derive_s = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_SELF)  # every thread's: the floor on 2 cores is (user + sys) / 2
    user_s, sys_s = cpu.ru_utime - cpu_started.ru_utime, cpu.ru_stime - cpu_started.ru_stime
    started = time.perf_counter()
    engine.dispose()  # DuckDB checkpoints the committed results into the file here
    close_s = time.perf_counter() - started
    print(CHILD_MARK + json.dumps({
        "import_s": imported, "derive_s": derive_s, "user_s": user_s, "sys_s": sys_s, "close_s": close_s, "seconds": report.seconds, "tests": report.tests,
        "computed": len(report.computed), "unchanged": report.unchanged, "meta": report.meta, "lines": report.computed,
        "maxrss_gb": gb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
    }), flush=True)


def child_warmup() -> None:
    """The kernels on a small input, twice: the first call compiles them or loads numba's cache."""
    started = time.perf_counter()
    from omicskb.etl.stats import kernels
    from omicskb.etl.stats.box import box_stats
    from omicskb.etl.stats.ranksum import rank_sum

    imported = time.perf_counter() - started
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 30)), rng.normal(size=(64, 15))
    x[::7, ::3] = np.nan
    calls = []
    for _ in range(2):
        started = time.perf_counter()
        rank_sum(x, y, min_x=5, min_y=5)
        box_stats(x)
        calls.append(time.perf_counter() - started)
    cache = Path(kernels.__file__).parent / "__pycache__"
    print(CHILD_MARK + json.dumps({"import_s": imported, "first_call_s": calls[0], "second_call_s": calls[1],
                                   "cache_dir": str(cache), "cache_files": len(list(cache.glob("kernels.*.nbi")))}), flush=True)


def run_child(args: list[str]) -> tuple[dict, float, float | None]:
    """Run this module with `args` in a fresh interpreter; its JSON, its wall seconds, and
    /usr/bin/time's maximum resident set (GB) when that tool is present."""
    command = [sys.executable, "-m", "benchmarks.tumor_normal", *args]
    time_tool = Path("/usr/bin/time")
    if time_tool.is_file():
        command = [str(time_tool), "-f", "TIME_MAXRSS_KB %M", *command]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"child {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    figures = next(json.loads(line[len(CHILD_MARK):]) for line in reversed(done.stdout.splitlines()) if line.startswith(CHILD_MARK))
    time_rss = next((gb(float(line.split()[1])) for line in done.stderr.splitlines() if line.startswith("TIME_MAXRSS_KB ")), None)
    return figures, wall, time_rss


# ---------------------------------------------------------------------------------------------
# The databases: a never-derived base at the head revision, and a fresh work copy per run


def copy_database(source: Path, target: Path) -> None:
    for suffix in ("", ".wal"):
        dst = Path(str(target) + suffix)
        dst.unlink(missing_ok=True)
        src = Path(str(source) + suffix)
        if src.is_file():
            shutil.copyfile(src, dst)


def tn_rows(target: str) -> int:
    engine = make_engine(target, read_only=True)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("tn_comparison"):
                return 0
            return int(conn.execute(sa.text("SELECT count(*) FROM tn_comparison")).scalar())
    finally:
        engine.dispose()


def never_derived_base(pristine: Path, workdir: Path) -> tuple[Path, list[str]]:
    """`pristine` itself when it is at the head revision without tn_ results (it is then only ever
    copied from); otherwise a copy in `workdir`, upgraded and emptied of tn_ results."""
    engine = make_engine(str(pristine), read_only=True)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    derived = tn_rows(str(pristine)) if revision == head else 0
    if revision == head and derived == 0:
        return pristine, [f"{pristine} is at {head} and holds no tn_ results: each run copies it"]
    base = workdir / "base.duckdb"
    started = time.perf_counter()
    copy_database(pristine, base)
    engine = make_engine(str(base))
    notes = []
    try:
        if revision != head:
            upgrade(engine)
            notes.append(f"the copy was upgraded from {revision} to {head}")
        if tn_rows_engine(engine):
            with engine.begin() as conn:
                for table in TN_TABLES:
                    conn.execute(sa.text(f"DELETE FROM {table}"))
            notes.append("the copy's tn_ results were deleted")
    finally:
        engine.dispose()
    notes.append(f"base copy {base} prepared in {time.perf_counter() - started:.1f} s")
    return base, notes


def tn_rows_engine(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM tn_comparison")).scalar())


def kernel_warmup(out: dict) -> None:
    figures, wall, _ = run_child(["--child-warmup"])
    compiled = figures["first_call_s"] > 1.0
    out["warmup"] = {**figures, "process_s": wall, "compiled": compiled}
    state = ("compiled them (no usable on-disk cache: a fresh install, or kernels.py changed); the timed runs load the cache it wrote"
             if compiled else "loaded them from numba's on-disk cache, as every timed run does inside its phases")
    print(f"[warmup] untimed child: import {figures['import_s']:.2f} s, first kernel calls {figures['first_call_s']:.2f} s, "
          f"second {figures['second_call_s'] * 1000:.1f} ms: it {state} ({figures['cache_files']} kernel index files in {figures['cache_dir']})", flush=True)


def derive_phases() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(derive's main-thread phases, its background ones); imported late so that each child times
    its own import of the engine."""
    from omicskb.etl.tumor_normal import BACKGROUND_PHASES, MAIN_PHASES

    return MAIN_PHASES, BACKGROUND_PHASES


def derive_runs(base: Path, workdir: Path, repeats: int, out: dict) -> Path:
    main_phases, background_phases = derive_phases()
    phases_all = (*main_phases, *background_phases)
    """--repeats timed derives, each on a fresh copy of `base`; returns the last run's (derived) file."""
    work = workdir / "work.duckdb"
    runs = []
    for i in range(1, max(1, repeats) + 1):
        started = time.perf_counter()
        copy_database(base, work)
        copy_s = time.perf_counter() - started
        load = os.getloadavg()
        figures, wall, time_rss = run_child(["--child-derive", str(work)])
        phases = figures["seconds"]
        figures.update(copy_s=copy_s, process_s=wall, time_maxrss_gb=time_rss, load_average_before=load,
                       unattributed_s=figures["derive_s"] - sum(phases[k] for k in main_phases))
        runs.append(figures)
        phase_text = ", ".join(f"{k} {phases[k]:.2f}" for k in main_phases) + "; in the background: " + ", ".join(f"{k} {phases[k]:.2f}" for k in background_phases)
        rss = f"{figures['maxrss_gb']:.2f} GB" + (f" (/usr/bin/time {time_rss:.2f} GB)" if time_rss is not None else "")
        print(f"[derive] run {i}/{repeats}: {figures['derive_s']:.2f} s ({figures['tests']:,} tests, {figures['computed']} comparisons; "
              f"phases s: {phase_text}; unattributed {figures['unattributed_s']:.2f}); CPU user {figures['user_s']:.1f} s + system {figures['sys_s']:.1f} s; close/checkpoint {figures['close_s']:.2f} s; "
              f"process {wall:.1f} s (import {figures['import_s']:.2f} s); peak RSS {rss}; copy {copy_s:.1f} s untimed; "
              f"load average before {load[0]:.2f}", flush=True)
        if i == 1:
            for line in figures["lines"]:
                print(f"[derive]   {line}")
            for omics, rows in sorted(figures["meta"].items()):
                print(f"[derive]   Meta P {omics}: {rows:,} features")
    median = {"derive_s": statistics.median(r["derive_s"] for r in runs),
              "close_s": statistics.median(r["close_s"] for r in runs),
              "process_s": statistics.median(r["process_s"] for r in runs),
              "unattributed_s": statistics.median(r["unattributed_s"] for r in runs),
              "user_s": statistics.median(r["user_s"] for r in runs), "sys_s": statistics.median(r["sys_s"] for r in runs),
              "phases_s": {k: statistics.median(r["seconds"][k] for r in runs) for k in phases_all},
              "maxrss_gb": max(r["maxrss_gb"] for r in runs)}
    out["derive"] = {"runs": [{k: v for k, v in r.items() if k != "lines"} for r in runs], "median": median,
                     "tests": runs[-1]["tests"], "comparisons": runs[-1]["computed"], "meta": runs[-1]["meta"]}
    each = ", ".join(f"{r['derive_s']:.2f}" for r in runs)
    print(f"[derive] median of {len(runs)}: {median['derive_s']:.2f} s (runs: {each})", flush=True)
    return work


# ---------------------------------------------------------------------------------------------
# The naive way: pandas + scipy, a Python loop over features


def naive_box(values: np.ndarray, sample_ids: np.ndarray, role: str, feature_id: int, boxes: list, outliers: list) -> None:
    """np.percentile quartiles (type 7, numpy's default), Tukey's fences, whiskers and outliers of
    one feature's non-missing values (with their sample ids)."""
    if len(values) == 0:
        boxes.append({"feature_id": feature_id, "stat_role": role, "n": 0, "n_mild": 0, "n_extreme": 0})
        return
    minimum, q1, median, q3, maximum = np.percentile(values, [0, 25, 50, 75, 100])
    iqr = q3 - q1
    inner_low, inner_high, outer_low, outer_high = q1 - 1.5 * iqr, q3 + 1.5 * iqr, q1 - 3 * iqr, q3 + 3 * iqr
    inside = values[(values >= inner_low) & (values <= inner_high)]
    outside = (values < inner_low) | (values > inner_high)
    extreme = (values < outer_low) | (values > outer_high)
    boxes.append({"feature_id": feature_id, "stat_role": role, "n": len(values), "minimum": minimum, "q1": q1, "median": median, "q3": q3,
                  "maximum": maximum, "whisker_low": inside.min(), "whisker_high": inside.max(),
                  "n_mild": int(outside.sum() - extreme.sum()), "n_extreme": int(extreme.sum())})
    for sample_id, value, is_extreme in zip(sample_ids[outside], values[outside], extreme[outside]):
        outliers.append({"feature_id": feature_id, "stat_role": role, "sample_id": int(sample_id), "value": float(value), "is_extreme": bool(is_extreme)})


def naive_test(x, y) -> dict:
    """R's wilcox.test(x, y) choice with scipy; None's where the feature is skipped."""
    from scipy import stats

    row: dict[str, Any] = {"n_tumor": len(x), "n_normal": len(y),
                           "median_tumor": float(np.median(x)) if len(x) else np.nan, "median_normal": float(np.median(y)) if len(y) else np.nan}
    both = np.concatenate([x, y])
    distinct = len(np.unique(both))
    if len(x) < MIN_X:
        row["skip_reason"] = f"fewer than {MIN_X} tumor values"
    elif len(y) < MIN_Y:
        row["skip_reason"] = f"fewer than {MIN_Y} normal values"
    elif distinct == 1:
        row["skip_reason"] = "all values equal"
    else:
        exact = len(x) < EXACT_BELOW and len(y) < EXACT_BELOW and distinct == len(both)
        result = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact" if exact else "asymptotic", use_continuity=True)
        row.update(u=float(result.statistic), p=float(result.pvalue), exact=exact, hl_shift=float(np.median(np.subtract.outer(x, y))))
    return row


def naive_tumor_normal(target: str, stride: int, sqlite_path: Path, label: str = "naive", echo: bool = True, omics_types: Sequence[str] = ()) -> dict:
    """The naive pandas + scipy tumor vs normal on every block with tumors (of `omics_types`, or
    all), on the features whose id is a multiple of `stride` (1: all). Returns the figures, and its
    results as DataFrames."""
    import pandas as pd
    from scipy import stats

    import omicskb
    from omicskb.etl.queries import run_saved

    sqlite_path.unlink(missing_ok=True)
    sink = sqlite3.connect(sqlite_path)
    blocks, results, box_frames, totals = [], [], [], dict.fromkeys(NAIVE_PHASES, 0.0)
    extrapolated = dict.fromkeys(NAIVE_PHASES, 0.0)
    features_all, features_sampled = {}, {}
    with omicskb.connect(target) as db:
        with db.engine.connect() as conn:
            pairs = [r for r in run_saved(conn, "tumor_normal_pairs") if r["n_tumor_samples"] and (not omics_types or r["omics_type"] in omics_types)]
        for pair in pairs:
            cohort, omics, name = pair["cohort_code"], pair["omics_type"], pair["tumor_dataset"]
            t = dict.fromkeys(NAIVE_PHASES, 0.0)
            started = time.perf_counter()
            block = db.block(cohort, omics, name)
            t["fetch"] = time.perf_counter() - started
            started = time.perf_counter()
            frame = pd.DataFrame(block.values, index=pd.Index(block.feature_ids, name="feature_id"), columns=block.sample_ids)
            tumor = frame.iloc[:, block.columns("tumor")]
            normal = frame.iloc[:, block.columns("normal")]
            t["frame"] = time.perf_counter() - started
            ids = [int(f) for f in block.feature_ids if f % stride == 0]
            rows, boxes, outliers = [], [], []
            has_normals = normal.shape[1] > 0
            for feature_id in ids:
                started = time.perf_counter()
                tv = tumor.loc[feature_id].dropna()
                x = tv.to_numpy()
                if has_normals:
                    nv = normal.loc[feature_id].dropna()
                    y = nv.to_numpy()
                    row = naive_test(x, y)
                    row["feature_id"] = feature_id
                    rows.append(row)
                middle = time.perf_counter()
                naive_box(x, tv.index.to_numpy(), "tumor", feature_id, boxes, outliers)
                if has_normals:
                    naive_box(y, nv.index.to_numpy(), "normal", feature_id, boxes, outliers)
                t["test"] += middle - started
                t["box"] += time.perf_counter() - middle
            started = time.perf_counter()
            result = pd.DataFrame(rows, columns=["feature_id", "n_tumor", "n_normal", "median_tumor", "median_normal", "u", "p", "exact", "hl_shift", "skip_reason"])
            result = result.astype({"median_tumor": float, "median_normal": float, "u": float, "p": float, "hl_shift": float})
            tested = result["p"].notna()
            result["q"] = np.nan
            if tested.any():
                result.loc[tested, "q"] = stats.false_discovery_control(result.loc[tested, "p"].to_numpy(), method="bh")
            t["bh"] = time.perf_counter() - started
            started = time.perf_counter()
            keys = {"cohort_code": cohort, "omics_type": omics, "tumor_dataset_id": int(pair["tumor_dataset_id"]), "is_default": bool(pair["is_default"])}
            result = result.assign(**keys)
            box_frame = pd.DataFrame(boxes).assign(**keys)
            if has_normals:
                result.to_sql("naive_tn_result", sink, if_exists="append", index=False)
            box_frame.to_sql("naive_tn_box", sink, if_exists="append", index=False)
            if outliers:
                pd.DataFrame(outliers).assign(**keys).to_sql("naive_tn_box_outlier", sink, if_exists="append", index=False)
            sink.commit()
            t["write"] = time.perf_counter() - started
            n_features, n_sampled = len(block.feature_ids), len(ids)
            scale = n_features / n_sampled if n_sampled else 0.0
            for k in NAIVE_PHASES:
                totals[k] += t[k]
                extrapolated[k] += t[k] if k in ("fetch", "frame") else t[k] * scale
            features_all[omics] = features_all.get(omics, 0) + n_features
            features_sampled[omics] = features_sampled.get(omics, 0) + n_sampled
            n_tested = int(tested.sum())
            blocks.append({"block": f"{cohort} {omics}", "features": n_features, "sampled": n_sampled, "tested": n_tested, "seconds": t})
            if has_normals:
                results.append(result)
            box_frames.append(box_frame)
            if echo:
                print(f"[{label}]   {cohort:<6} {omics:<8} {n_sampled:>7,} of {n_features:>7,} features ({n_tested:,} tested): "
                      + ", ".join(f"{k} {t[k]:.2f}" for k in NAIVE_PHASES if k != "meta") + " s", flush=True)
            del block, frame, tumor, normal
    # Stouffer per feature across the cohorts' default comparisons, one feature at a time
    started = time.perf_counter()
    everything = pd.concat(results, ignore_index=True) if results else pd.DataFrame(columns=["feature_id", "p", "hl_shift", "omics_type", "is_default"])
    defaults = everything[everything["is_default"] & everything["p"].notna()]
    meta_rows, meta_seconds = [], {}
    for omics, per_omics in defaults.groupby("omics_type"):
        omics_started = time.perf_counter()
        for feature_id, group in per_omics.groupby("feature_id"):
            direction = np.where(group["hl_shift"].to_numpy() >= 0, 1.0, -1.0)
            z = stats.norm.isf(group["p"].to_numpy(dtype=float) / 2) * direction
            combined = z.sum() / math.sqrt(len(z))
            meta_rows.append({"omics_type": omics, "feature_id": int(feature_id), "n_cohorts": len(z), "z": combined, "p": 2 * stats.norm.sf(abs(combined))})
        meta_seconds[omics] = time.perf_counter() - omics_started
    meta = pd.DataFrame(meta_rows, columns=["omics_type", "feature_id", "n_cohorts", "z", "p"])
    meta.to_sql("naive_tn_meta", sink, if_exists="append", index=False)
    sink.commit()
    sink.close()
    totals["meta"] = time.perf_counter() - started
    extra = totals["meta"] - sum(meta_seconds.values())  # concat, write: scaled with the features too
    extrapolated["meta"] = sum(s * features_all[o] / max(1, features_sampled[o]) for o, s in meta_seconds.items())
    extrapolated["meta"] += extra * (sum(features_all.values()) / max(1, sum(features_sampled.values())))
    fig = {"stride": stride, "sink": f"SQLite {sqlite_path} (DataFrame.to_sql through sqlite3)", "blocks": blocks,
           "features": sum(features_all.values()), "features_sampled": sum(features_sampled.values()),
           "tested_sampled": int(everything["p"].notna().sum()), "meta_rows_sampled": len(meta),
           "seconds_measured": totals, "measured_s": sum(totals.values()),
           "seconds_extrapolated": extrapolated, "extrapolated_s": sum(extrapolated.values())}
    return {"fig": fig, "results": everything, "boxes": pd.concat(box_frames, ignore_index=True), "meta": meta}


# ---------------------------------------------------------------------------------------------
# Agreement: naive against what derive stored


def relative_difference(a, b) -> np.ndarray:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), np.finfo(float).tiny)
    d = np.where(a == b, 0.0, d)  # equal values, infinities included
    return np.where(np.isnan(a) & np.isnan(b), 0.0, np.where(np.isnan(a) | np.isnan(b), np.inf, d))


def check_agreement(target: str, naive: dict, stride: int, omics_types: Sequence[str] = ()) -> dict:
    """Compare the naive results with derive's stored ones on the same features (of `omics_types`, or all)."""
    import pandas as pd

    where = f"r.feature_id % {int(stride)} = 0"
    wanted = sorted(set(omics_types))
    result_where = where + (" AND c.omics_type IN :omics" if wanted else "")
    meta_where = where + (" AND r.omics_type IN :omics" if wanted else "")

    def select(sql: str) -> sa.TextClause:
        return sa.text(sql).bindparams(sa.bindparam("omics", wanted, expanding=True)) if wanted else sa.text(sql)

    engine = make_engine(target, read_only=True)
    try:
        with engine.connect() as conn:
            stored = pd.read_sql(select(
                "SELECT c.tumor_dataset_id, r.feature_id, r.n_tumor, r.n_normal, r.median_tumor, r.median_normal, r.u, r.exact, r.p, r.hl_shift, r.q "
                f"FROM tn_result AS r JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id WHERE {result_where}"), conn)
            boxes = pd.read_sql(select(
                "SELECT c.tumor_dataset_id, r.stat_role, r.feature_id, r.n, r.minimum, r.q1, r.median, r.q3, r.maximum, r.whisker_low, r.whisker_high, r.n_mild, r.n_extreme "
                f"FROM tn_box AS r JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id WHERE {result_where}"), conn)
            meta = pd.read_sql(select(f"SELECT r.omics_type, r.feature_id, r.n_cohorts, r.p FROM tn_meta AS r WHERE {meta_where}"), conn)
    finally:
        engine.dispose()
    checks: dict[str, dict] = {}

    def check(name: str, bad: int, of: int, detail: str = "", **extra: Any) -> None:
        checks[name] = {"mismatches": int(bad), "of": int(of), "detail": detail, **extra}

    results = naive["results"]
    merged = results.merge(stored, on=["tumor_dataset_id", "feature_id"], how="outer", suffixes=("_naive", "_stored"), indicator=True)
    check("rows", (merged["_merge"] != "both").sum(), len(merged), f"naive {len(results):,} rows, stored {len(stored):,}")
    both = merged[merged["_merge"] == "both"]
    naive_tested, stored_tested = both["p_naive"].notna(), both["p_stored"].notna()
    check("tested", (naive_tested != stored_tested).sum(), len(both), f"{int(stored_tested.sum()):,} tested by both" if (naive_tested == stored_tested).all() else "")
    t = both[naive_tested & stored_tested]
    p_diff = relative_difference(t["p_naive"], t["p_stored"])
    check("p", (p_diff > P_TOLERANCE).sum(), len(t), f"max relative difference {p_diff.max() if len(t) else 0:.2g} (tolerance {P_TOLERANCE:g}); "
          f"smallest p {t['p_stored'].min() if len(t) else float('nan'):.3g}", max_relative=float(p_diff.max()) if len(t) else 0.0)
    check("u", (t["u_naive"] != t["u_stored"]).sum(), len(t))
    check("exact", (t["exact_naive"].astype(bool) != t["exact_stored"].astype(bool)).sum(), len(t), f"{int(t['exact_stored'].astype(bool).sum()):,} exact")
    check("hl_shift", (relative_difference(t["hl_shift_naive"], t["hl_shift_stored"]) > 0).sum(), len(t), "bit for bit")
    for name in ("n_tumor", "n_normal", "median_tumor", "median_normal"):
        check(name, (relative_difference(both[f"{name}_naive"], both[f"{name}_stored"]) > 0).sum(), len(both), "bit for bit")
    if stride == 1:
        q_diff = relative_difference(t["q_naive"], t["q_stored"])
        check("q", (q_diff > P_TOLERANCE).sum(), len(t), f"max relative difference {q_diff.max() if len(t) else 0:.2g}")
    nb = naive["boxes"].merge(boxes, on=["tumor_dataset_id", "stat_role", "feature_id"], how="outer", suffixes=("_naive", "_stored"), indicator=True)
    check("box rows", (nb["_merge"] != "both").sum(), len(nb), f"naive {len(naive['boxes']):,}, stored {len(boxes):,}")
    nb = nb[nb["_merge"] == "both"]
    worst = 0.0
    bad = np.zeros(len(nb), dtype=bool)
    for name in ("minimum", "q1", "median", "q3", "maximum", "whisker_low", "whisker_high"):
        d = relative_difference(nb[f"{name}_naive"], nb[f"{name}_stored"])
        worst = max(worst, float(d.max()) if len(d) else 0.0)
        bad |= d > 1e-12
    for name in ("n", "n_mild", "n_extreme"):
        bad |= nb[f"{name}_naive"].fillna(0).to_numpy() != nb[f"{name}_stored"].fillna(0).to_numpy()
    check("boxes", bad.sum(), len(nb), f"quartiles, whiskers to 1e-12 (max relative difference {worst:.2g}), outlier counts exactly")
    nm = naive["meta"].merge(meta, on=["omics_type", "feature_id"], how="outer", suffixes=("_naive", "_stored"), indicator=True)
    check("meta rows", (nm["_merge"] != "both").sum(), len(nm), f"naive {len(naive['meta']):,}, stored {len(meta):,}")
    nm = nm[nm["_merge"] == "both"]
    m_diff = relative_difference(nm["p_naive"], nm["p_stored"])
    check("meta p", (m_diff > P_TOLERANCE).sum(), len(nm), f"max relative difference {m_diff.max() if len(nm) else 0:.2g}; "
          f"n_cohorts differ on {int((nm['n_cohorts_naive'] != nm['n_cohorts_stored']).sum())}", max_relative=float(m_diff.max()) if len(nm) else 0.0)
    agree = all(c["mismatches"] == 0 for c in checks.values())
    return {"agree": agree, "checks": checks}


def print_agreement(agreement: dict, label: str = "agree") -> None:
    for name, c in agreement["checks"].items():
        verdict = "agree" if c["mismatches"] == 0 else f"{c['mismatches']:,} DISAGREE"
        print(f"[{label}]   {name:<13} {c['of']:>9,} compared: {verdict}" + (f"; {c['detail']}" if c["detail"] else ""))
    print(f"[{label}] naive and omicskb {'AGREE on every check' if agreement['agree'] else 'DISAGREE (see above)'}", flush=True)


# ---------------------------------------------------------------------------------------------
# Queries


def load_go(target: str, out: dict) -> None:
    """The GO OBO and gene2go from $OMICSKB_REALDATA into the (derived) work copy."""
    from omicskb.etl.cli.load import LOADERS
    from omicskb.etl.runs import run_load

    realdata = Path(os.environ.get("OMICSKB_REALDATA", Path.home() / ".cache" / "omicskb-realdata"))
    files = {"go-obo": realdata / "go" / "go-2019-01-27.obo.gz", "gene2go": realdata / "ncbi" / "gene2go.human.gz"}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        print(f"[query] GO annotations not loaded: {', '.join(missing)} missing")
        out["go_load"] = {"skipped": f"missing {missing}"}
        return
    engine = make_engine(target)
    started = time.perf_counter()
    try:
        for command, path in files.items():
            kind, loader, _ = LOADERS[command]
            run_load(engine, kind, path, loader, command=f"bench {command}")
        comparisons = tn_rows_engine(engine)
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    out["go_load"] = {"files": {k: str(v) for k, v in files.items()}, "seconds": seconds, "tn_comparisons_after": comparisons}
    print(f"[query] loaded {files['go-obo'].name} and {files['gene2go'].name} into the work copy in {seconds:.1f} s "
          f"(the derived results stay: {comparisons} comparisons)", flush=True)


def term_genes(target: str, go_id: str) -> dict:
    """How many genes the term (with its descendants) annotates, how many have features, how many
    of those features have Meta P."""
    engine = make_engine(target, read_only=True)
    try:
        with engine.connect() as conn:
            annotations = int(conn.execute(sa.text("SELECT count(*) FROM gene_go_annotation")).scalar())
            row = conn.execute(sa.text(
                "WITH term_genes AS (SELECT DISTINCT a.gene_id FROM go_id_primary AS p JOIN go_closure AS c ON c.ancestor_id = p.primary_id "
                "JOIN go_id_primary AS ap ON ap.primary_id = c.go_id JOIN gene_go_annotation AS a ON a.go_id = ap.any_id AND NOT a.is_not WHERE p.any_id = :g) "
                "SELECT (SELECT count(*) FROM term_genes), "
                "(SELECT count(DISTINCT f.gene_id) FROM feature AS f WHERE f.gene_id IN (SELECT gene_id FROM term_genes)), "
                "(SELECT count(*) FROM tn_meta AS m JOIN feature AS f ON f.feature_id = m.feature_id WHERE f.gene_id IN (SELECT gene_id FROM term_genes))"),
                {"g": go_id}).one()
    finally:
        engine.dispose()
    return {"gene_go_annotation_rows": annotations, "term_genes": int(row[0]), "term_genes_with_features": int(row[1]), "meta_rows": int(row[2])}


def stand_in_genes(target: str) -> dict[str, tuple[str, str, int]]:
    """Measured genes to time gene_tumor_normal on besides the one asked for (the synthetic freeze
    draws its genes at random, so IL7 may not be among them): among the genes with results in
    every compared omics type, the one with the median number of tn_result rows ("typical") and
    the one with the most ("largest": the most sites). Name -> (GeneID, symbol, tn_result rows)."""
    engine = make_engine(target, read_only=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "WITH g AS (SELECT f.gene_id, count(*) AS n, count(DISTINCT c.omics_type) AS k FROM tn_result AS r "
                "JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id JOIN feature AS f ON f.feature_id = r.feature_id "
                "WHERE f.gene_id IS NOT NULL AND c.is_default GROUP BY f.gene_id) "
                "SELECT g.gene_id, gene.symbol, g.n FROM g JOIN gene ON gene.gene_id = g.gene_id WHERE g.k = (SELECT max(k) FROM g)")).all()
    finally:
        engine.dispose()
    if not rows:
        return {}
    ordered = sorted(rows, key=lambda r: (int(r[2]), r[0]))  # sorted here: the same pick on every backend
    pick = {"typical": ordered[len(ordered) // 2], "largest": ordered[-1]}
    return {k: (str(r[0]), str(r[1]), int(r[2])) for k, r in pick.items()}


def queries(target: str, args, out: dict) -> None:
    import omicskb

    fig = out.setdefault("queries", {})
    genes = term_genes(target, IMMUNE_RESPONSE)
    print(f"[query] {target}: gene_go_annotation holds {genes['gene_go_annotation_rows']:,} rows; {IMMUNE_RESPONSE} annotates {genes['term_genes']:,} genes "
          f"(with descendants), {genes['term_genes_with_features']:,} of them measured", flush=True)
    if genes["gene_go_annotation_rows"] == 0 and args.load_go:
        fig["go_term_before_annotations"] = genes
        load_go(target, fig)
        genes = term_genes(target, IMMUNE_RESPONSE)
        print(f"[query] now {IMMUNE_RESPONSE} annotates {genes['term_genes']:,} genes (with descendants), {genes['term_genes_with_features']:,} measured, "
              f"{genes['meta_rows']:,} Meta P rows", flush=True)
    fig["go_term_genes"] = genes
    stand_ins = stand_in_genes(target)
    with omicskb.connect(target) as db:
        genes = [("gene_tumor_normal", args.gene, f"gene={args.gene!r}")]
        genes += [(f"gene_tumor_normal_{kind}", gene_id, f"gene='{gene_id}' ({symbol}, the {kind} measured gene: {n:,} tn_result rows)")
                  for kind, (gene_id, symbol, n) in stand_ins.items()]
        for key, gene, what in genes:
            figure, table = timed(lambda: db.query("gene_tumor_normal", gene=gene), args.query_repeats)
            figure.update(gene=gene, rows=table.num_rows, omics=sorted(set(table.column("omics").to_pylist())),
                          cohorts=len(set(table.column("cohort").to_pylist())), features=len(set(table.column("feature_id").to_pylist())))
            fig[key] = figure
            met = "met" if figure["median_s"] < TARGET_GENE_S else "NOT met"
            print(f"[query] db.query('gene_tumor_normal', {what}): median {ms(figure['median_s'])} (target < {TARGET_GENE_S} s: {met}); "
                  f"{table.num_rows:,} rows, {figure['features']:,} features, omics {', '.join(figure['omics']) or 'none'} "
                  f"(runs, ms: {', '.join(f'{r * 1000:.0f}' for r in figure['runs_s'])})", flush=True)
        if fig["gene_tumor_normal"]["rows"] == 0:
            print(f"[query]   {args.gene} is not measured in this database (the synthetic freeze draws its genes at random): its figure times an empty answer")
        figure, table = timed(lambda: db.query("go_term_tumor_normal", go_id=IMMUNE_RESPONSE), args.query_repeats)
        figure.update(rows=table.num_rows, genes=len(set(table.column("gene_id").to_pylist())))
        fig["go_term_tumor_normal"] = figure
        print(f"[query] db.query('go_term_tumor_normal', go_id='{IMMUNE_RESPONSE}'): median {ms(figure['median_s'])} (target < {TARGET_GO_S} s: "
              f"{'met' if figure['median_s'] < TARGET_GO_S else 'NOT met'}); {table.num_rows:,} rows, {figure['genes']:,} genes "
              f"(runs, ms: {', '.join(f'{r * 1000:.0f}' for r in figure['runs_s'])})", flush=True)


# ---------------------------------------------------------------------------------------------


def summary(results: dict) -> None:
    d, n = results.get("derive"), results.get("naive")
    print("\nsummary (medians)")
    if d:
        m = d["median"]
        runs = ", ".join(f"{r['derive_s']:.2f}" for r in d["runs"])
        loads = ", ".join(f"{r['load_average_before'][0]:.2f}" for r in d["runs"])
        print(f"  derive end to end (run_derive, committed): {m['derive_s']:.2f} s, median of {len(d['runs'])} (runs {runs} s; 1-min load average before each: {loads}); "
              f"{d['tests']:,} tests in {d['comparisons']} comparisons; target <= {TARGET_DERIVE_S:.0f} s: {'met' if m['derive_s'] <= TARGET_DERIVE_S else 'NOT met'}")
        main_phases, background_phases = derive_phases()
        print("    main thread: " + ", ".join(f"{k} {m['phases_s'][k]:.2f} s" for k in main_phases) + f", unattributed {m['unattributed_s']:.2f} s "
              f"(stale check, candidates, commit)")
        print("    in background threads, overlapping those: " + ", ".join(f"{k} {m['phases_s'][k]:.2f} s" for k in background_phases))
        print(f"    CPU of the derive, every thread: user {m['user_s']:.1f} s + system {m['sys_s']:.1f} s = {m['user_s'] + m['sys_s']:.1f} s; "
              f"{os.cpu_count()} cores cannot take it in less than {(m['user_s'] + m['sys_s']) / (os.cpu_count() or 1):.1f} s")
        print(f"    then close (DuckDB checkpoint into the file) {m['close_s']:.2f} s; whole child process {m['process_s']:.1f} s (interpreter, imports, derive, close)")
        print(f"    peak RSS {m['maxrss_gb']:.2f} GB (largest of the runs; budget {TARGET_RSS_GB:.0f} GB: {'met' if m['maxrss_gb'] < TARGET_RSS_GB else 'NOT met'})")
    if n:
        f = n["fig"]
        how = "run on every feature" if f["stride"] == 1 else f"extrapolated from {f['features_sampled']:,} of {f['features']:,} features (every feature_id divisible by {f['stride']})"
        total = f["extrapolated_s"]
        line = f"  naive pandas + scipy: {total:.0f} s, {how}; measured {f['measured_s']:.1f} s; written with DataFrame.to_sql into a scratch SQLite file"
        print(line)
        print("    phases: " + ", ".join(f"{k} {f['seconds_extrapolated'][k]:.1f} s" for k in NAIVE_PHASES))
        if d:
            print(f"    omicskb derive is {total / d['median']['derive_s']:.1f}x faster than the naive way ({total:.0f} s / {d['median']['derive_s']:.2f} s)")
        a = n.get("agreement")
        if a:
            c = a["checks"]
            print(f"    agreement with stored results: {'AGREE' if a['agree'] else 'DISAGREE'}: p on {c['p']['of']:,} tests (max relative difference "
                  f"{c['p']['max_relative']:.2g}, tolerance {P_TOLERANCE:g}), U, exact/normal, shift, medians, {c['boxes']['of']:,} boxes; "
                  f"Meta P on {c['meta p']['of']:,} features (max relative difference {c['meta p']['max_relative']:.2g})")
    q = results.get("queries")
    if q:
        t = q["go_term_tumor_normal"]
        for key in ("gene_tumor_normal", "gene_tumor_normal_typical", "gene_tumor_normal_largest"):
            g = q.get(key)
            if g:
                kind = key.rpartition("_")[2] if key != "gene_tumor_normal" else ""
                label = f"gene={g['gene']}" + (f" (stand-in, {kind} measured gene)" if kind else ("" if g["rows"] else " (not measured here: an empty answer)"))
                print(f"  query gene_tumor_normal {label} in-process: {ms(g['median_s'])} ({g['rows']:,} rows; target < {TARGET_GENE_S} s: "
                      f"{'met' if g['median_s'] < TARGET_GENE_S else 'NOT met'})")
        genes = q["go_term_genes"]
        print(f"  query go_term_tumor_normal {IMMUNE_RESPONSE} in-process: {ms(t['median_s'])} ({t['rows']:,} rows, {t['genes']:,} genes; the term annotates "
              f"{genes['term_genes']:,} genes here; target < {TARGET_GO_S} s: {'met' if t['median_s'] < TARGET_GO_S else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="a pan-cancer DuckDB, never written (built there first if the file does not exist) [default: built in the work folder]")
    parser.add_argument("--data", type=Path, help="the synthetic freeze (generated there if it has no manifest.json) [default: cohort_load's]")
    parser.add_argument("--scale", type=float, default=1.0, help="feature-count scale when the freeze is generated [1.0]")
    parser.add_argument("--genes-from", help="an omicskb DuckDB with Ensembl xrefs for the generated ids [default: as cohort_load]")
    parser.add_argument("--cohorts", default=",".join(COHORTS), help="cohorts loaded when the database is built [default: all ten]")
    parser.add_argument("--workdir", type=Path, help="where the base and work copies go (kept) [default: a temporary folder, deleted]")
    parser.add_argument("--repeats", type=int, default=3, help="timed derive runs, each on a fresh copy in a fresh process (median) [3]")
    parser.add_argument("--naive-stride", type=int, default=25, help="the naive way runs on the features whose id is a multiple of this, extrapolated [25]")
    parser.add_argument("--naive-full", action="store_true", help="run the naive way on every feature (~500 s or more)")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--query-repeats", type=int, default=15, help="runs of each saved query (median) [15]")
    parser.add_argument("--gene", default="IL7", help="the gene of gene_tumor_normal (a typical and the largest measured gene are timed too) [IL7]")
    parser.add_argument("--no-load-go", dest="load_go", action="store_false",
                        help="do not load the GO OBO and gene2go from $OMICSKB_REALDATA into the derived work copy when it has no GO annotations")
    parser.add_argument("--json", type=Path, default=Path("tumor_normal.json"), help="write the figures here [tumor_normal.json]")
    parser.add_argument("--child-derive", help=argparse.SUPPRESS)
    parser.add_argument("--child-warmup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_derive:
        child_derive(args.child_derive)
        return
    if args.child_warmup:
        child_warmup()
        return
    args.cohorts = [c.strip() for c in args.cohorts.split(",") if c.strip()]
    stride = 1 if args.naive_full else max(1, args.naive_stride)

    meminfo = Path("/proc/meminfo")
    memory = next((line.split()[1] for line in meminfo.read_text().splitlines() if line.startswith("MemTotal")), None) if meminfo.is_file() else None
    results: dict = {"machine": {"cpus": os.cpu_count(), "memory_gb": gb(float(memory)) if memory else None, "python": platform.python_version(),
                                 "platform": platform.platform(), "load_average_at_start": os.getloadavg()},
                     "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if not k.startswith("child")}}
    print(f"{os.cpu_count()} CPUs, {results['machine']['memory_gb'] or 0:.1f} GB; load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="omicskb-tumor-normal-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        pristine = args.db or workdir / "pancan.duckdb"
        if not pristine.exists():
            genes_from = args.genes_from or default_genes_from()
            args.data, _ = ensure_freeze(args.data, args.scale, genes_from)
            build_duckdb(pristine, args.data, genes_from, args.cohorts)
        print(f"[setup] {pristine}: {holds(str(pristine))}")
        base, notes = never_derived_base(pristine, workdir)
        for note in notes:
            print(f"[setup] {note}")
        results["database"] = {"pristine": str(pristine), "base": str(base), "notes": notes, "holds": holds(str(base))}

        kernel_warmup(results)
        work = derive_runs(base, workdir, args.repeats, results)

        if not args.skip_naive:
            print(f"[naive] pandas + scipy on {'every feature' if stride == 1 else f'the features whose id is a multiple of {stride}'} of every block with tumors; "
                  "block fetches and DataFrames in full", flush=True)
            load = os.getloadavg()
            naive = naive_tumor_normal(str(work), stride, workdir / "naive.sqlite")
            naive["fig"]["load_average_before"] = load
            f = naive["fig"]
            print(f"[naive] measured {f['measured_s']:.1f} s on {f['features_sampled']:,} of {f['features']:,} features ({f['tested_sampled']:,} tests, "
                  f"{f['meta_rows_sampled']:,} Meta P rows): " + ", ".join(f"{k} {f['seconds_measured'][k]:.1f}" for k in NAIVE_PHASES) + " s", flush=True)
            if stride > 1:
                print(f"[naive] extrapolated from {f['features_sampled']:,} of {f['features']:,} features: {f['extrapolated_s']:.0f} s ("
                      + ", ".join(f"{k} {f['seconds_extrapolated'][k]:.1f}" for k in NAIVE_PHASES) + " s)", flush=True)
            agreement = check_agreement(str(work), naive, stride)
            print_agreement(agreement)
            results["naive"] = {"fig": f, "agreement": agreement}

        queries(str(work), args, results)
        summary({**results, "naive": results.get("naive")})
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        write_figures(results, args.json)


if __name__ == "__main__":
    main()
