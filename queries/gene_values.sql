-- name: gene_values
-- description: Every stored value of one gene (gene-level features and its sites), in every cohort and omics, with the sample's type and role.
-- param: gene_id TEXT  the Entrez GeneID
-- param: cohort TEXT  a cohort code, or '' for all cohorts
SELECT cohort_code, omics_type, dataset_name, feature_label, raw_identifier, sample_label, sample_type, stat_role, value
FROM measurement
WHERE gene_id = :gene_id AND (:cohort = '' OR cohort_code = :cohort)
ORDER BY cohort_code, omics_type, dataset_name, feature_label, sample_label
