-- name: gene_values
-- description: Every stored value of one gene (gene-level features and its sites) in one block per cohort and omics (the default dataset with its paired normal dataset, or the dataset named), with the dataset, the sample's type and role.
-- param: gene_id TEXT  the Entrez GeneID
-- param: cohort TEXT  a cohort code or alias, any case (ucec, HGSC), or '' for all cohorts
-- param: dataset TEXT  a dataset name (either half of a pair names the pair), or '' for the default dataset of each cohort and omics
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE :cohort = '' OR upper(cohort_code) = upper(trim(:cohort))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(:cohort))
),
blocks AS (
    SELECT DISTINCT COALESCE(p.tumor_dataset_id, d.dataset_id) AS block_id
    FROM dataset AS d
    LEFT JOIN dataset_pair AS p ON p.normal_dataset_id = d.dataset_id
    WHERE d.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
      AND ((:dataset = '' AND d.is_default) OR (:dataset <> '' AND d.name = :dataset))
),
members AS (
    SELECT block_id, block_id AS dataset_id FROM blocks
    UNION ALL
    SELECT b.block_id, p.normal_dataset_id FROM blocks AS b JOIN dataset_pair AS p ON p.tumor_dataset_id = b.block_id
)
SELECT m.cohort_code, m.omics_type, h.name AS block_name, m.dataset_name, m.feature_label, m.raw_identifier,
       m.sample_label, m.sample_type, m.stat_role, m.value
FROM members AS k
JOIN dataset AS h ON h.dataset_id = k.block_id
JOIN measurement AS m ON m.dataset_id = k.dataset_id
WHERE m.gene_id = :gene_id
ORDER BY m.cohort_code, m.omics_type, block_name, m.feature_label, m.dataset_name, m.sample_label
