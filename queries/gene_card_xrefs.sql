-- name: gene_card_xrefs
-- description: A gene's cross-references (Ensembl, HGNC, MIM, UniProtKB, EC, ...) from every source.
-- param: gene_id TEXT  Entrez GeneID
-- column: xref_db TEXT    the other database
-- column: accession TEXT  the id there
-- column: version TEXT    its version, when given
SELECT DISTINCT xref_db, accession, version
FROM gene_xref
WHERE gene_id = getvariable('gene_id')
ORDER BY xref_db, accession
