-- name: tumor_normal_pairs
-- description: Every block of a tumor-vs-normal omics type (derive compares those with tumors), tumors against normals: one dataset holding both roles, or a tumor/normal pair of datasets and who declared it; with its sample counts and whether derive has computed it since its inputs last changed.
-- param: cohort TEXT = ''  a cohort code or alias, any case, or '' for all
-- column: cohort_code TEXT          the cohort
-- column: omics_type TEXT           the omics type
-- column: tumor_dataset TEXT        the block's tumor (or only) dataset
-- column: normal_dataset TEXT       the dataset its normals come from (the same one when one dataset holds both)
-- column: declared_by TEXT          one dataset, or who paired two: layout, name (tumor/normal suffixes) or user
-- column: is_default BOOLEAN        the (cohort, omics) default: the block Meta P combines
-- column: n_tumor_samples INTEGER   samples in the tumor role
-- column: n_normal_samples INTEGER  samples in the normal role
-- column: comparison_id INTEGER     derive's comparison, NULL until derive has run on the block as it is now
-- column: n_tested INTEGER          features tested in that comparison
-- column: reason TEXT               why the comparison tested nothing (no normal samples)
-- column: tumor_dataset_id INTEGER  the tumor dataset's id
-- column: normal_dataset_id INTEGER the normal dataset's id (the tumor dataset's when one holds both)
-- column: tumor_release_id INTEGER  the release the tumor dataset holds now
-- column: normal_release_id INTEGER the release the normal dataset holds now
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE getvariable('cohort') = '' OR upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
),
blocks AS (
    SELECT d.cohort_code, d.omics_type, d.dataset_id AS tumor_id, COALESCE(p.normal_dataset_id, d.dataset_id) AS normal_id,
           COALESCE(p.declared_by, 'one dataset') AS declared_by, d.is_default
    FROM dataset AS d
    LEFT JOIN dataset_pair AS p ON p.tumor_dataset_id = d.dataset_id
    WHERE d.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
      AND d.omics_type IN ('rna', 'protein', 'phospho', 'acetyl', 'glyco', 'mirna', 'methylation')
      AND d.dataset_id NOT IN (SELECT normal_dataset_id FROM dataset_pair)
),
roles AS (
    SELECT b.tumor_id, b.normal_id,
           count(DISTINCT CASE WHEN s.stat_role = 'tumor' THEN s.sample_id END) AS n_tumor,
           count(DISTINCT CASE WHEN s.stat_role = 'normal' THEN s.sample_id END) AS n_normal
    FROM blocks AS b
    JOIN dataset_sample AS ds ON ds.dataset_id IN (b.tumor_id, b.normal_id)
    JOIN sample AS s ON s.sample_id = ds.sample_id
    GROUP BY b.tumor_id, b.normal_id
)
SELECT b.cohort_code, b.omics_type, t.name AS tumor_dataset, n.name AS normal_dataset, b.declared_by, b.is_default,
       CAST(r.n_tumor AS INTEGER) AS n_tumor_samples, CAST(r.n_normal AS INTEGER) AS n_normal_samples,
       c.comparison_id, c.n_tested, c.reason, b.tumor_id AS tumor_dataset_id, b.normal_id AS normal_dataset_id,
       t.release_id AS tumor_release_id, n.release_id AS normal_release_id
FROM blocks AS b
JOIN dataset AS t ON t.dataset_id = b.tumor_id
JOIN dataset AS n ON n.dataset_id = b.normal_id
LEFT JOIN roles AS r ON r.tumor_id = b.tumor_id AND r.normal_id = b.normal_id
LEFT JOIN tn_comparison AS c ON c.tumor_dataset_id = b.tumor_id AND c.normal_dataset_id = b.normal_id
ORDER BY b.cohort_code, b.omics_type, tumor_dataset
