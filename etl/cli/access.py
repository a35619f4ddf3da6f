"""Which commands write: `@writes_database` declares it, and `Settings.engine` follows it."""

from __future__ import annotations

from typing import TypeVar

import click

CommandT = TypeVar("CommandT", bound=click.Command)


def writes_database(command: CommandT) -> CommandT:
    """Declare that a command (or every command of a group) writes: it gets the writer engine.

    Put it above the click decorators, or call it on a command object:
        @writes_database
        @click.command()
        @click.pass_obj
        def rollback(settings, ...): ...   # settings.engine is the writer
    Commands without it get a read-only engine.
    """
    command.omicskb_writes = True  # type: ignore[attr-defined]
    return command


def command_writes(ctx: click.Context | None) -> bool:
    """Whether the command being run, or a group above it, is declared with @writes_database."""
    while ctx is not None:
        if getattr(ctx.command, "omicskb_writes", False):
            return True
        ctx = ctx.parent
    return False
