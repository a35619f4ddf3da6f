"""Benchmarks: `make bench` (or `python -m benchmarks.run`). Needs $OMICSKB_REALDATA (fetch.sh).

1. Full human annotation load into a new DuckDB (gene_info, GO OBO, gene2go, GAF): median of
   --repeats runs, per file and in total.
2. The naive way for comparison: gene2go rows inserted through SQLAlchemy executemany (what a
   row-by-row ORM load does), timed on the first --naive-rows rows and given as rows/s.
3. `omicskb gene IL7` on the full database: median in-process latency of the card, and of the
   whole command (interpreter start-up included).
4. Reloads and undo on the full database: an unchanged reload (a no-op), a gene2go copy with one
   line corrected and its rollback, and a 1,999-row gene_info subset (refused by the dry run,
   accepted with --allow-shrink, rolled back).
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from omicskb.etl.db import make_engine, upgrade
from omicskb.etl.genecard import gene_card
from omicskb.etl.cli.load import LOADERS
from omicskb.etl.runs import run_load
from omicskb.etl.undo import rollback

CORE = [
    ("gene-info", "ncbi/Homo_sapiens.gene_info.gz"),
    ("go-obo", "go/go-2019-01-27.obo.gz"),
    ("gene2go", "ncbi/gene2go.human.gz"),
    ("gaf", "go/goa_human-2019-01-14.gaf.gz"),
]


def full_load(realdata: Path, target: str) -> dict[str, float]:
    engine = make_engine(target)
    upgrade(engine)
    times = {}
    for command, rel in CORE:
        kind, loader, _ = LOADERS[command]
        start = time.perf_counter()
        run_load(engine, kind, realdata / rel, loader, command=f"bench {command}")
        times[command] = time.perf_counter() - start
    engine.dispose()
    times["total"] = sum(times.values())
    return times


def naive_gene2go(realdata: Path, target: str, rows: int) -> float:
    """Rows per second through executemany into the same table."""
    engine = make_engine(target)
    records = []
    with gzip.open(realdata / "ncbi" / "gene2go.human.gz", "rt") as handle:
        next(handle)
        for line in handle:
            f = line.rstrip("\n").split("\t")
            records.append({"gene_id": f[1], "go_id": f[2], "qualifier": f[4], "is_not": False, "evidence_code": f[3], "namespace": "biological_process",
                            "go_term_as_given": f[5], "source_kind": "gene2go", "release_id": 1})
            if len(records) == rows:
                break
    from omicskb.schema.models import GeneGoAnnotation

    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sa.insert(GeneGoAnnotation.__table__), records)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return rows / elapsed


def timed(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def reloads(realdata: Path, target: str, tmp: str, repeats: int) -> None:
    """Reload and undo costs on a database holding the full core annotation."""
    engine = make_engine(target)
    gene2go = realdata / "ncbi" / "gene2go.human.gz"
    kind, loader, _ = LOADERS["gene2go"]
    unchanged = [timed(lambda: run_load(engine, kind, gene2go, loader, command="bench reload"))[0] for _ in range(repeats)]
    with gzip.open(gene2go, "rt", encoding="utf-8") as handle:
        lines = handle.readlines()
    fields = lines[1000].split("\t")
    fields[5] = fields[5] + " (corrected)"  # the GO term's name as given: one row's content changes
    corrected = Path(tmp) / "gene2go_one_line_corrected.tsv"
    corrected.write_text("".join(lines[:1000] + ["\t".join(fields)] + lines[1001:]), encoding="utf-8")
    correction, report = timed(lambda: run_load(engine, kind, corrected, loader, command="bench correction"))
    assert report.status == "ok", report.status
    undo_correction, _ = timed(lambda: rollback(engine, "gene2go:9606"))

    kind, loader, _ = LOADERS["gene-info"]
    with gzip.open(realdata / "ncbi" / "Homo_sapiens.gene_info.gz", "rt", encoding="utf-8") as handle:
        subset_lines = [next(handle) for _ in range(2000)]
    subset = Path(tmp) / "gene_info_first_1999.tsv"
    subset.write_text("".join(subset_lines), encoding="utf-8")
    dry, report = timed(lambda: run_load(engine, kind, subset, loader, command="bench subset", dry_run=True))
    assert report.refused is not None
    shrink, _ = timed(lambda: run_load(engine, kind, subset, loader, command="bench subset", allow_shrink=True))
    undo_shrink, _ = timed(lambda: rollback(engine, "gene_info:9606"))
    engine.dispose()
    print("Reloads and undo on the full database (one run each unless stated):")
    print(f"  unchanged gene2go reload (no-op)          {statistics.median(unchanged):6.2f} s   (median of {repeats})")
    print(f"  gene2go with one line corrected           {correction:6.2f} s   rollback {undo_correction:.2f} s")
    print(f"  1,999-row gene_info subset: dry run (refused) {dry:.2f} s, --allow-shrink {shrink:.2f} s, rollback {undo_shrink:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-rows", type=int, default=20000)
    args = parser.parse_args()
    folder = os.environ.get("OMICSKB_REALDATA", str(Path.home() / ".cache" / "omicskb-realdata"))
    realdata = Path(folder).expanduser()
    if not (realdata / CORE[0][1]).is_file():
        sys.exit(f"no real data under {realdata}: run ../shared/realdata/fetch.sh")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [full_load(realdata, f"{tmp}/full{i}.duckdb") for i in range(args.repeats)]
        print(f"Full human annotation load into DuckDB, median of {args.repeats} runs:")
        for step in [c for c, _ in CORE] + ["total"]:
            values = [r[step] for r in runs]
            print(f"  {step:<10} {statistics.median(values):6.2f} s   (runs: {', '.join(f'{v:.2f}' for v in values)})")
        rows_total = 77614 + 47347 + 348116 + 475402
        fast_rate = rows_total / statistics.median(r["total"] for r in runs)
        naive_target = f"{tmp}/naive.duckdb"
        engine = make_engine(naive_target)
        upgrade(engine)
        engine.dispose()
        naive_rate = naive_gene2go(realdata, naive_target, args.naive_rows)
        print(f"  throughput {fast_rate:,.0f} source rows/s; naive executemany {naive_rate:,.0f} rows/s "
              f"(ratio {fast_rate / naive_rate:.0f}x; naive full gene2go alone would take {348116 / naive_rate:.0f} s)")

        engine = make_engine(f"{tmp}/full0.duckdb")
        latencies = []
        with engine.connect() as conn:
            for _ in range(20):
                start = time.perf_counter()
                gene_card(conn, "IL7")
                latencies.append(time.perf_counter() - start)
        engine.dispose()
        commands = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "omicskb.etl.cli", "--db", f"{tmp}/full0.duckdb", "gene", "IL7", "--format", "json"], check=True, capture_output=True)
            commands.append(time.perf_counter() - start)
        print(f"gene IL7 on the full database: card {statistics.median(latencies) * 1000:.0f} ms median in-process (20 runs); "
              f"whole command {statistics.median(commands):.2f} s median (5 runs, interpreter start-up included)")
        reloads(realdata, f"{tmp}/full0.duckdb", tmp, args.repeats)


if __name__ == "__main__":
    main()
