-- name: pheno_blocks
-- description: Every phenotype block 'omicskb derive --analysis phenotypes' computes: per cohort, the default dataset of rna, protein, cnv and phospho, tested on its tumors against the cohort's clinical attributes (all but free text) and the mutation status of its most mutated genes (from the default mutation dataset); with derive's block once it has computed it from the data as it is now.
-- param: cohort TEXT = ''  a cohort code or alias, any case, or '' for all
-- column: cohort_code TEXT                the cohort
-- column: omics_type TEXT                 the omics type
-- column: dataset TEXT                    its default dataset
-- column: n_clinical_attributes INTEGER   the cohort's clinical attributes other than free text
-- column: mutation_dataset TEXT           the default mutation dataset, if any
-- column: block_id INTEGER                derive's block, NULL until derive has run on the data as it is now
-- column: n_attributes INTEGER            attributes the block tested (clinical and mutation)
-- column: n_tested INTEGER                tests in the block
-- column: dataset_id INTEGER              the dataset's id
-- column: release_id INTEGER              the release it holds now
-- column: clinical_fingerprint TEXT       the cohort's attributes and their releases now (attribute:release, ...)
-- column: mutation_dataset_id INTEGER     the mutation dataset's id
-- column: mutation_release_id INTEGER     the release it holds now
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE getvariable('cohort') = '' OR upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
),
fingerprint AS (
    SELECT cohort_code, string_agg(CAST(attribute_id AS VARCHAR) || ':' || CAST(release_id AS VARCHAR), ',' ORDER BY attribute_id) AS clinical_fingerprint,
           count(*) AS n_attributes
    FROM clinical_attribute
    WHERE clinical_type <> 'TXT'
    GROUP BY cohort_code
),
mutation AS (
    SELECT cohort_code, dataset_id, release_id, name FROM dataset WHERE omics_type = 'mutation' AND is_default
)
SELECT d.cohort_code, d.omics_type, d.name AS dataset, CAST(COALESCE(f.n_attributes, 0) AS INTEGER) AS n_clinical_attributes,
       m.name AS mutation_dataset, b.block_id, b.n_attributes, b.n_tested, d.dataset_id, d.release_id,
       COALESCE(f.clinical_fingerprint, '') AS clinical_fingerprint, m.dataset_id AS mutation_dataset_id, m.release_id AS mutation_release_id
FROM dataset AS d
LEFT JOIN fingerprint AS f ON f.cohort_code = d.cohort_code
LEFT JOIN mutation AS m ON m.cohort_code = d.cohort_code
LEFT JOIN pheno_block AS b ON b.dataset_id = d.dataset_id
WHERE d.is_default AND d.omics_type IN ('rna', 'protein', 'cnv', 'phospho')
  AND d.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
ORDER BY d.cohort_code, d.omics_type
