-- name: audit_cohort_orphans
-- description: Cohort rows whose dataset, sample, feature, patient or attribute does not exist (DuckDB does not enforce foreign keys); zero rows when sound.
-- column: table_name TEXT  the table holding the orphan row
-- column: orphan_key TEXT  the row's key
-- column: missing TEXT     what it refers to that does not exist
SELECT 'measurement_row' AS table_name, CAST(dataset_id AS VARCHAR) AS orphan_key, 'dataset' AS missing FROM measurement_row WHERE dataset_id NOT IN (SELECT dataset_id FROM dataset)
UNION ALL SELECT 'measurement_row', CAST(feature_id AS VARCHAR), 'feature' FROM measurement_row WHERE feature_id NOT IN (SELECT feature_id FROM feature)
UNION ALL SELECT 'dataset_sample', CAST(sample_id AS VARCHAR), 'sample' FROM dataset_sample WHERE sample_id NOT IN (SELECT sample_id FROM sample)
UNION ALL SELECT 'dataset_sample', CAST(dataset_id AS VARCHAR), 'dataset' FROM dataset_sample WHERE dataset_id NOT IN (SELECT dataset_id FROM dataset)
UNION ALL SELECT 'mutation', CAST(sample_id AS VARCHAR), 'sample' FROM mutation WHERE sample_id NOT IN (SELECT sample_id FROM sample)
UNION ALL SELECT 'mutation', CAST(dataset_id AS VARCHAR), 'dataset' FROM mutation WHERE dataset_id NOT IN (SELECT dataset_id FROM dataset)
UNION ALL SELECT 'sample', CAST(patient_id AS VARCHAR), 'patient' FROM sample WHERE patient_id IS NOT NULL AND patient_id NOT IN (SELECT patient_id FROM patient)
UNION ALL SELECT 'clinical_value', CAST(attribute_id AS VARCHAR), 'clinical_attribute' FROM clinical_value WHERE attribute_id NOT IN (SELECT attribute_id FROM clinical_attribute)
UNION ALL SELECT 'clinical_value', CAST(clinical_value_id AS VARCHAR), 'sample or patient' FROM clinical_value
    WHERE (sample_id IS NULL) = (patient_id IS NULL)
       OR sample_id NOT IN (SELECT sample_id FROM sample)
       OR patient_id NOT IN (SELECT patient_id FROM patient)
UNION ALL SELECT 'feature', feature_key, 'gene' FROM feature WHERE gene_id IS NOT NULL AND gene_id NOT IN (SELECT gene_id FROM gene)
UNION ALL SELECT 'dataset', CAST(dataset_id AS VARCHAR), 'source_release' FROM dataset WHERE release_id NOT IN (SELECT release_id FROM source_release)
