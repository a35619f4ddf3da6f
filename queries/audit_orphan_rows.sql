-- name: audit_orphan_rows
-- description: Rows whose gene, GO term or release does not exist (DuckDB does not enforce foreign keys); zero rows when sound.
-- column: table_name TEXT  the table holding the orphan row
-- column: orphan_key TEXT  the row's key
-- column: missing TEXT     what it refers to that does not exist
SELECT 'gene_symbol' AS table_name, gene_id AS orphan_key, 'gene' AS missing FROM gene_symbol WHERE gene_id NOT IN (SELECT gene_id FROM gene)
UNION ALL SELECT 'gene_xref', gene_id, 'gene' FROM gene_xref WHERE gene_id NOT IN (SELECT gene_id FROM gene)
UNION ALL SELECT 'gene_summary', gene_id, 'gene' FROM gene_summary WHERE gene_id NOT IN (SELECT gene_id FROM gene)
UNION ALL SELECT 'ortholog', gene_id, 'gene' FROM ortholog WHERE gene_id NOT IN (SELECT gene_id FROM gene)
UNION ALL SELECT 'gene_category', gene_id, 'gene' FROM gene_category WHERE gene_id NOT IN (SELECT gene_id FROM gene)
UNION ALL SELECT 'gene_go_annotation', gene_id, 'gene' FROM gene_go_annotation WHERE gene_id NOT IN (SELECT gene_id FROM gene)
UNION ALL SELECT 'transcript', transcript_id, 'gene' FROM transcript WHERE gene_id NOT IN (SELECT gene_id FROM gene)
UNION ALL SELECT 'transcript_selection', transcript_id, 'gene' FROM transcript_selection WHERE gene_id NOT IN (SELECT gene_id FROM gene)
UNION ALL SELECT 'go_alt_id', alt_id, 'go_term' FROM go_alt_id WHERE go_id NOT IN (SELECT go_id FROM go_term)
UNION ALL SELECT 'go_relation', go_id, 'go_term' FROM go_relation WHERE go_id NOT IN (SELECT go_id FROM go_term)
UNION ALL SELECT 'gene', gene_id, 'source_release' FROM gene WHERE release_id NOT IN (SELECT release_id FROM source_release)
UNION ALL SELECT 'gene_go_annotation', CAST(annotation_id AS VARCHAR), 'source_release' FROM gene_go_annotation WHERE release_id NOT IN (SELECT release_id FROM source_release)
UNION ALL SELECT 'source_release', CAST(release_id AS VARCHAR), 'load_run' FROM source_release WHERE run_id NOT IN (SELECT run_id FROM load_run)
