-- name: unresolved_by_reason
-- description: Identifiers that did not resolve in the releases the database holds now, counted by source file, what became of their rows (unlinked, collapsed, dropped) and reason.
SELECT r.source_kind, r.file_path, u.disposition, u.reason, count(*) AS identifiers, min(u.identifier) AS example
FROM unresolved_identifier AS u
JOIN load_run AS r ON r.run_id = u.run_id
JOIN source_release AS s ON s.release_id = r.release_id AND s.state = 'current'
GROUP BY r.source_kind, r.file_path, u.disposition, u.reason
ORDER BY r.source_kind, r.file_path, identifiers DESC, u.disposition, u.reason
