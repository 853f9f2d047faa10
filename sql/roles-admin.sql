-- Least privilege, part 1 of 2: what needs a role with CREATEROLE that owns the database (or a
-- superuser). Run once per database, then part 2 (roles.sql) as the owner of the schemas.
--
--   spend_recon_job  NOLOGIN group role the job's login is made a member of:
--                    CREATE ROLE spend_recon_nightly LOGIN PASSWORD '...' IN ROLE spend_recon_job;
--
-- Safe to run again.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spend_recon_job') THEN
        CREATE ROLE spend_recon_job NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

-- Connect, and stage batches and spans in temporary tables.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO spend_recon_job', current_database());
END
$$;
