-- A discrepancy is resolved by a person (`spend-recon discrepancies --resolve ID --by NAME
-- --note TEXT`): who, when and why are recorded, and a resolution once recorded stays as it is.
-- Nothing deletes a discrepancy (sql/roles.sql revokes DELETE from the job's role).
ALTER TABLE recon.discrepancies ADD COLUMN resolution_note text;
ALTER TABLE recon.discrepancies ADD CONSTRAINT discrepancies_resolved_whole
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL) AND (resolved_at IS NULL) = (resolution_note IS NULL));

CREATE FUNCTION recon.discrepancy_resolution_stays() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.resolved_at IS NOT NULL THEN
        RAISE EXCEPTION 'discrepancy % was resolved by % at %; a resolution is not changed',
            OLD.discrepancy_id, OLD.resolved_by, OLD.resolved_at USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER discrepancy_resolution_stays BEFORE UPDATE ON recon.discrepancies
    FOR EACH ROW EXECUTE FUNCTION recon.discrepancy_resolution_stays();
