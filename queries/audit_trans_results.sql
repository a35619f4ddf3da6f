-- name: audit_trans_results
-- description: Stored all-pairs trans results that disagree with the rest of the database: a pair stored twice (DuckDB keeps no primary key on trans_result or trans_meta), a feature or partner not in its block's dataset, ranks that are not 1..k per feature, a stored pair without its Meta P, a Meta P whose cohort count exceeds the omics type's blocks; zero rows when sound.
-- column: problem TEXT               what is wrong
-- column: omics_type TEXT            the omics type
-- column: block_id INTEGER           the block (NULL for a Meta P row)
-- column: feature_id INTEGER         the feature
-- column: partner_feature_id INTEGER the partner (NULL for a whole feature)
-- column: detail TEXT                the numbers that disagree
SELECT 'pair stored twice' AS problem, b.omics_type, r.block_id, r.feature_id, r.partner_feature_id, CAST(count(*) AS VARCHAR) || ' rows' AS detail
FROM trans_result AS r JOIN trans_block AS b ON b.block_id = r.block_id
GROUP BY b.omics_type, r.block_id, r.feature_id, r.partner_feature_id
HAVING count(*) > 1
UNION ALL
SELECT 'Meta P stored twice', m.omics_type, CAST(NULL AS BIGINT), m.feature_id, m.partner_feature_id, CAST(count(*) AS VARCHAR) || ' rows'
FROM trans_meta AS m
GROUP BY m.omics_type, m.feature_id, m.partner_feature_id
HAVING count(*) > 1
UNION ALL
SELECT 'pair not in its dataset', b.omics_type, r.block_id, r.feature_id, r.partner_feature_id, b.cohort_code
FROM trans_result AS r
JOIN trans_block AS b ON b.block_id = r.block_id
WHERE r.feature_id = r.partner_feature_id
   OR NOT EXISTS (SELECT 1 FROM measurement_row AS m WHERE m.dataset_id = b.dataset_id AND m.feature_id = r.feature_id)
   OR NOT EXISTS (SELECT 1 FROM measurement_row AS m WHERE m.dataset_id = b.dataset_id AND m.feature_id = r.partner_feature_id)
UNION ALL
SELECT 'ranks are not 1..k', b.omics_type, r.block_id, r.feature_id, CAST(NULL AS BIGINT),
       'ranks ' || CAST(min(r.partner_rank) AS VARCHAR) || '..' || CAST(max(r.partner_rank) AS VARCHAR) || ' over ' || CAST(count(*) AS VARCHAR) || ' rows'
FROM trans_result AS r JOIN trans_block AS b ON b.block_id = r.block_id
GROUP BY b.omics_type, r.block_id, r.feature_id
HAVING min(r.partner_rank) <> 1 OR max(r.partner_rank) <> count(*) OR count(DISTINCT r.partner_rank) <> count(*) OR count(*) > max(b.top_n)
UNION ALL
SELECT 'stored pair without its Meta P', b.omics_type, r.block_id, r.feature_id, r.partner_feature_id, b.cohort_code
FROM trans_result AS r
JOIN trans_block AS b ON b.block_id = r.block_id
WHERE NOT EXISTS (SELECT 1 FROM trans_meta AS m WHERE m.omics_type = b.omics_type AND m.feature_id = r.feature_id AND m.partner_feature_id = r.partner_feature_id)
UNION ALL
SELECT 'Meta P over more cohorts than the blocks', m.omics_type, CAST(NULL AS BIGINT), m.feature_id, m.partner_feature_id,
       'n_cohorts ' || CAST(m.n_cohorts AS VARCHAR) || ', blocks ' || CAST((SELECT count(*) FROM trans_block AS b WHERE b.omics_type = m.omics_type) AS VARCHAR)
FROM trans_meta AS m
WHERE m.n_cohorts > (SELECT count(*) FROM trans_block AS b WHERE b.omics_type = m.omics_type) OR m.n_agree > m.n_cohorts
ORDER BY problem, omics_type, block_id, feature_id, partner_feature_id
