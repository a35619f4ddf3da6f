"""Every reader gives identical records for LF, CRLF, CR CR LF, no final newline and gzip copies of its fixture.

The real cptac 2019 UCEC matrices and MAF end their lines in CRLF; the other real files in LF.
"""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from omicskb.etl.sources import (
    categories,
    cohorts,
    cptac2019_clinical,
    gaf,
    gct,
    gene2ensembl,
    gene2go,
    gene_info,
    gene_orthologs,
    go_obo,
    gtf,
    hcop,
    hgnc,
    isoforms,
    maf,
    matrix,
    pancan_meta,
    species_genes,
    summaries,
    tsi,
)
from omicskb.etl.sources.matrix import MatrixData
from omicskb.etl.sources.sample_sheet import SampleSheet

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _cct(path: Path) -> MatrixData:
    return matrix.read(path, "cct")


def _cbt(path: Path) -> MatrixData:
    return matrix.read(path, "cbt")


def _tsv(path: Path) -> MatrixData:
    return matrix.read(path, "tsv")


# (reader, fixture): every reader on each fixture it has
CASES: list[tuple[Callable, Path]] = [
    (categories.read, ROOT / "seeds" / "categories_il7.tsv"),
    (cohorts.read, DATA / "cohorts" / "cptac_cohorts_with_aliases.tsv"),
    (cptac2019_clinical.read, DATA / "cptac" / "ucec_clinical_subset.txt"),
    (gaf.read_header, DATA / "go" / "goa_human_il7_and_neighbours.gaf"),
    (gaf.read, DATA / "go" / "goa_human_il7_and_neighbours.gaf"),
    (gct.read_annotations, DATA / "gct" / "brca_like_proteome.gct"),
    (gct.read_matrix, DATA / "gct" / "brca_like_proteome.gct"),
    (gene2ensembl.read, DATA / "ncbi" / "gene2ensembl_il7_primary.tsv"),
    (gene2go.read, DATA / "ncbi" / "gene2go_il7_and_edge_cases.tsv"),
    (gene_info.read, DATA / "ncbi" / "gene_info_il7_and_edge_cases.tsv"),
    (gene_orthologs.read, DATA / "ncbi" / "gene_orthologs_il7_human_mouse.tsv"),
    (summaries.read, DATA / "ncbi" / "il7_summary_refseq_2010-12.tsv"),
    (summaries.read, DATA / "ncbi" / "il7_summary_refseq_2020-07.tsv"),
    (go_obo.read_header, DATA / "go" / "go_il7_terms_with_ancestors.obo"),
    (go_obo.read, DATA / "go" / "go_il7_terms_with_ancestors.obo"),
    (go_obo.read, DATA / "go" / "go_obsolete_terms.obo"),
    (gtf.read, DATA / "gtf" / "ensembl_il7_transcripts.gtf"),
    (gtf.read, DATA / "gtf" / "gencode_il7_transcripts.gtf"),
    (hcop.detect, DATA / "hcop" / "hcop15_human_mouse_il7.txt"),
    (hcop.read, DATA / "hcop" / "hcop15_human_mouse_il7.txt"),
    (hcop.read, DATA / "hcop" / "hcop15_human_rat_il7.txt"),
    (hcop.read, DATA / "hcop" / "hcop_human_mouse_il7.csv"),
    (hgnc.read, DATA / "hgnc" / "hgnc_il7_and_edge_cases.tsv"),
    (species_genes.detect_taxon, DATA / "hgnc" / "rgd_il7.tsv"),
    (species_genes.read, DATA / "hgnc" / "mgi_il7.tsv"),
    (species_genes.read, DATA / "hgnc" / "rgd_il7.tsv"),
    (isoforms.read, DATA / "isoforms" / "il7_isoform_selection.tsv"),
    (maf.read, DATA / "cptac" / "ucec_somatic_subset.maf"),
    (_cct, DATA / "cptac" / "ucec_cna_first_rows_pten_tp53_il7.cct"),
    (_cct, DATA / "cptac" / "ucec_proteomics_first_rows_pten_tp53.cct"),
    (_cct, DATA / "cptac" / "ucec_phosphosite_first_rows_pten.cct"),
    (_cbt, DATA / "cptac" / "ucec_somatic_binary_first_rows_il7.cbt"),
    (_tsv, DATA / "pancan" / "UCEC_proteomics_gene_abundance_log2_reference_intensity_normalized_Tumor.txt"),
    (_tsv, DATA / "pancan" / "UCEC_phospho_site_abundance_log2_reference_intensity_normalized_Normal.txt"),
    (pancan_meta.read, DATA / "pancan" / "UCEC_meta.txt"),
    (pancan_meta.read_survival, DATA / "pancan" / "UCEC_survival.txt"),
    (tsi.read, DATA / "tsi" / "samples_as_rows_typed.tsi"),
    (tsi.read, DATA / "tsi" / "firehose_attributes_as_rows.tsi"),
    (tsi.read, DATA / "tsi" / "attributes_as_rows_typed.tsi"),
]


def _id(case: tuple[Callable, Path]) -> str:
    reader, path = case
    module = reader.__module__.rsplit(".", 1)[-1]
    return f"{'matrix' if module == __name__.rsplit('.', 1)[-1] else module}.{reader.__name__.lstrip('_')}:{path.name}"


def _comparable(result):
    """The reader's result without the file path (and with arrays as lists, NaN as None)."""
    if isinstance(result, MatrixData):
        fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result) if f.name not in ("path", "values")}
        return fields, np.where(np.isnan(result.values), None, result.values).tolist()
    if isinstance(result, SampleSheet):
        return dataclasses.replace(result, path=Path("-"))
    if isinstance(result, (str, tuple)) or dataclasses.is_dataclass(result):
        return result
    return list(result)


def _variants(path: Path, tmp_path: Path) -> dict[str, Path]:
    lf = path.read_bytes().replace(b"\r\n", b"\n")
    assert lf.endswith(b"\n") and b"\r" not in lf  # the fixtures are clean text
    crlf = lf.replace(b"\n", b"\r\n")
    contents = {
        "lf": lf,
        "crlf": crlf,
        "cr-cr-lf": lf.replace(b"\n", b"\r\r\n"),
        "crlf-no-final-newline": crlf[:-2],
        "lf-no-final-newline": lf[:-1],
        "crlf-gzip": gzip.compress(crlf, mtime=0),
        "cr-cr-lf-gzip": gzip.compress(lf.replace(b"\n", b"\r\r\n"), mtime=0),
    }
    out = {}
    for name, content in contents.items():
        folder = tmp_path / name
        folder.mkdir()
        out[name] = folder / path.name
        out[name].write_bytes(content)
    return out


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_line_endings_give_identical_records(case: tuple[Callable, Path], tmp_path: Path) -> None:
    reader, fixture = case
    expected = _comparable(reader(fixture))
    assert expected  # the fixture gives something to compare
    for name, copy in _variants(fixture, tmp_path).items():
        assert _comparable(reader(copy)) == expected, name


def test_every_reader_is_covered() -> None:
    covered = {reader.__module__.rsplit(".", 1)[-1] for reader, _ in CASES} | {"matrix"}
    modules = {p.stem for p in (ROOT / "etl" / "sources").glob("*.py")} - {"__init__", "sample_sheet", "sites", "kinds"}
    assert modules <= covered, sorted(modules - covered)


def test_real_ucec_fixtures_keep_their_crlf() -> None:
    # The cut fixtures are byte for byte: each line of the real files ends in CRLF.
    for name in ("ucec_cna_first_rows_pten_tp53_il7.cct", "ucec_somatic_binary_first_rows_il7.cbt", "ucec_somatic_subset.maf"):
        data = (DATA / "cptac" / name).read_bytes()
        assert data.count(b"\r\n") == data.count(b"\n") > 10, name
