-- name: audit_tn_results
-- description: Stored tumor-vs-normal results that disagree with the rest of the database: a result, box or outlier stored twice (DuckDB keeps no primary key on those tables), a result for a feature its block does not hold, a Meta P whose cohort count differs from the per-cohort rows, a tested default comparison whose omics has no Meta P; zero rows when sound.
-- column: problem TEXT           what is wrong
-- column: omics_type TEXT        the omics type
-- column: comparison_id INTEGER  the comparison (NULL for a Meta P row)
-- column: feature_id INTEGER     the feature (NULL for a whole omics type)
-- column: detail TEXT            the numbers that disagree
SELECT 'result for a feature not in its block' AS problem, c.omics_type, r.comparison_id, r.feature_id, CAST(NULL AS VARCHAR) AS detail
FROM tn_result AS r
JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id
WHERE NOT EXISTS (SELECT 1 FROM measurement_row AS m WHERE m.feature_id = r.feature_id AND m.dataset_id IN (c.tumor_dataset_id, c.normal_dataset_id))
UNION ALL
SELECT 'Meta P cohort count differs from the per-cohort rows', t.omics_type, CAST(NULL AS BIGINT), t.feature_id,
       'n_cohorts ' || CAST(t.n_cohorts AS VARCHAR) || ', rows ' || CAST(count(r.feature_id) AS VARCHAR)
FROM tn_meta AS t
LEFT JOIN tn_comparison AS c ON c.omics_type = t.omics_type AND c.is_default
LEFT JOIN tn_result AS r ON r.comparison_id = c.comparison_id AND r.feature_id = t.feature_id AND r.log10_p IS NOT NULL
GROUP BY t.omics_type, t.feature_id, t.n_cohorts
HAVING count(r.feature_id) <> t.n_cohorts
UNION ALL
SELECT 'tested default comparison without a Meta P for its omics', c.omics_type, c.comparison_id, CAST(NULL AS BIGINT), c.cohort_code
FROM tn_comparison AS c
WHERE c.is_default AND c.n_tested > 0 AND NOT EXISTS (SELECT 1 FROM tn_meta AS t WHERE t.omics_type = c.omics_type)
UNION ALL
SELECT 'result stored twice', c.omics_type, r.comparison_id, r.feature_id, CAST(count(*) AS VARCHAR) || ' rows'
FROM tn_result AS r JOIN tn_comparison AS c ON c.comparison_id = r.comparison_id
GROUP BY c.omics_type, r.comparison_id, r.feature_id
HAVING count(*) > 1
UNION ALL
SELECT 'box stored twice', c.omics_type, b.comparison_id, b.feature_id, b.stat_role || ': ' || CAST(count(*) AS VARCHAR) || ' rows'
FROM tn_box AS b JOIN tn_comparison AS c ON c.comparison_id = b.comparison_id
GROUP BY c.omics_type, b.comparison_id, b.stat_role, b.feature_id
HAVING count(*) > 1
UNION ALL
SELECT 'outlier stored twice', c.omics_type, o.comparison_id, o.feature_id, o.stat_role || ' sample ' || CAST(o.sample_id AS VARCHAR) || ': ' || CAST(count(*) AS VARCHAR) || ' rows'
FROM tn_box_outlier AS o JOIN tn_comparison AS c ON c.comparison_id = o.comparison_id
GROUP BY c.omics_type, o.comparison_id, o.stat_role, o.feature_id, o.sample_id
HAVING count(*) > 1
ORDER BY problem, omics_type, comparison_id, feature_id
