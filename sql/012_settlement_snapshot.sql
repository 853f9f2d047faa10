-- Where the last settlement's reads stood in billing's history: the oldest transaction its
-- snapshot could not see. A row of billing.credit_applications written by a transaction that
-- old or newer may have changed since; any other row is as recon.seen_applications has it, so a
-- night compares only those rows (docs/DECISIONS.md, "Finding the day's applications"). Null
-- until a settlement records it: that night compares every row.
ALTER TABLE recon.settlement_mark ADD COLUMN snapshot_xmin xid8;
