-- name: genes_for_go_term
-- description: Genes annotated to a GO term or any of its descendants (annotations propagated up is_a/part_of; NOT annotations excluded).
-- param: go_id TEXT  a GO id (alt ids accepted)
-- column: gene_id TEXT              Entrez GeneID
-- column: symbol TEXT               official symbol
-- column: name TEXT                 full name
-- column: annotations INTEGER       annotations to the term or its descendants
-- column: nearest_distance INTEGER  steps from the term to the nearest annotated descendant (0 = the term itself)
SELECT g.gene_id, g.symbol, g.name, count(*) AS annotations, min(c.distance) AS nearest_distance
FROM go_id_primary AS p
JOIN go_closure AS c ON c.ancestor_id = p.primary_id
JOIN go_id_primary AS ap ON ap.primary_id = c.go_id
JOIN gene_go_annotation AS a ON a.go_id = ap.any_id AND NOT a.is_not
JOIN gene AS g ON g.gene_id = a.gene_id
WHERE p.any_id = getvariable('go_id')
GROUP BY g.gene_id, g.symbol, g.name
ORDER BY g.symbol
