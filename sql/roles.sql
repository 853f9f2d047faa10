-- Least privilege, part 2 of 2: the grants on the schemas, run as their owner (the role that ran
-- `spend-recon migrate` owns recon; billing's owner grants its part), after roles-admin.sql and
-- after every migration that adds tables. Needs no CREATEROLE and no superuser. Safe to run again.
--
--   spend_recon_job  reads billing (credit_applications too); reads and writes recon's rows, but
--                    cannot delete a grant, an adjustment, an outbox entry, a discrepancy or a
--                    run, nor change a grant, an adjustment or an outbox entry once written;
--                    cannot write billing, create or alter tables, edit programs or migrate.

-- billing: read only.
GRANT USAGE ON SCHEMA billing TO spend_recon_job;
GRANT SELECT ON ALL TABLES IN SCHEMA billing TO spend_recon_job;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA billing FROM spend_recon_job;

-- recon: rows only, no DDL (no CREATE on the schema; tables stay owned by the migrating role).
GRANT USAGE ON SCHEMA recon TO spend_recon_job;
REVOKE CREATE ON SCHEMA recon FROM spend_recon_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA recon TO spend_recon_job;
REVOKE TRUNCATE ON ALL TABLES IN SCHEMA recon FROM spend_recon_job;
REVOKE INSERT, UPDATE, DELETE ON recon.schema_migrations, recon.programs, recon.program_tiers FROM spend_recon_job;
-- Money and the record of it are kept: grants and adjustments are written once, and nothing the
-- job decided or found is ever deleted (a discrepancy is resolved, not removed).
REVOKE UPDATE, DELETE ON recon.credit_grants, recon.adjustments FROM spend_recon_job;
REVOKE DELETE ON recon.discrepancies, recon.runs FROM spend_recon_job;
-- Credit handed to the crediting system stays as handed over, and an unmatched application once
-- recorded stays recorded (SPEC section 8); settlements are rewritten when they change.
REVOKE UPDATE, DELETE ON recon.credit_outbox, recon.unmatched_applications FROM spend_recon_job;
-- (credit_settlements, seen_applications and settlement_mark are the stage's working state.)
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA recon TO spend_recon_job;

-- Tables a later migration adds (created by the same migrating role) are granted as they come;
-- rerun this file after such a migration all the same, for the revocations above.
ALTER DEFAULT PRIVILEGES IN SCHEMA recon GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO spend_recon_job;
ALTER DEFAULT PRIVILEGES IN SCHEMA recon GRANT USAGE, SELECT ON SEQUENCES TO spend_recon_job;
