-- name: gene_card_categories
-- description: A gene's categories (e.g. Ligand).
-- param: gene_id TEXT  Entrez GeneID
SELECT category FROM gene_category WHERE gene_id = :gene_id ORDER BY category
