-- name: go_gsea_prerank
-- description: Preranked GSEA over GO terms (omicskb only: it reads the computed input go_gsea_terms): the ranked list of gene_rank for an analysis, each GO term of the namespace with min_size..max_size of the list's genes (annotations propagated up is_a/part_of), the weighted Kolmogorov-Smirnov enrichment score, and NES, nominal p and GSEA's FDR q from seeded gene-label permutations; most significant first.
-- param: analysis TEXT = 'tumor_normal'  the ranked list's analysis, as gene_rank: tumor_normal or cis
-- param: omics TEXT = 'protein'  as gene_rank: the omics type, or the cis pair as x~y
-- param: cohort TEXT = ''  as gene_rank: '' for the Meta P, else one cohort
-- param: namespace TEXT = 'biological_process'  biological_process, molecular_function or cellular_component
-- param: min_size INTEGER = 15  smallest term tested, in genes of the list
-- param: max_size INTEGER = 500  largest term tested
-- param: permutations INTEGER = 1000  gene-label shuffles for NES, p and q
-- param: seed INTEGER = 1  the shuffles' seed: the same seed gives the same p and q
-- input: go_gsea_terms  per GO term: size in the list, ES, NES, p, q and leading edge (etl/gsea.py)
-- column: go_id TEXT                 the GO term
-- column: name TEXT                  its name
-- column: size INTEGER               its genes in the ranked list
-- column: es FLOAT                   enrichment score (positive: at the top of the list)
-- column: nes FLOAT                  ES over the mean null ES of its sign
-- column: p FLOAT                    nominal p from the permutations (0: none as extreme)
-- column: q FLOAT                    GSEA's FDR q
-- column: leading_edge_size INTEGER  genes of the leading edge
-- column: leading_edge TEXT          their symbols, in list order
-- column: permutations INTEGER       shuffles used
SELECT g.go_id, t.name, CAST(g.size AS INTEGER) AS size, g.es, g.nes, g.p, g.q, CAST(g.leading_edge_size AS INTEGER) AS leading_edge_size,
       g.leading_edge, CAST(getvariable('permutations') AS INTEGER) AS permutations
FROM go_gsea_terms AS g
JOIN go_term AS t ON t.go_id = g.go_id
WHERE t.namespace = getvariable('namespace') AND g.size BETWEEN getvariable('min_size') AND getvariable('max_size')
  AND getvariable('analysis') IS NOT NULL AND getvariable('omics') IS NOT NULL AND getvariable('cohort') IS NOT NULL AND getvariable('seed') IS NOT NULL
ORDER BY g.q NULLS LAST, g.p NULLS LAST, abs(g.nes) DESC, g.go_id
