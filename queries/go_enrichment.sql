-- name: go_enrichment
-- description: GO over-representation of a gene set (omicskb only: it reads the computed input go_enrichment_terms): annotations propagated to every ancestor over is_a/part_of (NOT annotations excluded; an activity or component GO links to a process by part_of propagates into it), the terms of one namespace; the hypergeometric upper tail per term with min_size..max_size universe genes, and Benjamini-Hochberg q over all those terms; the terms holding at least one listed gene, most significant first.
-- param: gene_ids TEXT[]  the gene set: GeneIDs (omicskb also accepts symbols, aliases and Ensembl ids; -p gene_ids=@FILE reads one per line, @- from standard input)
-- param: namespace TEXT = 'biological_process'  biological_process, molecular_function or cellular_component
-- param: min_size INTEGER = 5  smallest term tested, in universe genes
-- param: max_size INTEGER = 2000  largest term tested, in universe genes
-- param: universe TEXT = 'annotated'  'annotated': every gene whose annotations reach the namespace; or an omics type (protein, rna, ...): those measured in its default datasets
-- param: max_q FLOAT = 1.0  only terms with q at most this
-- input: go_enrichment_terms  per GO term: its universe genes, the listed ones among them, p and q (etl/enrichment.py)
-- column: go_id TEXT              the GO term
-- column: name TEXT               its name
-- column: overlap INTEGER         listed genes annotated to it (or below)
-- column: term_size INTEGER       universe genes annotated to it (or below)
-- column: list_size INTEGER       listed genes in the universe
-- column: universe_size INTEGER   genes in the universe
-- column: expected FLOAT          term_size x list_size / universe_size
-- column: fold_enrichment FLOAT   overlap / expected
-- column: p FLOAT                 hypergeometric P(X >= overlap); 0 below about 1e-308
-- column: log10_p FLOAT           log10 of p
-- column: q FLOAT                 Benjamini-Hochberg over every tested term
-- column: overlap_genes TEXT      the listed genes annotated to it, by symbol, comma-separated
-- column: genes_given INTEGER     genes in the list as given (some may lie outside the universe)
SELECT e.go_id, t.name, CAST(e.overlap AS INTEGER) AS overlap, CAST(e.term_size AS INTEGER) AS term_size,
       CAST(e.list_size AS INTEGER) AS list_size, CAST(e.universe_size AS INTEGER) AS universe_size, e.expected, e.fold_enrichment,
       e.p, e.log10_p, e.q, e.overlap_genes, CAST(COALESCE(array_length(getvariable('gene_ids')), 0) AS INTEGER) AS genes_given
FROM go_enrichment_terms AS e
JOIN go_term AS t ON t.go_id = e.go_id
WHERE t.namespace = getvariable('namespace') AND e.q <= getvariable('max_q')
  AND e.term_size BETWEEN getvariable('min_size') AND getvariable('max_size')
  AND getvariable('universe') IS NOT NULL
ORDER BY e.log10_p, e.go_id
