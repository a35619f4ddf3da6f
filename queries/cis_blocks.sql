-- name: cis_blocks
-- description: Every cis block 'omicskb derive --analysis cis' computes: per cohort, the default datasets of two omics types of one gene (every pair of cnv, methylation, rna and protein, x the upstream one), or of a gene-level type (cnv, rna, protein) against a site-level one (phospho, acetyl); with derive's block once it has computed it from the datasets as they are now.
-- param: cohort TEXT = ''  a cohort code or alias, any case, or '' for all
-- column: cohort_code TEXT       the cohort
-- column: omics_x TEXT           the upstream omics type (its rows are genes)
-- column: omics_y TEXT           the downstream omics type (genes, or sites of a gene)
-- column: dataset_x TEXT         the default dataset of omics_x
-- column: dataset_y TEXT         the default dataset of omics_y
-- column: block_id INTEGER       derive's block, NULL until derive has run on these datasets as they are now
-- column: n_samples INTEGER      tumors both datasets hold (derive's count)
-- column: n_pairs INTEGER        y features whose gene has an x row
-- column: n_tested INTEGER       pairs tested (10 shared tumors with values, variance in both)
-- column: reason TEXT            why the block tested nothing
-- column: dataset_x_id INTEGER   dataset x's id
-- column: dataset_y_id INTEGER   dataset y's id
-- column: release_x_id INTEGER   the release dataset x holds now
-- column: release_y_id INTEGER   the release dataset y holds now
WITH wanted_cohort AS (
    SELECT cohort_code FROM cohort WHERE getvariable('cohort') = '' OR upper(cohort_code) = upper(trim(getvariable('cohort')))
    UNION
    SELECT cohort_code FROM cohort_alias WHERE upper(alias) = upper(trim(getvariable('cohort')))
),
gene_level(omics, position) AS (
    VALUES ('cnv', 1), ('methylation', 2), ('rna', 3), ('protein', 4)
),
omics_pair AS (
    SELECT x.omics AS omics_x, y.omics AS omics_y FROM gene_level AS x JOIN gene_level AS y ON x.position < y.position
    UNION ALL
    SELECT x.omics, s.code FROM gene_level AS x CROSS JOIN omics_type AS s
    WHERE x.omics IN ('cnv', 'rna', 'protein') AND s.feature_level = 'site'
)
SELECT x.cohort_code, op.omics_x, op.omics_y, x.name AS dataset_x, y.name AS dataset_y,
       b.block_id, b.n_samples, b.n_pairs, b.n_tested, b.reason,
       x.dataset_id AS dataset_x_id, y.dataset_id AS dataset_y_id, x.release_id AS release_x_id, y.release_id AS release_y_id
FROM omics_pair AS op
JOIN dataset AS x ON x.omics_type = op.omics_x AND x.is_default
JOIN dataset AS y ON y.omics_type = op.omics_y AND y.is_default AND y.cohort_code = x.cohort_code
LEFT JOIN cis_block AS b ON b.dataset_x_id = x.dataset_id AND b.dataset_y_id = y.dataset_id
WHERE x.cohort_code IN (SELECT cohort_code FROM wanted_cohort)
ORDER BY x.cohort_code, op.omics_x, op.omics_y
