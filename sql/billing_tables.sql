-- The billing input tables of SPEC section 2, for the tests and the demo. A deployment provides
-- its own tables or views with these names and columns; spend-recon only reads them.
-- Deliberately without NOT NULL or foreign keys: the job itself detects and records rows that
-- break the contract, as it must when billing is a view over someone else's data.

CREATE SCHEMA IF NOT EXISTS billing;

CREATE TABLE billing.ad_accounts (
    account_id       bigint PRIMARY KEY,
    country          text,
    currency         text,
    origin           text,
    status           text,
    policy_violation boolean,
    safety_flagged   boolean,
    payment_mode     text,
    registered_at    timestamptz,
    first_cash_at    timestamptz
);

CREATE TABLE billing.partner_integrations (
    integration_id                  bigint PRIMARY KEY,
    partner                         text,
    merchant_id                     text,
    store_country                   text,
    account_id                      bigint,
    account_created_via_integration boolean,
    set_up_at                       timestamptz,
    first_campaign_at               timestamptz
);

CREATE TABLE billing.billed_spend (
    bill_id       bigint PRIMARY KEY,
    account_id    bigint,
    currency      text,
    spend_at      timestamptz,
    amount        numeric,
    tax_amount    numeric,
    credit_amount numeric,
    paid_at       timestamptz
);

CREATE TABLE billing.topup_consumption (
    consumption_id bigint PRIMARY KEY,
    account_id     bigint,
    currency       text,
    consumed_at    timestamptz,
    amount         numeric,
    tax_amount     numeric,
    credit_amount  numeric
);

CREATE TABLE billing.promo_codes (
    code                       text PRIMARY KEY,
    program_id                 text,
    recipient_account_id       bigint,
    received_at                timestamptz,
    activated_by_account_id    bigint,
    activated_at               timestamptz,
    cash_balance_at_activation numeric
);

CREATE TABLE billing.promotion_enrollments (
    account_id  bigint,
    promotion   text,
    enrolled_at timestamptz
);

-- What the crediting system applied (SPEC section 8): credit_ref is null for credit applied by
-- hand; reversed_at is set when an application was undone.
CREATE TABLE billing.credit_applications (
    application_id bigint PRIMARY KEY,
    credit_ref     text,
    account_id     bigint,
    currency       text,
    amount         numeric,
    applied_at     timestamptz,
    reversed_at    timestamptz
);

-- The indexes docs/ recommends for a deployment's own billing tables (docs/PERFORMANCE.md,
-- "Indexes"). The spend indexes carry every column the job reads, so its reads by account and
-- time are index-only scans; the partial ones find the rows without a time (rejected) at once.
CREATE INDEX billed_spend_account_time ON billing.billed_spend (account_id, spend_at)
    INCLUDE (bill_id, currency, amount, tax_amount, credit_amount, paid_at);
CREATE INDEX topup_consumption_account_time ON billing.topup_consumption (account_id, consumed_at)
    INCLUDE (consumption_id, currency, amount, tax_amount, credit_amount);
CREATE INDEX billed_spend_untimed ON billing.billed_spend (account_id)
    WHERE spend_at IS NULL OR spend_at IN ('-infinity', 'infinity');
CREATE INDEX topup_consumption_untimed ON billing.topup_consumption (account_id)
    WHERE consumed_at IS NULL OR consumed_at IN ('-infinity', 'infinity');
CREATE INDEX partner_integrations_merchant ON billing.partner_integrations (partner, merchant_id);
CREATE INDEX promotion_enrollments_account ON billing.promotion_enrollments (account_id);
CREATE INDEX credit_applications_ref ON billing.credit_applications (credit_ref);
