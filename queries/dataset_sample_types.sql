-- name: dataset_sample_types
-- description: Per dataset, its samples by type and default statistical role (tumor = usable tumors, normal = adjacent normals).
-- param: cohort TEXT = ''  a cohort code or alias, any case (ucec, HGSC), or '' for all cohorts
-- column: cohort_code TEXT       the cohort
-- column: omics_type TEXT        the omics type
-- column: name TEXT              the dataset's name
-- column: dataset_id INTEGER     its id
-- column: sample_type TEXT       a sample type
-- column: samples INTEGER        its samples of that type
-- column: usable_tumor INTEGER   of them, in the default tumor role
-- column: usable_normal INTEGER  of them, in the default normal role
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE getvariable('cohort') = '' OR upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
)
SELECT d.cohort_code, d.omics_type, d.name, d.dataset_id, s.sample_type,
       count(*) AS samples,
       sum(CASE WHEN s.stat_role = 'tumor' THEN 1 ELSE 0 END) AS usable_tumor,
       sum(CASE WHEN s.stat_role = 'normal' THEN 1 ELSE 0 END) AS usable_normal
FROM dataset AS d
JOIN dataset_sample AS ds ON ds.dataset_id = d.dataset_id
JOIN sample AS s ON s.sample_id = ds.sample_id
WHERE d.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
GROUP BY d.cohort_code, d.omics_type, d.name, d.dataset_id, s.sample_type
ORDER BY d.cohort_code, d.omics_type, d.name, s.sample_type
