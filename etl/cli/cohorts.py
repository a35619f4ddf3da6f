"""`omicskb cohorts` (what each cohort holds) and `omicskb values GENE` (a gene's measurements)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import click
import sqlalchemy as sa

from omicskb.etl.cohort_names import resolve_cohort
from omicskb.etl.datasets import list_datasets
from omicskb.etl.errors import LookupFailed
from omicskb.etl.db import require_schema
from omicskb.etl.genecard import find_gene
from omicskb.etl.liveness import gone_running
from omicskb.etl.output import FORMATS, OutputError, choose_format, write
from omicskb.etl.queries import run_query, run_saved


def cohort_overview(conn, cohort: str = "", gone_batches: set[int] | None = None) -> list[dict]:
    """Per cohort (all, or the one a code or alias names): sample counts by type; per dataset: shape,
    missing fraction, unresolved ids, samples by type, default flag and pair."""
    cohorts: dict[str, dict] = {}
    for row in run_saved(conn, "cohort_sample_counts", cohort=cohort):
        entry = cohorts.setdefault(row["cohort_code"], {"cohort": row["cohort_code"], "samples": {}, "datasets": []})
        entry["samples"][row["sample_type"]] = {k: int(row[k]) for k in ("samples", "excluded", "replicates", "usable_tumor", "usable_normal")}
    types: dict[int, dict] = defaultdict(dict)
    for row in run_saved(conn, "dataset_sample_types", cohort=cohort):
        types[row["dataset_id"]][row["sample_type"]] = int(row["samples"])
    for row in run_saved(conn, "cohort_datasets", cohort=cohort):
        entry = cohorts.setdefault(row["cohort_code"], {"cohort": row["cohort_code"], "samples": {}, "datasets": []})
        entry["datasets"].append({
            "omics": row["omics_type"], "name": row["name"], "dataset_id": row["dataset_id"], "format": row["source_format"],
            "is_default": bool(row["is_default"]), "pair_role": row["pair_role"], "paired_with": row["paired_with"],
            "pair_declared_by": row["pair_declared_by"], "unit": row["unit"],
            "features": int(row["n_features"]), "samples": int(row["n_samples"]), "missing_fraction": float(row["missing_fraction"]),
            "unresolved": int(row["n_unresolved"]), "samples_by_type": types.get(row["dataset_id"], {}), "file": row["file_name"],
        })
    for row in run_saved(conn, "cohort_load_batches"):
        entry = cohorts.setdefault(row["cohort_code"], {"cohort": row["cohort_code"], "samples": {}, "datasets": []})
        planned = row["planned_files"].split("\n") if row["planned_files"] else []
        done = int(row["n_done"])
        status = row["status"]
        if status == "running" and row["batch_id"] in (gone_batches or set()):
            status = "running (process gone)"  # killed: the next write command marks it interrupted
        entry["last_load"] = {
            "batch_id": row["batch_id"], "status": status, "files_planned": int(row["n_planned"]), "files_done": done,
            "complete": row["status"] == "ok", "not_loaded": planned[done:], "message": row["message"], "directory": row["directory"],
        }
    return list(cohorts.values())


def render_last_load(load: dict) -> list[str]:
    if load["complete"]:
        return []
    state = {"running": "is still running", "running (process gone)": "was killed", "failed": "failed", "interrupted": "was interrupted"}.get(load["status"], load["status"])
    missing = ", ".join(load["not_loaded"][:4]) + (", ..." if len(load["not_loaded"]) > 4 else "")
    return [
        f"  INCOMPLETE: the last 'load cohort' (batch {load['batch_id']}) {state} after {load['files_done']} of {load['files_planned']} files"
        + (f"; not loaded: {missing}" if missing else "") + (f" ({load['message']})" if load["message"] else ""),
        f"  rerun 'omicskb load cohort {load['directory']} ...' to finish it (files already loaded are unchanged)",
    ]


def render_overview(cohorts: list[dict]) -> list[str]:
    lines = []
    for entry in cohorts:
        samples = entry["samples"]
        total = sum(v["samples"] for v in samples.values())
        usable_tumor = sum(v["usable_tumor"] for v in samples.values())
        usable_normal = sum(v["usable_normal"] for v in samples.values())
        lines.append(f"{entry['cohort']}: {total} samples; usable tumors {usable_tumor}, adjacent normals {usable_normal}")
        if entry.get("last_load"):
            lines += render_last_load(entry["last_load"])
        for sample_type, v in samples.items():
            flags = []
            if v["excluded"]:
                flags.append(f"{v['excluded']} excluded")
            if v["replicates"]:
                flags.append(f"{v['replicates']} replicate")
            lines.append(f"  {sample_type:<18} {v['samples']:>5}" + (f"  ({', '.join(flags)})" if flags else ""))
        if entry["datasets"]:
            lines.append(f"  {'omics':<11} {'features':>9} x {'samples':<7} {'missing':>7} {'unresolved':>10}  dataset (* default)  samples by type")
        for d in entry["datasets"]:
            by_type = ", ".join(f"{t} {n}" for t, n in d["samples_by_type"].items())
            pair = f" [{d['pair_role']} of a pair with {d['paired_with']}]" if d["pair_role"] else ""
            lines.append(
                f"  {d['omics']:<11} {d['features']:>9,} x {d['samples']:<7} {d['missing_fraction']:>7.1%} {d['unresolved']:>10,}  "
                f"{'*' if d['is_default'] else ' '} {d['name']}{pair}  {by_type}"
            )
    return lines


@click.command()
@click.option("--cohort", "-c", default="", help="Only this cohort (code or alias, any case) [default: all].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def cohorts(settings, cohort: str, fmt: str) -> None:
    """Per cohort, sample counts by type; per dataset, features x samples, missing fraction, unresolved ids, default and pair."""
    require_schema(settings.engine)
    gone = gone_running(settings.engine)["load_batch"]
    with settings.engine.connect() as conn:
        code = resolve_cohort(conn, cohort) if cohort.strip() else ""
        overview = cohort_overview(conn, code, gone)
    if fmt == "json":
        click.echo(json.dumps(overview, indent=2))
        return
    if not overview:
        click.echo((f"{code}: " if code else "") + "no cohort data loaded (omicskb load cohort DIR --cohort C --layout cptac2019|pancan)")
    for line in render_overview(overview):
        click.echo(line)


@click.command()
@click.argument("gene")
@click.option("--cohort", "-c", default="", help="Only this cohort (code or alias, any case) [default: all].")
@click.option("--dataset", "-d", default="", help="This dataset (or the pair it is in) instead of each cohort and omics' default.")
@click.option("--all-values", is_flag=True, help="Every value, one per line, instead of the summary per dataset, feature and role.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", *[f for f in FORMATS if f != "json"]]), default="text", show_default=True,
              help="text and json as before; table, tsv, csv, jsonl and parquet write the saved query's rows (gene_values or gene_value_summary) as 'omicskb query' does.")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True), default=None, help="Write to FILE instead of standard output.")
@click.pass_obj
def values(settings, gene: str, cohort: str, dataset: str, all_values: bool, fmt: str, output: str | None) -> None:
    """A gene's measured values per cohort and omics, from the default dataset (with its paired normal
    dataset) or the one --dataset names: summarised per feature and sample role, or every value.
    Each line names the dataset its values come from."""
    require_schema(settings.engine)
    with settings.engine.connect() as conn:
        code = resolve_cohort(conn, cohort) if cohort.strip() else ""
        if dataset and not any(d.name == dataset for d in list_datasets(conn, code or None)):
            raise LookupFailed(f"no dataset named {dataset!r}" + (f" in cohort {code}" if code else "") + " (see 'omicskb datasets')")
        gene_id, _ = find_gene(conn, gene)
        symbol = conn.execute(sa.text("SELECT symbol FROM gene WHERE gene_id = :g"), {"g": gene_id}).scalar()
        found = {"gene_id": gene_id, "symbol": symbol}
        table = run_query(conn, "gene_values" if all_values else "gene_value_summary", {"gene_id": gene_id, "cohort": code, "dataset": dataset})
    if output and fmt == "text":
        fmt = choose_format(None, output)  # the file's suffix, as for 'omicskb query'
    if fmt not in ("text", "json"):
        try:
            write(table, fmt, path=output)
        except OutputError as exc:
            raise click.UsageError(str(exc)) from None
        return
    rows = table.to_pylist()
    if fmt == "json":
        text = json.dumps({"gene_id": found["gene_id"], "symbol": found["symbol"], "cohort": code or None, "dataset": dataset or None, "rows": rows}, indent=2, default=str)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
        return
    click.echo(f"{found['symbol']} (GeneID {found['gene_id']})" + (f", cohort {code}" if code else "") + (f", dataset {dataset}" if dataset else ", default datasets"))
    if not rows:
        click.echo("  no measurements")
        return
    if all_values:
        click.echo("  " + "\t".join(("cohort", "omics", "feature", "sample", "type", "role", "value", "dataset")))
        for r in rows:
            click.echo(f"  {r['cohort_code']}\t{r['omics_type']}\t{r['feature_label']}\t{r['sample_label']}\t{r['sample_type']}\t{r['stat_role'] or '-'}\t{r['value']:.4g}\t{r['dataset_name']}")
        return
    click.echo(f"  {'cohort':<7} {'omics':<9} {'feature':<18} {'role':<24} {'n':>4} {'median':>8} {'q1':>8} {'q3':>8} {'min':>8} {'max':>8}  dataset")
    for r in rows:
        click.echo(
            f"  {r['cohort_code']:<7} {r['omics_type']:<9} {r['feature_label'][:18]:<18} {r['role'][:24]:<24} {r['n']:>4} "
            + " ".join(f"{float(r[k]):>8.3f}" for k in ("median", "q1", "q3", "min", "max"))
            + f"  {r['dataset_name']}"
        )


def register(group: click.Group) -> None:
    group.add_command(cohorts)
    group.add_command(values)
