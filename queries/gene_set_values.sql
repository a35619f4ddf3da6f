-- name: gene_set_values
-- description: Every stored value of a set of genes (gene-level features and their sites), long form, from each cohort and omics' default dataset (with its paired normal dataset) or the dataset named; reads only those genes' rows.
-- param: gene_ids TEXT[]  Entrez GeneIDs (omicskb also accepts symbols, aliases and Ensembl ids)
-- param: cohort TEXT = ''  a cohort code or alias, any case, or '' for all cohorts
-- param: omics TEXT = ''  an omics type (rna, protein, phospho, ...), or '' for all
-- param: dataset TEXT = ''  a dataset name (either half of a pair names the pair), or '' for the defaults
-- param: min_value FLOAT = NULL  only values at least this, or NULL for all
-- param: tumor_only BOOLEAN = false  only samples in the default tumor role
-- column: gene_id TEXT         Entrez GeneID
-- column: cohort_code TEXT     the cohort
-- column: omics_type TEXT      the omics type
-- column: dataset_name TEXT    the dataset this value comes from
-- column: feature_label TEXT   the gene or site
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
      AND (getvariable('omics') = '' OR d.omics_type = getvariable('omics'))
      AND ((getvariable('dataset') = '' AND d.is_default) OR (getvariable('dataset') <> '' AND d.name = getvariable('dataset')))
),
members AS (
    SELECT block_id AS dataset_id FROM blocks
    UNION ALL
    SELECT p.normal_dataset_id FROM blocks AS b JOIN dataset_pair AS p ON p.tumor_dataset_id = b.block_id
),
-- Filter first: only the genes' rows are read and unnested.
gene_rows AS (
    SELECT f.gene_id, f.label, m.dataset_id, m.sample_values
    FROM measurement_row AS m
    JOIN feature AS f ON f.feature_id = m.feature_id
    WHERE m.dataset_id IN (SELECT dataset_id FROM members)
      AND f.gene_id IN (SELECT unnest(getvariable('gene_ids')))
)
SELECT r.gene_id, d.cohort_code, d.omics_type, d.name AS dataset_name, r.label AS feature_label,
       s.sample_label, s.sample_type, s.stat_role, u.value
FROM gene_rows AS r
CROSS JOIN LATERAL unnest(r.sample_values) WITH ORDINALITY AS u(value, sample_ord)
JOIN dataset AS d ON d.dataset_id = r.dataset_id
JOIN dataset_sample AS ds ON ds.dataset_id = r.dataset_id AND ds.sample_ord = u.sample_ord
JOIN sample AS s ON s.sample_id = ds.sample_id
WHERE u.value IS NOT NULL
  AND (getvariable('min_value') IS NULL OR u.value >= getvariable('min_value'))
  AND (NOT getvariable('tumor_only') OR s.stat_role = 'tumor')
ORDER BY r.gene_id, d.cohort_code, d.omics_type, feature_label, dataset_name, s.sample_label
