-- name: protein_products
-- description: The transcripts and proteins of a gene, as the gene page lists them (ENST00000263851.9 Primary ENSP00000263851.4 (0 phosphosite)): the isoform table's primary and MANE choices, the GTF's biotype and tags, and how many measured phosphosites sit on each protein.
-- param: gene TEXT  a GeneID, official symbol, or alias / previous symbol (in that order of precedence), any case
-- column: gene_id TEXT              Entrez GeneID
-- column: transcript TEXT           Ensembl transcript id with its version
-- column: protein TEXT              Ensembl protein id with its version, NULL for a non-coding transcript
-- column: biotype TEXT              the GTF's transcript biotype
-- column: is_primary BOOLEAN        the isoform table's primary product
-- column: is_mane BOOLEAN           MANE Select (isoform table, else the GTF tag)
-- column: is_canonical BOOLEAN      Ensembl canonical (GTF tag)
-- column: n_phosphosites INTEGER    distinct phosphosites on this protein measured in any phospho dataset
-- column: page_label TEXT           the line as the gene page shows it
WITH candidates AS (
    SELECT gene_id, precedence FROM gene_name WHERE name = upper(trim(getvariable('gene')))
),
wanted_gene AS (
    SELECT DISTINCT gene_id FROM candidates WHERE precedence = (SELECT min(precedence) FROM candidates)
),
transcripts AS (
    SELECT t.gene_id, t.transcript_id,
           max(t.transcript_version) AS transcript_version, max(t.protein_id) AS protein_id, max(t.protein_version) AS protein_version,
           max(t.biotype) AS biotype, bool_or(t.is_canonical) AS is_canonical, bool_or(t.is_mane_select) AS is_mane_select
    FROM transcript AS t
    WHERE t.gene_id IN (SELECT gene_id FROM wanted_gene)
    GROUP BY t.gene_id, t.transcript_id
),
products AS (
    SELECT COALESCE(t.gene_id, s.gene_id) AS gene_id, COALESCE(t.transcript_id, s.transcript_id) AS transcript_id,
           COALESCE(s.transcript_version, t.transcript_version) AS transcript_version,
           COALESCE(s.protein_id, t.protein_id) AS protein_id, COALESCE(s.protein_version, t.protein_version) AS protein_version,
           t.biotype, COALESCE(s.is_primary, FALSE) AS is_primary, COALESCE(s.is_mane, t.is_mane_select, FALSE) AS is_mane,
           COALESCE(t.is_canonical, FALSE) AS is_canonical
    FROM transcripts AS t
    FULL OUTER JOIN (SELECT * FROM transcript_selection WHERE gene_id IN (SELECT gene_id FROM wanted_gene)) AS s
      ON s.transcript_id = t.transcript_id
),
sites AS (
    SELECT f.protein_id, count(DISTINCT f.feature_id) AS n
    FROM feature AS f
    WHERE f.feature_kind = 'site' AND f.gene_id IN (SELECT gene_id FROM wanted_gene) AND f.protein_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM measurement_row AS m JOIN dataset AS d ON d.dataset_id = m.dataset_id
                  WHERE m.feature_id = f.feature_id AND d.omics_type = 'phospho')
    GROUP BY f.protein_id
)
SELECT p.gene_id,
       p.transcript_id || COALESCE('.' || p.transcript_version, '') AS transcript,
       p.protein_id || COALESCE('.' || p.protein_version, '') AS protein,
       p.biotype, p.is_primary, p.is_mane, p.is_canonical,
       CAST(COALESCE(s.n, 0) AS INTEGER) AS n_phosphosites,
       p.transcript_id || COALESCE('.' || p.transcript_version, '') || CASE WHEN p.is_primary THEN ' Primary' ELSE '' END
           || COALESCE(' ' || p.protein_id || COALESCE('.' || p.protein_version, '') || ' (' || CAST(COALESCE(s.n, 0) AS VARCHAR) || ' phosphosite)', '') AS page_label
FROM products AS p
LEFT JOIN sites AS s ON s.protein_id = p.protein_id OR s.protein_id = p.protein_id || COALESCE('.' || p.protein_version, '')
ORDER BY p.is_primary DESC, p.is_mane DESC, transcript
