-- name: trans_blocks
-- description: The all-pairs trans blocks 'omicskb derive --analysis trans' computes: each cohort's default protein and RNA dataset (every row against every other, on the tumors), with the stored block when it is current (block_id NULL when derive has not run on the dataset as it is now).
-- param: cohort TEXT = ''  a cohort code or alias, any case, or '' for all
-- column: cohort_code TEXT          the cohort
-- column: omics_type TEXT           protein or rna
-- column: dataset TEXT              its default dataset
-- column: block_id INTEGER          derive's block, NULL until derive has run on the dataset as it is now
-- column: n_samples INTEGER         tumors in the dataset (derive's count)
-- column: n_features INTEGER        rows tested against each other
-- column: n_pairs_tested INTEGER    pairs with 10 shared tumors and variance in both, each pair once
-- column: top_n INTEGER             partners stored per feature
-- column: dataset_id INTEGER        the dataset's id
-- column: release_id INTEGER        the release it holds now
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE getvariable('cohort') = '' OR upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
)
SELECT d.cohort_code, d.omics_type, d.name AS dataset, b.block_id, b.n_samples, b.n_features, b.n_pairs_tested, b.top_n,
       d.dataset_id, d.release_id
FROM dataset AS d
LEFT JOIN trans_block AS b ON b.dataset_id = d.dataset_id AND b.release_id = d.release_id
WHERE d.is_default AND d.omics_type IN ('protein', 'rna')
  AND d.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
ORDER BY d.omics_type, d.cohort_code
