-- name: gene_trans
-- description: Trans associations of one gene, computed exactly when the query runs (omicskb only: it reads the computed input trans_pairs): per cohort, Spearman of the gene against every other feature of the omics type in the cohort's default dataset, each pair on the tumors both have values for and re-ranked there, the top partners by p with BH q; then META rows, Stouffer's Meta P per partner across cohorts, the top ones by Meta P.
-- param: gene TEXT  a GeneID, official symbol, or alias / previous symbol (in that order of precedence), any case
-- param: omics TEXT = 'protein'  the omics type: protein or rna (any gene-level type with a default dataset)
-- param: top INTEGER = 50  partners kept per cohort and for META, most significant first; 0 keeps all
-- input: trans_pairs  the gene against every other row of each cohort's default dataset of the omics type, and a META row per partner (etl/trans.py)
-- column: cohort TEXT              the cohort, or META for the Meta P across cohorts
-- column: omics TEXT               the omics type
-- column: partner TEXT             the partner's official symbol (its label when it resolved to no gene)
-- column: partner_gene_id TEXT     the partner's GeneID
-- column: n INTEGER                tumors with both values (META: cohorts combined)
-- column: rho FLOAT                Spearman's rho (NULL on META rows)
-- column: p FLOAT                  two-sided p (t approximation; Stouffer on META rows); 0 below about 1e-308
-- column: signed_log10_p FLOAT     sign(rho) x -log10 p, exact far below 1e-300 (META: the majority's sign)
-- column: q FLOAT                  Benjamini-Hochberg q over every partner in the cohort
-- column: log10_p FLOAT            log10 of p
-- column: rank INTEGER             1 for the most significant partner in the cohort (or META)
-- column: is_meta BOOLEAN          true on META rows
-- column: n_agree INTEGER          META: cohorts in the majority direction
-- column: gene_id TEXT             the gene asked about, as resolved
-- column: partner_feature_id INTEGER  the partner's feature
-- column: note TEXT                why a row has no test: too few shared samples, no variance, or the gene has no row in a cohort
WITH candidates AS (
    SELECT gene_id, precedence FROM gene_name WHERE name = upper(trim(getvariable('gene')))
),
wanted_gene AS (
    SELECT min(gene_id) AS gene_id FROM candidates WHERE precedence = (SELECT min(precedence) FROM candidates)
),
ranked AS (
    SELECT t.*, row_number() OVER (PARTITION BY t.cohort ORDER BY t.log10_p ASC NULLS LAST, t.feature_id) AS position
    FROM trans_pairs AS t
    WHERE t.omics = getvariable('omics')
)
SELECT r.cohort, r.omics, COALESCE(g.symbol, f.label) AS partner, f.gene_id AS partner_gene_id, CAST(r.n AS INTEGER) AS n, r.rho, r.p,
       r.signed_log10_p, r.q, r.log10_p, CAST(CASE WHEN r.feature_id IS NOT NULL THEN r.position END AS INTEGER) AS rank, r.is_meta,
       CAST(r.n_agree AS INTEGER) AS n_agree, (SELECT gene_id FROM wanted_gene) AS gene_id, r.feature_id AS partner_feature_id, r.note
FROM ranked AS r
LEFT JOIN feature AS f ON f.feature_id = r.feature_id
LEFT JOIN gene AS g ON g.gene_id = f.gene_id
WHERE r.feature_id IS NULL OR getvariable('top') <= 0 OR r.position <= getvariable('top')
ORDER BY r.is_meta, r.cohort, rank
