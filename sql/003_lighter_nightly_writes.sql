-- Nightly writes cost what changed (docs/PERFORMANCE.md, "Write path").
--
-- 1. No index on subject_status.as_of: every open subject's as_of moves every night, and an
--    indexed column that changes forbids PostgreSQL's HOT updates, so each open subject cost a
--    new entry in all six indexes every night. The support export's "latest evaluation fell in
--    the range" test reads as_of together with window_end and decided_at; at a platform's
--    hundreds of thousands of subjects a scan of this table takes milliseconds.
-- 2. Room on each page (fillfactor 85) so those updates stay on their page (HOT).
-- 3. run_id is no longer a foreign key on subject_status, ineligibility_reasons and
--    credit_grants: the job writes the id of the run it opened on the same connection, and a
--    foreign key costs a trigger and a lookup per written row (half the insert time measured).
--    runs rows are never deleted; the seeded simulation checks after every night that every
--    run_id written exists in recon.runs.
DROP INDEX recon.subject_status_as_of;
ALTER TABLE recon.subject_status SET (fillfactor = 85);
ALTER TABLE recon.subject_status DROP CONSTRAINT subject_status_run_id_fkey;
ALTER TABLE recon.ineligibility_reasons DROP CONSTRAINT ineligibility_reasons_run_id_fkey;
ALTER TABLE recon.credit_grants DROP CONSTRAINT credit_grants_run_id_fkey;
