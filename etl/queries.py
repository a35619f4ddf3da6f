"""Saved SQL: every `queries/*.sql` file starts with a comment header

    -- name: gene_card_go
    -- description: one line saying what it answers
    -- param: gene_id TEXT  the Entrez GeneID

and is run with its parameters bound (`:gene_id`), never formatted into the SQL text.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from omicskb.etl.errors import OmicsKBError

QUERIES_DIR = Path(os.environ.get("OMICSKB_QUERIES", Path(__file__).resolve().parent.parent / "queries"))
PARAM_TYPES = {"TEXT": str, "INTEGER": int, "FLOAT": float, "BOOLEAN": bool}
_HEADER = re.compile(r"--\s*(name|description|param):\s*(.*)")


class QueryError(OmicsKBError):
    exit_code = 2


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str

    def convert(self, value: Any) -> Any:
        if self.type == "BOOLEAN" and isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return PARAM_TYPES[self.type](value)


@dataclasses.dataclass(frozen=True)
class SavedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    sql: str
    path: Path


def parse(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    name = description = None
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "name":
            name = value
        elif key == "description":
            description = value
        else:
            pname, ptype, *rest = value.split(None, 2)
            if ptype not in PARAM_TYPES:
                raise QueryError(f"{path}: parameter {pname} has unknown type {ptype}")
            params.append(Param(pname, ptype, rest[0] if rest else ""))
    if not name or not description:
        raise QueryError(f"{path}: header must give '-- name:' and '-- description:'")
    if name != path.stem:
        raise QueryError(f"{path}: header name {name!r} differs from the file name")
    return SavedQuery(name, description, tuple(params), text, path)


@functools.cache
def catalogue(directory: Path = QUERIES_DIR) -> dict[str, SavedQuery]:
    return {q.name: q for q in (parse(p) for p in sorted(directory.glob("*.sql")))}


def get(name: str) -> SavedQuery:
    try:
        return catalogue()[name]
    except KeyError:
        raise QueryError(f"no saved query named {name!r} (see 'omicskb queries')") from None


def run_saved(conn: sa.Connection, name: str, **values: Any) -> list[dict[str, Any]]:
    query = get(name)
    declared = {p.name: p for p in query.params}
    unknown = set(values) - set(declared)
    missing = set(declared) - set(values)
    if unknown or missing:
        raise QueryError(f"query {name}: " + "; ".join(filter(None, [
            f"unknown parameter(s) {', '.join(sorted(unknown))}" if unknown else "",
            f"missing parameter(s) {', '.join(sorted(missing))}" if missing else "",
        ])))
    bound = {k: declared[k].convert(v) for k, v in values.items()}
    result = conn.execute(sa.text(query.sql), bound)
    return [dict(row._mapping) for row in result]
