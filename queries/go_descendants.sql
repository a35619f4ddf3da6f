-- name: go_descendants
-- description: Every descendant of a GO term over is_a/part_of, nearest first.
-- param: go_id TEXT  a GO id (alt ids accepted)
SELECT c.go_id AS descendant_id, t.name, c.distance
FROM go_id_primary AS p
JOIN go_closure AS c ON c.ancestor_id = p.primary_id
JOIN go_term AS t ON t.go_id = c.go_id
WHERE p.any_id = :go_id AND c.distance > 0
ORDER BY c.distance, c.go_id
