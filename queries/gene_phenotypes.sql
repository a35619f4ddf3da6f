-- name: gene_phenotypes
-- description: Every phenotype and mutation association of one gene (from 'omicskb derive --analysis phenotypes'), in the shape a Manhattan plot needs: a row per cohort, omics, feature (the gene and its sites) and attribute, with the test its type takes, and META rows for attributes shared by name across cohorts; most significant first (|signed log10 p|). Attributes a block could not test at all are listed with the reason.
-- param: gene TEXT  a GeneID, official symbol, or alias / previous symbol (in that order of precedence), any case
-- column: cohort TEXT            the cohort, or META for the Meta P across the cohorts sharing the attribute
-- column: omics TEXT             the omics type
-- column: feature TEXT           the gene, or its site
-- column: attribute TEXT         the attribute's name (<SYMBOL>_mutation for mutation status)
-- column: attribute_group TEXT   clinical or mutation
-- column: attribute_type TEXT    CON, BIN, ORD, CAT or SUR
-- column: test TEXT              spearman, wilcoxon, jonckheere, kruskal or cox
-- column: n INTEGER              tumors with a value and the attribute (META: cohorts combined)
-- column: statistic FLOAT        rho, the Hodges-Lehmann shift, JT's z, H, or the score chi-square (NULL on META rows)
-- column: p FLOAT                two-sided p (Stouffer on META rows); 0 below about 1e-308
-- column: signed_log10_p FLOAT   direction x -log10 p (Kruskal-Wallis: unsigned)
-- column: q FLOAT                Benjamini-Hochberg within the cohort's block and attribute
-- column: direction TEXT         what a positive sign means
-- column: is_meta BOOLEAN        true on META rows
-- column: feature_id INTEGER     the feature
-- column: note TEXT              why a row has no test
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
    SELECT b.cohort_code AS cohort, b.omics_type AS omics, f.label AS feature, a.attribute_name AS attribute, a.attribute_group, a.attribute_type, a.test,
           r.n, r.statistic, r.p, r.signed_log10_p, r.q, a.direction, FALSE AS is_meta, f.feature_id, r.skip_reason AS note
    FROM pheno_block AS b
    JOIN pheno_attribute AS a ON a.block_id = b.block_id
    JOIN pheno_result AS r ON r.block_id = a.block_id AND r.attribute_name = a.attribute_name
    JOIN gene_features AS f ON f.feature_id = r.feature_id
),
untestable AS (
    SELECT b.cohort_code, b.omics_type, f.label, a.attribute_name, a.attribute_group, a.attribute_type, a.test,
           CAST(NULL AS INTEGER), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), a.direction, FALSE, f.feature_id, a.reason
    FROM pheno_block AS b
    JOIN pheno_attribute AS a ON a.block_id = b.block_id
    JOIN measurement_row AS m ON m.dataset_id = b.dataset_id
    JOIN gene_features AS f ON f.feature_id = m.feature_id
    WHERE a.reason IS NOT NULL
),
meta AS (
    SELECT 'META', m.omics_type, f.label, m.attribute_name, min(a.attribute_group), min(a.attribute_type), min(a.test),
           m.n_cohorts, CAST(NULL AS DOUBLE), m.p, m.signed_log10_p, CAST(NULL AS DOUBLE), min(a.direction), TRUE, f.feature_id, CAST(NULL AS VARCHAR)
    FROM pheno_meta AS m
    JOIN gene_features AS f ON f.feature_id = m.feature_id
    JOIN pheno_block AS b ON b.omics_type = m.omics_type
    JOIN pheno_attribute AS a ON a.block_id = b.block_id AND a.attribute_name = m.attribute_name
    GROUP BY m.omics_type, f.label, m.attribute_name, m.n_cohorts, m.p, m.signed_log10_p, f.feature_id
)
SELECT * FROM (
    SELECT * FROM per_cohort
    UNION ALL
    SELECT * FROM untestable
    UNION ALL
    SELECT * FROM meta
) AS all_rows
ORDER BY abs(signed_log10_p) DESC NULLS LAST, omics, feature, attribute, is_meta, cohort
