-- Settlement (SPEC section 8): the job hands every grant and adjustment to the crediting system
-- through an outbox, and keeps what that system applied against each entry.

-- The handoff. `position` is the consumer's order: positions are drawn from the sequence only
-- while holding the transaction advisory lock below, as the last statement of a transaction, so
-- a transaction with lower positions has committed (and is visible) before a later one can draw
-- any. A consumer that remembers the last position it saw never misses or repeats an entry.
CREATE SEQUENCE recon.credit_outbox_position;
CREATE TABLE recon.credit_outbox (
    position     bigint PRIMARY KEY,
    credit_ref   text NOT NULL UNIQUE,
    kind         text NOT NULL CHECK (kind IN ('grant', 'adjustment')),
    program_id   text NOT NULL,
    subject_key  text NOT NULL,
    subject      text NOT NULL,
    account_id   bigint NOT NULL,
    currency     text NOT NULL,
    amount       numeric NOT NULL CHECK (amount > 0),
    due_by       timestamptz NOT NULL,
    expires_at   timestamptz,
    payment_mode text NOT NULL,
    run_id       bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (credit_ref ~ ('^' || kind || ':[0-9]+$'))
);
-- The sequence goes with the table (its owner, a dump, a drop).
ALTER SEQUENCE recon.credit_outbox_position OWNED BY recon.credit_outbox.position;

-- What became of each entry as of the last run that changed it. The handover writes the first
-- row (awaiting, or overdue when already past due_by). currency, amount and due_by repeat the
-- entry's, so the summary counts settlements from this table alone and a night finds the
-- awaiting credits that fell due without reading the outbox.
CREATE TABLE recon.credit_settlements (
    credit_ref        text PRIMARY KEY,
    status            text NOT NULL CHECK (status IN ('awaiting', 'overdue', 'settled', 'settled_late', 'mismatch')),
    issues            text NOT NULL DEFAULT '',
    applied_amount    numeric NOT NULL,
    applied_at        timestamptz,
    live_applications integer NOT NULL CHECK (live_applications >= 0),
    as_of             timestamptz NOT NULL,
    run_id            bigint NOT NULL,
    currency          text NOT NULL,
    amount            numeric NOT NULL,
    due_by            timestamptz NOT NULL
);
CREATE INDEX credit_settlements_awaiting ON recon.credit_settlements (due_by) WHERE status = 'awaiting';

-- Each application as the last settlement read it, so a night settles again only the entries
-- whose applications changed, appeared or went (and those whose time came): matched says
-- whether its credit_ref named an outbox entry then.
CREATE TABLE recon.seen_applications (
    application_id bigint PRIMARY KEY,
    credit_ref     text,
    account_id     bigint,
    currency       text,
    amount         numeric,
    applied_at     timestamptz,
    reversed_at    timestamptz,
    matched        boolean NOT NULL
);
CREATE INDEX seen_applications_ref ON recon.seen_applications (credit_ref);
CREATE INDEX seen_applications_unmatched ON recon.seen_applications (credit_ref) WHERE NOT matched;

-- The settlements counted by status and currency, kept as they change (the handover adds each
-- first settlement, a night moves what it changes, a settlement of every entry counts afresh),
-- so the summary does not count every settlement every night.
CREATE TABLE recon.settlement_totals (
    status   text NOT NULL,
    currency text NOT NULL,
    entries  bigint NOT NULL,
    amount   numeric NOT NULL,
    PRIMARY KEY (status, currency)
);

-- The as_of every entry was last settled as of (one row). A night settles the changes since;
-- without it (after this migration) or going back in time, a run settles every entry.
CREATE TABLE recon.settlement_mark (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    as_of timestamptz NOT NULL
);

-- Live applications that name no outbox entry, recorded the first time a run sees them.
CREATE TABLE recon.unmatched_applications (
    application_id bigint PRIMARY KEY,
    credit_ref     text,
    account_id     bigint NOT NULL,
    currency       text NOT NULL,
    amount         numeric NOT NULL,
    applied_at     timestamptz NOT NULL,
    reversed_at    timestamptz,
    problem        text NOT NULL CHECK (problem IN ('no_ref', 'unknown_ref')),
    first_run_id   bigint NOT NULL,
    first_seen_at  timestamptz NOT NULL DEFAULT now()
);

-- Grants and adjustments written before this migration get their entries now, oldest first.
-- The lock key is `CreditOutbox.lockKey` ("spendout" as a big-endian integer).
SELECT pg_advisory_xact_lock(8318260036559140212);
INSERT INTO recon.credit_outbox (position, credit_ref, kind, program_id, subject_key, subject, account_id, currency,
                                 amount, due_by, expires_at, payment_mode, run_id, created_at)
SELECT nextval('recon.credit_outbox_position'), credit_ref, kind, program_id, subject_key, subject, account_id, currency,
       amount, due_by, expires_at, payment_mode, run_id, created_at
FROM (
    SELECT 'grant:' || g.grant_id AS credit_ref, 'grant' AS kind, g.program_id, g.subject_key, g.subject, g.account_id,
           g.currency, g.credit AS amount, g.due_by, g.expires_at, g.payment_mode, g.run_id, g.created_at,
           0 AS kind_order, g.grant_id AS id
    FROM recon.credit_grants g
    UNION ALL
    SELECT 'adjustment:' || a.adjustment_id, 'adjustment', a.program_id, a.subject_key, g.subject, g.account_id,
           a.currency, a.credit_delta, a.created_at + make_interval(days => p.grant_sla_days), g.expires_at,
           g.payment_mode, a.run_id, a.created_at, 1, a.adjustment_id
    FROM recon.adjustments a
    JOIN recon.credit_grants g ON g.grant_id = a.grant_id
    JOIN recon.programs p ON p.program_id = a.program_id
    ORDER BY created_at, kind_order, id
) existing;
