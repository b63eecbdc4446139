package chain

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/tx"
)

// Record statuses in an import report.
const (
	StatusAccepted  = "accepted"  // the chain accepted every message of the record
	StatusRefused   = "refused"   // the mapper or the chain refused the record (Code, Reason)
	StatusDuplicate = "duplicate" // already on chain (same application number / account): nothing sent
	StatusMapped    = "mapped"    // dry run and the check endpoint: would be sent
)

// Refusal codes of the mapper (the chain's own refusals keep their
// "codespace/code name" form).
const (
	CodeUnsupported = "unsupported_business" // a known application code without a chain counterpart
	CodeField       = "bad_field"            // a field the chain needs is missing or unusable
	CodeTradeDate   = "trade_date"           // TransactionDate is not the chain's current trade date
	CodeDistributor = "distributor"          // DistributorCode is not the file's creator
	CodeRepeated    = "repeated_in_file"     // the serial number appeared on an earlier line of the file
)

// MapOptions are what the mapper needs besides the file.
type MapOptions struct {
	// Channel is the signing reseller's organisation; the file's creator code
	// must map to it (empty: not checked, e.g. the check endpoint without a
	// reseller caller).
	Channel string
	// Codes maps the file's distributor and TA codes to organisations.
	Codes *Codes
	// TradeDate is the chain's current trade date: an order whose
	// TransactionDate differs is refused (0: not checked).
	TradeDate fund.Date
	// AnyDate accepts orders of another TransactionDate with a warning.
	AnyDate bool
	// KYCYears is the validity of a risk assessment from its date (default 1).
	KYCYears int
}

// Mapping is one record mapped to chain messages, or refused.
type Mapping struct {
	Line     int    `json:"line"`
	Serial   string `json:"serial"`
	Business string `json:"business"`
	Status   string `json:"status"` // StatusMapped or StatusRefused
	Code     string `json:"code,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Warning  string `json:"warning,omitempty"`
	Investor string `json:"investor,omitempty"`
	// Register is the KYC part of fund/register_investor for a 001/008
	// record (sent only when the investor is not on chain yet); the personal
	// data is sealed by the client, never shown here.
	Register *KYC `json:"register,omitempty"`
	// Msg is the record's message: fund/open_account or the order.
	Msg *tx.Any `json:"msg,omitempty"`
	// OrderID is the chain order id "<channel>:<app_no>" of an order record.
	OrderID string `json:"order_id,omitempty"`

	Personal fund.PersonalData `json:"-"`
}

// KYC is the readable part of an investor registration.
type KYC struct {
	ID       string            `json:"id"`
	Type     string            `json:"type"`
	Risk     fund.InvestorRisk `json:"risk"`
	Assessed fund.Date         `json:"risk_assessed"`
	Expires  fund.Date         `json:"risk_expires"`
}

// RegisterMsg is the fund/register_investor message of k without its
// sealed personal data.
func (k *KYC) RegisterMsg() *fund.RegisterInvestor {
	return &fund.RegisterInvestor{ID: k.ID, Type: k.Type, Risk: k.Risk, RiskAssessed: k.Assessed, RiskExpires: k.Expires}
}

// Mapper maps the records of one 01 or 03 file. It is pure: it reads no
// chain state (duplicates are found by the importer).
type Mapper struct {
	h       *ofd.Header
	o       MapOptions
	manager string // 01: the TA code's fund manager
	seen    map[string]int
}

// NewMapper checks what the whole file depends on: its type (01 or 03),
// its creator (a distributor code of the signing channel) and, for 01, its
// receiver (a TA code). An error refuses the whole file.
func NewMapper(h *ofd.Header, o MapOptions) (*Mapper, error) {
	if h.FileType != "01" && h.FileType != "03" {
		return nil, fmt.Errorf("file type %s: only account applications (01) and trade applications (03) are imported", h.FileType)
	}
	if o.Codes == nil {
		o.Codes = &Codes{}
	}
	if o.KYCYears <= 0 {
		o.KYCYears = 1
	}
	m := &Mapper{h: h, o: o, seen: map[string]int{}}
	org, ok := o.Codes.Distributor(h.Creator)
	if !ok {
		return nil, fmt.Errorf("creator %q is not a distributor code (add it to the codes file: {\"distributors\":{%q:\"ORG\"}})", h.Creator, h.Creator)
	}
	if o.Channel != "" && org != o.Channel {
		return nil, fmt.Errorf("creator %q is distributor %s, but the file is imported by %s", h.Creator, org, o.Channel)
	}
	if h.FileType == "01" {
		if m.manager, ok = o.Codes.TA(h.Receiver); !ok {
			return nil, fmt.Errorf("receiver %q is not a TA code (add it to the codes file: {\"tas\":{%q:\"FUND-MANAGER-ORG\"}})", h.Receiver, h.Receiver)
		}
	}
	return m, nil
}

// Header is the file's header.
func (m *Mapper) Header() *ofd.Header { return m.h }

// Map maps one valid record (as ofd.Reader returned it without error).
func (m *Mapper) Map(rec *ofd.Record) *Mapping {
	mp := &Mapping{Line: rec.Line, Serial: rec.Value("AppSheetSerialNo"), Business: rec.Value("BusinessCode"), Status: StatusMapped}
	if err := m.mapRecord(rec, mp); err != nil {
		mp.refuse(err)
		return mp
	}
	if mp.Serial != "" {
		if first, ok := m.seen[mp.Serial]; ok {
			mp.refuse(&mapErr{CodeRepeated, fmt.Sprintf("AppSheetSerialNo %s is repeated: first on line %d", mp.Serial, first)})
			return mp
		}
		m.seen[mp.Serial] = rec.Line
	}
	return mp
}

type mapErr struct{ code, msg string }

func (e *mapErr) Error() string { return e.code + ": " + e.msg }

func fieldErr(format string, args ...any) error {
	return &mapErr{CodeField, fmt.Sprintf(format, args...)}
}

func (mp *Mapping) refuse(err error) {
	mp.Status, mp.Register, mp.Msg, mp.OrderID, mp.Personal = StatusRefused, nil, nil, "", fund.PersonalData{}
	if e, ok := err.(*mapErr); ok {
		mp.Code, mp.Reason = e.code, e.msg
		return
	}
	mp.Code, mp.Reason = CodeField, err.Error()
}

func (m *Mapper) mapRecord(rec *ofd.Record, mp *Mapping) error {
	if mp.Business == "" {
		return fieldErr("BusinessCode is required")
	}
	if d, ok := rec.Lookup("DistributorCode"); ok && d != "" && d != m.h.Creator {
		return &mapErr{CodeDistributor, fmt.Sprintf("DistributorCode %q is not the file's creator %q", d, m.h.Creator)}
	}
	if m.h.FileType == "01" {
		return m.mapAccount(rec, mp)
	}
	return m.mapTrade(rec, mp)
}

// unsupported names the business and why it is refused.
func unsupported(code, why string) error {
	return &mapErr{CodeUnsupported, fmt.Sprintf("business %s (%s) is not supported: %s", code, ofd.BusinessName(code), why)}
}

// ---- 01 account applications

func (m *Mapper) mapAccount(rec *ofd.Record, mp *Mapping) error {
	switch mp.Business {
	case "001", "008":
	case "003":
		return unsupported(mp.Business, "modify account: re-register the personal data with otc fund investor update")
	case "002", "009":
		return unsupported(mp.Business, "the chain does not close accounts")
	case "004", "005":
		return unsupported(mp.Business, "freezes are made by the TA or the regulator (otc fund freeze)")
	default:
		return unsupported(mp.Business, "no chain counterpart in an account file")
	}
	id, err := investorID(rec)
	if err != nil {
		return err
	}
	mp.Investor = id
	typ, err := investorType(rec.Value("IndividualOrInstitution"))
	if err != nil {
		return err
	}
	risk, err := clientRisk(rec.Value("ClientRiskRate"))
	if err != nil {
		return err
	}
	assessed, err := fileDate(rec, "TransactionDate")
	if err != nil {
		return err
	}
	if assessed == 0 {
		return fieldErr("TransactionDate is required (it is the risk assessment date)")
	}
	expires := fund.Date(int32(assessed) + int32(m.o.KYCYears)*10000)
	if !expires.Valid() { // 29 February
		expires = fund.Date(int32(expires) - 1)
	}
	name := rec.Value("InvestorName")
	if strings.TrimSpace(name) == "" {
		return fieldErr("InvestorName is required")
	}
	idNo := rec.Value("CertificateNo")
	if strings.TrimSpace(idNo) == "" {
		return fieldErr("CertificateNo is required")
	}
	mp.Register = &KYC{ID: id, Type: typ, Risk: risk, Assessed: assessed, Expires: expires}
	mp.Personal = fund.PersonalData{Name: name, IDType: certType(typ, rec.Value("CertificateType")), IDNumber: idNo,
		Phone: firstOf(rec, "MobileTelNo", "TelNo", "HomeTelNo", "OfficeTelNo"), Address: address(rec)}
	// The application number travels to the account (and back in the 02
	// confirmation as AppSheetSerialNo).
	open := &fund.OpenAccount{Investor: id, Manager: m.manager, AppNo: mp.Serial}
	if err := open.Validate(); err != nil {
		return fieldErr("%v", err)
	}
	if err := mp.Register.RegisterMsg().Validate(); err != nil && !strings.Contains(err.Error(), "personal") {
		return fieldErr("%v", err)
	}
	return mp.setMsg(fund.TypeOpenAccount, open)
}

func investorID(rec *ofd.Record) (string, error) {
	id := rec.Value("TransactionAccountID")
	if id == "" {
		return "", fieldErr("TransactionAccountID is required (it is the chain's investor id)")
	}
	if !validID(id) {
		return "", fieldErr("TransactionAccountID %q: the chain's investor ids are 1 to %d of A-Z a-z 0-9 - _", id, fund.MaxIDLen)
	}
	return id, nil
}

// investorType maps IndividualOrInstitution: 0 institution, 1 individual,
// 2 product (an institution for KYC).
func investorType(v string) (string, error) {
	switch v {
	case "1":
		return fund.InvestorIndividual, nil
	case "0", "2":
		return fund.InvestorInstitution, nil
	}
	return "", fieldErr("IndividualOrInstitution %q: want 0 (institution), 1 (individual) or 2 (product)", v)
}

// clientRisk maps ClientRiskRate 1..5 to C1..C5.
func clientRisk(v string) (fund.InvestorRisk, error) {
	if len(v) == 1 && v[0] >= '1' && v[0] <= '5' {
		return fund.InvestorRisk(v[0] - '0'), nil
	}
	return 0, fieldErr("ClientRiskRate %q: want 1 to 5 (C1 conservative .. C5 aggressive)", v)
}

// certType names the certificate type of CertificateType for the sealed
// personal data.
func certType(investorType, v string) string {
	if investorType == fund.InvestorIndividual {
		switch v {
		case "0":
			return "resident_id"
		case "1":
			return "passport"
		case "4":
			return "hk_macau_permit"
		case "6":
			return "foreign_passport"
		case "A":
			return "taiwan_permit"
		}
		return "ofd_individual_" + v
	}
	switch v {
	case "0":
		return "organisation_code"
	case "1":
		return "business_licence"
	}
	return "ofd_institution_" + v
}

func firstOf(rec *ofd.Record, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(rec.Value(n)); v != "" {
			return v
		}
	}
	return ""
}

func address(rec *ofd.Record) string {
	a := strings.TrimSpace(rec.Value("Address"))
	if pc := strings.TrimSpace(rec.Value("PostCode")); pc != "" && a != "" {
		a += " " + pc
	}
	return a
}

// ---- 03 trade applications

func (m *Mapper) mapTrade(rec *ofd.Record, mp *Mapping) error {
	switch mp.Business {
	case "020", "022", "024", "029", "052":
	case "036", "037", "038":
		return unsupported(mp.Business, "fund switches are outside the fund module")
	case "026", "027", "028":
		return unsupported(mp.Business, "transfers between channels are outside the fund module")
	default:
		return unsupported(mp.Business, "no chain counterpart")
	}
	if !validID(mp.Serial) {
		return fieldErr("AppSheetSerialNo %q: the chain's application numbers are 1 to %d of A-Z a-z 0-9 - _", mp.Serial, fund.MaxIDLen)
	}
	if err := m.checkDate(rec, mp); err != nil {
		return err
	}
	if m.o.Channel != "" {
		mp.OrderID = m.o.Channel + ":" + mp.Serial
	}
	if mp.Business == "052" {
		orig := rec.Value("OriginalAppSheetNo")
		if !validID(orig) {
			return fieldErr("OriginalAppSheetNo %q: a cancellation names the application it cancels", orig)
		}
		if id := rec.Value("TransactionAccountID"); id != "" {
			mp.Investor = id
		}
		return mp.setMsg(fund.TypeCancel, &fund.CancelOrder{AppNo: mp.Serial, Original: orig})
	}
	id, err := investorID(rec)
	if err != nil {
		return err
	}
	mp.Investor = id
	base := fund.OrderBase{AppNo: mp.Serial, Investor: id, Fund: rec.Value("FundCode")}
	switch mp.Business {
	case "020", "022":
		a, err := fund.ParseAmount(rec.Value("ApplicationAmount"))
		if err != nil || a <= 0 {
			return fieldErr("ApplicationAmount %q: a subscription or purchase needs a positive amount", rec.Value("ApplicationAmount"))
		}
		o := &fund.SubscribeOrder{OrderBase: base, Amount: a}
		if mp.Business == "020" {
			return mp.setMsg(fund.TypeSubscribe, o)
		}
		return mp.setMsg(fund.TypePurchase, (*fund.PurchaseOrder)(o))
	case "024":
		s, err := fund.ParseShares(rec.Value("ApplicationVol"))
		if err != nil || s <= 0 {
			return fieldErr("ApplicationVol %q: a redemption needs positive shares", rec.Value("ApplicationVol"))
		}
		return mp.setMsg(fund.TypeRedeem, &fund.RedeemOrder{OrderBase: base, Shares: s})
	default: // 029
		var method string
		switch rec.Value("DefDividendMethod") {
		case "0":
			method = fund.DividendReinvest
		case "1":
			method = fund.DividendCash
		default:
			return fieldErr("DefDividendMethod %q: want 0 (reinvest) or 1 (cash)", rec.Value("DefDividendMethod"))
		}
		return mp.setMsg(fund.TypeSetDividendMethod, &fund.DividendMethodOrder{OrderBase: base, Method: method})
	}
}

// checkDate compares TransactionDate with the chain's trade date.
func (m *Mapper) checkDate(rec *ofd.Record, mp *Mapping) error {
	if m.o.TradeDate == 0 {
		return nil
	}
	d, err := fileDate(rec, "TransactionDate")
	if err != nil {
		return err
	}
	if d == m.o.TradeDate {
		return nil
	}
	msg := fmt.Sprintf("TransactionDate %s is not the chain's current trade date %s (the chain dates an order by its block time)", d, m.o.TradeDate)
	if d == 0 {
		msg = fmt.Sprintf("TransactionDate is blank; the chain's current trade date is %s", m.o.TradeDate)
	}
	if m.o.AnyDate {
		mp.Warning = msg + "; sent anyway: the chain dates it " + m.o.TradeDate.String() + " or later"
		return nil
	}
	return &mapErr{CodeTradeDate, msg}
}

func fileDate(rec *ofd.Record, name string) (fund.Date, error) {
	t, err := rec.Date(name)
	if err != nil {
		return 0, fieldErr("%s: %v", name, err)
	}
	if t.IsZero() {
		return 0, nil
	}
	return fund.NewDate(t.Year(), t.Month(), t.Day())
}

func (mp *Mapping) setMsg(typ string, v interface{ Validate() error }) error {
	if err := v.Validate(); err != nil {
		return fieldErr("%v", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	mp.Msg = &tx.Any{Type: typ, Value: b}
	return nil
}

// validID is the fund module's id rule: 1 to 32 of A-Z a-z 0-9 - _.
func validID(s string) bool {
	if s == "" || len(s) > fund.MaxIDLen {
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
