-- name: unresolved_by_reason
-- description: Identifiers that did not resolve, counted by source and reason, for the latest run of each source file.
SELECT r.source_kind, r.file_path, u.reason, count(*) AS identifiers, min(u.identifier) AS example
FROM unresolved_identifier AS u
JOIN load_run AS r ON r.run_id = u.run_id
GROUP BY r.source_kind, r.file_path, u.reason
ORDER BY identifiers DESC
