-- name: gene_values
-- description: Every stored value of one gene (gene-level features and its sites) in one block per cohort and omics (the default dataset with its paired normal dataset, or the dataset named), with the dataset, the sample's type and role.
-- param: gene_id TEXT  the Entrez GeneID
-- param: cohort TEXT = ''  a cohort code or alias, any case (ucec, HGSC), or '' for all cohorts
-- param: dataset TEXT = ''  a dataset name (either half of a pair names the pair), or '' for the default dataset of each cohort and omics
-- column: cohort_code TEXT     the cohort
-- column: omics_type TEXT      the omics type
-- column: block_name TEXT      the block's (tumor) dataset
-- column: dataset_name TEXT    the dataset this value comes from
-- column: feature_label TEXT   the gene or site
-- column: raw_identifier TEXT  the row's id exactly as the file gives it
-- column: sample_label TEXT    the sample
-- column: sample_type TEXT     its type
-- column: stat_role TEXT       tumor or normal in the default comparisons, or NULL
-- column: value FLOAT          the value (missing values are left out)
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE getvariable('cohort') = '' OR upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
),
blocks AS (
    SELECT DISTINCT COALESCE(p.tumor_dataset_id, d.dataset_id) AS block_id
    FROM dataset AS d
    LEFT JOIN dataset_pair AS p ON p.normal_dataset_id = d.dataset_id
    WHERE d.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
      AND ((getvariable('dataset') = '' AND d.is_default) OR (getvariable('dataset') <> '' AND d.name = getvariable('dataset')))
),
members AS (
    SELECT block_id, block_id AS dataset_id FROM blocks
    UNION ALL
    SELECT b.block_id, p.normal_dataset_id FROM blocks AS b JOIN dataset_pair AS p ON p.tumor_dataset_id = b.block_id
),
-- Filter first: the gene's rows (through feature.gene_id), then those of the wanted datasets; only they are unnested.
-- MATERIALIZED keeps both steps before the unnest: DuckDB fetches the few rows by feature before any dataset join,
-- and PostgreSQL cannot move the dataset join above the unnest.
gene_rows AS MATERIALIZED (
    SELECT m.dataset_id, m.feature_id, m.raw_identifier, m.sample_values
    FROM feature AS f
    JOIN measurement_row AS m ON m.feature_id = f.feature_id
    WHERE f.gene_id = getvariable('gene_id')
),
wanted_rows AS MATERIALIZED (
    SELECT k.block_id, r.dataset_id, r.feature_id, r.raw_identifier, r.sample_values
    FROM gene_rows AS r
    JOIN members AS k ON k.dataset_id = r.dataset_id
)
SELECT d.cohort_code, d.omics_type, h.name AS block_name, d.name AS dataset_name, f.label AS feature_label, r.raw_identifier,
       s.sample_label, s.sample_type, s.stat_role, u.value
FROM wanted_rows AS r
CROSS JOIN LATERAL unnest(r.sample_values) WITH ORDINALITY AS u(value, sample_ord)
JOIN dataset AS d ON d.dataset_id = r.dataset_id
JOIN dataset AS h ON h.dataset_id = r.block_id
JOIN feature AS f ON f.feature_id = r.feature_id
JOIN dataset_sample AS ds ON ds.dataset_id = r.dataset_id AND ds.sample_ord = u.sample_ord
JOIN sample AS s ON s.sample_id = ds.sample_id
WHERE u.value IS NOT NULL
ORDER BY d.cohort_code, d.omics_type, block_name, feature_label, dataset_name, s.sample_label
