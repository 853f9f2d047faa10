-- Least privilege for the nightly job: run once per database as the owner of the recon schema
-- (the role that ran `spend-recon migrate`), after migrating. Safe to run again.
--
--   spend_recon_job  NOLOGIN group role: reads billing, reads and writes recon's rows, nothing else.
--                    It cannot write billing, create or alter tables, or migrate.
--
-- Give it to the login the job runs as (see README, "Least privilege"):
--   CREATE ROLE spend_recon_nightly LOGIN PASSWORD '...' IN ROLE spend_recon_job;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spend_recon_job') THEN
        CREATE ROLE spend_recon_job NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

-- billing: read only.
GRANT USAGE ON SCHEMA billing TO spend_recon_job;
GRANT SELECT ON ALL TABLES IN SCHEMA billing TO spend_recon_job;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA billing FROM spend_recon_job;

-- recon: rows only, no DDL (no CREATE on the schema; tables stay owned by the migrating role).
GRANT USAGE ON SCHEMA recon TO spend_recon_job;
REVOKE CREATE ON SCHEMA recon FROM spend_recon_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA recon TO spend_recon_job;
REVOKE INSERT, UPDATE, DELETE ON recon.schema_migrations, recon.programs, recon.program_tiers FROM spend_recon_job;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA recon TO spend_recon_job;

-- Tables a later migration adds (created by the same migrating role) are granted as they come.
ALTER DEFAULT PRIVILEGES IN SCHEMA recon GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO spend_recon_job;
ALTER DEFAULT PRIVILEGES IN SCHEMA recon GRANT USAGE, SELECT ON SEQUENCES TO spend_recon_job;

-- The job stages each batch in a temporary table.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO spend_recon_job', current_database());
END
$$;
