/// The grants one program already holds, by merchant and by account: once a merchant or an
/// account holds a grant it keeps it, and every other subject of that merchant or account is
/// `merchant_already_participated` / `account_already_participated`, whatever the set-up order
/// ("each merchant will receive the credit only once"). Without this a late-loaded earlier rival
/// would rank first and be granted a second credit, which the unique constraints would refuse
/// by failing the whole night.
public struct HeldGrants: Sendable, Equatable {
    /// Partner programs: the integration holding the grant, per merchant and per account.
    private var integrationByMerchant: [MerchantKey: Int64] = [:]
    private var integrationByAccount: [Int64: Int64] = [:]
    /// Promo programs: the code holding the grant, per (recipient) account.
    private var codeByAccount: [Int64: String] = [:]

    public init() {}

    /// A partner grant: `integrationID` holds its merchant's and its account's credit.
    public mutating func insert(integrationID: Int64, partner: String, merchantID: String, accountID: Int64) {
        integrationByMerchant[MerchantKey(partner: partner, merchantID: merchantID)] = integrationID
        integrationByAccount[accountID] = integrationID
    }

    /// A promo grant: `code` holds its recipient account's credit.
    public mutating func insert(code: String, accountID: Int64) {
        codeByAccount[accountID] = code
    }

    /// The integration holding the merchant's grant, if one does. An empty map (every first
    /// night) answers without hashing the two strings.
    public func holder(partner: String, merchantID: String) -> Int64? {
        integrationByMerchant.isEmpty ? nil : integrationByMerchant[MerchantKey(partner: partner, merchantID: merchantID)]
    }

    /// The integration holding the account's grant, if one does.
    public func integrationHolder(account: Int64) -> Int64? {
        integrationByAccount[account]
    }

    /// The code holding the account's grant, if one does.
    public func codeHolder(account: Int64) -> String? {
        codeByAccount[account]
    }

    struct MerchantKey: Hashable, Sendable {
        var partner: String
        var merchantID: String
    }
}
