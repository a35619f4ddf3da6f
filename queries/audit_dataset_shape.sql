-- name: audit_dataset_shape
-- description: Datasets whose stored shape disagrees with their rows (value arrays of the wrong length, counts that do not match); zero rows when sound.
-- column: dataset_id INTEGER  the dataset
-- column: cohort_code TEXT    its cohort
-- column: omics_type TEXT     its omics type
-- column: name TEXT           its name
-- column: problem TEXT        what disagrees
SELECT d.dataset_id, d.cohort_code, d.omics_type, d.name, 'value array length differs from n_samples' AS problem
FROM dataset AS d JOIN measurement_row AS m ON m.dataset_id = d.dataset_id
WHERE array_length(m.sample_values, 1) <> d.n_samples
GROUP BY d.dataset_id, d.cohort_code, d.omics_type, d.name
UNION ALL
SELECT d.dataset_id, d.cohort_code, d.omics_type, d.name, 'n_features differs from its measurement rows'
FROM dataset AS d
WHERE d.n_features <> (SELECT count(*) FROM measurement_row AS m WHERE m.dataset_id = d.dataset_id)
UNION ALL
SELECT d.dataset_id, d.cohort_code, d.omics_type, d.name, 'n_samples differs from its dataset_sample rows'
FROM dataset AS d
WHERE d.n_samples <> (SELECT count(*) FROM dataset_sample AS s WHERE s.dataset_id = d.dataset_id)
UNION ALL
SELECT d.dataset_id, d.cohort_code, d.omics_type, d.name, 'a sample appears twice in one dataset'
FROM dataset AS d JOIN dataset_sample AS s ON s.dataset_id = d.dataset_id
GROUP BY d.dataset_id, d.cohort_code, d.omics_type, d.name, s.sample_id
HAVING count(*) > 1
