package fund

import (
	"fmt"
	"strings"

	"github.com/otcchain/otcchain/crypto"
)

// Message types of the fund module.
const (
	TypeRegisterInvestor  = "fund/register_investor"
	TypeUpdateInvestor    = "fund/update_investor"
	TypeSharePersonal     = "fund/share_personal"
	TypeOpenAccount       = "fund/open_account"
	TypeAcknowledgeRisk   = "fund/acknowledge_risk"
	TypeRegisterFund      = "fund/register_fund"
	TypeUpdateTerms       = "fund/update_terms"
	TypeSetFundStatus     = "fund/set_fund_status"
	TypeAuthoriseReseller = "fund/authorise_reseller"
	TypeSetCalendar       = "fund/set_calendar"
	TypePublishNAV        = "fund/publish_nav"
	TypeCosignNAV         = "fund/cosign_nav"
	TypeSubscribe         = "fund/subscribe"
	TypePurchase          = "fund/purchase"
	TypeRedeem            = "fund/redeem"
	TypeCancel            = "fund/cancel"
	TypeSetDividendMethod = "fund/set_dividend_method"
	TypeDeclareDividend   = "fund/declare_dividend"
	TypeFreeze            = "fund/freeze"
	TypeUnfreeze          = "fund/unfreeze"
)

// GB/T 39595 business codes of applications (the confirmation is the
// application code + 100).
const (
	BizOpenAccount       = "001"
	BizFreezeAccount     = "004"
	BizUnfreezeAccount   = "005"
	BizSubscribe         = "020"
	BizPurchase          = "022"
	BizRedeem            = "024"
	BizDividendMethod    = "029"
	BizSubscribeResult   = "130" // confirmation only: the offering's outcome
	BizFreezeShares      = "031"
	BizUnfreezeShares    = "032"
	BizDividendPayment   = "143" // confirmation only
	BizOfferingFailed    = "149" // confirmation only
	BizCancel            = "052"
	confirmationCodeBase = 100
)

// GB/T 39595 return codes the module produces (return-codes table).
const (
	RetSuccess         = "0000"
	RetInsufficient    = "0001" // 份数余额不足
	RetAccountFrozen   = "0002" // 账户已冻结
	RetOtherFailure    = "0010" // 其它原因失败
	RetBelowMinHolding = "0310" // 赎回后剩余份数低于持有下限
	RetOfferingFailed  = "0373" // 基金发行失败，退回认购
	RetFeeExceedsAmt   = "0402" // 申购金额低于手续费
	RetCancelled       = "0409" // 已撤单
)

// Investor types.
const (
	InvestorIndividual   = "individual"
	InvestorInstitution  = "institution"
	InvestorProfessional = "professional"
)

// Fund types.
var fundTypes = []string{"equity", "bond", "hybrid", "money_market", "qdii", "fof"}

// Fund statuses.
const (
	StatusOffering            = "offering"
	StatusOpen                = "open"
	StatusPurchaseSuspended   = "purchase_suspended"
	StatusRedemptionSuspended = "redemption_suspended"
	StatusClosed              = "closed"
	StatusLiquidated          = "liquidated"
)

// transitions is the fund status machine: from -> allowed targets.
var transitions = map[string][]string{
	StatusOffering:            {StatusOpen, StatusLiquidated},
	StatusOpen:                {StatusPurchaseSuspended, StatusRedemptionSuspended, StatusClosed},
	StatusPurchaseSuspended:   {StatusOpen, StatusRedemptionSuspended, StatusClosed},
	StatusRedemptionSuspended: {StatusOpen, StatusPurchaseSuspended, StatusClosed},
	StatusClosed:              {StatusOpen, StatusLiquidated},
}

// Dividend methods (分红方式).
const (
	DividendCash     = "cash"
	DividendReinvest = "reinvest"
)

// Order statuses.
const (
	OrderPending   = "pending"
	OrderCancelled = "cancelled"
	OrderConfirmed = "confirmed"
	OrderFailed    = "failed"
)

// Level is a risk level 1..5, written "R3" for funds and "C3" for investors.
type Level int

func parseLevel(prefix, s string) (Level, error) {
	if len(s) != 2 || s[0] != prefix[0] || s[1] < '1' || s[1] > '5' {
		return 0, fmt.Errorf("risk level %q: want %s1 to %s5", s, prefix, prefix)
	}
	return Level(s[1] - '0'), nil
}

// FundRisk is a fund's risk level R1..R5.
type FundRisk Level

// MarshalText implements encoding.TextMarshaler.
func (r FundRisk) MarshalText() ([]byte, error) {
	if r < 1 || r > 5 {
		return nil, fmt.Errorf("fund: invalid fund risk level %d", r)
	}
	return []byte{'R', byte('0' + r)}, nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *FundRisk) UnmarshalText(b []byte) error {
	l, err := parseLevel("R", string(b))
	*r = FundRisk(l)
	return err
}

// InvestorRisk is an investor's risk tolerance C1..C5 (风险承受能力).
type InvestorRisk Level

// MarshalText implements encoding.TextMarshaler.
func (r InvestorRisk) MarshalText() ([]byte, error) {
	if r < 1 || r > 5 {
		return nil, fmt.Errorf("fund: invalid investor risk level %d", r)
	}
	return []byte{'C', byte('0' + r)}, nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *InvestorRisk) UnmarshalText(b []byte) error {
	l, err := parseLevel("C", string(b))
	*r = InvestorRisk(l)
	return err
}

// Product is what identifies a fund; fixed at registration.
type Product struct {
	Code          string   `json:"code"` // 6 digits
	Name          string   `json:"name"`
	Type          string   `json:"type"`        // equity, bond, hybrid, money_market, qdii, fof
	ShareClass    string   `json:"share_class"` // e.g. "A", "C"
	Risk          FundRisk `json:"risk"`        // R1..R5
	Manager       string   `json:"manager"`     // organisation id of the fund manager
	Custodian     string   `json:"custodian"`   // organisation id of the custodian
	OfferingStart Date     `json:"offering_start"`
	OfferingEnd   Date     `json:"offering_end"`
	Rounding      Rounding `json:"rounding"` // share rounding rule: truncate or half_up
	// Private marks a privately offered fund (私募): it is sold to qualified
	// investors only, with a minimum first purchase of at least
	// PrivateMinFirst, and the supervision module caps its distinct
	// investors (the 200-investor guard against illegal fund-raising).
	Private bool `json:"private,omitempty"`
}

// PrivateMinFirst is the lowest minimum first purchase of a private fund
// (1,000,000.00 CNY: 私募投资基金监督管理暂行办法, art. 12).
const PrivateMinFirst Amount = 1000000 * Yuan

// Terms are a fund's limits and fees; the manager may change them.
type Terms struct {
	MinFirst         Amount           `json:"min_first"`                   // minimum first purchase or subscription
	MinAdditional    Amount           `json:"min_additional"`              // minimum additional purchase
	DailyLimit       Amount           `json:"daily_limit,omitempty"`       // per investor per trade date; 0: none
	MinRedemption    Shares           `json:"min_redemption"`              // minimum shares per redemption
	MinHolding       Shares           `json:"min_holding"`                 // a holding may not fall below this (except to 0)
	SubscriptionFees []PurchaseTier   `json:"subscription_fees,omitempty"` // offering period; default: purchase fees
	PurchaseFees     []PurchaseTier   `json:"purchase_fees"`
	RedemptionFees   []RedemptionTier `json:"redemption_fees"`
	DividendMethod   string           `json:"dividend_method"`                // default for new holdings
	RequireInvestor  bool             `json:"require_investor_sig,omitempty"` // orders must carry the investor's signature
	RequireAgreement bool             `json:"require_agreement,omitempty"`    // a reseller is authorised only under an effective distribution agreement (contract module)
}

// Fund is a registered fund.
type Fund struct {
	Product
	Terms       Terms    `json:"terms"`
	Par         NAV      `json:"par"`
	Status      string   `json:"status"`
	Resellers   []string `json:"resellers"`             // authorised resellers, sorted
	Established Date     `json:"established,omitempty"` // the day the offering closed successfully
	LastNAVDate Date     `json:"last_nav_date,omitempty"`
	LastNAV     NAV      `json:"last_nav,omitempty"`
	Registered  int64    `json:"registered"` // height
	StatusNote  string   `json:"status_note,omitempty"`
}

// Investor is an investor registered by a channel after KYC.
type Investor struct {
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	Risk         InvestorRisk      `json:"risk"` // C1..C5
	RiskAssessed Date              `json:"risk_assessed"`
	RiskExpires  Date              `json:"risk_expires"`
	Channel      string            `json:"channel"` // organisation that did KYC and sells to the investor
	KYCBy        string            `json:"kyc_by"`  // identity that registered the investor
	Identity     string            `json:"identity,omitempty"`
	RequireSig   bool              `json:"require_investor_sig,omitempty"`
	Personal     *crypto.Envelope  `json:"personal"`
	Commitment   string            `json:"commitment"` // hex of crypto.Commit over the personal data
	CommitAlg    string            `json:"commit_alg"` // sha256 or sm3
	TransAccount string            `json:"trans_account"`
	TAAccounts   map[string]string `json:"ta_accounts"` // manager org -> TA account
	Registered   int64             `json:"registered"`
	Updated      int64             `json:"updated,omitempty"`
}

// KYCStatus is the investor's KYC state on a date.
func (inv *Investor) KYCStatus(on Date) string {
	if on > inv.RiskExpires {
		return "expired"
	}
	return "verified"
}

// TAAccount is an investor's fund account (基金账户) with a manager.
type TAAccount struct {
	ID       string `json:"id"` // 12 digits
	Manager  string `json:"manager"`
	Investor string `json:"investor"`
	Channel  string `json:"channel"`
	Opened   int64  `json:"opened"`
	AppNo    string `json:"app_no,omitempty"` // the channel's application number, when given
	Frozen   bool   `json:"frozen,omitempty"`
	Reason   string `json:"freeze_reason,omitempty"`
}

// Holding is an investor's position in one fund (through the investor's
// channel), with its lots.
type Holding struct {
	Fund           string `json:"fund"`
	Investor       string `json:"investor"`
	Channel        string `json:"channel"`
	TAAccount      string `json:"ta_account"`
	TransAccount   string `json:"trans_account"`
	Shares         Shares `json:"shares"`  // total registered
	Pending        Shares `json:"pending"` // in pending redemptions
	Frozen         Shares `json:"frozen"`
	Lots           []Lot  `json:"lots"`
	DividendMethod string `json:"dividend_method"`
}

// Available is what may be redeemed now.
func (h *Holding) Available() Shares { return h.Shares - h.Pending - h.Frozen }

// Order is an application and, once processed, its confirmation.
type Order struct {
	ID           string        `json:"id"` // channel:app_no
	AppNo        string        `json:"app_no"`
	Business     string        `json:"business"` // 020, 022, 024, 029
	Channel      string        `json:"channel"`
	SubmittedBy  string        `json:"submitted_by"`
	Investor     string        `json:"investor"`
	TAAccount    string        `json:"ta_account"`
	TransAccount string        `json:"trans_account"`
	Fund         string        `json:"fund"`
	Amount       Amount        `json:"amount,omitempty"`
	Shares       Shares        `json:"shares,omitempty"`
	Method       string        `json:"dividend_method,omitempty"`
	InvestorSig  bool          `json:"investor_signed,omitempty"`
	TradeDate    Date          `json:"trade_date,omitempty"` // 0 for a subscription (confirmed when the offering closes)
	Height       int64         `json:"height"`
	Time         string        `json:"time"`                 // business time, RFC 3339 UTC
	BlockTime    string        `json:"block_time,omitempty"` // header time, when a simulated clock made it differ
	Seq          uint64        `json:"seq"`
	Status       string        `json:"status"`
	CancelledBy  string        `json:"cancelled_by,omitempty"` // the cancellation's app no
	Confirmation *Confirmation `json:"confirmation,omitempty"`
}

// Confirmation is the outcome of an order in the shape of a GB/T 39595 trade
// confirmation (04 file).
type Confirmation struct {
	Business    string          `json:"business"`    // confirmation business code (122 for a 022 ...)
	ReturnCode  string          `json:"return_code"` // 0000 on success
	Reason      string          `json:"reason,omitempty"`
	Date        Date            `json:"date"` // the confirmation date (the NAV date's next trading day)
	Height      int64           `json:"height"`
	NAV         NAV             `json:"nav,omitempty"`
	Amount      Amount          `json:"amount"`           // confirmed amount (gross for purchases, proceeds for redemptions)
	Shares      Shares          `json:"shares"`           // confirmed volume
	Fee         Amount          `json:"fee"`              // charge
	Net         Amount          `json:"net"`              // amount invested (purchase) or paid out (redemption)
	Rate        Rate            `json:"rate,omitempty"`   // purchase fee rate
	Lots        []LotRedemption `json:"lots,omitempty"`   // redemptions: FIFO detail
	Refund      Amount          `json:"refund,omitempty"` // failed purchases and subscriptions: money returned
	Method      string          `json:"dividend_method,omitempty"`
	FixedFeeApp bool            `json:"fixed_fee,omitempty"`
}

// NAVRecord is a fund's NAV for one date.
type NAVRecord struct {
	Fund         string `json:"fund"`
	Date         Date   `json:"date"`
	NAV          NAV    `json:"nav"`
	Status       string `json:"status"` // published, final
	Publisher    string `json:"publisher"`
	PublisherSig string `json:"publisher_sig"` // hex
	PublishedAt  int64  `json:"published_at"`
	Custodian    string `json:"custodian,omitempty"`
	CustodianSig string `json:"custodian_sig,omitempty"`
	FinalAt      int64  `json:"final_at,omitempty"`
	Corrections  []NAV  `json:"corrections,omitempty"` // earlier published values before the final one
}

// Dividend is a declared distribution.
type Dividend struct {
	ID         string           `json:"id"` // fund:ex_date
	Fund       string           `json:"fund"`
	PerShare   DividendPerShare `json:"per_share"`
	RecordDate Date             `json:"record_date"`
	ExDate     Date             `json:"ex_date"`
	PayDate    Date             `json:"pay_date"`
	Declared   int64            `json:"declared"`
	Status     string           `json:"status"` // declared, distributing, paid
	Holders    int64            `json:"holders,omitempty"`
	Cash       Amount           `json:"cash,omitempty"`       // paid in cash
	Reinvested Amount           `json:"reinvested,omitempty"` // cash reinvested
	NewShares  Shares           `json:"new_shares,omitempty"`
}

// Payout is one holding's part of a dividend.
type Payout struct {
	Dividend   string `json:"dividend"`
	Investor   string `json:"investor"`
	Channel    string `json:"channel"`
	Shares     Shares `json:"shares"`
	Method     string `json:"dividend_method"`
	Cash       Amount `json:"cash"`
	NAV        NAV    `json:"nav,omitempty"`
	Reinvested Shares `json:"reinvested,omitempty"`
	PayDate    Date   `json:"pay_date"`
}

// Totals are a fund's register totals.
type Totals struct {
	Shares  Shares `json:"shares"`  // outstanding
	Holders int64  `json:"holders"` // holdings with shares > 0
	Pending int64  `json:"pending"` // orders waiting for confirmation
}

// validID reports whether s is 1..max of [A-Za-z0-9_-].
func validID(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validFundCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validText(s string, max int) bool {
	return len(s) <= max && !strings.ContainsAny(s, "\x00\r\n") && strings.ToValidUTF8(s, "") == s
}
