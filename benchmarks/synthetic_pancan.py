"""A synthetic CPTAC pan-cancer data freeze (v1.2 layout) at full scale, for load benchmarks.

    python benchmarks/synthetic_pancan.py OUTDIR [--seed 1] [--scale 1.0] [--gzip | --no-gzip]
                                                 [--genes-from DB.duckdb] [--workers N]

Writes, per cohort (BRCA CCRCC COAD GBM HNSCC LSCC LUAD OV PDAC UCEC), files named and laid out as
the LinkedOmicsKB download (METHODS.md §3): tab-separated, first header cell `idx`, case ids as
columns (Tumor and Normal files use the same case ids), GENCODE-style `ENSG...version` rows,
`NA` for missing:
  <C>_RNAseq_gene_RSEM_coding_UQ_1500_log2_{Tumor,Normal}.txt                     20,000 genes, no NA
  <C>_proteomics_gene_abundance_log2_reference_intensity_normalized_{Tumor,Normal}.txt   12,000, 20% NA
  <C>_phospho_site_abundance_log2_reference_intensity_normalized_{Tumor,Normal}.txt   100,000 sites, 50% NA
  <C>_WES_CNV_gene_ratio_log2.txt                                                  20,000 genes, tumours
  <C>_somatic_mutation_gene_level_binary.txt                                       20,000 genes, 0/1, tumours
  <C>_meta.txt (case_id + attributes, 2nd row `data_type`), <C>_survival.txt (OS/PFS days and events)
BRCA and GBM have no normals. 1,093 tumours and 502 normals in all. Not generated: GISTIC levels,
methylation. Feature counts are multiplied by --scale (sample counts are not). Phosphosite ids are
five-field `ENSG.v|ENSP.v|S123|PEPTIDE|n`, ~10% multi-site, 0.1% rows repeating another row's
(gene, protein, site) with another peptide (as the real release does); a few genes are `_PAR_Y` twins.

Gene ids are synthetic `ENSG<11 digits>.<version>` unless --genes-from names an omicskb DuckDB:
then real Ensembl ids are drawn from gene_xref (xref_db 'Ensembl', with the stored version, else
`.1`) so the rows resolve, topped up with synthetic ids if the database has too few.

Deterministic: the same arguments (and database) give byte-identical files; every file has its own
random stream, so the result does not depend on --workers (processes). Values are generated with numpy and
formatted by Arrow's CSV writer, one block of rows at a time (memory stays in the low hundreds of MB).
`manifest.json` lists every file with cohort, omics, sample type and shape.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gzip
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# cohort -> (tumours, normals): ~1,100 tumours and ~500 normals in all, as in the prototype's benchmark.
COHORTS: dict[str, tuple[int, int]] = {
    "BRCA": (122, 0),
    "CCRCC": (103, 75),
    "COAD": (105, 66),
    "GBM": (99, 0),
    "HNSCC": (108, 62),
    "LSCC": (108, 68),
    "LUAD": (110, 70),
    "OV": (112, 52),
    "PDAC": (122, 54),
    "UCEC": (104, 55),
}

N_GENES = 20_000
N_PROTEINS = 12_000
N_SITES = 100_000
N_PAR_Y = 45  # GENCODE v34 has about this many `_PAR_Y` genes
MISSING_PROTEIN = 0.20
MISSING_SITE = 0.50
MISSING_CNV = 0.005
MULTI_SITE = 0.10
DUPLICATE_SITE = 0.001
BLOCK_ROWS = 16_384  # rows generated and formatted at a time
DECIMALS = 4
GZIP_LEVEL = 1  # numeric text barely compresses better at 6, and 6 is ~7x slower

SUFFIX = {
    "mrna": "RNAseq_gene_RSEM_coding_UQ_1500_log2",
    "protein": "proteomics_gene_abundance_log2_reference_intensity_normalized",
    "phosphosite": "phospho_site_abundance_log2_reference_intensity_normalized",
    "cnv": "WES_CNV_gene_ratio_log2",
    "mutation": "somatic_mutation_gene_level_binary",
}
_AMINO = np.frombuffer(b"ACDEFGHIKLMNPQRSTVWY", dtype=np.uint8)
_FILE_CODE = {("mrna", "Tumor"): 1, ("mrna", "Normal"): 2, ("protein", "Tumor"): 3, ("protein", "Normal"): 4,
              ("phosphosite", "Tumor"): 5, ("phosphosite", "Normal"): 6, ("cnv", "Tumor"): 7, ("mutation", "Tumor"): 8,
              ("meta", None): 9, ("survival", None): 10, ("normals", None): 11}  # fmt: skip


@dataclass
class Features:
    """Row ids and per-row parameters shared by every cohort (real freezes overlap heavily)."""

    genes: list[str]  # mRNA / CNV / mutation rows
    gene_mean: np.ndarray
    gene_sd: np.ndarray
    mutation_rate: np.ndarray
    proteins: list[str]  # gene ids of the protein rows
    protein_mean: np.ndarray
    protein_missing: np.ndarray  # per-row missing probability, mean MISSING_PROTEIN
    sites: list[str]
    site_mean: np.ndarray
    site_missing: np.ndarray


@dataclass
class Task:
    cohort: str
    cohort_index: int
    omics: str
    sample_type: str | None
    path: Path
    samples: list[str]


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([seed, *key])


def _row_missing(rng: np.random.Generator, n: int, mean: float, concentration: float = 4.0) -> np.ndarray:
    """Per-row missing probabilities, Beta-distributed around `mean` (some rows sparse, some full)."""
    if mean <= 0:
        return np.zeros(n)
    return rng.beta(concentration * mean, concentration * (1 - mean), size=n)


def _synthetic_gene_ids(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        numbers = rng.choice(300_000, size=2 * (n - len(out)) + 16, replace=False)
        versions = rng.integers(1, 21, size=numbers.size)
        for number, version in zip(numbers.tolist(), versions.tolist()):
            base = f"ENSG{number:011d}"
            if base not in taken:
                taken.add(base)
                out.append(f"{base}.{version}")
                if len(out) == n:
                    break
    return out


def _db_gene_ids(path: Path, rng: np.random.Generator, n: int) -> list[str]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT accession, max(version) FROM gene_xref WHERE xref_db = 'Ensembl' AND accession LIKE 'ENSG%' "
            "GROUP BY accession ORDER BY accession"
        ).fetchall()
    ids = [f"{acc}.{version or 1}" for acc, version in rows]
    if len(ids) > n:
        ids = [ids[i] for i in sorted(rng.choice(len(ids), size=n, replace=False).tolist())]
    return ids


def make_features(seed: int, scale: float, genes_from: Path | None) -> tuple[Features, str]:
    rng = _rng(seed, 0)
    n_genes = max(4, round(N_GENES * scale))
    n_par = max(1, round(N_PAR_Y * scale))
    n_base = n_genes - n_par
    ids: list[str] = []
    source = "synthetic"
    if genes_from is not None:
        ids = _db_gene_ids(genes_from, rng, n_base)
        source = f"gene_xref of {genes_from.name} ({len(ids)} real ids)"
    ids += _synthetic_gene_ids(rng, n_base - len(ids), {i.split(".")[0] for i in ids})
    # `_PAR_Y` twins: the same ENSG.version with the suffix, as GENCODE names the Y copy.
    par = [ids[i] + "_PAR_Y" for i in sorted(rng.choice(len(ids), size=n_par, replace=False).tolist())]
    genes = sorted(ids + par)
    is_par = np.array([g.endswith("_PAR_Y") for g in genes])
    gene_mean = np.clip(rng.normal(9.0, 2.5, n_genes), 0.5, None)
    gene_mean[is_par] = 0.0  # reads go to the X copy: the Y twin is all zero, as in the real files
    gene_sd = rng.uniform(0.3, 1.5, n_genes)
    gene_sd[is_par] = 0.0
    mutation_rate = np.minimum(rng.lognormal(np.log(0.01), 1.0, n_genes), 0.6)

    n_proteins = max(2, min(n_genes, round(N_PROTEINS * scale)))
    chosen = rng.choice(np.flatnonzero(~is_par), size=n_proteins - 1, replace=False)
    protein_rows = np.sort(np.append(chosen, np.flatnonzero(is_par)[0]))  # one `_PAR_Y` protein too
    proteins = [genes[i] for i in protein_rows.tolist()]
    protein_mean = rng.normal(21.0, 2.0, n_proteins)
    protein_missing = _row_missing(rng, n_proteins, MISSING_PROTEIN)

    sites = _site_ids(rng, proteins, max(4, round(N_SITES * scale)))
    site_mean = rng.normal(18.0, 2.0, len(sites))
    site_missing = _row_missing(rng, len(sites), MISSING_SITE)
    return Features(genes, gene_mean, gene_sd, mutation_rate, proteins, protein_mean, protein_missing, sites, site_mean, site_missing), source


def _site_ids(rng: np.random.Generator, proteins: list[str], n: int) -> list[str]:
    """`ENSG.v|ENSP.v|S123[T127]|15-residue peptide|number of sites`, unique strings, sorted."""
    n_proteins = len(proteins)
    ensp = [f"ENSP{x:011d}.{v}" for x, v in zip(rng.choice(900_000, size=n_proteins, replace=False).tolist(), rng.integers(1, 12, n_proteins).tolist())]
    for i, gene in enumerate(proteins):  # the `_PAR_Y` twin's protein is its X copy's
        if gene.endswith("_PAR_Y") and gene[: -len("_PAR_Y")] in proteins:
            ensp[i] = ensp[proteins.index(gene[: -len("_PAR_Y")])]
    length = np.clip(rng.lognormal(np.log(550), 0.7, n_proteins), 60, 5000).astype(np.int64)
    weight = rng.lognormal(0.0, 1.0, n_proteins)
    n_dup = max(1, round(n * DUPLICATE_SITE))
    n_unique = n - n_dup
    draw = int(n_unique * 1.2) + 32
    gene = rng.choice(n_proteins, size=draw, p=weight / weight.sum())
    par = [i for i, g in enumerate(proteins) if g.endswith("_PAR_Y")]
    gene[: min(len(par) * 3, draw)] = np.resize(par, min(len(par) * 3, draw)) if par else gene[:0]
    position = (rng.random(draw) * length[gene]).astype(np.int64) + 1
    residue = rng.choice(np.frombuffer(b"STY", dtype=np.uint8), size=draw, p=[0.85, 0.13, 0.02])
    multi = rng.random(draw) < MULTI_SITE
    second = position + rng.integers(1, 8, draw)
    residue2 = rng.choice(np.frombuffer(b"STY", dtype=np.uint8), size=draw, p=[0.85, 0.13, 0.02])
    site = [
        f"{chr(r)}{p}{chr(r2)}{q}" if m else f"{chr(r)}{p}"
        for r, p, m, r2, q in zip(residue.tolist(), position.tolist(), multi.tolist(), residue2.tolist(), second.tolist())
    ]
    # Keep the first draw of each (gene, site): a repeat would be a duplicate we did not mean.
    seen: set[tuple[int, str]] = set()
    keep: list[int] = []
    for i, key in enumerate(zip(gene.tolist(), site)):
        if key not in seen:
            seen.add(key)
            keep.append(i)
            if len(keep) == n_unique:
                break
    keep_arr = np.array(keep)
    peptide = rng.choice(_AMINO, size=(keep_arr.size, 15))
    peptide[:, 7] = residue[keep_arr]
    offset = (second - position)[keep_arr]
    rows = np.flatnonzero(multi[keep_arr] & (offset <= 7))
    peptide[rows, 7 + offset[rows]] = residue2[keep_arr][rows]
    peptides = peptide.view("S15").ravel().astype(str).tolist()
    ids = [
        f"{proteins[g]}|{ensp[g]}|{site[i]}|{pep}|{2 if multi[i] else 1}"
        for i, g, pep in zip(keep, gene[keep_arr].tolist(), peptides)
    ]
    # The release's duplicates: the same (gene, protein, site) again, from another peptide window.
    for j in sorted(rng.choice(len(ids), size=n_dup, replace=False).tolist()):
        g, p, s, pep, flag = ids[j].split("|")
        ids.append(f"{g}|{p}|{s}|{pep[1:-1]}|{flag}")
    return sorted(ids)


def _cases(cohort_index: int, n: int) -> list[str]:
    """Case ids like the real CPTAC ones (C3L-/C3N-), unique across cohorts and independent of the seed."""
    prefix = "C3L" if cohort_index % 2 == 0 else "C3N"
    return [f"{prefix}-{cohort_index * 1000 + 3 * j + 1:05d}" for j in range(n)]


def _sink(path: Path, use_gzip: bool) -> BinaryIO:
    if use_gzip:
        return gzip.GzipFile(filename="", mode="wb", fileobj=open(path, "wb"), compresslevel=GZIP_LEVEL, mtime=0)  # type: ignore[return-value]
    return open(path, "wb")


def _close(sink: BinaryIO) -> None:
    sink.close()
    inner = getattr(sink, "fileobj", None)
    if inner is not None:
        inner.close()


_WRITE = pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")


def _write_block(sink: BinaryIO, ids: Sequence[str], block: np.ndarray) -> None:
    """Rows of `id<TAB>v1<TAB>v2...`, NaN as NA, formatted by Arrow (C++, no per-value Python)."""
    k, n = block.shape
    # One cast for the whole block, column after column (a transposed copy), then zero-copy slices.
    flat = pa.array(np.ascontiguousarray(block.T).ravel(), from_pandas=True)  # NaN -> null
    text = pc.fill_null(pc.cast(flat, pa.string()), "NA")
    columns = [pa.array(list(ids), type=pa.string())] + [text.slice(j * k, k) for j in range(n)]
    table = pa.Table.from_arrays(columns, names=[f"c{j}" for j in range(n + 1)])
    out = pa.BufferOutputStream()
    pacsv.write_csv(table, out, _WRITE)
    sink.write(memoryview(out.getvalue()))


def _matrix(task: Task, features: Features, seed: int, use_gzip: bool) -> dict:
    rng = _rng(seed, task.cohort_index + 1, _FILE_CODE[(task.omics, task.sample_type)])
    n = len(task.samples)
    if task.omics in ("mrna", "cnv", "mutation"):
        ids = features.genes
    elif task.omics == "protein":
        ids = features.proteins
    else:
        ids = features.sites
    normal = task.sample_type == "Normal"
    sample_shift = rng.normal(0.0, 0.3, n)
    missing = 0
    sink = _sink(task.path, use_gzip)
    try:
        sink.write(("\t".join(["idx", *task.samples]) + "\n").encode())
        for start in range(0, len(ids), BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, len(ids))
            k = stop - start
            rows = slice(start, stop)
            if task.omics == "mrna":
                mean = features.gene_mean[rows] + (0.4 if normal else 0.0) * rng.standard_normal(k)
                block = mean[:, None] + features.gene_sd[rows, None] * rng.standard_normal((k, n)) + sample_shift
                block = np.round(np.clip(block, 0.0, None), DECIMALS)
                block[features.gene_mean[rows] == 0.0] = 0.0
            elif task.omics == "protein":
                block = np.round(features.protein_mean[rows, None] + 0.8 * rng.standard_normal((k, n)) + sample_shift, DECIMALS)
                block[rng.random((k, n)) < features.protein_missing[rows, None]] = np.nan
            elif task.omics == "phosphosite":
                block = np.round(features.site_mean[rows, None] + 1.1 * rng.standard_normal((k, n)) + sample_shift, DECIMALS)
                block[rng.random((k, n)) < features.site_missing[rows, None]] = np.nan
            elif task.omics == "cnv":
                # Copy-number changes span many neighbouring genes: a shift per block of 500 rows and case.
                segments = rng.normal(0.0, 0.25, ((k + 499) // 500, n)) * (rng.random(((k + 499) // 500, n)) < 0.3)
                block = np.repeat(segments, 500, axis=0)[:k] + 0.08 * rng.standard_normal((k, n))
                block = np.round(block, DECIMALS)
                block[rng.random((k, n)) < MISSING_CNV] = np.nan
            else:
                block = (rng.random((k, n)) < features.mutation_rate[rows, None]).astype(np.int8)
            if block.dtype.kind == "f":
                missing += int(np.count_nonzero(np.isnan(block)))
            _write_block(sink, ids[rows], block)
    finally:
        _close(sink)
    return _entry(task, len(ids), n, missing)


def _entry(task: Task, rows: int, columns: int, missing: int) -> dict:
    return {
        "file": task.path.name,
        "cohort": task.cohort,
        "omics": task.omics,
        "sample_type": task.sample_type,
        "rows": rows,
        "columns": columns,
        "values": rows * columns,
        "missing": missing,
        "bytes": task.path.stat().st_size,
    }


def _write_text(path: Path, lines: list[str], use_gzip: bool) -> None:
    sink = _sink(path, use_gzip)
    try:
        sink.write(("\n".join(lines) + "\n").encode())
    finally:
        _close(sink)


def _na(values: list[str], rng: np.random.Generator, rate: float) -> list[str]:
    hit = rng.random(len(values)) < rate
    return ["NA" if h else v for v, h in zip(values, hit.tolist())]


def _meta(task: Task, seed: int, use_gzip: bool) -> dict:
    rng = _rng(seed, task.cohort_index + 1, _FILE_CODE[("meta", None)])
    n = len(task.samples)
    female_only = task.cohort in ("BRCA", "OV", "UCEC")
    sex = ["Female"] * n if female_only else rng.choice(["Female", "Male"], size=n, p=[0.4, 0.6]).tolist()
    age = [str(a) for a in rng.integers(30, 90, n).tolist()]
    race = rng.choice(["White", "Asian", "Black or African American", "Other"], size=n, p=[0.6, 0.25, 0.1, 0.05]).tolist()
    stage = rng.choice(["Stage I", "Stage II", "Stage III", "Stage IV"], size=n, p=[0.4, 0.3, 0.2, 0.1]).tolist()
    bmi = [f"{b:.2f}" for b in rng.normal(28, 6, n).clip(15, 60).tolist()]
    columns = {
        "Sex": ("BIN", sex),
        "Age": ("CON", _na(age, rng, 0.03)),
        "Race": ("CAT", _na(race, rng, 0.08)),
        "Stage": ("ORD", _na(stage, rng, 0.05)),
        "BMI": ("CON", _na(bmi, rng, 0.1)),
        "Tumor_Code": ("ID", [task.cohort] * n),
    }
    lines = ["\t".join(["case_id", *columns]), "\t".join(["data_type", *(t for t, _ in columns.values())])]
    lines += ["\t".join([case, *(v[i] for _, v in columns.values())]) for i, case in enumerate(task.samples)]
    _write_text(task.path, lines, use_gzip)
    return _entry(task, n, len(columns), 0)


def _survival(task: Task, seed: int, use_gzip: bool) -> dict:
    rng = _rng(seed, task.cohort_index + 1, _FILE_CODE[("survival", None)])
    n = len(task.samples)
    os_days = rng.exponential(1200, n).round().astype(int) + 1
    os_event = (rng.random(n) < 0.25).astype(int)
    pfs_days = np.minimum(os_days, rng.exponential(900, n).round().astype(int) + 1)
    pfs_event = np.maximum(os_event, (rng.random(n) < 0.2).astype(int))  # death also ends progression-free time
    lost = rng.random(n) < 0.05  # no follow-up for some cases
    lines = ["case_id\tOS_days\tOS_event\tPFS_days\tPFS_event"]
    for i, case in enumerate(task.samples):
        cells = ["NA"] * 4 if lost[i] else [str(os_days[i]), str(os_event[i]), str(pfs_days[i]), str(pfs_event[i])]
        lines.append("\t".join([case, *cells]))
    _write_text(task.path, lines, use_gzip)
    return _entry(task, n, 4, 4 * int(lost.sum()))


def plan(outdir: Path, seed: int, use_gzip: bool) -> list[Task]:
    ext = ".txt.gz" if use_gzip else ".txt"
    tasks: list[Task] = []
    for index, (cohort, (n_tumor, n_normal)) in enumerate(COHORTS.items()):
        tumors = _cases(index, n_tumor)
        picked = np.sort(_rng(seed, index + 1, _FILE_CODE[("normals", None)]).choice(n_tumor, size=n_normal, replace=False))
        normals = [tumors[i] for i in picked.tolist()]
        for omics in ("mrna", "protein", "phosphosite"):
            tasks.append(Task(cohort, index, omics, "Tumor", outdir / f"{cohort}_{SUFFIX[omics]}_Tumor{ext}", tumors))
            if normals:
                tasks.append(Task(cohort, index, omics, "Normal", outdir / f"{cohort}_{SUFFIX[omics]}_Normal{ext}", normals))
        for omics in ("cnv", "mutation"):
            tasks.append(Task(cohort, index, omics, "Tumor", outdir / f"{cohort}_{SUFFIX[omics]}{ext}", tumors))
        tasks.append(Task(cohort, index, "meta", None, outdir / f"{cohort}_meta{ext}", tumors))
        tasks.append(Task(cohort, index, "survival", None, outdir / f"{cohort}_survival{ext}", tumors))
    return tasks


_WORKER: dict = {}


def _init_worker(seed: int, scale: float, genes_from: Path | None, use_gzip: bool) -> None:
    _WORKER.update(seed=seed, use_gzip=use_gzip, features=make_features(seed, scale, genes_from)[0])


def _run(task: Task) -> dict:
    seed, use_gzip = _WORKER["seed"], _WORKER["use_gzip"]
    if task.omics == "meta":
        return _meta(task, seed, use_gzip)
    if task.omics == "survival":
        return _survival(task, seed, use_gzip)
    return _matrix(task, _WORKER["features"], seed, use_gzip)


def generate(outdir: Path, seed: int = 1, scale: float = 1.0, use_gzip: bool = False, genes_from: Path | None = None, workers: int | None = None) -> dict:
    """Write the synthetic freeze into `outdir` and return the manifest (also written as manifest.json)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    outdir.mkdir(parents=True, exist_ok=True)
    features, gene_source = make_features(seed, scale, genes_from)
    tasks = plan(outdir, seed, use_gzip)

    # Worker processes (numpy and Arrow hold the GIL for part of the work, so threads overlap badly);
    # each builds the same features from the seed. Biggest files first.
    tasks.sort(key=lambda t: -(len(features.sites) if t.omics == "phosphosite" else len(features.genes)) * len(t.samples))
    workers = workers or min(4, os.cpu_count() or 1)
    if workers == 1:
        _WORKER.update(seed=seed, use_gzip=use_gzip, features=features)
        entries = [_run(task) for task in tasks]
    else:
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(seed, scale, genes_from, use_gzip)) as pool:
            entries = list(pool.map(_run, tasks))
    entries.sort(key=lambda e: e["file"])
    matrices = [e for e in entries if e["omics"] not in ("meta", "survival")]
    manifest = {
        "layout": "CPTAC pan-cancer data freeze v1.2 (LinkedOmicsKB), synthetic values",
        "generator": "benchmarks/synthetic_pancan.py",
        "seed": seed,
        "scale": scale,
        "gzip": use_gzip,
        "gene_ids": gene_source,
        "cohorts": {c: {"tumors": t, "normals": n} for c, (t, n) in COHORTS.items()},
        "features": {"genes": len(features.genes), "proteins": len(features.proteins), "phosphosites": len(features.sites)},
        "total_values": sum(e["values"] for e in matrices),
        "total_missing": sum(e["missing"] for e in matrices),
        "total_bytes": sum(e["bytes"] for e in entries),
        "files": entries,
    }
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies feature counts (0.01 for a smoke run)")
    parser.add_argument("--gzip", action=argparse.BooleanOptionalAction, default=False, help="write .txt.gz (gzip level 1)")
    parser.add_argument("--genes-from", type=Path, help="omicskb DuckDB: draw real ENSG ids from gene_xref")
    parser.add_argument("--workers", type=int, help="worker processes (default: CPUs, at most 4)")
    args = parser.parse_args(argv)
    if args.genes_from is not None and not args.genes_from.is_file():
        parser.error(f"--genes-from {args.genes_from}: no such file")
    start = time.perf_counter()
    manifest = generate(args.outdir, args.seed, args.scale, args.gzip, args.genes_from, args.workers)
    elapsed = time.perf_counter() - start
    print(
        f"wrote {len(manifest['files'])} files to {args.outdir}: {manifest['total_values']:,} values "
        f"({manifest['total_missing']:,} missing), {manifest['total_bytes'] / 1e6:,.1f} MB in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
