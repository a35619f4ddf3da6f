-- name: audit_pheno_results
-- description: Stored phenotype results that disagree with the rest of the database: a result stored twice (DuckDB keeps no primary key on pheno_result), a result for an attribute its block did not record or for a feature its dataset lacks, a Meta P whose cohort count differs from the per-cohort rows; zero rows when sound.
-- column: problem TEXT          what is wrong
-- column: omics_type TEXT       the omics type
-- column: block_id INTEGER      the block (NULL for a Meta P row)
-- column: attribute TEXT        the attribute
-- column: feature_id INTEGER    the feature
-- column: detail TEXT           the numbers that disagree
SELECT 'result stored twice' AS problem, b.omics_type, r.block_id, r.attribute_name AS attribute, r.feature_id, CAST(count(*) AS VARCHAR) || ' rows' AS detail
FROM pheno_result AS r JOIN pheno_block AS b ON b.block_id = r.block_id
GROUP BY b.omics_type, r.block_id, r.attribute_name, r.feature_id
HAVING count(*) > 1
UNION ALL
SELECT 'result for an attribute the block did not record', b.omics_type, r.block_id, r.attribute_name, r.feature_id, CAST(NULL AS VARCHAR)
FROM pheno_result AS r JOIN pheno_block AS b ON b.block_id = r.block_id
WHERE NOT EXISTS (SELECT 1 FROM pheno_attribute AS a WHERE a.block_id = r.block_id AND a.attribute_name = r.attribute_name)
UNION ALL
SELECT 'result for a feature not in its dataset', b.omics_type, r.block_id, r.attribute_name, r.feature_id, CAST(NULL AS VARCHAR)
FROM pheno_result AS r JOIN pheno_block AS b ON b.block_id = r.block_id
WHERE NOT EXISTS (SELECT 1 FROM measurement_row AS m WHERE m.dataset_id = b.dataset_id AND m.feature_id = r.feature_id)
UNION ALL
SELECT 'Meta P cohort count differs from the per-cohort rows', t.omics_type, CAST(NULL AS BIGINT), t.attribute_name, t.feature_id,
       'n_cohorts ' || CAST(t.n_cohorts AS VARCHAR) || ', rows ' || CAST(count(r.feature_id) AS VARCHAR)
FROM pheno_meta AS t
LEFT JOIN pheno_block AS b ON b.omics_type = t.omics_type
LEFT JOIN pheno_result AS r ON r.block_id = b.block_id AND r.attribute_name = t.attribute_name AND r.feature_id = t.feature_id AND r.log10_p IS NOT NULL
GROUP BY t.omics_type, t.attribute_name, t.feature_id, t.n_cohorts
HAVING count(r.feature_id) <> t.n_cohorts
ORDER BY problem, omics_type, block_id, attribute, feature_id
