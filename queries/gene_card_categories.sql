-- name: gene_card_categories
-- description: A gene's categories (e.g. Ligand).
-- param: gene_id TEXT  Entrez GeneID
-- column: category TEXT  a category (e.g. Ligand)
SELECT category FROM gene_category WHERE gene_id = getvariable('gene_id') ORDER BY category
