-- name: go_descendants
-- description: Every descendant of a GO term over is_a/part_of (down to max_distance steps), nearest first.
-- param: go_id TEXT  a GO id (alt ids accepted)
-- param: max_distance INTEGER = 1000  only descendants at most this many steps below (1 = direct children)
-- column: descendant_id TEXT  a descendant GO id
-- column: name TEXT           its name
-- column: distance INTEGER    shortest number of is_a/part_of steps
SELECT c.go_id AS descendant_id, t.name, c.distance
FROM go_id_primary AS p
JOIN go_closure AS c ON c.ancestor_id = p.primary_id
JOIN go_term AS t ON t.go_id = c.go_id
WHERE p.any_id = getvariable('go_id') AND c.distance > 0 AND c.distance <= getvariable('max_distance')
ORDER BY c.distance, c.go_id
