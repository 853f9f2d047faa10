/// The statements that read a night's facts, each written whole. COPY takes no parameters, so
/// `as_of` and the partner list are bound with `set_config` (`FactReader.bindSettings`) and read
/// back here; `as_of` in a scalar subquery, which PostgreSQL evaluates once per statement. The
/// column lists are the row types' (`BillingRows`).
enum FactStatements {
    private static let asOf = FactReader.asOfSetting

    /// Every account visible as of `as_of`.
    static let accounts = """
        COPY (SELECT \(BillingRows.accountColumns) FROM billing.ad_accounts
              WHERE registered_at <= \(asOf) OR registered_at IS NULL
        ) TO STDOUT (FORMAT binary)
        """

    /// Every integration of the programs' partners (and any without a partner, to be rejected).
    static let integrations = """
        COPY (SELECT \(BillingRows.integrationColumns) FROM billing.partner_integrations
              WHERE (set_up_at <= \(asOf) OR set_up_at IS NULL)
                AND (partner IS NULL OR partner = ANY (ARRAY(
                         SELECT jsonb_array_elements_text(current_setting('spend_recon.partners')::jsonb))))
        ) TO STDOUT (FORMAT binary)
        """

    /// Every promo code received by `as_of`.
    static let codes = """
        COPY (SELECT \(BillingRows.codeColumns) FROM billing.promo_codes
              WHERE received_at <= \(asOf) OR received_at IS NULL
        ) TO STDOUT (FORMAT binary)
        """

    /// Every enrolment made by `as_of`.
    static let enrollments = """
        COPY (SELECT \(BillingRows.enrollmentColumns) FROM billing.promotion_enrollments
              WHERE enrolled_at <= \(asOf) OR enrolled_at IS NULL
        ) TO STDOUT (FORMAT binary)
        """

    /// The accounts listed in `spend_recon_fact_accounts` (a later night's needed accounts).
    static let accountsOfIDs = """
        COPY (SELECT \(BillingRows.accountColumns) FROM billing.ad_accounts
              WHERE (registered_at <= \(asOf) OR registered_at IS NULL)
                AND account_id IN (SELECT account_id FROM spend_recon_fact_accounts)
        ) TO STDOUT (FORMAT binary)
        """

    /// The enrolments of the accounts listed in `spend_recon_fact_accounts`.
    static let enrollmentsOfIDs = """
        COPY (SELECT \(BillingRows.enrollmentColumns) FROM billing.promotion_enrollments
              WHERE (enrolled_at <= \(asOf) OR enrolled_at IS NULL)
                AND account_id IN (SELECT account_id FROM spend_recon_fact_accounts)
        ) TO STDOUT (FORMAT binary)
        """

    /// `AccountsReadAhead`: the accounts listed in `spend_recon_fact_accounts`, every code
    /// recipient's, and any without an id.
    static let readAheadAccounts = """
        COPY (SELECT \(BillingRows.accountColumns) FROM billing.ad_accounts
              WHERE (registered_at <= \(asOf) OR registered_at IS NULL)
                AND (account_id IN (SELECT account_id FROM spend_recon_fact_accounts)
                     OR account_id IN (SELECT recipient_account_id FROM billing.promo_codes
                                       WHERE received_at <= \(asOf) OR received_at IS NULL)
                     OR account_id IS NULL)
        ) TO STDOUT (FORMAT binary)
        """

    /// `AccountsReadAhead`: the enrolments of the same accounts, and any without an account id.
    static let readAheadEnrollments = """
        COPY (SELECT \(BillingRows.enrollmentColumns) FROM billing.promotion_enrollments
              WHERE (enrolled_at <= \(asOf) OR enrolled_at IS NULL)
                AND (account_id IN (SELECT account_id FROM spend_recon_fact_accounts)
                     OR account_id IN (SELECT recipient_account_id FROM billing.promo_codes
                                       WHERE received_at <= \(asOf) OR received_at IS NULL)
                     OR account_id IS NULL)
        ) TO STDOUT (FORMAT binary)
        """
}
