-- name: audit_trans_stale
-- description: All-pairs trans blocks whose inputs changed since 'omicskb derive --analysis trans' computed them; zero rows when every stored block matches the dataset, default and sample roles it was computed from.
-- column: block_id INTEGER   the stale block
-- column: cohort_code TEXT   its cohort
-- column: omics_type TEXT    its omics type
-- column: problem TEXT       what changed
SELECT b.block_id, b.cohort_code, b.omics_type,
       CASE
           WHEN d.dataset_id IS NULL THEN 'the dataset it read is gone'
           WHEN d.release_id <> b.release_id THEN 'the dataset it read holds another release now'
           ELSE 'the dataset it read is no longer the default'
       END AS problem
FROM trans_block AS b
LEFT JOIN dataset AS d ON d.dataset_id = b.dataset_id
WHERE d.dataset_id IS NULL OR d.release_id <> b.release_id OR NOT d.is_default
UNION ALL
SELECT b.block_id, b.cohort_code, b.omics_type, 'a sample''s role changed, or the sample is gone' AS problem
FROM trans_block AS b
WHERE EXISTS (SELECT 1 FROM trans_block_sample AS bs LEFT JOIN sample AS s ON s.sample_id = bs.sample_id
              WHERE bs.block_id = b.block_id AND (s.sample_id IS NULL OR s.stat_role IS DISTINCT FROM bs.stat_role))
ORDER BY block_id, problem
