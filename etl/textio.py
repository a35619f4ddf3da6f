"""Streaming text input shared by every reader.

Reads plain or gzip files (detected by magic bytes, not by name), decodes each line strictly as
UTF-8, and turns every failure into an InputError that names the file and line.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from omicskb.etl.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
_HASH_CHUNK = 1 << 20


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
                            yield lineno, text.rstrip("\r\n")
                            continue
                    raise InputError(
                        path,
                        lineno,
                        f"byte 0x{raw[exc.start]:02x} is not valid {encoding}",
                        column=len(raw[: exc.start].decode(encoding, "replace")) + 1,
                    ) from None
                yield lineno, text.rstrip("\r\n")
    except EOFError:
        raise InputError(path, lineno + 1, "truncated gzip file (stream ends early)") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(path, lineno + 1, f"corrupt gzip data ({exc})") from None
    if lineno == 0:
        raise InputError(path, 1, "empty file")


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
