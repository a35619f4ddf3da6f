-- name: audit_runs_not_finished
-- description: Load runs and `load cohort` batches still marked running (a process that died mid-load; the next write command marks them interrupted); zero rows when sound.
-- column: what TEXT             'run' (one file's load) or 'batch' (a load cohort)
-- column: id INTEGER            run_id or batch_id
-- column: command TEXT          the command that started it
-- column: detail TEXT           the file or directory, and the process
-- column: started_at TIMESTAMP  when it started
SELECT 'run' AS what, run_id AS id, command, file_path AS detail, started_at
FROM load_run
WHERE status = 'running'
UNION ALL
SELECT 'batch' AS what, batch_id AS id, command, directory AS detail, started_at
FROM load_batch
WHERE status = 'running'
ORDER BY started_at, id
