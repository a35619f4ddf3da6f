"""Tests for etl.sources.kinds (sniff, check_kind) and for the sample-table readers refusing matrices.

Every committed fixture is sniffed as its own kind, and checked against every other loader's kind;
the real files under $OMICSKB_REALDATA are checked the same way (`-m realdata`).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import cptac2019_clinical, gct, kinds, matrix, pancan_meta, tsi
from omicskb.etl.textio import read_head

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"

# The loaders' kinds, as the lead calls check_kind with them.
LOADER_KINDS = (
    "matrix", "gct", "gct_annotations", "cptac2019_clinical", "tsi", "pancan_meta", "pancan_survival", "maf",
    "gene_info", "gene2go", "go_obo", "gaf", "hgnc", "species_genes", "hcop", "gene_orthologs", "summaries",
    "gtf", "gene2ensembl", "isoforms", "categories", "cohorts",
)

PANCAN_MATRICES = [
    "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Normal.txt",
    "UCEC_RNAseq_gene_RSEM_coding_UQ_1500_log2_Tumor.txt",
    "UCEC_WES_CNV_gene_ratio_log2.txt",
    "UCEC_phospho_site_abundance_log2_reference_intensity_normalized_Normal.txt",
    "UCEC_phospho_site_abundance_log2_reference_intensity_normalized_Tumor.txt",
    "UCEC_proteomics_gene_abundance_log2_reference_intensity_normalized_Normal.txt",
    "UCEC_proteomics_gene_abundance_log2_reference_intensity_normalized_Tumor.txt",
    "UCEC_somatic_mutation_gene_level_binary.txt",
]
UCEC_MATRICES = [
    "ucec_cna_first_rows_pten_tp53_il7.cct",
    "ucec_proteomics_first_rows_pten_tp53.cct",
    "ucec_phosphosite_first_rows_pten.cct",
    "ucec_somatic_binary_first_rows_il7.cbt",
]
MATRIX_FIXTURES = [DATA / "cptac" / name for name in UCEC_MATRICES] + [DATA / "pancan" / name for name in PANCAN_MATRICES]

# fixture -> every kind it looks like, best first
FIXTURES: dict[Path, list[str]] = {
    **{path: ["matrix"] for path in MATRIX_FIXTURES},
    DATA / "cptac" / "ucec_clinical_subset.txt": ["cptac2019_clinical"],
    DATA / "cptac" / "ucec_somatic_subset.maf": ["maf"],
    DATA / "gct" / "brca_like_proteome.gct": ["gct", "gct_annotations"],
    DATA / "pancan" / "UCEC_meta.txt": ["pancan_meta"],
    DATA / "pancan" / "UCEC_survival.txt": ["pancan_survival"],
    DATA / "tsi" / "samples_as_rows_typed.tsi": ["tsi"],
    DATA / "tsi" / "firehose_attributes_as_rows.tsi": ["tsi"],
    DATA / "tsi" / "attributes_as_rows_typed.tsi": ["tsi"],
    DATA / "go" / "go_il7_terms_with_ancestors.obo": ["go_obo"],
    DATA / "go" / "go_obsolete_terms.obo": ["go_obo"],
    DATA / "go" / "goa_human_il7_and_neighbours.gaf": ["gaf"],
    DATA / "gtf" / "ensembl_il7_transcripts.gtf": ["gtf"],
    DATA / "gtf" / "gencode_il7_transcripts.gtf": ["gtf"],
    DATA / "hcop" / "hcop15_human_mouse_il7.txt": ["hcop"],
    DATA / "hcop" / "hcop15_human_rat_il7.txt": ["hcop"],
    DATA / "hcop" / "hcop_human_mouse_il7.csv": ["hcop"],
    DATA / "hgnc" / "hgnc_il7_and_edge_cases.tsv": ["hgnc"],
    DATA / "hgnc" / "mgi_il7.tsv": ["species_genes"],
    DATA / "hgnc" / "rgd_il7.tsv": ["species_genes"],
    DATA / "isoforms" / "il7_isoform_selection.tsv": ["isoforms"],
    DATA / "ncbi" / "gene2ensembl_il7_primary.tsv": ["gene2ensembl"],
    DATA / "ncbi" / "gene2go_il7_and_edge_cases.tsv": ["gene2go"],
    DATA / "ncbi" / "gene2go_il7_and_edge_cases.tsv.gz": ["gene2go"],
    DATA / "ncbi" / "gene_info_il7_and_edge_cases.tsv": ["gene_info"],
    DATA / "ncbi" / "gene_orthologs_il7_human_mouse.tsv": ["gene_orthologs"],
    DATA / "ncbi" / "il7_summary_refseq_2010-12.tsv": ["summaries"],
    DATA / "ncbi" / "il7_summary_refseq_2020-07.tsv": ["summaries"],
    DATA / "cohorts" / "cptac_cohorts_with_aliases.tsv": ["cohorts"],
    ROOT / "seeds" / "categories_il7.tsv": ["categories"],
    ROOT / "seeds" / "ucec" / "clinical.txt": ["cptac2019_clinical"],
    ROOT / "seeds" / "ucec" / "CNA.cct.gz": ["matrix"],
    ROOT / "seeds" / "ucec" / "somatic_binary.cbt.gz": ["matrix"],
}
SAMPLE_TABLE_READERS = {
    "tsi": tsi.read,
    "cptac2019_clinical": cptac2019_clinical.read,
    "pancan_meta": pancan_meta.read,
    "pancan_survival": pancan_meta.read_survival,
    "gct_annotations": gct.read_annotations,
}
MATRIX_REFUSAL = "this looks like a feature x sample matrix (.cct/.cbt, idx table), not "


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_every_loader_kind_is_declared_once() -> None:
    assert sorted(kinds.BY_CODE) == sorted(LOADER_KINDS)
    assert len(kinds.KINDS) == len(LOADER_KINDS)
    for kind in kinds.KINDS:
        assert kind.description.startswith(("a ", "an ")) and kind.command.startswith("omicskb load ")


def test_every_fixture_kind_is_covered() -> None:
    assert {kinds_[0] for kinds_ in FIXTURES.values()} | {"gct_annotations"} == set(LOADER_KINDS)


@pytest.mark.parametrize("path", list(FIXTURES), ids=_id)
def test_fixture_is_sniffed_as_its_kind(path: Path) -> None:
    assert kinds.sniff(path) == FIXTURES[path]


@pytest.mark.parametrize("path", list(FIXTURES), ids=_id)
def test_fixture_passes_its_own_check(path: Path) -> None:
    for code in FIXTURES[path]:
        kinds.check_kind(path, code)  # no error


@pytest.mark.parametrize("path", list(FIXTURES), ids=_id)
def test_fixture_is_refused_by_every_other_loader(path: Path) -> None:
    best = kinds.BY_CODE[FIXTURES[path][0]]
    for code in LOADER_KINDS:
        if code in FIXTURES[path]:
            continue
        with pytest.raises(InputError) as caught:
            kinds.check_kind(path, code)
        error = caught.value
        assert (error.path, error.line) == (str(path), 1)
        assert error.reason.startswith(f"this looks like {best.description}, not {kinds.BY_CODE[code].description}")
        assert f"load it with '{best.command}'" in error.reason


def test_refusal_message_of_a_matrix_given_to_load_samples() -> None:
    path = DATA / "cptac" / "ucec_cna_first_rows_pten_tp53_il7.cct"
    with pytest.raises(InputError) as caught:
        kinds.check_kind(path, "tsi")
    assert str(caught.value) == (
        f"{path}:1: this looks like a feature x sample matrix (.cct/.cbt, idx table), not a LinkedOmics .tsi sample table "
        "(its header names samples ('S001', 'S002', 'S003', ...), its rows features ('MFSD14A', 'SASS6', 'TRMT13', ...), "
        "and every value is a number): load it with 'omicskb load matrix'"
    )


def test_gct_given_as_a_plain_matrix_names_both_commands() -> None:
    with pytest.raises(InputError) as caught:
        kinds.check_kind(DATA / "gct" / "brca_like_proteome.gct", "matrix")
    assert caught.value.reason.endswith("load it with 'omicskb load matrix --format gct' or 'omicskb load samples --format gct'")


@pytest.mark.parametrize("path", [DATA / "cptac" / "README.md", ROOT / "seeds" / "manifest.tsv"], ids=_id)
def test_unrecognised_files_pass_every_check(path: Path) -> None:
    assert kinds.sniff(path) == []
    for code in LOADER_KINDS:
        kinds.check_kind(path, code)


def test_binary_file_is_unrecognised(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 64)
    assert kinds.sniff(path) == []
    kinds.check_kind(path, "matrix")


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        kinds.check_kind(tmp_path / "absent.tsv", "matrix")
    (tmp_path / "empty.tsv").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.tsv:1: empty file"):
        kinds.sniff(tmp_path / "empty.tsv")


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown source kind 'samples'"):
        kinds.check_kind(DATA / "pancan" / "UCEC_meta.txt", "samples")


@pytest.mark.parametrize("path", list(FIXTURES), ids=_id)
def test_sniffing_ignores_line_endings_and_compression(path: Path, tmp_path: Path) -> None:
    data = path.read_bytes()
    text = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    lf = text.replace(b"\r\n", b"\n")
    name = path.name.removesuffix(".gz")
    for variant, content in {"crlf": lf.replace(b"\n", b"\r\n"), "lf": lf, "gz": gzip.compress(lf, mtime=0)}.items():
        copy = tmp_path / variant / (name + (".gz" if variant == "gz" else ""))
        copy.parent.mkdir()
        copy.write_bytes(content)
        assert kinds.sniff(copy) == FIXTURES[path], variant


def test_head_is_cheap(tmp_path: Path) -> None:
    # A matrix with a huge body: only the first lines are read.
    path = tmp_path / "big.cct"
    rows = "".join(f"G{i}X\t{i}\t{i + 1}\n" for i in range(200_000))
    path.write_text("idx\tS001\tS002\n" + rows)
    head = read_head(path)
    assert len(head.lines) == 64 and not head.complete
    assert kinds.sniff(path) == ["matrix"]


# ------------------------------------------------------------------ the sample-table readers themselves


@pytest.mark.parametrize("reader", list(SAMPLE_TABLE_READERS))
@pytest.mark.parametrize("path", MATRIX_FIXTURES, ids=_id)
def test_sample_table_readers_refuse_a_matrix(path: Path, reader: str) -> None:
    with pytest.raises(InputError) as caught:
        SAMPLE_TABLE_READERS[reader](path)
    error = caught.value
    assert error.path == str(path) and error.line == 1
    if reader == "gct_annotations":
        assert "expected '#1.3'" in error.reason  # a GCT needs its version line
    else:
        assert error.reason.startswith(MATRIX_REFUSAL) and error.reason.endswith("load it with 'omicskb load matrix'")


def test_tsi_refusal_says_why(tmp_path: Path) -> None:
    path = DATA / "cptac" / "ucec_phosphosite_first_rows_pten.cct"
    with pytest.raises(InputError) as caught:
        tsi.read(path)
    assert str(caught.value) == (
        f"{path}:1: this looks like a feature x sample matrix (.cct/.cbt, idx table), not a sample table: "
        "its rows are features ('AAAS-S495', 'AAAS-S541', 'AAAS-Y485', ...) and every value is a number; load it with 'omicskb load matrix'"
    )


def test_tsi_refuses_a_matrix_with_an_attribute_list_header(tmp_path: Path) -> None:
    # A pan-cancer matrix whose first cell says attributes: its rows are still ENSG ids and numbers.
    lines = (DATA / "pancan" / "UCEC_WES_CNV_gene_ratio_log2.txt").read_text().splitlines()
    lines[0] = lines[0].replace("idx", "attrib_name", 1)
    path = tmp_path / "cnv.tsi"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=re.escape(f"{path}:1: " + MATRIX_REFUSAL + "a sample table: its rows are features ('ENSG00000104432.14'")):
        tsi.read(path)


def _columns(path: Path, names: list[str]) -> list[list[str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="cp1252").splitlines()]
    keep = [rows[0].index(n) for n in names]
    return [[row[i] for i in keep] for row in rows]


PATHWAY_COLUMNS = ["idx", "PI3K_AKT1", "PI3K_AKT2", "PI3K_PIK3CA", "PI3K_PTEN", "TP53_TP53", "HRD_BRCA1"]


def test_numeric_sample_table_with_digits_in_its_names_is_a_sample_table(tmp_path: Path) -> None:
    # Real UCEC clinical columns: all numbers, every name has a digit, but the rows are samples.
    rows = _columns(DATA / "cptac" / "ucec_clinical_subset.txt", PATHWAY_COLUMNS)
    path = tmp_path / "pathways.txt"
    path.write_text("".join("\t".join(r) + "\n" for r in rows))
    assert matrix.matrix_evidence(rows[0], rows[1:]) is None
    sheet = tsi.read(path)
    assert [s.label for s in sheet.samples] == [r[0] for r in rows[1:]]
    assert [a.name for a in sheet.attributes] == PATHWAY_COLUMNS[1:]
    assert kinds.sniff(path) == []  # not recognisably anything: left to the reader


def test_transposed_numeric_sample_table_is_a_sample_table(tmp_path: Path) -> None:
    rows = _columns(DATA / "cptac" / "ucec_clinical_subset.txt", PATHWAY_COLUMNS)
    transposed = [list(column) for column in zip(*rows)]
    transposed[0][0] = "attrib_name"
    path = tmp_path / "pathways.tsi"
    path.write_text("".join("\t".join(r) + "\n" for r in transposed))
    sheet = tsi.read(path)
    assert [a.name for a in sheet.attributes] == PATHWAY_COLUMNS[1:]
    assert kinds.sniff(path) == ["tsi"]


@pytest.mark.parametrize(
    "path",
    [
        DATA / "cptac" / "ucec_clinical_subset.txt",
        DATA / "pancan" / "UCEC_meta.txt",
        DATA / "pancan" / "UCEC_survival.txt",
        DATA / "tsi" / "samples_as_rows_typed.tsi",
        DATA / "tsi" / "firehose_attributes_as_rows.tsi",
        DATA / "tsi" / "attributes_as_rows_typed.tsi",
    ],
    ids=_id,
)
def test_sample_tables_are_not_matrix_shaped(path: Path) -> None:
    rows = [line.split("\t") for line in path.read_text(encoding="cp1252").splitlines()]
    assert matrix.matrix_evidence(rows[0], rows[1:], path.name) is None


def test_survival_table_is_read_by_the_tsi_reader_too() -> None:
    # All numbers, but attribute names without digits over case ids: a sample table, not refused.
    sheet = tsi.read(DATA / "pancan" / "UCEC_survival.txt")
    assert [a.name for a in sheet.attributes] == ["OS_days", "OS_event", "PFS_days", "PFS_event"]


# ------------------------------------------------------------------------------------- matrix_evidence


@pytest.mark.parametrize(
    ("header", "rows", "name", "expected"),
    [
        # rule a: feature ids
        (["idx", "A", "B"], [["ENSG00000104432.14", "1", "NA"], ["ENSG00000141510", "2", "3"]], None, "its rows are features"),
        (["idx", "A", "B"], [["AAAS-S495", "1", "2"], ["HLA-DRA-K100", "2", "3"]], None, "its rows are features"),
        (["idx", "A", "B"], [["A1BG_p.E298K", "0", "1"], ["hsa-miR-21-5p", "1", "0"]], None, "its rows are features"),
        # rule b: sample-like header over row ids that are not sample labels
        (["idx", "S001", "S002"], [["TP53", "1", "2"], ["IL7", "2", "3"], ["PTEN", "1", "1"]], None, "its header names samples"),
        # rule c: the name
        (["idx", "x", "y"], [["a", "1", "2"], ["b", "2", "3"]], "m.cct.gz", "it is named m.cct.gz"),
        # not matrices
        (["idx", "S001", "S002"], [["TP53", "1", "2"], ["IL7", "high", "3"]], None, None),  # a text value
        (["idx", "S001", "S002"], [["TP53", "NA", "NA"], ["IL7", "", "NA"]], None, None),  # no number at all
        (["idx", "S001", "S002"], [["TP53", "1", "2"], ["IL7", "2"]], None, None),  # ragged
        (["case_id", "OS_days", "OS_event"], [["C3L-00006", "1016", "0"], ["C3L-00008", "364", "1"]], None, None),
        (["idx", "PI3K_AKT1", "TP53_TP53"], [["S1", "0", "1"], ["S10", "1", "1"], ["S100", "0", "0"]], None, None),
        (["id", "BR1", "BR2"], [["TCGA-A5-A0G1", "1", "2"], ["TCGA-AJ-A3BH", "2", "3"]], None, None),
        (["idx", "S001"], [["TP53", "1"]], None, None),  # one row: its id is a sample label as much as a gene
        (["idx"], [["TP53"]], None, None),
    ],
)
def test_matrix_evidence(header: list[str], rows: list[list[str]], name: str | None, expected: str | None) -> None:
    reason = matrix.matrix_evidence(header, rows, name)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(expected)


@pytest.mark.parametrize(
    ("ids", "alike"),
    [
        (["S001", "S002", "S153"], True),
        (["S1", "S10", "S100"], True),
        (["C3L-00006", "C3N-01825"], True),
        (["TCGA-A5-A0G1", "TCGA-AJ-A3BH"], True),
        (["MFSD14A", "SASS6", "TRMT13"], False),
        (["AAAS", "AACS"], False),  # no digit
        ([], False),
    ],
)
def test_labels_alike(ids: list[str], alike: bool) -> None:
    assert matrix.labels_alike(ids) is alike


# ------------------------------------------------------------------------------------------ real files

REAL_FILES: dict[str, list[str]] = {
    "cptac-ucec-2019/CNA.cct.gz": ["matrix"],
    "cptac-ucec-2019/acetylproteomics.cct.gz": ["matrix"],
    "cptac-ucec-2019/miRNA.cct.gz": ["matrix"],
    "cptac-ucec-2019/phosphoproteomics_gene.cct.gz": ["matrix"],
    "cptac-ucec-2019/phosphoproteomics_site.cct.gz": ["matrix"],
    "cptac-ucec-2019/proteomics.cct.gz": ["matrix"],
    "cptac-ucec-2019/somatic_binary.cbt.gz": ["matrix"],
    "cptac-ucec-2019/transcriptomics_circular.cct.gz": ["matrix"],
    "cptac-ucec-2019/transcriptomics_linear.cct.gz": ["matrix"],
    "cptac-ucec-2019/clinical.txt": ["cptac2019_clinical"],
    "cptac-ucec-2019/somatic.maf.gz": ["maf"],
    "cptac-ucec-2019/definitions.txt": [],
    "go/go-2019-01-27.obo.gz": ["go_obo"],
    "go/goa_human-2019-01-14.gaf.gz": ["gaf"],
    "go/goa_mouse-2019-01-14.gaf.gz": ["gaf"],
    "go/goa_rat-2019-01-14.gaf.gz": ["gaf"],
    "hgnc/hgnc_entries.tsv.gz": ["hgnc"],
    "hgnc/mgi_entries.tsv.gz": ["species_genes"],
    "hgnc/rgd_entries.tsv.gz": ["species_genes"],
    "orthologs/hcop_human_to_mouse.csv.gz": ["hcop"],
    "ncbi/Homo_sapiens.gene_info.gz": ["gene_info"],
    "ncbi/gene2go.human.gz": ["gene2go"],
    "bioconductor/GO.sqlite": [],
    "bioconductor/org.Hs.eg.sqlite": [],
}
REAL_MATRICES = ["CNA.cct.gz", "proteomics.cct.gz", "phosphoproteomics_site.cct.gz", "somatic_binary.cbt.gz"]


@pytest.mark.realdata
@pytest.mark.parametrize("name", list(REAL_FILES))
def test_real_file_is_sniffed_as_its_kind(realdata: Path, name: str) -> None:
    path = realdata / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {realdata}")
    assert kinds.sniff(path) == REAL_FILES[name]
    for code in LOADER_KINDS:
        if not REAL_FILES[name] or code in REAL_FILES[name]:
            kinds.check_kind(path, code)
            continue
        with pytest.raises(InputError) as caught:
            kinds.check_kind(path, code)
        assert caught.value.reason.startswith(f"this looks like {kinds.BY_CODE[REAL_FILES[name][0]].description}, not ")


@pytest.mark.realdata
@pytest.mark.parametrize("reader", list(SAMPLE_TABLE_READERS))
@pytest.mark.parametrize("name", REAL_MATRICES)
def test_sample_table_readers_refuse_real_matrices(realdata: Path, name: str, reader: str) -> None:
    path = realdata / "cptac-ucec-2019" / name
    with pytest.raises(InputError) as caught:
        SAMPLE_TABLE_READERS[reader](path)
    assert caught.value.line == 1
    if reader != "gct_annotations":
        assert caught.value.reason.startswith(MATRIX_REFUSAL)


@pytest.mark.realdata
def test_real_clinical_table_is_not_matrix_shaped(realdata: Path) -> None:
    path = realdata / "cptac-ucec-2019" / "clinical.txt"
    rows = [line.split("\t") for line in path.read_text(encoding="cp1252").splitlines()]
    assert matrix.matrix_evidence(rows[0], rows[1:], path.name) is None
    assert len(tsi.read(path).samples) == 153  # the catch-all reader accepts it too
