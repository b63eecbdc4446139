package fund

import (
	"encoding/hex"
	"slices"

	"github.com/otcchain/otcchain/crypto"
)

// Limits of message fields.
const (
	MaxIDLen       = 32  // investor ids, application numbers
	MaxNameLen     = 128 // fund names
	MaxReasonLen   = 512
	MaxPersonalLen = 8192 // bytes of sealed personal data (ciphertext)
	MaxRecipients  = 32
)

// RegisterInvestor registers an investor after KYC (by a reseller or a fund
// manager's direct-sales channel). Personal data arrives sealed: Personal is
// an envelope (package crypto) whose recipients include the signer and a
// regulator identity, and the investor's identity when it has one;
// Commitment is crypto.Commit of the plaintext with a salt kept inside it.
type RegisterInvestor struct {
	ID           string           `json:"id"`
	Type         string           `json:"type"`
	Risk         InvestorRisk     `json:"risk"`
	RiskAssessed Date             `json:"risk_assessed"`
	RiskExpires  Date             `json:"risk_expires"`
	Identity     string           `json:"identity,omitempty"`
	RequireSig   bool             `json:"require_investor_sig,omitempty"`
	Personal     *crypto.Envelope `json:"personal"`
	Commitment   string           `json:"commitment"`
	CommitAlg    string           `json:"commit_alg"`
}

// Validate implements module.Msg.
func (m *RegisterInvestor) Validate() error {
	if !validID(m.ID, MaxIDLen) {
		return ErrInvalidRequest.Wrapf("investor id must be 1 to %d of A-Z a-z 0-9 - _", MaxIDLen)
	}
	if !slices.Contains([]string{InvestorIndividual, InvestorInstitution, InvestorProfessional}, m.Type) {
		return ErrInvalidRequest.Wrapf("investor type %q: want individual, institution or professional", m.Type)
	}
	if err := validRiskAssessment(m.Risk, m.RiskAssessed, m.RiskExpires); err != nil {
		return err
	}
	if m.Identity != "" && !validHexID(m.Identity) {
		return ErrInvalidRequest.Wrapf("identity must be a 64-character lowercase hex identity id")
	}
	return validPersonal(m.Personal, m.Commitment, m.CommitAlg)
}

func validRiskAssessment(r InvestorRisk, assessed, expires Date) error {
	if r < 1 || r > 5 {
		return ErrInvalidRequest.Wrapf("risk must be C1 to C5")
	}
	if !assessed.Valid() || !expires.Valid() || expires <= assessed {
		return ErrInvalidRequest.Wrapf("risk_assessed and risk_expires must be dates with risk_expires after risk_assessed")
	}
	return nil
}

func validHexID(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && s == toLower(s)
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func validPersonal(env *crypto.Envelope, commitment, alg string) error {
	if err := validEnvelope(env); err != nil {
		return err
	}
	if alg != "sha256" && alg != "sm3" {
		return ErrPersonalData.Wrapf("commit_alg must be sha256 or sm3")
	}
	if b, err := hex.DecodeString(commitment); err != nil || len(b) != 32 || toLower(commitment) != commitment {
		return ErrPersonalData.Wrapf("commitment must be 64 lowercase hex characters")
	}
	return nil
}

func validEnvelope(env *crypto.Envelope) error {
	if env == nil {
		return ErrPersonalData.Wrapf("personal data (a sealed envelope) is required")
	}
	if err := env.Validate(); err != nil {
		return ErrPersonalData.Wrapf("%v", err)
	}
	if len(env.Ciphertext) > MaxPersonalLen {
		return ErrPersonalData.Wrapf("sealed personal data of %d bytes exceeds %d", len(env.Ciphertext), MaxPersonalLen)
	}
	if len(env.Recipients) > MaxRecipients {
		return ErrPersonalData.Wrapf("%d recipients exceed %d", len(env.Recipients), MaxRecipients)
	}
	return nil
}

// UpdateInvestor records a new risk assessment and, optionally, new sealed
// personal data (by the investor's channel).
type UpdateInvestor struct {
	ID           string           `json:"id"`
	Risk         InvestorRisk     `json:"risk"`
	RiskAssessed Date             `json:"risk_assessed"`
	RiskExpires  Date             `json:"risk_expires"`
	Personal     *crypto.Envelope `json:"personal,omitempty"`
	Commitment   string           `json:"commitment,omitempty"`
	CommitAlg    string           `json:"commit_alg,omitempty"`
}

// Validate implements module.Msg.
func (m *UpdateInvestor) Validate() error {
	if !validID(m.ID, MaxIDLen) {
		return ErrInvalidRequest.Wrapf("investor id must be 1 to %d of A-Z a-z 0-9 - _", MaxIDLen)
	}
	if err := validRiskAssessment(m.Risk, m.RiskAssessed, m.RiskExpires); err != nil {
		return err
	}
	if m.Personal != nil || m.Commitment != "" {
		return validPersonal(m.Personal, m.Commitment, m.CommitAlg)
	}
	return nil
}

// SharePersonal replaces an investor's envelope with one rewrapped for more
// recipients (crypto.Rewrap): the content is unchanged, every earlier
// recipient stays. The channel uses it to share the data with each fund
// manager the investor trades with. With is the one organisation shared
// with: every new recipient must be an identity of With whose role may hold
// personal data (MayHoldPersonal), else the share is ErrShareRecipient. A
// grant cannot be taken back: the wrapped key is public on the ledger.
type SharePersonal struct {
	Investor string           `json:"investor"`
	With     string           `json:"with"`
	Personal *crypto.Envelope `json:"personal"`
}

// Validate implements module.Msg.
func (m *SharePersonal) Validate() error {
	if !validID(m.Investor, MaxIDLen) {
		return ErrInvalidRequest.Wrapf("investor id must be 1 to %d of A-Z a-z 0-9 - _", MaxIDLen)
	}
	if !validID(m.With, MaxIDLen) {
		return ErrInvalidRequest.Wrapf("with: the organisation shared with, 1 to %d of A-Z a-z 0-9 - _", MaxIDLen)
	}
	return validEnvelope(m.Personal)
}

// OpenAccount opens the investor's TA account with a fund manager and, the
// first time, the transaction account in the channel (business code 001).
type OpenAccount struct {
	Investor string `json:"investor"`
	Manager  string `json:"manager"`
	// AppNo is the channel's application number (GB/T 39595 AppSheetSerialNo
	// of the 01 record), kept on the account for the 02 confirmation.
	AppNo string `json:"app_no,omitempty"`
}

// Validate implements module.Msg.
func (m *OpenAccount) Validate() error {
	if !validID(m.Investor, MaxIDLen) || m.Manager == "" || !validText(m.Manager, 64) {
		return ErrInvalidRequest.Wrapf("investor and manager are required")
	}
	if m.AppNo != "" && !validID(m.AppNo, MaxIDLen) {
		return ErrInvalidRequest.Wrapf("app_no: 1 to %d of A-Z a-z 0-9 - _", MaxIDLen)
	}
	return nil
}

// AcknowledgeRisk records that the investor signed the risk disclosure of a
// fund (风险揭示书), which lets a purchase above the investor's risk level
// through. Sent by the investor, or by the channel with the investor's
// signature over AckStatement.
type AcknowledgeRisk struct {
	Investor       string `json:"investor"`
	Fund           string `json:"fund"`
	DisclosureHash string `json:"disclosure_hash"` // hex SHA-256/SM3 of the disclosure document signed
	InvestorSig    string `json:"investor_sig,omitempty"`
}

// Validate implements module.Msg.
func (m *AcknowledgeRisk) Validate() error {
	if !validID(m.Investor, MaxIDLen) || !validFundCode(m.Fund) {
		return ErrInvalidRequest.Wrapf("investor and a 6-digit fund code are required")
	}
	if b, err := hex.DecodeString(m.DisclosureHash); err != nil || len(b) != 32 {
		return ErrInvalidRequest.Wrapf("disclosure_hash must be 64 hex characters")
	}
	return validSigHex(m.InvestorSig)
}

func validSigHex(s string) error {
	if s == "" {
		return nil
	}
	if b, err := hex.DecodeString(s); err != nil || len(b) == 0 || len(b) > 128 {
		return ErrInvalidRequest.Wrapf("signatures are hex, at most 128 bytes")
	}
	return nil
}

// RegisterFund registers a fund in its offering period (by its manager).
type RegisterFund struct {
	Product
	Terms     Terms    `json:"terms"`
	Resellers []string `json:"resellers,omitempty"`
}

// Validate implements module.Msg.
func (m *RegisterFund) Validate() error {
	p := &m.Product
	switch {
	case !validFundCode(p.Code):
		return ErrInvalidRequest.Wrapf("fund code must be 6 digits")
	case p.Name == "" || !validText(p.Name, MaxNameLen):
		return ErrInvalidRequest.Wrapf("fund name must be 1 to %d bytes of one-line UTF-8", MaxNameLen)
	case !slices.Contains(fundTypes, p.Type):
		return ErrInvalidRequest.Wrapf("fund type %q: want one of equity, bond, hybrid, money_market, qdii, fof", p.Type)
	case !validID(p.ShareClass, 4):
		return ErrInvalidRequest.Wrapf("share class must be 1 to 4 letters or digits")
	case p.Risk < 1 || p.Risk > 5:
		return ErrInvalidRequest.Wrapf("risk must be R1 to R5")
	case p.Manager == "" || p.Custodian == "" || p.Manager == p.Custodian:
		return ErrInvalidRequest.Wrapf("manager and custodian are two different organisations")
	case !p.OfferingStart.Valid() || !p.OfferingEnd.Valid() || p.OfferingEnd < p.OfferingStart:
		return ErrInvalidRequest.Wrapf("offering_start and offering_end must be dates, in order")
	case !p.Rounding.Valid():
		return ErrInvalidRequest.Wrapf("rounding must be truncate or half_up")
	}
	for _, r := range m.Resellers {
		if !validText(r, 64) || r == "" {
			return ErrInvalidRequest.Wrapf("invalid reseller %q", r)
		}
	}
	if err := validTerms(&m.Terms); err != nil {
		return err
	}
	return privateTerms(p, &m.Terms)
}

// privateTerms checks the terms a private fund needs.
func privateTerms(p *Product, t *Terms) error {
	if p.Private && t.MinFirst < PrivateMinFirst {
		return ErrInvalidRequest.Wrapf("private fund %s: the minimum first purchase must be at least %s", p.Code, PrivateMinFirst)
	}
	return nil
}

func validTerms(t *Terms) error {
	switch {
	case t.MinFirst <= 0 || t.MinAdditional <= 0:
		return ErrInvalidRequest.Wrapf("min_first and min_additional must be positive")
	case t.DailyLimit < 0:
		return ErrInvalidRequest.Wrapf("daily_limit must not be negative")
	case t.DailyLimit > 0 && t.DailyLimit < t.MinFirst:
		return ErrInvalidRequest.Wrapf("daily_limit %s is below min_first %s", t.DailyLimit, t.MinFirst)
	case t.MinRedemption <= 0 || t.MinHolding < 0:
		return ErrInvalidRequest.Wrapf("min_redemption must be positive and min_holding not negative")
	case t.DividendMethod != DividendCash && t.DividendMethod != DividendReinvest:
		return ErrInvalidRequest.Wrapf("dividend_method must be cash or reinvest")
	}
	if err := ValidatePurchaseTiers(t.PurchaseFees); err != nil {
		return ErrInvalidRequest.Wrapf("purchase_fees: %v", err)
	}
	if t.SubscriptionFees != nil {
		if err := ValidatePurchaseTiers(t.SubscriptionFees); err != nil {
			return ErrInvalidRequest.Wrapf("subscription_fees: %v", err)
		}
	}
	if err := ValidateRedemptionTiers(t.RedemptionFees); err != nil {
		return ErrInvalidRequest.Wrapf("redemption_fees: %v", err)
	}
	return nil
}

// UpdateTerms replaces a fund's limits and fees (by its manager). Orders
// already pending keep the terms they are confirmed with: the ones in force
// at confirmation.
type UpdateTerms struct {
	Fund  string `json:"fund"`
	Terms Terms  `json:"terms"`
}

// Validate implements module.Msg.
func (m *UpdateTerms) Validate() error {
	if !validFundCode(m.Fund) {
		return ErrInvalidRequest.Wrapf("fund code must be 6 digits")
	}
	return validTerms(&m.Terms)
}

// SetFundStatus moves a fund along its status machine (by its manager).
// offering -> open establishes the fund and confirms the subscriptions at
// par; offering -> liquidated fails them and refunds.
type SetFundStatus struct {
	Fund   string `json:"fund"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Validate implements module.Msg.
func (m *SetFundStatus) Validate() error {
	if !validFundCode(m.Fund) || !validText(m.Reason, MaxReasonLen) {
		return ErrInvalidRequest.Wrapf("a 6-digit fund code and a one-line reason are required")
	}
	if _, ok := transitions[m.Status]; !ok && m.Status != StatusLiquidated {
		return ErrInvalidRequest.Wrapf("unknown status %q", m.Status)
	}
	return nil
}

// AuthoriseReseller lets a reseller sell a fund, or withdraws it.
type AuthoriseReseller struct {
	Fund     string `json:"fund"`
	Reseller string `json:"reseller"`
	Revoke   bool   `json:"revoke,omitempty"`
}

// Validate implements module.Msg.
func (m *AuthoriseReseller) Validate() error {
	if !validFundCode(m.Fund) || m.Reseller == "" || !validText(m.Reseller, 64) {
		return ErrInvalidRequest.Wrapf("a 6-digit fund code and a reseller are required")
	}
	return nil
}

// SetCalendar is a trading calendar replacing the one in force. Sent as a
// message it is refused with use_intervention: the calendar changes only
// through a supervision intervention approved by two regulator officers
// (Receive "calendar" from "supervision") or a passed governance proposal
// (Receive "set_calendar" from "gov"); this type is their payload.
type SetCalendar struct {
	Calendar Calendar `json:"calendar"`
}

// Validate implements module.Msg.
func (m *SetCalendar) Validate() error {
	if len(m.Calendar.days) == 0 {
		return ErrInvalidRequest.Wrapf("the calendar has no trading days")
	}
	return nil
}

// PublishNAV publishes a fund's NAV for a trade date (by its manager), with
// the manager's signature over NAVStatement. It becomes final when the
// custodian co-signs.
type PublishNAV struct {
	Fund      string `json:"fund"`
	Date      Date   `json:"date"`
	NAV       NAV    `json:"nav"`
	Signature string `json:"signature"`
}

// Validate implements module.Msg.
func (m *PublishNAV) Validate() error {
	if !validFundCode(m.Fund) || !m.Date.Valid() || m.NAV <= 0 {
		return ErrInvalidRequest.Wrapf("fund, date and a positive NAV are required")
	}
	if m.Signature == "" {
		return ErrInvalidRequest.Wrapf("signature over the NAV statement is required")
	}
	return validSigHex(m.Signature)
}

// CosignNAV is the custodian's review of a published NAV: the same values
// and the custodian's signature over the same NAVStatement.
type CosignNAV PublishNAV

// Validate implements module.Msg.
func (m *CosignNAV) Validate() error { return (*PublishNAV)(m).Validate() }

// OrderBase is what every order message carries.
type OrderBase struct {
	AppNo       string `json:"app_no"` // application sheet serial number, unique per channel
	Investor    string `json:"investor"`
	Fund        string `json:"fund"`
	InvestorSig string `json:"investor_sig,omitempty"` // hex signature over OrderStatement
}

func (m *OrderBase) validate() error {
	if !validID(m.AppNo, MaxIDLen) {
		return ErrInvalidRequest.Wrapf("app_no must be 1 to %d of A-Z a-z 0-9 - _", MaxIDLen)
	}
	if !validID(m.Investor, MaxIDLen) || !validFundCode(m.Fund) {
		return ErrInvalidRequest.Wrapf("investor and a 6-digit fund code are required")
	}
	return validSigHex(m.InvestorSig)
}

// Subscribe is an offering-period subscription by amount (认购, 020).
type SubscribeOrder struct {
	OrderBase
	Amount Amount `json:"amount"`
}

// Validate implements module.Msg.
func (m *SubscribeOrder) Validate() error {
	if m.Amount <= 0 {
		return ErrInvalidRequest.Wrapf("amount must be positive")
	}
	return m.validate()
}

// PurchaseOrder is a purchase by amount (申购, 022).
type PurchaseOrder SubscribeOrder

// Validate implements module.Msg.
func (m *PurchaseOrder) Validate() error { return (*SubscribeOrder)(m).Validate() }

// RedeemOrder is a redemption by shares (赎回, 024).
type RedeemOrder struct {
	OrderBase
	Shares Shares `json:"shares"`
}

// Validate implements module.Msg.
func (m *RedeemOrder) Validate() error {
	if m.Shares <= 0 {
		return ErrInvalidRequest.Wrapf("shares must be positive")
	}
	return m.validate()
}

// DividendMethodOrder changes a holding's dividend method (029).
type DividendMethodOrder struct {
	OrderBase
	Method string `json:"dividend_method"`
}

// Validate implements module.Msg.
func (m *DividendMethodOrder) Validate() error {
	if m.Method != DividendCash && m.Method != DividendReinvest {
		return ErrInvalidRequest.Wrapf("dividend_method must be cash or reinvest")
	}
	return m.validate()
}

// CancelOrder withdraws a pending order before its cut-off (撤单, 052).
type CancelOrder struct {
	AppNo       string `json:"app_no"`
	Original    string `json:"original"` // app no of the order to cancel
	InvestorSig string `json:"investor_sig,omitempty"`
}

// Validate implements module.Msg.
func (m *CancelOrder) Validate() error {
	if !validID(m.AppNo, MaxIDLen) || !validID(m.Original, MaxIDLen) || m.AppNo == m.Original {
		return ErrInvalidRequest.Wrapf("app_no and original are two application numbers")
	}
	return validSigHex(m.InvestorSig)
}

// DeclareDividend declares a cash distribution per share (by the manager).
// Holdings registered when the ex-date's NAV becomes final are entitled; each
// is paid in cash or reinvested at the ex-date NAV by its dividend method.
type DeclareDividend struct {
	Fund       string           `json:"fund"`
	PerShare   DividendPerShare `json:"per_share"`
	RecordDate Date             `json:"record_date"`
	ExDate     Date             `json:"ex_date"`
	PayDate    Date             `json:"pay_date"`
}

// Validate implements module.Msg.
func (m *DeclareDividend) Validate() error {
	switch {
	case !validFundCode(m.Fund):
		return ErrInvalidRequest.Wrapf("fund code must be 6 digits")
	case m.PerShare <= 0:
		return ErrInvalidRequest.Wrapf("per_share must be positive")
	case !m.RecordDate.Valid() || !m.ExDate.Valid() || !m.PayDate.Valid():
		return ErrInvalidRequest.Wrapf("record_date, ex_date and pay_date are required")
	case !(m.RecordDate <= m.ExDate && m.ExDate <= m.PayDate):
		return ErrInvalidRequest.Wrapf("dates must be in order: record_date <= ex_date <= pay_date")
	}
	return nil
}

// Freeze freezes an investor's TA account with a manager (004), or shares of
// one holding (031). By the account's fund manager (the TA) only: a
// regulator identity is refused with use_intervention, since a regulator
// freezes through a supervision intervention that two officers approve. The
// TA lifts only its own freezes (Unfreeze); an intervention's freeze is
// lifted by an unfreeze intervention.
type Freeze struct {
	Investor string `json:"investor"`
	Manager  string `json:"manager,omitempty"` // account freeze
	Fund     string `json:"fund,omitempty"`    // share freeze
	Shares   Shares `json:"shares,omitempty"`  // share freeze
	Reason   string `json:"reason"`
}

// Validate implements module.Msg.
func (m *Freeze) Validate() error {
	if !validID(m.Investor, MaxIDLen) {
		return ErrInvalidRequest.Wrapf("investor is required")
	}
	if (m.Manager == "") == (m.Fund == "") {
		return ErrInvalidRequest.Wrapf("set manager (freeze the account) or fund (freeze shares), not both")
	}
	if m.Fund != "" && (!validFundCode(m.Fund) || m.Shares <= 0) {
		return ErrInvalidRequest.Wrapf("a share freeze needs a 6-digit fund code and positive shares")
	}
	if m.Manager != "" && m.Shares != 0 {
		return ErrInvalidRequest.Wrapf("an account freeze takes no shares")
	}
	if m.Reason == "" || !validText(m.Reason, MaxReasonLen) {
		return ErrInvalidRequest.Wrapf("a one-line reason is required")
	}
	return nil
}

// Unfreeze lifts a freeze (005, 032).
type Unfreeze Freeze

// Validate implements module.Msg.
func (m *Unfreeze) Validate() error { return (*Freeze)(m).Validate() }
