-- name: gene_lookup_by_symbol
-- description: Genes whose official symbol, alias or previous symbol matches (case-insensitive).
-- param: symbol TEXT  a gene symbol, alias or previous symbol
SELECT DISTINCT g.gene_id, g.symbol, g.name, g.taxon_id, s.symbol AS matched_symbol, s.symbol_kind AS match_kind
FROM (
    SELECT gene_id, symbol, 'official' AS symbol_kind FROM gene
    UNION
    SELECT gene_id, symbol, symbol_kind FROM gene_symbol
) AS s
JOIN gene AS g ON g.gene_id = s.gene_id
WHERE upper(s.symbol) = upper(:symbol)
ORDER BY g.gene_id, match_kind
