-- name: gene_lookup_by_symbol
-- description: Genes whose official symbol, alias or previous symbol matches (case-insensitive).
-- param: symbol TEXT  a gene symbol, alias or previous symbol
-- column: gene_id TEXT         Entrez GeneID
-- column: symbol TEXT          official symbol
-- column: name TEXT            full name
-- column: taxon_id TEXT        NCBI taxon
-- column: matched_symbol TEXT  the symbol that matched
-- column: match_kind TEXT      official, alias or previous
SELECT DISTINCT g.gene_id, g.symbol, g.name, g.taxon_id, s.symbol AS matched_symbol, s.symbol_kind AS match_kind
FROM (
    SELECT gene_id, symbol, 'official' AS symbol_kind FROM gene
    UNION
    SELECT gene_id, symbol, symbol_kind FROM gene_symbol
) AS s
JOIN gene AS g ON g.gene_id = s.gene_id
WHERE upper(s.symbol) = upper(getvariable('symbol'))
ORDER BY g.gene_id, match_kind
