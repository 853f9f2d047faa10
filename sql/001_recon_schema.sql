-- spend-recon: the recon schema (SPEC sections 3 and 5). Applied by `spend-recon migrate`,
-- which has already created schema recon and recon.schema_migrations.

CREATE TABLE recon.programs (
    program_id             text PRIMARY KEY CHECK (program_id ~ '^[a-z0-9][a-z0-9_-]*$'),
    kind                   text NOT NULL CHECK (kind IN ('partner_spend_match', 'promo_code_spend_match')),
    partners               text[] NOT NULL DEFAULT '{}',
    markets                text[] NOT NULL,
    window_days            integer NOT NULL CHECK (window_days > 0),
    window_anchor          text NOT NULL CHECK (window_anchor IN ('first_cash', 'activation')),
    activation_days        integer CHECK (activation_days > 0),
    lookback_days          integer CHECK (lookback_days >= 0),
    settle_days            integer NOT NULL DEFAULT 0 CHECK (settle_days >= 0),
    grant_sla_days         integer NOT NULL CHECK (grant_sla_days >= 0),
    enroll_from            timestamptz,
    enroll_until           timestamptz,
    credit_expires_at      timestamptz,
    eligible_origins       text[] NOT NULL DEFAULT '{self_serve,business_center,agency}',
    conflicting_promotions text[] NOT NULL DEFAULT '{}',
    CHECK (kind <> 'partner_spend_match' OR (window_anchor = 'first_cash' AND cardinality(partners) > 0)),
    CHECK (kind <> 'promo_code_spend_match' OR (window_anchor = 'activation' AND activation_days IS NOT NULL)),
    CHECK (enroll_from IS NULL OR enroll_until IS NULL OR enroll_from < enroll_until)
);

CREATE TABLE recon.program_tiers (
    program_id text NOT NULL REFERENCES recon.programs ON UPDATE CASCADE ON DELETE CASCADE,
    country    text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    currency   text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    tier       integer NOT NULL CHECK (tier >= 1),
    threshold  numeric NOT NULL CHECK (threshold > 0),
    credit     numeric NOT NULL CHECK (credit > 0),
    PRIMARY KEY (program_id, country, tier)
);

CREATE TABLE recon.runs (
    run_id        bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('run', 'rerun')),
    as_of         timestamptz NOT NULL,
    range_from    timestamptz,
    range_to      timestamptz,
    program_id    text,
    status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
    started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at   timestamptz,
    host          text,
    pid           integer,
    backend_pid   integer,
    evaluated     integer NOT NULL DEFAULT 0,
    granted       integer NOT NULL DEFAULT 0,
    pending       integer NOT NULL DEFAULT 0,
    not_reached   integer NOT NULL DEFAULT 0,
    ineligible    integer NOT NULL DEFAULT 0,
    rejected_rows integer NOT NULL DEFAULT 0,
    written       integer NOT NULL DEFAULT 0,
    error         text
);
CREATE INDEX runs_running ON recon.runs (status) WHERE status = 'running';

-- The latest decision for every subject: one row per integration or promo code and program.
CREATE TABLE recon.subject_status (
    program_id             text NOT NULL REFERENCES recon.programs ON UPDATE CASCADE,
    subject_key            text NOT NULL,  -- 'integration:<id>' or 'code:<code>'
    subject                text NOT NULL,  -- 'partner:merchant_id' or the code
    integration_id         bigint,
    partner                text,
    merchant_id            text,
    promo_code             text,
    account_id             bigint NOT NULL,
    country                text,
    currency               text,
    status                 text NOT NULL CHECK (status IN ('pending', 'granted', 'threshold_not_reached', 'ineligible')),
    final                  boolean NOT NULL,
    waiting_for            text,           -- pending only: cash, activation, window, campaign
    tier                   integer,
    credit                 numeric,
    qualifying_spend       numeric NOT NULL DEFAULT 0,
    excluded_tax           numeric NOT NULL DEFAULT 0,
    excluded_credit        numeric NOT NULL DEFAULT 0,
    excluded_unpaid        numeric NOT NULL DEFAULT 0,
    excluded_before_window numeric NOT NULL DEFAULT 0,
    next_tier              integer,
    next_threshold         numeric,
    window_start           timestamptz,
    window_end             timestamptz,
    cutoff                 timestamptz,
    reached_at             timestamptz,
    due_by                 timestamptz,
    expires_at             timestamptz,
    decided_at             timestamptz,
    as_of                  timestamptz NOT NULL,
    run_id                 bigint NOT NULL REFERENCES recon.runs,
    PRIMARY KEY (program_id, subject_key),
    CHECK ((status = 'granted') = (tier IS NOT NULL AND credit IS NOT NULL))
);
CREATE INDEX subject_status_window_end ON recon.subject_status (window_end);
CREATE INDEX subject_status_decided_at ON recon.subject_status (decided_at);
CREATE INDEX subject_status_as_of ON recon.subject_status (as_of);
CREATE INDEX subject_status_account ON recon.subject_status (account_id);
CREATE INDEX subject_status_open ON recon.subject_status (program_id) WHERE NOT final;

CREATE TABLE recon.ineligibility_reasons (
    program_id  text NOT NULL,
    subject_key text NOT NULL,
    reason      text NOT NULL CHECK (reason ~ '^[a-z_]+$'),
    run_id      bigint NOT NULL REFERENCES recon.runs,
    PRIMARY KEY (program_id, subject_key, reason),
    FOREIGN KEY (program_id, subject_key) REFERENCES recon.subject_status ON DELETE CASCADE
);

-- One grant per subject, per account and per merchant within a program, whatever runs at once.
CREATE TABLE recon.credit_grants (
    grant_id         bigserial PRIMARY KEY,
    program_id       text NOT NULL REFERENCES recon.programs ON UPDATE CASCADE,
    subject_key      text NOT NULL,
    subject          text NOT NULL,
    account_id       bigint NOT NULL,
    integration_id   bigint,
    partner          text,
    merchant_id      text,
    promo_code       text,
    tier             integer NOT NULL,
    country          text NOT NULL,
    currency         text NOT NULL,
    credit           numeric NOT NULL CHECK (credit > 0),
    qualifying_spend numeric NOT NULL,
    window_start     timestamptz NOT NULL,
    window_end       timestamptz NOT NULL,
    reached_at       timestamptz NOT NULL,
    due_by           timestamptz NOT NULL,
    expires_at       timestamptz,
    payment_mode     text NOT NULL,
    run_id           bigint NOT NULL REFERENCES recon.runs,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_grants_one_per_subject UNIQUE (program_id, subject_key),
    CONSTRAINT credit_grants_one_per_account UNIQUE (program_id, account_id)
);
CREATE UNIQUE INDEX credit_grants_one_per_merchant
    ON recon.credit_grants (program_id, partner, merchant_id) WHERE merchant_id IS NOT NULL;

-- Input rows that broke the contract of SPEC section 2; they count for nothing.
CREATE TABLE recon.rejected_rows (
    source_table  text NOT NULL,
    source_key    text NOT NULL,
    problem       text NOT NULL,
    first_run_id  bigint NOT NULL REFERENCES recon.runs,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_table, source_key, problem)
);

-- A rerun that finds a higher tier: the credit delta on top of the original grant.
CREATE TABLE recon.adjustments (
    adjustment_id    bigserial PRIMARY KEY,
    program_id       text NOT NULL,
    subject_key      text NOT NULL,
    grant_id         bigint NOT NULL REFERENCES recon.credit_grants,
    from_tier        integer NOT NULL,
    to_tier          integer NOT NULL CHECK (to_tier > from_tier),
    currency         text NOT NULL,
    credit_delta     numeric NOT NULL CHECK (credit_delta > 0),
    qualifying_spend numeric NOT NULL,
    reached_at       timestamptz,
    run_id           bigint NOT NULL REFERENCES recon.runs,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT adjustments_once_per_tier UNIQUE (program_id, subject_key, to_tier)
);

-- A rerun that finds a lower tier or a new ineligibility: for a human, never a clawback.
CREATE TABLE recon.discrepancies (
    discrepancy_id bigserial PRIMARY KEY,
    program_id     text NOT NULL,
    subject_key    text NOT NULL,
    grant_id       bigint REFERENCES recon.credit_grants,
    granted_tier   integer,
    found_status   text NOT NULL,
    found_tier     integer,
    found_reasons  text NOT NULL DEFAULT '',
    run_id         bigint NOT NULL REFERENCES recon.runs,
    created_at     timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolved_by    text
);
CREATE UNIQUE INDEX discrepancies_once
    ON recon.discrepancies (program_id, subject_key, found_status, coalesce(found_tier, 0), found_reasons);
