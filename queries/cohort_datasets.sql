-- name: cohort_datasets
-- description: Every dataset: cohort, omics, name, whether it is the default of its cohort and omics, its tumor/normal pair, features x samples, missing fraction, unresolved ids, unit, and the file it came from.
-- param: cohort TEXT = ''  a cohort code or alias, any case (ucec, HGSC), or '' for all cohorts
-- column: cohort_code TEXT        the cohort
-- column: omics_type TEXT         the omics type
-- column: name TEXT               the dataset's name
-- column: dataset_id INTEGER      its id
-- column: is_default BOOLEAN      the dataset summaries and statistics use for its cohort and omics
-- column: pair_role TEXT          tumor or normal when it is half of a tumor/normal pair
-- column: paired_with TEXT        the other half's name
-- column: pair_declared_by TEXT   layout, name or user
-- column: block_name TEXT         the block it belongs to (the tumor half of a pair)
-- column: feature_kind TEXT       gene, site, mirna, ...
-- column: source_format TEXT      the reader that loaded it
-- column: sample_scope TEXT       how column labels were matched to samples
-- column: n_features INTEGER      rows
-- column: n_samples INTEGER       columns
-- column: missing_fraction FLOAT  missing values / (rows x columns)
-- column: n_unresolved INTEGER    identifiers that did not resolve to a gene
-- column: unit TEXT               unit or normalisation
-- column: file_name TEXT          the file it came from
-- column: file_sha256 TEXT        that file's SHA-256
-- column: loaded_at TIMESTAMP     when its release was loaded
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE getvariable('cohort') = '' OR upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
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
