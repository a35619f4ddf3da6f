-- name: unresolved_by_reason
-- description: Identifiers that did not resolve in the releases the database holds now, counted by source file, what became of their rows (unlinked, collapsed, dropped) and reason.
-- column: source_kind TEXT     the kind of source file
-- column: file_path TEXT       the file
-- column: disposition TEXT     unlinked, collapsed or dropped
-- column: reason TEXT          why it did not resolve
-- column: identifiers INTEGER  how many
-- column: example TEXT         one of them
SELECT r.source_kind, r.file_path, u.disposition, u.reason, count(*) AS identifiers, min(u.identifier) AS example
FROM unresolved_identifier AS u
JOIN load_run AS r ON r.run_id = u.run_id
JOIN source_release AS s ON s.release_id = r.release_id AND s.state = 'current'
GROUP BY r.source_kind, r.file_path, u.disposition, u.reason
ORDER BY r.source_kind, r.file_path, identifiers DESC, u.disposition, u.reason
