-- name: gene_card_summaries
-- description: Every summary version of a gene, newest first; is_current marks the one shown.
-- param: gene_id TEXT  Entrez GeneID
-- column: summary TEXT             the summary text
-- column: provided_by TEXT         who wrote it
-- column: provided_date DATE       its date
-- column: provided_date_text TEXT  the date as the source writes it
-- column: release_id INTEGER       the release it came from
-- column: is_current BOOLEAN       the one the gene card shows
SELECT summary, provided_by, provided_date, provided_date_text, release_id,
       row_number() OVER (ORDER BY provided_date DESC NULLS LAST, release_id DESC) = 1 AS is_current
FROM gene_summary
WHERE gene_id = getvariable('gene_id')
ORDER BY provided_date DESC NULLS LAST, release_id DESC
