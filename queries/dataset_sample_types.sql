-- name: dataset_sample_types
-- description: Per dataset, its samples by type and default statistical role (tumor = usable tumors, normal = adjacent normals).
SELECT d.cohort_code, d.omics_type, d.name, d.dataset_id, s.sample_type,
       count(*) AS samples,
       sum(CASE WHEN s.stat_role = 'tumor' THEN 1 ELSE 0 END) AS usable_tumor,
       sum(CASE WHEN s.stat_role = 'normal' THEN 1 ELSE 0 END) AS usable_normal
FROM dataset AS d
JOIN dataset_sample AS ds ON ds.dataset_id = d.dataset_id
JOIN sample AS s ON s.sample_id = ds.sample_id
GROUP BY d.cohort_code, d.omics_type, d.name, d.dataset_id, s.sample_type
ORDER BY d.cohort_code, d.omics_type, d.name, s.sample_type
