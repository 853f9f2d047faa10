-- A first night writes every subject of the platform at once (209,621 rows of subject_status,
-- 84,203 grants at the benchmark's scale); what each written row costs beyond its heap tuple and
-- primary key is paid that many times (docs/PERFORMANCE.md, "What session 9 changed").
--
-- 1. The program_id foreign keys of subject_status and credit_grants go: each checked row ran a
--    lookup with a row lock on its recon.programs row, half of the cost of copying the subject
--    rows in (3.0-3.5 s of 209,621 rows measured, 1.8 s without it). What they protected is kept
--    on the rare side instead: the trigger below refuses to delete, rename or truncate a program
--    that has decisions, and refuses to do it while a run holds the run lock, so a run cannot
--    write decisions for a program deleted under it. The job only ever writes the program ids it
--    read from recon.programs in the same run, and it cannot edit programs (sql/roles.sql).
--    A rename used to cascade to subject_status (ON UPDATE CASCADE) and failed anyway once a
--    subject had ineligibility reasons; a program's id is what its decisions, exports and
--    support answers were made under, so it is now never renamed once it has decisions.
-- 2. Three indexes nothing reads go: window_end and decided_at (the export ORs them with the
--    unindexed as_of, so it scans the table anyway; a rerun's range reads them once, and at a
--    platform's hundreds of thousands of subjects a scan takes tens of milliseconds) and the
--    partial index of open subjects (every night reads all keys with their final flag). The
--    primary key and the account index stay (upserts; the export of one account).
DROP INDEX recon.subject_status_window_end;
DROP INDEX recon.subject_status_decided_at;
DROP INDEX recon.subject_status_open;
ALTER TABLE recon.subject_status DROP CONSTRAINT subject_status_program_id_fkey;
ALTER TABLE recon.credit_grants DROP CONSTRAINT credit_grants_program_id_fkey;

CREATE FUNCTION recon.refuse_change_of_program_in_use() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    action text := lower(TG_OP);
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.program_id = OLD.program_id THEN
        RETURN NEW;
    END IF;
    -- The run lock (RunLock.key): a run holds it for its whole length, and this transaction now
    -- holds it until it ends, so no run starts writing under it either.
    IF NOT pg_try_advisory_xact_lock(8318260036559332707) THEN
        RAISE EXCEPTION 'cannot % recon.programs while a spend-recon run is in progress', action
            USING ERRCODE = 'lock_not_available', HINT = 'Try again when the run has finished.';
    END IF;
    IF TG_LEVEL = 'STATEMENT' THEN
        IF EXISTS (SELECT FROM recon.subject_status) OR EXISTS (SELECT FROM recon.credit_grants)
           OR EXISTS (SELECT FROM recon.adjustments) OR EXISTS (SELECT FROM recon.discrepancies) THEN
            RAISE EXCEPTION 'cannot truncate recon.programs: programs have decisions'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT FROM recon.subject_status WHERE program_id = OLD.program_id)
       OR EXISTS (SELECT FROM recon.credit_grants WHERE program_id = OLD.program_id)
       OR EXISTS (SELECT FROM recon.adjustments WHERE program_id = OLD.program_id)
       OR EXISTS (SELECT FROM recon.discrepancies WHERE program_id = OLD.program_id) THEN
        RAISE EXCEPTION 'cannot % program %: it has decisions', action, OLD.program_id
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Edit its terms, or end it with enroll_until; a new program gets a new id.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER programs_in_use_row BEFORE UPDATE OF program_id OR DELETE ON recon.programs
    FOR EACH ROW EXECUTE FUNCTION recon.refuse_change_of_program_in_use();
CREATE TRIGGER programs_in_use_truncate BEFORE TRUNCATE ON recon.programs
    FOR EACH STATEMENT EXECUTE FUNCTION recon.refuse_change_of_program_in_use();
