-- name: audit_tn_stale
-- description: Tumor-vs-normal comparisons whose inputs changed since 'omicskb derive' computed them; zero rows when every stored result matches the datasets, pairs, defaults and sample roles it was computed from.
-- column: comparison_id INTEGER  the stale comparison
-- column: cohort_code TEXT       its cohort
-- column: omics_type TEXT        its omics type
-- column: problem TEXT           what changed
SELECT c.comparison_id, c.cohort_code, c.omics_type,
       CASE
           WHEN t.dataset_id IS NULL OR n.dataset_id IS NULL THEN 'a dataset it read is gone'
           WHEN t.release_id <> c.tumor_release_id OR n.release_id <> c.normal_release_id THEN 'a dataset it read holds another release now'
           WHEN t.is_default <> c.is_default THEN 'the default dataset changed'
           WHEN c.tumor_dataset_id <> c.normal_dataset_id THEN 'its datasets are no longer a pair'
           WHEN c.tumor_dataset_id = c.normal_dataset_id THEN 'its dataset is now half of a pair'
       END AS problem
FROM tn_comparison AS c
LEFT JOIN dataset AS t ON t.dataset_id = c.tumor_dataset_id
LEFT JOIN dataset AS n ON n.dataset_id = c.normal_dataset_id
WHERE t.dataset_id IS NULL OR n.dataset_id IS NULL
   OR t.release_id <> c.tumor_release_id OR n.release_id <> c.normal_release_id
   OR t.is_default <> c.is_default
   OR (c.tumor_dataset_id <> c.normal_dataset_id AND NOT EXISTS (
        SELECT 1 FROM dataset_pair AS p WHERE p.tumor_dataset_id = c.tumor_dataset_id AND p.normal_dataset_id = c.normal_dataset_id))
   OR (c.tumor_dataset_id = c.normal_dataset_id AND EXISTS (
        SELECT 1 FROM dataset_pair AS p WHERE p.tumor_dataset_id = c.tumor_dataset_id OR p.normal_dataset_id = c.tumor_dataset_id))
UNION ALL
SELECT c.comparison_id, c.cohort_code, c.omics_type, 'a sample''s role changed, or the sample is gone' AS problem
FROM tn_comparison AS c
WHERE EXISTS (SELECT 1 FROM tn_comparison_sample AS cs LEFT JOIN sample AS s ON s.sample_id = cs.sample_id
              WHERE cs.comparison_id = c.comparison_id AND (s.sample_id IS NULL OR s.stat_role IS DISTINCT FROM cs.stat_role))
ORDER BY comparison_id, problem
