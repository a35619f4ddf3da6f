-- name: audit_cis_results
-- description: Stored cis results that disagree with the rest of the database: a result stored twice (DuckDB keeps no primary key on cis_result), a pair whose y feature is not in its y dataset or whose x row is not its gene's row in x, a Meta P whose cohort count differs from the per-cohort rows, a tested block whose omics pair has no Meta P; zero rows when sound.
-- column: problem TEXT        what is wrong
-- column: omics_x TEXT        the upstream omics type
-- column: omics_y TEXT        the downstream omics type
-- column: block_id INTEGER    the block (NULL for a Meta P row)
-- column: feature_id INTEGER  the y feature (NULL for a whole omics pair)
-- column: detail TEXT         the numbers that disagree
SELECT 'result stored twice' AS problem, b.omics_x, b.omics_y, r.block_id, r.feature_id, CAST(count(*) AS VARCHAR) || ' rows' AS detail
FROM cis_result AS r JOIN cis_block AS b ON b.block_id = r.block_id
GROUP BY b.omics_x, b.omics_y, r.block_id, r.feature_id
HAVING count(*) > 1
UNION ALL
SELECT 'pair not in its datasets', b.omics_x, b.omics_y, r.block_id, r.feature_id, 'x feature ' || CAST(r.x_feature_id AS VARCHAR)
FROM cis_result AS r
JOIN cis_block AS b ON b.block_id = r.block_id
LEFT JOIN feature AS fy ON fy.feature_id = r.feature_id
LEFT JOIN feature AS fx ON fx.feature_id = r.x_feature_id
WHERE fy.gene_id IS NULL OR fx.gene_id IS DISTINCT FROM fy.gene_id
   OR NOT EXISTS (SELECT 1 FROM measurement_row AS m WHERE m.dataset_id = b.dataset_y_id AND m.feature_id = r.feature_id)
   OR NOT EXISTS (SELECT 1 FROM measurement_row AS m WHERE m.dataset_id = b.dataset_x_id AND m.feature_id = r.x_feature_id)
UNION ALL
SELECT 'Meta P cohort count differs from the per-cohort rows', t.omics_x, t.omics_y, CAST(NULL AS BIGINT), t.feature_id,
       'n_cohorts ' || CAST(t.n_cohorts AS VARCHAR) || ', rows ' || CAST(count(r.feature_id) AS VARCHAR)
FROM cis_meta AS t
LEFT JOIN cis_block AS b ON b.omics_x = t.omics_x AND b.omics_y = t.omics_y
LEFT JOIN cis_result AS r ON r.block_id = b.block_id AND r.feature_id = t.feature_id AND r.log10_p IS NOT NULL
GROUP BY t.omics_x, t.omics_y, t.feature_id, t.n_cohorts
HAVING count(r.feature_id) <> t.n_cohorts
UNION ALL
SELECT 'tested block without a Meta P for its omics pair', b.omics_x, b.omics_y, b.block_id, CAST(NULL AS BIGINT), b.cohort_code
FROM cis_block AS b
WHERE b.n_tested > 0 AND NOT EXISTS (SELECT 1 FROM cis_meta AS t WHERE t.omics_x = b.omics_x AND t.omics_y = b.omics_y)
ORDER BY problem, omics_x, omics_y, block_id, feature_id
