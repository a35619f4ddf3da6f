"""The pan-cancer layout: the hand-written fixtures in tests/data/pancan and benchmarks/synthetic_pancan.py."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from benchmarks import synthetic_pancan as gen
from omicskb.etl.sources import matrix, pancan_meta
from omicskb.etl.sources.sites import collapse_duplicate_sites, parse_pancan_site

ROOT = Path(__file__).resolve().parents[1]
PANCAN = ROOT / "tests" / "data" / "pancan"
TUMORS = "C3L-00006 C3L-00008 C3L-00032 C3L-00084 C3L-00090 C3L-00098 C3L-00136 C3L-00137".split()
FIXTURES = {
    "RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor": (7, TUMORS),
    "RNAseq_gene_RSEM_coding_UQ_1500_log2_Normal": (7, TUMORS[:3]),
    "proteomics_gene_abundance_log2_reference_intensity_normalized_Tumor": (5, TUMORS),
    "proteomics_gene_abundance_log2_reference_intensity_normalized_Normal": (5, TUMORS[:3]),
    "phospho_site_abundance_log2_reference_intensity_normalized_Tumor": (8, TUMORS),
    "phospho_site_abundance_log2_reference_intensity_normalized_Normal": (8, TUMORS[:3]),
    "WES_CNV_gene_ratio_log2": (7, TUMORS),
    "somatic_mutation_gene_level_binary": (7, TUMORS),
}


def _format(name: str) -> str:
    return "cbt" if "mutation" in name else "tsv"


@pytest.mark.parametrize("suffix", sorted(FIXTURES))
def test_hand_written_fixture_layout(suffix: str) -> None:
    rows, samples = FIXTURES[suffix]
    data = matrix.read(PANCAN / f"UCEC_{suffix}.txt", format=_format(suffix))
    assert data.id_header == "idx" and data.samples == samples and data.shape == (rows, len(samples))
    if "phospho" in suffix:
        assert {parse_pancan_site(i).gene for i in data.feature_ids} == {"ENSG00000141510.17", "ENSG00000142208.16", "ENSG00000171862.10"}
    else:
        assert "ENSG00000104432.14" in data.feature_ids  # IL7
        assert all(i.startswith("ENSG") for i in data.feature_ids)


def test_hand_written_fixture_genes() -> None:
    rna = matrix.read(PANCAN / "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor.txt")
    assert rna.feature_ids[-1] == "ENSG00000182162.11_PAR_Y" and not np.any(rna.values[-1])
    assert not np.isnan(rna.values).any()
    mutation = matrix.read(PANCAN / "UCEC_somatic_mutation_gene_level_binary.txt", format="cbt")
    assert mutation.values[mutation.feature_ids.index("ENSG00000171862.10")].sum() == 6  # PTEN


# --- the generator ---------------------------------------------------------------------------------

SCALE = 0.02  # 400 genes, 240 proteins, 2,000 sites: big enough for the missing fractions to settle


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("pancan")
    assert gen.main([str(out), "--scale", str(SCALE), "--seed", "1", "--workers", "2"]) == 0
    return out, json.loads((out / "manifest.json").read_text())


def test_manifest_lists_every_file(synthetic: tuple[Path, dict]) -> None:
    out, manifest = synthetic
    files = {e["file"] for e in manifest["files"]}
    assert files == {p.name for p in out.iterdir()} - {"manifest.json"}
    assert len(files) == 94  # 8 cohorts x 10 files + BRCA, GBM x 7 (no normals)
    cohorts = manifest["cohorts"]
    assert set(cohorts) == {"BRCA", "CCRCC", "COAD", "GBM", "HNSCC", "LSCC", "LUAD", "OV", "PDAC", "UCEC"}
    assert sum(c["tumors"] for c in cohorts.values()) == 1093 and sum(c["normals"] for c in cohorts.values()) == 502
    assert cohorts["BRCA"]["normals"] == cohorts["GBM"]["normals"] == 0
    assert manifest["features"] == {"genes": 400, "proteins": 240, "phosphosites": 2000}
    assert not any(p.name.startswith(("BRCA", "GBM")) and "Normal" in p.name for p in out.iterdir())
    matrices = [e for e in manifest["files"] if e["omics"] not in ("meta", "survival")]
    assert manifest["total_values"] == sum(e["rows"] * e["columns"] for e in matrices)


def test_matrices_readable_with_manifest_shapes(synthetic: tuple[Path, dict]) -> None:
    out, manifest = synthetic
    cohorts = manifest["cohorts"]
    tumor_samples: dict[str, list[str]] = {}
    missing: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    normals: list[tuple[str, list[str]]] = []
    rows_by_omics: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for entry in manifest["files"]:
        if entry["omics"] in ("meta", "survival"):
            continue
        data = matrix.read(out / entry["file"], format=_format(entry["file"]))
        assert data.id_header == "idx"
        assert data.shape == (entry["rows"], entry["columns"])
        n_missing = int(np.isnan(data.values).sum())
        assert n_missing == entry["missing"]
        missing[entry["omics"]][0] += n_missing
        missing[entry["omics"]][1] += data.values.size
        rows_by_omics[entry["omics"]].add(tuple(data.feature_ids))
        if entry["sample_type"] == "Normal":
            normals.append((entry["cohort"], data.samples))
            assert len(data.samples) == cohorts[entry["cohort"]]["normals"]
        else:
            assert len(data.samples) == cohorts[entry["cohort"]]["tumors"]
            assert tumor_samples.setdefault(entry["cohort"], data.samples) == data.samples
        if entry["omics"] == "mutation":
            assert set(np.unique(data.values)) <= {0.0, 1.0}
    # Tumor and Normal files use the same case ids: the normals are some of the tumours' cases, in order.
    for cohort, samples in normals:
        tumors = tumor_samples[cohort]
        assert samples == [s for s in tumors if s in set(samples)]
    fraction = {omics: m / n for omics, (m, n) in missing.items()}
    assert fraction["mrna"] == 0.0 and fraction["mutation"] == 0.0
    assert abs(fraction["protein"] - 0.20) < 0.04
    assert abs(fraction["phosphosite"] - 0.50) < 0.04
    assert 0.0 < fraction["cnv"] < 0.02
    # Every cohort has the same rows for an omics type.
    assert all(len(ids) == 1 for ids in rows_by_omics.values())


def test_ids(synthetic: tuple[Path, dict]) -> None:
    out, _ = synthetic
    rna = matrix.read(out / "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor.txt")
    genes = set(rna.feature_ids)
    assert all(len(g.split(".")[0]) == 15 and g.startswith("ENSG") for g in genes)
    par = [i for i, g in enumerate(rna.feature_ids) if g.endswith("_PAR_Y")]
    assert par and not np.any(rna.values[par])  # the Y copy's reads go to the X copy
    assert all(g[: -len("_PAR_Y")] in genes for g in np.array(rna.feature_ids)[par])
    protein = matrix.read(out / "UCEC_proteomics_gene_abundance_log2_reference_intensity_normalized_Tumor.txt")
    assert set(protein.feature_ids) <= genes
    phospho = matrix.read(out / "UCEC_phospho_site_abundance_log2_reference_intensity_normalized_Tumor.txt")
    parsed = [parse_pancan_site(i) for i in phospho.feature_ids]
    assert {p.gene for p in parsed} <= set(protein.feature_ids)
    assert any(p.gene.endswith("_PAR_Y") for p in parsed)
    assert 0.05 < sum(bool(p.multi) for p in parsed) / len(parsed) < 0.15
    assert all(p.flanking and len(p.flanking) in (13, 15) for p in parsed)
    keep, collapsed, unparsed = collapse_duplicate_sites(phospho.feature_ids, phospho.values, parse_pancan_site)
    assert not unparsed and len(collapsed) == 2 and len(keep) == 1998


def test_meta_and_survival(synthetic: tuple[Path, dict]) -> None:
    out, manifest = synthetic
    tumors = matrix.read(out / "OV_RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor.txt").samples
    meta = pancan_meta.read(out / "OV_meta.txt")
    assert [s.label for s in meta.samples] == tumors
    assert {a.name: a.kind for a in meta.attributes} == {"Sex": "BIN", "Age": "CON", "Race": "CAT", "Stage": "ORD", "BMI": "CON", "Tumor_Code": "TXT"}
    survival = pancan_meta.read_survival(out / "OV_survival.txt")
    assert [s.label for s in survival.samples] == tumors
    assert {a.name for a in survival.attributes} == {"OS", "PFS"}


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_any_workers(tmp_path: Path) -> None:
    gen.main([str(tmp_path / "a"), "--scale", "0.004", "--workers", "1"])
    gen.main([str(tmp_path / "b"), "--scale", "0.004", "--workers", "2"])
    gen.main([str(tmp_path / "c"), "--scale", "0.004", "--seed", "2"])
    a, b, c = _bytes(tmp_path / "a"), _bytes(tmp_path / "b"), _bytes(tmp_path / "c")
    assert a == b
    assert a.keys() == c.keys()
    differ = [name for name in a if a[name] != c[name]]
    assert len(differ) == len(a)  # every data file (and the manifest's seed) changes with the seed


def test_gzip_output(tmp_path: Path) -> None:
    gen.main([str(tmp_path / "plain"), "--scale", "0.003"])
    gen.main([str(tmp_path / "gz"), "--scale", "0.003", "--gzip"])
    plain, packed = _bytes(tmp_path / "plain"), _bytes(tmp_path / "gz")
    data_files = sorted(n for n in plain if n != "manifest.json")
    assert sorted(n for n in packed if n != "manifest.json") == [n + ".gz" for n in data_files]
    for name in data_files:
        assert packed[name + ".gz"][:2] == b"\x1f\x8b" and gzip.decompress(packed[name + ".gz"]) == plain[name]
    data = matrix.read(tmp_path / "gz" / "UCEC_somatic_mutation_gene_level_binary.txt.gz", format="cbt")
    assert data.shape == (60, 104)


def test_genes_from_database(tmp_path: Path, duckdb_target: str, omicskb) -> None:
    result = omicskb(duckdb_target, "load", "gene-info", ROOT / "tests" / "data" / "ncbi" / "gene_info_il7_and_edge_cases.tsv")
    assert result.exit_code == 0, result.output
    gen.main([str(tmp_path / "out"), "--scale", "0.003", "--genes-from", duckdb_target])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["gene_ids"].endswith("(6 real ids)")
    genes = matrix.read(tmp_path / "out" / "UCEC_WES_CNV_gene_ratio_log2.txt").feature_ids
    assert "ENSG00000104432.1" in genes  # IL7, from the database; gene_info xrefs have no version


def test_command_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "synthetic_pancan.py"), str(tmp_path), "--scale", "0.002"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    assert done.stdout.startswith(f"wrote 94 files to {tmp_path}: ") and " s\n" in done.stdout
    assert (tmp_path / "manifest.json").is_file()
