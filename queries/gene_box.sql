-- name: gene_box
-- description: Box statistics of one gene (and its sites) per omics, cohort and role, from each cohort's default tumor-vs-normal comparison: type-7 quartiles, whiskers at 1.5 x IQR, and the outlying values.
-- param: gene TEXT  a GeneID, official symbol, or alias / previous symbol (in that order of precedence), any case
-- column: omics TEXT              the omics type
-- column: feature TEXT            the gene or site
-- column: cohort TEXT             the cohort
-- column: role TEXT               tumor or normal
-- column: n INTEGER               samples with a value
-- column: minimum FLOAT           the lowest value
-- column: q1 FLOAT                first quartile (type 7)
-- column: median FLOAT            median
-- column: q3 FLOAT                third quartile
-- column: maximum FLOAT           the highest value
-- column: whisker_low FLOAT       the lowest value within 1.5 x IQR below q1
-- column: whisker_high FLOAT      the highest value within 1.5 x IQR above q3
-- column: mild_outliers FLOAT[]   values 1.5-3 x IQR beyond a quartile, ascending
-- column: extreme_outliers FLOAT[]  values beyond 3 x IQR, ascending
WITH candidates AS (
    SELECT gene_id, precedence FROM gene_name WHERE name = upper(trim(getvariable('gene')))
),
wanted_gene AS (
    SELECT DISTINCT gene_id FROM candidates WHERE precedence = (SELECT min(precedence) FROM candidates)
),
gene_features AS (
    SELECT feature_id, label FROM feature WHERE gene_id IN (SELECT gene_id FROM wanted_gene)
),
boxes AS (
    SELECT c.comparison_id, c.omics_type, c.cohort_code, b.stat_role, b.feature_id, f.label, b.n, b.minimum, b.q1, b.median, b.q3, b.maximum,
           b.whisker_low, b.whisker_high
    FROM tn_comparison AS c
    JOIN tn_box AS b ON b.comparison_id = c.comparison_id
    JOIN gene_features AS f ON f.feature_id = b.feature_id
    WHERE c.is_default
)
SELECT x.omics_type AS omics, x.label AS feature, x.cohort_code AS cohort, x.stat_role AS role, x.n, x.minimum, x.q1, x.median, x.q3, x.maximum,
       x.whisker_low, x.whisker_high,
       (SELECT list(o.value ORDER BY o.value) FROM tn_box_outlier AS o
        WHERE o.comparison_id = x.comparison_id AND o.stat_role = x.stat_role AND o.feature_id = x.feature_id AND NOT o.is_extreme) AS mild_outliers,
       (SELECT list(o.value ORDER BY o.value) FROM tn_box_outlier AS o
        WHERE o.comparison_id = x.comparison_id AND o.stat_role = x.stat_role AND o.feature_id = x.feature_id AND o.is_extreme) AS extreme_outliers
FROM boxes AS x
ORDER BY omics, feature, cohort, role
