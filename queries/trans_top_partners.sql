-- name: trans_top_partners
-- description: Stored all-pairs trans associations of one gene ('omicskb derive --analysis trans'; plain DuckDB reads them): per cohort, its top partners by p among every other feature of the omics type (each pair on the tumors both have values for, re-ranked there), with BH q and the pair's Meta P; then META rows, its top partners by Meta P across cohorts. The same rows gene_trans computes on demand, up to derive's top_n.
-- param: gene TEXT  a GeneID, official symbol, or alias / previous symbol (in that order of precedence), any case
-- param: omics TEXT = 'protein'  protein or rna
-- param: top INTEGER = 50  partners per cohort and for META, most significant first (at most derive's top_n); 0 keeps every stored one
-- column: cohort TEXT              the cohort, or META for the Meta P across cohorts
-- column: omics TEXT               the omics type
-- column: partner TEXT             the partner's official symbol (its label when it resolved to no gene)
-- column: partner_gene_id TEXT     the partner's GeneID
-- column: n INTEGER                tumors with both values (META: cohorts combined)
-- column: rho FLOAT                Spearman's rho (NULL on META rows)
-- column: p FLOAT                  two-sided p (t approximation; Stouffer on META rows); 0 below about 1e-308
-- column: signed_log10_p FLOAT     sign(rho) x -log10 p, exact far below 1e-300 (META: the majority's sign)
-- column: q FLOAT                  Benjamini-Hochberg q over every partner in the cohort (NULL on META rows)
-- column: log10_p FLOAT            log10 of p
-- column: rank INTEGER             1 for the most significant partner in the cohort (or META)
-- column: is_meta BOOLEAN          true on META rows
-- column: n_agree INTEGER          META: cohorts in the majority direction
-- column: meta_p FLOAT             the pair's Meta P across cohorts (on a cohort's rows too)
-- column: meta_signed_log10_p FLOAT  its signed log10
-- column: gene_id TEXT             the gene asked about, as resolved
-- column: partner_feature_id INTEGER  the partner's feature
WITH candidates AS (
    SELECT gene_id, precedence FROM gene_name WHERE name = upper(trim(getvariable('gene')))
),
wanted_gene AS (
    SELECT min(gene_id) AS gene_id FROM candidates WHERE precedence = (SELECT min(precedence) FROM candidates)
),
own AS (
    SELECT f.feature_id FROM feature AS f WHERE f.gene_id = (SELECT gene_id FROM wanted_gene) AND f.feature_kind = 'gene'
),
per_cohort AS (
    SELECT b.cohort_code AS cohort, b.omics_type AS omics, r.partner_feature_id, r.n, r.rho, r.p, r.signed_log10_p, r.q, r.log10_p,
           r.partner_rank AS rank, false AS is_meta, CAST(NULL AS INTEGER) AS n_agree, m.p AS meta_p, m.signed_log10_p AS meta_signed_log10_p
    FROM trans_result AS r
    JOIN trans_block AS b ON b.block_id = r.block_id
    LEFT JOIN trans_meta AS m ON m.omics_type = b.omics_type AND m.feature_id = r.feature_id AND m.partner_feature_id = r.partner_feature_id
    WHERE r.feature_id IN (SELECT feature_id FROM own) AND b.omics_type = getvariable('omics')
      AND (getvariable('top') <= 0 OR r.partner_rank <= getvariable('top'))
),
meta AS (
    SELECT 'META' AS cohort, m.omics_type AS omics, m.partner_feature_id, m.n_cohorts AS n, CAST(NULL AS DOUBLE) AS rho, m.p, m.signed_log10_p,
           CAST(NULL AS DOUBLE) AS q, m.log10_p, m.meta_rank AS rank, true AS is_meta, m.n_agree, m.p AS meta_p, m.signed_log10_p AS meta_signed_log10_p
    FROM trans_meta AS m
    WHERE m.feature_id IN (SELECT feature_id FROM own) AND m.omics_type = getvariable('omics') AND m.meta_rank IS NOT NULL
      AND (getvariable('top') <= 0 OR m.meta_rank <= getvariable('top'))
),
rows AS (
    SELECT * FROM per_cohort
    UNION ALL
    SELECT * FROM meta
)
SELECT r.cohort, r.omics, COALESCE(g.symbol, f.label) AS partner, f.gene_id AS partner_gene_id, CAST(r.n AS INTEGER) AS n, r.rho, r.p,
       r.signed_log10_p, r.q, r.log10_p, CAST(r.rank AS INTEGER) AS rank, r.is_meta, CAST(r.n_agree AS INTEGER) AS n_agree,
       r.meta_p, r.meta_signed_log10_p, (SELECT gene_id FROM wanted_gene) AS gene_id, r.partner_feature_id
FROM rows AS r
LEFT JOIN feature AS f ON f.feature_id = r.partner_feature_id
LEFT JOIN gene AS g ON g.gene_id = f.gene_id
ORDER BY r.is_meta, r.cohort, rank
