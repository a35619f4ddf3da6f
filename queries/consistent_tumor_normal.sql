-- name: consistent_tumor_normal
-- description: Genes (and sites) whose tumor-vs-normal direction agrees in at least K cohorts with |signed log10 p| above T in each, ranked by Meta P.
-- param: omics TEXT = 'protein'  an omics type (rna, protein, phospho, ...)
-- param: min_cohorts INTEGER = 6  K: cohorts that must agree
-- param: min_abs_signed_log10_p FLOAT = 6.0  T: the per-cohort strength (the reference's significance is |signed log10 p| > 6)
-- column: gene_id TEXT                Entrez GeneID (NULL for an unresolved identifier)
-- column: symbol TEXT                 official symbol
-- column: feature TEXT                the gene or site
-- column: direction TEXT              up (higher in tumors) or down
-- column: n_agreeing INTEGER          cohorts in that direction above T
-- column: n_opposing INTEGER          cohorts in the other direction above T
-- column: agreeing_cohorts TEXT[]     those cohorts
-- column: n_cohorts INTEGER           cohorts in the Meta P
-- column: meta_p FLOAT                Meta P (Stouffer), two-sided
-- column: meta_signed_log10_p FLOAT   its direction x -log10 p
WITH strong AS (
    SELECT r.feature_id, c.cohort_code, CASE WHEN r.signed_log10_p >= 0 THEN 'up' ELSE 'down' END AS direction
    FROM tn_comparison AS c
    JOIN tn_result AS r ON r.comparison_id = c.comparison_id
    WHERE c.is_default AND c.omics_type = getvariable('omics') AND abs(r.signed_log10_p) > getvariable('min_abs_signed_log10_p')
),
counted AS (
    SELECT feature_id, direction, count(*) AS n, list(cohort_code ORDER BY cohort_code) AS cohorts
    FROM strong
    GROUP BY feature_id, direction
),
best AS (
    SELECT a.feature_id, a.direction, a.n, a.cohorts, COALESCE(o.n, 0) AS opposing
    FROM counted AS a
    LEFT JOIN counted AS o ON o.feature_id = a.feature_id AND o.direction <> a.direction
    WHERE a.n >= getvariable('min_cohorts')
)
SELECT f.gene_id, g.symbol, f.label AS feature, b.direction, CAST(b.n AS INTEGER) AS n_agreeing, CAST(b.opposing AS INTEGER) AS n_opposing,
       b.cohorts AS agreeing_cohorts, m.n_cohorts, m.p AS meta_p, m.signed_log10_p AS meta_signed_log10_p
FROM best AS b
JOIN feature AS f ON f.feature_id = b.feature_id
LEFT JOIN gene AS g ON g.gene_id = f.gene_id
LEFT JOIN tn_meta AS m ON m.omics_type = getvariable('omics') AND m.feature_id = b.feature_id
ORDER BY m.log10_p, feature, b.direction
