-- name: cohort_datasets
-- description: Every dataset: cohort, omics, name, whether it is the default of its cohort and omics, its tumor/normal pair, features x samples, missing fraction, unresolved ids, unit, and the file it came from.
-- param: cohort TEXT  a cohort code or alias, any case (ucec, HGSC), or '' for all cohorts
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE :cohort = '' OR upper(cohort_code) = upper(trim(:cohort))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(:cohort))
)
SELECT d.cohort_code, d.omics_type, d.name, d.dataset_id, d.is_default,
       CASE WHEN pt.tumor_dataset_id IS NOT NULL THEN 'tumor' WHEN pn.normal_dataset_id IS NOT NULL THEN 'normal' END AS pair_role,
       o.name AS paired_with, COALESCE(pt.declared_by, pn.declared_by) AS pair_declared_by,
       COALESCE(b.name, d.name) AS block_name,
       d.feature_kind, d.source_format, d.sample_scope,
       d.n_features, d.n_samples,
       CASE WHEN d.n_features * d.n_samples = 0 THEN 0.0 ELSE CAST(d.n_missing AS DOUBLE PRECISION) / (CAST(d.n_features AS DOUBLE PRECISION) * d.n_samples) END AS missing_fraction,
       d.n_unresolved, d.unit, r.file_name, r.file_sha256, r.loaded_at
FROM dataset AS d
JOIN source_release AS r ON r.release_id = d.release_id
LEFT JOIN dataset_pair AS pt ON pt.tumor_dataset_id = d.dataset_id
LEFT JOIN dataset_pair AS pn ON pn.normal_dataset_id = d.dataset_id
LEFT JOIN dataset AS o ON o.dataset_id = COALESCE(pt.normal_dataset_id, pn.tumor_dataset_id)
LEFT JOIN dataset AS b ON b.dataset_id = pn.tumor_dataset_id
WHERE d.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
ORDER BY d.cohort_code, d.omics_type, COALESCE(b.name, d.name), CASE WHEN pn.normal_dataset_id IS NOT NULL THEN 1 ELSE 0 END
