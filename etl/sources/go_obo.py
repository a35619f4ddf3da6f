"""Gene Ontology in OBO flat-file format 1.2 (go.obo / go-basic.obo).

Published by the GO Consortium at http://purl.obolibrary.org/obo/go.obo (releases under
http://purl.obolibrary.org/obo/go/releases/<date>/go.obo). Format: the OBO 1.2 guide,
https://owlcollab.github.io/oboformat/doc/GO.format.obo-1_2.html

A header block of `tag: value` lines is followed by stanzas ([Term], [Typedef], [Instance])
separated by blank lines. `read` streams [Term] and [Typedef] stanzas one at a time; other stanza
kinds are skipped, and tags this reader does not need (xref, intersection_of, property_value,
created_by, ...) are ignored.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.textio import Head, iter_lines

SOURCE_KIND: str = "go_obo"
DESCRIPTION = "a Gene Ontology OBO file"
LOAD_COMMAND = "omicskb load go-obo"
# OBO is tag-value, not tabular: there is no header row to declare.
COLUMNS: tuple[str, ...] = ()
NAMESPACES: frozenset[str] = frozenset({"biological_process", "cellular_component", "molecular_function"})

_FORMAT_VERSION = re.compile(r"1\.\d+")
_ESCAPES = {"n": "\n", "t": "\t", "W": " "}


@dataclass(frozen=True, slots=True)
class OboHeader:
    format_version: str
    data_version: str | None
    date: datetime.date | None
    ontology: str | None


@dataclass(frozen=True, slots=True)
class GoTermRecord:
    line: int
    go_id: str
    name: str
    namespace: str
    definition: str | None
    is_obsolete: bool
    comment: str | None
    alt_ids: tuple[str, ...]
    replaced_by: tuple[str, ...]
    consider: tuple[str, ...]
    is_a: tuple[str, ...]
    relationships: tuple[tuple[str, str], ...]
    synonyms: tuple[str, ...]
    subsets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TypedefRecord:
    line: int
    id: str
    name: str
    is_transitive: bool


def is_go_id(value: str) -> bool:
    """True for 'GO:' followed by exactly 7 ASCII digits."""
    return len(value) == 10 and value.startswith("GO:") and value[3:].isdigit() and value.isascii()


def unescape(value: str) -> str:
    """Undo OBO escapes: \\n newline, \\t tab, \\W space, backslash + any other char = that char."""
    if "\\" not in value:
        return value
    out: list[str] = []
    chars = iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "\\")
            out.append(_ESCAPES.get(nxt, nxt))
        else:
            out.append(ch)
    return "".join(out)


def _quoted(path: Path, lineno: int, tag: str, value: str) -> str:
    """Return the unescaped text of a value that starts with a quoted string ('"text" ...')."""
    if not value.startswith('"'):
        raise InputError(path, lineno, f"{tag} value does not start with a quoted string")
    start = 1
    while True:
        end = value.find('"', start)
        if end < 0:
            raise InputError(path, lineno, f"{tag} quoted string has no closing quote")
        backslashes = 0
        while value[end - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return unescape(value[1:end])
        start = end + 1


def _strip_comment(value: str) -> str:
    """Drop a trailing '! comment' (and anything after it) from a tag value."""
    bang = value.find("!")
    return value if bang < 0 else value[:bang].rstrip()


def _first_token(path: Path, lineno: int, tag: str, value: str) -> str:
    parts = value.split(None, 1)
    if not parts or parts[0].startswith("!"):
        raise InputError(path, lineno, f"{tag} has no value")
    return parts[0]


def _go_ref(path: Path, lineno: int, tag: str, value: str) -> str:
    """A GO id referenced from a tag (is_a, alt_id, replaced_by, consider), comment stripped."""
    go_id = _first_token(path, lineno, tag, value)
    if not is_go_id(go_id):
        raise InputError(path, lineno, f"{tag} GO id {go_id!r} is not GO: followed by 7 digits")
    return go_id


def _bool(path: Path, lineno: int, tag: str, value: str) -> bool:
    token = _first_token(path, lineno, tag, value)
    if token == "true":
        return True
    if token == "false":
        return False
    raise InputError(path, lineno, f"{tag} value {token!r} is not 'true' or 'false'")


def _split_tag(path: Path, lineno: int, text: str) -> tuple[str, str]:
    tag, sep, value = text.partition(":")
    if not sep or not tag or tag != tag.strip():
        raise InputError(path, lineno, f"line is not 'tag: value': {text[:60]!r}")
    return tag, value.strip()


def _parse_obo_date(path: Path, lineno: int, value: str) -> datetime.date:
    # OBO 1.2 writes the header date as dd:MM:yyyy HH:mm.
    day_part = value.split(None, 1)[0] if value else ""
    pieces = day_part.split(":")
    if len(pieces) == 3 and all(p.isdigit() and p.isascii() for p in pieces) and len(pieces[2]) == 4:
        try:
            return datetime.date(int(pieces[2]), int(pieces[1]), int(pieces[0]))
        except ValueError:
            pass
    raise InputError(path, lineno, f"header date {value!r} is not dd:mm:yyyy hh:mm")


def _check_format_version(path: Path, lineno: int, text: str) -> str:
    tag, sep, value = text.partition(":")
    version = value.strip()
    if tag != "format-version" or not sep or not _FORMAT_VERSION.fullmatch(version):
        raise InputError(path, lineno, f"first line is not 'format-version: 1.x' (found {text[:60]!r})")
    return version


def read_header(path: str | Path) -> OboHeader:
    """Read only the header block (up to the first blank line or stanza)."""
    path = Path(path)
    lines = iter_lines(path)
    format_version: str | None = None
    data_version: str | None = None
    date: datetime.date | None = None
    ontology: str | None = None
    try:
        for lineno, text in lines:
            if format_version is None:
                if not text.strip():
                    continue
                format_version = _check_format_version(path, lineno, text)
                continue
            if not text.strip() or text.startswith("["):
                break
            if text.startswith("!"):
                continue
            tag, value = _split_tag(path, lineno, text)
            if tag == "data-version":
                data_version = value or None
            elif tag == "date":
                date = _parse_obo_date(path, lineno, value)
            elif tag == "ontology":
                ontology = value or None
    finally:
        lines.close()
    if format_version is None:
        raise InputError(path, 1, "no 'format-version: 1.x' line (file is blank)")
    return OboHeader(format_version, data_version, date, ontology)


class _Stanza:
    """Tag lines of one stanza, collected until the next stanza starts."""

    __slots__ = ("kind", "line", "tags")

    def __init__(self, kind: str, line: int):
        self.kind = kind
        self.line = line
        self.tags: list[tuple[int, str, str]] = []


def _single(path: Path, stanza: _Stanza, found: dict[str, str], lineno: int, tag: str, value: str) -> None:
    if tag in found:
        raise InputError(path, lineno, f"{stanza.kind} stanza has more than one '{tag}' tag")
    found[tag] = value


def _build_term(path: Path, stanza: _Stanza) -> GoTermRecord:
    single: dict[str, str] = {}
    single_line: dict[str, int] = {}
    alt_ids: list[str] = []
    replaced_by: list[str] = []
    consider: list[str] = []
    is_a: list[str] = []
    relationships: list[tuple[str, str]] = []
    synonyms: list[str] = []
    subsets: list[str] = []
    for lineno, tag, value in stanza.tags:
        if tag == "is_a":
            is_a.append(_go_ref(path, lineno, tag, value))
        elif tag == "synonym":
            synonyms.append(_quoted(path, lineno, tag, value))
        elif tag == "relationship":
            parts = _strip_comment(value).split()
            if len(parts) < 2:
                raise InputError(path, lineno, "relationship is not 'relation GO:id'")
            if not is_go_id(parts[1]):
                raise InputError(path, lineno, f"relationship GO id {parts[1]!r} is not GO: followed by 7 digits")
            relationships.append((parts[0], parts[1]))
        elif tag == "alt_id":
            alt_ids.append(_go_ref(path, lineno, tag, value))
        elif tag == "subset":
            subsets.append(_first_token(path, lineno, tag, value))
        elif tag == "consider":
            consider.append(_go_ref(path, lineno, tag, value))
        elif tag == "replaced_by":
            replaced_by.append(_go_ref(path, lineno, tag, value))
        elif tag in ("id", "name", "namespace", "def", "comment", "is_obsolete"):
            _single(path, stanza, single, lineno, tag, value)
            single_line[tag] = lineno
    go_id = _required_id_and_name(path, stanza, single)
    if not is_go_id(go_id):
        raise InputError(path, stanza.line, f"term id {go_id!r} is not GO: followed by 7 digits")
    namespace = single.get("namespace")
    if namespace is None:
        raise InputError(path, stanza.line, f"term {go_id} has no namespace")
    if namespace not in NAMESPACES:
        raise InputError(
            path, single_line["namespace"], f"namespace {namespace!r} is not one of {', '.join(sorted(NAMESPACES))}"
        )
    definition = single.get("def")
    if definition is not None:
        definition = _quoted(path, single_line["def"], "def", definition)
    obsolete = single.get("is_obsolete")
    comment = single.get("comment")
    return GoTermRecord(
        line=stanza.line,
        go_id=go_id,
        name=unescape(single["name"]),
        namespace=namespace,
        definition=definition,
        is_obsolete=False if obsolete is None else _bool(path, single_line["is_obsolete"], "is_obsolete", obsolete),
        comment=unescape(comment) if comment else None,
        alt_ids=tuple(alt_ids),
        replaced_by=tuple(replaced_by),
        consider=tuple(consider),
        is_a=tuple(is_a),
        relationships=tuple(relationships),
        synonyms=tuple(synonyms),
        subsets=tuple(subsets),
    )


def _build_typedef(path: Path, stanza: _Stanza) -> TypedefRecord:
    single: dict[str, str] = {}
    transitive = False
    for lineno, tag, value in stanza.tags:
        if tag in ("id", "name"):
            _single(path, stanza, single, lineno, tag, value)
        elif tag == "is_transitive":
            transitive = _bool(path, lineno, tag, value)
    typedef_id = _required_id_and_name(path, stanza, single)
    return TypedefRecord(line=stanza.line, id=typedef_id, name=unescape(single["name"]), is_transitive=transitive)


def _required_id_and_name(path: Path, stanza: _Stanza, single: dict[str, str]) -> str:
    for tag in ("id", "name"):
        if not single.get(tag):
            raise InputError(path, stanza.line, f"{stanza.kind} stanza has no {tag}")
    return _strip_comment(single["id"])


def read(path: str | Path) -> Iterator[GoTermRecord | TypedefRecord]:
    """Stream [Term] and [Typedef] stanzas as records, in file order."""
    path = Path(path)
    seen: set[str] = set()
    stanza: _Stanza | None = None
    in_header = True
    format_checked = False

    def finish(done: _Stanza) -> GoTermRecord | TypedefRecord | None:
        if done.kind == "[Term]":
            record: GoTermRecord | TypedefRecord = _build_term(path, done)
            key = record.go_id
        elif done.kind == "[Typedef]":
            record = _build_typedef(path, done)
            key = record.id
        else:
            return None
        if key in seen:
            raise InputError(path, done.line, f"duplicate id {key!r}")
        seen.add(key)
        return record

    for lineno, text in iter_lines(path):
        if not format_checked:
            if not text.strip():
                continue
            _check_format_version(path, lineno, text)
            format_checked = True
            continue
        if not text or text[0] == "!":
            continue
        if text[0] == "[":
            if stanza is not None:
                record = finish(stanza)
                if record is not None:
                    yield record
            stanza = _Stanza(text.strip(), lineno)
            in_header = False
            continue
        if text.isspace():
            continue
        tag, value = _split_tag(path, lineno, text)
        if in_header or stanza is None or stanza.kind not in ("[Term]", "[Typedef]"):
            continue
        stanza.tags.append((lineno, tag, value))
    if not format_checked:
        raise InputError(path, 1, "no 'format-version: 1.x' line (file is blank)")
    if stanza is not None:
        record = finish(stanza)
        if record is not None:
            yield record


def looks_like(head: Head) -> bool:
    """An OBO file: its first non-blank line is a `format-version:` tag, or a stanza header comes early."""
    for line in head.lines:
        if line.strip():
            return line.startswith("format-version:") or line.strip() in ("[Term]", "[Typedef]")
    return False
