-- name: gene_card_summaries
-- description: Every summary version of a gene, newest first; is_current marks the one shown.
-- param: gene_id TEXT  Entrez GeneID
SELECT summary, provided_by, provided_date, provided_date_text, release_id,
       row_number() OVER (ORDER BY provided_date DESC NULLS LAST, release_id DESC) = 1 AS is_current
FROM gene_summary
WHERE gene_id = :gene_id
ORDER BY provided_date DESC NULLS LAST, release_id DESC
