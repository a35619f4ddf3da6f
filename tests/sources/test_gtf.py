import gzip
import os
import time
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import gtf

DATA = Path(__file__).resolve().parents[1] / "data" / "gtf"
GENCODE = DATA / "gencode_il7_transcripts.gtf"
ENSEMBL = DATA / "ensembl_il7_transcripts.gtf"

IL7_TRANSCRIPTS = ["ENST00000263851", "ENST00000379113", "ENST00000520269", "ENST00000541183", "ENST00000639719"]


def write(tmp_path: Path, lines: list[str], name: str = "x.gtf") -> Path:
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def index_of(lines: list[str], feature: str, needle: str = "") -> int:
    return next(i for i, line in enumerate(lines) if line.split("\t")[2:3] == [feature] and needle in line)


def test_columns_match_fixture():
    for path in (GENCODE, ENSEMBL):
        data_line = next(line for line in lines_of(path) if not line.startswith("#"))
        assert len(data_line.split("\t")) == len(gtf.COLUMNS) == 9


def test_gencode_primary_transcript():
    records = list(gtf.read(GENCODE))
    assert [r.transcript_id for r in records] == IL7_TRANSCRIPTS
    primary = records[0]
    assert primary == gtf.TranscriptRecord(
        line=7, chrom="chr8", start=78675743, end=78805463, strand="-",
        gene_id="ENSG00000104432", gene_version="14", gene_name="IL7", gene_type="protein_coding",
        transcript_id="ENST00000263851", transcript_version="9", transcript_name="IL7-201",
        transcript_type="protein_coding", protein_id="ENSP00000263851", protein_version="4",
        tags=("basic", "Ensembl_canonical", "MANE_Select", "CCDS"),
    )
    assert lines_of(GENCODE)[primary.line - 1].split("\t")[2] == "transcript"


def test_gencode_other_transcripts():
    records = {r.transcript_id: r for r in gtf.read(GENCODE)}
    assert records["ENST00000639719"].transcript_version == "1"
    assert records["ENST00000541183"].transcript_version == "2"
    for tid in IL7_TRANSCRIPTS[1:]:
        assert records[tid].protein_id is None and records[tid].protein_version is None
        assert records[tid].tags == ()
        assert records[tid].gene_id == "ENSG00000104432"


def test_ensembl_layout_separate_versions():
    (primary,) = gtf.read(ENSEMBL)
    assert (primary.chrom, primary.gene_id, primary.gene_version) == ("8", "ENSG00000104432", "14")
    assert (primary.transcript_id, primary.transcript_version) == ("ENST00000263851", "9")
    # protein_id sits only on CDS lines in Ensembl GTFs
    assert (primary.protein_id, primary.protein_version) == ("ENSP00000263851", "4")
    assert primary.gene_type == primary.transcript_type == "protein_coding"
    assert primary.tags == ("CCDS", "basic", "Ensembl_canonical", "MANE_Select")


def test_protein_from_cds_only_gencode(tmp_path):
    lines = lines_of(GENCODE)
    i = index_of(lines, "transcript", "ENST00000263851")
    lines[i] = lines[i].replace(' protein_id "ENSP00000263851.4";', "")
    assert "protein_id" not in lines[i]
    (primary, *_) = gtf.read(write(tmp_path, lines))
    assert (primary.protein_id, primary.protein_version) == ("ENSP00000263851", "4")


def test_par_y_suffix(tmp_path):
    attrs = 'gene_id "ENSG00000002586.20_PAR_Y"; transcript_id "ENST00000381192.10_PAR_Y"; gene_type "protein_coding"; gene_name "CD99"; tag "PAR";'
    line = f"chrY\tHAVANA\ttranscript\t2691133\t2741309\t.\t+\t.\t{attrs}\n"
    (record,) = gtf.read(write(tmp_path, [line]))
    assert (record.gene_id, record.gene_version) == ("ENSG00000002586_PAR_Y", "20")
    assert (record.transcript_id, record.transcript_version) == ("ENST00000381192_PAR_Y", "10")
    assert record.tags == ("PAR",) and record.transcript_name is None


def two_genes() -> list[str]:
    """IL7 followed by a copy of it renamed to a second gene."""
    lines = lines_of(GENCODE)
    body = [line for line in lines if not line.startswith("#")]
    other = [line.replace("ENSG00000104432", "ENSG00000999999").replace("ENST00000", "ENST00009").replace("ENSP00000", "ENSP00009") for line in body]
    return lines + other


def test_emits_gene_by_gene(tmp_path):
    lines = two_genes()
    records = list(gtf.read(write(tmp_path, lines)))
    assert [r.gene_id for r in records] == ["ENSG00000104432"] * 5 + ["ENSG00000999999"] * 5
    assert records[5].protein_id == "ENSP00009263851"
    # streaming: the first gene comes out before a fault in the second gene is read
    bad = lines[:-1] + ["chr8\tbroken\n"]
    reader = gtf.read(write(tmp_path, bad, "bad.gtf"))
    assert [next(reader).gene_id for _ in range(5)] == ["ENSG00000104432"] * 5
    with pytest.raises(InputError, match="expected 9 fields, found 2") as err:
        list(reader)
    assert err.value.line == len(bad)


def test_gene_not_grouped(tmp_path):
    lines = two_genes()
    extra = lines[index_of(lines, "transcript", "ENST00000379113")]
    lines.append(extra)
    with pytest.raises(InputError, match="gene 'ENSG00000104432' appears again after other genes") as err:
        list(gtf.read(write(tmp_path, lines)))
    assert err.value.line == len(lines)


def test_cds_before_its_transcript(tmp_path):
    lines = lines_of(GENCODE)
    cds = lines[index_of(lines, "CDS")]
    lines.insert(5, cds)  # after the header, before the gene line
    with pytest.raises(InputError, match="CDS line for transcript 'ENST00000263851' outside") as err:
        list(gtf.read(write(tmp_path, lines)))
    assert err.value.line == 6


def test_conflicting_protein_ids(tmp_path):
    lines = lines_of(GENCODE)
    i = index_of(lines, "start_codon")
    lines[i] = lines[i].replace("ENSP00000263851.4", "ENSP00000263851.5")
    with pytest.raises(InputError, match="protein id 'ENSP00000263851' differs .* at line 7") as err:
        list(gtf.read(write(tmp_path, lines)))
    assert err.value.line == i + 1


def test_duplicate_transcript_line(tmp_path):
    lines = lines_of(GENCODE)
    i = index_of(lines, "transcript", "ENST00000379113")
    lines.insert(i + 1, lines[i])
    with pytest.raises(InputError, match="second transcript line") as err:
        list(gtf.read(write(tmp_path, lines)))
    assert err.value.line == i + 2


def test_version_attribute_disagrees(tmp_path):
    lines = lines_of(ENSEMBL)
    i = index_of(lines, "transcript")
    lines[i] = lines[i].replace('transcript_id "ENST00000263851"', 'transcript_id "ENST00000263851.8"')
    with pytest.raises(InputError, match="disagrees with its version attribute '9'") as err:
        list(gtf.read(write(tmp_path, lines)))
    assert err.value.line == i + 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('transcript_name "IL7-201";', 'transcript_name "IL7-201;', "unbalanced quotes"),
        ('transcript_name "IL7-201";', "transcript_name;", "malformed attribute 'transcript_name'"),
        ('transcript_name "IL7-201";', "transcript_name IL7 201;", "unquoted value"),
        ('gene_id "ENSG00000104432.14"; ', "", "attribute gene_id is missing"),
        ('transcript_id "ENST00000263851.9"; ', "", "attribute transcript_id is missing on a transcript line"),
        ('transcript_id "ENST00000263851.9"', 'transcript_id "ENST0000026385.9"', "transcript id 'ENST0000026385.9' is not ENST"),
        ('gene_id "ENSG00000104432.14"', 'gene_id "ENSG00000104432.v14"', "version 'v14'"),
        ('protein_id "ENSP00000263851.4"', 'protein_id "ENST00000263851.4"', "protein id 'ENST00000263851.4' is not ENSP"),
        ("\t78675743\t", "\t78675743.0\t", "start '78675743.0' is not a positive integer"),
        ("\t78805463\t", "\tNA\t", "end 'NA' is not a positive integer"),
        ("\t78675743\t78805463\t", "\t78805464\t78805463\t", "start 78805464 is after end 78805463"),
        ("\t-\t", "\t*\t", "strand '\\*'"),
    ],
)
def test_bad_transcript_line(tmp_path, old, new, message):
    lines = lines_of(GENCODE)
    i = index_of(lines, "transcript", "ENST00000263851")
    assert old in lines[i]
    lines[i] = lines[i].replace(old, new, 1)
    with pytest.raises(InputError, match=message) as err:
        list(gtf.read(write(tmp_path, lines)))
    assert err.value.line == i + 1


def test_bad_coordinates_on_exon_line(tmp_path):
    lines = lines_of(GENCODE)
    i = index_of(lines, "exon")
    fields = lines[i].split("\t")
    fields[3], fields[4] = fields[4], fields[3]
    lines[i] = "\t".join(fields)
    with pytest.raises(InputError, match="is after end") as err:
        list(gtf.read(write(tmp_path, lines)))
    assert err.value.line == i + 1


def test_ragged_row(tmp_path):
    lines = lines_of(GENCODE)
    lines[10] = lines[10].replace("\t", " ", 1)
    with pytest.raises(InputError, match="expected 9 fields, found 8") as err:
        list(gtf.read(write(tmp_path, lines)))
    assert err.value.line == 11


def test_reads_gzip(tmp_path):
    path = tmp_path / "x.gtf.gz"
    path.write_bytes(gzip.compress(GENCODE.read_bytes()))
    assert list(gtf.read(path)) == list(gtf.read(GENCODE))


def test_truncated_gzip(tmp_path):
    data = gzip.compress(GENCODE.read_bytes() * 10)
    path = tmp_path / "cut.gtf.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated gzip|corrupt gzip"):
        list(gtf.read(path))


def test_non_utf8_byte(tmp_path):
    lines = GENCODE.read_bytes().split(b"\n")
    lines[8] = lines[8].replace(b"IL7-201", b"IL7-2\xc301")
    path = tmp_path / "bad.gtf"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="byte 0xc3 is not valid utf-8") as err:
        list(gtf.read(path))
    assert err.value.line == 9


@pytest.mark.realdata
def test_real_file():
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    candidates = sorted((Path(root) / "gencode").glob("*.gtf.gz")) if (Path(root) / "gencode").is_dir() else []
    if not candidates:
        pytest.skip("no real GENCODE GTF under $OMICSKB_REALDATA/gencode (not obtainable here)")
    started = time.perf_counter()
    count, il7 = 0, None
    for record in gtf.read(candidates[0]):
        count += 1
        if record.transcript_id == "ENST00000263851":
            il7 = record
    elapsed = time.perf_counter() - started
    assert count > 100_000
    assert il7 is not None and il7.protein_id == "ENSP00000263851" and il7.gene_name == "IL7"
    print(f"{candidates[0].name}: {count} transcripts in {elapsed:.2f}s")
