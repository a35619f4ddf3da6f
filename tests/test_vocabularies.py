"""The vocabularies are stated once (schema/vocabularies.py): a migrated database holds exactly
their rows, on both backends, and every Python constant that names codes equals its vocabulary."""

from __future__ import annotations

import pytest

from omicskb.etl import cohorts
from omicskb.etl.loaders import matrices
from omicskb.etl.sources import maf, sample_sheet, tsi
from omicskb.schema import vocabularies
from omicskb.schema.models import Base
from omicskb.schema.vocabularies import LOOKUPS, codes

from conftest import query_rows


def _normalised(row: tuple) -> tuple:
    # DuckDB and PostgreSQL both return bool for BOOLEAN; 0/1 would compare equal to it anyway.
    return tuple(bool(v) if isinstance(v, bool) else v for v in row)


def test_every_lookup_is_a_table_of_the_schema():
    for table, (columns, _) in LOOKUPS.items():
        assert table in Base.metadata.tables, table
        assert set(columns) <= set(Base.metadata.tables[table].c.keys()), table


@pytest.mark.parametrize("table", sorted(LOOKUPS))
def test_migrated_database_holds_exactly_the_vocabulary(target, table):
    columns, rows = LOOKUPS[table]
    stored = query_rows(target, f"SELECT {', '.join(columns)} FROM {table}")
    expected = [_normalised(tuple(r)) for r in rows()]
    assert len(expected) == len({r[0] for r in expected}), f"{table}: a code is stated twice"
    assert sorted(map(_normalised, stored), key=repr) == sorted(expected, key=repr)


def test_database_and_code_agree(target):
    """The constants the readers and loaders use, against the rows the database holds."""
    def db_codes(table: str, where: str = "") -> set[str]:
        return {r[0] for r in query_rows(target, f"SELECT code FROM {table} {where}")}

    assert set(sample_sheet.CLINICAL_TYPES) == db_codes("clinical_type")
    assert set(sample_sheet.SAMPLE_TYPES) == db_codes("sample_type")
    assert maf.NONSILENT_CLASSES == db_codes("variant_class", "WHERE is_nonsilent")
    assert maf.ALL_CLASSES == db_codes("variant_class")
    assert set(cohorts.OMICS_TYPES) == db_codes("omics_type")


def test_reader_constants_equal_their_vocabularies():
    assert sample_sheet.CLINICAL_TYPES == codes(vocabularies.CLINICAL_TYPES)
    # A file never names the type 'unknown': an empty type is read as None.
    assert sample_sheet.SAMPLE_TYPES == codes(vocabularies.SAMPLE_TYPES)
    # A .tsi type row declares every clinical type but free text.
    assert tsi.TSI_TYPES == set(codes(vocabularies.CLINICAL_TYPES)) - {"TXT"}
    assert maf.NONSILENT_CLASSES == set(vocabularies.NONSILENT_VARIANT_CLASSES)
    assert maf.ALL_CLASSES == set(vocabularies.NONSILENT_VARIANT_CLASSES) | set(vocabularies.SILENT_VARIANT_CLASSES)
    assert not set(vocabularies.NONSILENT_VARIANT_CLASSES) & set(vocabularies.SILENT_VARIANT_CLASSES)


def test_loader_constants_equal_their_vocabularies():
    assert tuple(cohorts.OMICS_TYPES) == codes(vocabularies.OMICS_TYPES)
    levels = {code: level for code, _, level in vocabularies.OMICS_TYPES}
    # The matrix loader resolves every omics type by exactly one rule: sites, miRNAs, or genes.
    assert set(matrices.SITE_OMICS) == {c for c, level in levels.items() if level == "site"}
    assert set(matrices.GENE_LEVEL_OMICS) | {"mirna"} == {c for c, level in levels.items() if level == "gene"}
    assert not set(matrices.GENE_LEVEL_OMICS) & {"mirna"}
    assert set(matrices.SAMPLE_SCOPES.values()) <= set(codes(vocabularies.SAMPLE_TYPES))
    assert set(matrices.SAMPLE_SCOPES) <= set(cohorts.SAMPLE_SCOPES)
