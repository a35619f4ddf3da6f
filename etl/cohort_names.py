"""Cohort codes and aliases, resolved the same way by every command and saved query.

A cohort is named by its code (UCEC) or one of its aliases (ccRCC -> CCRCC, HGSC -> OV), without
regard to case. Codes are stored upper case. `omicskb init` installs the ten CPTAC cohorts; a load
into a cohort nobody has defined creates it (with an optional display name).
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from omicskb.etl.errors import InputError, LookupFailed

COHORT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class UnknownCohort(LookupFailed):
    """A cohort name that is neither a code nor an alias (exit 1)."""


def find_cohort(conn: sa.Connection, name: str) -> str | None:
    """The code of the cohort `name` names, or None."""
    wanted = name.strip().upper()
    found = conn.execute(
        sa.text("SELECT cohort_code FROM cohort WHERE upper(cohort_code) = :n UNION SELECT cohort_code FROM cohort_alias WHERE upper(alias) = :n"),
        {"n": wanted},
    ).scalars().all()
    return found[0] if len(found) == 1 else None


def known_cohorts(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.text("SELECT cohort_code FROM cohort ORDER BY cohort_code")).scalars())


def resolve_cohort(conn: sa.Connection, name: str) -> str:
    """The code of an existing cohort; UnknownCohort (exit 1) naming the known ones otherwise."""
    code = find_cohort(conn, name)
    if code is None:
        known = ", ".join(known_cohorts(conn)) or "none"
        raise UnknownCohort(f"unknown cohort {name!r} (known: {known})")
    return code


def cohort_names(conn: sa.Connection, code: str) -> list[str]:
    """The code and every alias of a cohort."""
    aliases = conn.execute(sa.text("SELECT alias FROM cohort_alias WHERE cohort_code = :c ORDER BY alias"), {"c": code}).scalars().all()
    return [code, *aliases]


def canonical_code(name: str, path=None) -> str:
    """The code a new cohort called `name` gets: upper case, checked for a usable shape."""
    if not COHORT_CODE.match(name.strip()):
        raise InputError(path or "--cohort", None, f"cohort code {name!r} must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit")
    return name.strip().upper()


def ensure_cohort(conn: sa.Connection, name: str, release_id: int, display_name: str | None = None) -> tuple[str, bool]:
    """(code, created): the cohort `name` names, created on first use in the current transaction."""
    code = find_cohort(conn, name)
    if code is not None:
        return code, False
    code = canonical_code(name)
    conn.execute(
        sa.text("INSERT INTO cohort (cohort_code, name, release_id) VALUES (:c, :n, :r)"),
        {"c": code, "n": display_name or code, "r": release_id},
    )
    return code, True
