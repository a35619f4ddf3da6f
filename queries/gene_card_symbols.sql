-- name: gene_card_symbols
-- description: A gene's aliases and previous symbols from every source, without its official symbol.
-- param: gene_id TEXT  Entrez GeneID
-- column: symbol TEXT       an alias or previous symbol
-- column: symbol_kind TEXT  alias or previous
SELECT DISTINCT s.symbol, s.symbol_kind
FROM gene_symbol AS s
JOIN gene AS g ON g.gene_id = s.gene_id
WHERE s.gene_id = getvariable('gene_id') AND s.symbol_kind <> 'official' AND s.symbol <> g.symbol
ORDER BY s.symbol_kind, s.symbol
