"""Cohorts, patients and samples: look them up, create them, and load sample sheets (clinical tables).

Default statistical roles, recorded per sample in `sample.stat_role`:
- tumor: sample type tumor, not excluded, not a replicate;
- normal: adjacent normal tissue, not excluded;
- other normal kinds (myometrium, enriched/pooled, blood) are stored but get no role.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from omicskb.etl import cohort_names
from omicskb.etl.db import bulk_insert
from omicskb.etl.loaders import Columns, bound, replace_many, upsert_rows
from omicskb.etl.releases import samples_slot
from omicskb.etl.runs import LoadContext

NORMAL_FOR_STATISTICS = "adjacent_normal"


def resolve_cohort(conn: sa.Connection, code: str, path=None) -> str:
    """The cohort code for `code` or one of its aliases (ccRCC -> CCRCC, HGSC -> OV), case-insensitive."""
    return cohort_names.resolve_cohort(conn, code)


def cohort_for_load(ctx: LoadContext, name: str, display_name: str | None = None) -> str:
    """The code of the cohort a load writes to, created (and noted) on first use."""
    code, created = cohort_names.ensure_cohort(ctx.conn, name, ctx.release_id, display_name)
    if created:
        ctx.notes.append(f"created cohort {code}" + (f" ({display_name})" if display_name else ""))
        ctx.loaded("cohort", 1)
    return code


def stat_role(sample_type: str, excluded: bool, replicate: bool) -> str | None:
    if excluded:
        return None
    if sample_type == "tumor":
        return None if replicate else "tumor"
    if sample_type == NORMAL_FOR_STATISTICS:
        return "normal"
    return None


def ensure_patients(ctx: LoadContext, cohort: str, labels: Iterable[str]) -> dict[str, int]:
    """patient label -> patient_id, creating the patients this cohort does not have yet."""
    wanted = sorted({label for label in labels if label})
    existing = patient_ids(ctx.conn, cohort)
    missing = [label for label in wanted if label not in existing]
    if missing:
        bulk_insert(ctx.conn, "patient", {"patient_label": missing}, extra={"cohort_code": cohort, "release_id": ctx.release_id})
        ctx.loaded("patient", len(missing))
        existing = patient_ids(ctx.conn, cohort)
    return existing


def patient_ids(conn: sa.Connection, cohort: str) -> dict[str, int]:
    rows = conn.execute(sa.text("SELECT patient_label, patient_id FROM patient WHERE cohort_code = :c"), {"c": cohort})
    return {label: pid for label, pid in rows}


def sample_rows(conn: sa.Connection, cohort: str) -> list[sa.Row]:
    return conn.execute(
        sa.text("SELECT sample_id, sample_label, sample_type, patient_id, stat_role FROM sample WHERE cohort_code = :c ORDER BY sample_id"), {"c": cohort}
    ).all()


def upsert_samples(ctx: LoadContext, cohort: str, records: list[tuple[str, str, int | None, bool, bool]]) -> dict[tuple[str, str], int]:
    """records: (label, sample_type, patient_id, excluded, replicate). Returns (label, type) -> sample_id."""
    rows = Columns("cohort_code", "sample_label", "sample_type", "patient_id", "is_excluded", "is_replicate", "stat_role")
    for label, sample_type, patient_id, excluded, replicate in records:
        rows.add(
            cohort_code=cohort, sample_label=label, sample_type=sample_type, patient_id=patient_id,
            is_excluded=excluded, is_replicate=replicate, stat_role=stat_role(sample_type, excluded, replicate),
        )
    upsert_rows(ctx, "sample", rows, key=["cohort_code", "sample_label", "sample_type"])
    return {(r.sample_label, r.sample_type): r.sample_id for r in sample_rows(ctx.conn, cohort)}


def ensure_samples(ctx: LoadContext, cohort: str, labels: list[str], sample_type: str) -> dict[str, int]:
    """For files whose columns are all one type (pan-cancer Tumor/Normal files): label -> sample_id,
    creating the samples (and a patient of the same label) the cohort does not have yet."""
    known = {(r.sample_label, r.sample_type): r.sample_id for r in sample_rows(ctx.conn, cohort)}
    missing = [label for label in labels if (label, sample_type) not in known]
    if missing:
        patients = ensure_patients(ctx, cohort, missing)
        known = upsert_samples(ctx, cohort, [(label, sample_type, patients[label], False, False) for label in missing])
    return {label: known[(label, sample_type)] for label in labels}


def load_sample_sheet(ctx: LoadContext, sheet, cohort: str) -> None:
    """Write a SampleSheet (etl.sources.sample_sheet): patients, samples, attributes, levels, values.

    Attributes the sheet defines replace that cohort's earlier values of the same name.
    """
    ctx.rows_read += len(sheet.samples)
    ctx.set_slot(samples_slot(cohort, ctx.source_kind))
    if sheet.fallback_lines:
        ctx.notes.append(
            f"{len(sheet.fallback_lines)} line(s) were not valid UTF-8 and were read as cp1252 "
            f"(lines {', '.join(map(str, sheet.fallback_lines[:8]))}{', ...' if len(sheet.fallback_lines) > 8 else ''})"
        )
    patients = ensure_patients(ctx, cohort, [s.patient or s.label for s in sheet.samples] if sheet.level == "sample" else [s.label for s in sheet.samples])
    owner_ids: list[int]
    if sheet.level == "sample":
        records = [(s.label, s.sample_type, patients[s.patient or s.label], s.excluded, s.replicate) for s in sheet.samples]
        unknown = sheet.unknown_type_samples
        if unknown:
            names = ", ".join(s.label for s in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
            ctx.notes.append(f"{len(unknown)} sample(s) have no type in the file and are stored as 'unknown', with no statistical role ({names})")
        if sheet.type_attribute is None:
            ctx.notes.append(f"the file has no sample-type column: every sample is '{sheet.samples[0].sample_type}' (the reader's documented default)")
        # Labels are unique: every sample-sheet reader rejects a repeated one with its line.
        ids = upsert_samples(ctx, cohort, records)
        owner_ids = [ids[(label, sample_type)] for label, sample_type, *_ in records]
        owner_column = "sample_id"
    else:
        owner_ids = [patients[s.label] for s in sheet.samples]
        owner_column = "patient_id"
    if not sheet.attributes:
        return
    attributes = Columns("cohort_code", "name", "clinical_type", "keyed_by")
    for attribute in sheet.attributes:
        attributes.add(cohort_code=cohort, name=attribute.name, clinical_type=attribute.kind, keyed_by=sheet.level)
    upsert_rows(ctx, "clinical_attribute", attributes, key=["cohort_code", "name"], claim_all=True)  # its levels are replaced whole
    attribute_ids = dict(
        ctx.conn.execute(*bound("SELECT name, attribute_id FROM clinical_attribute WHERE cohort_code = :c AND name IN :names", {"c": cohort, "names": [a.name for a in sheet.attributes]})).all()
    )
    ids = list(attribute_ids.values())
    levels = Columns("attribute_id", "level_order", "level_value")
    values = Columns("attribute_id", "sample_id", "patient_id", "value_text", "value_number", "event")
    other_column = "patient_id" if owner_column == "sample_id" else "sample_id"

    def owner_of(owner: int) -> dict[str, int | None]:
        return {owner_column: owner, other_column: None}

    for attribute in sheet.attributes:
        attribute_id = attribute_ids[attribute.name]
        for order, level in enumerate(attribute.levels or (), start=1):
            levels.add(attribute_id=attribute_id, level_order=order, level_value=level)
        for owner, value in zip(owner_ids, attribute.values):
            if value is None:
                continue
            if attribute.kind == "SUR":
                time, event = value
                values.add(attribute_id=attribute_id, **owner_of(owner), value_text=None, value_number=float(time), event=int(event))
            elif attribute.kind == "CON":
                values.add(attribute_id=attribute_id, **owner_of(owner), value_text=None, value_number=float(value), event=None)
            else:
                values.add(attribute_id=attribute_id, **owner_of(owner), value_text=str(value), value_number=None, event=None)
    # The sheet's attributes replace their earlier levels and values (archived, and counted by key).
    replace_many(ctx, [
        ("clinical_level", levels, "attribute_id IN :ids", {"ids": ids}),
        ("clinical_value", values, "attribute_id IN :ids", {"ids": ids}),
    ])
