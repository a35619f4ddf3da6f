"""Tests for etl.sources.sites: PTM site ids of the cptac 2019 and pan-cancer layouts."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from omicskb.etl.sources import matrix
from omicskb.etl.sources.sites import SiteId, collapse_duplicate_sites, parse_pancan_site, parse_symbol_site, site_key

PANCAN = Path(__file__).resolve().parents[1] / "data" / "pancan"
PHOSPHO = "UCEC_phospho_site_abundance_log2_reference_intensity_normalized_{}.txt"
NAN = np.nan


# Real first-column ids of the cptac 2019 UCEC phosphoproteomics_site.cct.gz and acetylproteomics.cct.gz.
@pytest.mark.parametrize(
    ("raw", "gene", "residue", "position"),
    [
        ("AAAS-S495", "AAAS", "S", 495),
        ("AAK1-T389", "AAK1", "T", 389),
        ("AAAS-Y485", "AAAS", "Y", 485),
        ("C10orf71-T834", "C10orf71", "T", 834),
        ("ANKHD1-EIF4EBP3-S2539", "ANKHD1-EIF4EBP3", "S", 2539),
        ("HLA-A-S343", "HLA-A", "S", 343),
        ("A2M-K1168", "A2M", "K", 1168),
        ("HLA-DRA-K100", "HLA-DRA", "K", 100),
        ("NME1-NME2-K164", "NME1-NME2", "K", 164),
    ],
)
def test_real_ucec_symbol_ids(raw: str, gene: str, residue: str, position: int) -> None:
    assert parse_symbol_site(raw) == SiteId(gene=gene, protein=None, residue=residue, position=position)


@pytest.mark.parametrize(
    ("raw", "first", "multi"),
    [
        ("AAAS-S495S501", ("S", 495), (("S", 501),)),
        ("AAAS-S495s501", ("S", 495), (("s", 501),)),
        ("PTEN-S380T382T383", ("S", 380), (("T", 382), ("T", 383))),
    ],
)
def test_multi_site_symbol_ids(raw: str, first: tuple[str, int], multi: tuple[tuple[str, int], ...]) -> None:
    site = parse_symbol_site(raw)
    assert (site.residue, site.position) == first and site.multi == multi


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty site id"),
        ("AAAS", "no '-' between gene symbol and site"),
        ("-S495", "no gene symbol before the '-'"),
        ("AAAS-", "empty site"),
        ("AAAS-495", "is not a residue letter followed by a position"),
        ("AAAS-S", "is not a residue letter followed by a position"),
        ("AAAS-B495", "is not a residue letter followed by a position"),  # B is no amino acid
        ("AAAS-S495-", "empty site"),
        ("AAAS-S0", "position 0"),
        ("AAAS_S495", "no '-'"),
        (" AAAS-S495", "leading or trailing whitespace"),
        ("AA AS-S495", "contains whitespace"),
        ("ENSG00000048028.11|ENSP00000003302.4|S1053|PPTIRPNSPYDLCSR|1", "contains '|'"),
    ],
)
def test_bad_symbol_ids(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace("|", r"\|")):
        parse_symbol_site(raw)


def test_pancan_id() -> None:
    assert parse_pancan_site("ENSG00000048028.11|ENSP00000003302.4|S1053|PPTIRPNSPYDLCSR|1") == SiteId(
        gene="ENSG00000048028.11",
        protein="ENSP00000003302.4",
        residue="S",
        position=1053,
        flanking="PPTIRPNSPYDLCSR",
        flag="1",
    )


@pytest.mark.parametrize(
    ("raw", "gene", "first", "multi"),
    [
        ("ENSG00000171862.10|ENSP00000361021.3|S380T382T383|EPDHYRYSDTTDSDP|3", "ENSG00000171862.10", ("S", 380), (("T", 382), ("T", 383))),
        ("ENSG00000141510.17|ENSP00000269305.4|S10s12|PSVEPPLSQETFSDL|2", "ENSG00000141510.17", ("S", 10), (("s", 12),)),
        ("ENSG00000182162.11_PAR_Y|ENSP00000370585.4|Y14|MQVPNSTGPDNATLQ|1", "ENSG00000182162.11_PAR_Y", ("Y", 14), ()),
    ],
)
def test_pancan_multi_site_and_par_y(raw: str, gene: str, first: tuple[str, int], multi: tuple[tuple[str, int], ...]) -> None:
    site = parse_pancan_site(raw)
    assert (site.gene, (site.residue, site.position), site.multi) == (gene, first, multi)


def test_pancan_empty_peptide_and_flag() -> None:
    site = parse_pancan_site("ENSG00000048028.11|ENSP00000003302.4|S1053||")
    assert (site.flanking, site.flag) == (None, None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("AAAS-S495", "1 '|'-separated fields, expected 5"),
        ("ENSG00000048028.11|ENSP00000003302.4|S1053|PPTIRPNSPYDLCSR", "4 '|'-separated fields"),
        ("ENSG00000048028.11|ENSP00000003302.4|S1053|PPTIRPNSPYDLCSR|1|x", "6 '|'-separated fields"),
        ("ENSG00000048028|ENSP00000003302.4|S1053|PPTIRPNSPYDLCSR|1", "gene 'ENSG00000048028' is not ENSG"),
        ("AAAS|ENSP00000003302.4|S1053|PPTIRPNSPYDLCSR|1", "gene 'AAAS' is not ENSG"),
        ("ENSG00000048028.11_PAR_X|ENSP00000003302.4|S1053|P|1", "is not ENSG"),
        ("ENSG00000048028.11||S1053|PPTIRPNSPYDLCSR|1", "protein '' is not ENSP"),
        ("ENSG00000048028.11|ENST00000003302.4|S1053|PPTIRPNSPYDLCSR|1", "protein 'ENST00000003302.4' is not ENSP"),
        ("ENSG00000048028.11|ENSP00000003302.4|1053|PPTIRPNSPYDLCSR|1", "site '1053' is not a residue letter"),
        ("ENSG00000048028.11|ENSP00000003302.4||PPTIRPNSPYDLCSR|1", "empty site"),
        ("ENSG00000048028.11|ENSP00000003302.4|S1053|PPTIRP NSPYDLCSR|1", "peptide 'PPTIRP NSPYDLCSR' contains whitespace"),
    ],
)
def test_bad_pancan_ids(raw: str, reason: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_pancan_site(raw)
    assert reason in str(exc.value)


def test_site_key() -> None:
    a = parse_pancan_site("ENSG00000141510.17|ENSP00000269305.4|S15|PSVEPPLSQETFSDL|1")
    b = parse_pancan_site("ENSG00000141510.17|ENSP00000269305.4|S15|VEPPLSQETFS|2")
    multi = parse_pancan_site("ENSG00000141510.17|ENSP00000269305.4|S15S20|PSVEPPLSQETFSDL|2")
    assert site_key(a) == site_key(b) == ("ENSG00000141510.17", "ENSP00000269305.4", "S", 15, ())
    assert site_key(multi) != site_key(a)  # a doubly phosphorylated peptide is another feature
    assert site_key(parse_symbol_site("HLA-DRA-K100")) == ("HLA-DRA", "", "K", 100, ())


def test_collapse_keeps_most_values_then_first() -> None:
    ids = [
        "ENSG00000141510.17|ENSP00000269305.4|S15|PSVEPPLSQETFSDL|1",  # 0: 1 value
        "ENSG00000141510.17|ENSP00000269305.4|S15|VEPPLSQETFS|1",  # 1: 3 values -> kept
        "ENSG00000142208.16|ENSP00000270202.4|S473|RPHFPQFSYSASGTA|1",  # 2: 2 values -> kept (tie, first)
        "not-a-pancan-id",  # 3: unparsed
        "ENSG00000142208.16|ENSP00000270202.4|S473|PHFPQFSYSASG|1",  # 4: 2 values
        "ENSG00000142208.16|ENSP00000270202.4|S473S476|PHFPQFSYSASG|2",  # 5: multi-site, its own feature
        "ENSG00000141510.17|ENSP00000269305.4|S15|PSVEPPLSQ|1",  # 6: 3 values, ties with 1 but later
    ]
    values = np.array(
        [
            [1.0, NAN, NAN],
            [1.0, 2.0, 3.0],
            [1.0, 2.0, NAN],
            [1.0, 2.0, 3.0],
            [NAN, 2.0, 3.0],
            [NAN, NAN, NAN],
            [4.0, 5.0, 6.0],
        ]
    )
    keep, collapsed, unparsed = collapse_duplicate_sites(ids, values, parse_pancan_site)
    assert keep == [1, 2, 5]
    assert [(d, k) for d, k, _ in collapsed] == [(0, 1), (4, 2), (6, 1)]
    assert collapsed[0][2] == f"same (gene, protein, site) as {ids[1]!r}: 1 non-missing values vs 3 (kept the row with more values)"
    assert collapsed[1][2].endswith("2 non-missing values vs 2 (tie, kept the first in file order)")
    assert unparsed == [(3, "site id 'not-a-pancan-id' has 1 '|'-separated fields, expected 5 (gene|protein|site|peptide|flag)")]


def test_collapse_is_deterministic_and_complete() -> None:
    rng = np.random.default_rng(7)
    ids = [f"GENE{i % 5}-S{i % 3 + 1}" for i in range(40)]
    values = rng.normal(size=(40, 6))
    values[rng.random(values.shape) < 0.4] = np.nan
    first = collapse_duplicate_sites(ids, values, parse_symbol_site)
    assert first == collapse_duplicate_sites(list(ids), values.copy(), parse_symbol_site)
    keep, collapsed, unparsed = first
    assert not unparsed and len(keep) == 15
    assert sorted(keep + [d for d, _, _ in collapsed]) == list(range(40))
    counts = np.count_nonzero(~np.isnan(values), axis=1)
    for dropped, kept, _ in collapsed:
        assert ids[dropped] == ids[kept]
        assert counts[kept] > counts[dropped] or (counts[kept] == counts[dropped] and kept < dropped)


def test_collapse_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="shape"):
        collapse_duplicate_sites(["AAAS-S495"], np.zeros((2, 3)), parse_symbol_site)


@pytest.mark.parametrize(("kind", "values_kept"), [("Tumor", (6, 7)), ("Normal", (3, 2))])
def test_pancan_fixture_phospho(kind: str, values_kept: tuple[int, int]) -> None:
    data = matrix.read(PANCAN / PHOSPHO.format(kind), format="tsv")
    keep, collapsed, unparsed = collapse_duplicate_sites(data.feature_ids, data.values, parse_pancan_site)
    assert not unparsed
    assert keep == [1, 2, 3, 4, 6, 7]
    assert [(d, k) for d, k, _ in collapsed] == [(0, 1), (5, 4)]
    counts = np.count_nonzero(~np.isnan(data.values), axis=1)
    assert (int(counts[1]), int(counts[4])) == values_kept
    parsed = [parse_pancan_site(i) for i in data.feature_ids]
    assert [len(p.multi) for p in parsed] == [0, 0, 1, 0, 0, 0, 2, 0]


@pytest.mark.realdata
@pytest.mark.parametrize(("name", "residues"), [("phosphoproteomics_site", {"S", "T", "Y"}), ("acetylproteomics", {"K"})])
def test_realdata_every_ucec_id_parses(name: str, residues: set[str]) -> None:
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    with gzip.open(Path(root) / "cptac-ucec-2019" / f"{name}.cct.gz", "rt", encoding="utf-8") as handle:
        next(handle)
        ids = [line.split("\t", 1)[0] for line in handle]
    parsed = [parse_symbol_site(i) for i in ids]
    assert {p.residue for p in parsed} == residues
    assert all(not p.multi for p in parsed)  # every UCEC 2019 id names one site
    assert len({site_key(p) for p in parsed}) == len(ids)
