"""`omicskb queries [NAME]` and `omicskb query NAME`: browse and run the saved SQL in queries/."""

from __future__ import annotations

import click

from omicskb.etl.api import resolve_params
from omicskb.etl.db import require_schema
from omicskb.etl.long_form import NATIVE
from omicskb.etl.output import FORMATS, OutputError, choose_format, write
from omicskb.etl.queries import QueryError, SavedQuery, catalogue, duckdb_script, get, psql_script, run_query


@click.command()
@click.argument("name", required=False)
def queries(name: str | None) -> None:
    """List the saved queries, or show one query's header: parameters, defaults and columns."""
    if name is None:
        found = catalogue()
        width = max(len(n) for n in found)
        for q in found.values():
            click.echo(f"{q.name:<{width}}  {q.description}")
        return
    click.echo(describe(get(name)))


def describe(q: SavedQuery) -> str:
    lines = [q.name, f"  {q.description}", f"  file: {q.path}", "", "parameters:" if q.params else "parameters: none"]
    width = max([len(p.signature) for p in q.params] + [len(f"{c.name} {c.type}") for c in q.columns])
    lines += [f"  {p.signature:<{width}}  {p.description}" + ("  (required)" if p.required else "") for p in q.params]
    if q.inputs:
        lines += ["", "computed inputs (omicskb computes them when it runs the query; plain DuckDB and psql cannot):"]
        lines += [f"  {i.name:<{width}}  {i.description}" for i in q.inputs]
    lines += ["", "columns:"]
    lines += [f"  {f'{c.name} {c.type}':<{width}}  {c.description}" for c in q.columns]
    command = " ".join([f"omicskb query {q.name}", *(f"-p {p.name}=..." for p in q.params if p.required)])
    lines += ["", f"run:   {command}"]
    if not q.inputs:
        lines += [f"SQL:   {command} --sql   (paste into duckdb -readonly)"]
    if q.name in NATIVE:
        lines += ["", "omicskb runs this query natively (etl/long_form.py): the same rows in the same order as the",
                  "SQL file, at the speed of the block path, with dictionary-encoded text. --no-native runs the file."]
    return "\n".join(lines)


def parse_params(query: SavedQuery, items: tuple[str, ...]) -> dict:
    """-p NAME=VALUE pairs, each converted to its declared type; a repeated name is an error."""
    values: dict = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.UsageError(f"-p {item!r} is not NAME=VALUE")
        if key in values:
            raise click.UsageError(f"-p {key} is given twice")
        param = query.param(key)
        if param.type.is_list and text.startswith("@"):
            values[key] = param.coerce(read_list_file(text[1:], key))
        else:
            values[key] = param.from_text(text)
    return values


def read_list_file(path: str, key: str) -> list[str]:
    """-p NAME=@FILE for a list parameter: the first tab- or space-separated field of each line of
    FILE ('-': standard input), blank lines and '#' comments skipped. A saved query's tsv output
    minus its header line, or an .rnk file, can be given as it is."""
    try:
        stream = click.open_file(path or "-", "r", encoding="utf-8")
        with stream:
            lines = stream.read().splitlines()
    except OSError as exc:
        raise click.UsageError(f"-p {key}=@{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"-p {key}=@{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    items = [line.split()[0] for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not items:
        raise click.UsageError(f"-p {key}=@{path}: no items (one per line)")
    return items


@click.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable; a list as a,b,c or a JSON array).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format [default: the -o file's suffix; else table on a terminal, tsv when piped].")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True), default=None, help="Write to FILE instead of standard output.")
@click.option("--sql", "show_sql", is_flag=True, help="Print the script to paste (parameter lines, then the query) instead of running it.")
@click.option("--dialect", type=click.Choice(["duckdb", "postgresql"]), default="duckdb", show_default=True,
              help="With --sql: SET VARIABLE lines for the DuckDB CLI, or \\set lines and the transpiled query for psql.")
@click.option("--no-native", "no_native", is_flag=True, help="Run the SQL file even where omicskb has a native twin of the query (dataset_values).")
@click.pass_obj
def query(settings, name: str, params: tuple[str, ...], fmt: str | None, output: str | None, show_sql: bool, dialect: str, no_native: bool) -> None:
    """Run the saved query NAME (see 'omicskb queries NAME') with its parameters bound, and print its rows."""
    saved = get(name)
    values = parse_params(saved, params)
    if show_sql:
        script = duckdb_script(name, values) if dialect == "duckdb" else psql_script(name, values)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(script)
        else:
            click.echo(script, nl=False)
        return
    saved.bind(values)  # a missing or wrong parameter is a usage error before the database opens
    fmt = choose_format(fmt, output)
    require_schema(settings.engine)
    with settings.engine.connect() as conn:
        table = run_query(conn, name, resolve_params(conn, saved, values), native=not no_native)
    try:
        write(table, fmt, path=output)
    except OutputError as exc:
        raise QueryError(str(exc)) from None


def register(group: click.Group) -> None:
    group.add_command(queries)
    group.add_command(query)
