"""`query go_gsea_prerank` (etl/gsea.py, the computed input go_gsea_terms) against an independent
implementation, GSEApy's prerank, on the same ranked list and the same gene sets: the enrichment
scores and leading edges equal, NES and nominal p agree within permutation noise (both use 1,000
gene-label shuffles, from different generators). The same seed gives the same result."""

from __future__ import annotations

import json

import gseapy
import numpy as np
import pytest

from test_enrichment import annotated  # noqa: F401  (the fixture: seed genes annotated to the seed OBO's terms)


def gsea_rows(omicskb, target, *params: str) -> list[dict]:
    result = omicskb(target, "query", "go_gsea_prerank", *[a for p in params for a in ("-p", p)], "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_go_gsea_prerank_agrees_with_gseapy(annotated, omicskb):  # noqa: F811
    import pandas as pd

    from omicskb.etl.db import make_engine
    from omicskb.etl.enrichment import term_genes

    assert omicskb(annotated, "derive", "--analysis", "tumor-normal").exit_code == 0
    rows = gsea_rows(omicskb, annotated, "min_size=10", "max_size=200")
    assert len(rows) > 10
    ranked = json.loads(omicskb(annotated, "query", "gene_rank", "-f", "json").output)
    engine = make_engine(annotated)
    with engine.connect() as conn:
        sets = term_genes(conn, "biological_process")
    engine.dispose()
    listed = {r["gene_id"] for r in ranked}
    sets = {k: [g for g in v if g in listed] for k, v in sets.items()}
    sets = {k: v for k, v in sets.items() if 10 <= len(v) <= 200}
    rnk = pd.DataFrame({"gene": [r["gene_id"] for r in ranked], "score": [r["signed_log10_p"] for r in ranked]})
    reference = gseapy.prerank(rnk=rnk, gene_sets=sets, min_size=10, max_size=200, permutation_num=1000, weight=1, seed=7, outdir=None,
                               threads=1, verbose=False).res2d.set_index("Term")
    symbol = {r["gene_id"]: r["symbol"] for r in ranked}
    assert {r["go_id"] for r in rows} == set(reference.index)
    nes_gap, p_gap = [], []
    for row in rows:
        ref = reference.loc[row["go_id"]]
        assert row["es"] == pytest.approx(float(ref["ES"]), rel=1e-10, abs=1e-12)
        assert row["leading_edge"].split(",") == [symbol[g] for g in str(ref["Lead_genes"]).split(";")] or \
            set(row["leading_edge"].split(",")) == {symbol[g] for g in str(ref["Lead_genes"]).split(";")}
        nes_gap.append(abs(row["nes"] - float(ref["NES"])))
        p_gap.append(abs(row["p"] - float(ref["NOM p-val"])))
    assert max(nes_gap) < 0.15 and np.mean(nes_gap) < 0.05, nes_gap
    assert max(p_gap) < 0.1 and np.mean(p_gap) < 0.03, p_gap
    assert gsea_rows(omicskb, annotated, "min_size=10", "max_size=200") == rows  # the same seed, the same result
    other = gsea_rows(omicskb, annotated, "min_size=10", "max_size=200", "seed=2")
    assert [r["es"] for r in other] != [] and {r["go_id"]: r["es"] for r in other} == {r["go_id"]: r["es"] for r in rows}
    assert {r["go_id"]: r["p"] for r in other} != {r["go_id"]: r["p"] for r in rows}


def test_permutations_out_of_range_are_a_usage_error(annotated, omicskb):  # noqa: F811
    result = omicskb(annotated, "query", "go_gsea_prerank", "-p", "permutations=0")
    assert result.exit_code == 2 and "permutations must be" in result.output
