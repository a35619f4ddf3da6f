-- name: gene_card_orthologs
-- description: A gene's orthologs by source, with the ortholog's symbol from the source, the MGI/RGD gene tables or the gene table.
-- param: gene_id TEXT  Entrez GeneID
-- column: other_taxon_id TEXT   the other species' NCBI taxon
-- column: scientific_name TEXT  its name
-- column: other_gene_id TEXT    the ortholog's id
-- column: other_id_kind TEXT    the kind of that id (GeneID, MGI, RGD, ...)
-- column: source_kind TEXT      the source that says so
-- column: support TEXT          the source's support (databases agreeing)
-- column: symbol TEXT           the ortholog's symbol
SELECT o.other_taxon_id, t.scientific_name, o.other_gene_id, o.other_id_kind, o.source_kind, o.support,
       COALESCE(o.other_symbol, sg.symbol, g.symbol) AS symbol
FROM ortholog AS o
LEFT JOIN taxon AS t ON t.taxon_id = o.other_taxon_id
LEFT JOIN species_gene AS sg ON sg.db_id = o.other_gene_id
LEFT JOIN gene AS g ON g.gene_id = o.other_gene_id AND o.other_id_kind = 'Entrez'
WHERE o.gene_id = getvariable('gene_id')
ORDER BY o.other_taxon_id, o.source_kind, o.other_gene_id
