-- name: gene_lookup_by_xref
-- description: Genes cross-referenced to an external id (Ensembl gene without version, HGNC:…, UniProtKB accession, MIM number).
-- param: xref_db TEXT  Ensembl, HGNC, UniProtKB, MIM, ...
-- param: accession TEXT  the id in that database (Ensembl ids without their version)
SELECT DISTINCT g.gene_id, g.symbol, g.name, g.taxon_id, x.accession AS matched_symbol, 'xref' AS match_kind
FROM gene_xref AS x
JOIN gene AS g ON g.gene_id = x.gene_id
WHERE x.xref_db = :xref_db AND upper(x.accession) = upper(:accession)
ORDER BY g.gene_id
