-- name: dataset_values
-- description: One block in long form: every present value of a cohort and omics' default dataset (with its paired normal dataset) or of the dataset named, in row and sample order; reads only that block's rows.
-- param: cohort TEXT  a cohort code or alias, any case
-- param: omics TEXT  an omics type (rna, protein, phospho, ...)
-- param: dataset TEXT = ''  a dataset name (either half of a pair names the pair), or '' for the default
-- column: dataset_name TEXT    the dataset this value comes from
-- column: row_ord INTEGER      the row's position in its dataset (file order)
-- column: feature_id INTEGER   the feature
-- column: gene_id TEXT         its Entrez GeneID, NULL when the identifier did not resolve
-- column: feature_label TEXT   the gene or site
-- column: sample_ord INTEGER   the sample's position in its dataset
-- column: sample_label TEXT    the sample
-- column: stat_role TEXT       tumor or normal in the default comparisons, or NULL
-- column: value FLOAT          the value (missing values are left out)
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
),
blocks AS (
    SELECT DISTINCT COALESCE(p.tumor_dataset_id, d.dataset_id) AS block_id
    FROM dataset AS d
    LEFT JOIN dataset_pair AS p ON p.normal_dataset_id = d.dataset_id
    WHERE d.cohort_code IN (SELECT cohort_code FROM wanted_cohort) AND d.omics_type = getvariable('omics')
      AND ((getvariable('dataset') = '' AND d.is_default) OR (getvariable('dataset') <> '' AND d.name = getvariable('dataset')))
),
members AS (
    SELECT block_id AS dataset_id, 0 AS side FROM blocks
    UNION ALL
    SELECT p.normal_dataset_id, 1 FROM blocks AS b JOIN dataset_pair AS p ON p.tumor_dataset_id = b.block_id
)
SELECT d.name AS dataset_name, m.row_ord, m.feature_id, f.gene_id, f.label AS feature_label,
       u.sample_ord, s.sample_label, s.stat_role, u.value
FROM members AS k
JOIN measurement_row AS m ON m.dataset_id = k.dataset_id
CROSS JOIN LATERAL unnest(m.sample_values) WITH ORDINALITY AS u(value, sample_ord)
JOIN dataset AS d ON d.dataset_id = m.dataset_id
JOIN feature AS f ON f.feature_id = m.feature_id
JOIN dataset_sample AS ds ON ds.dataset_id = m.dataset_id AND ds.sample_ord = u.sample_ord
JOIN sample AS s ON s.sample_id = ds.sample_id
WHERE u.value IS NOT NULL
ORDER BY k.side, m.row_ord, u.sample_ord
