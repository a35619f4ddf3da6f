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
from omicskb.etl.api import Database, connect  # noqa: E402
from omicskb.etl.blocks import Block  # noqa: E402
from omicskb.etl.errors import OmicsKBError  # noqa: E402

__all__ = ["Block", "Database", "OmicsKBError", "__version__", "connect"]
