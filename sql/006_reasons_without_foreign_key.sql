-- A first night writes 54,954 ineligibility reasons at the benchmark's scale, each checked by the
-- foreign key to recon.subject_status: a lookup that locks the subject's row (a tuple header
-- write and a WAL record each), 390-420 ms of 55,000 reasons measured against 105-115 ms
-- without it (docs/PERFORMANCE.md, "What session 11 changed").
--
-- What the key guaranteed is kept by construction and, on the rare side, by triggers:
-- * the job writes a subject's reasons only in the transaction that writes its status row
--   (DecisionWriter), so no reason names a subject without one; the seeded simulation checks
--   that after every night;
-- * deleting subject rows (an operator's clean-up; the job never deletes them) deletes their
--   reasons, as ON DELETE CASCADE did, and TRUNCATE of recon.subject_status empties the reasons
--   too, which the key used to demand by refusing to truncate one without the other.
ALTER TABLE recon.ineligibility_reasons DROP CONSTRAINT ineligibility_reasons_program_id_subject_key_fkey;

CREATE FUNCTION recon.delete_reasons_of_deleted_subjects() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM recon.ineligibility_reasons;
    ELSE
        DELETE FROM recon.ineligibility_reasons r USING gone g
        WHERE r.program_id = g.program_id AND r.subject_key = g.subject_key;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER subject_status_delete_reasons AFTER DELETE ON recon.subject_status
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION recon.delete_reasons_of_deleted_subjects();
CREATE TRIGGER subject_status_truncate_reasons AFTER TRUNCATE ON recon.subject_status
    FOR EACH STATEMENT EXECUTE FUNCTION recon.delete_reasons_of_deleted_subjects();
