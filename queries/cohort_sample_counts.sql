-- name: cohort_sample_counts
-- description: Samples per cohort and sample type, with how many are excluded, replicates, and usable in the default tumor/normal roles.
-- param: cohort TEXT = ''  a cohort code or alias, any case (ucec, HGSC), or '' for all cohorts
-- column: cohort_code TEXT       the cohort
-- column: sample_type TEXT       tumor, normal, ... as the files give it
-- column: is_normal BOOLEAN      a normal tissue type
-- column: samples INTEGER        samples of this type
-- column: excluded INTEGER       of them, excluded by the source
-- column: replicates INTEGER     of them, replicates
-- column: usable_tumor INTEGER   of them, in the default tumor role
-- column: usable_normal INTEGER  of them, in the default normal role
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE getvariable('cohort') = '' OR upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
)
SELECT s.cohort_code, s.sample_type, t.is_normal,
       count(*) AS samples,
       sum(CASE WHEN s.is_excluded THEN 1 ELSE 0 END) AS excluded,
       sum(CASE WHEN s.is_replicate THEN 1 ELSE 0 END) AS replicates,
       sum(CASE WHEN s.stat_role = 'tumor' THEN 1 ELSE 0 END) AS usable_tumor,
       sum(CASE WHEN s.stat_role = 'normal' THEN 1 ELSE 0 END) AS usable_normal
FROM sample AS s
JOIN sample_type AS t ON t.code = s.sample_type
WHERE s.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
GROUP BY s.cohort_code, s.sample_type, t.is_normal
ORDER BY s.cohort_code, t.is_normal, s.sample_type
