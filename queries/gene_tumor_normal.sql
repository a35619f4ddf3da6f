-- name: gene_tumor_normal
-- description: Tumor vs normal for one gene (from 'omicskb derive'): a row per omics, feature (the gene and its sites) and cohort from each cohort's default comparison, a META row per omics and feature, and cohorts without normals with the reason.
-- param: gene TEXT  a GeneID, official symbol, or alias / previous symbol (in that order of precedence), any case
-- column: omics TEXT            the omics type
-- column: feature TEXT          the gene or site
-- column: feature_id INTEGER    the feature
-- column: cohort TEXT           the cohort, or META for the Meta P across cohorts
-- column: is_meta BOOLEAN       true on the META row
-- column: n_tumor INTEGER       tumors with a value
-- column: n_normal INTEGER      normals with a value
-- column: median_tumor FLOAT    median of the tumor values
-- column: median_normal FLOAT   median of the normal values
-- column: hl_shift FLOAT        Hodges-Lehmann shift, tumor - normal (its sign is the direction)
-- column: p FLOAT               two-sided p (Wilcoxon rank-sum; Stouffer on META rows); 0 below about 1e-308
-- column: log10_p FLOAT         log10 of p, exact far below 1e-300
-- column: signed_p FLOAT        p signed by the direction (META: the majority's)
-- column: signed_log10_p FLOAT  direction x -log10 p
-- column: q FLOAT               Benjamini-Hochberg q within the comparison
-- column: n_cohorts INTEGER     META: cohorts combined
-- column: n_agree INTEGER       META: cohorts in the majority direction
-- column: note TEXT             why a row has no test: too few values, all equal, or no normal samples
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
    SELECT c.omics_type AS omics, f.label AS feature, f.feature_id, c.cohort_code AS cohort, FALSE AS is_meta,
           r.n_tumor, r.n_normal, r.median_tumor, r.median_normal, r.hl_shift, r.p, r.log10_p, r.signed_p, r.signed_log10_p, r.q,
           CAST(NULL AS INTEGER) AS n_cohorts, CAST(NULL AS INTEGER) AS n_agree, r.skip_reason AS note
    FROM tn_comparison AS c
    JOIN tn_result AS r ON r.comparison_id = c.comparison_id
    JOIN gene_features AS f ON f.feature_id = r.feature_id
    WHERE c.is_default
),
without_normals AS (
    SELECT c.omics_type AS omics, f.label AS feature, f.feature_id, c.cohort_code AS cohort, FALSE AS is_meta,
           CAST(NULL AS INTEGER) AS n_tumor, CAST(NULL AS INTEGER) AS n_normal, CAST(NULL AS DOUBLE) AS median_tumor, CAST(NULL AS DOUBLE) AS median_normal,
           CAST(NULL AS DOUBLE) AS hl_shift, CAST(NULL AS DOUBLE) AS p, CAST(NULL AS DOUBLE) AS log10_p, CAST(NULL AS DOUBLE) AS signed_p,
           CAST(NULL AS DOUBLE) AS signed_log10_p, CAST(NULL AS DOUBLE) AS q, CAST(NULL AS INTEGER) AS n_cohorts, CAST(NULL AS INTEGER) AS n_agree, c.reason AS note
    FROM tn_comparison AS c
    JOIN measurement_row AS m ON m.dataset_id = c.tumor_dataset_id
    JOIN gene_features AS f ON f.feature_id = m.feature_id
    WHERE c.is_default AND c.reason IS NOT NULL
),
meta AS (
    SELECT t.omics_type AS omics, f.label AS feature, f.feature_id, 'META' AS cohort, TRUE AS is_meta,
           CAST(NULL AS INTEGER) AS n_tumor, CAST(NULL AS INTEGER) AS n_normal, CAST(NULL AS DOUBLE) AS median_tumor, CAST(NULL AS DOUBLE) AS median_normal,
           CAST(NULL AS DOUBLE) AS hl_shift, t.p, t.log10_p, t.signed_p, t.signed_log10_p, CAST(NULL AS DOUBLE) AS q, t.n_cohorts, t.n_agree, CAST(NULL AS VARCHAR) AS note
    FROM tn_meta AS t
    JOIN gene_features AS f ON f.feature_id = t.feature_id
)
SELECT * FROM (
    SELECT * FROM per_cohort
    UNION ALL
    SELECT * FROM without_normals
    UNION ALL
    SELECT * FROM meta
) AS all_rows
ORDER BY omics, feature, is_meta, cohort
