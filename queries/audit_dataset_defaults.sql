-- name: audit_dataset_defaults
-- description: Defaults and tumor/normal pairs that break their rules: a cohort and omics with datasets but no default or several, a default that is the normal half of a pair, a pair across cohorts or omics, of different units or feature kinds, sharing samples, with normal samples on the tumor side or others on the normal side, a dataset in two pairs, a pair naming a missing dataset; zero rows when sound.
-- column: cohort_code TEXT    the cohort
-- column: omics_type TEXT     the omics type
-- column: dataset_id INTEGER  the dataset concerned (NULL when the problem is the cohort and omics as a whole)
-- column: name TEXT           its name
-- column: problem TEXT        the rule it breaks
SELECT d.cohort_code, d.omics_type, CAST(NULL AS BIGINT) AS dataset_id, CAST(NULL AS VARCHAR) AS name, 'no default dataset' AS problem
FROM dataset AS d
GROUP BY d.cohort_code, d.omics_type
HAVING sum(CASE WHEN d.is_default THEN 1 ELSE 0 END) = 0
UNION ALL
SELECT d.cohort_code, d.omics_type, NULL, NULL, 'several default datasets'
FROM dataset AS d
GROUP BY d.cohort_code, d.omics_type
HAVING sum(CASE WHEN d.is_default THEN 1 ELSE 0 END) > 1
UNION ALL
SELECT d.cohort_code, d.omics_type, d.dataset_id, d.name, 'the default is the normal half of a pair'
FROM dataset AS d JOIN dataset_pair AS p ON p.normal_dataset_id = d.dataset_id
WHERE d.is_default
UNION ALL
SELECT NULL, NULL, p.tumor_dataset_id, NULL, 'a pair names a dataset that does not exist'
FROM dataset_pair AS p
WHERE p.tumor_dataset_id NOT IN (SELECT dataset_id FROM dataset) OR p.normal_dataset_id NOT IN (SELECT dataset_id FROM dataset)
UNION ALL
SELECT t.cohort_code, t.omics_type, t.dataset_id, t.name,
       CASE WHEN t.cohort_code <> n.cohort_code OR t.omics_type <> n.omics_type THEN 'pair across cohorts or omics with ' || n.name
            WHEN t.feature_kind <> n.feature_kind THEN 'pair of different feature kinds with ' || n.name
            ELSE 'pair of different units with ' || n.name END
FROM dataset_pair AS p
JOIN dataset AS t ON t.dataset_id = p.tumor_dataset_id
JOIN dataset AS n ON n.dataset_id = p.normal_dataset_id
WHERE t.cohort_code <> n.cohort_code OR t.omics_type <> n.omics_type OR t.feature_kind <> n.feature_kind
   OR t.unit <> n.unit OR (t.unit IS NULL) <> (n.unit IS NULL)
UNION ALL
SELECT t.cohort_code, t.omics_type, t.dataset_id, t.name, 'pair shares samples with ' || n.name
FROM dataset_pair AS p
JOIN dataset AS t ON t.dataset_id = p.tumor_dataset_id
JOIN dataset AS n ON n.dataset_id = p.normal_dataset_id
WHERE EXISTS (SELECT 1 FROM dataset_sample AS a JOIN dataset_sample AS b ON b.sample_id = a.sample_id
              WHERE a.dataset_id = p.tumor_dataset_id AND b.dataset_id = p.normal_dataset_id)
UNION ALL
SELECT d.cohort_code, d.omics_type, d.dataset_id, d.name,
       CASE WHEN p.tumor_dataset_id = d.dataset_id THEN 'the tumor side of a pair holds normal samples'
            ELSE 'the normal side of a pair holds samples that are not normal' END
FROM dataset_pair AS p
JOIN dataset AS d ON d.dataset_id IN (p.tumor_dataset_id, p.normal_dataset_id)
WHERE EXISTS (SELECT 1 FROM dataset_sample AS ds JOIN sample AS s ON s.sample_id = ds.sample_id JOIN sample_type AS st ON st.code = s.sample_type
              WHERE ds.dataset_id = d.dataset_id AND st.is_normal = (d.dataset_id = p.tumor_dataset_id))
UNION ALL
SELECT d.cohort_code, d.omics_type, d.dataset_id, d.name, 'in two pairs (tumor of one, normal of another)'
FROM dataset AS d
WHERE d.dataset_id IN (SELECT tumor_dataset_id FROM dataset_pair) AND d.dataset_id IN (SELECT normal_dataset_id FROM dataset_pair)
UNION ALL
SELECT t.cohort_code, t.omics_type, t.dataset_id, t.name, 'pair declared by an unknown party: ' || p.declared_by
FROM dataset_pair AS p JOIN dataset AS t ON t.dataset_id = p.tumor_dataset_id
WHERE p.declared_by NOT IN ('layout', 'name', 'user')
ORDER BY 1, 2, 3
