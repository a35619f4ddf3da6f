"""omicskb: gene annotations and cancer-cohort omics in one relational database.

    import omicskb
    with omicskb.connect("omicskb.duckdb") as db:   # or a postgresql:// URL; read-only by default
        db.gene("IL7")
        db.values("IL7", cohort="UCEC").to_pandas()
        db.query("gene_values", gene_id="3574")
        db.block("UCEC", "proteome").values

The API lives in omicskb.etl.api; the library in omicskb.etl, the schema in omicskb.schema and
the saved SQL in omicskb.queries.
"""

import pkgutil

# A source checkout on sys.path (this folder) and an installed copy can both hold omicskb.etl.
__path__ = pkgutil.extend_path(__path__, __name__)

from omicskb.etl import __version__  # noqa: E402

__all__ = ["Block", "Database", "OmicsKBError", "__version__", "connect"]

_LAZY = {"connect": "omicskb.etl.api", "Database": "omicskb.etl.api", "Block": "omicskb.etl.blocks", "OmicsKBError": "omicskb.etl.errors"}


def __getattr__(name: str):
    # Imported on first use: the CLI imports omicskb.etl.* through this package and should not pay
    # for numpy, pyarrow and the API at start-up.
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'omicskb' has no attribute {name!r}")
