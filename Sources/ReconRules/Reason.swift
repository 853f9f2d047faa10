/// Why a subject is ineligible. Raw values are the codes written to the database and the export.
/// Declaration order is rule order: reasons are always listed in it.
public enum Reason: String, CaseIterable, Sendable, Comparable {
    case merchantAlreadyParticipated = "merchant_already_participated"   // P1
    case codeNotActivatedInTime = "code_not_activated_in_time"           // C1
    case codeNotTransferable = "code_not_transferable"                   // C2
    case marketNotEligible = "market_not_eligible"                       // P2, C3
    case accountOriginNotEligible = "account_origin_not_eligible"        // C3
    case accountNotApproved = "account_not_approved"                     // P3
    case policyViolation = "policy_violation"                            // P3
    case safetyFlagged = "safety_flagged"                                // P3
    case noCashBalance = "no_cash_balance"                               // C3
    case recentSpend = "recent_spend"                                    // P4
    case outsideProgramPeriod = "outside_program_period"                 // P5
    case accountAlreadyParticipated = "account_already_participated"     // P6, C4
    case conflictingPromotion = "conflicting_promotion"                  // P6
    case currencyMismatch = "currency_mismatch"                          // P9
    case noCampaignLaunched = "no_campaign_launched"                     // P7
    case programEnded = "program_ended"                                  // P11

    /// True when no later data can lift it (SPEC section 5): the subject is final. Account
    /// status, violations, flags and conflicts are re-checked every night until the cutoff.
    public var isFinal: Bool {
        switch self {
        case .accountNotApproved, .policyViolation, .safetyFlagged, .conflictingPromotion: return false
        default: return true
        }
    }

    /// Account standing (P3): known only as it is now, with no time of its own.
    public var isStanding: Bool {
        self == .accountNotApproved || self == .policyViolation || self == .safetyFlagged
    }

    public static func < (a: Reason, b: Reason) -> Bool {
        ruleOrder.firstIndex(of: a)! < ruleOrder.firstIndex(of: b)!
    }

    /// `allCases`, made once (the synthesized `allCases` builds its array on every call).
    private static let ruleOrder = allCases

    /// Plain words for support: completes "Not eligible because ...".
    public var plainWords: String {
        switch self {
        case .merchantAlreadyParticipated: return "this store already took part in the offer through an earlier integration"
        case .codeNotActivatedInTime: return "the code was not activated within its activation period"
        case .codeNotTransferable: return "the code was activated by an account other than the one it was sent to"
        case .marketNotEligible: return "the store or ad account is in a country the offer does not cover"
        case .accountOriginNotEligible: return "the ad account was created through a Business Center or an agency, which the offer excludes"
        case .accountNotApproved: return "the ad account is not approved"
        case .policyViolation: return "the ad account has an advertising policy violation"
        case .safetyFlagged: return "the ad account is flagged for safety review"
        case .noCashBalance: return "the ad account had no positive cash balance when the code was activated"
        case .recentSpend: return "the ad account already spent in the 90 days before the integration was set up"
        case .outsideProgramPeriod: return "the integration was set up outside the offer's enrolment period"
        case .accountAlreadyParticipated: return "this ad account already took part in the offer"
        case .conflictingPromotion: return "the ad account takes part in a promotion that cannot be combined with this one"
        case .currencyMismatch: return "the ad account's currency is not the offer's currency for its country"
        case .noCampaignLaunched: return "no campaign was launched before the spend window ended"
        case .programEnded: return "the offer's credit had expired by the time the decision was due"
        }
    }
}

/// The one status a subject has at a time.
public enum Status: String, Sendable, CaseIterable {
    case pending
    case granted
    case thresholdNotReached = "threshold_not_reached"
    case ineligible
}

/// What a pending subject is waiting for.
public enum Waiting: String, Sendable {
    case cash          // partner: no first cash yet, so no window
    case activation    // promo: not activated, deadline still open
    case window        // the window or settling period is still open
    case campaign      // partner: no campaign launched yet
}
