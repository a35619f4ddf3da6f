-- name: cohort_datasets
-- description: Every dataset: cohort, omics, name, features x samples, missing fraction, unresolved ids, and the file it came from.
SELECT d.cohort_code, d.omics_type, d.name, d.dataset_id, d.feature_kind, d.source_format, d.sample_scope,
       d.n_features, d.n_samples,
       CASE WHEN d.n_features * d.n_samples = 0 THEN 0.0 ELSE CAST(d.n_missing AS DOUBLE PRECISION) / (CAST(d.n_features AS DOUBLE PRECISION) * d.n_samples) END AS missing_fraction,
       d.n_unresolved, d.unit, r.file_name, r.file_sha256, r.loaded_at
FROM dataset AS d
JOIN source_release AS r ON r.release_id = d.release_id
ORDER BY d.cohort_code, d.omics_type, d.name
