"""Phenotype and mutation associations: `omicskb derive --analysis phenotypes`'s engine.

Per cohort, the default dataset of rna, protein, cnv and phospho (queries/pheno_blocks.sql), on its
tumors, against every attribute of the cohort, with the test its type takes (METHODS.md):

  CON  Spearman (etl.stats.spearman), >= 10 shared samples           statistic: rho
  BIN  Wilcoxon rank-sum (etl.stats.ranksum), >= 20, >= 10 per level  statistic: the Hodges-Lehmann shift
  ORD  Jonckheere-Terpstra (etl.stats.groups), >= 20                  statistic: z
  CAT  Kruskal-Wallis (etl.stats.groups), >= 20; unsigned             statistic: H
  SUR  Cox score test at beta = 0 (etl.stats.groups), >= 10, >= 10 on each side of the median,
       >= 5 events; signed by the coefficient                        statistic: the score chi-square

Clinical attributes come from `clinical_attribute` (free text left out); a patient-keyed value
holds for each of the patient's samples. Mutation status comes from the cohort's default mutation
dataset (gene-level 0/1): the MAX_MUTATION_GENES genes mutated most often among the block's tumors,
of those with at least MIN_MUTATED mutated and MIN_MUTATED wild-type tumors, each a binary
attribute `<SYMBOL>_mutation` (positive: higher in mutated tumors).

Every attribute tested is recorded (pheno_attribute) with why it was not, where it was not; every
feature's test with its reason. BH q within a block and attribute. Meta P (Stouffer from z) for each
attribute name that at least two cohorts share. Blocks record their dataset's release, a
fingerprint of the cohort's clinical attributes and releases, the mutation dataset and the sample
roles; loads drop stale blocks (audit_pheno_stale), and derive computes only the missing ones.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np
import sqlalchemy as sa

from omicskb.etl.cis import DatasetPart, read_dataset
from omicskb.etl.db import bulk_insert, delete_by_ids, fetch_text_table
from omicskb.etl.queries import run_saved
from omicskb.etl.stats import groups, kernels, spearman
from omicskb.etl.stats.combine import bh_log10_q, stouffer_long
from omicskb.etl.stats.groups import cox_score_rows, jonckheere_rows, kruskal_rows
from omicskb.etl.stats.logp import p_from_log10
from omicskb.etl.stats.ranksum import rank_sum
from omicskb.etl.stats.spearman import spearman_one_vs_rows

ProgressFn = Callable[[str], None]

TESTS = {"CON": "spearman", "BIN": "wilcoxon", "ORD": "jonckheere", "CAT": "kruskal", "SUR": "cox"}
MAX_MUTATION_GENES = 50
MIN_MUTATED = 10
MIN_BINARY_TOTAL, MIN_BINARY_GROUP = 20, 10
CHILD_TABLES = ("pheno_result", "pheno_attribute", "pheno_block_sample")
PHASES = ("kernels", "fetch", "attributes", "test", "write", "meta")


@dataclasses.dataclass
class PhenoCandidate:
    cohort_code: str
    omics_type: str
    dataset: str
    dataset_id: int
    release_id: int
    clinical_fingerprint: str
    mutation_dataset_id: int | None
    mutation_release_id: int | None

    @property
    def label(self) -> str:
        return f"{self.cohort_code} {self.omics_type} {self.dataset}"


@dataclasses.dataclass
class PhenoReport:
    run_id: int | None = None
    computed: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    stale_removed: int = 0
    tests: int = 0
    meta: dict[str, int] = dataclasses.field(default_factory=dict)  # omics -> Meta P rows
    seconds: dict[str, float] = dataclasses.field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))


@dataclasses.dataclass
class Attribute:
    """One attribute over a block's tumor columns."""

    name: str
    group: str  # clinical or mutation
    type: str  # CON BIN ORD CAT SUR
    attribute_id: int | None
    direction: str | None
    values: np.ndarray  # CON: float; BIN/ORD/CAT: level codes (-1 = none); SUR: time (NaN = none)
    event: np.ndarray | None = None  # SUR: 0/1 (NaN = none)
    levels: tuple[str, ...] = ()

    @property
    def n_with_value(self) -> int:
        if self.type in ("BIN", "ORD", "CAT"):
            return int((self.values >= 0).sum())
        known = ~np.isnan(self.values)
        if self.event is not None:
            known &= ~np.isnan(self.event)
        return int(known.sum())


def drop_stale(conn: sa.Connection) -> tuple[int, set[str]]:
    """Delete every phenotype block whose inputs changed, and the Meta P of their omics types."""
    stale = run_saved(conn, "audit_pheno_stale")
    if not stale:
        return 0, set()
    ids = sorted({int(r["block_id"]) for r in stale})
    omics = {r["omics_type"] for r in stale}
    delete_by_ids(conn, (*CHILD_TABLES, "pheno_block"), "block_id", ids)
    conn.execute(sa.text("DELETE FROM pheno_meta WHERE omics_type IN :o").bindparams(sa.bindparam("o", expanding=True)), {"o": sorted(omics)})
    return len(ids), omics


def candidates(conn: sa.Connection) -> list[PhenoCandidate]:
    return [
        PhenoCandidate(r["cohort_code"], r["omics_type"], r["dataset"], r["dataset_id"], r["release_id"], r["clinical_fingerprint"],
                       r["mutation_dataset_id"], r["mutation_release_id"])
        for r in run_saved(conn, "pheno_blocks")
    ]


def clinical_attributes(conn: sa.Connection, cohort: str, sample_ids: np.ndarray) -> list[Attribute]:
    """The cohort's attributes (free text left out) over `sample_ids`, in name order."""
    import pyarrow as pa

    columns = {"attribute_id": pa.int64(), "name": pa.string(), "clinical_type": pa.string(), "sample_id": pa.int64(),
               "value_text": pa.string(), "value_number": pa.float64(), "event": pa.float64()}
    code = "'" + cohort.replace("'", "''") + "'"  # a cohort code from the database
    select = ("SELECT a.attribute_id, a.name, a.clinical_type, {sample} AS sample_id, v.value_text, v.value_number, CAST(v.event AS DOUBLE PRECISION) AS event "
              "FROM clinical_attribute AS a JOIN clinical_value AS v ON v.attribute_id = a.attribute_id {join} "
              f"WHERE a.cohort_code = {code} AND a.clinical_type <> 'TXT' AND a.keyed_by = '{{keyed}}'")
    by_sample = select.format(sample="v.sample_id", join="", keyed="sample")
    by_patient = select.format(sample="s.sample_id", join="JOIN sample AS s ON s.patient_id = v.patient_id", keyed="patient")
    table = fetch_text_table(conn, f"{by_sample} UNION ALL {by_patient}", columns)
    attributes = conn.execute(sa.text("SELECT attribute_id, name, clinical_type FROM clinical_attribute WHERE cohort_code = :c AND clinical_type <> 'TXT' ORDER BY name"),
                              {"c": cohort}).all()
    levels: dict[int, list[str]] = {}
    for r in conn.execute(sa.text("SELECT l.attribute_id, l.level_value FROM clinical_level AS l JOIN clinical_attribute AS a ON a.attribute_id = l.attribute_id "
                                  "WHERE a.cohort_code = :c ORDER BY l.attribute_id, l.level_order"), {"c": cohort}):
        levels.setdefault(int(r.attribute_id), []).append(r.level_value)
    column_of = {int(s): i for i, s in enumerate(sample_ids.tolist())}
    rows_of: dict[int, list[int]] = {}
    for i, attribute_id in enumerate(table.column("attribute_id").to_pylist()):
        rows_of.setdefault(attribute_id, []).append(i)
    samples = table.column("sample_id").to_pylist()
    texts, numbers, events = table.column("value_text").to_pylist(), table.column("value_number").to_pylist(), table.column("event").to_pylist()
    out = []
    for a in attributes:
        kind, attribute_levels = a.clinical_type, tuple(levels.get(int(a.attribute_id), []))
        values = np.full(len(sample_ids), -1 if kind in ("BIN", "ORD", "CAT") else np.nan, dtype=np.int64 if kind in ("BIN", "ORD", "CAT") else np.float64)
        event = np.full(len(sample_ids), np.nan) if kind == "SUR" else None
        level_code = {level: i for i, level in enumerate(attribute_levels)}
        for i in rows_of.get(int(a.attribute_id), []):
            column = column_of.get(samples[i])
            if column is None:
                continue
            if kind in ("BIN", "ORD", "CAT"):
                values[column] = level_code.get(texts[i], -1)
            else:
                values[column] = np.nan if numbers[i] is None else numbers[i]
                if event is not None:
                    event[column] = np.nan if events[i] is None else events[i]
        out.append(Attribute(a.name, "clinical", kind, int(a.attribute_id), _direction(a.name, kind, attribute_levels), values, event, attribute_levels))
    return out


def _direction(name: str, kind: str, levels: tuple[str, ...]) -> str | None:
    if kind == "CON":
        return f"rises with {name}"
    if kind == "BIN" and len(levels) == 2:
        return f"higher in {levels[1]} than {levels[0]}"
    if kind == "ORD" and levels:
        return f"rises from {levels[0]} to {levels[-1]}"
    if kind == "SUR":
        return "higher values, higher hazard (shorter time to event)"
    return None  # CAT: unsigned


def mutation_attributes(conn: sa.Connection, mutation_dataset_id: int, sample_ids: np.ndarray) -> list[Attribute]:
    """Binary `<SYMBOL>_mutation` attributes of the most often mutated genes among `sample_ids`."""
    part = read_dataset(conn, mutation_dataset_id)
    at = {int(s): i for i, s in enumerate(part.sample_ids.tolist())}
    columns = np.array([at.get(int(s), -1) for s in sample_ids.tolist()], dtype=np.int64)
    status = np.full((part.values.shape[0], len(sample_ids)), np.nan)
    present = columns >= 0
    status[:, present] = part.values[:, columns[present]]
    mutated = (status == 1).sum(axis=1)
    wildtype = (status == 0).sum(axis=1)
    eligible = np.flatnonzero((mutated >= MIN_MUTATED) & (wildtype >= MIN_MUTATED) & np.array([g is not None for g in part.gene_ids]))
    if not len(eligible):
        return []
    labels = dict(conn.execute(sa.text("SELECT feature_id, label FROM feature WHERE feature_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
                               {"ids": [int(part.feature_ids[i]) for i in eligible]}).all())
    chosen = sorted(eligible, key=lambda i: (-mutated[i], labels[int(part.feature_ids[i])]))[:MAX_MUTATION_GENES]
    out = []
    for i in chosen:
        codes = np.where(status[i] == 1, 1, np.where(status[i] == 0, 0, -1)).astype(np.int64)
        out.append(Attribute(f"{labels[int(part.feature_ids[i])]}_mutation", "mutation", "BIN", None, "higher in mutated than wildtype",
                             codes, None, ("wildtype", "mutated")))
    return sorted(out, key=lambda a: a.name)


@dataclasses.dataclass
class Tested:
    n: np.ndarray
    statistic: np.ndarray
    log10_p: np.ndarray
    signed_log10_p: np.ndarray
    reason: np.ndarray


def test_attribute(values: np.ndarray, attribute: Attribute) -> Tested:
    """Every row of `values` (features x the block's tumors) against one attribute."""
    if attribute.type == "CON":
        r = spearman_one_vs_rows(attribute.values, values)
        return Tested(r.n, r.rho, r.log10_p, r.signed_log10_p, r.reason)
    if attribute.type == "BIN":
        high, low = values[:, attribute.values == 1], values[:, attribute.values == 0]
        r = rank_sum(high, low, min_x=MIN_BINARY_GROUP, min_y=MIN_BINARY_GROUP)
        n = r.n_x + r.n_y
        log10_p, signed, shift = r.log10_p.copy(), r.signed_log10_p.copy(), r.hl_shift.copy()
        names = attribute.levels if len(attribute.levels) == 2 else ("the first level", "the second level")
        reason = np.where(r.n_x < MIN_BINARY_GROUP, f"fewer than {MIN_BINARY_GROUP} values in {names[1]}",
                          np.where(r.n_y < MIN_BINARY_GROUP, f"fewer than {MIN_BINARY_GROUP} values in {names[0]}",
                                   np.where(n < MIN_BINARY_TOTAL, f"fewer than {MIN_BINARY_TOTAL} values", r.reason))).astype(object)
        too_few = n < MIN_BINARY_TOTAL
        log10_p[too_few] = np.nan
        signed[too_few] = np.nan
        shift[too_few] = np.nan
        reason[~np.isnan(log10_p)] = None
        return Tested(n, shift, log10_p, signed, reason)
    if attribute.type == "ORD":
        r = jonckheere_rows(values, attribute.values)
        return Tested(r.n, r.z, r.log10_p, r.signed_log10_p, r.reason)
    if attribute.type == "CAT":
        r = kruskal_rows(values, attribute.values)
        return Tested(r.n, r.statistic, r.log10_p, r.signed_log10_p, r.reason)
    r = cox_score_rows(values, attribute.values, attribute.event)
    return Tested(r.n, r.statistic, r.log10_p, r.signed_log10_p, r.reason)


def _attribute_reason(attribute: Attribute) -> str | None:
    """Why an attribute cannot be tested at all, whatever the feature."""
    if attribute.type in ("BIN", "ORD", "CAT"):
        present = {int(c) for c in attribute.values if c >= 0}
        if len(present) < 2:
            return "fewer than two levels with values among the tumors"
    elif attribute.n_with_value == 0:
        return "no values among the tumors"
    return None


def derive_phenotypes(conn: sa.Connection, run_id: int, progress: ProgressFn | None = None) -> PhenoReport:
    """In the caller's transaction: drop stale blocks, compute the missing ones, refresh the Meta P
    of the omics types that changed."""
    report = PhenoReport(run_id=run_id)
    removed, touched = drop_stale(conn)
    report.stale_removed = removed
    stored = conn.execute(sa.text("SELECT block_id, dataset_id, omics_type FROM pheno_block")).all()
    wanted = candidates(conn)
    wanted_ids = {c.dataset_id for c in wanted}
    orphans = [r for r in stored if int(r.dataset_id) not in wanted_ids]
    if orphans:
        touched |= {r.omics_type for r in orphans}
        delete_by_ids(conn, (*CHILD_TABLES, "pheno_block"), "block_id", [int(r.block_id) for r in orphans])
        report.stale_removed += len(orphans)
    done = {int(r.dataset_id) for r in stored}
    todo = [c for c in wanted if c.dataset_id not in done]
    report.unchanged = len(wanted) - len(todo)
    if todo:
        if progress:
            progress("preparing the statistics kernels (compiled on first use; cached afterwards)")
        started = time.perf_counter()
        spearman.prepare()
        groups.prepare()
        kernels.prepare()
        report.seconds["kernels"] = time.perf_counter() - started
    for i, candidate in enumerate(todo, 1):
        if progress:
            progress(f"phenotypes {i}/{len(todo)}: {candidate.label}")
        report.computed.append(_derive_block(conn, candidate, run_id, report))
        touched.add(candidate.omics_type)
    for omics in sorted(touched | _omics_without_meta(conn)):
        started = time.perf_counter()
        report.meta[omics] = refresh_meta(conn, omics, run_id)
        report.seconds["meta"] += time.perf_counter() - started
    return report


def _omics_without_meta(conn: sa.Connection) -> set[str]:
    """Omics types with an attribute name two cohorts tested but no Meta P rows for it (a load
    dropped them with a stale block)."""
    rows = conn.execute(sa.text(
        "SELECT b.omics_type, a.attribute_name FROM pheno_attribute AS a JOIN pheno_block AS b ON b.block_id = a.block_id WHERE a.reason IS NULL "
        "GROUP BY b.omics_type, a.attribute_name HAVING count(DISTINCT b.cohort_code) >= 2")).all()
    have = {(r.omics_type, r.attribute_name) for r in conn.execute(sa.text("SELECT DISTINCT omics_type, attribute_name FROM pheno_meta")).all()}
    return {r.omics_type for r in rows if (r.omics_type, r.attribute_name) not in have}


def _derive_block(conn: sa.Connection, c: PhenoCandidate, run_id: int, report: PhenoReport) -> str:
    started = time.perf_counter()
    part: DatasetPart = read_dataset(conn, c.dataset_id)
    tumors = part.tumor_columns()
    values = np.ascontiguousarray(part.values[:, tumors])
    tumor_ids = part.sample_ids[tumors]
    report.seconds["fetch"] += time.perf_counter() - started
    started = time.perf_counter()
    attributes = clinical_attributes(conn, c.cohort_code, tumor_ids)
    if c.mutation_dataset_id is not None:
        attributes += mutation_attributes(conn, c.mutation_dataset_id, tumor_ids)
    report.seconds["attributes"] += time.perf_counter() - started
    block_id = conn.execute(
        sa.text("INSERT INTO pheno_block (cohort_code, omics_type, dataset_id, release_id, clinical_fingerprint, mutation_dataset_id, mutation_release_id, "
                "n_samples, n_features, n_attributes, n_tested, run_id) VALUES (:c, :o, :d, :r, :f, :md, :mr, :ns, :nf, :na, 0, :run) RETURNING block_id"),
        {"c": c.cohort_code, "o": c.omics_type, "d": c.dataset_id, "r": c.release_id, "f": c.clinical_fingerprint, "md": c.mutation_dataset_id,
         "mr": c.mutation_release_id, "ns": len(tumor_ids), "nf": len(part.feature_ids), "na": len(attributes), "run": run_id},
    ).scalar_one()
    bulk_insert(conn, "pheno_block_sample", {"sample_id": part.sample_ids, "stat_role": list(part.stat_roles)}, extra={"block_id": block_id})
    tested_total, tested_attributes = 0, 0
    for attribute in attributes:
        reason = _attribute_reason(attribute)
        started = time.perf_counter()
        result = test_attribute(values, attribute) if reason is None else None
        report.seconds["test"] += time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(sa.text("INSERT INTO pheno_attribute (block_id, attribute_name, attribute_group, attribute_type, test, attribute_id, direction, n_with_value, reason) "
                             "VALUES (:b, :n, :g, :t, :test, :a, :d, :nv, :reason)"),
                     {"b": block_id, "n": attribute.name, "g": attribute.group, "t": attribute.type, "test": TESTS[attribute.type], "a": attribute.attribute_id,
                      "d": attribute.direction, "nv": attribute.n_with_value, "reason": reason})
        if result is not None:
            tested = int((~np.isnan(result.log10_p)).sum())
            tested_total += tested
            tested_attributes += 1
            log10_q = bh_log10_q(result.log10_p)
            bulk_insert(conn, "pheno_result", {
                "feature_id": part.feature_ids, "n": result.n, "statistic": result.statistic, "p": p_from_log10(result.log10_p),
                "log10_p": result.log10_p, "signed_log10_p": result.signed_log10_p, "q": p_from_log10(log10_q), "skip_reason": result.reason,
            }, extra={"block_id": block_id, "attribute_name": attribute.name})
        report.seconds["write"] += time.perf_counter() - started
    conn.execute(sa.text("UPDATE pheno_block SET n_tested = :n WHERE block_id = :b"), {"n": tested_total, "b": block_id})
    report.tests += tested_total
    mutation = sum(1 for a in attributes if a.group == "mutation")
    return (f"{c.label}: {len(tumor_ids)} tumors x {len(part.feature_ids):,} features, {tested_attributes} of {len(attributes)} attributes "
            f"({mutation} mutation) tested, {tested_total:,} tests")


def refresh_meta(conn: sa.Connection, omics: str, run_id: int) -> int:
    """Stouffer per attribute name shared by at least two cohorts' blocks of `omics`, per feature."""
    import pyarrow as pa

    conn.execute(sa.text("DELETE FROM pheno_meta WHERE omics_type = :o"), {"o": omics})
    shared = conn.execute(sa.text(
        "SELECT a.attribute_name, b.block_id, b.cohort_code FROM pheno_attribute AS a JOIN pheno_block AS b ON b.block_id = a.block_id "
        "WHERE b.omics_type = :o AND a.reason IS NULL AND a.attribute_name IN ("
        "  SELECT a2.attribute_name FROM pheno_attribute AS a2 JOIN pheno_block AS b2 ON b2.block_id = a2.block_id "
        "  WHERE b2.omics_type = :o AND a2.reason IS NULL GROUP BY a2.attribute_name HAVING count(DISTINCT b2.cohort_code) >= 2) "
        "ORDER BY a.attribute_name, b.cohort_code"), {"o": omics}).all()
    by_name: dict[str, list[tuple[int, str]]] = {}
    for r in shared:
        by_name.setdefault(r.attribute_name, []).append((int(r.block_id), r.cohort_code))
    written = 0
    for name, blocks in by_name.items():
        cohorts = sorted({cohort for _, cohort in blocks})
        cohort_of = {block_id: cohorts.index(cohort) for block_id, cohort in blocks}
        ids = ", ".join(str(b) for b in cohort_of)
        quoted = "'" + name.replace("'", "''") + "'"  # an attribute name from the database
        table = fetch_text_table(
            conn, f"SELECT block_id, feature_id, p, log10_p, signed_log10_p FROM pheno_result WHERE block_id IN ({ids}) AND attribute_name = {quoted} AND log10_p IS NOT NULL",
            {"block_id": pa.int64(), "feature_id": pa.int64(), "p": pa.float64(), "log10_p": pa.float64(), "signed_log10_p": pa.float64()},
        )
        if table.num_rows == 0:
            continue
        lookup = np.array(sorted(cohort_of))
        cohort_at = np.array([cohort_of[int(i)] for i in lookup])[np.searchsorted(lookup, table.column("block_id").to_numpy())]
        feature_ids, meta, p = stouffer_long(table.column("feature_id").to_numpy(), cohort_at, len(cohorts), table.column("log10_p").to_numpy(),
                                             table.column("signed_log10_p").to_numpy() >= 0, table.column("p").to_numpy())
        defined = ~np.isnan(meta.log10_p)
        written += bulk_insert(conn, "pheno_meta", {
            "feature_id": feature_ids[defined], "n_cohorts": meta.n_cohorts[defined], "n_agree": meta.n_agree[defined], "z": meta.z[defined],
            "p": p[defined], "log10_p": meta.log10_p[defined], "signed_log10_p": meta.signed_log10_p[defined],
        }, extra={"omics_type": omics, "attribute_name": name, "run_id": run_id})
    return written


def run_derive_phenotypes(engine: sa.Engine, command: str, progress: ProgressFn | None = None) -> PhenoReport:
    """derive_phenotypes as one logged, atomic run (etl.runs.run_logged_derive)."""
    from omicskb.etl.runs import run_logged_derive

    def summary(report: PhenoReport) -> tuple[str, int, int]:
        text = f"phenotypes: {len(report.computed)} blocks computed ({report.tests:,} tests), {report.unchanged} unchanged, {report.stale_removed} stale removed"
        return text, report.tests, report.stale_removed

    return run_logged_derive(engine, command, lambda conn, run_id: derive_phenotypes(conn, run_id, progress), summary)
