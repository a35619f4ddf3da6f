"""Streaming text input shared by every reader.

Reads plain or gzip files (detected by magic bytes, not by name), decodes each line strictly as
UTF-8, and turns every failure into an InputError that names the file and line.

Line endings: a line ends at LF; the CR of a CRLF ending (any run of CRs before the LF, and at the
end of a last line without LF) is removed, so LF, CRLF and a last line without a newline read alike.
A UTF-8 byte-order mark at the start of the file is removed too.

`read_head` gives the first lines of a file, leniently decoded, for guessing what kind of file it is
(`etl.sources.kinds`).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from omicskb.etl.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
_HASH_CHUNK = 1 << 20
BOM = "\ufeff"


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def _open_binary(path: Path) -> BinaryIO:
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def iter_lines(
    path: str | Path,
    encoding: str = "utf-8",
    fallback_encoding: str | None = None,
    on_fallback: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, str]]:
    """Yield (line number, text without the line ending) for every line of a file.

    Raises InputError for a missing or empty file, a truncated or corrupt gzip stream, and
    bytes that are not valid in `encoding` (with the column of the first bad byte). With
    `fallback_encoding` (e.g. cp1252 for spreadsheet exports that claim UTF-8), a line that is not
    valid `encoding` is decoded with the fallback instead and `on_fallback(line)` is called, so the
    caller can report how many lines needed it.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such file")
    if path.stat().st_size == 0:
        raise InputError(path, 1, "empty file")
    lineno = 0
    try:
        with _open_binary(path) as handle:
            for lineno, raw in enumerate(handle, start=1):
                try:
                    text = raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    if fallback_encoding is not None:
                        try:
                            text = raw.decode(fallback_encoding)
                        except UnicodeDecodeError:
                            pass
                        else:
                            if on_fallback is not None:
                                on_fallback(lineno)
                            yield lineno, _line_text(lineno, text)
                            continue
                    raise InputError(
                        path,
                        lineno,
                        f"byte 0x{raw[exc.start]:02x} is not valid {encoding}",
                        column=len(raw[: exc.start].decode(encoding, "replace")) + 1,
                    ) from None
                yield lineno, _line_text(lineno, text)
    except EOFError:
        raise InputError(path, lineno + 1, "truncated gzip file (stream ends early)") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(path, lineno + 1, f"corrupt gzip data ({exc})") from None
    if lineno == 0:
        raise InputError(path, 1, "empty file")


def _line_text(lineno: int, text: str) -> str:
    text = text.rstrip("\r\n")
    return text[1:] if lineno == 1 and text.startswith(BOM) else text


@dataclasses.dataclass(frozen=True)
class Head:
    """The first lines of a file, for telling what kind of file it is (see `read_head`)."""

    path: Path
    lines: tuple[str, ...]  # without line endings; a UTF-8 BOM removed
    complete: bool  # True when `lines` are all the lines of the file

    @property
    def name(self) -> str:
        """The file name in lower case, without a trailing `.gz`."""
        return self.path.name.lower().removesuffix(".gz")

    def cells(self, index: int, sep: str = "\t") -> list[str]:
        """Line `index` (0-based) split on `sep`, each cell stripped; [] past the last line."""
        if index >= len(self.lines):
            return []
        return [cell.strip() for cell in self.lines[index].split(sep)]

    def rows(self, start: int = 0, sep: str = "\t") -> list[list[str]]:
        """Lines from `start` on, split on `sep` and stripped; blank lines left out."""
        return [[cell.strip() for cell in line.split(sep)] for line in self.lines[start:] if line.strip()]

    def first_line_not_starting(self, prefix: str) -> int | None:
        """Index of the first line that does not start with `prefix` (comment lines), or None."""
        for index, line in enumerate(self.lines):
            if not line.startswith(prefix):
                return index
        return None


HEAD_LINES = 64
HEAD_BYTES = 1 << 21


def read_head(path: str | Path, max_lines: int = HEAD_LINES, max_bytes: int = HEAD_BYTES) -> Head:
    """The first `max_lines` lines of a file (plain or gzip), reading at most about `max_bytes` bytes.

    Cheap and lenient: a line that is not UTF-8 is decoded as cp1252 (else latin-1), a line cut by
    the byte limit is dropped (unless it is the first), and a damaged gzip stream ends the head
    where it breaks; the reader reports such problems exactly. Raises InputError only for a missing
    or empty file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such file")
    if path.stat().st_size == 0:
        raise InputError(path, 1, "empty file")
    lines: list[str] = []
    complete = False
    budget = max_bytes
    try:
        with _open_binary(path) as handle:
            while len(lines) < max_lines:
                raw = handle.readline(max(budget, 1))
                if not raw:
                    complete = True
                    break
                budget -= len(raw)
                if not raw.endswith(b"\n") and budget <= 0:
                    if not lines:  # a huge first line: keep what was read
                        lines.append(_decode_leniently(raw, len(lines) + 1))
                    break
                lines.append(_decode_leniently(raw, len(lines) + 1))
                if budget <= 0:
                    break
            else:
                complete = handle.read(1) == b""
    except (EOFError, OSError, zlib.error):
        pass  # a damaged stream: what was read so far is the head
    return Head(path, tuple(lines), complete)


def _decode_leniently(raw: bytes, lineno: int) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return _line_text(lineno, raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    return _line_text(lineno, raw.decode("latin-1"))


def check_header(path: str | Path, lineno: int, found: Sequence[str], expected: Sequence[str]) -> None:
    """Raise unless a header row equals the declared columns exactly (order and spelling)."""
    if tuple(found) != tuple(expected):
        missing = [c for c in expected if c not in found]
        extra = [c for c in found if c not in expected]
        detail = []
        if missing:
            detail.append("missing " + ", ".join(repr(c) for c in missing))
        if extra:
            detail.append("unexpected " + ", ".join(repr(c) for c in extra))
        if not detail:
            detail.append("columns out of order")
        raise InputError(path, lineno, "unexpected header: " + "; ".join(detail) + f" (expected {len(expected)} columns: {', '.join(expected)})")


def split_fields(path: str | Path, lineno: int, line: str, expected: int, sep: str = "\t") -> list[str]:
    """Split a delimited line and raise on a ragged row (wrong number of fields)."""
    fields = line.split(sep)
    if len(fields) != expected:
        raise InputError(path, lineno, f"expected {expected} fields, found {len(fields)}")
    return fields


def iter_rows(
    path: str | Path, columns: Sequence[str], sep: str = "\t", skip_blank: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """Check a delimited file's header against `columns`, then yield (line number, fields) per row.

    Every row must have exactly len(columns) fields; with skip_blank, empty lines are passed over.
    """
    lines = iter_lines(path)
    lineno, header = next(lines)
    check_header(path, lineno, header.split(sep), columns)
    width = len(columns)
    for lineno, line in lines:
        if skip_blank and not line.strip():
            continue
        yield lineno, split_fields(path, lineno, line, width, sep)


DATA_SUFFIXES = (".gz", ".txt", ".tsv", ".cct", ".cbt", ".gct", ".maf")


def data_file_stem(path: str | Path) -> str:
    """The file name without its data extensions: CNA.cct.gz -> CNA, somatic.maf.gz -> somatic."""
    name = Path(path).name
    changed = True
    while changed:
        changed = False
        for suffix in DATA_SUFFIXES:
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name, changed = name[: -len(suffix)], True
    return name


def none_if_dash(value: str) -> str | None:
    """NCBI files write '-' for a missing value."""
    return None if value in ("-", "") else value


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
