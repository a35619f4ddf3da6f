-- name: gene_card_ensembl
-- description: A gene's Ensembl gene ids with the version known from any source (xref, isoform table, GTF).
-- param: gene_id TEXT  Entrez GeneID
-- column: accession TEXT  an Ensembl gene id, without version
-- column: version TEXT    its version, when a source gives one
SELECT ids.accession,
       COALESCE(
           (SELECT max(x.version) FROM gene_xref AS x WHERE x.gene_id = getvariable('gene_id') AND x.xref_db = 'Ensembl' AND x.accession = ids.accession),
           (SELECT max(s.ensembl_gene_version) FROM transcript_selection AS s WHERE s.gene_id = getvariable('gene_id') AND s.ensembl_gene_id = ids.accession),
           (SELECT max(t.ensembl_gene_version) FROM transcript AS t WHERE t.gene_id = getvariable('gene_id') AND t.ensembl_gene_id = ids.accession)
       ) AS version
FROM (
    SELECT accession FROM gene_xref WHERE gene_id = getvariable('gene_id') AND xref_db = 'Ensembl'
    UNION
    SELECT ensembl_gene_id FROM transcript_selection WHERE gene_id = getvariable('gene_id') AND ensembl_gene_id IS NOT NULL
    UNION
    SELECT ensembl_gene_id FROM transcript WHERE gene_id = getvariable('gene_id') AND ensembl_gene_id IS NOT NULL
) AS ids
ORDER BY ids.accession
