-- name: audit_pheno_stale
-- description: Phenotype blocks whose inputs changed since 'omicskb derive --analysis phenotypes' computed them; zero rows when every stored block matches its dataset, the cohort's clinical attributes, the mutation dataset and the sample roles it was computed from.
-- column: block_id INTEGER   the stale block
-- column: cohort_code TEXT   its cohort
-- column: omics_type TEXT    its omics type
-- column: problem TEXT       what changed
WITH fingerprint AS (
    SELECT cohort_code, string_agg(CAST(attribute_id AS VARCHAR) || ':' || CAST(release_id AS VARCHAR), ',' ORDER BY attribute_id) AS clinical_fingerprint
    FROM clinical_attribute
    WHERE clinical_type <> 'TXT'
    GROUP BY cohort_code
),
mutation AS (
    SELECT cohort_code, dataset_id, release_id FROM dataset WHERE omics_type = 'mutation' AND is_default
)
SELECT b.block_id, b.cohort_code, b.omics_type,
       CASE
           WHEN d.dataset_id IS NULL THEN 'its dataset is gone'
           WHEN d.release_id <> b.release_id THEN 'its dataset holds another release now'
           WHEN NOT d.is_default THEN 'its dataset is no longer the default'
           WHEN COALESCE(f.clinical_fingerprint, '') <> b.clinical_fingerprint THEN 'the cohort''s clinical attributes changed'
           ELSE 'the mutation dataset changed'
       END AS problem
FROM pheno_block AS b
LEFT JOIN dataset AS d ON d.dataset_id = b.dataset_id
LEFT JOIN fingerprint AS f ON f.cohort_code = b.cohort_code
LEFT JOIN mutation AS m ON m.cohort_code = b.cohort_code
WHERE d.dataset_id IS NULL OR d.release_id <> b.release_id OR NOT d.is_default
   OR COALESCE(f.clinical_fingerprint, '') <> b.clinical_fingerprint
   OR m.dataset_id IS DISTINCT FROM b.mutation_dataset_id OR m.release_id IS DISTINCT FROM b.mutation_release_id
UNION ALL
SELECT b.block_id, b.cohort_code, b.omics_type, 'a sample''s role changed, or the sample is gone' AS problem
FROM pheno_block AS b
WHERE EXISTS (SELECT 1 FROM pheno_block_sample AS bs LEFT JOIN sample AS s ON s.sample_id = bs.sample_id
              WHERE bs.block_id = b.block_id AND (s.sample_id IS NULL OR s.stat_role IS DISTINCT FROM bs.stat_role))
ORDER BY block_id, problem
