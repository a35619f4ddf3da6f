"""The Python API: an omicskb database for notebooks, scripts and the later engines.

    import omicskb
    db = omicskb.connect("omicskb.duckdb")            # read-only unless read_only=False
    db.gene("IL7")                                    # the gene card, a dict
    db.values("IL7", cohort="UCEC").to_pandas()       # long form, one row per value
    db.query("genes_for_go_term", go_id="GO:0006955") # any saved query -> pyarrow.Table
    block = db.block("UCEC", "proteome")              # numpy matrix + sample and feature metadata
    db.datasets(cohort="ucec")

Every result that is a table is a pyarrow.Table with the saved query's declared columns and types,
on DuckDB and PostgreSQL alike. Cohort codes and aliases (any case) and gene symbols, aliases,
previous symbols, GeneIDs and Ensembl ids resolve as they do in the CLI. Errors are OmicsKBError
subclasses: LookupFailed for an unknown or ambiguous gene, cohort or dataset; QueryError for a
wrong parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from omicskb.etl import datasets as dataset_lib
from omicskb.etl.blocks import Block, fetch_block
from omicskb.etl.cohort_names import resolve_cohort
from omicskb.etl.db import display_target, make_engine, require_schema, resolve_target
from omicskb.etl.errors import LookupFailed
from omicskb.etl.genecard import find_gene, gene_card
from omicskb.etl.queries import SavedQuery, catalogue, get, run_query

__all__ = ["Database", "connect"]


def connect(target: str | None = None, *, read_only: bool = True, lock_timeout: float | None = None,
            on_wait: Callable[[str], None] | None = None) -> Database:
    """Open an omicskb database: a DuckDB file path or a postgresql:// URL (None: $OMICSKB_DB, else
    ./omicskb.duckdb). Read-only by default: on DuckDB any number of readers share the file, and a
    writer waits (lock_timeout seconds, as --lock-timeout) until they close."""
    return Database(resolve_target(target), read_only=read_only, lock_timeout=lock_timeout, on_wait=on_wait)


class Database:
    """One open database. Use it as a context manager, or call close(): on DuckDB an open
    connection holds the file's lock."""

    def __init__(self, target: str, *, read_only: bool = True, lock_timeout: float | None = None,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.target = target
        self.read_only = read_only
        self.engine = make_engine(target, read_only=read_only, lock_timeout=lock_timeout, on_wait=on_wait, application_name="omicskb api")
        try:
            require_schema(self.engine)
        except BaseException:
            self.engine.dispose()
            raise

    def __repr__(self) -> str:
        return f"omicskb.Database({display_target(self.target)!r}, read_only={self.read_only})"

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    def _connection(self) -> sa.Connection:
        return self.engine.connect()

    # --- saved queries ---------------------------------------------------------------------

    @staticmethod
    def queries() -> dict[str, SavedQuery]:
        """The saved queries by name, each with its description, parameters and columns."""
        return dict(catalogue())

    def query(self, name: str, /, *, native: bool = True, **params: Any) -> pa.Table:
        """Run the saved query `name` with its parameters bound (defaults for the ones not given).

        A `cohort` parameter accepts a code or alias in any case ('' = all); a `gene_id` or
        `gene_ids` parameter accepts symbols, aliases and Ensembl ids as well as GeneIDs.
        dataset_values runs natively (etl.long_form: the same rows, dictionary-encoded text)
        unless native=False."""
        with self._connection() as conn:
            return run_query(conn, name, resolve_params(conn, get(name), params), native=native)

    # --- genes, values, datasets -----------------------------------------------------------

    def gene(self, query: str) -> dict[str, Any]:
        """The gene card of a symbol, alias, previous symbol, GeneID or Ensembl gene id."""
        with self._connection() as conn:
            return gene_card(conn, str(query))

    def gene_id(self, query: str) -> str:
        """The GeneID a symbol, alias, previous symbol or Ensembl id names (LookupFailed if none or several)."""
        with self._connection() as conn:
            return find_gene(conn, str(query))[0]

    def values(self, gene: str, cohort: str = "", dataset: str = "", *, summary: bool = False) -> pa.Table:
        """A gene's values, long form (saved query gene_values), or per dataset, feature and role
        (gene_value_summary), from each cohort and omics' default dataset or the one named."""
        return self.query("gene_value_summary" if summary else "gene_values", gene_id=gene, cohort=cohort, dataset=dataset)

    def cohorts(self) -> pa.Table:
        """Samples per cohort and sample type (saved query cohort_sample_counts)."""
        return self.query("cohort_sample_counts")

    def datasets(self, cohort: str = "", omics: str = "") -> pa.Table:
        """Every dataset (of a cohort, code or alias; of an omics type) with its shape, default flag and pair."""
        table = self.query("cohort_datasets", cohort=cohort)
        if omics:
            table = table.filter(pc.equal(table["omics_type"], omics))
        return table

    def block(self, cohort_or_dataset: str, omics: str | None = None, dataset: str | None = None, *, role: str | None = None) -> Block:
        """A block as a float matrix (features x samples, NaN = missing) with its sample and feature
        metadata: `block("UCEC", "proteome")` the default dataset (with its paired normal dataset),
        `block("UCEC", "proteome", "name")` a named one, or `block("name")` a dataset named uniquely
        across cohorts. role='tumor' or 'normal' keeps those samples."""
        with self._connection() as conn:
            if omics is None:
                found = [d for d in dataset_lib.list_datasets(conn) if d.name == cohort_or_dataset]
                if not found:
                    raise LookupFailed(f"no dataset named {cohort_or_dataset!r} (see 'omicskb datasets')")
                if len(found) > 1:
                    raise LookupFailed(f"dataset name {cohort_or_dataset!r} is in {len(found)} places ({', '.join(d.label for d in found)}): give the cohort and omics")
                return fetch_block(conn, found[0].cohort_code, found[0].omics_type, found[0].name, role=role)
            return fetch_block(conn, cohort_or_dataset, omics, dataset, role=role)


    def export(self, directory: str, *, cohorts: tuple[str, ...] = (), omics: tuple[str, ...] = (), overwrite: bool = False):
        """Write datasets, samples, clinical values, features and genes as Hive-partitioned Parquet
        with a manifest (what `omicskb export` writes; see omicskb.etl.export). Returns its counts."""
        from omicskb.etl.export import export_database

        return export_database(self.engine, directory, cohorts=cohorts, omics=omics, overwrite=overwrite, database=display_target(self.target))


def resolve_params(conn: sa.Connection, query: SavedQuery, params: dict[str, Any]) -> dict[str, Any]:
    """Every parameter bound (query.bind: checked types and defaults), with names resolved as
    everywhere else: a cohort alias to its code, a gene symbol to its GeneID. Types are checked
    first, so a wrong type is a QueryError, not a failed lookup."""
    checked = query.bind(params)
    resolved = dict(checked)
    cohort = checked.get("cohort")
    if isinstance(cohort, str) and cohort.strip():
        resolved["cohort"] = resolve_cohort(conn, cohort)
    for name in ("gene_id", "gene"):
        gene = checked.get(name)
        if isinstance(gene, str) and gene.strip():
            resolved[name] = find_gene(conn, gene)[0]
    genes = checked.get("gene_ids")
    if isinstance(genes, list):
        resolved["gene_ids"] = [find_gene(conn, g)[0] for g in genes]
    return resolved
