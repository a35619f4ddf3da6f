"""`omicskb gene QUERY`: the gene card, as text or JSON."""

from __future__ import annotations

import json

import click

from omicskb.etl.db import require_schema
from omicskb.etl.errors import LookupFailed
from omicskb.etl.genecard import gene_card, render_text


@click.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def gene(settings, query: str, fmt: str) -> None:
    """Show the card of one gene. QUERY is a symbol, alias, previous symbol, GeneID or Ensembl gene id."""
    require_schema(settings.engine)
    with settings.engine.connect() as conn:
        try:
            card = gene_card(conn, query)
        except LookupFailed as exc:
            if exc.candidates:
                if fmt == "json":
                    click.echo(json.dumps({"error": "ambiguous", "query": query, "candidates": exc.candidates}, indent=2))
                else:
                    click.echo(f"{query!r} matches {len(exc.candidates)} genes; ask again with a GeneID:")
                    for c in exc.candidates:
                        click.echo(f"  {c['gene_id']:<12} {c['symbol']:<12} {c['name'] or ''}  (by {c['match']})")
            raise
    if fmt == "json":
        click.echo(json.dumps(card, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(card))


def register(group: click.Group) -> None:
    group.add_command(gene)
