-- name: gene_lookup_by_id
-- description: One gene's core facts by Entrez GeneID.
-- param: gene_id TEXT  Entrez GeneID, as a string
-- column: gene_id TEXT            Entrez GeneID
-- column: symbol TEXT             official symbol
-- column: name TEXT               full name
-- column: type_of_gene TEXT       protein-coding, ncRNA, ...
-- column: taxon_id TEXT           NCBI taxon
-- column: chromosome TEXT         chromosome
-- column: map_location TEXT       cytogenetic band
-- column: modification_date DATE  NCBI's last change
SELECT gene_id, symbol, name, type_of_gene, taxon_id, chromosome, map_location, modification_date
FROM gene
WHERE gene_id = getvariable('gene_id')
