"""Saved SQL: one `queries/*.sql` file per query, valid DuckDB SQL that runs as it is.

Every file starts with a comment header:

    -- name: gene_values
    -- description: one line saying what it answers
    -- param: gene_id TEXT  the Entrez GeneID
    -- param: cohort TEXT = ''  a cohort code or alias, or '' for all
    -- param: gene_ids TEXT[] = []  a list parameter
    -- column: cohort_code TEXT  what the column holds

The body reads its parameters with `getvariable('name')`, so in the plain DuckDB CLI it runs after
`SET VARIABLE name = value;` lines (`script()` writes them). omicskb never formats a value into SQL:
it replaces each `getvariable('name')` with a typed bound parameter (`CAST($name AS VARCHAR)`) for
DuckDB, and transpiles the body with sqlglot into PostgreSQL with `%(name)s` parameters.

Parameter types: TEXT, INTEGER, FLOAT, BOOLEAN and lists of them (TEXT[] ...). Column types add
DATE and TIMESTAMP. A parameter without `= default` is required.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from omicskb.etl.db import duckdb_driver, register_arrow
from omicskb.etl.errors import OmicsKBError

QUERIES_DIR = Path(os.environ.get("OMICSKB_QUERIES", Path(__file__).resolve().parent.parent / "queries"))
MACROS_FILE = "macros.sql"  # shared DuckDB macros (not a saved query): `.read macros.sql` in the CLI

SCALAR_TYPES = ("TEXT", "INTEGER", "FLOAT", "BOOLEAN")
COLUMN_ONLY_TYPES = ("DATE", "TIMESTAMP")
_DUCKDB_TYPE = {"TEXT": "VARCHAR", "INTEGER": "BIGINT", "FLOAT": "DOUBLE", "BOOLEAN": "BOOLEAN", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP"}
_POSTGRES_TYPE = {"TEXT": "TEXT", "INTEGER": "BIGINT", "FLOAT": "DOUBLE PRECISION", "BOOLEAN": "BOOLEAN", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP"}
_ARROW_TYPE = {"TEXT": pa.string(), "INTEGER": pa.int64(), "FLOAT": pa.float64(), "BOOLEAN": pa.bool_(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us")}
_TRUE, _FALSE = ("true", "t", "yes", "y", "1"), ("false", "f", "no", "n", "0")

_HEADER_LINE = re.compile(r"--\s*(name|description|param|column|input):\s*(.*)")
_INPUT = re.compile(r"(?P<name>[a-z_][a-z0-9_]*)(?:\s+(?P<description>.*))?$")
_PARAM = re.compile(r"(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[A-Z]+(?:\[\])?)(?:\s*=\s*(?P<default>'(?:[^']|'')*'|\[[^\]]*\]|\S+))?(?:\s+(?P<description>.*))?$")
_COLUMN = re.compile(r"(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[A-Z]+(?:\[\])?)(?:\s+(?P<description>.*))?$")
# getvariable('name'): how the body reads a parameter (plain DuckDB) and what omicskb binds
GETVARIABLE = re.compile(r"getvariable\(\s*'([a-z_][a-z0-9_]*)'\s*\)", re.IGNORECASE)


class QueryError(OmicsKBError):
    """A saved query or its parameters are wrong: a usage error (exit 2)."""

    exit_code = 2


@dataclasses.dataclass(frozen=True)
class SqlType:
    """A declared type: a scalar (TEXT, INTEGER, FLOAT, BOOLEAN; DATE and TIMESTAMP for columns) or a list of one."""

    base: str
    is_list: bool = False

    @classmethod
    def parse(cls, text: str, *, allowed: Iterable[str] = SCALAR_TYPES) -> SqlType:
        base = text.removesuffix("[]")
        if base not in allowed:
            raise ValueError(f"unknown type {text} (use {', '.join(allowed)}, or a list such as TEXT[])")
        return cls(base, text.endswith("[]"))

    def __str__(self) -> str:
        return self.base + ("[]" if self.is_list else "")

    @property
    def duckdb(self) -> str:
        return _DUCKDB_TYPE[self.base] + ("[]" if self.is_list else "")

    @property
    def postgres(self) -> str:
        return _POSTGRES_TYPE[self.base] + ("[]" if self.is_list else "")

    @property
    def arrow(self) -> pa.DataType:
        return pa.list_(_ARROW_TYPE[self.base]) if self.is_list else _ARROW_TYPE[self.base]

    def _scalar(self, value: Any) -> Any:
        """A Python value of the base type; ValueError says why not."""
        if value is None:
            return None
        if self.base == "TEXT":
            if isinstance(value, str):
                return value
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)  # gene_id=7157 from Python: the id as a string
            raise ValueError(f"{value!r} is not text")
        if self.base == "INTEGER":
            if isinstance(value, bool):
                raise ValueError(f"{value!r} is not an integer")
            if isinstance(value, int):
                return value
            if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
                return int(value)
            raise ValueError(f"{value!r} is not an integer")
        if self.base == "FLOAT":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                number = float(value)
            elif isinstance(value, str):
                try:
                    number = float(value)
                except ValueError:
                    raise ValueError(f"{value!r} is not a number") from None
            else:
                raise ValueError(f"{value!r} is not a number")
            if not math.isfinite(number):
                raise ValueError(f"{value!r} is not a finite number")
            return number
        if self.base == "BOOLEAN":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
                return value.strip().lower() in _TRUE
            raise ValueError(f"{value!r} is not a boolean (true/false, yes/no, 1/0)")
        raise ValueError(f"{self.base} is not a parameter type")

    def coerce(self, value: Any) -> Any:
        """A Python value (from the API) checked and converted to this type."""
        if not self.is_list:
            if isinstance(value, (list, tuple, set, frozenset)):
                raise ValueError(f"{value!r} is a list, not one {self.base}")
            return self._scalar(value)
        if value is None:
            return None
        if isinstance(value, str):
            raise ValueError(f"{value!r} is text, not a list (give a list, or NAME=a,b on the command line)")
        try:
            items = list(value)
        except TypeError:
            raise ValueError(f"{value!r} is not a list") from None
        return [self._scalar(item) for item in items]

    def from_text(self, text: str) -> Any:
        """A command-line value: a scalar as written; a list as a,b,c or a JSON array (`[]` for none)."""
        if not self.is_list:
            return self._scalar(text)
        stripped = text.strip()
        if stripped.startswith("["):
            try:
                items = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{text!r} is not a JSON array: {exc.msg}") from None
            if not isinstance(items, list):
                raise ValueError(f"{text!r} is not a JSON array")
            if self.base == "TEXT" and not all(isinstance(i, str) for i in items):
                raise ValueError(f"{text!r}: the items of a TEXT[] are strings")
        else:
            items = [] if stripped == "" else [item.strip() for item in text.split(",")]
        return [self._scalar(item) for item in items]


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    type: SqlType
    description: str
    default: Any = None
    required: bool = True

    def coerce(self, value: Any) -> Any:
        try:
            return self.type.coerce(value)
        except ValueError as exc:
            raise QueryError(f"parameter {self.name} is {self.type}: {exc}") from None

    def from_text(self, text: str) -> Any:
        try:
            return self.type.from_text(text)
        except ValueError as exc:
            raise QueryError(f"parameter {self.name} is {self.type}: {exc}") from None

    @property
    def signature(self) -> str:
        """`name TYPE` or `name TYPE = default`, as the header writes it."""
        return f"{self.name} {self.type}" if self.required else f"{self.name} {self.type} = {duckdb_literal(self.default, self.type)}"


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    type: SqlType
    description: str


@dataclasses.dataclass(frozen=True)
class ComputedInput:
    """A table the query reads that omicskb computes when it runs the query (COMPUTED_INPUTS):
    registered under `name` for the SQL, dropped afterwards."""

    name: str
    description: str


@dataclasses.dataclass(frozen=True)
class SavedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[Column, ...]
    sql: str  # the whole file, header included: what plain DuckDB runs
    path: Path
    inputs: tuple[ComputedInput, ...] = ()

    @property
    def header(self) -> str:
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line)
        return "\n".join(lines)

    @property
    def body(self) -> str:
        """The SQL after the header, without a trailing semicolon."""
        return self.sql[len(self.header):].strip().rstrip(";").strip()

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(c.name, c.type.arrow) for c in self.columns])

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise QueryError(f"query {self.name} has no parameter {name!r} (it takes: {', '.join(p.name for p in self.params) or 'none'})")

    def bind(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Every declared parameter with its checked value: given ones converted, the rest defaulted."""
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            raise QueryError(f"query {self.name} has no parameter {', '.join(unknown)} (it takes: {', '.join(p.name for p in self.params) or 'none'})")
        bound = {}
        for param in self.params:
            if param.name in values:
                bound[param.name] = param.coerce(values[param.name])
            elif param.required:
                raise QueryError(f"query {self.name} needs -p {param.name}=VALUE ({param.type}: {param.description})")
            else:
                bound[param.name] = param.default
        return bound


def parse(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    name = description = None
    params: list[Param] = []
    columns: list[Column] = []
    inputs: list[ComputedInput] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("--"):
            break
        match = _HEADER_LINE.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        try:
            if key == "name":
                name = value
            elif key == "description":
                description = value
            elif key == "param":
                params.append(_parse_param(value))
            elif key == "input":
                inputs.append(_parse_input(value))
            else:
                columns.append(_parse_column(value))
        except ValueError as exc:
            raise QueryError(f"{path}:{number}: {exc}") from None
    if not name or not description:
        raise QueryError(f"{path}: header must give '-- name:' and '-- description:'")
    if name != path.stem:
        raise QueryError(f"{path}: header name {name!r} differs from the file name")
    if not columns:
        raise QueryError(f"{path}: header declares no '-- column:' lines")
    for kind, names in (("parameter", [p.name for p in params]), ("column", [c.name for c in columns])):
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise QueryError(f"{path}: {kind} {', '.join(twice)} declared twice")
    unknown = sorted({i.name for i in inputs} - set(COMPUTED_INPUTS))
    if unknown:
        raise QueryError(f"{path}: '-- input:' {', '.join(unknown)} is not an input omicskb computes (etl.queries.COMPUTED_INPUTS)")
    query = SavedQuery(name, description, tuple(params), tuple(columns), text, path, tuple(inputs))
    used = set(GETVARIABLE.findall(query.body))
    declared = {p.name for p in params}
    if used != declared:
        problems = [f"uses undeclared {', '.join(sorted(used - declared))}" if used - declared else "",
                    f"declares unused {', '.join(sorted(declared - used))}" if declared - used else ""]
        raise QueryError(f"{path}: the SQL's getvariable() parameters differ from the header: " + "; ".join(filter(None, problems)))
    return query


def _parse_input(text: str) -> ComputedInput:
    match = _INPUT.match(text)
    if not match:
        raise ValueError(f"'-- input: {text}' is not 'NAME  description'")
    return ComputedInput(match["name"], (match["description"] or "").strip())


def _parse_param(text: str) -> Param:
    match = _PARAM.match(text)
    if not match:
        raise ValueError(f"'-- param: {text}' is not 'NAME TYPE [= DEFAULT]  description'")
    ptype = SqlType.parse(match["type"])
    description = (match["description"] or "").strip()
    if match["default"] is None:
        return Param(match["name"], ptype, description)
    return Param(match["name"], ptype, description, default=_parse_default(match["default"], ptype), required=False)


def _parse_column(text: str) -> Column:
    match = _COLUMN.match(text)
    if not match:
        raise ValueError(f"'-- column: {text}' is not 'NAME TYPE  description'")
    return Column(match["name"], SqlType.parse(match["type"], allowed=SCALAR_TYPES + COLUMN_ONLY_TYPES), (match["description"] or "").strip())


def _parse_default(literal: str, ptype: SqlType) -> Any:
    """A SQL literal as the header writes it: 'text', 42, 0.05, true, NULL, ['a', 'b'], []."""
    import sqlglot
    from sqlglot import exp

    def value_of(node: exp.Expression) -> Any:
        if isinstance(node, exp.Null):
            return None
        if isinstance(node, exp.Boolean):
            return node.this
        if isinstance(node, exp.Literal):
            return node.this  # text as it is; numbers are checked by the type
        if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
            return "-" + node.this.this
        raise ValueError(f"default {literal} is not a literal")

    try:
        node = sqlglot.parse_one(literal, read="duckdb")
    except sqlglot.errors.ParseError:
        raise ValueError(f"default {literal} is not a SQL literal") from None
    try:
        if isinstance(node, exp.Array):
            if not ptype.is_list:
                raise ValueError(f"default {literal} is a list, the type {ptype} is not")
            return [ptype._scalar(value_of(item)) for item in node.expressions]
        value = value_of(node)
        if ptype.is_list and value is not None:
            raise ValueError(f"default {literal} is not a list, the type {ptype} is")
        return None if value is None else ptype._scalar(value)
    except ValueError as exc:
        raise ValueError(f"default {literal} for type {ptype}: {exc}") from None


@functools.cache
def catalogue(directory: Path = QUERIES_DIR) -> dict[str, SavedQuery]:
    return {q.name: q for q in (parse(p) for p in sorted(directory.glob("*.sql")) if p.name != MACROS_FILE)}


def get(name: str) -> SavedQuery:
    try:
        return catalogue()[name]
    except KeyError:
        raise QueryError(f"no saved query named {name!r} (see 'omicskb queries')") from None


# ---------------------------------------------------------------------------------------------
# Rendering: the body for a driver, and the paste-ready scripts for people


@functools.cache
def duckdb_sql(name: str) -> str:
    """The body with every getvariable('x') a typed `$x` parameter; otherwise the file's text."""
    query = get(name)
    types = {p.name: p.type for p in query.params}
    return GETVARIABLE.sub(lambda m: f"CAST(${m.group(1)} AS {types[m.group(1)].duckdb})", query.body)


@contextlib.contextmanager
def deep_sql(limit: int = 5000) -> Iterator[None]:
    """sqlglot parses and writes nested expressions recursively; the generated normal tail of
    meta_tumor_normal.sql nests about 110 levels, past Python's default limit of 1000 frames."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


@functools.cache
def postgres_sql(name: str, placeholder: str = "%({})s") -> str:
    """The body transpiled by sqlglot from DuckDB into PostgreSQL, parameters as `placeholder`.

    For psycopg ("%(x)s") every literal % is doubled: the rendered SQL holds no other placeholders."""
    import sqlglot
    from sqlglot import exp

    query = get(name)
    types = {p.name: p.type for p in query.params}
    marker = "omicskb_param_{}_"

    def to_marker(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "getvariable":
            pname = node.expressions[0].name
            return exp.cast(exp.column(marker.format(pname)), types[pname].postgres, dialect="postgres")
        return node

    with deep_sql():
        try:
            (tree,) = sqlglot.parse(query.body, read="duckdb")
        except (sqlglot.errors.ParseError, ValueError) as exc:
            raise QueryError(f"{query.path}: sqlglot cannot parse it as DuckDB SQL: {str(exc).splitlines()[0]}") from None
        sql = _order_text_bytewise(tree.transform(to_marker), query).sql(dialect="postgres", pretty=True)
    if placeholder.startswith("%"):
        sql = sql.replace("%", "%%")
    for param in query.params:
        bound = placeholder.format(param.name)
        if placeholder.startswith(":'") and param.type.base != "TEXT":
            bound = f"NULLIF({bound}, '')"  # psql variables cannot be NULL: '' stands for it
        sql = sql.replace(marker.format(param.name), bound)
    if marker.format("") in sql:
        raise QueryError(f"{query.path}: a parameter was left unbound after transpiling")
    return sql


def _order_text_bytewise(tree: Any, query: SavedQuery) -> Any:
    """The outermost ORDER BY, sorting TEXT columns COLLATE "C" as DuckDB sorts them (by bytes).

    PostgreSQL sorts text by the database's collation: under en_US 'a_b' comes after 'aB', and a
    locale-aware sort of ten thousand rows costs tens of milliseconds. An ORDER BY that names only
    output columns moves to a wrapper, `SELECT * FROM (query) AS ordered_rows ORDER BY ...`, where
    the TEXT ones get COLLATE "C" (LIMIT and OFFSET move with it). Any other ORDER BY stays as it is."""
    from sqlglot import exp

    order = tree.args.get("order") if isinstance(tree, exp.Select) else None
    if order is None:
        return tree
    names = [e.alias_or_name for e in tree.expressions]
    if "*" in names or len(set(names)) != len(names):
        return tree
    by_expression = {e.unalias().sql(): e.alias_or_name for e in tree.expressions}
    text = {c.name for c in query.columns if c.type.base == "TEXT" and not c.type.is_list}
    keys = []
    for ordered in order.expressions:
        key = ordered.this
        if isinstance(key, exp.Column) and not key.table and key.name in names:
            keys.append((ordered, key.name))
        elif key.sql() in by_expression:
            keys.append((ordered, by_expression[key.sql()]))
        else:
            return tree  # ordered by something it does not select
    if not any(name in text for _, name in keys):
        return tree
    inner = tree.copy()
    for arg in ("order", "limit", "offset"):
        inner.set(arg, None)
    outer = exp.select("*").from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("ordered_rows"))))
    wrapped = []
    for ordered, name in keys:
        column: exp.Expression = exp.column(name, table="ordered_rows", quoted=True)
        if name in text:
            column = exp.Collate(this=column, expression=exp.Identifier(this="C", quoted=True))
        new = ordered.copy()
        new.set("this", column)
        wrapped.append(new)
    outer.set("order", exp.Order(expressions=wrapped))
    for arg in ("limit", "offset"):
        if tree.args.get(arg) is not None:
            outer.set(arg, tree.args[arg].copy())
    return outer


def duckdb_literal(value: Any, ptype: SqlType) -> str:
    """A value as a DuckDB literal, for the SET VARIABLE lines a person pastes (never for omicskb's own runs)."""
    if value is None:
        return f"NULL::{ptype.duckdb}"
    if ptype.is_list:
        items = ", ".join(duckdb_literal(v, SqlType(ptype.base)) for v in value)
        return f"[{items}]::{ptype.duckdb}" if not items or ptype.base == "FLOAT" else f"[{items}]"
    if ptype.base == "TEXT":
        return "'" + str(value).replace("'", "''") + "'"
    if ptype.base == "BOOLEAN":
        return "true" if value else "false"
    if ptype.base == "FLOAT":
        return f"{value!r}::DOUBLE"
    return str(value)


def refuse_computed_inputs(query: SavedQuery) -> None:
    """A query that reads a computed input cannot run outside omicskb: say so (a usage error)."""
    if query.inputs:
        names = ", ".join(i.name for i in query.inputs)
        raise QueryError(f"{query.name} reads {names}, which omicskb computes when it runs the query: run 'omicskb query {query.name}' "
                         "(or, in Python, omicskb.etl.queries.run_query); plain DuckDB and psql cannot")


def duckdb_script(name: str, values: Mapping[str, Any]) -> str:
    """The SET VARIABLE lines for these values, then the file's text verbatim: paste into `duckdb -readonly FILE`."""
    query = get(name)
    refuse_computed_inputs(query)
    bound = query.bind(values)
    lines = [f"-- {name}: run in the DuckDB CLI, e.g. duckdb -readonly omicskb.duckdb < this file"]
    lines += [f"SET VARIABLE {p.name} = {duckdb_literal(bound[p.name], p.type)};" for p in query.params]
    text = query.sql.rstrip()
    return "\n".join(lines) + "\n" + text + ("" if text.endswith(";") else ";") + "\n"


def _psql_value(value: Any, ptype: SqlType) -> str:
    """The text psql's `\\set` stores; the SQL reads it as :'name' and casts it to the declared type."""
    def scalar(v: Any) -> str:
        if ptype.base == "BOOLEAN":
            return "true" if v else "false"
        return repr(v) if ptype.base == "FLOAT" else str(v)

    if ptype.is_list:
        quoted = ('"' + scalar(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
        text = "{" + ",".join(quoted) + "}"
    else:
        text = scalar(value)
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def psql_script(name: str, values: Mapping[str, Any]) -> str:
    """\\set lines, then the query transpiled for PostgreSQL reading them as :'name': paste into psql.
    A NULL that is not TEXT is set as '' and read back as NULL."""
    query = get(name)
    refuse_computed_inputs(query)
    bound = query.bind(values)
    lines = [f"-- {name}: transpiled from {query.path.name} for psql, e.g. psql \"$URL\" -f this file"]
    for param in query.params:
        value = bound[param.name]
        if value is None and param.type.base == "TEXT":
            raise QueryError(f"parameter {param.name} is NULL: a psql variable cannot hold a NULL text; give a value")
        lines.append(f"\\set {param.name} " + ("''" if value is None else _psql_value(value, param.type)))
    return "\n".join(lines) + "\n" + postgres_sql(name, ":'{}'") + ";\n"


# ---------------------------------------------------------------------------------------------
# Running


def run_query(conn: sa.Connection, name: str, values: Mapping[str, Any] | None = None, *, native: bool = True) -> pa.Table:
    """Run a saved query with its parameters bound through the driver; an Arrow table with the
    header's columns and types, on either backend (the header is written even with zero rows).

    A query with a native twin (etl.long_form.NATIVE) runs that, unless native=False: the same rows
    in the same order, faster; its TEXT columns may come dictionary-encoded."""
    from omicskb.etl.long_form import NATIVE

    query = get(name)
    bound = query.bind(values or {})
    if native and name in NATIVE:
        return conform(query, NATIVE[name](conn, **bound))
    computed = {i.name: COMPUTED_INPUTS[i.name](conn, **bound) for i in query.inputs}
    if conn.dialect.name == "duckdb":
        with contextlib.ExitStack() as registered:
            for input_name, input_table in computed.items():
                registered.enter_context(register_arrow(conn, input_name, input_table))
            table = duckdb_driver(conn).sql(duckdb_sql(name), params=bound).to_arrow_table()  # a relation: Arrow without a row copy
    else:
        # Through SQLAlchemy, so its error hooks apply (a lock timeout names the holder, etc.);
        # exec_driver_sql hands the %(name)s parameters to psycopg as they are.
        sql, params = postgres_sql(name), dict(bound)
        for input_name, input_table in computed.items():
            sql, params = _postgres_input_cte(sql, params, input_name, input_table)
        result = conn.exec_driver_sql(sql, params)
        names = list(result.keys())
        table = _arrow_from_rows(query, names, result.fetchall())
    return conform(query, table)


_POSTGRES_ARRAY = {pa.string(): "TEXT[]", pa.int64(): "BIGINT[]", pa.float64(): "DOUBLE PRECISION[]", pa.bool_(): "BOOLEAN[]"}


def _postgres_input_cte(sql: str, params: dict[str, Any], name: str, table: pa.Table) -> tuple[str, dict[str, Any]]:
    """The query with a computed input as a leading CTE `name` that unnests one bound array per
    column (a read-only session may not create even a temporary table)."""
    columns = []
    for field in table.schema:
        key = f"omicskb_input_{name}_{field.name}"
        values = table.column(field.name).to_pylist()
        if pa.types.is_floating(field.type):
            values = [None if v is None or v != v else v for v in values]
        params[key] = values
        columns.append(f"%({key})s::{_POSTGRES_ARRAY[field.type]}")
    cte = f"{name} AS (SELECT * FROM unnest({', '.join(columns)}) AS {name}_rows({', '.join(table.schema.names)}))"
    stripped = sql.lstrip()
    for lead in ("WITH RECURSIVE ", "WITH "):
        if stripped[:len(lead)].upper() == lead:
            return f"{lead}{cte},\n{stripped[len(lead):]}", params
    return f"WITH {cte}\n{stripped}", params


def _trans_pairs(conn: sa.Connection, **params: Any) -> pa.Table:
    from omicskb.etl.trans import trans_pairs_input

    return trans_pairs_input(conn, **params)


def _go_enrichment_terms(conn: sa.Connection, **params: Any) -> pa.Table:
    from omicskb.etl.enrichment import go_enrichment_input

    return go_enrichment_input(conn, **params)


def _go_gsea_terms(conn: sa.Connection, **params: Any) -> pa.Table:
    from omicskb.etl.gsea import go_gsea_input

    return go_gsea_input(conn, **params)


# Computed inputs a saved query may declare ('-- input: NAME'): NAME -> provider(conn, **bound
# parameters) -> Arrow table. Each is computed by omicskb itself; see refuse_computed_inputs.
COMPUTED_INPUTS: dict[str, Any] = {"trans_pairs": _trans_pairs, "go_enrichment_terms": _go_enrichment_terms, "go_gsea_terms": _go_gsea_terms}


def _arrow_from_rows(query: SavedQuery, names: list[str], rows: list[tuple]) -> pa.Table:
    declared = {c.name: c.type for c in query.columns}
    arrays = []
    for i, column in enumerate(names):
        ptype = declared.get(column)
        values = [row[i] for row in rows]
        if ptype is not None and ptype.base == "FLOAT" and not ptype.is_list:
            values = [None if v is None else float(v) for v in values]  # numeric -> double
        arrays.append(pa.array(values, type=ptype.arrow if ptype is not None else None))
    return pa.Table.from_arrays(arrays, names=names)


def conform(query: SavedQuery, table: pa.Table) -> pa.Table:
    """The result cast to the header's columns; a mismatch is a broken saved query. A dictionary-
    encoded string column stays so for a TEXT column (the strings are the same, stored once)."""
    names = [c.name for c in query.columns]
    if table.column_names != names:
        raise QueryError(f"{query.path}: the query returned columns {table.column_names}, its header declares {names}")
    schema = query.arrow_schema
    fields = [
        field.with_type(table.schema.field(i).type)
        if pa.types.is_string(field.type) and pa.types.is_dictionary(table.schema.field(i).type) and pa.types.is_string(table.schema.field(i).type.value_type)
        else field
        for i, field in enumerate(schema)
    ]
    try:
        return table.cast(pa.schema(fields, metadata=schema.metadata))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise QueryError(f"{query.path}: a column does not have its declared type: {exc}") from None


def run_saved(conn: sa.Connection, name: str, **values: Any) -> list[dict[str, Any]]:
    """run_query as a list of row dicts (the gene card and the cohort overview)."""
    return run_query(conn, name, values).to_pylist()
