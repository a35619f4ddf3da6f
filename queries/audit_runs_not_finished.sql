-- name: audit_runs_not_finished
-- description: Load runs and `load cohort` batches still marked running (a process that died mid-load; the next write command marks them interrupted); zero rows when sound.
SELECT 'run' AS what, run_id AS id, command, file_path AS detail, started_at
FROM load_run
WHERE status = 'running'
UNION ALL
SELECT 'batch' AS what, batch_id AS id, command, directory AS detail, started_at
FROM load_batch
WHERE status = 'running'
ORDER BY started_at, id
