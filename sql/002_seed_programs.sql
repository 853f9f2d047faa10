-- The two programs of SPEC section 3, exactly. Operators may edit them afterwards.

INSERT INTO recon.programs
    (program_id, kind, partners, markets, window_days, window_anchor, activation_days,
     lookback_days, settle_days, grant_sla_days, enroll_from, enroll_until, credit_expires_at,
     eligible_origins, conflicting_promotions)
VALUES
    ('woocommerce-us-uk', 'partner_spend_match', '{woocommerce}', '{US,GB}', 30, 'first_cash', NULL,
     90, 2, 7, NULL, NULL, '2026-01-30T00:00:00Z',
     '{self_serve,business_center,agency}', '{new_advertiser_incentive}'),
    ('promo-jp-10000', 'promo_code_spend_match', '{}', '{JP}', 30, 'activation', 14,
     NULL, 0, 1, NULL, NULL, NULL,
     '{self_serve}', '{}');

INSERT INTO recon.program_tiers (program_id, country, currency, tier, threshold, credit) VALUES
    ('woocommerce-us-uk', 'US', 'USD', 1, 500.00, 500.00),
    ('woocommerce-us-uk', 'US', 'USD', 2, 1500.00, 1500.00),
    ('woocommerce-us-uk', 'US', 'USD', 3, 5000.00, 5000.00),
    ('woocommerce-us-uk', 'GB', 'GBP', 1, 395.00, 395.00),
    ('woocommerce-us-uk', 'GB', 'GBP', 2, 1186.00, 1186.00),
    ('woocommerce-us-uk', 'GB', 'GBP', 3, 3954.00, 3954.00),
    ('promo-jp-10000', 'JP', 'JPY', 1, 10000, 10000);
