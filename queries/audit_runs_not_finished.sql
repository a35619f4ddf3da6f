-- name: audit_runs_not_finished
-- description: Load runs still marked running (the process died mid-load; its transaction was rolled back); zero rows when sound.
SELECT run_id, command, file_path, started_at
FROM load_run
WHERE status = 'running'
ORDER BY run_id
