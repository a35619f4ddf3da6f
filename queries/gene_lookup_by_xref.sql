-- name: gene_lookup_by_xref
-- description: Genes cross-referenced to an external id (Ensembl gene without version, HGNC:…, UniProtKB accession, MIM number).
-- param: xref_db TEXT  Ensembl, HGNC, UniProtKB, MIM, ...
-- param: accession TEXT  the id in that database (Ensembl ids without their version)
-- column: gene_id TEXT         Entrez GeneID
-- column: symbol TEXT          official symbol
-- column: name TEXT            full name
-- column: taxon_id TEXT        NCBI taxon
-- column: matched_symbol TEXT  the accession that matched
-- column: match_kind TEXT      the database it matched in
SELECT DISTINCT g.gene_id, g.symbol, g.name, g.taxon_id, x.accession AS matched_symbol, 'xref' AS match_kind
FROM gene_xref AS x
JOIN gene AS g ON g.gene_id = x.gene_id
WHERE x.xref_db = getvariable('xref_db') AND upper(x.accession) = upper(getvariable('accession'))
ORDER BY g.gene_id
