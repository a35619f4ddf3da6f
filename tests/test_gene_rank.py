"""`query gene_rank` and the rnk format: the ranked list equals the stored scores it is built from
(Meta P, or one cohort's tests; a gene's most significant site for site-level omics), and the .rnk
file is exactly the list, two columns, finite scores, each name once."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from conftest import query_rows
from omicskb.etl.output import OutputError, check_rnk


def ranked(omicskb, target, *params: str) -> list[dict]:
    result = omicskb(target, "query", "gene_rank", *[a for p in params for a in ("-p", p)], "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def expected_scores(target, sql: str, **params) -> dict[str, float]:
    """gene_id -> the score of its most significant feature, from the stored rows."""
    best: dict[str, float] = {}
    for gene_id, score in query_rows(target, sql, **params):
        if gene_id is not None and score is not None and (gene_id not in best or abs(score) > abs(best[gene_id])):
            best[gene_id] = score
    return best


def assert_list(rows: list[dict], expected: dict[str, float]) -> None:
    assert {r["gene_id"]: r["signed_log10_p"] for r in rows} == expected
    scores = [r["signed_log10_p"] for r in rows]
    assert scores == sorted(scores, reverse=True) and [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


def test_gene_rank_lists_the_stored_scores_and_rnk_writes_exactly_them(seeded, omicskb, tmp_path):
    assert omicskb(seeded, "derive").exit_code == 0
    meta = ranked(omicskb, seeded)  # tumor_normal, protein, Meta P
    assert_list(meta, expected_scores(seeded, """SELECT f.gene_id, m.signed_log10_p FROM tn_meta AS m JOIN feature AS f ON f.feature_id = m.feature_id
                                                 WHERE m.omics_type = 'protein'"""))
    assert len(meta) > 100
    phospho = ranked(omicskb, seeded, "omics=phospho", "cohort=ucec")
    sites = expected_scores(seeded, """SELECT f.gene_id, r.signed_log10_p FROM tn_result AS r JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id
                                       JOIN feature AS f ON f.feature_id = r.feature_id WHERE c.omics_type = 'phospho' AND c.is_default""")
    assert_list(phospho, sites)
    assert any(r["feature"] != r["symbol"] for r in phospho)  # a site gave the score
    cis = ranked(omicskb, seeded, "analysis=cis", "omics=rna~protein")
    assert_list(cis, expected_scores(seeded, """SELECT f.gene_id, m.signed_log10_p FROM cis_meta AS m JOIN feature AS f ON f.feature_id = m.feature_id
                                               WHERE m.omics_x = 'rna' AND m.omics_y = 'protein'"""))
    assert ranked(omicskb, seeded, "analysis=nonsense") == []
    out = tmp_path / "protein.rnk"
    result = omicskb(seeded, "query", "gene_rank", "-o", str(out))  # the format from the suffix
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert [line.split("\t") for line in lines] == [[r["symbol"], repr(r["signed_log10_p"])] for r in meta]
    assert all(float(line.split("\t")[1]) == r["signed_log10_p"] for line, r in zip(lines, meta))


@pytest.mark.parametrize(("names", "scores", "problem"), [
    (["A", "B"], [1.0, float("inf")], "no finite score"),
    (["A", "B"], [1.0, None], "no finite score"),
    (["A", "A"], [2.0, 1.0], "appears twice"),
    (["A", None], [2.0, 1.0], "has no name"),
])
def test_rnk_refuses_what_gsea_tools_cannot_read(names, scores, problem):
    with pytest.raises(OutputError, match=problem):
        check_rnk(pa.table({"symbol": pa.array(names, pa.string()), "score": pa.array(scores, pa.float64())}))
    with pytest.raises(OutputError, match="first two columns"):
        check_rnk(pa.table({"a": ["x"], "b": ["y"]}))
