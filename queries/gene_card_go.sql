-- name: gene_card_go
-- description: A gene's GO annotations, one row per (GO id, qualifier, evidence), with the primary id an alt_id maps to.
-- param: gene_id TEXT  Entrez GeneID
-- column: go_id TEXT          the GO id as annotated
-- column: term TEXT           its name
-- column: category TEXT       Process, Function or Component
-- column: evidence_code TEXT  GO evidence code
-- column: qualifier TEXT      the annotation's qualifier
-- column: primary_id TEXT     the primary id an alt_id maps to
-- column: current_term TEXT   the primary term's name
-- column: sources TEXT        the annotation sources, comma-separated
SELECT a.go_id,
       COALESCE(max(a.go_term_as_given), max(pt.name)) AS term,
       a.namespace AS category,
       a.evidence_code,
       a.qualifier,
       max(p.primary_id) AS primary_id,
       max(pt.name) AS current_term,
       string_agg(DISTINCT a.source_kind, '|' ORDER BY a.source_kind) AS sources
FROM gene_go_annotation AS a
LEFT JOIN go_id_primary AS p ON p.any_id = a.go_id
LEFT JOIN go_term AS pt ON pt.go_id = p.primary_id
WHERE a.gene_id = getvariable('gene_id')
GROUP BY a.go_id, a.namespace, a.evidence_code, a.qualifier
ORDER BY CASE a.namespace WHEN 'biological_process' THEN 1 WHEN 'cellular_component' THEN 2 ELSE 3 END,
         a.go_id, a.qualifier, a.evidence_code
