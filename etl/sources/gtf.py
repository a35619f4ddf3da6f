"""GENCODE / Ensembl gene annotation in GTF (GTF2.2 as written by https://www.gencodegenes.org
and https://www.ensembl.org/info/website/upload/gff.html): one TranscriptRecord per transcript.

Nine tab-separated columns, '#' header lines, attributes `key "value";` with 'tag' repeated.
GENCODE writes versions inside ids ('ENSG00000104432.14', 'ENSG00000002586.20_PAR_Y') and
'gene_type'; Ensembl writes bare ids plus 'gene_version' / 'transcript_version' /
'protein_version' and 'gene_biotype'. Both are accepted.

The protein id comes from the transcript line (GENCODE) or from its CDS / start_codon lines
(both). Every line's columns, coordinates and strand are checked. Gene and transcript lines have
their attributes parsed in full. On CDS / start_codon lines only the id attributes are read. Other
features (exon, UTR, ...) have their attributes skipped, which keeps a full GENCODE file quick.
GTF files group lines by gene, so a gene's transcripts are emitted when the next gene starts.
Memory holds one gene's transcripts plus the set of finished gene ids, which catches a file that
is not grouped by gene.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from omicskb.etl.errors import InputError
from omicskb.etl.textio import Head, iter_lines

SOURCE_KIND = "gtf"
DESCRIPTION = "a GTF gene annotation"
LOAD_COMMAND = "omicskb load gtf"

COLUMNS: tuple[str, ...] = ("seqname", "source", "feature", "start", "end", "score", "strand", "frame", "attribute")

_PAR_Y = "_PAR_Y"
_ENSEMBL_ID = {kind: re.compile(r"ENS[A-Z]*" + kind + r"\d{11}") for kind in "GTP"}
_KIND_NAME = {"G": "gene", "T": "transcript", "P": "protein"}
_PROTEIN_FEATURES = frozenset({"CDS", "start_codon"})
_STRANDS = frozenset({"+", "-", "."})


@dataclass(frozen=True, slots=True)
class TranscriptRecord:
    line: int
    chrom: str
    start: int
    end: int
    strand: str
    gene_id: str
    gene_version: str | None
    gene_name: str | None
    gene_type: str | None
    transcript_id: str
    transcript_version: str | None
    transcript_name: str | None
    transcript_type: str | None
    protein_id: str | None
    protein_version: str | None
    tags: tuple[str, ...]


def split_ensembl_id(path: str | Path, lineno: int, value: str, kind: str, column: int | None = None) -> tuple[str, str | None]:
    """Split 'ENST00000263851.9' into ('ENST00000263851', '9'); keep '_PAR_Y' on the id part.

    `kind` is 'G', 'T' or 'P'; the id must be ENS, a species code, that letter and 11 digits.
    """
    suffix = ""
    if value.endswith(_PAR_Y):
        value, suffix = value[: -len(_PAR_Y)], _PAR_Y
    base, dot, version = value.partition(".")
    if dot and not version.isdigit():
        raise InputError(path, lineno, f"version {version!r} of {value!r} is not digits", column=column)
    if not _ENSEMBL_ID[kind].fullmatch(base):
        raise InputError(path, lineno, f"{_KIND_NAME[kind]} id {value + suffix!r} is not ENS{kind} followed by 11 digits (with optional .version)", column=column)
    return base + suffix, (version if dot else None)


def parse_attributes(path: str | Path, lineno: int, text: str) -> list[tuple[str, str]]:
    """Parse a GTF attribute column into (key, value) pairs, keeping repeats and order."""
    pairs: list[tuple[str, str]] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, space, value = part.partition(" ")
        value = value.strip()
        if not space or not key or not value:
            raise InputError(path, lineno, f"malformed attribute {part!r} (expected key \"value\")", column=9)
        if value[0] == '"':
            if len(value) < 2 or value[-1] != '"' or '"' in value[1:-1]:
                raise InputError(path, lineno, f"malformed attribute {part!r} (unbalanced quotes)", column=9)
            value = value[1:-1]
        elif '"' in value or " " in value:
            raise InputError(path, lineno, f"malformed attribute {part!r} (unquoted value with blanks or quotes)", column=9)
        pairs.append((key, value))
    if not pairs:
        raise InputError(path, lineno, "empty attribute column", column=9)
    return pairs


def _versioned(path: Path, lineno: int, attrs: dict[str, str], key: str, kind: str) -> tuple[str | None, str | None]:
    value = attrs.get(key)
    if value is None:
        return None, None
    ident, version = split_ensembl_id(path, lineno, value, kind, column=9)
    separate = attrs.get(key.replace("_id", "_version"))
    if separate is not None:
        if not separate.isdigit():
            raise InputError(path, lineno, f"{key.replace('_id', '_version')} {separate!r} is not digits", column=9)
        if version is not None and version != separate:
            raise InputError(path, lineno, f"{key} {value!r} disagrees with its version attribute {separate!r}", column=9)
        version = separate
    return ident, version


def _quoted(path: Path, lineno: int, text: str, key: str) -> str | None:
    """Value of `key "value"` in an attribute column, found without parsing the whole column."""
    needle = key + ' "'
    at = text.find(needle)
    while at > 0 and text[at - 1] not in " ;":
        at = text.find(needle, at + 1)
    if at < 0:
        return None
    begin = at + len(needle)
    stop = text.find('"', begin)
    if stop < 0:
        raise InputError(path, lineno, f"malformed attribute {key!r} (unbalanced quotes)", column=9)
    return text[begin:stop]


def read(path: str | Path) -> Iterator[TranscriptRecord]:
    """Stream TranscriptRecords from a GENCODE or Ensembl GTF (plain or gzip)."""
    path = Path(path)
    current_gene: str | None = None
    current_gene_raw: tuple[str, str | None] | None = None  # (gene_id, gene_version) as written
    # transcript_id -> [record, line that gave its protein id, (protein_id, protein_version) as written]
    pending: dict[str, list] = {}
    raw_transcripts: dict[tuple[str, str | None], str] = {}  # as written -> transcript_id
    finished: set[str] = set()
    separate_versions = False

    def start_gene(lineno: int, gene_key: str) -> Iterator[TranscriptRecord]:
        nonlocal current_gene
        if gene_key == current_gene:
            return
        for record, _, _ in pending.values():
            yield record
        pending.clear()
        raw_transcripts.clear()
        if current_gene is not None:
            finished.add(current_gene)
        if gene_key in finished:
            raise InputError(path, lineno, f"gene {gene_key!r} appears again after other genes (gtf must be grouped by gene)")
        current_gene = gene_key

    for lineno, text in iter_lines(path):
        if text.startswith("#"):
            continue
        fields = text.split("\t")
        if len(fields) != 9:
            raise InputError(path, lineno, f"expected 9 fields, found {len(fields)}")
        feature = fields[2]
        start_text, end_text = fields[3], fields[4]
        if not start_text.isdigit():
            raise InputError(path, lineno, f"start {start_text!r} is not a positive integer", column=4)
        if not end_text.isdigit():
            raise InputError(path, lineno, f"end {end_text!r} is not a positive integer", column=5)
        start, end = int(start_text), int(end_text)
        if start < 1 or start > end:
            raise InputError(path, lineno, f"start {start} is after end {end} or below 1", column=4)
        strand = fields[6]
        if strand not in _STRANDS:
            raise InputError(path, lineno, f"strand {strand!r} is not '+', '-' or '.'", column=7)

        if feature == "gene" or feature == "transcript":
            pairs = parse_attributes(path, lineno, fields[8])
            attrs = dict(pairs)
            if "gene_id" not in attrs:
                raise InputError(path, lineno, "attribute gene_id is missing", column=9)
            gene_id, gene_version = _versioned(path, lineno, attrs, "gene_id", "G")
            assert gene_id is not None
            yield from start_gene(lineno, gene_id)
            current_gene_raw = (attrs["gene_id"], attrs.get("gene_version"))
            # Ensembl style (bare ids + *_version) or GENCODE style, as the gene/transcript line shows
            separate_versions = "gene_version" in attrs
            if feature == "gene":
                continue
            if "transcript_id" not in attrs:
                raise InputError(path, lineno, "attribute transcript_id is missing on a transcript line", column=9)
            transcript_id, transcript_version = _versioned(path, lineno, attrs, "transcript_id", "T")
            assert transcript_id is not None
            protein_id, protein_version = _versioned(path, lineno, attrs, "protein_id", "P")
            if transcript_id in pending:
                raise InputError(path, lineno, f"transcript {transcript_id!r} has a second transcript line (first at line {pending[transcript_id][0].line})")
            record = TranscriptRecord(
                line=lineno,
                chrom=fields[0],
                start=start,
                end=end,
                strand=strand,
                gene_id=gene_id,
                gene_version=gene_version,
                gene_name=attrs.get("gene_name"),
                gene_type=attrs.get("gene_type") or attrs.get("gene_biotype"),
                transcript_id=transcript_id,
                transcript_version=transcript_version,
                transcript_name=attrs.get("transcript_name"),
                transcript_type=attrs.get("transcript_type") or attrs.get("transcript_biotype"),
                protein_id=protein_id,
                protein_version=protein_version,
                tags=tuple(value for key, value in pairs if key == "tag"),
            )
            pending[transcript_id] = [record, lineno if protein_id else None, (attrs.get("protein_id"), attrs.get("protein_version"))]
            raw_transcripts[(attrs["transcript_id"], attrs.get("transcript_version"))] = transcript_id
            continue

        if feature not in _PROTEIN_FEATURES:
            continue
        # CDS / start_codon lines only contribute the protein id. They are many, so only the
        # attributes needed are looked up, and ids already seen as written are not re-parsed.
        attributes = fields[8]
        if separate_versions:
            raw_gene = (_quoted(path, lineno, attributes, "gene_id"), _quoted(path, lineno, attributes, "gene_version"))
            raw_transcript = (_quoted(path, lineno, attributes, "transcript_id"), _quoted(path, lineno, attributes, "transcript_version"))
            raw_protein = (_quoted(path, lineno, attributes, "protein_id"), _quoted(path, lineno, attributes, "protein_version"))
        else:
            raw_gene = (_quoted(path, lineno, attributes, "gene_id"), None)
            raw_transcript = (_quoted(path, lineno, attributes, "transcript_id"), None)
            raw_protein = (_quoted(path, lineno, attributes, "protein_id"), None)
        if raw_gene[0] is None:
            raise InputError(path, lineno, "attribute gene_id is missing", column=9)
        if raw_transcript[0] is None:
            raise InputError(path, lineno, f"attribute transcript_id is missing on a {feature} line", column=9)
        transcript_id = raw_transcripts.get(raw_transcript) if raw_gene == current_gene_raw else None
        if transcript_id is None:
            written = {k: v for k, v in zip(("gene_id", "gene_version", "transcript_id", "transcript_version"), raw_gene + raw_transcript) if v is not None}
            gene_id, _ = _versioned(path, lineno, written, "gene_id", "G")
            transcript_id, _ = _versioned(path, lineno, written, "transcript_id", "T")
            if gene_id != current_gene or transcript_id not in pending:
                raise InputError(path, lineno, f"{feature} line for transcript {transcript_id!r} outside its gene's transcript block (no transcript line before it)")
        entry = pending[transcript_id]
        if raw_protein[0] is None or raw_protein == entry[2]:
            continue
        written = {k: v for k, v in zip(("protein_id", "protein_version"), raw_protein) if v is not None}
        protein_id, protein_version = _versioned(path, lineno, written, "protein_id", "P")
        record = entry[0]
        if record.protein_id is None:
            entry[0] = replace(record, protein_id=protein_id, protein_version=protein_version)
            entry[1] = lineno
            entry[2] = raw_protein
        elif (record.protein_id, record.protein_version) != (protein_id, protein_version):
            raise InputError(path, lineno, f"protein id {protein_id!r} differs from {record.protein_id!r} given at line {entry[1]} for transcript {transcript_id!r}")

    for record, _, _ in pending.values():
        yield record


def looks_like(head: Head) -> bool:
    """A GTF: its first line that is not a `#` comment has 9 columns, numeric start and end, a
    strand and a `gene_id "..."` attribute."""
    first = head.first_line_not_starting("#")
    if first is None:
        return False
    fields = head.lines[first].split("\t")
    return (
        len(fields) == len(COLUMNS)
        and fields[3].isdigit()
        and fields[4].isdigit()
        and fields[6] in _STRANDS
        and 'gene_id "' in fields[8]
    )
