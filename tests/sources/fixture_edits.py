"""Damaged copies of a text fixture, for the readers' bad-input tests."""

from __future__ import annotations

from pathlib import Path


def fixture_lines(fixture: Path) -> list[str]:
    return fixture.read_text(encoding="utf-8").splitlines()


def write_lines(tmp_path: Path, lines: list[str], name: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def with_field(fixture: Path, tmp_path: Path, lineno: int, column: int, value: str, name: str) -> Path:
    """The fixture with one tab-separated field (1-based line and column) replaced."""
    lines = fixture_lines(fixture)
    fields = lines[lineno - 1].split("\t")
    fields[column - 1] = value
    lines[lineno - 1] = "\t".join(fields)
    return write_lines(tmp_path, lines, name)
