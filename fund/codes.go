package fund

import "github.com/otcchain/otcchain/module"

// Codes of the fund codespace. Appended only: a code, once released, keeps
// its number and name. Each code names the GB/T 39595 return code it
// corresponds to where the standard has one (see ReturnCode).
var (
	Codes = module.NewCodes("fund")

	ErrInvalidRequest    = Codes.Register(1, "invalid_request", "the message is malformed")
	ErrNotPermitted      = Codes.Register(2, "not_permitted", "the signer may not do this")
	ErrUnknownFund       = Codes.Register(3, "unknown_fund", "no such fund")
	ErrFundExists        = Codes.Register(4, "fund_exists", "a fund with this code is already registered")
	ErrUnknownInvestor   = Codes.Register(5, "unknown_investor", "no such investor")
	ErrInvestorExists    = Codes.Register(6, "investor_exists", "an investor with this id is already registered")
	ErrNoAccount         = Codes.Register(7, "no_account", "the investor has no TA account with this fund's manager")
	ErrAccountExists     = Codes.Register(8, "account_exists", "the account is already open")
	ErrAccountFrozen     = Codes.Register(9, "account_frozen", "the account is frozen")
	ErrFundStatus        = Codes.Register(10, "fund_status", "the fund's status does not accept this business")
	ErrNotAuthorised     = Codes.Register(11, "reseller_not_authorised", "the channel is not authorised to sell this fund")
	ErrBelowMinimum      = Codes.Register(12, "below_minimum", "the amount or shares are below the fund's minimum")
	ErrDailyLimit        = Codes.Register(13, "daily_limit", "the investor's daily purchase limit would be exceeded")
	ErrShortShares       = Codes.Register(14, "insufficient_shares", "not enough available shares")
	ErrMinHolding        = Codes.Register(15, "below_min_holding", "the holding left would be below the fund's minimum; redeem all")
	ErrUnsuitable        = Codes.Register(16, "unsuitable", "the investor's risk level is below the fund's and no risk disclosure is signed")
	ErrKYCExpired        = Codes.Register(17, "kyc_expired", "the investor's risk assessment has expired")
	ErrDuplicateOrder    = Codes.Register(18, "duplicate_order", "an application with this serial number already exists")
	ErrUnknownOrder      = Codes.Register(19, "unknown_order", "no such order")
	ErrNotCancellable    = Codes.Register(20, "not_cancellable", "the order can no longer be cancelled")
	ErrInvestorSignature = Codes.Register(21, "investor_signature", "the investor's signature is missing or does not verify")
	ErrBadSignature      = Codes.Register(22, "bad_signature", "the signature over the NAV statement does not verify")
	ErrNAVOrder          = Codes.Register(23, "nav_out_of_order", "a NAV must be for the next trading day after the last final NAV, after its cut-off")
	ErrNAVMismatch       = Codes.Register(24, "nav_mismatch", "the custodian's NAV differs from the manager's")
	ErrNoNAV             = Codes.Register(25, "no_nav", "no NAV has been published for this date")
	ErrNAVFinal          = Codes.Register(26, "nav_final", "the NAV of this date is already final")
	ErrCalendar          = Codes.Register(27, "calendar", "the trading calendar does not cover this date")
	ErrPersonalData      = Codes.Register(28, "personal_data", "the sealed personal data is not acceptable")
	ErrDividend          = Codes.Register(29, "dividend", "the dividend declaration is not acceptable")
	ErrNoHolding         = Codes.Register(30, "no_holding", "the investor holds no shares of this fund")
	ErrStatusTransition  = Codes.Register(31, "status_transition", "the fund cannot move from its status to the one asked")
	ErrNotFrozen         = Codes.Register(32, "not_frozen", "nothing of this is frozen")
	ErrFrozen            = Codes.Register(33, "frozen_by_regulator", "frozen by a regulator intervention")
	ErrUseIntervention   = Codes.Register(34, "use_intervention", "regulator freezes, unfreezes and calendar changes go through supervision interventions (two officers): otc supervise propose, then otc supervise approve")
	ErrCalendarPending   = Codes.Register(35, "calendar_pending_orders", "the calendar change removes trading days that have pending orders")
	ErrShareRecipient    = Codes.Register(36, "share_recipient", "a share's new recipients must be active identities of the organisation shared with whose role may hold personal data (fund_manager, custodian, regulator; the channel's own reseller operators); never investors, seals or admins")
)
