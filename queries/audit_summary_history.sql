-- name: audit_summary_history
-- description: Genes whose current summary is not their newest dated version; zero rows when sound.
-- column: gene_id TEXT       Entrez GeneID
-- column: current_date DATE  date of the summary marked current
-- column: newest_date DATE   date of the newest summary
SELECT c.gene_id, c.provided_date AS current_date, newest.provided_date AS newest_date
FROM gene_summary_current AS c
JOIN (SELECT gene_id, max(provided_date) AS provided_date FROM gene_summary GROUP BY gene_id) AS newest
  ON newest.gene_id = c.gene_id
WHERE newest.provided_date IS NOT NULL AND (c.provided_date IS NULL OR c.provided_date < newest.provided_date)
