"""Sample tables and clinical attributes: the records every sample-sheet reader returns, and type rules.

Readers (one module per format): `cptac2019_clinical`, `tsi`, `pancan_meta`, `gct`. Each returns a
SampleSheet: the samples (or cases) in file order and one Attribute per clinical column, its values
aligned with the samples.

Attribute kinds (CLINICAL_TYPES): CON continuous, BIN two groups, ORD ordered classes, CAT unordered
classes, SUR survival (time, event), TXT free text / identifiers (never tested).

Sample types (SAMPLE_TYPES, the schema's `sample_type` vocabulary): every reader of a per-sample
table sets each SampleRecord's type explicitly, never None:
  - from the file's type column (or row) via `normalise_sample_type`;
  - "unknown" when the file has a type column but this sample's cell is empty or missing (NA...),
    or says `unknown` / `not reported`: such a sample has no statistical role;
  - the reader's own documented default when the file has no type column at all (tsi and GCT:
    "tumor"), recorded as `SampleSheet.type_attribute = None`.
Per-case tables (level "patient": pan-cancer meta and survival) describe cases, not samples: their
records have sample_type None, and the loader writes no samples from them. `SampleSheet` checks both.

Cell text: surrounding whitespace is stripped, then one pair of surrounding double quotes is removed
(`unquote`); a cell in MISSING_TEXT is missing (None).

Type inference (`infer_attribute`, for files without a type row), first rule that applies wins:
  1. every value missing -> TXT, all values None.
  2. every non-missing value parses as a float (Python `float`, so `1e-3`, `-2`, `5.0` count) ->
     CON with float values; EXCEPT when the distinct numbers are a subset of {0, 1} -> BIN with
     levels ("0", "1") and values "0"/"1" (also for a column that is all 0). A number that is not
     finite (`inf`, `-Infinity`, `1e400`) in such a column is an InputError at its cell
     (`non-finite value 'inf'`): a column of numbers with an infinity is bad input, not a category.
  3. every non-missing value belongs to ONE ordinal family below, counting that family's
     "not assessed" markers as missing, and at least one value is not such a marker -> ORD. Markers
     become None; levels are the distinct remaining values ordered by the family's key (ties, e.g.
     `G1` and `Grade 1` in one column, by text). Families (case-insensitive, spaces optional):
       a. grade: `FIGO grade 1`, `Grade 2`, `G3` (digit 1-4); key = digit. Markers: `GX`, `Grade X`.
       b. stage: optional `Stage`/`FIGO` word, then a roman numeral I-IV (`0` only after `Stage`),
          an optional letter A-C and an optional digit: `Stage I`, `Stage IIIA`, `IA`, `IIIC2`, `IV`,
          `stageiia`; key = (numeral, letter, digit), so I < IA < IB < II < IIIC1 < IIIC2 < IV.
          Marker: `Stage X`.
       c. TNM: optional prefix of c/p/y/r letters, one category letter T, N or M (the same letter in
          every value of the column), then a digit 0-4 or `is` (Tis, between 0 and 1), an optional
          letter suffix a-d with an optional digit, and an optional parenthesised note:
          `pT1a (FIGO IA)`, `pN0`, `pN2 (FIGO IIIC2)`, `cM0`, `pM1`, `t2`; key = (digit, suffix).
          Markers: `pTX`, `pNX`, `cMX`, ... (category letter + X, optional note) and
          `Staging Incomplete` (how CPTAC writes "not assessed" in its TNM columns).
     Families are tried in the order a, b, c.
  4. exactly 2 distinct texts -> BIN, levels sorted.
  5. every non-missing value distinct and more than 20 of them -> TXT (identifiers, file names).
  6. otherwise CAT, levels sorted.
"Sorted" is Python's str order (code points: upper case before lower case). Values of BIN, ORD, CAT
and TXT attributes are the cell texts (after stripping and unquoting), or None.

Declared types (`parse_declared`, for .tsi type rows and pan-cancer meta `data_type` rows) are checked,
not guessed: CON must be numeric and finite (`non-finite value` otherwise), BIN has at most 2
distinct values, SUR is `time,event` with a finite time. ORD levels
follow rule 3's key when every value fits one family, else numeric order when every value is a
number, else order of first appearance (the file gives no order; the reader cannot know it).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.schema import vocabularies

# Stated once in schema/vocabularies.py. TXT = free text / identifiers, never tested.
CLINICAL_TYPES: tuple[str, ...] = vocabularies.codes(vocabularies.CLINICAL_TYPES)
SAMPLE_TYPES: tuple[str, ...] = vocabularies.codes(vocabularies.SAMPLE_TYPES)  # tumor, ..., other, unknown
UNKNOWN_TYPE = "unknown"  # the file has a type column but leaves this sample's cell empty
# First header cells that say "attributes as rows, samples as columns" (.tsi, TCGA Firehose style).
ATTRIBUTE_LIST_HEADERS = frozenset({"attrib_name", "attribute", "attributes", "attrib"})
MISSING_TEXT = frozenset({"", "NA", "N/A", "NaN", "nan", "null", "NULL", "na"})
TXT_MIN_DISTINCT = 20  # an all-distinct column with more values than this is an identifier, not a class


@dataclasses.dataclass(frozen=True, slots=True)
class SampleRecord:
    label: str  # exactly as matrix headers spell it (S001, C3L-00006, TCGA-...)
    patient: str | None  # case / participant id; a replicate's suffix removed
    sample_type: str | None  # one of SAMPLE_TYPES; None only in per-case (level "patient") sheets
    excluded: bool
    replicate: bool
    line: int  # file line defining it (for transposed files: the header line)


@dataclasses.dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    kind: str  # one of CLINICAL_TYPES
    levels: tuple[str, ...] | None  # ORD: low -> high; BIN and CAT: distinct values sorted; else None
    values: tuple  # aligned with SampleSheet.samples (see module docstring for the value types)
    column: int  # 1-based column (or line, for attributes-as-rows files) where it is defined


@dataclasses.dataclass
class SampleSheet:
    path: Path
    source_kind: str
    level: str  # "sample" or "patient"
    samples: list[SampleRecord]
    attributes: list[Attribute]
    fallback_lines: list[int]  # lines that were not UTF-8 and were decoded as cp1252 instead
    # The column (or row) the sample types came from; None when the reader's default type applied
    # to every sample (no type column) or the sheet is per case.
    type_attribute: str | None = None

    def __post_init__(self) -> None:
        # A reader bug, not bad input: types must be explicit (module docstring).
        for sample in self.samples:
            if self.level == "sample" and sample.sample_type not in SAMPLE_TYPES:
                raise ValueError(f"sample {sample.label!r} has sample type {sample.sample_type!r}, not one of {', '.join(SAMPLE_TYPES)}")
            if self.level == "patient" and sample.sample_type is not None:
                raise ValueError(f"case {sample.label!r} of a per-case sheet has a sample type")

    @property
    def unknown_type_samples(self) -> list[SampleRecord]:
        """The samples typed "unknown" (their type cell is empty): they get no statistical role."""
        return [s for s in self.samples if s.sample_type == UNKNOWN_TYPE]

    def attribute(self, name: str) -> Attribute:
        """The attribute called `name` (KeyError if there is none)."""
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        raise KeyError(name)


# ---------------------------------------------------------------------------------------------- text


def unquote(text: str) -> str:
    """Strip one pair of surrounding double quotes and undouble `""` inside them (CSV quoting in a TSV)."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def clean(text: str | None) -> str | None:
    """A cell as the readers keep it: stripped, unquoted, None when missing."""
    if text is None:
        return None
    text = unquote(text.strip()).strip()
    return None if text in MISSING_TEXT else text


def first_occurrence(path: str | Path, lineno: int, name: str, seen: dict[str, int], what: str, column: int = 1) -> str:
    """`name` stripped; raises if it is empty or was already seen (naming the line it was first on)."""
    name = name.strip()
    if not name:
        raise InputError(path, lineno, f"empty {what}", column=column)
    if name in seen:
        raise InputError(path, lineno, f"duplicate {what} {name!r} (first on line {seen[name]})", column=column)
    seen[name] = lineno
    return name


def normalise_name(name: str) -> str:
    """Lower case with non-alphanumerics removed: how readers find well-known columns."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


_REPLICATE = re.compile(r"[_\-.](?:replication|replicate|rep)$", re.IGNORECASE)


def split_replicate(participant: str) -> tuple[str, bool]:
    """('C3N-01825_replication') -> ('C3N-01825', True); a suffix _replication/_replicate/_rep (or -/.)."""
    match = _REPLICATE.search(participant)
    if match is None:
        return participant, False
    return participant[: match.start()], True


_TUMOR = {"tumor", "tumour", "primary tumor", "primary tumour", "primary solid tumor", "tp"}
_ADJACENT = {"adjacent normal", "normal", "nat", "solid tissue normal", "nt", "normal adjacent tissue"}
_EXACT_TYPES = {
    "myometrium normal": "myometrium_normal",
    "enriched normal": "enriched_normal",
    "blood normal": "blood_normal",
    "blood derived normal": "blood_normal",
}


_UNKNOWN = {"unknown", "not reported", "not available", "unspecified"}


def normalise_sample_type(text: str | None) -> str | None:
    """Map a file's tumor/normal wording to one of SAMPLE_TYPES (None when missing; `unknown` or
    `not reported` -> "unknown"). Readers turn None into "unknown" (`sample_type_of`)."""
    text = clean(text)
    if text is None:
        return None
    key = " ".join(re.split(r"[\s_\-]+", text.lower())).strip()
    if key in _UNKNOWN:
        return UNKNOWN_TYPE
    if key in _TUMOR:
        return "tumor"
    if key in _ADJACENT:
        return "adjacent_normal"
    if key in _EXACT_TYPES:
        return _EXACT_TYPES[key]
    if "normal" in key:
        return "other_normal"
    return "other"


def sample_type_of(text: str | None) -> str:
    """The type of a sample whose file has a type column: its cell's type, "unknown" when empty."""
    return normalise_sample_type(text) or UNKNOWN_TYPE


# ------------------------------------------------------------------------------------ ordinal families

_ROMAN = {"0": 0, "i": 1, "ii": 2, "iii": 3, "iv": 4}
_GRADE = re.compile(r"(?:figo\s*)?(?:grade\s*|g)([1-4])", re.IGNORECASE)
_GRADE_MARKER = re.compile(r"(?:figo\s*)?(?:grade\s*|g)x", re.IGNORECASE)
_STAGE = re.compile(r"(?:(?:stage|figo)\s*)?(iv|i{1,3})([a-c])?([1-2])?|stage\s*(0)", re.IGNORECASE)
_STAGE_MARKER = re.compile(r"stage\s*x", re.IGNORECASE)
_TNM = re.compile(r"[cpyr]{0,3}([tnm])([0-4]|is)([a-d][0-9]?)?(?:\s*\(.*\))?", re.IGNORECASE)
_TNM_MARKER = re.compile(r"[cpyr]{0,3}([tnm])x(?:\s*\(.*\))?", re.IGNORECASE)
_TNM_INCOMPLETE = "staging incomplete"

MARKER = object()  # a family's "not assessed" value (counts as missing)


def _grade_key(text: str) -> tuple | object | None:
    if _GRADE_MARKER.fullmatch(text):
        return MARKER
    match = _GRADE.fullmatch(text)
    return (int(match.group(1)),) if match else None


def _stage_key(text: str) -> tuple | object | None:
    if _STAGE_MARKER.fullmatch(text):
        return MARKER
    match = _STAGE.fullmatch(text)
    if match is None:
        return None
    if match.group(4) is not None:  # "Stage 0"
        return (0, "", 0)
    return (_ROMAN[match.group(1).lower()], (match.group(2) or "").upper(), int(match.group(3) or 0))


def _tnm_key(text: str) -> tuple | object | None:
    # The category letter leads the key so that a column mixing T, N and M values is rejected below.
    marker = _TNM_MARKER.fullmatch(text)
    if marker is not None:
        return (MARKER, marker.group(1).upper())
    if text.lower() == _TNM_INCOMPLETE:
        return (MARKER, None)
    match = _TNM.fullmatch(text)
    if match is None:
        return None
    token = match.group(2).lower()
    digit = 0.5 if token == "is" else float(token)  # Tis (in situ) lies between T0 and T1
    return (match.group(1).upper(), digit, (match.group(3) or "").lower())


def _tnm_family(values: Sequence[str]) -> dict[str, tuple] | None:
    keys: dict[str, tuple] = {}
    letters: set[str] = set()
    for text in values:
        key = _tnm_key(text)
        if key is None:
            return None
        if key[0] is MARKER:
            if key[1] is not None:
                letters.add(key[1])
            keys[text] = key
            continue
        letters.add(key[0])
        keys[text] = key[1:]
    if len(letters) > 1:
        return None
    return keys


def _simple_family(key_of: Callable[[str], tuple | object | None]) -> Callable[[Sequence[str]], dict | None]:
    def family(values: Sequence[str]) -> dict | None:
        keys = {}
        for text in values:
            key = key_of(text)
            if key is None:
                return None
            keys[text] = key
        return keys

    return family


_FAMILIES = (_simple_family(_grade_key), _simple_family(_stage_key), _tnm_family)


def ordinal_keys(values: Sequence[str]) -> dict[str, object] | None:
    """Map each distinct text to its ordinal key (or MARKER) if all fit one family with >= 1 real value."""
    distinct = list(dict.fromkeys(values))
    if not distinct:
        return None
    for family in _FAMILIES:
        keys = family(distinct)
        if keys is None:
            continue
        keys = {text: (MARKER if _is_marker(key) else key) for text, key in keys.items()}
        if any(key is not MARKER for key in keys.values()):
            return keys
    return None


def _is_marker(key: object) -> bool:
    return key is MARKER or (isinstance(key, tuple) and bool(key) and key[0] is MARKER)


def _ordered_levels(keys: dict[str, object]) -> tuple[str, ...]:
    real = [(key, text) for text, key in keys.items() if key is not MARKER]
    return tuple(text for _, text in sorted(real))


# ------------------------------------------------------------------------------------------ inference


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _finite_float(text: str) -> float | None:
    number = _float(text)
    return number if number is not None and math.isfinite(number) else None


def _reject_non_finite(name: str, values: Sequence[str | None], path: str | Path | None, cells: Sequence[tuple[int, int]] | None) -> None:
    """Raise at the first value that is a number but not finite (inf, -Infinity, 1e400)."""
    for i, value in enumerate(values):
        if value is None:
            continue
        number = _float(value)
        if number is not None and not math.isfinite(number) and not math.isnan(number):
            line, column = cells[i] if cells is not None else (None, None)
            raise InputError(path if path is not None else "<input>", line, f"non-finite value {value[:40]!r} for attribute {name}", column=column)


def cells_of(line: int | Sequence[int], column: int | Sequence[int], count: int) -> list[tuple[int, int]]:
    """(line, column) of each of `count` values: one of line and column is a sequence, the other a number."""
    return _cells(line, column, count)


def infer_attribute(
    name: str, raw_values: Sequence[str | None], column: int, *, path: str | Path | None = None, cells: Sequence[tuple[int, int]] | None = None
) -> Attribute:
    """Guess an attribute's kind from its values (rules in the module docstring).

    `path` and `cells` ((line, column) per value, see `cells_of`) locate a non-finite number."""
    values = [clean(v) for v in raw_values]
    present = [v for v in values if v is not None]
    if not present:
        return Attribute(name, "TXT", None, tuple(values), column)
    if all(_float(v) is not None for v in present):
        _reject_non_finite(name, values, path, cells)
    numbers = [_finite_float(v) for v in present]
    if all(n is not None for n in numbers):
        if set(numbers) <= {0.0, 1.0}:
            binary = tuple(None if v is None else ("1" if float(v) == 1.0 else "0") for v in values)
            return Attribute(name, "BIN", ("0", "1"), binary, column)
        return Attribute(name, "CON", None, tuple(None if v is None else float(v) for v in values), column)
    keys = ordinal_keys(present)
    if keys is not None:
        ordinal = tuple(None if v is None or keys[v] is MARKER else v for v in values)
        return Attribute(name, "ORD", _ordered_levels(keys), ordinal, column)
    distinct = sorted(set(present))
    if len(distinct) == 2:
        return Attribute(name, "BIN", tuple(distinct), tuple(values), column)
    if len(distinct) == len(present) and len(distinct) > TXT_MIN_DISTINCT:
        return Attribute(name, "TXT", None, tuple(values), column)
    return Attribute(name, "CAT", tuple(distinct), tuple(values), column)


# ------------------------------------------------------------------------------------- declared types


def _cells(line: int | Sequence[int], column: int | Sequence[int], count: int) -> list[tuple[int, int]]:
    lines = [line] * count if isinstance(line, int) else list(line)
    columns = [column] * count if isinstance(column, int) else list(column)
    if len(lines) != count or len(columns) != count:
        raise ValueError("one line and column per value are needed")
    return list(zip(lines, columns))


def parse_survival(text: str, path: str | Path, line: int, column: int, name: str) -> tuple[float, int] | None:
    """`time,event` -> (time, event); None when the cell or either part is missing."""
    parts = [clean(p) for p in text.split(",")]
    if len(parts) != 2:
        raise InputError(path, line, f"survival value {text!r} for SUR attribute {name} is not 'time,event'", column=column)
    time_text, event_text = parts
    # A present half is checked even when the other half is missing.
    checked = check_survival(time_text or "0", event_text or "0", path, line, column, column, name)
    return checked if time_text is not None and event_text is not None else None


def check_survival(
    time_text: str, event_text: str, path: str | Path, line: int, time_column: int, event_column: int, name: str
) -> tuple[float, int]:
    """Check a (time, event) pair: a finite time >= 0 and an event of 0 or 1."""
    time = _finite_float(time_text)
    if time is None:
        what = "non-finite" if _float(time_text) is not None else "non-numeric"
        raise InputError(path, line, f"{what} survival time {time_text!r} for {name}", column=time_column)
    if time < 0:
        raise InputError(path, line, f"negative survival time {time_text!r} for {name}", column=time_column)
    event = _finite_float(event_text)
    if event not in (0.0, 1.0):
        raise InputError(path, line, f"survival event {event_text!r} for {name} is not 0 or 1", column=event_column)
    return time, int(event)  # type: ignore[arg-type]


def parse_declared(
    name: str,
    declared_type: str,
    raw_values: Sequence[str | None],
    path: str | Path,
    line: int | Sequence[int],
    column: int | Sequence[int],
    *,
    type_cell: tuple[int, int] | None = None,
) -> Attribute:
    """Check values against a type the file declares (BIN CAT CON ORD SUR TXT, any case).

    `line` and `column` locate the value cells: one of them is a sequence with one entry per value and
    the other a single number (a column of a samples-as-rows file, or a row of a transposed one). The
    Attribute's `column` is that single number. `type_cell` (line, column) locates the declaration
    itself, for the unknown-type error; by default the first value's cell.
    """
    cells = _cells(line, column, len(raw_values))
    position = column if isinstance(column, int) else line
    if not isinstance(position, int):
        raise ValueError("line or column must be a single number")
    kind = declared_type.strip().upper()
    if kind not in CLINICAL_TYPES:
        where = type_cell or (cells[0] if cells else (position, position))
        raise InputError(
            path, where[0], f"unknown data type {declared_type!r} for attribute {name} (expected one of {', '.join(CLINICAL_TYPES)})", column=where[1]
        )
    values = [clean(v) for v in raw_values]
    if kind == "CON":
        numbers: list[float | None] = []
        for value, (at_line, at_column) in zip(values, cells):
            if value is None:
                numbers.append(None)
                continue
            number = _finite_float(value)
            if number is None:
                what = "non-finite" if _float(value) is not None else "non-numeric"
                raise InputError(path, at_line, f"{what} value {value[:40]!r} for CON attribute {name}", column=at_column)
            numbers.append(number)
        return Attribute(name, kind, None, tuple(numbers), position)
    if kind == "SUR":
        pairs = []
        for value, (at_line, at_column) in zip(values, cells):
            pairs.append(None if value is None else parse_survival(value, path, at_line, at_column, name))
        return Attribute(name, kind, None, tuple(pairs), position)
    if kind == "TXT":
        return Attribute(name, kind, None, tuple(values), position)
    present = [v for v in values if v is not None]
    if kind == "BIN":
        seen: list[str] = []
        for value, (at_line, at_column) in zip(values, cells):
            if value is None or value in seen:
                continue
            seen.append(value)
            if len(seen) == 3:
                listed = ", ".join(repr(v) for v in seen)
                raise InputError(path, at_line, f"BIN attribute {name} has more than 2 values ({listed})", column=at_column)
        return Attribute(name, kind, tuple(sorted(seen)), tuple(values), position)
    if kind == "CAT":
        return Attribute(name, kind, tuple(sorted(set(present))), tuple(values), position)
    # ORD
    keys = ordinal_keys(present)
    if keys is not None:
        return Attribute(name, kind, _ordered_levels(keys), tuple(None if v is None or keys[v] is MARKER else v for v in values), position)
    if all(_float(v) is not None for v in present):
        _reject_non_finite(name, values, path, cells)
    numbers_ord = {v: _finite_float(v) for v in present}
    if all(n is not None for n in numbers_ord.values()):
        levels = tuple(sorted(numbers_ord, key=lambda v: (numbers_ord[v], v)))
        return Attribute(name, kind, levels, tuple(values), position)
    # No recognisable order: keep the order in which the file first uses each level.
    return Attribute(name, kind, tuple(dict.fromkeys(present)), tuple(values), position)

