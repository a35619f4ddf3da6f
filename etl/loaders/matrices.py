"""Load a feature x sample matrix as one dataset: match its columns to samples, resolve its row ids
to features (genes, PTM sites, miRNAs, variants), and store one value array per row.

A dataset is keyed by (cohort, omics, name); loading a corrected file under the same name
replaces the dataset's rows in the load's transaction. Row ids that do not resolve to a gene keep
their values under an unlinked feature (gene_id NULL) and are recorded with the reason in
`unresolved_identifier`; nothing is dropped silently. Duplicate pan-cancer phosphosites are the one
exception: they are collapsed (the row with most values kept) and each dropped row is recorded.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from omicskb.etl.datasets import settle_dataset
from omicskb.etl.db import bulk_insert, is_duckdb, pg_binary_copy_rows, pg_binary_kind, pg_copy_in, stage
from omicskb.etl.errors import InputError
from omicskb.etl.loaders.samples import cohort_for_load, ensure_samples, sample_rows
from omicskb.etl.resolve import GeneIndex, Resolution
from omicskb.etl.releases import TableChange, dataset_slot
from omicskb.etl.runs import LoadContext
from omicskb.etl.sources.matrix import MatrixData
from omicskb.etl.textio import data_file_stem

GENE_LEVEL_OMICS = ("rna", "protein", "cnv", "methylation", "mutation")
SITE_OMICS = ("phospho", "acetyl")
SAMPLE_SCOPES = {"tumor": "tumor", "normal": "adjacent_normal"}
_VARIANT_ID = re.compile(r"^(?P<gene>[^_]+(?:_[^_]+)*?)_(?P<change>[pcgnrm]\.\S+)$")
GENE_SYMBOL_ANNOTATIONS = ("geneSymbol", "GeneSymbol", "gene_symbol", "Gene.Symbol", "symbol")


def dataset_name_for(path: Path) -> str:
    return data_file_stem(path)


@dataclasses.dataclass
class FeatureSpec:
    key: str
    kind: str
    label: str
    gene_id: str | None = None
    protein_id: str | None = None
    residue: str | None = None
    position: int | None = None
    flanking: str | None = None
    rank: int = 9  # collision priority: lower wins (official symbol / Ensembl / GeneID before alias)


def resolve_gene(index: GeneIndex, raw: str) -> Resolution:
    if raw.startswith("ENSG"):
        return index.ensembl(raw)
    if raw.isdigit():
        return index.gene(raw)
    return index.symbol(raw)


def _rank(resolution: Resolution) -> int:
    return 1 if resolution.via == "alias" else 0


COHORT_SOURCE_KINDS = ("matrix", "gct", "gct_annotations", "cptac2019_clinical", "tsi", "pancan_meta", "pancan_survival", "maf")


class ResolutionCache:
    """The gene index and every id resolved so far, reused by later loads in the same process while
    the annotation releases are unchanged (a pan-cancer load resolves the same ids in every cohort)."""

    def __init__(self, conn: sa.Connection):
        self.index = GeneIndex(conn, taxon_id="9606")
        self.symbols: dict[str, str] = dict(conn.execute(sa.text("SELECT gene_id, symbol FROM gene WHERE taxon_id = '9606'")).all())
        self.results: dict[tuple[str, str], tuple[FeatureSpec, str | None]] = {}
        self.parsed: dict[tuple[bool, str], object] = {}


_CACHES: dict[tuple, ResolutionCache] = {}


def resolution_cache(conn: sa.Connection) -> ResolutionCache:
    releases = conn.execute(
        sa.text("SELECT release_id, file_sha256 FROM source_release WHERE source_kind NOT IN :kinds ORDER BY release_id").bindparams(sa.bindparam("kinds", expanding=True)),
        {"kinds": list(COHORT_SOURCE_KINDS)},
    ).all()
    key = (str(conn.engine.url), tuple(map(tuple, releases)))
    if key not in _CACHES:
        _CACHES.clear()  # one database state at a time
        _CACHES[key] = ResolutionCache(conn)
    return _CACHES[key]


class FeatureResolver:
    """Turns a matrix's row ids into FeatureSpecs and records every id that does not resolve."""

    def __init__(self, ctx: LoadContext, cache: ResolutionCache):
        self.ctx = ctx
        self.cache = cache
        self.index = cache.index
        self.symbols = cache.symbols
        self.unresolved = 0

    def reject(self, line: int, raw: str, kind: str, reason: str, disposition: str = "unlinked") -> None:
        """The row keeps its values under an unlinked feature, unless it is collapsed into another."""
        if disposition == "unlinked":
            self.unresolved += 1
        self.ctx.reject(line, raw, kind, reason, disposition)

    def _remembered(self, kind: str, raw: str, line: int, resolve) -> FeatureSpec:
        found = self.cache.results.get((kind, raw))
        if found is None:
            found = self.cache.results[(kind, raw)] = resolve()
        spec, reason = found
        if reason is not None:
            self.reject(line, raw, spec.kind, reason)
        return spec

    def gene(self, raw: str, line: int) -> FeatureSpec:
        return self._remembered("gene", raw, line, lambda: self._gene(raw))

    def _gene(self, raw: str) -> tuple[FeatureSpec, str | None]:
        found = resolve_gene(self.index, raw)
        if found.gene_id is None:
            return FeatureSpec(f"id:gene:{raw}", "gene", raw), found.reason or "not resolved"
        return FeatureSpec(f"gene:{found.gene_id}", "gene", self.symbols.get(found.gene_id, raw), gene_id=found.gene_id, rank=_rank(found)), None

    def variant(self, raw: str, line: int) -> FeatureSpec:
        match = _VARIANT_ID.match(raw)
        if not match:
            return self.gene(raw, line)  # a gene-level mutation status row
        return self._remembered("variant", raw, line, lambda: self._variant(raw, match))

    def _variant(self, raw: str, match) -> tuple[FeatureSpec, str | None]:
        found = resolve_gene(self.index, match["gene"])
        if found.gene_id is None:
            return FeatureSpec(f"id:variant:{raw}", "variant", raw), f"variant's gene: {found.reason}"
        label = f"{self.symbols.get(found.gene_id, match['gene'])}_{match['change']}"
        return FeatureSpec(f"variant:{found.gene_id}:{match['change']}", "variant", label, gene_id=found.gene_id, rank=_rank(found)), None

    def site(self, raw: str, line: int, site) -> FeatureSpec:
        return self._remembered("site", raw, line, lambda: self._site(raw, site))

    def _site(self, raw: str, site) -> tuple[FeatureSpec, str | None]:
        sites = f"{site.residue}{site.position}" + "".join(f"{r}{p}" for r, p in site.multi)
        found = resolve_gene(self.index, site.gene)
        common = dict(protein_id=site.protein, residue=site.residue, position=site.position, flanking=site.flanking)
        if found.gene_id is None:
            return FeatureSpec(f"id:site:{raw}", "site", raw, **common), f"site's gene: {found.reason}"
        label = f"{self.symbols.get(found.gene_id, site.gene)}-{sites}"
        return FeatureSpec(f"site:{found.gene_id}:{site.protein or ''}:{sites}", "site", label, gene_id=found.gene_id, rank=_rank(found), **common), None


def _settle_collisions(resolver: FeatureResolver, specs: list[FeatureSpec], ids: list[str], lines: list[int]) -> None:
    """Two rows must not share a feature: the best-resolved row keeps it, the other is unlinked."""
    owner: dict[str, int] = {}
    for i, spec in enumerate(specs):
        j = owner.get(spec.key)
        if j is None:
            owner[spec.key] = i
            continue
        winner, loser = (j, i) if specs[j].rank <= spec.rank else (i, j)
        owner[spec.key] = winner
        # One reason text for all such rows, so reports group them; file_line and the ids tell which.
        resolver.reject(lines[loser], ids[loser], specs[loser].kind, f"resolves to the same {specs[loser].kind} as another row (kept unlinked)")
        unlinked = dataclasses.replace(specs[loser], key=f"id:{specs[loser].kind}:{ids[loser]}", label=ids[loser], gene_id=None, rank=9)
        specs[loser] = unlinked


def _collapse_sites(ids: list[str], values: np.ndarray, parse, cache: ResolutionCache, pancan: bool):
    """sites.collapse_duplicate_sites, run only on the rows whose site key repeats (few, in real
    releases), so a 100k-site file costs one dictionary pass instead of a full regrouping."""
    from collections import Counter

    from omicskb.etl.sources import sites

    keys: list[object] = []
    for raw in ids:
        try:
            keys.append(sites.site_key(parse(raw)))
        except ValueError:
            keys.append(("unparsed", raw))
    counts = Counter(keys)
    involved = [i for i, key in enumerate(keys) if counts[key] > 1 or key[0] == "unparsed"]
    if not involved:
        return list(range(len(ids))), [], []
    sub_keep, sub_collapsed, sub_unparsed = sites.collapse_duplicate_sites([ids[i] for i in involved], values[involved], parse)
    dropped = {involved[r] for r, _, _ in sub_collapsed} | {involved[r] for r, _ in sub_unparsed}
    keep = [i for i in range(len(ids)) if i not in dropped]
    collapsed = [(involved[d], involved[k], reason) for d, k, reason in sub_collapsed]
    unparsed = [(involved[r], reason) for r, reason in sub_unparsed]
    return keep, collapsed, unparsed


def resolve_features(ctx: LoadContext, data: MatrixData, omics: str) -> tuple[list[int], list[FeatureSpec], int]:
    """(rows kept, their feature specs, number of unresolved ids) for a matrix of `omics`."""
    from omicskb.etl.sources import sites

    cache = resolution_cache(ctx.conn)
    resolver = FeatureResolver(ctx, cache)
    ids, lines = data.feature_ids, data.feature_lines
    keep = list(range(len(ids)))
    specs: list[FeatureSpec] = []
    if omics in SITE_OMICS:
        pancan = any("|" in i for i in ids[:50])
        parse_id = sites.parse_pancan_site if pancan else sites.parse_symbol_site

        def parse(raw: str):  # memoised: collapsing and resolving both parse every id
            key = (pancan, raw)
            if key not in cache.parsed:
                try:
                    cache.parsed[key] = parse_id(raw)
                except ValueError as exc:
                    cache.parsed[key] = exc
            result = cache.parsed[key]
            if isinstance(result, ValueError):
                raise result
            return result
        keep, collapsed, unparsed = _collapse_sites(ids, data.values, parse, cache, pancan)
        for dropped, kept, reason in collapsed:
            # One reason text for all, so reports group them; file_line says which row, and the kept row has the most values.
            resolver.reject(lines[dropped], ids[dropped], "site", "duplicate (gene, protein, site) row collapsed into the row with the most values", "collapsed")
        unlinked = {row: reason for row, reason in unparsed}
        keep = sorted(set(keep) | set(unlinked))
        for row in keep:
            if row in unlinked:
                resolver.reject(lines[row], ids[row], "site", f"site id does not parse: {unlinked[row]}")
                specs.append(FeatureSpec(f"id:site:{ids[row]}", "site", ids[row]))
            else:
                specs.append(resolver.site(ids[row], lines[row], parse(ids[row])))
    elif omics == "mirna":
        specs = [FeatureSpec(f"mirna:{raw}", "mirna", raw) for raw in ids]
    elif omics == "mutation":
        specs = [resolver.variant(raw, line) for raw, line in zip(ids, lines)]
    elif omics in GENE_LEVEL_OMICS:
        # GCT row ids are often RefSeq proteins; their geneSymbol annotation names the gene.
        symbols_given = next((data.row_annotations[k] for k in GENE_SYMBOL_ANNOTATIONS if k in data.row_annotations), None)
        names = [s or raw for s, raw in zip(symbols_given, ids)] if symbols_given else ids
        specs = [resolver.gene(name, line) for name, line in zip(names, lines)]
    else:
        raise InputError(data.path, None, f"unknown omics type {omics!r}")
    _settle_collisions(resolver, specs, [ids[r] for r in keep], [lines[r] for r in keep])
    return keep, specs, resolver.unresolved


def feature_ids_for(ctx: LoadContext, specs: list[FeatureSpec]) -> list[int]:
    """feature_id per spec, inserting the features the database does not have yet."""
    unique: dict[str, FeatureSpec] = {}
    for spec in specs:
        unique.setdefault(spec.key, spec)
    columns = {
        "feature_key": list(unique),
        "feature_kind": [s.kind for s in unique.values()],
        "label": [s.label for s in unique.values()],
        "gene_id": [s.gene_id for s in unique.values()],
        "protein_id": [s.protein_id for s in unique.values()],
        "residue": [s.residue for s in unique.values()],
        "site_position": [s.position for s in unique.values()],
        "flanking_peptide": [s.flanking for s in unique.values()],
    }
    staged = stage(ctx.conn, "stage_feature", "feature", columns)
    names = ", ".join(columns)
    new_features = "FROM stage_feature AS s WHERE NOT EXISTS (SELECT 1 FROM feature AS f WHERE f.feature_key = s.feature_key)"
    inserted = ctx.conn.execute(sa.text(f"SELECT count(*) {new_features}")).scalar_one()
    if inserted:
        ctx.conn.execute(sa.text(f"INSERT INTO feature ({names}) SELECT {names} {new_features}"))
    ctx.loaded("feature", inserted)
    id_of = dict(ctx.conn.execute(sa.text("SELECT f.feature_key, f.feature_id FROM feature AS f JOIN stage_feature AS s ON s.feature_key = f.feature_key")).all())
    staged.drop()
    return [id_of[spec.key] for spec in specs]


def match_samples(ctx: LoadContext, data: MatrixData, cohort: str, sample_scope: str) -> list[int]:
    """sample_id per matrix column. 'from-samples' requires every label in the sample table."""
    header_line = data.feature_lines[0] - 1 if data.feature_lines else 1
    if sample_scope in SAMPLE_SCOPES:
        ids = ensure_samples(ctx, cohort, data.samples, SAMPLE_SCOPES[sample_scope])
        return [ids[label] for label in data.samples]
    if sample_scope != "from-samples":
        raise InputError(data.path, None, f"unknown sample type {sample_scope!r} (tumor, normal or from-samples)")
    by_label: dict[str, list[sa.Row]] = {}
    for row in sample_rows(ctx.conn, cohort):
        by_label.setdefault(row.sample_label, []).append(row)
    result = []
    for label, column in zip(data.samples, data.sample_columns):
        found = by_label.get(label, [])
        if not found:
            raise InputError(data.path, header_line, f"sample {label!r} is not in cohort {cohort}'s sample table (load the samples first, or use --sample-type tumor|normal)", column=column)
        if len(found) > 1:
            kinds = ", ".join(r.sample_type for r in found)
            raise InputError(data.path, header_line, f"sample {label!r} is ambiguous in cohort {cohort} ({kinds}): use --sample-type tumor|normal", column=column)
        result.append(found[0].sample_id)
    return result


def replace_dataset(
    ctx: LoadContext, cohort: str, omics: str, name: str, attributes: dict, feature_ids: list[int], sample_ids: list[int],
    keys_of_mutations: set[tuple] | None = None,
) -> int:
    """The dataset id for (cohort, omics, name): a new dataset, or the existing one with its old rows
    archived and deleted. What the new file adds and removes (features, samples, MAF rows) is counted."""
    ctx.set_slot(dataset_slot(cohort, omics, name))
    existing = ctx.conn.execute(
        sa.text("SELECT dataset_id, release_id FROM dataset WHERE cohort_code = :c AND omics_type = :o AND name = :n"), {"c": cohort, "o": omics, "n": name}
    ).first()
    values = {**attributes, "release_id": ctx.release_id}
    new_features, new_samples = set(feature_ids), set(sample_ids)
    if existing is None:
        columns = ["cohort_code", "omics_type", "name", *values]
        params = {"cohort_code": cohort, "omics_type": omics, "name": name, **values}
        ctx.changed(TableChange("measurement_row", after=len(feature_ids), added=len(new_features)))
        ctx.changed(TableChange("dataset_sample", after=len(sample_ids), added=len(new_samples)))
        return ctx.conn.execute(
            sa.text(f"INSERT INTO dataset ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) RETURNING dataset_id"), params
        ).scalar_one()
    dataset_id = existing.dataset_id
    where = {"d": dataset_id}
    old_features = dict(ctx.conn.execute(sa.text(
        "SELECT m.feature_id, f.label FROM measurement_row AS m JOIN feature AS f ON f.feature_id = m.feature_id WHERE m.dataset_id = :d"), where).all())
    old_samples = dict(ctx.conn.execute(sa.text(
        "SELECT ds.sample_id, s.sample_label FROM dataset_sample AS ds JOIN sample AS s ON s.sample_id = ds.sample_id WHERE ds.dataset_id = :d"), where).all())
    gone_features = sorted(set(old_features) - new_features)
    gone_samples = sorted(set(old_samples) - new_samples)
    ctx.changed(TableChange("measurement_row", before=len(old_features), after=len(feature_ids), added=len(new_features - set(old_features)),
                            removed=len(gone_features), examples=[old_features[f] for f in gone_features[:3]]))
    ctx.changed(TableChange("dataset_sample", before=len(old_samples), after=len(sample_ids), added=len(new_samples - set(old_samples)),
                            removed=len(gone_samples), examples=[old_samples[s] for s in gone_samples[:3]]))
    if keys_of_mutations is not None:
        old_mutations = {tuple(r) for r in ctx.conn.execute(sa.text(
            "SELECT sample_id, chromosome, start_position, reference_allele, tumor_allele FROM mutation WHERE dataset_id = :d"), where)}
        gone = sorted(old_mutations - keys_of_mutations, key=repr)
        ctx.changed(TableChange("mutation", before=len(old_mutations), after=len(keys_of_mutations), added=len(keys_of_mutations - old_mutations),
                                removed=len(gone), examples=[" ".join(map(str, g)) for g in gone[:3]]))
    # As they were, for a rollback: the dataset row, its values, columns and MAF rows.
    for table in ("dataset", "measurement_row", "dataset_sample", "mutation"):
        ctx.archive(table, "dataset_id = :d", where)
    for table in ("measurement_row", "dataset_sample", "mutation"):
        ctx.conn.execute(sa.text(f"DELETE FROM {table} WHERE dataset_id = :d"), where)
    ctx.conn.execute(sa.text(f"UPDATE dataset SET {', '.join(f'{c} = :{c}' for c in values)} WHERE dataset_id = :d"), {**values, **where})
    ctx.notes.append(f"replaced dataset {cohort}/{omics}/{name} (dataset {dataset_id}, release {existing.release_id})")
    return dataset_id


def settle_with_archive(ctx: LoadContext, dataset_id: int) -> None:
    """Settle the dataset's default and pair (etl.datasets), keeping first, for a rollback, the other
    datasets of its (cohort, omics) and their pairs as they are: settling may change them."""
    group = {"d": dataset_id}
    same_group = ("cohort_code = (SELECT cohort_code FROM dataset WHERE dataset_id = :d) "
                  "AND omics_type = (SELECT omics_type FROM dataset WHERE dataset_id = :d)")
    ctx.archive("dataset", f"dataset_id <> :d AND {same_group}", group)
    ctx.archive("dataset_pair", f"tumor_dataset_id IN (SELECT dataset_id FROM dataset WHERE dataset_id <> :d AND {same_group})", group)
    ctx.notes.extend(settle_dataset(ctx.conn, dataset_id))


def insert_rows(ctx: LoadContext, dataset_id: int, feature_ids: list[int], raw_ids: list[str], lines: list[int], values: np.ndarray) -> int:
    """One measurement_row per matrix row; values as an array in column order, NULL for NaN."""
    n_rows, n_cols = values.shape
    if is_duckdb(ctx.conn):
        import pyarrow as pa

        flat = np.ascontiguousarray(values).reshape(-1)
        offsets = pa.array(np.arange(0, n_rows * n_cols + 1, n_cols, dtype=np.int64))
        arrays = pa.LargeListArray.from_arrays(offsets, pa.array(flat, mask=np.isnan(flat)))
        table = pa.table({
            "dataset_id": pa.array(np.full(n_rows, dataset_id, dtype=np.int64)),
            "row_ord": pa.array(np.arange(1, n_rows + 1, dtype=np.int64)),
            "feature_id": pa.array(np.asarray(feature_ids, dtype=np.int64)),
            "raw_identifier": pa.array(raw_ids, type=pa.string()),
            "file_line": pa.array(np.asarray(lines, dtype=np.int64)),
            "sample_values": arrays,
        })
        raw = ctx.conn.connection.driver_connection
        raw.register("stage_measurement_row", table)
        ctx.conn.exec_driver_sql("INSERT INTO measurement_row SELECT dataset_id, row_ord, feature_id, raw_identifier, file_line, sample_values FROM stage_measurement_row")
        raw.unregister("stage_measurement_row")
    else:
        # Binary COPY built by numpy: no Python object per value (etl.db.pg_binary_copy_rows).
        encoding = ctx.conn.connection.driver_connection.info.encoding
        data = {
            "dataset_id": np.full(n_rows, dataset_id, dtype=np.int64),
            "row_ord": np.arange(1, n_rows + 1, dtype=np.int64),
            "feature_id": np.asarray(feature_ids, dtype=np.int64),
            "file_line": np.asarray(lines, dtype=np.int64),
            "raw_identifier": raw_ids,  # the text column goes last
        }
        columns = [(pg_binary_kind("measurement_row", name), column) for name, column in data.items()]
        pg_copy_in(ctx.conn, "measurement_row", [*data, "sample_values"], pg_binary_copy_rows(columns, values, encoding))
    ctx.loaded("measurement_row", n_rows)
    ctx.loaded("values", int(n_rows * n_cols))
    return n_rows


def load_matrix(
    ctx: LoadContext,
    data: MatrixData,
    *,
    cohort: str,
    omics: str,
    sample_scope: str = "from-samples",
    name: str | None = None,
    unit: str | None = None,
    cohort_name: str | None = None,
) -> int:
    """Load a parsed matrix as dataset (cohort, omics, name). Returns the dataset id."""
    cohort = cohort_for_load(ctx, cohort, cohort_name)
    ctx.rows_read += len(data.feature_ids)
    ctx.step(0, 4, "matching samples")
    sample_ids = match_samples(ctx, data, cohort, sample_scope)
    ctx.step(1, 4, "resolving identifiers")
    keep, specs, unresolved = resolve_features(ctx, data, omics)
    ctx.step(2, 4, "writing features")
    feature_ids = feature_ids_for(ctx, specs)
    values = data.values[keep] if len(keep) != len(data.feature_ids) else data.values
    kinds = {s.kind for s in specs}
    dataset_id = replace_dataset(ctx, cohort, omics, name or dataset_name_for(data.path), feature_ids=feature_ids, sample_ids=sample_ids, attributes={
        "feature_kind": kinds.pop() if len(kinds) == 1 else ("site" if omics in SITE_OMICS else "gene"),
        "source_format": data.format,
        "sample_scope": sample_scope,
        "unit": unit,
        "n_features": len(keep),
        "n_samples": len(sample_ids),
        "n_missing": int(np.isnan(values).sum()),
        "n_unresolved": unresolved,
    })
    bulk_insert(ctx.conn, "dataset_sample", {
        "sample_ord": list(range(1, len(sample_ids) + 1)), "sample_id": sample_ids, "column_label": list(data.samples),
    }, extra={"dataset_id": dataset_id})
    ctx.step(3, 4, f"writing {values.size:,} values")
    insert_rows(ctx, dataset_id, feature_ids, [data.feature_ids[r] for r in keep], [data.feature_lines[r] for r in keep], values)
    settle_with_archive(ctx, dataset_id)
    ctx.step(4, 4, "committing")
    return dataset_id
