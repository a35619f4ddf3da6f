-- name: gene_lookup_by_id
-- description: One gene's core facts by Entrez GeneID.
-- param: gene_id TEXT  Entrez GeneID, as a string
SELECT gene_id, symbol, name, type_of_gene, taxon_id, chromosome, map_location, modification_date
FROM gene
WHERE gene_id = :gene_id
