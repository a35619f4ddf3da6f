"""`omicskb export DIR`, on both backends: the exported Parquet, read back with pyarrow.dataset and
with DuckDB's read_parquet, equals the database: every UCEC seed dataset equals its
`fetch_block` matrix (values, NaN positions, feature and sample order and ids), a tumor/normal pair
rebuilds its block, the sample, clinical, feature and gene tables equal their rows, and the
manifest's releases equal source_release. Filters, refusals and failures leave nothing behind.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from conftest import SEEDS, query_rows, snapshot
from omicskb.etl import export as lib
from omicskb.etl.blocks import fetch_block
from omicskb.etl.db import make_engine
from omicskb.schema import SCHEMA_REVISION
from test_datasets import NORMALIZED, pancan_folder

UCEC = SEEDS / "ucec"
# Partition values read as strings, whatever they look like (a dataset named 2019 stays '2019').
HIVE = ds.partitioning(pa.schema([("cohort", pa.string()), ("omics", pa.string()), ("dataset", pa.string())]), flavor="hive")


def export(omicskb, target, directory, *args):
    return omicskb(target, "export", directory, *args)


def exported_ok(omicskb, target, directory, *args) -> str:
    result = export(omicskb, target, directory, *args)
    assert result.exit_code == 0, result.output
    return result.output


def one_line_error(result, exit_code: int) -> str:
    assert result.exit_code == exit_code, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("omicskb: error: "), line
    return line


def values_table(directory: Path, partitioning=HIVE) -> pa.Table:
    return ds.dataset(directory / "values", format="parquet", partitioning=partitioning).to_table()


def rebuild(table: pa.Table) -> dict:
    """A dataset's matrix from its long rows, placed by row_ord and sample_ord (never by file order)."""
    rows, r = np.unique(table["row_ord"].to_numpy(), return_inverse=True)
    cols, c = np.unique(table["sample_ord"].to_numpy(), return_inverse=True)
    assert table.num_rows == len(rows) * len(cols)  # dense: every cell has a row
    values = np.full((len(rows), len(cols)), -1.0)
    values[r, c] = table["value"].to_numpy(zero_copy_only=False)  # NULL -> NaN

    def along(index, n, column):
        out = [None] * n
        for i, v in zip(index.tolist(), table[column].to_pylist()):
            out[i] = v
        return out

    return {
        "values": values,
        "feature_ids": along(r, len(rows), "feature_id"), "gene_ids": along(r, len(rows), "gene_id"),
        "feature_labels": along(r, len(rows), "feature_label"), "raw_ids": along(r, len(rows), "raw_identifier"),
        "sample_ids": along(c, len(cols), "sample_id"), "sample_labels": along(c, len(cols), "sample_label"),
        "column_labels": along(c, len(cols), "column_label"),
    }


def one_dataset(table: pa.Table, cohort: str, omics: str, name: str) -> pa.Table:
    return table.filter(pc.and_(pc.and_(pc.equal(table["cohort"], cohort), pc.equal(table["omics"], omics)), pc.equal(table["dataset"], name)))


def assert_equals_block(rebuilt: dict, block) -> None:
    assert rebuilt["feature_ids"] == block.feature_ids.tolist()
    assert rebuilt["sample_ids"] == block.sample_ids.tolist()
    assert rebuilt["sample_labels"] == block.sample_labels
    assert rebuilt["feature_labels"] == block.feature_labels
    assert rebuilt["gene_ids"] == block.gene_ids
    assert rebuilt["values"].shape == block.values.shape
    assert np.array_equal(np.isnan(rebuilt["values"]), np.isnan(block.values))
    assert np.array_equal(rebuilt["values"], block.values, equal_nan=True)


def db_datasets(target, cohort="UCEC") -> list[tuple]:
    return query_rows(target, "SELECT dataset_id, omics_type, name, n_features, n_samples FROM dataset WHERE cohort_code = :c ORDER BY dataset_id", c=cohort)


def nulls_last(row: tuple) -> tuple:
    return tuple((v is None, v) for v in row)


def leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


# ---------------------------------------------------------------------------------------------
# Round trip: every UCEC seed dataset equals fetch_block


def test_every_ucec_dataset_round_trips_through_pyarrow_dataset(seeded, omicskb, tmp_path):
    out = tmp_path / "export"
    before = snapshot(seeded)
    output = exported_ok(omicskb, seeded, out)
    assert snapshot(seeded) == before  # export only reads
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask  # the folder as mkdir would make it, not mkdtemp's 0700
    datasets = db_datasets(seeded)
    assert len(datasets) == 7
    assert f"exported {len(datasets)} dataset(s) of 1 cohort(s) (UCEC)" in output

    table = values_table(out)
    assert table.schema.field("value").type == pa.float64() and table.schema.field("gene_id").type == pa.string()
    assert table.schema.field("raw_identifier").type == pa.string() and table.schema.field("dataset").type == pa.string()
    assert {(c, o, n) for c, o, n in zip(*(table[k].to_pylist() for k in ("cohort", "omics", "dataset")))} == {("UCEC", o, n) for _, o, n, _, _ in datasets}
    assert table.num_rows == sum(f * s for *_, f, s in datasets)
    # The simplest read, partition types inferred, gives the same rows.
    assert ds.dataset(out / "values", format="parquet", partitioning="hive").count_rows() == table.num_rows

    engine = make_engine(seeded)
    with engine.connect() as conn:
        for dataset_id, omics, name, n_features, n_samples in datasets:
            part = one_dataset(table, "UCEC", omics, name)
            assert set(part["dataset_id"].to_pylist()) == {dataset_id}
            rebuilt = rebuild(part)
            block = fetch_block(conn, "UCEC", omics, name=name)
            assert block.dataset_names == [name]  # no pairs among the cptac 2019 seeds: the block is the dataset
            assert block.values.shape == (n_features, n_samples)
            assert_equals_block(rebuilt, block)
            raw = query_rows(seeded, "SELECT raw_identifier FROM measurement_row WHERE dataset_id = :d ORDER BY row_ord", d=dataset_id)
            assert rebuilt["raw_ids"] == [r for (r,) in raw]
            columns = query_rows(seeded, "SELECT column_label FROM dataset_sample WHERE dataset_id = :d ORDER BY sample_ord", d=dataset_id)
            assert rebuilt["column_labels"] == [c for (c,) in columns]
    engine.dispose()

    # Each file on its own is in matrix order: by row_ord, then sample_ord.
    for path in (out / "values").rglob("*.parquet"):
        single = pq.read_table(path)
        keys = list(zip(single["row_ord"].to_pylist(), single["sample_ord"].to_pylist()))
        assert keys == sorted(keys)


def test_duckdb_reads_the_export_and_it_equals_the_database(seeded, omicskb, tmp_path):
    out = tmp_path / "export"
    exported_ok(omicskb, seeded, out)
    con = duckdb.connect()

    def parquet(sql: str) -> list[tuple]:
        return [tuple(r) for r in con.execute(sql.replace("{out}", str(out))).fetchall()]

    counts = parquet(
        "SELECT omics, dataset, count(*), count(value), typeof(any_value(gene_id)), typeof(any_value(value)) "
        "FROM read_parquet('{out}/values/**/*.parquet', hive_partitioning = true) WHERE cohort = 'UCEC' GROUP BY ALL"
    )
    expected = query_rows(
        seeded,
        "SELECT d.omics_type, d.name, d.n_features * d.n_samples, (SELECT count(*) FROM measurement AS m WHERE m.dataset_id = d.dataset_id) "
        "FROM dataset AS d WHERE d.cohort_code = 'UCEC'",
    )
    assert sorted(c[:4] for c in counts) == sorted(map(tuple, expected)) and len(counts) == 7
    assert {c[4:] for c in counts} == {("VARCHAR", "DOUBLE")}

    # IL7's present values through the database's long view, and through the export.
    il7 = parquet(
        "SELECT dataset, feature_label, sample_label, value FROM read_parquet('{out}/values/**/*.parquet', hive_partitioning = true) "
        "WHERE gene_id = '3574' AND value IS NOT NULL"
    )
    view = query_rows(seeded, "SELECT dataset_name, feature_label, sample_label, value FROM measurement WHERE gene_id = '3574'")
    assert sorted(il7) == sorted(map(tuple, view)) and len(il7) > 100

    samples = parquet(
        "SELECT sample_id, sample_label, sample_type, patient_id, is_excluded, is_replicate, stat_role, release_id "
        "FROM read_parquet('{out}/samples/*/*.parquet', hive_partitioning = true) WHERE cohort = 'UCEC' ORDER BY sample_id"
    )
    assert samples == [tuple(r) for r in query_rows(
        seeded, "SELECT sample_id, sample_label, sample_type, patient_id, is_excluded, is_replicate, stat_role, release_id FROM sample WHERE cohort_code = 'UCEC' ORDER BY sample_id")]
    assert len(samples) == 153

    clinical = parquet(
        "SELECT sample_id, attribute_id, attribute, clinical_type, value_text, value_number, event "
        "FROM read_parquet('{out}/clinical/*/*.parquet', hive_partitioning = true)"
    )
    view = query_rows(seeded, "SELECT sample_id, attribute_id, attribute, clinical_type, value_text, value_number, event FROM sample_clinical WHERE cohort_code = 'UCEC'")
    assert sorted(clinical, key=nulls_last) == sorted(map(tuple, view), key=nulls_last) and len(clinical) > 1000

    ordinal = parquet("SELECT attribute, levels FROM read_parquet('{out}/clinical_attributes/*/*.parquet') WHERE clinical_type = 'ORD' ORDER BY attribute_id")
    levels = query_rows(seeded, "SELECT a.name, l.level_value FROM clinical_level AS l JOIN clinical_attribute AS a ON a.attribute_id = l.attribute_id WHERE a.clinical_type = 'ORD' ORDER BY a.attribute_id, l.level_order")
    assert ordinal and {name: lv for name, lv in ordinal} == {name: [v for n, v in levels if n == name] for name, _ in levels}

    features = parquet("SELECT * FROM read_parquet('{out}/features/*.parquet') ORDER BY feature_id")
    assert features == [tuple(r) for r in query_rows(
        seeded,
        "SELECT feature_id, feature_key, feature_kind, label, gene_id, protein_id, residue, site_position, flanking_peptide FROM feature "
        "WHERE feature_id IN (SELECT feature_id FROM measurement_row) ORDER BY feature_id")]
    genes = sorted(parquet("SELECT * FROM read_parquet('{out}/genes/*.parquet')"))
    assert genes == sorted(tuple(r) for r in query_rows(
        seeded,
        "SELECT gene_id, taxon_id, symbol, name, type_of_gene, chromosome, map_location, locus_tag, nomenclature_status, modification_date, release_id "
        "FROM gene WHERE gene_id IN (SELECT gene_id FROM feature WHERE feature_id IN (SELECT feature_id FROM measurement_row))"))
    assert ("3574", "IL7") in {(g[0], g[2]) for g in genes}

    listed = parquet("SELECT dataset_id, cohort, omics, dataset, is_default, n_features, n_samples, sample_ids, path FROM read_parquet('{out}/datasets/*.parquet') ORDER BY dataset_id")
    expected = query_rows(seeded, "SELECT dataset_id, cohort_code, omics_type, name, is_default, n_features, n_samples FROM dataset ORDER BY dataset_id")
    assert [r[:7] for r in listed] == [tuple(e) for e in expected]
    for dataset_id, *_, sample_ids, path in listed:
        assert sample_ids == [s for (s,) in query_rows(seeded, "SELECT sample_id FROM dataset_sample WHERE dataset_id = :d ORDER BY sample_ord", d=dataset_id)]
        assert (out / path).is_file()


def test_manifest_names_the_releases_the_data_came_from(seeded, omicskb, tmp_path):
    out = tmp_path / "export"
    exported_ok(omicskb, seeded, out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == lib.EXPORT_FORMAT and manifest["schema_revision"] == SCHEMA_REVISION
    assert manifest["backend"] == ("duckdb" if seeded.endswith(".duckdb") else "postgresql")
    if "://" in seeded:  # the URL is shown with its password masked
        password = seeded.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        assert ":***@" in manifest["database"] and f":{password}@" not in json.dumps(manifest)
    else:
        assert manifest["database"] == seeded

    used = query_rows(
        seeded,
        "SELECT release_id FROM dataset WHERE cohort_code = 'UCEC' UNION SELECT release_id FROM sample WHERE cohort_code = 'UCEC' "
        "UNION SELECT release_id FROM clinical_attribute WHERE cohort_code = 'UCEC' "
        "UNION SELECT v.release_id FROM clinical_value AS v JOIN clinical_attribute AS a ON a.attribute_id = v.attribute_id WHERE a.cohort_code = 'UCEC' "
        "UNION SELECT release_id FROM cohort WHERE cohort_code = 'UCEC' "
        "UNION SELECT g.release_id FROM gene AS g JOIN feature AS f ON f.gene_id = g.gene_id JOIN measurement_row AS m ON m.feature_id = f.feature_id",
    )
    engine = make_engine(seeded)
    with engine.connect() as conn:
        ids = ", ".join(str(int(r)) for (r,) in used)
        rows = [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM source_release WHERE release_id IN ({ids}) ORDER BY release_id"))]
    engine.dispose()
    as_json = [{c: (v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v) for c, v in row.items()} for row in rows]
    assert len(as_json) == len(used) >= 10
    assert [{k: v for k, v in r.items() if k != "used_by"} for r in manifest["releases"]] == as_json
    assert {r["source_kind"] for r in manifest["releases"]} >= {"matrix", "maf", "cptac2019_clinical", "gene_info"}

    # Each dataset names its own release: the seed file it was loaded from, with that file's sha256.
    for entry in manifest["datasets"]:
        (release_id,) = query_rows(seeded, "SELECT release_id FROM dataset WHERE dataset_id = :d", d=entry["dataset_id"])[0]
        assert entry["release_id"] == release_id and entry["release"]["release_id"] == release_id
        seed_file = UCEC / entry["release"]["file_name"]
        assert entry["release"]["file_sha256"] == hashlib.sha256(seed_file.read_bytes()).hexdigest()
        assert entry["release"]["state"] == "current" and entry["release"]["slot_key"] == f"dataset:UCEC/{entry['omics']}/{entry['name']}"
        path = out / entry["path"]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() and entry["bytes"] == path.stat().st_size
        assert entry["rows"] == pq.ParquetFile(path).metadata.num_rows == entry["n_features"] * entry["n_samples"]
        assert entry["n_present"] + entry["n_missing"] == entry["rows"]
        assert entry["n_present"] == query_rows(seeded, "SELECT count(*) FROM measurement WHERE dataset_id = :d", d=entry["dataset_id"])[0][0]

    files = [f for table in manifest["tables"].values() for f in table["files"]]
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    assert sorted(f["path"] for f in files) == on_disk and manifest["totals"]["parquet_files"] == len(on_disk)
    assert manifest["totals"]["parquet_bytes"] == sum((out / f).stat().st_size for f in on_disk)
    assert manifest["totals"]["values"] == sum(d["rows"] for d in manifest["datasets"]) == manifest["tables"]["values"]["rows"]


# ---------------------------------------------------------------------------------------------
# Filters


def test_filters_select_cohorts_and_omics_by_code_alias_and_case(seeded, omicskb, tmp_path):
    out = tmp_path / "some"
    output = exported_ok(omicskb, seeded, out, "--cohort", "ucec", "--omics", "PROTEIN", "-o", "cnv")
    assert "exported 2 dataset(s)" in output
    table = values_table(out)
    assert set(zip(table["omics"].to_pylist(), table["dataset"].to_pylist())) == {("protein", "proteomics"), ("cnv", "CNA")}
    assert sorted(p.name for p in (out / "values" / "cohort=UCEC").iterdir()) == ["omics=cnv", "omics=protein"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["filters"] == {"cohort": ["ucec"], "omics": ["PROTEIN", "cnv"]} and manifest["cohorts"] == ["UCEC"]
    assert {d["name"] for d in manifest["datasets"]} == {"proteomics", "CNA"}
    features = pq.read_table(out / "features" / "part-0.parquet")["feature_id"].to_pylist()
    measured = query_rows(seeded, "SELECT DISTINCT m.feature_id FROM measurement_row AS m JOIN dataset AS d ON d.dataset_id = m.dataset_id WHERE d.name IN ('proteomics', 'CNA') ORDER BY 1")
    assert features == [f for (f,) in measured]  # only the features of what was exported

    # unknown cohort or omics type: one line, exit 1, nothing written
    for args, expected in (
        (("--cohort", "NOPE"), "unknown cohort 'NOPE'"),
        (("--omics", "proteome"), "unknown omics type 'proteome'"),
        (("--cohort", "hgsc"), "nothing to export: cohort OV holds no datasets"),  # an alias of a cohort with no data
        (("--cohort", "UCEC", "--omics", "methylation"), "nothing to export: cohort UCEC holds no datasets of omics methylation"),
    ):
        line = one_line_error(export(omicskb, seeded, tmp_path / "none", *args), 1)
        assert expected in line, line
        assert not (tmp_path / "none").exists() and leftovers(tmp_path, "none") == []
    assert "(known: acetyl, cnv, methylation, mirna, mutation, phospho, protein, rna)" in one_line_error(export(omicskb, seeded, tmp_path / "none", "-o", "x"), 1)


# ---------------------------------------------------------------------------------------------
# The destination: refused, replaced only after success, never half written


def test_refuses_a_destination_that_is_not_empty(duckdb_target, omicskb, tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    line = one_line_error(export(omicskb, duckdb_target, folder), 2)
    assert "exists and is not empty" in line and "--overwrite" in line
    line = one_line_error(export(omicskb, duckdb_target, folder, "--overwrite"), 2)
    assert "holds no omicskb export" in line
    assert [p.name for p in folder.iterdir()] == ["notes.txt"] and (folder / "notes.txt").read_text() == "mine"
    (tmp_path / "file").write_text("x")
    assert "is not a folder" in one_line_error(export(omicskb, duckdb_target, tmp_path / "file", "--overwrite"), 2)
    assert "does not exist" in one_line_error(export(omicskb, duckdb_target, tmp_path / "no" / "such"), 2)
    assert leftovers(tmp_path, "taken") == [] and not (tmp_path / "no").exists()


def test_an_empty_folder_is_filled_and_overwrite_replaces_an_earlier_export(seeded, omicskb, tmp_path):
    out = tmp_path / "export"
    out.mkdir()
    exported_ok(omicskb, seeded, out, "-o", "protein")
    assert {d["omics"] for d in json.loads((out / "manifest.json").read_text())["datasets"]} == {"protein"}
    line = one_line_error(export(omicskb, seeded, out, "-o", "rna"), 2)
    assert "not empty" in line
    exported_ok(omicskb, seeded, out, "-o", "rna", "--overwrite")
    assert {d["omics"] for d in json.loads((out / "manifest.json").read_text())["datasets"]} == {"rna"}
    assert [p.name for p in (out / "values" / "cohort=UCEC").iterdir()] == ["omics=rna"]  # nothing of the old export is left
    assert leftovers(tmp_path, "export") == []


def test_a_failed_export_leaves_nothing_and_keeps_the_earlier_one(seeded, omicskb, tmp_path, monkeypatch):
    out = tmp_path / "export"
    exported_ok(omicskb, seeded, out, "-o", "cnv")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []
    write_values = lib._write_values

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return write_values(*args, **kwargs)

    monkeypatch.setattr(lib, "_write_values", failing)
    result = export(omicskb, seeded, out, "--overwrite")
    assert result.exit_code == 2 and "No space left on device" in result.output, result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    fresh = tmp_path / "fresh"
    calls.clear()
    assert export(omicskb, seeded, fresh).exit_code == 2
    assert not fresh.exists()
    assert leftovers(tmp_path, "export") == [] and leftovers(tmp_path, "fresh") == []

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(lib, "_write_values", interrupted)
    engine = make_engine(seeded, read_only=True)
    with pytest.raises(KeyboardInterrupt):
        lib.export_database(engine, fresh)
    engine.dispose()
    assert not fresh.exists() and leftovers(tmp_path, "fresh") == []


# ---------------------------------------------------------------------------------------------
# Names that need escaping, and tumor/normal pairs


def test_partition_values_are_escaped_and_read_back(seeded, omicskb, tmp_path):
    name = "prot/eo=mics 50%: ü#1"
    result = omicskb(seeded, "load", "matrix", UCEC / "proteomics.cct.gz", "--cohort", "UCEC", "--omics", "protein", "--name", name)
    assert result.exit_code == 0, result.output
    out = tmp_path / "export"
    exported_ok(omicskb, seeded, out, "-o", "protein")
    assert (out / "values" / "cohort=UCEC" / "omics=protein" / "dataset=prot%2Feo%3Dmics 50%25%3A ü%231" / "part-0.parquet").is_file()
    table = values_table(out)
    assert set(table["dataset"].to_pylist()) == {"proteomics", name}
    read = duckdb.sql(f"SELECT DISTINCT dataset FROM read_parquet('{out}/values/**/*.parquet', hive_partitioning = true) ORDER BY 1").fetchall()
    assert read == [(name,), ("proteomics",)]
    engine = make_engine(seeded)
    with engine.connect() as conn:
        assert_equals_block(rebuild(one_dataset(table, "UCEC", "protein", name)), fetch_block(conn, "UCEC", "protein", name=name))
    engine.dispose()
    assert lib.hive_segment("dataset", "a/b=c%d") == "dataset=a%2Fb%3Dc%25d" and lib.hive_segment("omics", "rna") == "omics=rna"


def test_a_tumor_normal_pair_rebuilds_its_block(target, omicskb, tmp_path):
    assert omicskb(target, "load", "gene-info", SEEDS / "gene_info_il7_ucec.tsv").exit_code == 0
    result = omicskb(target, "load", "cohort", pancan_folder(tmp_path), "--cohort", "UCEC", "--layout", "pancan")
    assert result.exit_code == 0, result.output
    out = tmp_path / "export"
    exported_ok(omicskb, target, out, "-o", "phospho")
    table = values_table(out)
    listed = pq.read_table(out / "datasets" / "part-0.parquet").to_pylist()
    tumor = next(d for d in listed if d["dataset"] == f"UCEC_{NORMALIZED}_Tumor")
    normal = next(d for d in listed if d["dataset"] == f"UCEC_{NORMALIZED}_Normal")
    assert (tumor["pair_role"], tumor["paired_dataset_id"], tumor["is_default"]) == ("tumor", normal["dataset_id"], True)
    assert (normal["pair_role"], normal["paired_dataset_id"]) == ("normal", tumor["dataset_id"])
    halves = [rebuild(one_dataset(table, "UCEC", "phospho", d["dataset"])) for d in (tumor, normal)]
    # The block: the tumor dataset's features, then those only the normal one has; tumor columns, then normal.
    features = list(dict.fromkeys(halves[0]["feature_ids"] + halves[1]["feature_ids"]))
    values = np.full((len(features), sum(len(h["sample_ids"]) for h in halves)), np.nan)
    offset = 0
    row_of = {f: i for i, f in enumerate(features)}
    for half in halves:
        rows = [row_of[f] for f in half["feature_ids"]]
        values[rows, offset:offset + len(half["sample_ids"])] = half["values"]
        offset += len(half["sample_ids"])
    engine = make_engine(target)
    with engine.connect() as conn:
        block = fetch_block(conn, "UCEC", "phospho")
    engine.dispose()
    assert block.dataset_names == [tumor["dataset"], normal["dataset"]]
    assert features == block.feature_ids.tolist()
    assert halves[0]["sample_ids"] + halves[1]["sample_ids"] == block.sample_ids.tolist()
    assert tumor["sample_ids"] + normal["sample_ids"] == block.sample_ids.tolist()
    assert np.array_equal(values, block.values, equal_nan=True) and np.isnan(values).any()
    for d, half in zip((tumor, normal), halves):  # pan-cancer rows keep their five-field ids, not the site labels
        raw = query_rows(target, "SELECT raw_identifier FROM measurement_row WHERE dataset_id = :d ORDER BY row_ord", d=d["dataset_id"])
        assert half["raw_ids"] == [r for (r,) in raw] and half["raw_ids"] != half["feature_labels"]

    # The freeze's meta file is per case: its values reach every sample of the case, as in sample_clinical.
    clinical = pq.read_table(out / "clinical" / "cohort=UCEC" / "part-0.parquet")
    rows = sorted(zip(*(clinical[c].to_pylist() for c in ("sample_id", "attribute_id", "value_text", "value_number", "event"))), key=nulls_last)
    view = query_rows(target, "SELECT sample_id, attribute_id, value_text, value_number, event FROM sample_clinical WHERE cohort_code = 'UCEC'")
    assert rows == sorted(map(tuple, view), key=nulls_last)
    assert "patient" in clinical["keyed_by"].to_pylist()
