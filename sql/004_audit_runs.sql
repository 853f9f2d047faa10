-- `spend-recon audit` (docs/DECISIONS.md, "The nightly read asks only for rows in spans"): a
-- run that validates every visible row of billing and records the bad ones, without deciding
-- anything. It is recorded in recon.runs like the others, as kind 'audit'.
ALTER TABLE recon.runs DROP CONSTRAINT runs_kind_check;
ALTER TABLE recon.runs ADD CONSTRAINT runs_kind_check CHECK (kind IN ('run', 'rerun', 'audit'));
