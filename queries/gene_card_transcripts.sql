-- name: gene_card_transcripts
-- description: A gene's transcripts and protein products; primary and MANE from the isoform table, the rest from GTF or gene2ensembl.
-- param: gene_id TEXT  Entrez GeneID
-- column: transcript_id TEXT       a transcript accession
-- column: transcript_version TEXT  its version
-- column: protein_id TEXT          its protein product
-- column: protein_version TEXT     the protein's version
-- column: is_primary BOOLEAN       the primary isoform of the isoform table
-- column: is_mane BOOLEAN          MANE Select
-- column: is_canonical BOOLEAN     the canonical isoform
-- column: biotype TEXT             transcript biotype
WITH annotated AS (
    SELECT t.*, row_number() OVER (
        PARTITION BY t.transcript_id ORDER BY CASE t.source_kind WHEN 'gtf' THEN 0 ELSE 1 END
    ) AS preference
    FROM transcript AS t
    WHERE t.gene_id = getvariable('gene_id')
),
ids AS (
    SELECT transcript_id FROM transcript_selection WHERE gene_id = getvariable('gene_id')
    UNION
    SELECT transcript_id FROM annotated
)
SELECT ids.transcript_id,
       COALESCE(s.transcript_version, a.transcript_version) AS transcript_version,
       COALESCE(s.protein_id, a.protein_id) AS protein_id,
       COALESCE(s.protein_version, a.protein_version) AS protein_version,
       COALESCE(s.is_primary, FALSE) AS is_primary,
       COALESCE(s.is_mane, a.is_mane_select, FALSE) AS is_mane,
       COALESCE(a.is_canonical, FALSE) AS is_canonical,
       a.biotype
FROM ids
LEFT JOIN transcript_selection AS s ON s.transcript_id = ids.transcript_id
LEFT JOIN annotated AS a ON a.transcript_id = ids.transcript_id AND a.preference = 1
ORDER BY COALESCE(s.is_primary, FALSE) DESC, ids.transcript_id
