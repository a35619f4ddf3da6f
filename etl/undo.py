"""Undo: roll a release back, remove a dataset, remove a cohort's data.

Each undo is one transaction, logged in the run log (command, rows removed and restored), and has
a dry run that does the same work and rolls it back.

- **Rollback** of the current release of a slot deletes every row the release wrote and restores,
  from `release_archive`, the rows it deleted or overwrote; the release(s) it replaced become
  current again. A release that replaced nothing (the first load of its slot) is simply removed.
  Genes are never deleted: a gene only the rolled-back release had stays, with its record.
  Samples, patients, attributes and cohorts the release created stay when other data still
  refers to them, and the report says so.
- **remove dataset** deletes one dataset (values, columns, MAF rows) and marks its release removed.
- **remove cohort** deletes a cohort's datasets, samples, patients and clinical data; the cohort
  itself (code, name, aliases) stays, so it can be loaded again.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter

import sqlalchemy as sa

from omicskb.etl import __version__, datasets, releases
from omicskb.etl.db import analyze_tables, count_then_delete, utcnow
from omicskb.etl.errors import LookupFailed, OmicsKBError
from omicskb.etl.loaders import bound
from omicskb.etl.runs import change_in_one_transaction, finish_run, record_run


class UndoRefused(OmicsKBError):
    """The undo cannot be done as asked (exit 1): a release that is not current, for example."""

    exit_code = 1


@dataclasses.dataclass
class UndoReport:
    command: str
    run_id: int | None
    dry_run: bool
    removed: Counter[str] = dataclasses.field(default_factory=Counter)
    restored: Counter[str] = dataclasses.field(default_factory=Counter)
    kept: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_removed(self) -> int:
        return sum(self.removed.values())

    @property
    def rows_restored(self) -> int:
        return sum(self.restored.values())


# Children before parents: deleting in this order keeps PostgreSQL's foreign keys satisfied, and
# restoring in the reverse order does too.
TABLE_ORDER = (
    "measurement_row", "dataset_sample", "mutation", "dataset_pair", "clinical_value", "clinical_level",
    "dataset", "clinical_attribute", "sample", "patient", "cohort_alias", "cohort",
    "gene_go_annotation", "go_closure", "go_relation", "go_successor", "go_alt_id", "go_term",
    "gene_symbol", "gene_xref", "ortholog", "species_gene", "gene_summary", "gene_category",
    "transcript", "transcript_selection", "gene",
)
# Tables a load updates in place: restored rows overwrite the release's version of the same key.
UPSERTED = {
    "gene": ("gene_id",), "sample": ("sample_id",), "patient": ("patient_id",), "clinical_attribute": ("attribute_id",),
    "dataset": ("dataset_id",), "cohort": ("cohort_code",), "cohort_alias": ("alias",), "dataset_pair": ("tumor_dataset_id",),
}
# Rows a release owns, for tables without a release_id of their own.
OWNED_VIA = {
    "measurement_row": "dataset_id IN (SELECT dataset_id FROM dataset WHERE release_id = :r)",
    "dataset_sample": "dataset_id IN (SELECT dataset_id FROM dataset WHERE release_id = :r)",
    "dataset_pair": "tumor_dataset_id IN (SELECT dataset_id FROM dataset WHERE release_id = :r) OR normal_dataset_id IN (SELECT dataset_id FROM dataset WHERE release_id = :r)",
    "clinical_level": "attribute_id IN (SELECT attribute_id FROM clinical_attribute WHERE release_id = :r)",
}
# A row the release created in these tables is deleted only when nothing refers to it any more.
STILL_REFERENCED = {
    "sample": "EXISTS (SELECT 1 FROM dataset_sample AS x WHERE x.sample_id = sample.sample_id) "
              "OR EXISTS (SELECT 1 FROM mutation AS x WHERE x.sample_id = sample.sample_id) "
              "OR EXISTS (SELECT 1 FROM clinical_value AS x WHERE x.sample_id = sample.sample_id)",
    "patient": "EXISTS (SELECT 1 FROM sample AS x WHERE x.patient_id = patient.patient_id) "
               "OR EXISTS (SELECT 1 FROM clinical_value AS x WHERE x.patient_id = patient.patient_id)",
    "clinical_attribute": "EXISTS (SELECT 1 FROM clinical_value AS x WHERE x.attribute_id = clinical_attribute.attribute_id)",
    "cohort": "EXISTS (SELECT 1 FROM sample AS x WHERE x.cohort_code = cohort.cohort_code) "
              "OR EXISTS (SELECT 1 FROM patient AS x WHERE x.cohort_code = cohort.cohort_code) "
              "OR EXISTS (SELECT 1 FROM dataset AS x WHERE x.cohort_code = cohort.cohort_code) "
              "OR EXISTS (SELECT 1 FROM clinical_attribute AS x WHERE x.cohort_code = cohort.cohort_code)",
    "gene": "TRUE",  # genes are never deleted
}


def _owned(table: str) -> str:
    return OWNED_VIA.get(table, "release_id = :r")


def _run(engine: sa.Engine, command: str, source_kind: str | None, dry_run: bool, work) -> UndoReport:
    """Run `work(conn, report)` in one transaction, logged as a run (not for a dry run)."""
    started = time.perf_counter()
    report = UndoReport(command + (" --dry-run" if dry_run else ""), None, dry_run)
    run_id = None
    if not dry_run:
        run_id = record_run(engine, {
            "command": report.command, "source_kind": source_kind, "file_path": "-", "status": "running", "started_at": utcnow(),
            "omicskb_version": __version__,
        })
        report.run_id = run_id
    try:
        _, removals = change_in_one_transaction(engine, lambda conn: work(conn, report), dry_run)
        report.notes.extend(removals)
    except BaseException as exc:
        if run_id is not None:
            reason = str(exc) if isinstance(exc, OmicsKBError) else f"{type(exc).__name__}: {exc}"
            status = "refused" if isinstance(exc, UndoRefused) else "failed"
            finish_run(engine, run_id, {"status": status, "message": (reason.splitlines() or [type(exc).__name__])[0]})
        raise
    report.seconds = time.perf_counter() - started
    if not dry_run:
        analyze_tables(engine, sorted(set(report.removed) | set(report.restored)))
    if run_id is not None:
        finish_run(engine, run_id, {
            "status": "ok", "rows_removed": report.rows_removed, "rows_loaded": report.rows_restored, "rows_read": 0, "rows_rejected": 0,
            "message": "; ".join(report.notes + report.kept) or None,
        })
    return report


# ---------------------------------------------------------------------------------------------
# Rollback


def find_release(conn: sa.Connection, what: str) -> sa.Row:
    """A release by id, or the current release of a slot (`gene_info:9606`,
    `dataset:UCEC/protein/proteomics`) or of a source kind that fills one slot only."""
    columns = "release_id, source_kind, slot_key, state, file_name, loaded_at"
    if what.isdigit():
        row = conn.execute(sa.text(f"SELECT {columns} FROM source_release WHERE release_id = :r"), {"r": int(what)}).first()
        if row is None:
            raise LookupFailed(f"no release {what}")
        return row
    rows = conn.execute(
        sa.text(f"SELECT {columns} FROM source_release WHERE state = 'current' AND (slot_key = :w OR source_kind = :w) ORDER BY release_id"), {"w": what}
    ).all()
    if not rows:
        raise LookupFailed(f"no current release of {what!r} (give a release id, a slot such as gene_info:9606, or a source kind; see 'omicskb releases')")
    if len(rows) > 1:
        slots = ", ".join(f"{r.slot_key} (release {r.release_id})" for r in rows)
        raise LookupFailed(f"{what!r} names {len(rows)} current releases: {slots}; give one")
    return rows[0]


def rollback(engine: sa.Engine, what: str, dry_run: bool = False) -> UndoReport:
    with engine.connect() as conn:
        release = find_release(conn, what)
    if release.state != "current":
        raise UndoRefused(
            f"release {release.release_id} ({release.file_name}) is {release.state}, not current: only the current release of a slot can be rolled back"
        )
    return _run(engine, f"rollback {release.release_id}", release.source_kind, dry_run, lambda conn, report: _rollback(conn, report, release))


def _rollback(conn: sa.Connection, report: UndoReport, release: sa.Row) -> None:
    r = release.release_id
    params = {"r": r}
    archive = releases.read_archive(conn, r)
    groups = {tuple(g) for g in conn.execute(sa.text("SELECT cohort_code, omics_type FROM dataset WHERE release_id = :r"), params)}
    # Pre-image keys of updated rows: those rows are restored below, not deleted.
    restored_keys = {
        table: {tuple(row) for row in zip(*(archive[table].column(k).to_pylist() for k in key))}
        for table, key in UPSERTED.items() if table in archive
    }
    for table in TABLE_ORDER:
        owned = _owned(table)
        if table in UPSERTED:
            key = UPSERTED[table]
            candidates = conn.execute(sa.text(f"SELECT {', '.join(key)} FROM {table} WHERE {owned}"), params).all()
            fresh = [tuple(c) for c in candidates if tuple(c) not in restored_keys.get(table, set())]
            if not fresh:
                continue
            if table in STILL_REFERENCED:
                kept = conn.execute(*bound(
                    f"SELECT count(*) FROM {table} WHERE {owned} AND ({STILL_REFERENCED[table]}) AND {key[0]} IN :fresh", {**params, "fresh": [f[0] for f in fresh]}
                )).scalar_one()
                if kept and table == "gene":
                    report.kept.append(f"kept {kept:,} gene(s) only release {r} had (genes are never deleted)")
                elif kept:
                    report.kept.append(f"kept {kept:,} {table} row(s) of release {r} that other data still refers to")
                deleted = count_then_delete(conn, table, f"{owned} AND NOT ({STILL_REFERENCED[table]}) AND {key[0]} IN :fresh", {**params, "fresh": [f[0] for f in fresh]}, bound)
            else:
                deleted = count_then_delete(conn, table, f"{owned} AND {key[0]} IN :fresh", {**params, "fresh": [f[0] for f in fresh]}, bound)
        else:
            deleted = count_then_delete(conn, table, owned, params)
        if deleted:
            report.removed[table] += deleted
    for table in reversed(TABLE_ORDER):
        if table in archive:
            report.restored[table] += releases.restore_rows(conn, table, archive[table], UPSERTED.get(table))
    replaced = conn.execute(sa.text("SELECT replaced_release_id FROM release_replacement WHERE release_id = :r"), params).scalars().all()
    conn.execute(sa.text("UPDATE source_release SET state = 'removed' WHERE release_id = :r"), params)
    for old in replaced:
        conn.execute(sa.text("UPDATE source_release SET state = 'current' WHERE release_id = :o"), {"o": old})
    conn.execute(sa.text("DELETE FROM release_archive WHERE release_id = :r"), params)
    for cohort, omics in sorted(groups):  # one default per (cohort, omics) that still has datasets
        report.notes.extend(datasets.settle_group(conn, cohort, omics, reason=f"release {r} rolled back"))
    if replaced:
        report.notes.append(f"release {r} removed; release(s) {', '.join(map(str, replaced))} current again")
    else:
        report.notes.append(f"release {r} removed; it replaced nothing, so its slot {release.slot_key} is now empty")


# ---------------------------------------------------------------------------------------------
# Removals


def remove_dataset(engine: sa.Engine, cohort: str, omics: str, name: str, dry_run: bool = False) -> UndoReport:
    from omicskb.etl.cohort_names import resolve_cohort

    with engine.connect() as conn:
        code = resolve_cohort(conn, cohort)
        row = conn.execute(
            sa.text("SELECT d.dataset_id, d.release_id, r.source_kind FROM dataset AS d JOIN source_release AS r ON r.release_id = d.release_id "
                    "WHERE d.cohort_code = :c AND d.omics_type = :o AND d.name = :n"),
            {"c": code, "o": omics, "n": name},
        ).first()
        if row is None:
            names = conn.execute(sa.text("SELECT omics_type || '/' || name FROM dataset WHERE cohort_code = :c ORDER BY 1"), {"c": code}).scalars().all()
            raise LookupFailed(f"no dataset {code}/{omics}/{name} (datasets of {code}: {', '.join(names) or 'none'})")

    def work(conn: sa.Connection, report: UndoReport) -> None:
        _delete_datasets(conn, report, [row.dataset_id])
        report.notes.append(f"removed dataset {code}/{omics}/{name}")

    return _run(engine, f"remove dataset {code} {omics} {name}", row.source_kind, dry_run, work)


def remove_cohort(engine: sa.Engine, cohort: str, dry_run: bool = False) -> UndoReport:
    from omicskb.etl.cohort_names import resolve_cohort

    with engine.connect() as conn:
        code = resolve_cohort(conn, cohort)

    def work(conn: sa.Connection, report: UndoReport) -> None:
        c = {"c": code}
        datasets = conn.execute(sa.text("SELECT dataset_id FROM dataset WHERE cohort_code = :c"), c).scalars().all()
        _delete_datasets(conn, report, list(datasets))
        attributes = "attribute_id IN (SELECT attribute_id FROM clinical_attribute WHERE cohort_code = :c)"
        for table, where in (
            ("clinical_value", attributes),
            ("clinical_level", attributes),
            ("clinical_attribute", "cohort_code = :c"),
            ("sample", "cohort_code = :c"),
            ("patient", "cohort_code = :c"),
        ):
            deleted = count_then_delete(conn, table, where, c)
            if deleted:
                report.removed[table] += deleted
        slots = conn.execute(
            sa.text("SELECT release_id FROM source_release WHERE state <> 'removed' AND (slot_key LIKE :d OR slot_key LIKE :s)"),
            {"d": f"dataset:{code}/%", "s": f"samples:{code}/%"},
        ).scalars().all()
        _retire_releases(conn, list(slots))
        report.notes.append(f"removed the data of cohort {code}; the cohort itself (code, name, aliases) stays")

    return _run(engine, f"remove cohort {code}", None, dry_run, work)


def _delete_datasets(conn: sa.Connection, report: UndoReport, dataset_ids: list[int]) -> None:
    if not dataset_ids:
        return
    ids = {"ids": dataset_ids}
    releases_of = conn.execute(*bound("SELECT DISTINCT release_id FROM dataset WHERE dataset_id IN :ids", ids)).scalars().all()
    report.notes.extend(datasets.forget_datasets(conn, dataset_ids))  # unpair, and hand defaults on, before the rows go
    for table, where in (
        ("measurement_row", "dataset_id IN :ids"),
        ("dataset_sample", "dataset_id IN :ids"),
        ("mutation", "dataset_id IN :ids"),
        ("dataset_pair", "tumor_dataset_id IN :ids OR normal_dataset_id IN :ids"),
        ("dataset", "dataset_id IN :ids"),
    ):
        deleted = count_then_delete(conn, table, where, ids, bound)
        if deleted:
            report.removed[table] += deleted
    _retire_releases(conn, list(releases_of))


def _retire_releases(conn: sa.Connection, release_ids: list[int]) -> None:
    """Releases whose rows are gone: removed, their archives with them (nothing to roll back to)."""
    if not release_ids:
        return
    ids = {"ids": release_ids}
    conn.execute(*bound("UPDATE source_release SET state = 'removed' WHERE release_id IN :ids", ids))
    conn.execute(*bound("DELETE FROM release_archive WHERE release_id IN :ids", ids))
