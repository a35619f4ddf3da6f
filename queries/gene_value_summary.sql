-- name: gene_value_summary
-- description: One gene's values summarised per block (the default dataset of each cohort and omics, with its paired normal dataset, or the dataset named), feature and sample role: count, median, quartiles, min, max; each line names the dataset its values come from.
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
SELECT m.cohort_code, m.omics_type, h.name AS block_name, m.dataset_name, m.feature_label,
       COALESCE(m.stat_role, 'unused ' || m.sample_type) AS role,
       count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY m.value) AS median,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY m.value) AS q1,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY m.value) AS q3,
       min(m.value) AS min, max(m.value) AS max
FROM members AS k
JOIN dataset AS h ON h.dataset_id = k.block_id
JOIN measurement AS m ON m.dataset_id = k.dataset_id
WHERE m.gene_id = :gene_id
GROUP BY m.cohort_code, m.omics_type, h.name, m.dataset_name, m.feature_label, COALESCE(m.stat_role, 'unused ' || m.sample_type)
ORDER BY m.cohort_code, m.omics_type, block_name, m.feature_label, role, m.dataset_name
