-- name: go_ancestors
-- description: Every ancestor of a GO term over is_a/part_of (an alt_id is mapped to its primary term first), nearest first.
-- param: go_id TEXT  a GO id such as GO:0043066 (alt ids accepted)
-- column: ancestor_id TEXT  an ancestor GO id
-- column: name TEXT         its name
-- column: namespace TEXT    its namespace
-- column: distance INTEGER  shortest number of is_a/part_of steps
SELECT c.ancestor_id, t.name, t.namespace, c.distance
FROM go_id_primary AS p
JOIN go_closure AS c ON c.go_id = p.primary_id
JOIN go_term AS t ON t.go_id = c.ancestor_id
WHERE p.any_id = getvariable('go_id') AND c.distance > 0
ORDER BY c.distance, c.ancestor_id
