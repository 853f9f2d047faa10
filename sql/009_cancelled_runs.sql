-- A run stopped by SIGTERM or SIGINT at a batch boundary is recorded `cancelled`: neither
-- `failed` (nothing went wrong) nor `abandoned` (the process said so itself before it ended).
ALTER TABLE recon.runs DROP CONSTRAINT runs_status_check;
ALTER TABLE recon.runs ADD CONSTRAINT runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned', 'cancelled'));
