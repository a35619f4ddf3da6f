-- name: go_term_tumor_normal
-- description: Tumor vs normal across the genes of a GO term: every gene annotated to the term or any of its descendants (alt ids accepted), a row per gene, omics and feature with its Meta P and the signed log10 p of each cohort, strongest first.
-- param: go_id TEXT  a GO id (alt ids accepted)
-- param: omics TEXT = ''  an omics type (rna, protein, phospho, ...), or '' for all
-- column: gene_id TEXT                   Entrez GeneID
-- column: symbol TEXT                    official symbol
-- column: omics TEXT                     the omics type
-- column: feature TEXT                   the gene or site
-- column: n_cohorts INTEGER              cohorts with a test
-- column: n_agree INTEGER                cohorts in the majority direction
-- column: meta_p FLOAT                   Meta P (Stouffer), two-sided
-- column: meta_signed_log10_p FLOAT      its direction x -log10 p
-- column: cohorts TEXT[]                 the cohorts with a test, in order
-- column: signed_log10_p FLOAT[]         each one's signed log10 p, in the same order
WITH term_genes AS (
    SELECT DISTINCT a.gene_id
    FROM go_id_primary AS p
    JOIN go_closure AS c ON c.ancestor_id = p.primary_id
    JOIN go_id_primary AS ap ON ap.primary_id = c.go_id
    JOIN gene_go_annotation AS a ON a.go_id = ap.any_id AND NOT a.is_not
    WHERE p.any_id = getvariable('go_id')
),
features AS (
    SELECT f.feature_id, f.label, g.gene_id, g.symbol
    FROM term_genes AS t
    JOIN gene AS g ON g.gene_id = t.gene_id
    JOIN feature AS f ON f.gene_id = g.gene_id
),
per_cohort AS (
    SELECT c.omics_type, r.feature_id,
           list(c.cohort_code ORDER BY c.cohort_code) AS cohorts,
           list(r.signed_log10_p ORDER BY c.cohort_code) AS signed_log10_p
    FROM tn_comparison AS c
    JOIN tn_result AS r ON r.comparison_id = c.comparison_id
    WHERE c.is_default AND r.log10_p IS NOT NULL AND r.feature_id IN (SELECT feature_id FROM features)
      AND (getvariable('omics') = '' OR c.omics_type = getvariable('omics'))
    GROUP BY c.omics_type, r.feature_id
)
SELECT f.gene_id, f.symbol, m.omics_type AS omics, f.label AS feature, m.n_cohorts, m.n_agree, m.p AS meta_p,
       m.signed_log10_p AS meta_signed_log10_p, pc.cohorts, pc.signed_log10_p
FROM tn_meta AS m
JOIN features AS f ON f.feature_id = m.feature_id
LEFT JOIN per_cohort AS pc ON pc.omics_type = m.omics_type AND pc.feature_id = m.feature_id
WHERE getvariable('omics') = '' OR m.omics_type = getvariable('omics')
ORDER BY m.log10_p, f.symbol, omics, feature
