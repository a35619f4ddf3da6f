-- Shared DuckDB macros for analysts (not a saved query). Load them into a session, also a read-only one:
--   duckdb -readonly omicskb.duckdb  then  .read queries/macros.sql
--   Python: con.execute(open("queries/macros.sql").read())
-- They are TEMP: they live in the session, never in the database file.
--
-- measurements_of(gene, cohort, omics, dataset, default_only): long-form values, filtered first.
-- The measurement_row arrays are read only for the rows that pass the filters, then unnested; the
-- plain `measurement` view unnests every row of every dataset before any filter applies.
--   gene:          a GeneID or an official symbol (any case); NULL = every gene
--   cohort:        a cohort code or alias (any case); NULL = every cohort
--   omics:         an omics type (rna, protein, phospho, ...); NULL = every omics
--   dataset:       a dataset name; NULL = any
--   default_only:  true (the default) keeps each cohort and omics' default dataset and the normal
--                  dataset paired with it, as gene_values does; false keeps every dataset
-- Example: SELECT * FROM measurements_of(gene := 'TP53', cohort := 'ucec');
CREATE OR REPLACE TEMP MACRO measurements_of(gene := NULL, cohort := NULL, omics := NULL, dataset := NULL, default_only := true) AS TABLE
WITH wanted_dataset AS (
    SELECT d.dataset_id
    FROM dataset AS d
    LEFT JOIN dataset_pair AS np ON np.normal_dataset_id = d.dataset_id
    LEFT JOIN dataset AS t ON t.dataset_id = np.tumor_dataset_id
    WHERE (cohort IS NULL OR upper(d.cohort_code) = upper(trim(cohort))
           OR d.cohort_code IN (SELECT a.cohort_code FROM cohort_alias AS a WHERE upper(a.alias) = upper(trim(cohort))))
      AND (omics IS NULL OR d.omics_type = omics)
      AND (dataset IS NULL OR d.name = dataset)
      AND (NOT default_only OR dataset IS NOT NULL OR d.is_default OR COALESCE(t.is_default, false))
),
wanted_feature AS (
    SELECT f.feature_id, f.gene_id, f.label
    FROM feature AS f
    LEFT JOIN gene AS g ON g.gene_id = f.gene_id
    WHERE gene IS NULL OR f.gene_id = CAST(gene AS VARCHAR) OR upper(g.symbol) = upper(CAST(gene AS VARCHAR))
),
picked AS (
    SELECT m.dataset_id, m.feature_id, wf.gene_id, wf.label, m.raw_identifier, m.sample_values
    FROM measurement_row AS m
    JOIN wanted_feature AS wf ON wf.feature_id = m.feature_id
    WHERE m.dataset_id IN (SELECT dataset_id FROM wanted_dataset)
)
SELECT d.cohort_code, d.omics_type, d.dataset_id, d.name AS dataset_name,
       p.feature_id, p.gene_id, p.label AS feature_label, p.raw_identifier,
       ds.sample_id, s.sample_label, s.sample_type, s.stat_role, u.value
FROM picked AS p
CROSS JOIN LATERAL unnest(p.sample_values) WITH ORDINALITY AS u(value, sample_ord)
JOIN dataset AS d ON d.dataset_id = p.dataset_id
JOIN dataset_sample AS ds ON ds.dataset_id = p.dataset_id AND ds.sample_ord = u.sample_ord
JOIN sample AS s ON s.sample_id = ds.sample_id
WHERE u.value IS NOT NULL;
