-- name: gene_card_transcripts
-- description: A gene's transcripts and protein products; primary and MANE from the isoform table, the rest from GTF or gene2ensembl.
-- param: gene_id TEXT  Entrez GeneID
WITH annotated AS (
    SELECT t.*, row_number() OVER (
        PARTITION BY t.transcript_id ORDER BY CASE t.source_kind WHEN 'gtf' THEN 0 ELSE 1 END
    ) AS preference
    FROM transcript AS t
    WHERE t.gene_id = :gene_id
),
ids AS (
    SELECT transcript_id FROM transcript_selection WHERE gene_id = :gene_id
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
