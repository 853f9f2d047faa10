import Exact

/// `billing.partner_integrations`, validated: one partner subject per row.
public struct Integration: Sendable, Equatable {
    public var id: Int64
    public var partner: String
    public var merchantID: String
    public var storeCountry: String
    public var accountID: Int64
    public var accountCreatedViaIntegration: Bool
    public var setUpAt: Instant
    public var firstCampaignAt: Instant?

    public init(id: Int64, partner: String = "woocommerce", merchantID: String, storeCountry: String, accountID: Int64,
                accountCreatedViaIntegration: Bool = false, setUpAt: Instant, firstCampaignAt: Instant?) {
        self.id = id
        self.partner = partner
        self.merchantID = merchantID
        self.storeCountry = storeCountry
        self.accountID = accountID
        self.accountCreatedViaIntegration = accountCreatedViaIntegration
        self.setUpAt = setUpAt
        self.firstCampaignAt = firstCampaignAt
    }

    /// `partner:merchant_id`, the subject name support sees.
    public var subjectName: String { "\(partner):\(merchantID)" }
    public var subjectKey: String { "integration:\(id)" }

    /// Rank within a merchant or an account: earliest (set_up_at, integration_id) first.
    var rank: RankKey { RankKey(at: setUpAt, tieBreak: String(id), numericTieBreak: id) }
}
