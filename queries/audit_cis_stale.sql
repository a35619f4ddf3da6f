-- name: audit_cis_stale
-- description: Cis blocks whose inputs changed since 'omicskb derive --analysis cis' computed them; zero rows when every stored block matches the datasets, defaults and sample roles it was computed from.
-- column: block_id INTEGER   the stale block
-- column: cohort_code TEXT   its cohort
-- column: omics_x TEXT       its upstream omics type
-- column: omics_y TEXT       its downstream omics type
-- column: problem TEXT       what changed
SELECT b.block_id, b.cohort_code, b.omics_x, b.omics_y,
       CASE
           WHEN x.dataset_id IS NULL OR y.dataset_id IS NULL THEN 'a dataset it read is gone'
           WHEN x.release_id <> b.release_x_id OR y.release_id <> b.release_y_id THEN 'a dataset it read holds another release now'
           ELSE 'a dataset it read is no longer the default'
       END AS problem
FROM cis_block AS b
LEFT JOIN dataset AS x ON x.dataset_id = b.dataset_x_id
LEFT JOIN dataset AS y ON y.dataset_id = b.dataset_y_id
WHERE x.dataset_id IS NULL OR y.dataset_id IS NULL
   OR x.release_id <> b.release_x_id OR y.release_id <> b.release_y_id
   OR NOT x.is_default OR NOT y.is_default
UNION ALL
SELECT b.block_id, b.cohort_code, b.omics_x, b.omics_y, 'a sample''s role changed, or the sample is gone' AS problem
FROM cis_block AS b
WHERE EXISTS (SELECT 1 FROM cis_block_sample AS bs LEFT JOIN sample AS s ON s.sample_id = bs.sample_id
              WHERE bs.block_id = b.block_id AND (s.sample_id IS NULL OR s.stat_role IS DISTINCT FROM bs.stat_role))
ORDER BY block_id, problem
