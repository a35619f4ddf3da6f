"""Export datasets and what describes them as Hive-partitioned Parquet (`omicskb export DIR`).

Layout of DIR (every table a folder of Parquet files, so pandas, polars, DuckDB, Spark and
pyarrow.dataset read each folder directly; partition keys are folder names `key=value`):

    manifest.json                                 what was exported, from where, and from which releases
    datasets/part-0.parquet                       one row per exported dataset, with its sample axis
    values/cohort=C/omics=O/dataset=N/part-0.parquet   one file per dataset, long form
    samples/cohort=C/part-0.parquet               every sample of each exported cohort
    clinical/cohort=C/part-0.parquet              clinical values per sample (patient-level ones on each sample)
    clinical_attributes/cohort=C/part-0.parquet   attribute types and ordered levels
    features/part-0.parquet                       the features the exported datasets measure
    genes/part-0.parquet                          the gene rows those features name

**Values are long and dense**: one row per cell of the dataset's feature x sample matrix,
`value` NULL where the matrix has none (missing values are kept, not dropped), ordered by
(row_ord, sample_ord), the dataset's file order. So `row_ord`/`sample_ord` rebuild the matrix
exactly as `etl.blocks.fetch_block` returns it, and every dataset has the same columns whatever its
samples. Identifiers stay strings (gene_id is the Entrez GeneID as text), values are float64.

**Partition values** are the cohort code, omics type and dataset name as strings; the characters
Hive and Spark escape in a path segment (`/ = % : ? # * \\ " ' [ ] { } ^`, control characters) are
written as %XX, which pyarrow, DuckDB and Spark decode.

**Reads** come from one snapshot (a REPEATABLE READ transaction on PostgreSQL; DuckDB's read lock
holds writers off for the whole command) through the same fast path as `fetch_block` (Arrow on
DuckDB, one binary COPY on PostgreSQL), one dataset at a time, written in chunks of about a
million values, so memory holds one dataset's matrix at most.

**Writes are all or nothing**: everything is written into a hidden folder beside DIR, which is
renamed to DIR at the end. DIR may not exist or be empty; with `overwrite`, it may hold an earlier
export (one with an omicskb manifest.json), which is replaced only once the new export is complete.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from omicskb.etl import __version__
from omicskb.etl.blocks import fetch_dataset_values
from omicskb.etl.cohort_names import resolve_cohort
from omicskb.etl.datasets import Dataset, list_datasets
from omicskb.etl.db import display_target, is_duckdb
from omicskb.etl.errors import LookupFailed, OmicsKBError
from omicskb.etl.textio import sha256_file

EXPORT_FORMAT = "omicskb-export"
EXPORT_FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PART = "part-0.parquet"
COMPRESSION = "zstd"
CHUNK_VALUES = 1 << 20  # values per written chunk (and Parquet row group), whole features at a time

# Characters Hive (FileUtils.escapePathName) and Spark escape in partition values.
_ESCAPED = frozenset('"#%\'*/:=?\\{[]^\x7f') | frozenset(chr(c) for c in range(0x20))


class ExportError(OmicsKBError):
    """The destination cannot be written as asked (it exists and is not empty, ...): exit 2."""

    exit_code = 2


class NothingToExport(LookupFailed):
    """The filters select no dataset (exit 1, like an unknown cohort)."""


# ---------------------------------------------------------------------------------------------
# Arrow schemas of the exported tables

VALUES_SCHEMA = pa.schema([
    pa.field("dataset_id", pa.int64(), nullable=False),
    pa.field("row_ord", pa.int32(), nullable=False),  # the feature's row in the dataset (measurement_row.row_ord)
    pa.field("feature_id", pa.int64(), nullable=False),
    pa.field("gene_id", pa.string()),  # NULL for a feature whose id did not resolve
    pa.field("feature_label", pa.string(), nullable=False),
    pa.field("raw_identifier", pa.string(), nullable=False),  # the row id exactly as the file gave it
    pa.field("sample_ord", pa.int32(), nullable=False),  # the sample's column in the dataset (dataset_sample.sample_ord)
    pa.field("sample_id", pa.int64(), nullable=False),
    pa.field("sample_label", pa.string(), nullable=False),
    pa.field("column_label", pa.string(), nullable=False),  # the column header as the file gave it
    pa.field("value", pa.float64()),  # NULL = missing
])

DATASETS_SCHEMA = pa.schema([
    pa.field("dataset_id", pa.int64(), nullable=False),
    pa.field("cohort", pa.string(), nullable=False),
    pa.field("omics", pa.string(), nullable=False),
    pa.field("dataset", pa.string(), nullable=False),
    pa.field("unit", pa.string()),
    pa.field("feature_kind", pa.string(), nullable=False),
    pa.field("source_format", pa.string(), nullable=False),
    pa.field("sample_scope", pa.string(), nullable=False),
    pa.field("is_default", pa.bool_(), nullable=False),
    pa.field("pair_role", pa.string()),
    pa.field("paired_dataset_id", pa.int64()),
    pa.field("paired_dataset", pa.string()),
    pa.field("pair_declared_by", pa.string()),
    pa.field("n_features", pa.int64(), nullable=False),
    pa.field("n_samples", pa.int64(), nullable=False),
    pa.field("n_values", pa.int64(), nullable=False),
    pa.field("n_present", pa.int64(), nullable=False),
    pa.field("n_missing", pa.int64(), nullable=False),
    pa.field("n_unresolved", pa.int64(), nullable=False),
    pa.field("release_id", pa.int64(), nullable=False),
    pa.field("path", pa.string(), nullable=False),
    pa.field("sample_ids", pa.list_(pa.int64()), nullable=False),  # the sample axis, in column order
    pa.field("sample_labels", pa.list_(pa.string()), nullable=False),
])

SAMPLES_SCHEMA = pa.schema([
    pa.field("sample_id", pa.int64(), nullable=False),
    pa.field("sample_label", pa.string(), nullable=False),
    pa.field("sample_type", pa.string(), nullable=False),
    pa.field("is_normal", pa.bool_()),
    pa.field("patient_id", pa.int64()),
    pa.field("patient_label", pa.string()),
    pa.field("is_excluded", pa.bool_(), nullable=False),
    pa.field("is_replicate", pa.bool_(), nullable=False),
    pa.field("stat_role", pa.string()),
    pa.field("release_id", pa.int64(), nullable=False),
])

CLINICAL_SCHEMA = pa.schema([
    pa.field("sample_id", pa.int64(), nullable=False),
    pa.field("sample_label", pa.string(), nullable=False),
    pa.field("attribute_id", pa.int64(), nullable=False),
    pa.field("attribute", pa.string(), nullable=False),
    pa.field("clinical_type", pa.string(), nullable=False),
    pa.field("keyed_by", pa.string(), nullable=False),  # 'sample', or 'patient': the value of the sample's patient
    pa.field("value_text", pa.string()),
    pa.field("value_number", pa.float64()),
    pa.field("event", pa.int16()),
    pa.field("release_id", pa.int64(), nullable=False),
])

CLINICAL_ATTRIBUTES_SCHEMA = pa.schema([
    pa.field("attribute_id", pa.int64(), nullable=False),
    pa.field("attribute", pa.string(), nullable=False),
    pa.field("clinical_type", pa.string(), nullable=False),
    pa.field("keyed_by", pa.string(), nullable=False),
    pa.field("levels", pa.list_(pa.string())),  # BIN/CAT/ORD levels; for ORD low to high
    pa.field("release_id", pa.int64(), nullable=False),
])

FEATURES_SCHEMA = pa.schema([
    pa.field("feature_id", pa.int64(), nullable=False),
    pa.field("feature_key", pa.string(), nullable=False),
    pa.field("feature_kind", pa.string(), nullable=False),
    pa.field("label", pa.string(), nullable=False),
    pa.field("gene_id", pa.string()),
    pa.field("protein_id", pa.string()),
    pa.field("residue", pa.string()),
    pa.field("site_position", pa.int32()),
    pa.field("flanking_peptide", pa.string()),
])

GENES_SCHEMA = pa.schema([
    pa.field("gene_id", pa.string(), nullable=False),
    pa.field("taxon_id", pa.string(), nullable=False),
    pa.field("symbol", pa.string(), nullable=False),
    pa.field("name", pa.string()),
    pa.field("type_of_gene", pa.string()),
    pa.field("chromosome", pa.string()),
    pa.field("map_location", pa.string()),
    pa.field("locus_tag", pa.string()),
    pa.field("nomenclature_status", pa.string()),
    pa.field("modification_date", pa.date32()),
    pa.field("release_id", pa.int64(), nullable=False),
])

PARTITION_KEYS = {
    "values": ["cohort", "omics", "dataset"],
    "samples": ["cohort"],
    "clinical": ["cohort"],
    "clinical_attributes": ["cohort"],
    "datasets": [],
    "features": [],
    "genes": [],
}


# ---------------------------------------------------------------------------------------------
# What an export wrote


@dataclasses.dataclass(frozen=True)
class ExportedFile:
    path: str  # relative to the export folder, '/'-separated
    table: str
    rows: int
    bytes: int
    sha256: str


@dataclasses.dataclass(frozen=True)
class ExportedDataset:
    dataset: Dataset
    file: ExportedFile
    n_features: int
    n_samples: int
    n_present: int

    @property
    def n_values(self) -> int:
        return self.file.rows


@dataclasses.dataclass
class ExportResult:
    directory: Path
    cohorts: list[str]
    datasets: list[ExportedDataset]
    files: list[ExportedFile]  # every Parquet file, datasets' included
    manifest: dict[str, Any]
    notes: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    @property
    def n_values(self) -> int:
        return sum(d.n_values for d in self.datasets)

    @property
    def n_present(self) -> int:
        return sum(d.n_present for d in self.datasets)

    @property
    def bytes(self) -> int:
        """Bytes of every file written, the manifest included."""
        return sum(f.bytes for f in self.files) + (self.directory / MANIFEST).stat().st_size

    def rows(self, table: str) -> int:
        return sum(f.rows for f in self.files if f.table == table)


# ---------------------------------------------------------------------------------------------
# Partition paths


def hive_segment(key: str, value: str) -> str:
    """`key=value` with the characters Hive and Spark escape in partition values written as %XX (UTF-8)."""
    if value == "":
        raise ExportError(f"empty {key} name: cannot be a partition folder")
    escaped = "".join("".join(f"%{b:02X}" for b in ch.encode("utf-8")) if ch in _ESCAPED else ch for ch in value)
    return f"{key}={escaped}"


def values_path(dataset: Dataset) -> str:
    return "/".join(["values", hive_segment("cohort", dataset.cohort_code), hive_segment("omics", dataset.omics_type), hive_segment("dataset", dataset.name), PART])


def cohort_path(table: str, cohort: str) -> str:
    return f"{table}/{hive_segment('cohort', cohort)}/{PART}"


# ---------------------------------------------------------------------------------------------
# Selection


def known_omics(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.text("SELECT code FROM omics_type ORDER BY code")).scalars())


def resolve_omics(conn: sa.Connection, name: str) -> str:
    """The omics type code `name` names, in any case; LookupFailed (exit 1) naming the known ones."""
    known = known_omics(conn)
    found = [code for code in known if code.lower() == name.strip().lower()]
    if not found:
        raise LookupFailed(f"unknown omics type {name!r} (known: {', '.join(known) or 'none'})")
    return found[0]


def select_datasets(conn: sa.Connection, cohorts: Sequence[str] = (), omics: Sequence[str] = ()) -> tuple[list[Dataset], list[str]]:
    """(datasets, notes): the datasets of the cohorts (codes or aliases, any case; none = all) and
    omics types (none = all). Unknown cohorts or omics types are LookupFailed (exit 1); a selection
    with no dataset is NothingToExport (exit 1)."""
    codes = list(dict.fromkeys(resolve_cohort(conn, c) for c in cohorts))
    types = list(dict.fromkeys(resolve_omics(conn, o) for o in omics))
    chosen = [d for d in list_datasets(conn) if (not codes or d.cohort_code in codes) and (not types or d.omics_type in types)]
    what = (f" of omics {', '.join(types)}" if types else "")
    if not chosen:
        where = f"cohort {', '.join(codes)}" if codes else "the database"
        raise NothingToExport(f"nothing to export: {where} holds no datasets{what}")
    notes = [f"cohort {c} has no datasets{what}: nothing exported for it" for c in codes if not any(d.cohort_code == c for d in chosen)]
    return chosen, notes


# ---------------------------------------------------------------------------------------------
# The destination: checked first, written beside, renamed at the end


def _is_export(directory: Path) -> bool:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == EXPORT_FORMAT


def check_destination(directory: Path, overwrite: bool) -> None:
    """Refuse (ExportError, exit 2) a destination the export may not take: a file, a symbolic link,
    a folder that is not empty (unless `overwrite` and it holds an earlier export), a missing parent."""
    if directory.is_symlink():
        raise ExportError(f"{directory} is a symbolic link: give the folder it points to")
    if directory.exists():
        if not directory.is_dir():
            raise ExportError(f"{directory} exists and is not a folder")
        if any(directory.iterdir()):
            if not overwrite:
                raise ExportError(f"{directory} exists and is not empty (use --overwrite to replace an earlier export)")
            if not _is_export(directory):
                raise ExportError(f"{directory} is not empty and holds no omicskb export ({MANIFEST}): refusing to replace it")
    parent = directory.parent
    if not parent.is_dir():
        raise ExportError(f"cannot create {directory}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"cannot create {directory}: folder {parent} is not writable")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _place(staging: Path, directory: Path, overwrite: bool) -> list[str]:
    """Rename the finished export `staging` to `directory`; an earlier export there goes only now."""
    check_destination(directory, overwrite)  # again: something may have appeared meanwhile
    notes: list[str] = []
    if not directory.exists():
        os.rename(staging, directory)
        return notes
    if not any(directory.iterdir()):
        os.rmdir(directory)
        os.rename(staging, directory)
        return notes
    old = Path(tempfile.mkdtemp(prefix=f".{directory.name}.omicskb-replaced-", dir=directory.parent))
    os.rmdir(old)
    os.rename(directory, old)
    try:
        os.rename(staging, directory)
    except BaseException:
        os.rename(old, directory)
        raise
    try:
        shutil.rmtree(old)
    except OSError as exc:
        notes.append(f"the replaced export is left in {old}: {exc}")
    return notes


# ---------------------------------------------------------------------------------------------
# Writing


def _file_metadata(**items: Any) -> dict[bytes, bytes]:
    return {f"omicskb.{k}".encode(): str(v).encode() for k, v in items.items()}


def _finish(root: Path, relative: str, table: str, rows: int) -> ExportedFile:
    path = root / relative
    return ExportedFile(path=relative, table=table, rows=rows, bytes=path.stat().st_size, sha256=sha256_file(path))


def _write_table(root: Path, relative: str, table_name: str, table: pa.Table, metadata: dict[bytes, bytes]) -> ExportedFile:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.replace_schema_metadata(metadata), path, compression=COMPRESSION)
    return _finish(root, relative, table_name, table.num_rows)


def _rows_table(rows: Sequence[Sequence[Any]], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows)) if rows else [[] for _ in schema]
    return pa.Table.from_arrays([pa.array(list(col), type=field.type) for col, field in zip(columns, schema)], schema=schema)


def _expanding(sql: str, *names: str) -> sa.TextClause:
    return sa.text(sql).bindparams(*(sa.bindparam(n, expanding=True) for n in names))


def _write_values(conn: sa.Connection, root: Path, dataset: Dataset, common: dict[bytes, bytes]) -> tuple[ExportedDataset, list[int], list[str]]:
    """One dataset's matrix as its long, dense Parquet file. Returns it with its sample axis."""
    feature_ids, values = fetch_dataset_values(conn, dataset.dataset_id, dataset.n_samples)
    rows = conn.execute(
        sa.text(
            "SELECT m.row_ord, m.feature_id, m.raw_identifier, f.label, f.gene_id FROM measurement_row AS m "
            "JOIN feature AS f ON f.feature_id = m.feature_id WHERE m.dataset_id = :d ORDER BY m.row_ord"
        ),
        {"d": dataset.dataset_id},
    ).all()
    samples = conn.execute(
        sa.text(
            "SELECT ds.sample_ord, ds.sample_id, s.sample_label, ds.column_label FROM dataset_sample AS ds "
            "JOIN sample AS s ON s.sample_id = ds.sample_id WHERE ds.dataset_id = :d ORDER BY ds.sample_ord"
        ),
        {"d": dataset.dataset_id},
    ).all()
    n_features, n_samples = values.shape
    feature_ids = np.asarray(feature_ids, dtype=np.int64)
    if len(rows) != n_features or not np.array_equal(feature_ids, np.array([r.feature_id for r in rows], dtype=np.int64)):
        raise OmicsKBError(f"{dataset.label}: its value rows and feature rows disagree (was the dataset being replaced?)")
    if len(samples) != n_samples:
        raise OmicsKBError(f"{dataset.label}: {len(samples)} columns in dataset_sample, {n_samples} values per row")
    row_ord = np.array([r.row_ord for r in rows], dtype=np.int32)
    gene_ids = pa.array([r.gene_id for r in rows], type=pa.string())
    labels = pa.array([r.label for r in rows], type=pa.string())
    raw = pa.array([r.raw_identifier for r in rows], type=pa.string())
    sample_ord = np.array([s.sample_ord for s in samples], dtype=np.int32)
    sample_ids = np.array([s.sample_id for s in samples], dtype=np.int64)
    sample_labels = pa.array([s.sample_label for s in samples], type=pa.string())
    column_labels = pa.array([s.column_label for s in samples], type=pa.string())

    relative = values_path(dataset)
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    # Only what every file shares: readers of the whole folder show the first file's metadata.
    schema = VALUES_SCHEMA.with_metadata(common)
    present = 0
    per_chunk = max(1, CHUNK_VALUES // max(1, n_samples))
    with pq.ParquetWriter(path, schema, compression=COMPRESSION) as writer:
        for start in range(0, n_features, per_chunk):
            stop = min(n_features, start + per_chunk)
            n = stop - start
            features = pa.array(np.repeat(np.arange(start, stop, dtype=np.int64), n_samples))
            columns = pa.array(np.tile(np.arange(n_samples, dtype=np.int64), n))
            block = np.ascontiguousarray(values[start:stop], dtype=np.float64).reshape(-1)
            missing = np.isnan(block)
            present += int(block.size - missing.sum())
            writer.write_table(pa.Table.from_arrays([
                pa.array(np.full(block.size, dataset.dataset_id, dtype=np.int64)),
                pa.array(np.repeat(row_ord[start:stop], n_samples)),
                pa.array(np.repeat(feature_ids[start:stop], n_samples)),
                gene_ids.take(features),
                labels.take(features),
                raw.take(features),
                pa.array(np.tile(sample_ord, n)),
                pa.array(np.tile(sample_ids, n)),
                sample_labels.take(columns),
                column_labels.take(columns),
                pa.array(block, mask=missing),
            ], schema=schema))
    exported = ExportedDataset(dataset=dataset, file=_finish(root, relative, "values", n_features * n_samples),
                               n_features=n_features, n_samples=n_samples, n_present=present)
    return exported, sample_ids.tolist(), sample_labels.to_pylist()


def _dataset_columns(conn: sa.Connection, dataset_ids: list[int]) -> dict[int, sa.Row]:
    """The dataset columns etl.datasets.Dataset leaves out."""
    rows = conn.execute(
        _expanding("SELECT dataset_id, source_format, n_unresolved, release_id FROM dataset WHERE dataset_id IN :ids", "ids"), {"ids": dataset_ids}
    ).all()
    return {int(r.dataset_id): r for r in rows}


def _cohort_tables(conn: sa.Connection, root: Path, cohort: str, common: dict[bytes, bytes]) -> list[ExportedFile]:
    samples = conn.execute(
        sa.text(
            "SELECT s.sample_id, s.sample_label, s.sample_type, st.is_normal, s.patient_id, p.patient_label, s.is_excluded, s.is_replicate, "
            "s.stat_role, s.release_id FROM sample AS s LEFT JOIN sample_type AS st ON st.code = s.sample_type "
            "LEFT JOIN patient AS p ON p.patient_id = s.patient_id WHERE s.cohort_code = :c ORDER BY s.sample_id"
        ),
        {"c": cohort},
    ).all()
    # The sample_clinical view's rows, with keyed_by and release_id.
    clinical = conn.execute(
        sa.text(
            "SELECT * FROM ("
            " SELECT s.sample_id, s.sample_label, a.attribute_id, a.name, a.clinical_type, 'sample' AS keyed_by, v.value_text, v.value_number, v.event, v.release_id"
            " FROM clinical_value AS v JOIN clinical_attribute AS a ON a.attribute_id = v.attribute_id JOIN sample AS s ON s.sample_id = v.sample_id"
            " WHERE s.cohort_code = :c"
            " UNION ALL"
            " SELECT s.sample_id, s.sample_label, a.attribute_id, a.name, a.clinical_type, 'patient' AS keyed_by, v.value_text, v.value_number, v.event, v.release_id"
            " FROM clinical_value AS v JOIN clinical_attribute AS a ON a.attribute_id = v.attribute_id JOIN sample AS s ON s.patient_id = v.patient_id"
            " WHERE v.sample_id IS NULL AND s.cohort_code = :c"
            ") AS q ORDER BY sample_id, attribute_id"
        ),
        {"c": cohort},
    ).all()
    attributes = conn.execute(
        sa.text("SELECT attribute_id, name, clinical_type, keyed_by, release_id FROM clinical_attribute WHERE cohort_code = :c ORDER BY attribute_id"),
        {"c": cohort},
    ).all()
    levels: dict[int, list[str]] = {}
    for attribute_id, value in conn.execute(
        sa.text("SELECT l.attribute_id, l.level_value FROM clinical_level AS l JOIN clinical_attribute AS a ON a.attribute_id = l.attribute_id "
                "WHERE a.cohort_code = :c ORDER BY l.attribute_id, l.level_order"),
        {"c": cohort},
    ):
        levels.setdefault(attribute_id, []).append(value)
    attribute_rows = [(a.attribute_id, a.name, a.clinical_type, a.keyed_by, levels.get(a.attribute_id), a.release_id) for a in attributes]
    return [
        _write_table(root, cohort_path("samples", cohort), "samples", _rows_table(samples, SAMPLES_SCHEMA), common),
        _write_table(root, cohort_path("clinical", cohort), "clinical", _rows_table(clinical, CLINICAL_SCHEMA), common),
        _write_table(root, cohort_path("clinical_attributes", cohort), "clinical_attributes", _rows_table(attribute_rows, CLINICAL_ATTRIBUTES_SCHEMA), common),
    ]


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _releases(conn: sa.Connection, release_ids: Iterable[int]) -> list[dict[str, Any]]:
    ids = sorted(set(release_ids))
    if not ids:
        return []
    rows = conn.execute(_expanding("SELECT * FROM source_release WHERE release_id IN :ids ORDER BY release_id", "ids"), {"ids": ids}).all()
    return [{k: _json_value(v) for k, v in row._mapping.items()} for row in rows]


def _release_ids(conn: sa.Connection, sql: str, **params: Any) -> set[int]:
    return {int(r) for r in conn.execute(_expanding(sql, *[k for k, v in params.items() if isinstance(v, list)]), params).scalars() if r is not None}


# ---------------------------------------------------------------------------------------------
# The export


def export_database(
    engine: sa.Engine,
    directory: str | os.PathLike[str],
    *,
    cohorts: Sequence[str] = (),
    omics: Sequence[str] = (),
    overwrite: bool = False,
    database: str | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> ExportResult:
    """Write the datasets of `cohorts` (codes or aliases; none = all) and `omics` (none = all), with
    their samples, clinical values, features, genes and a manifest, to `directory` (layout in the
    module docstring). Reads only. `database` is how the manifest names the source (a URL's password
    masked; default: the engine's URL, masked). Raises ExportError (exit 2) for a destination it may
    not write, LookupFailed (exit 1) for an unknown cohort or omics type or an empty selection; on any
    failure nothing is left at `directory` or beside it."""
    started = datetime.datetime.now(datetime.UTC)
    directory = Path(directory).expanduser().absolute()
    check_destination(directory, overwrite)
    progress = on_progress or (lambda _message: None)
    if database is None:
        database = display_target(engine.url.render_as_string(hide_password=False))
    conn = engine.connect()
    if not is_duckdb(conn):
        # Every table from one snapshot, though loads may commit meanwhile.
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    staging: Path | None = None
    try:
        with conn.begin():
            chosen, notes = select_datasets(conn, cohorts, omics)
            staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.omicskb-export-", dir=directory.parent))
            os.chmod(staging, 0o777 & ~_umask())  # mkdtemp's 0700 would outlive the rename
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            common = _file_metadata(export_format=f"{EXPORT_FORMAT}/{EXPORT_FORMAT_VERSION}", version=__version__, schema_revision=revision)
            result = _export(conn, staging, chosen, common, progress)
            result.notes += notes
            manifest = _manifest(conn, result, started, revision, database, list(cohorts), list(omics))
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        result.manifest = manifest
        progress("")
        result.notes += _place(staging, directory, overwrite)
        staging = None
    except OSError as exc:  # a full disk, a permission: one line, nothing left behind (below)
        where = exc.filename or directory
        raise ExportError(f"cannot write the export to {directory}: {exc.strerror or exc}" + (f" ({where})" if where != directory else "")) from exc
    finally:
        conn.close()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    result.directory = directory
    result.seconds = (datetime.datetime.now(datetime.UTC) - started).total_seconds()
    return result


def _export(conn: sa.Connection, root: Path, chosen: list[Dataset], common: dict[bytes, bytes], progress: Callable[[str], None]) -> ExportResult:
    paths: dict[str, Dataset] = {}
    for dataset in chosen:
        folded = values_path(dataset).casefold()
        if folded in paths:  # the same folder on a case-insensitive file system
            raise ExportError(f"datasets {paths[folded].label} and {dataset.label} differ only by case: their folders would collide")
        paths[folded] = dataset
    extra = _dataset_columns(conn, [d.dataset_id for d in chosen])
    exported: list[ExportedDataset] = []
    axes: dict[int, tuple[list[int], list[str]]] = {}
    for i, dataset in enumerate(chosen, 1):
        progress(f"export: dataset {i}/{len(chosen)} {dataset.label} ({dataset.n_features:,} x {dataset.n_samples})")
        done, sample_ids, sample_labels = _write_values(conn, root, dataset, common)
        exported.append(done)
        axes[dataset.dataset_id] = (sample_ids, sample_labels)
    files = [d.file for d in exported]
    cohorts = list(dict.fromkeys(d.cohort_code for d in chosen))
    for cohort in cohorts:
        progress(f"export: samples and clinical values of {cohort}")
        files += _cohort_tables(conn, root, cohort, common)
    progress("export: datasets, features and genes")
    datasets_rows = [
        (d.dataset.dataset_id, d.dataset.cohort_code, d.dataset.omics_type, d.dataset.name, d.dataset.unit, d.dataset.feature_kind,
         extra[d.dataset.dataset_id].source_format, d.dataset.sample_scope, d.dataset.is_default, d.dataset.pair_role,
         d.dataset.paired_with, d.dataset.paired_name, d.dataset.declared_by, d.n_features, d.n_samples, d.n_values, d.n_present,
         d.n_values - d.n_present, extra[d.dataset.dataset_id].n_unresolved, extra[d.dataset.dataset_id].release_id, d.file.path,
         *axes[d.dataset.dataset_id])
        for d in exported
    ]
    files.append(_write_table(root, f"datasets/{PART}", "datasets", _rows_table(datasets_rows, DATASETS_SCHEMA), common))
    ids = [d.dataset_id for d in chosen]
    features = conn.execute(
        _expanding(
            "SELECT feature_id, feature_key, feature_kind, label, gene_id, protein_id, residue, site_position, flanking_peptide FROM feature "
            "WHERE feature_id IN (SELECT feature_id FROM measurement_row WHERE dataset_id IN :ids) ORDER BY feature_id", "ids"),
        {"ids": ids},
    ).all()
    files.append(_write_table(root, f"features/{PART}", "features", _rows_table(features, FEATURES_SCHEMA), common))
    genes = conn.execute(
        _expanding(
            "SELECT gene_id, taxon_id, symbol, name, type_of_gene, chromosome, map_location, locus_tag, nomenclature_status, modification_date, release_id "
            "FROM gene WHERE gene_id IN (SELECT f.gene_id FROM feature AS f WHERE f.feature_id IN "
            "(SELECT feature_id FROM measurement_row WHERE dataset_id IN :ids)) ORDER BY gene_id", "ids"),
        {"ids": ids},
    ).all()
    files.append(_write_table(root, f"genes/{PART}", "genes", _rows_table(genes, GENES_SCHEMA), common))
    return ExportResult(directory=root, cohorts=cohorts, datasets=exported, files=files, manifest={})


def _manifest(conn: sa.Connection, result: ExportResult, started: datetime.datetime, revision: str | None, database: str,
              cohort_filter: list[str], omics_filter: list[str]) -> dict[str, Any]:
    ids = [d.dataset.dataset_id for d in result.datasets]
    used_by: dict[int, set[str]] = {}

    def use(table: str, release_ids: Iterable[int]) -> None:
        for release_id in release_ids:
            used_by.setdefault(release_id, set()).add(table)

    dataset_release = dict(conn.execute(_expanding("SELECT dataset_id, release_id FROM dataset WHERE dataset_id IN :ids", "ids"), {"ids": ids}).all())
    use("datasets", dataset_release.values())
    cohorts = result.cohorts
    use("cohorts", _release_ids(conn, "SELECT release_id FROM cohort WHERE cohort_code IN :c", c=cohorts))
    use("samples", _release_ids(conn, "SELECT DISTINCT release_id FROM sample WHERE cohort_code IN :c", c=cohorts))
    use("clinical_attributes", _release_ids(conn, "SELECT DISTINCT release_id FROM clinical_attribute WHERE cohort_code IN :c", c=cohorts))
    use("clinical", _release_ids(
        conn,
        "SELECT DISTINCT v.release_id FROM clinical_value AS v JOIN clinical_attribute AS a ON a.attribute_id = v.attribute_id WHERE a.cohort_code IN :c",
        c=cohorts,
    ))
    use("genes", _release_ids(
        conn,
        "SELECT DISTINCT g.release_id FROM gene AS g WHERE g.gene_id IN (SELECT f.gene_id FROM feature AS f WHERE f.feature_id IN "
        "(SELECT feature_id FROM measurement_row WHERE dataset_id IN :ids))",
        ids=ids,
    ))
    releases = _releases(conn, used_by)
    by_id = {r["release_id"]: r for r in releases}
    for release in releases:
        release["used_by"] = sorted(used_by[release["release_id"]])
    tables: dict[str, Any] = {}
    for table, keys in PARTITION_KEYS.items():
        files = [f for f in result.files if f.table == table]
        tables[table] = {
            "path": table, "partitioned_by": keys, "rows": sum(f.rows for f in files),
            "files": [{"path": f.path, "rows": f.rows, "bytes": f.bytes, "sha256": f.sha256} for f in files],
        }
    datasets = []
    for d in result.datasets:
        release_id = int(dataset_release[d.dataset.dataset_id])
        release = {k: v for k, v in by_id[release_id].items() if k != "used_by"}
        datasets.append({
            "dataset_id": d.dataset.dataset_id, "cohort": d.dataset.cohort_code, "omics": d.dataset.omics_type, "name": d.dataset.name,
            "unit": d.dataset.unit, "is_default": d.dataset.is_default, "pair_role": d.dataset.pair_role, "paired_with": d.dataset.paired_name,
            "path": d.file.path, "rows": d.file.rows, "n_features": d.n_features, "n_samples": d.n_samples,
            "n_present": d.n_present, "n_missing": d.n_values - d.n_present, "bytes": d.file.bytes, "sha256": d.file.sha256,
            "release_id": release_id, "release": release,
        })
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "omicskb_version": __version__,
        "schema_revision": revision,
        "exported_at": started.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "database": database,
        "backend": conn.dialect.name,
        "filters": {"cohort": cohort_filter, "omics": omics_filter},
        "cohorts": cohorts,
        "layout": {
            "partitioning": "hive",
            "partition_values": "strings: cohort code, omics type, dataset name; characters Hive and Spark escape in paths are written as %XX",
            "compression": COMPRESSION,
            "values": "long and dense: one row per (feature, sample) cell of each dataset's matrix, ordered by row_ord then sample_ord",
            "missing_values": "kept as rows with value NULL (not dropped, never NaN)",
        },
        "totals": {
            "datasets": len(result.datasets), "values": result.n_values, "present": result.n_present,
            "missing": result.n_values - result.n_present, "parquet_files": len(result.files), "parquet_bytes": sum(f.bytes for f in result.files),
        },
        "tables": tables,
        "datasets": datasets,
        "releases": releases,
    }
