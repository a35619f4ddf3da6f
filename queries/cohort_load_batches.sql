-- name: cohort_load_batches
-- description: The latest `load cohort` of each cohort: status, files planned and finished (ok or unchanged); a batch that is not ok left the cohort incomplete.
-- column: cohort_code TEXT       the cohort
-- column: batch_id INTEGER       the batch
-- column: status TEXT            running, ok, failed or interrupted
-- column: n_planned INTEGER      files planned
-- column: n_done INTEGER         files finished (ok or unchanged)
-- column: started_at TIMESTAMP   when it started
-- column: finished_at TIMESTAMP  when it ended
-- column: message TEXT           why it failed, if it did
-- column: directory TEXT         the directory loaded
-- column: planned_files TEXT     the files planned, in order
SELECT b.cohort_code, b.batch_id, b.status, b.n_planned,
       (SELECT count(*) FROM load_run AS r WHERE r.batch_id = b.batch_id AND r.status IN ('ok', 'unchanged')) AS n_done,
       b.started_at, b.finished_at, b.message, b.directory, b.planned_files
FROM load_batch AS b
WHERE b.batch_id = (SELECT max(x.batch_id) FROM load_batch AS x WHERE x.cohort_code = b.cohort_code)
ORDER BY b.cohort_code
