-- name: gene_value_summary
-- description: One gene's values summarised per cohort, omics and sample role (tumor, normal): count, median, quartiles, min, max.
-- param: gene_id TEXT  the Entrez GeneID
-- param: cohort TEXT  a cohort code, or '' for all cohorts
SELECT cohort_code, omics_type, feature_label,
       COALESCE(stat_role, 'unused ' || sample_type) AS role,
       count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY value) AS q1,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY value) AS q3,
       min(value) AS min, max(value) AS max
FROM measurement
WHERE gene_id = :gene_id AND (:cohort = '' OR cohort_code = :cohort)
GROUP BY cohort_code, omics_type, feature_label, COALESCE(stat_role, 'unused ' || sample_type)
ORDER BY cohort_code, omics_type, feature_label, role
