-- Every night after the first reads the keys of the final subjects (179,320 of 209,621 at the
-- benchmark's scale) to leave them out: until now a sequential scan of the whole of
-- recon.subject_status (65 MB, 31 columns a row) for three columns of most rows. This partial
-- index holds exactly those three columns of the final rows, so the read can be an index-only
-- scan: 36 ms against 71 ms on the server, and later nights 766 ms against 827 ms on a kept
-- benchmark server (docs/PERFORMANCE.md, "What session 14 changed").
--
-- The price is an index entry per subject as it becomes final, on the first night about
-- 180,000 of them; first nights measured the same with and without it (5.03 s against 5.04 s,
-- three each, alternated). An update of an open subject that does not make it final leaves the
-- index alone (its key columns and `final` are unchanged, so it can stay a HOT update).
CREATE INDEX subject_status_final_keys ON recon.subject_status (program_id, subject_key) INCLUDE (integration_id)
    WHERE final;

-- An index-only scan skips the table only on pages the visibility map marks all-visible, and
-- each night rewrites some 13,000 open subjects spread over most pages. With the default
-- threshold (20% of the rows changed) autovacuum would let the map go stale for about a week
-- and the planner would fall back to the sequential scan; at 2% it vacuums after every night,
-- in the background, between the runs.
ALTER TABLE recon.subject_status SET (autovacuum_vacuum_scale_factor = 0.02);
