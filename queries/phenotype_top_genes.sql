-- name: phenotype_top_genes
-- description: The features most associated with one attribute (from 'omicskb derive --analysis phenotypes'): per cohort, its top features of the omics type by p, and META rows (Stouffer across the cohorts sharing the attribute's name), most significant first.
-- param: attribute TEXT  the attribute's name as loaded (any case), or <SYMBOL>_mutation
-- param: omics TEXT = 'protein'  the omics type: rna, protein, cnv or phospho
-- param: top INTEGER = 50  features kept per cohort and for META; 0 keeps all
-- column: cohort TEXT            the cohort, or META
-- column: omics TEXT             the omics type
-- column: feature TEXT           the gene, or the site
-- column: symbol TEXT            the gene's official symbol
-- column: gene_id TEXT           its GeneID
-- column: attribute TEXT         the attribute's name
-- column: test TEXT              spearman, wilcoxon, jonckheere, kruskal or cox
-- column: n INTEGER              tumors with a value and the attribute (META: cohorts combined)
-- column: statistic FLOAT        rho, the Hodges-Lehmann shift, JT's z, H, or the score chi-square (NULL on META rows)
-- column: p FLOAT                two-sided p; 0 below about 1e-308
-- column: signed_log10_p FLOAT   direction x -log10 p (Kruskal-Wallis: unsigned)
-- column: q FLOAT                Benjamini-Hochberg within the cohort's block and attribute
-- column: rank INTEGER           1 for the most significant feature in the cohort (or META)
-- column: is_meta BOOLEAN        true on META rows
-- column: feature_id INTEGER     the feature
WITH rows_all AS (
    SELECT b.cohort_code AS cohort, b.omics_type AS omics, r.feature_id, a.attribute_name AS attribute, a.test, r.n, r.statistic, r.p, r.log10_p,
           r.signed_log10_p, r.q, FALSE AS is_meta
    FROM pheno_block AS b
    JOIN pheno_attribute AS a ON a.block_id = b.block_id
    JOIN pheno_result AS r ON r.block_id = a.block_id AND r.attribute_name = a.attribute_name
    WHERE upper(a.attribute_name) = upper(trim(getvariable('attribute'))) AND b.omics_type = getvariable('omics') AND r.log10_p IS NOT NULL
    UNION ALL
    SELECT 'META', m.omics_type, m.feature_id, m.attribute_name,
           (SELECT min(a.test) FROM pheno_attribute AS a JOIN pheno_block AS b ON b.block_id = a.block_id
            WHERE a.attribute_name = m.attribute_name AND b.omics_type = m.omics_type),
           m.n_cohorts, CAST(NULL AS DOUBLE), m.p, m.log10_p, m.signed_log10_p, CAST(NULL AS DOUBLE), TRUE
    FROM pheno_meta AS m
    WHERE upper(m.attribute_name) = upper(trim(getvariable('attribute'))) AND m.omics_type = getvariable('omics')
),
ranked AS (
    SELECT r.*, row_number() OVER (PARTITION BY r.cohort ORDER BY r.log10_p, r.feature_id) AS position FROM rows_all AS r
)
SELECT r.cohort, r.omics, f.label AS feature, g.symbol, f.gene_id, r.attribute, r.test, CAST(r.n AS INTEGER) AS n, r.statistic, r.p, r.signed_log10_p, r.q,
       CAST(r.position AS INTEGER) AS rank, r.is_meta, r.feature_id
FROM ranked AS r
JOIN feature AS f ON f.feature_id = r.feature_id
LEFT JOIN gene AS g ON g.gene_id = f.gene_id
WHERE getvariable('top') <= 0 OR r.position <= getvariable('top')
ORDER BY r.is_meta, r.cohort, rank
