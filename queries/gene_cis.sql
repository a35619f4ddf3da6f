-- name: gene_cis
-- description: Cis associations of one gene (from 'omicskb derive --analysis cis'): per cohort, Spearman of the gene's RNA, protein, CNV and methylation against each other, and of each of its sites against its CNV, RNA and protein, on the tumors both have values for; a META row per omics pair and feature. Runs in plain DuckDB.
-- param: gene TEXT  a GeneID, official symbol, or alias / previous symbol (in that order of precedence), any case
-- column: cohort TEXT           the cohort, or META for the Meta P across cohorts
-- column: feature TEXT          the gene, or its site (the y side)
-- column: omics_x TEXT          the upstream omics type (the gene's own row)
-- column: omics_y TEXT          the downstream omics type (the gene, or the site)
-- column: n INTEGER             tumors with both values (META: cohorts combined)
-- column: rho FLOAT             Spearman's rho, re-ranked on those tumors (NULL on META rows)
-- column: p FLOAT               two-sided p (t approximation; Stouffer on META rows); 0 below about 1e-308
-- column: signed_log10_p FLOAT  sign(rho) x -log10 p, exact far below 1e-300 (META: the majority's sign)
-- column: log10_p FLOAT         log10 of p
-- column: q FLOAT               Benjamini-Hochberg q within the cohort's block
-- column: is_meta BOOLEAN       true on the META row
-- column: n_agree INTEGER       META: cohorts in the majority direction
-- column: feature_id INTEGER    the y feature
-- column: note TEXT             why a row has no test: fewer than 10 shared samples, or no variance
WITH candidates AS (
    SELECT gene_id, precedence FROM gene_name WHERE name = upper(trim(getvariable('gene')))
),
wanted_gene AS (
    SELECT DISTINCT gene_id FROM candidates WHERE precedence = (SELECT min(precedence) FROM candidates)
),
gene_features AS (
    SELECT feature_id, label FROM feature WHERE gene_id IN (SELECT gene_id FROM wanted_gene)
),
per_cohort AS (
    SELECT b.cohort_code AS cohort, f.label AS feature, b.omics_x, b.omics_y, r.n, r.rho, r.p, r.signed_log10_p, r.log10_p, r.q,
           FALSE AS is_meta, CAST(NULL AS INTEGER) AS n_agree, f.feature_id, r.skip_reason AS note
    FROM cis_block AS b
    JOIN cis_result AS r ON r.block_id = b.block_id
    JOIN gene_features AS f ON f.feature_id = r.feature_id
),
meta AS (
    SELECT 'META' AS cohort, f.label AS feature, m.omics_x, m.omics_y, m.n_cohorts AS n, CAST(NULL AS DOUBLE) AS rho, m.p, m.signed_log10_p, m.log10_p,
           CAST(NULL AS DOUBLE) AS q, TRUE AS is_meta, m.n_agree, f.feature_id, CAST(NULL AS VARCHAR) AS note
    FROM cis_meta AS m
    JOIN gene_features AS f ON f.feature_id = m.feature_id
)
SELECT * FROM (
    SELECT * FROM per_cohort
    UNION ALL
    SELECT * FROM meta
) AS all_rows
ORDER BY omics_x, omics_y, feature, is_meta, cohort
