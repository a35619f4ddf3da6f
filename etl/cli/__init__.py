"""The omicskb command line: parses options, calls the library, turns errors into one line.

Exit codes: 0 ok; 1 data error (bad input file, unknown or ambiguous gene); 2 usage error or crash.
"""

from __future__ import annotations

import sys

import click

from omicskb.etl import __version__
from omicskb.etl.db import make_engine, resolve_target
from omicskb.etl.errors import OmicsKBError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


class Settings:
    def __init__(self, target: str, quiet: bool):
        self.target = target
        self.quiet = quiet or not sys.stderr.isatty()
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            self._engine = make_engine(self.target)
        return self._engine

    def close(self) -> None:
        """Release the database: DuckDB keeps one connection per engine until then."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def progress(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"\r\033[K{message}", err=True, nl=False)

    def end_progress(self) -> None:
        if not self.quiet:
            click.echo("\r\033[K", err=True, nl=False)


class OmicsGroup(click.Group):
    """Turns library errors into one-line messages with the documented exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise
        except OmicsKBError as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            click.echo(f"omicskb: error: {message}", err=True)
            ctx.exit(exc.exit_code)
        except Exception as exc:  # a crash: still one line, exit 2
            click.echo(f"omicskb: internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=OmicsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "target", metavar="TARGET", help="DuckDB file or SQLAlchemy URL [default: $OMICSKB_DB, else ./omicskb.duckdb]")
@click.option("--quiet", "-q", is_flag=True, help="No progress output (also implied when stderr is not a terminal).")
@click.version_option(__version__, prog_name="omicskb")
@click.pass_context
def cli(ctx: click.Context, target: str | None, quiet: bool) -> None:
    """omicskb: gene annotations and cohort omics in one database."""
    ctx.obj = Settings(resolve_target(target), quiet)
    ctx.call_on_close(ctx.obj.close)


from omicskb.etl.cli import admin, cohorts, datasets, gene, load, query, undo  # noqa: E402,F401  (command modules register themselves)

for module in (admin, load, gene, cohorts, query, undo):
    module.register(cli)


def main() -> None:
    try:
        cli(prog_name="omicskb")
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        sys.exit(EXIT_OK)
