-- name: gene_value_summary
-- description: One gene's values summarised per block (the default dataset of each cohort and omics, with its paired normal dataset, or the dataset named), feature and sample role: count, median, quartiles, min, max; each line names the dataset its values come from.
-- param: gene_id TEXT  the Entrez GeneID
-- param: cohort TEXT = ''  a cohort code or alias, any case (ucec, HGSC), or '' for all cohorts
-- param: dataset TEXT = ''  a dataset name (either half of a pair names the pair), or '' for the default dataset of each cohort and omics
-- column: cohort_code TEXT    the cohort
-- column: omics_type TEXT     the omics type
-- column: block_name TEXT     the block's (tumor) dataset
-- column: dataset_name TEXT   the dataset these values come from
-- column: feature_label TEXT  the gene or site
-- column: role TEXT           tumor, normal, or 'unused <sample type>'
-- column: n INTEGER           values present
-- column: median FLOAT        median
-- column: q1 FLOAT            first quartile (continuous)
-- column: q3 FLOAT            third quartile (continuous)
-- column: min FLOAT           minimum
-- column: max FLOAT           maximum
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
    SELECT m.dataset_id, m.feature_id, m.sample_values
    FROM feature AS f
    JOIN measurement_row AS m ON m.feature_id = f.feature_id
    WHERE f.gene_id = getvariable('gene_id')
),
wanted_rows AS MATERIALIZED (
    SELECT k.block_id, r.dataset_id, r.feature_id, r.sample_values
    FROM gene_rows AS r
    JOIN members AS k ON k.dataset_id = r.dataset_id
),
gene_long AS (
    SELECT d.cohort_code, d.omics_type, h.name AS block_name, d.name AS dataset_name, f.label AS feature_label,
           s.sample_type, s.stat_role, u.value
    FROM wanted_rows AS r
    CROSS JOIN LATERAL unnest(r.sample_values) WITH ORDINALITY AS u(value, sample_ord)
    JOIN dataset AS d ON d.dataset_id = r.dataset_id
    JOIN dataset AS h ON h.dataset_id = r.block_id
    JOIN feature AS f ON f.feature_id = r.feature_id
    JOIN dataset_sample AS ds ON ds.dataset_id = r.dataset_id AND ds.sample_ord = u.sample_ord
    JOIN sample AS s ON s.sample_id = ds.sample_id
    WHERE u.value IS NOT NULL
)
SELECT m.cohort_code, m.omics_type, m.block_name, m.dataset_name, m.feature_label,
       COALESCE(m.stat_role, 'unused ' || m.sample_type) AS role,
       count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY m.value) AS median,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY m.value) AS q1,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY m.value) AS q3,
       min(m.value) AS min, max(m.value) AS max
FROM gene_long AS m
GROUP BY m.cohort_code, m.omics_type, m.block_name, m.dataset_name, m.feature_label, COALESCE(m.stat_role, 'unused ' || m.sample_type)
ORDER BY m.cohort_code, m.omics_type, m.block_name, m.feature_label, role, m.dataset_name
