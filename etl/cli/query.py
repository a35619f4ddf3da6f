"""`omicskb queries` and `omicskb query NAME`: list and run the saved SQL in queries/."""

from __future__ import annotations

import csv
import json
import sys

import click

from omicskb.etl.cohort_names import resolve_cohort
from omicskb.etl.db import require_schema
from omicskb.etl.queries import catalogue, get, run_saved


@click.command()
def queries() -> None:
    """List the saved queries with their parameters."""
    for q in catalogue().values():
        params = " ".join(f"{p.name}:{p.type}" for p in q.params)
        click.echo(f"{q.name:<32} {params:<40} {q.description}")


@click.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["tsv", "json"]), default="tsv", show_default=True)
@click.pass_obj
def query(settings, name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run the saved query NAME with bound parameters and print its rows."""
    get(name)
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--param {item!r} is not NAME=VALUE")
        values[key] = value
    require_schema(settings.engine)
    with settings.engine.connect() as conn:
        if values.get("cohort", "").strip():
            resolve_cohort(conn, values["cohort"])  # an unknown cohort is an error (exit 1), not zero rows; '' means all
        rows = run_saved(conn, name, **values)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if rows:
        writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
        writer.writerow(rows[0].keys())
        for row in rows:
            writer.writerow(["" if v is None else v for v in row.values()])


def register(group: click.Group) -> None:
    group.add_command(queries)
    group.add_command(query)
