-- A night leaves an open subject whose new decision is exactly the stored one as it is
-- (docs/DECISIONS.md). Until now it read every open row's 29 decision columns back to compare
-- them byte for byte: a sequential scan of the whole of recon.subject_status (65 MB at the
-- benchmark's scale, 85% of it final rows) that took most of a server core for 0.1 s and as much
-- again in the job to parse, every night. Instead each open row now carries the digest of its
-- decision columns (SipHash-2-4-128, `DecisionDigest` in the job; NULL on a final row, which no
-- night compares), and a partial index of the open rows finds them: their keys and digests
-- are read in about a quarter of the time (docs/PERFORMANCE.md, "What session 15 changed").
--
-- A row written before this migration has no digest: it compares as changed and is rewritten
-- once, with its digest, by the next night that evaluates it.
ALTER TABLE recon.subject_status ADD COLUMN decision_digest bytea;

-- Only the predicate matters to the read (a bitmap scan of the open rows, whose digests come
-- from the table); the key columns make the index usable to find one open subject too. No
-- column that an open subject's nightly update changes is in it, so that update can stay HOT:
-- with the digest in the index each of a night's 13,000 updates would add an entry to every
-- index of the table.
CREATE INDEX subject_status_open_keys ON recon.subject_status (program_id, subject_key) WHERE NOT final;
