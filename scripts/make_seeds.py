"""Build seeds/ (the IL7 demo data) from the committed real fixtures and the two IL7 seed pages.

    python scripts/make_seeds.py [--shared ../shared] [--realdata ~/.cache/omicskb-realdata]

Everything but the files below is copied from tests/data/ (cut from real files by scripts/fixtures/).
Built here:
- ucec/: a real subset of the cptac 2019 UCEC release in its own layout (all 153 samples; IL7 and
  the UCEC_SEED_GENES below in every matrix, the MAF and the mutation matrix; the clinical table's
  first CLINICAL_COLUMNS columns, which include the cp1252 `Other_IHC_specify`). The genes are
  a fixed list of cancer genes plus every 50th protein of proteomics.cct, so the subset is
  reproducible; miRNA and the files the layout skips are left out.
- gene_info_il7_ucec.tsv: the IL7 fixture's rows plus the real gene_info rows of those genes, so
  the subset's symbols resolve.
- gene2go_il7_seed_page.tsv: the 23 (GO id, term, category) rows of the seed gene card, in NCBI
  gene2go layout. The page shows no evidence codes; each row takes its code from the real 2022
  gene2go row for GeneID 3574 and the same GO id when there is one, else '-' (not stated).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
IL7 = "3574"
CATEGORY = {"biological_process": "Process", "cellular_component": "Component", "molecular_function": "Function"}
QUALIFIER = {"Process": "involved_in", "Component": "located_in", "Function": "enables"}

COPIES = {
    "go_il7_terms_with_ancestors.obo": DATA / "go" / "go_il7_terms_with_ancestors.obo",
    "hgnc_il7.tsv": DATA / "hgnc" / "hgnc_il7_and_edge_cases.tsv",
    "mgi_il7.tsv": DATA / "hgnc" / "mgi_il7.tsv",
    "rgd_il7.tsv": DATA / "hgnc" / "rgd_il7.tsv",
    "hcop_human_mouse_il7.csv": DATA / "hcop" / "hcop_human_mouse_il7.csv",
    "il7_summary_refseq_2010-12.tsv": DATA / "ncbi" / "il7_summary_refseq_2010-12.tsv",
    "il7_summary_refseq_2020-07.tsv": DATA / "ncbi" / "il7_summary_refseq_2020-07.tsv",
    "il7_isoform_selection.tsv": DATA / "isoforms" / "il7_isoform_selection.tsv",
    "gencode_il7_transcripts.gtf": DATA / "gtf" / "gencode_il7_transcripts.gtf",
}

MANIFEST = [
    ("gene-info", "gene_info_il7_ucec.tsv"),
    ("go-obo", "go_il7_terms_with_ancestors.obo"),
    ("gene2go", "gene2go_il7_seed_page.tsv"),
    ("hgnc", "hgnc_il7.tsv"),
    ("species-genes", "mgi_il7.tsv"),
    ("species-genes", "rgd_il7.tsv"),
    ("orthologs", "hcop_human_mouse_il7.csv"),
    ("summaries", "il7_summary_refseq_2010-12.tsv"),
    ("summaries", "il7_summary_refseq_2020-07.tsv"),
    ("gtf", "gencode_il7_transcripts.gtf"),
    ("isoforms", "il7_isoform_selection.tsv"),
    ("categories", "categories_il7.tsv"),
    ("cohort", "ucec\tUCEC\tcptac2019"),
]

UCEC_SEED_GENES = (
    "IL7", "IL7R", "TP53", "PTEN", "PIK3CA", "PIK3R1", "ARID1A", "KRAS", "CTNNB1", "FBXW7", "PPP2R1A", "POLE",
    "ERBB2", "ESR1", "PGR", "MLH1", "MSH2", "MSH6", "PMS2", "AKT1", "MTOR", "EGFR", "MYC", "CCNE1", "CDKN2A",
    "RB1", "BRCA1", "BRCA2", "ATM", "JAK1", "STAT3", "CD8A", "CD274", "GAPDH", "ACTB", "VIM", "MKI67", "AAAS", "HLA-DRA",
)
CLINICAL_COLUMNS = 45
UCEC_FILES = ("proteomics", "transcriptomics_linear", "phosphoproteomics_site", "acetylproteomics", "CNA", "somatic_binary")
EVERY_NTH_PROTEIN = 50


def _gzip_lines(path: Path, lines: list[str]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write("".join(lines).encode("utf-8"))


def _gene_of(identifier: str, stem: str) -> str:
    if stem in ("phosphoproteomics_site", "acetylproteomics"):
        return identifier.rsplit("-", 1)[0]
    if stem == "somatic_binary":
        return identifier.split("_p.")[0].split("_")[0]
    return identifier


def write_ucec_subset(realdata: Path) -> set[str]:
    source = realdata / "cptac-ucec-2019"
    target = SEEDS / "ucec"
    target.mkdir(exist_ok=True)
    with gzip.open(source / "proteomics.cct.gz", "rt", encoding="utf-8") as handle:
        proteins = [line.split("\t", 1)[0] for line in handle][1:]
    genes = set(UCEC_SEED_GENES) | set(proteins[::EVERY_NTH_PROTEIN])
    for stem in UCEC_FILES:
        ext = ".cbt.gz" if stem == "somatic_binary" else ".cct.gz"
        with gzip.open(source / f"{stem}{ext}", "rt", encoding="utf-8", newline="") as handle:
            lines = handle.readlines()
        _gzip_lines(target / f"{stem}{ext}", [lines[0]] + [l for l in lines[1:] if _gene_of(l.split("\t", 1)[0], stem) in genes])
    with gzip.open(source / "somatic.maf.gz", "rt", encoding="utf-8", newline="") as handle:
        lines = handle.readlines()
    _gzip_lines(target / "somatic.maf.gz", [lines[0]] + [l for l in lines[1:] if l.split("\t", 1)[0] in genes])
    with open(source / "clinical.txt", "rb") as handle:  # bytes as they are: the cp1252 lines stay cp1252
        rows = handle.read().split(b"\n")
    with open(target / "clinical.txt", "wb") as out:
        out.write(b"\n".join(b"\t".join(row.rstrip(b"\r").split(b"\t")[:CLINICAL_COLUMNS]) + (b"\r" if row.endswith(b"\r") else b"") for row in rows))
    return genes


def write_gene_info(realdata: Path, symbols: set[str]) -> None:
    fixture = (DATA / "ncbi" / "gene_info_il7_and_edge_cases.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    seen = {line.split("\t")[1] for line in fixture[1:]}
    extra = []
    with gzip.open(realdata / "ncbi" / "Homo_sapiens.gene_info.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            fields = line.split("\t")
            if len(fields) > 4 and fields[2] in symbols and fields[1] not in seen:
                seen.add(fields[1])
                extra.append(line)
    with open(SEEDS / "gene_info_il7_ucec.tsv", "w", encoding="utf-8", newline="") as out:
        out.writelines(fixture + extra)


def seed_page_go(shared: Path) -> list[tuple[str, str, str]]:
    text = (shared / "seeds" / "il7-gene-card.txt").read_text(encoding="utf-8")
    rows = re.findall(r"^(GO:\d{7}) (.+) (biological_process|cellular_component|molecular_function)$", text, re.M)
    if len(rows) != 23:
        raise SystemExit(f"expected 23 GO rows on the seed page, found {len(rows)}")
    return rows


def real_evidence(realdata: Path) -> dict[str, str]:
    evidence: dict[str, str] = {}
    with gzip.open(realdata / "ncbi" / "gene2go.human.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if fields[1] == IL7:
                evidence.setdefault(fields[2], fields[3])
    return evidence


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--realdata", type=Path, default=Path(os.environ.get("OMICSKB_REALDATA", Path.home() / ".cache" / "omicskb-realdata")))
    args = parser.parse_args()
    SEEDS.mkdir(exist_ok=True)
    (SEEDS / "gene_info_il7.tsv").unlink(missing_ok=True)
    write_gene_info(args.realdata, write_ucec_subset(args.realdata))
    for name, source in COPIES.items():
        shutil.copyfile(source, SEEDS / name)
    evidence = real_evidence(args.realdata)
    with open(SEEDS / "gene2go_il7_seed_page.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write("#tax_id\tGeneID\tGO_ID\tEvidence\tQualifier\tGO_term\tPubMed\tCategory\n")
        for go_id, term, namespace in seed_page_go(args.shared):
            category = CATEGORY[namespace]
            out.write(f"9606\t{IL7}\t{go_id}\t{evidence.get(go_id, '-')}\t{QUALIFIER[category]}\t{term}\t-\t{category}\n")
    with open(SEEDS / "categories_il7.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write("GeneID\tSymbol\tCategory\n")
        out.write(f"{IL7}\tIL7\tLigand\n")  # as the LinkedOmicsKB IL7 page's 'Annotation'
    with open(SEEDS / "manifest.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write("command\tfile\n")
        for command, file in MANIFEST:
            out.write(f"{command}\t{file}\n")
    print(f"wrote {len(COPIES) + 4} files to {SEEDS}")


if __name__ == "__main__":
    main()
