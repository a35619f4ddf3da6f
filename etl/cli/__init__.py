"""The omicskb command line: parses options, calls the library, turns errors into one line.

Exit codes: 0 ok; 1 data error (bad input file, unknown or ambiguous gene); 2 usage error or crash.

Database access: a command reads unless it is declared a writer with `@writes_database` (on the
command or on its group: `init` and the whole `load` group are). `settings.engine` then gives a
read-only engine to readers (DuckDB's shared lock: any number at once) and the writer engine to
writers (DuckDB's exclusive lock, held until the command ends). `settings.writer` and
`settings.reader` ask for one explicitly. When the writer opens, runs and batches left `running` by
a dead process are marked `interrupted`.

The global options --db, --quiet/-q and --lock-timeout are accepted before or after the subcommand.
"""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa

from omicskb.etl import __version__
from omicskb.etl.cli.access import command_writes, writes_database
from omicskb.etl.db import display_target, make_engine, mask_secrets, resolve_target
from omicskb.etl.errors import OmicsKBError
from omicskb.etl.locks import DEFAULT_LOCK_TIMEOUT, LOCK_TIMEOUT_ENV, lock_timeout, parse_lock_timeout

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

__all__ = ["Settings", "cli", "command_writes", "main", "writes_database"]


class Settings:
    def __init__(self, target: str, quiet: bool, lock_timeout_seconds: float | None = None):
        self.target = target
        self.quiet = quiet or not sys.stderr.isatty()
        self.lock_timeout_seconds = lock_timeout_seconds
        self._reader = None
        self._writer = None

    @property
    def display_target(self) -> str:
        """The target as it may be printed: a URL's password is masked."""
        return display_target(self.target)

    @property
    def lock_timeout(self) -> float:
        return lock_timeout(self.lock_timeout_seconds)

    @property
    def engine(self):
        """The writer for commands declared with @writes_database, else a read-only engine."""
        return self.writer if command_writes(click.get_current_context(silent=True)) else self.reader

    @property
    def reader(self):
        """A read-only engine (the writer, when this command already opened one)."""
        if self._writer is not None:
            return self._writer
        if self._reader is None:
            self._reader = self._make(read_only=True)
        return self._reader

    @property
    def writer(self):
        """The engine that writes. Opening it waits for the write lock, then marks dead runs interrupted."""
        if self._writer is None:
            if self._reader is not None:  # DuckDB cannot hold both in one process
                self._reader.dispose()
                self._reader = None
            self._writer = self._make(read_only=False)
            self.mark_interrupted()
        return self._writer

    def mark_interrupted(self) -> int:
        """Mark runs and batches of dead processes interrupted (also after `init` creates the tables)."""
        from omicskb.etl.liveness import mark_interrupted

        return mark_interrupted(self._writer, on_mark=lambda row: click.echo(f"omicskb: note: {row.describe()}; marked interrupted", err=True))

    def _make(self, read_only: bool):
        ctx = click.get_current_context(silent=True)
        return make_engine(
            self.target,
            read_only=read_only,
            lock_timeout=self.lock_timeout,
            on_wait=self.progress,
            application_name=ctx.command_path if ctx is not None else "omicskb",
        )

    def close(self) -> None:
        """Release the database: DuckDB keeps one connection per engine until then."""
        for engine in (self._reader, self._writer):
            if engine is not None:
                engine.dispose()
        self._reader = self._writer = None

    def progress(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"\r\033[K{message}", err=True, nl=False)

    def end_progress(self) -> None:
        if not self.quiet:
            click.echo("\r\033[K", err=True, nl=False)


# ---------------------------------------------------------------------------------------------
# Global options, accepted before or after the subcommand


def _timeout_option(ctx: click.Context, _param, value: str | None) -> float | None:
    try:
        return parse_lock_timeout(value)
    except OmicsKBError as exc:
        raise click.BadParameter(str(exc).removeprefix("--lock-timeout "), ctx=ctx, param=_param) from None


def _late_target(ctx: click.Context, _param, value: str | None) -> None:
    if value is not None:
        ctx.find_object(Settings).target = resolve_target(value)


def _late_quiet(ctx: click.Context, _param, value: bool) -> None:
    if value:
        ctx.find_object(Settings).quiet = True


def _late_timeout(ctx: click.Context, param, value: str | None) -> None:
    seconds = _timeout_option(ctx, param, value)
    if seconds is not None:
        ctx.find_object(Settings).lock_timeout_seconds = seconds


def _late_options() -> list[click.Option]:
    """The global options again, hidden, for every subcommand (their help stays as it was)."""
    return [
        click.Option(["--db", "omicskb_target"], hidden=True, expose_value=False, callback=_late_target),
        click.Option(["--quiet", "-q", "omicskb_quiet"], is_flag=True, hidden=True, expose_value=False, callback=_late_quiet),
        click.Option(["--lock-timeout", "omicskb_lock_timeout"], hidden=True, expose_value=False, callback=_late_timeout),
    ]


def _add_late_options(group: click.Group) -> None:
    for command in group.commands.values():
        if not getattr(command, "omicskb_late_options", False):
            taken = {opt for param in command.params for opt in getattr(param, "opts", []) + getattr(param, "secondary_opts", [])}
            for option in _late_options():
                option.opts = [o for o in option.opts if o not in taken]
                if option.opts:
                    command.params.append(option)
            command.omicskb_late_options = True  # type: ignore[attr-defined]
        if isinstance(command, click.Group):
            _add_late_options(command)


# ---------------------------------------------------------------------------------------------
# One-line errors


class OneLineUsageError(click.UsageError):
    """click's usage error as one line: `omicskb: usage error: load matrix: Missing option '--cohort'.`"""

    def __init__(self, error: click.UsageError):
        super().__init__(error.format_message(), error.ctx)
        self.exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        command_path = self.ctx.command_path if self.ctx is not None else "omicskb"
        where = command_path.split(" ", 1)[1] + ": " if " " in command_path else ""
        message = " ".join(self.format_message().split())
        click.echo(f"omicskb: usage error: {where}{mask_secrets(message)} (see '{command_path} --help')", err=True)


def _one_line(error: click.UsageError) -> click.UsageError:
    if isinstance(error, (OneLineUsageError, click.exceptions.NoArgsIsHelpError)):
        return error  # `omicskb` alone still prints the help
    return OneLineUsageError(error)


class OmicsGroup(click.Group):
    """Turns library errors into one-line messages with the documented exit codes."""

    def make_context(self, info_name, args, parent=None, **extra):
        if parent is None:
            _add_late_options(self)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise
        except OmicsKBError as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            click.echo(f"omicskb: error: {mask_secrets(message)}", err=True)
            ctx.exit(exc.exit_code)
        except sa.exc.DBAPIError as exc:  # the database refused: cannot connect, read-only, ...
            lines = str(exc.orig).strip().splitlines()
            message = lines[0] if lines else type(exc.orig).__name__
            if "read-only" in message:
                message += " (commands not declared with @writes_database open the database read-only)"
            click.echo(f"omicskb: error: database: {mask_secrets(message)}", err=True)
            ctx.exit(EXIT_USAGE)
        except Exception as exc:  # a crash: still one line, exit 2
            message = str(exc).splitlines()[0] if str(exc) else ""
            click.echo(f"omicskb: internal error: {type(exc).__name__}: {mask_secrets(message)}", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=OmicsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "target", metavar="TARGET", help="DuckDB file or SQLAlchemy URL [default: $OMICSKB_DB, else ./omicskb.duckdb]")
@click.option("--quiet", "-q", is_flag=True, help="No progress output (also implied when stderr is not a terminal).")
@click.option("--lock-timeout", "lock_timeout_seconds", metavar="SECONDS", callback=_timeout_option,
              help=f"How long to wait for a database another process holds [default: ${LOCK_TIMEOUT_ENV}, else {DEFAULT_LOCK_TIMEOUT:g}].")
@click.version_option(__version__, prog_name="omicskb")
@click.pass_context
def cli(ctx: click.Context, target: str | None, quiet: bool, lock_timeout_seconds: float | None) -> None:
    """omicskb: gene annotations and cohort omics in one database.

    Global options may also follow the subcommand.
    """
    ctx.obj = Settings(resolve_target(target), quiet, lock_timeout_seconds)
    ctx.call_on_close(ctx.obj.close)


from omicskb.etl.cli import admin, cohorts, datasets, derive, export, gene, load, query, undo  # noqa: E402,F401  (command modules register themselves)

for module in (admin, load, gene, cohorts, query, undo, derive):
    module.register(cli)
writes_database(load.load)  # every `load ...` command (dry runs included) gets the writer


def main() -> None:
    try:
        cli(prog_name="omicskb")
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        sys.exit(EXIT_OK)
