-- name: gene_rank
-- description: The ranked gene list of one analysis, for GSEA: each gene's signed log10 p, most positive first ('--format rnk' writes WebGestalt's two-column .rnk). tumor_normal: the Meta P of the omics type across cohorts, or one cohort's default comparison; cis: the same for an omics pair given as x~y. Site-level omics rank a gene by its most significant site. Features without a test, or without a gene, have no score and are left out; an analysis other than tumor_normal or cis gives no rows.
-- param: analysis TEXT = 'tumor_normal'  tumor_normal or cis
-- param: omics TEXT = 'protein'  tumor_normal: the omics type (protein, rna, phospho, ...); cis: the pair as x~y (rna~protein, protein~phospho, ...)
-- param: cohort TEXT = ''  '' for the Meta P across cohorts, else one cohort's own test (code or alias, any case)
-- column: symbol TEXT            the gene's official symbol
-- column: signed_log10_p FLOAT   direction x -log10 p (the score)
-- column: gene_id TEXT           the GeneID
-- column: rank INTEGER           1 for the most positive score
-- column: feature TEXT           the feature that gave the score (the gene, or its most significant site)
-- column: p FLOAT                two-sided p of that feature (0 below about 1e-308: the score keeps it)
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
),
scores AS (
    SELECT f.gene_id, f.label AS feature, m.signed_log10_p, m.p
    FROM tn_meta AS m JOIN feature AS f ON f.feature_id = m.feature_id
    WHERE getvariable('analysis') = 'tumor_normal' AND getvariable('cohort') = '' AND m.omics_type = getvariable('omics')
    UNION ALL
    SELECT f.gene_id, f.label, r.signed_log10_p, r.p
    FROM tn_comparison AS c
    JOIN tn_result AS r ON r.comparison_id = c.comparison_id
    JOIN feature AS f ON f.feature_id = r.feature_id
    WHERE getvariable('analysis') = 'tumor_normal' AND getvariable('cohort') <> '' AND c.is_default AND c.omics_type = getvariable('omics')
      AND c.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
    UNION ALL
    SELECT f.gene_id, f.label, m.signed_log10_p, m.p
    FROM cis_meta AS m JOIN feature AS f ON f.feature_id = m.feature_id
    WHERE getvariable('analysis') = 'cis' AND getvariable('cohort') = '' AND m.omics_x || '~' || m.omics_y = getvariable('omics')
    UNION ALL
    SELECT f.gene_id, f.label, r.signed_log10_p, r.p
    FROM cis_block AS b
    JOIN cis_result AS r ON r.block_id = b.block_id
    JOIN feature AS f ON f.feature_id = r.feature_id
    WHERE getvariable('analysis') = 'cis' AND getvariable('cohort') <> '' AND b.omics_x || '~' || b.omics_y = getvariable('omics')
      AND b.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
),
best AS (
    SELECT s.gene_id, s.feature, s.signed_log10_p, s.p,
           row_number() OVER (PARTITION BY s.gene_id ORDER BY abs(s.signed_log10_p) DESC, s.feature) AS pick
    FROM scores AS s
    WHERE s.gene_id IS NOT NULL AND s.signed_log10_p IS NOT NULL  -- (derive stores NaN as NULL)
)
SELECT g.symbol, b.signed_log10_p, b.gene_id, CAST(row_number() OVER (ORDER BY b.signed_log10_p DESC, g.symbol) AS INTEGER) AS rank, b.feature, b.p
FROM best AS b
JOIN gene AS g ON g.gene_id = b.gene_id
WHERE b.pick = 1
ORDER BY b.signed_log10_p DESC, g.symbol
