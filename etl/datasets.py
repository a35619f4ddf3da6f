"""Datasets as the unit of analysis: one default per (cohort, omics), and tumor/normal pairs.

A *block* (what `fetch_block`, `values` and the summary queries read) is one dataset, or a declared
pair of a tumor dataset and the normal dataset that completes it. Unrelated datasets of the same
(cohort, omics), say the pan-cancer normalized and isoform-adjusted phosphosites or the CNV log2
ratios and GISTIC levels, are never pooled: they are in different units.

**Defaults.** Every (cohort, omics) that has datasets has exactly one default (`dataset.is_default`);
summaries and statistics use it, the others stay addressable by name. The rules, applied by
`settle_dataset` each time a load writes a dataset, and by `forget_dataset`/`settle_group` when
datasets go:

1. A dataset a layout declares preferred (`layout_default=True`) takes the default when it is
   written: pan-cancer normalized phosphosites over isoform-adjusted ones, CNV log2 ratios over
   GISTIC levels, the gene-level mutation file over a MAF; cptac 2019 the MAF's gene-level status
   over `somatic_binary.cbt` (see `etl.cohorts`).
2. Otherwise the current default stays: the first dataset loaded for a (cohort, omics) is its default,
   and a corrected file loaded under the same name keeps the flag.
3. When there is no default (a first load, or the default went), one is picked: never the normal
   half of a pair (the pair's tumor dataset stands for it); a dataset that is not normal-only before
   one that is; a dataset its layout did not decline (`layout_default=False`) before one it did; the
   first loaded (lowest dataset id) among equals.
4. `set_default` (the `omicskb datasets default` command) moves it by name.

**Pairs** (`dataset_pair`): a tumor dataset and a normal dataset over the same features and unit,
read as one block with tumor and normal roles. Declared by a layout (`layout_pair`, the pan-cancer
`_Tumor`/`_Normal` files: `declared_by = 'layout'`), by name (`declared_by = 'name'`: two datasets
loaded with `--sample-type tumor` and `--sample-type normal` whose names differ only by a final
tumor/normal word, case-insensitive: `proteomics_tumor`/`proteomics_normal`, `X_Tumor`/`X_Normal`),
or by the user (`declare_pair`, `declared_by = 'user'`). A pair must have the same cohort, omics,
unit and feature kind, at least one feature in common, no sample in common, no normal sample on the
tumor side and only normal samples on the normal side, and neither dataset may be in another pair.
A layout or user pair that breaks a rule is refused (exit 1); a name match that breaks one is not
paired, and the load says why.

Removing a dataset: call `forget_dataset` first (drops its pairs, hands its default on), or
`settle_group` after a bulk removal. The `audit_dataset_defaults` query checks all of the above.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import re
from collections.abc import Callable, Collection, Iterable, Iterator

import sqlalchemy as sa

from omicskb.etl.cohort_names import resolve_cohort
from omicskb.etl.errors import LookupFailed, OmicsKBError

DECLARED_BY = ("layout", "name", "user")
_SIDE = re.compile(r"^(?P<base>.*?)(?P<side>tumou?r|normal)$", re.IGNORECASE)


class DatasetRuleError(OmicsKBError):
    """A default or pair that breaks the rules above (exit 1, like other data errors)."""

    exit_code = 1


@dataclasses.dataclass(frozen=True)
class Dataset:
    dataset_id: int
    cohort_code: str
    omics_type: str
    name: str
    unit: str | None
    sample_scope: str
    feature_kind: str
    n_features: int
    n_samples: int
    is_default: bool
    pair_role: str | None = None  # 'tumor' or 'normal' when the dataset is in a pair
    paired_with: int | None = None  # the other dataset of its pair
    paired_name: str | None = None
    declared_by: str | None = None

    @property
    def label(self) -> str:
        return f"{self.cohort_code}/{self.omics_type}/{self.name}"


@dataclasses.dataclass(frozen=True)
class LayoutDeclaration:
    """What a directory layout says about the dataset a planned load writes."""

    default: bool | None = None  # True: preferred default; False: never the default while another exists
    pair: str | None = None  # the name of the dataset it pairs with (the other side)
    layout: str = "layout"


_DECLARATION: contextvars.ContextVar[LayoutDeclaration | None] = contextvars.ContextVar("omicskb_layout_declaration", default=None)


@contextlib.contextmanager
def layout_declaration(declaration: LayoutDeclaration | None) -> Iterator[None]:
    """Within this block, `settle_dataset` applies `declaration` where its caller passes none.

    `load_cohort_directory` wraps each planned load in it, so the loaders need not carry layout
    knowledge through their signatures."""
    token = _DECLARATION.set(declaration)
    try:
        yield
    finally:
        _DECLARATION.reset(token)


_DATASET_SQL = """
SELECT d.dataset_id, d.cohort_code, d.omics_type, d.name, d.unit, d.sample_scope, d.feature_kind,
       d.n_features, d.n_samples, d.is_default,
       CASE WHEN pt.tumor_dataset_id IS NOT NULL THEN 'tumor' WHEN pn.normal_dataset_id IS NOT NULL THEN 'normal' END AS pair_role,
       COALESCE(pt.normal_dataset_id, pn.tumor_dataset_id) AS paired_with,
       o.name AS paired_name,
       COALESCE(pt.declared_by, pn.declared_by) AS declared_by
FROM dataset AS d
LEFT JOIN dataset_pair AS pt ON pt.tumor_dataset_id = d.dataset_id
LEFT JOIN dataset_pair AS pn ON pn.normal_dataset_id = d.dataset_id
LEFT JOIN dataset AS o ON o.dataset_id = COALESCE(pt.normal_dataset_id, pn.tumor_dataset_id)
"""


def _datasets(conn: sa.Connection, where: str, params: dict) -> list[Dataset]:
    rows = conn.execute(sa.text(f"{_DATASET_SQL} WHERE {where} ORDER BY d.cohort_code, d.omics_type, d.dataset_id"), params).all()
    return [_dataset_of(row) for row in rows]


def _dataset_of(row: sa.Row) -> Dataset:
    return Dataset(**{k: (bool(v) if k == "is_default" else v) for k, v in row._mapping.items()})


def get_dataset(conn: sa.Connection, dataset_id: int) -> Dataset:
    found = _datasets(conn, "d.dataset_id = :d", {"d": dataset_id})
    if not found:
        raise LookupFailed(f"no dataset with id {dataset_id}")
    return found[0]


def get_datasets(conn: sa.Connection, dataset_ids: Iterable[int]) -> dict[int, Dataset]:
    """The datasets of these ids, in one query (ids that do not exist are absent)."""
    ids = sorted({int(i) for i in dataset_ids})
    if not ids:
        return {}
    rows = conn.execute(sa.text(f"{_DATASET_SQL} WHERE d.dataset_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids}).all()
    return {row.dataset_id: _dataset_of(row) for row in rows}


def list_datasets(conn: sa.Connection, cohort: str | None = None, omics: str | None = None) -> list[Dataset]:
    """Every dataset (of one cohort, code or alias; of one omics type), with its default flag and pair."""
    where, params = ["1 = 1"], {}
    if cohort:
        where.append("d.cohort_code = :c")
        params["c"] = resolve_cohort(conn, cohort)
    if omics:
        where.append("d.omics_type = :o")
        params["o"] = omics
    return _datasets(conn, " AND ".join(where), params)


def find_dataset(conn: sa.Connection, cohort: str, omics: str, name: str) -> Dataset:
    """The dataset (cohort, omics, name); LookupFailed naming the ones that exist otherwise."""
    code = resolve_cohort(conn, cohort)
    found = _datasets(conn, "d.cohort_code = :c AND d.omics_type = :o AND d.name = :n", {"c": code, "o": omics, "n": name})
    if found:
        return found[0]
    others = [d.name for d in _datasets(conn, "d.cohort_code = :c AND d.omics_type = :o", {"c": code, "o": omics})]
    raise LookupFailed(f"no {omics} dataset named {name!r} in cohort {code}" + (f" (there are: {', '.join(others)})" if others else f" (cohort {code} has no {omics} datasets)"))


def default_dataset(conn: sa.Connection, cohort: str, omics: str) -> Dataset:
    """The default dataset of (cohort, omics); LookupFailed when the cohort has no such datasets."""
    code = resolve_cohort(conn, cohort)
    group = _datasets(conn, "d.cohort_code = :c AND d.omics_type = :o", {"c": code, "o": omics})
    defaults = [d for d in group if d.is_default]
    if not group:
        raise LookupFailed(f"no {omics} dataset for cohort {code}")
    if len(defaults) != 1:
        raise DatasetRuleError(f"{code}/{omics} has {len(defaults)} default datasets (run 'omicskb query audit_dataset_defaults')")
    return defaults[0]


def block_datasets(conn: sa.Connection, cohort: str, omics: str, name: str | None = None) -> list[Dataset]:
    """The datasets of one block: [dataset] or [tumor dataset, normal dataset] of a pair.

    Without a name, the default of (cohort, omics); naming either half of a pair gives the pair."""
    chosen = find_dataset(conn, cohort, omics, name) if name else default_dataset(conn, cohort, omics)
    if chosen.pair_role is None:
        return [chosen]
    other = get_dataset(conn, chosen.paired_with)
    return [chosen, other] if chosen.pair_role == "tumor" else [other, chosen]


# ---------------------------------------------------------------------------------------------
# Pairs


def name_side(name: str) -> tuple[str, str] | None:
    """(base, 'tumor' or 'normal') when a dataset name ends with a separator and a tumor/normal word,
    case-insensitive ('proteomics_tumor', 'X_Normal', 'y.tumour'); None otherwise."""
    match = _SIDE.match(name)
    if not match or not match["base"] or match["base"][-1].isalnum():
        return None
    return match["base"], "normal" if match["side"].lower() == "normal" else "tumor"


def pair_problems(conn: sa.Connection, tumor: Dataset, normal: Dataset) -> list[str]:
    """Why (tumor, normal) cannot be a pair; empty when it can."""
    problems = []
    if tumor.dataset_id == normal.dataset_id:
        return ["a dataset cannot pair with itself"]
    if (tumor.cohort_code, tumor.omics_type) != (normal.cohort_code, normal.omics_type):
        problems.append(f"{tumor.label} and {normal.label} are not of the same cohort and omics")
    if tumor.unit != normal.unit:
        problems.append(f"units differ ({tumor.unit or 'none'} vs {normal.unit or 'none'})")
    if tumor.feature_kind != normal.feature_kind:
        problems.append(f"feature kinds differ ({tumor.feature_kind} vs {normal.feature_kind})")
    for d in (tumor, normal):
        if d.pair_role is not None and d.paired_with not in (tumor.dataset_id, normal.dataset_id):
            problems.append(f"{d.name} is already paired with {d.paired_name} (unpair it first)")
    shared = conn.execute(
        sa.text(
            "SELECT count(*), min(s.sample_label) FROM dataset_sample AS a JOIN dataset_sample AS b ON b.sample_id = a.sample_id "
            "JOIN sample AS s ON s.sample_id = a.sample_id WHERE a.dataset_id = :t AND b.dataset_id = :n"
        ),
        {"t": tumor.dataset_id, "n": normal.dataset_id},
    ).one()
    if shared[0]:
        problems.append(f"they share {shared[0]} sample(s), e.g. {shared[1]}")
    sides = conn.execute(
        sa.text(
            "SELECT ds.dataset_id, st.is_normal, count(*), min(s.sample_label) FROM dataset_sample AS ds "
            "JOIN sample AS s ON s.sample_id = ds.sample_id JOIN sample_type AS st ON st.code = s.sample_type "
            "WHERE ds.dataset_id IN (:t, :n) GROUP BY ds.dataset_id, st.is_normal"
        ),
        {"t": tumor.dataset_id, "n": normal.dataset_id},
    ).all()
    for dataset_id, is_normal, count, example in sides:
        if dataset_id == tumor.dataset_id and is_normal:
            problems.append(f"the tumor side {tumor.name} holds {count} normal sample(s), e.g. {example}")
        if dataset_id == normal.dataset_id and not is_normal:
            problems.append(f"the normal side {normal.name} holds {count} sample(s) that are not normal, e.g. {example}")
    # Stops at the first shared feature (through the feature_id index), rather than reading both
    # datasets' rows in full (1.7 s for a pair of phosphosite datasets on PostgreSQL).
    common = conn.execute(
        sa.text(
            "SELECT 1 FROM measurement_row AS a WHERE a.dataset_id = :t "
            "AND EXISTS (SELECT 1 FROM measurement_row AS b WHERE b.feature_id = a.feature_id AND b.dataset_id = :n) LIMIT 1"
        ),
        {"t": tumor.dataset_id, "n": normal.dataset_id},
    ).first()
    if common is None and (tumor.n_features or normal.n_features):
        problems.append("they have no feature in common")
    return problems


def _feature_note(conn: sa.Connection, tumor: Dataset, normal: Dataset) -> str | None:
    only = conn.execute(
        sa.text(
            "SELECT (SELECT count(*) FROM measurement_row AS a WHERE a.dataset_id = :t AND a.feature_id NOT IN (SELECT feature_id FROM measurement_row WHERE dataset_id = :n)), "
            "(SELECT count(*) FROM measurement_row AS b WHERE b.dataset_id = :n AND b.feature_id NOT IN (SELECT feature_id FROM measurement_row WHERE dataset_id = :t))"
        ),
        {"t": tumor.dataset_id, "n": normal.dataset_id},
    ).one()
    if only[0] or only[1]:
        return f"{only[0]} feature(s) only in {tumor.name}, {only[1]} only in {normal.name}: their block holds the union, missing where a side lacks a feature"
    return None


def _insert_pair(conn: sa.Connection, tumor: Dataset, normal: Dataset, declared_by: str) -> list[str]:
    conn.execute(
        sa.text("INSERT INTO dataset_pair (tumor_dataset_id, normal_dataset_id, declared_by) VALUES (:t, :n, :b)"),
        {"t": tumor.dataset_id, "n": normal.dataset_id, "b": declared_by},
    )
    notes = [f"paired {tumor.cohort_code}/{tumor.omics_type}: tumor {tumor.name} + normal {normal.name} (declared by {declared_by})"]
    note = _feature_note(conn, tumor, normal)
    if note:
        notes.append(note)
    return notes


def _orient(a: Dataset, b: Dataset) -> tuple[Dataset, Dataset]:
    """(tumor, normal) of two datasets about to pair: by sample scope, else by name."""
    if (a.sample_scope == "normal") != (b.sample_scope == "normal"):
        return (b, a) if a.sample_scope == "normal" else (a, b)
    side = name_side(a.name)
    return (b, a) if side and side[1] == "normal" else (a, b)


def _unpair(conn: sa.Connection, dataset_id: int) -> None:
    conn.execute(sa.text("DELETE FROM dataset_pair WHERE tumor_dataset_id = :d OR normal_dataset_id = :d"), {"d": dataset_id})


def declare_pair(conn: sa.Connection, cohort: str, omics: str, tumor_name: str, normal_name: str, declared_by: str = "user") -> list[str]:
    """Pair two datasets of (cohort, omics) into one block; DatasetRuleError (exit 1) if they break a rule.

    Declaring a pair that exists again changes nothing. If the normal dataset was the default, the
    default moves to the tumor dataset (the pair's block). Returns notes for the user."""
    if declared_by not in DECLARED_BY:
        raise OmicsKBError(f"declared_by must be one of {', '.join(DECLARED_BY)}")
    tumor = find_dataset(conn, cohort, omics, tumor_name)
    normal = find_dataset(conn, cohort, omics, normal_name)
    if tumor.pair_role == "tumor" and tumor.paired_with == normal.dataset_id:
        return [f"{tumor.name} and {normal.name} are already a pair (declared by {tumor.declared_by})"]
    problems = pair_problems(conn, tumor, normal)
    if problems:
        raise DatasetRuleError(f"cannot pair {tumor.label} with {normal.name}: " + "; ".join(problems))
    notes = _insert_pair(conn, tumor, normal, declared_by)
    return notes + settle_group(conn, tumor.cohort_code, omics)


def remove_pair(conn: sa.Connection, cohort: str, omics: str, name: str) -> list[str]:
    """Undo the pair that dataset `name` is in; both halves become separate blocks again."""
    found = find_dataset(conn, cohort, omics, name)
    if found.pair_role is None:
        raise DatasetRuleError(f"{found.label} is not in a pair")
    _unpair(conn, found.dataset_id)
    notes = [f"unpaired {found.name} and {found.paired_name}"]
    return notes + settle_group(conn, found.cohort_code, omics)


def _settle_pairs(conn: sa.Connection, dataset: Dataset, layout_pair: str | None, layout: str) -> list[str]:
    notes: list[str] = []
    if layout_pair:
        partner = _datasets(conn, "d.cohort_code = :c AND d.omics_type = :o AND d.name = :n", {"c": dataset.cohort_code, "o": dataset.omics_type, "n": layout_pair})
        if not partner:
            return notes  # the other half comes later; its load pairs them
        tumor, normal = _orient(dataset, partner[0])
        if tumor.pair_role == "tumor" and tumor.paired_with == normal.dataset_id:
            return notes  # a replaced half of a pair that still holds
        for half in (tumor, normal):
            if half.declared_by == "user":  # the user's pair (datasets pair, derive --pair) outranks the layout
                return [f"kept the pair of {half.name} with {half.paired_name} declared by the user; the {layout} layout would pair {tumor.name} with {normal.name}"]
        problems = pair_problems(conn, tumor, normal)
        if problems:
            raise DatasetRuleError(f"the {layout} layout pairs {tumor.label} with {normal.name}, but " + "; ".join(problems))
        return _insert_pair(conn, tumor, normal, "layout")
    if dataset.pair_role is not None:
        # A replaced dataset keeps its pair while the pair still holds.
        partner = get_dataset(conn, dataset.paired_with)
        tumor, normal = (dataset, partner) if dataset.pair_role == "tumor" else (partner, dataset)
        problems = pair_problems(conn, tumor, normal)
        if problems:
            _unpair(conn, dataset.dataset_id)
            notes.append(f"unpaired {tumor.name} and {normal.name}: " + "; ".join(problems))
        return notes
    side = name_side(dataset.name)
    if dataset.sample_scope not in ("tumor", "normal") or side is None or side[1] != dataset.sample_scope:
        return notes
    wanted = "normal" if dataset.sample_scope == "tumor" else "tumor"
    candidates = [
        d for d in _datasets(conn, "d.cohort_code = :c AND d.omics_type = :o AND d.sample_scope = :s", {"c": dataset.cohort_code, "o": dataset.omics_type, "s": wanted})
        if name_side(d.name) == (side[0], wanted)
    ]
    if len(candidates) != 1:
        if candidates:
            notes.append(f"not paired: {len(candidates)} datasets match {dataset.name} by name ({', '.join(d.name for d in candidates)}); use 'omicskb datasets pair'")
        return notes
    tumor, normal = (dataset, candidates[0]) if dataset.sample_scope == "tumor" else (candidates[0], dataset)
    problems = pair_problems(conn, tumor, normal)
    if problems:
        notes.append(f"not paired with {candidates[0].name} although the names match: " + "; ".join(problems))
        return notes
    return _insert_pair(conn, tumor, normal, "name")


# ---------------------------------------------------------------------------------------------
# Defaults


def _drop_dangling_pairs(conn: sa.Connection) -> None:
    """Pairs whose datasets are gone (DuckDB enforces no foreign keys)."""
    conn.execute(sa.text(
        "DELETE FROM dataset_pair WHERE tumor_dataset_id NOT IN (SELECT dataset_id FROM dataset) OR normal_dataset_id NOT IN (SELECT dataset_id FROM dataset)"
    ))


def settle_group(
    conn: sa.Connection, cohort: str, omics: str, *, claim: int | None = None, declined: int | None = None, exclude: Collection[int] = (), reason: str = ""
) -> list[str]:
    """Give (cohort, omics) exactly one default by the rules in the module docstring.

    `claim`: a dataset that takes the default (a layout's preferred dataset, or `set_default`);
    `declined`: one to pick only when nothing else can be; `exclude`: datasets about to be removed."""
    exclude = set(exclude)
    group = [d for d in _datasets(conn, "d.cohort_code = :c AND d.omics_type = :o", {"c": cohort, "o": omics}) if d.dataset_id not in exclude]
    eligible = [d for d in group if d.pair_role != "normal"]
    current = [d for d in group if d.is_default]
    if not eligible:
        target = None
    elif claim is not None and any(d.dataset_id == claim for d in eligible):
        target = next(d for d in eligible if d.dataset_id == claim)
    elif len(current) == 1 and current[0].pair_role != "normal":
        return []
    else:
        kept = [d for d in current if d.pair_role != "normal"]
        if kept:
            target = kept[0]
        else:
            # A normal half that was the default hands it to its tumor dataset.
            partner = next((d for c in current if c.pair_role == "normal" for d in eligible if d.dataset_id == c.paired_with), None)
            target = partner or min(eligible, key=lambda d: (d.dataset_id == declined, d.sample_scope == "normal", d.dataset_id))
    target_id = target.dataset_id if target is not None else None
    previous = [d for d in current if d.dataset_id != target_id]
    if target is not None and target.is_default and not previous:
        return []
    conn.execute(
        sa.text("UPDATE dataset SET is_default = (dataset_id = :t) WHERE cohort_code = :c AND omics_type = :o AND (is_default OR dataset_id = :t)"),
        {"t": target_id if target_id is not None else -1, "c": cohort, "o": omics},
    )
    if exclude:
        conn.execute(
            sa.text("UPDATE dataset SET is_default = FALSE WHERE dataset_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": sorted(exclude)},
        )
    if target is None:
        return []
    was = f"; was {', '.join(d.name for d in previous)}" if previous else ""
    return [f"default {omics} dataset of {cohort}: {target.name}" + (f" ({reason})" if reason else "") + was]


def settle_dataset(conn: sa.Connection, dataset_id: int, *, layout_default: bool | None = None, layout_pair: str | None = None) -> list[str]:
    """Apply the default and pair rules to a dataset a load has just written (new or replaced).

    Call it in the load's transaction, after the dataset's dataset_sample and measurement_row rows
    are written. `layout_default`: True if the layout prefers this dataset as its (cohort, omics)
    default, False if it declines it, None for no opinion (first loaded wins). `layout_pair`: the
    name of the dataset the layout pairs it with (the other of a Tumor/Normal file pair), or None.
    Arguments left None are taken from an enclosing `layout_declaration(...)`. Returns notes for the
    load output. Raises DatasetRuleError when a layout's pair breaks a pair rule."""
    declared = _DECLARATION.get()
    layout = "layout"
    if declared is not None:
        layout = declared.layout
        layout_default = declared.default if layout_default is None else layout_default
        layout_pair = declared.pair if layout_pair is None else layout_pair
    _drop_dangling_pairs(conn)
    dataset = get_dataset(conn, dataset_id)
    notes = _settle_pairs(conn, dataset, layout_pair, layout)
    if layout_default:
        reason = f"preferred by the {layout} layout"
    elif layout_default is False:
        reason = f"the only one so far; the {layout} layout prefers another"
    elif not any(d.is_default for d in _datasets(conn, "d.cohort_code = :c AND d.omics_type = :o", {"c": dataset.cohort_code, "o": dataset.omics_type})):
        reason = "first loaded"
    else:
        reason = ""
    notes += settle_group(
        conn, dataset.cohort_code, dataset.omics_type,
        claim=dataset_id if layout_default else None, declined=dataset_id if layout_default is False else None, reason=reason,
    )
    return notes


def set_default(conn: sa.Connection, cohort: str, omics: str, name: str) -> list[str]:
    """Make dataset `name` the default of (cohort, omics). The normal half of a pair cannot be
    (name its tumor dataset: the pair is the block). Returns notes; writes."""
    found = find_dataset(conn, cohort, omics, name)
    if found.pair_role == "normal":
        raise DatasetRuleError(f"{found.name} is the normal half of a pair with {found.paired_name}: make {found.paired_name} the default (the pair is one block)")
    if found.is_default:
        return [f"{found.name} is already the default {omics} dataset of {found.cohort_code}"]
    return settle_group(conn, found.cohort_code, omics, claim=found.dataset_id, reason="set by the user")


def change_datasets(engine: sa.Engine, change: Callable[[sa.Connection], list[str]], dry_run: bool = False) -> list[str]:
    """Run `change` (set_default, declare_pair or remove_pair) in one transaction of its own, together
    with dropping the derived results it made stale (a moved default or an undone pair changes a
    block and its Meta P, as a load does: etl.runs.forget_stale_results), so no query serves them in
    between. A dry run does the same and rolls it back. Returns the notes, the removals included."""
    from omicskb.etl.runs import change_in_one_transaction

    notes, removals = change_in_one_transaction(engine, change, dry_run)
    if dry_run:
        return [f"dry run: {note}" for note in notes + removals] + ["dry run: nothing written"]
    return notes + removals


def forget_dataset(conn: sa.Connection, dataset_id: int) -> list[str]:
    """Call before deleting a dataset: removes its pairs and, if it was its (cohort, omics) default,
    hands the default on by the rules (its pair's tumor dataset, else the first loaded). Returns notes."""
    return forget_datasets(conn, [dataset_id])


def forget_datasets(conn: sa.Connection, dataset_ids: Collection[int]) -> list[str]:
    """`forget_dataset` for several datasets deleted together: each (cohort, omics) group is settled
    once, among the datasets that stay (none when a whole cohort goes)."""
    removed_ids = set(dataset_ids)
    removed = [get_dataset(conn, d) for d in dataset_ids]
    notes = []
    for dataset in removed:
        if dataset.pair_role and dataset.paired_with not in removed_ids:
            notes.append(f"unpaired {dataset.name} and {dataset.paired_name}")
        _unpair(conn, dataset.dataset_id)
    groups: dict[tuple[str, str], list[str]] = {}
    for dataset in removed:
        groups.setdefault((dataset.cohort_code, dataset.omics_type), []).append(dataset.name)
    for (cohort, omics), names in groups.items():
        notes += settle_group(conn, cohort, omics, exclude=removed_ids, reason=f"{', '.join(names)} removed")
    return notes
