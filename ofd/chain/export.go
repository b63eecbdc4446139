package chain

// Export: the TA's answer files of a date (GB/T 39595 02 account
// confirmations, 04 trade confirmations, 05 share reconciliation, 06
// dividends, 07 fund NAV/status) built from the fund module's records, read
// through the module's queries (the API as the TA or the distributor, or an
// in-process app in tests). See docs/ofd-export.md.

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/ofd"
)

// ExportSource reads the fund module: path is under the module ("funds",
// "channel-confirmations/rs-bank/2026-03-11", ...), the answer is decoded
// into out like the API's JSON.
type ExportSource interface {
	Query(path string, params map[string]string, out any) error
}

// ExportTypes are the file types Export writes, in index order.
var ExportTypes = []string{"02", "04", "05", "06", "07"}

// Field lists per file type (v20/21 names): what the chain fills truthfully.
var (
	Fields02 = []string{"AppSheetSerialNo", "TransactionCfmDate", "ReturnCode", "TransactionAccountID", "DistributorCode",
		"BusinessCode", "TAAccountID", "TASerialNO", "TransactionDate", "IndividualOrInstitution"}
	Fields04 = []string{"AppSheetSerialNo", "TransactionCfmDate", "CurrencyType", "ConfirmedVol", "ConfirmedAmount", "FundCode",
		"TransactionDate", "TransactionTime", "ReturnCode", "TransactionAccountID", "DistributorCode", "ApplicationVol",
		"ApplicationAmount", "BusinessCode", "TAAccountID", "TASerialNO", "Charge", "AgencyFee", "NAV", "OriginalAppSheetNo",
		"DefDividendMethod", "RefundAmount", "ErrorDetail"}
	Fields05 = []string{"AvailableVol", "TotalVolOfDistributorInTA", "TransactionCfmDate", "FundCode", "TransactionAccountID",
		"DistributorCode", "TAAccountID", "TotalFrozenVol"}
	Fields06 = []string{"BasisforCalculatingDividend", "TransactionCfmDate", "CurrencyType", "VolOfDividendforReinvestment",
		"DividentDate", "DividendAmount", "XRDate", "ConfirmedAmount", "FundCode", "RegistrationDate", "ReturnCode",
		"TransactionAccountID", "DistributorCode", "BusinessCode", "TAAccountID", "DividendPerUnit", "DefDividendMethod", "NAV",
		"DrawBonusUnit"}
	Fields07 = []string{"FundName", "TotalFundVol", "FundCode", "FundStatus", "NAV", "UpdateDate", "CurrencyType",
		"DefDividendMethod", "IPOStartDate", "IPOEndDate", "FaceValue", "MinRedemptionVol", "MinAccountBalance"}
)

// FieldsOf returns the field list of an export type.
func FieldsOf(fileType string) ([]string, error) {
	switch fileType {
	case "02":
		return Fields02, nil
	case "04":
		return Fields04, nil
	case "05":
		return Fields05, nil
	case "06":
		return Fields06, nil
	case "07":
		return Fields07, nil
	}
	return nil, fmt.Errorf("ofd export: file type %q: want one of %s", fileType, strings.Join(ExportTypes, ", "))
}

// ExportOptions say what to export.
type ExportOptions struct {
	Date        fund.Date // the business date D
	Distributor string    // chain organisation of the distributor (the file's receiver)
	TA          string    // chain organisation of the fund manager (the TA, the file's creator)
	Codes       *Codes    // organisation codes; nil: every org is its own code (first 9 characters)
	Version     string    // "21" (default) or "20"
}

// ExportFile is one export file, built in memory.
type ExportFile struct {
	Header  ofd.Header
	Records [][]string // in Header.Fields order
}

// Name is the file's standard name.
func (f *ExportFile) Name() string {
	return ofd.FileName(f.Header.Creator, f.Header.Receiver, f.Header.Date, f.Header.FileType)
}

// exporter carries the per-run context of the record builders.
type exporter struct {
	src      ExportSource
	opt      ExportOptions
	distCode string
	taCode   string
	date     string // YYYYMMDD
}

// ExportCtx is what the record builders need besides the record: the distributor's
// code and the business date.
type ExportCtx struct {
	DistributorCode string
	Date            fund.Date
}

func newExporter(src ExportSource, opt ExportOptions) (*exporter, error) {
	if opt.Version == "" {
		opt.Version = "21"
	}
	if opt.Version != "20" && opt.Version != "21" {
		return nil, fmt.Errorf("ofd export: version %q: 20 or 21", opt.Version)
	}
	if !opt.Date.Valid() {
		return nil, fmt.Errorf("ofd export: no date")
	}
	if opt.Distributor == "" || opt.TA == "" {
		return nil, fmt.Errorf("ofd export: distributor and TA organisations are required")
	}
	x := &exporter{src: src, opt: opt, date: exYMD(opt.Date)}
	var err error
	if x.distCode, err = ExportCode(opt.Codes, opt.Distributor, false); err != nil {
		return nil, err
	}
	if x.taCode, err = ExportCode(opt.Codes, opt.TA, true); err != nil {
		return nil, err
	}
	return x, nil
}

// ExportCode is the file code of organisation org: the code the codes file maps
// to it (the smallest when several do), else org itself cut to 9
// characters. ta chooses the TA table.
func ExportCode(c *Codes, org string, ta bool) (string, error) {
	var m map[string]string
	if c != nil {
		m = c.Distributors
		if ta {
			m = c.TAs
		}
	}
	var found []string
	for code, o := range m {
		if o == org {
			found = append(found, code)
		}
	}
	code := org
	if len(found) > 0 {
		sort.Strings(found)
		code = found[0]
	} else if len(code) > 9 {
		code = code[:9]
	}
	for i := 0; i < len(code); i++ {
		if code[i] <= ' ' || code[i] > '~' {
			return "", fmt.Errorf("ofd export: code %q of %s is not printable ASCII", code, org)
		}
	}
	if code == "" || len(code) > 9 {
		return "", fmt.Errorf("ofd export: code %q of %s: 1 to 9 characters", code, org)
	}
	return code, nil
}

// Export builds the files of the given types (default: all of ExportTypes).
func Export(src ExportSource, opt ExportOptions, types ...string) ([]*ExportFile, error) {
	x, err := newExporter(src, opt)
	if err != nil {
		return nil, err
	}
	if len(types) == 0 {
		types = ExportTypes
	}
	var out []*ExportFile
	for _, t := range types {
		f, err := x.build(t)
		if err != nil {
			return nil, fmt.Errorf("ofd export %s: %w", t, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func (x *exporter) build(t string) (*ExportFile, error) {
	fields, err := FieldsOf(t)
	if err != nil {
		return nil, err
	}
	// The sender and recipient lines are 8 wide, the codes 9: a 9-character
	// code is cut there (the file name and the creator/receiver lines keep it).
	f := &ExportFile{Header: ofd.Header{Version: x.opt.Version, Creator: x.taCode, Receiver: x.distCode, Date: x.date, FileType: t,
		Sender: exCut8(x.taCode), Recipient: exCut8(x.distCode), Fields: slices.Clone(fields)}}
	switch t {
	case "02":
		f.Records, err = x.accounts()
	case "04":
		f.Records, err = x.confirmations()
	case "05":
		f.Records, err = x.reconciliation()
	case "06":
		f.Records, err = x.dividends()
	case "07":
		f.Records, err = x.navs()
	}
	f.Header.Count = len(f.Records)
	return f, err
}

func exCut8(code string) string { return code[:min(len(code), 8)] }

func (x *exporter) ctx() *ExportCtx { return &ExportCtx{DistributorCode: x.distCode, Date: x.opt.Date} }

// accounts: the TA's accounts opened through the distributor on D.
func (x *exporter) accounts() ([][]string, error) {
	var accs []fund.AccountConfirmation
	if err := x.src.Query("channel-accounts/"+x.opt.Distributor+"/"+x.opt.Date.String(), map[string]string{"limit": strconv.Itoa(fund.MaxLimit)}, &accs); err != nil {
		return nil, err
	}
	var out [][]string
	for i := range accs {
		if accs[i].Manager != x.opt.TA {
			continue
		}
		out = append(out, AccountRecord(&accs[i], x.ctx()))
	}
	return out, nil
}

// confirmations: the distributor's orders in the TA's funds confirmed,
// failed or cancelled on D, paged through.
func (x *exporter) confirmations() ([][]string, error) {
	funds, err := x.taFunds()
	if err != nil {
		return nil, err
	}
	var out [][]string
	c := x.ctx()
	after := ""
	for {
		p := map[string]string{"limit": strconv.Itoa(fund.MaxLimit)}
		if after != "" {
			p["after"] = after
		}
		var page []*fund.Order
		if err := x.src.Query("channel-confirmations/"+x.opt.Distributor+"/"+x.opt.Date.String(), p, &page); err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return out, nil
		}
		for _, o := range page {
			if funds[o.Fund] == nil {
				continue
			}
			r, err := ConfirmationRecord(o, c)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		after = strconv.FormatUint(page[len(page)-1].Seq, 10)
	}
}

// taFunds are the TA's funds (all of them: a distributor may hold positions
// in a fund it no longer sells), by code.
func (x *exporter) taFunds() (map[string]*fund.Fund, error) {
	var all []*fund.Fund
	if err := x.src.Query("funds", nil, &all); err != nil {
		return nil, err
	}
	m := map[string]*fund.Fund{}
	for _, f := range all {
		if f.Manager == x.opt.TA {
			m[f.Code] = f
		}
	}
	return m, nil
}

func exSortedCodes(m map[string]*fund.Fund) []string {
	codes := make([]string, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// reconciliation: the distributor's investors' positions in each of the
// TA's funds (current state of the register).
func (x *exporter) reconciliation() ([][]string, error) {
	funds, err := x.taFunds()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, code := range exSortedCodes(funds) {
		var rec struct {
			Positions []fund.Position `json:"positions"`
		}
		if err := x.src.Query("funds/"+code+"/reconciliation/"+x.opt.Distributor, nil, &rec); err != nil {
			return nil, err
		}
		for i := range rec.Positions {
			out = append(out, PositionRecord(code, &rec.Positions[i], x.ctx()))
		}
	}
	return out, nil
}

// dividends: the payouts to the distributor's investors of the TA's
// dividends whose ex-date is D.
func (x *exporter) dividends() ([][]string, error) {
	funds, err := x.taFunds()
	if err != nil {
		return nil, err
	}
	var out [][]string
	accounts := map[string]*fund.Investor{}
	for _, code := range exSortedCodes(funds) {
		var dvs module.List[*fund.Dividend]
		if err := x.src.Query("funds/"+code+"/dividends", map[string]string{"limit": strconv.Itoa(fund.MaxLimit)}, &dvs); err != nil {
			return nil, err
		}
		if dvs.Truncated {
			return nil, fmt.Errorf("fund %s has more than %d dividends; the 06 file cannot be built from one query", code, fund.MaxLimit)
		}
		for _, dv := range dvs.Items {
			if dv.ExDate != x.opt.Date {
				continue
			}
			var pos []*fund.Payout
			if err := x.src.Query("funds/"+code+"/payouts/"+dv.ExDate.String(), map[string]string{"channel": x.opt.Distributor}, &pos); err != nil {
				return nil, err
			}
			if len(pos) == 0 {
				continue // not paid yet (the ex-date's NAV is not final), or no holder of this distributor
			}
			nav, _, err := x.navOn(code, dv.ExDate, true)
			if err != nil {
				return nil, err
			}
			for _, po := range pos {
				inv := accounts[po.Investor]
				if inv == nil {
					inv = &fund.Investor{}
					if err := x.src.Query("investors/"+po.Investor, nil, inv); err != nil {
						return nil, err
					}
					accounts[po.Investor] = inv
				}
				out = append(out, PayoutRecord(code, dv, po, inv.TransAccount, inv.TAAccounts[x.opt.TA], nav, x.ctx()))
			}
		}
	}
	return out, nil
}

// navOn is the fund's final NAV of date d; when d has none and exact is
// false, the last final NAV before d. ok is false when there is none.
func (x *exporter) navOn(code string, d fund.Date, exact bool) (*fund.NAVRecord, bool, error) {
	var list module.List[*fund.NAVRecord]
	if err := x.src.Query("funds/"+code+"/navs", map[string]string{"limit": strconv.Itoa(fund.MaxLimit)}, &list); err != nil {
		return nil, false, err
	}
	navs := list.Items
	var best *fund.NAVRecord
	for _, n := range navs {
		if n.Status != "final" || n.Date > d || (exact && n.Date != d) {
			continue
		}
		if best == nil || n.Date > best.Date {
			best = n
		}
	}
	if best == nil {
		if exact {
			return nil, false, fmt.Errorf("fund %s has no final NAV of %s", code, d)
		}
		return nil, false, nil
	}
	return best, true, nil
}

// navs: the TA's funds the distributor sells, with the NAV of D (or the
// last before D) and the fund's status.
func (x *exporter) navs() ([][]string, error) {
	funds, err := x.taFunds()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, code := range exSortedCodes(funds) {
		f := funds[code]
		if !slices.Contains(f.Resellers, x.opt.Distributor) && f.Manager != x.opt.Distributor {
			continue
		}
		nav, _, err := x.navOn(code, x.opt.Date, false)
		if err != nil {
			return nil, err
		}
		var tot struct {
			Shares fund.Shares `json:"shares"`
		}
		if err := x.src.Query("funds/"+code+"/totals", nil, &tot); err != nil {
			return nil, err
		}
		out = append(out, FundRecord(f, nav, tot.Shares))
	}
	return out, nil
}

// ---- record builders: one fund record to one OFD record (field order of the
// Fields0x lists). They are pure: the same record gives the same bytes.

// CurrencyCNY is the currency code of every record (ISO 4217 numeric).
const CurrencyCNY = "156"

func exYMD(d fund.Date) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%08d", int(d))
}

// TransactionAccountID is the distributor's transaction account of an
// investor: the investor id when it is one (17 digits, as imported from an
// 01 file), else the chain's transaction account.
func FileTransactionAccountID(investor, transAccount string) string {
	if len(investor) == 17 && strings.Trim(investor, "0123456789") == "" {
		return investor
	}
	return transAccount
}

// exIndividualFlag is IndividualOrInstitution: 1 individual, 0 institution;
// blank for a professional investor (the chain does not say which it is).
func exIndividualFlag(typ string) string {
	switch typ {
	case fund.InvestorIndividual:
		return "1"
	case fund.InvestorInstitution:
		return "0"
	}
	return ""
}

// exDividendFlag is DefDividendMethod: 0 reinvest (红利转投), 1 cash (现金红利).
func exDividendFlag(method string) string {
	switch method {
	case fund.DividendReinvest:
		return "0"
	case fund.DividendCash:
		return "1"
	}
	return ""
}

// AccountRecord is the 02 record of an account opening (101, 0000).
func AccountRecord(a *fund.AccountConfirmation, c *ExportCtx) []string {
	return []string{a.AppNo, exYMD(c.Date), fund.RetSuccess, FileTransactionAccountID(a.Investor, a.TransAccount), c.DistributorCode,
		"101", a.ID, a.ID, exYMD(a.Date), exIndividualFlag(a.InvestorType)}
}

// TASerialNo is the TA's serial number of an order's confirmation: the
// chain's order sequence, 20 digits.
func TASerialNo(seq uint64) string { return fmt.Sprintf("%020d", seq) }

// ConfirmationRecord is the 04 record of a processed order: the values the
// chain computed (confirmed volume and amount, NAV, charge), its return code.
func ConfirmationRecord(o *fund.Order, c *ExportCtx) ([]string, error) {
	cf := o.Confirmation
	if cf == nil {
		return nil, fmt.Errorf("order %s has no confirmation", o.ID)
	}
	if ofd.ReturnName(cf.ReturnCode) == "" {
		return nil, fmt.Errorf("order %s: return code %q is not in the standard's table", o.ID, cf.ReturnCode)
	}
	tm, err := exChinaTime(o.Time)
	if err != nil {
		return nil, fmt.Errorf("order %s: %w", o.ID, err)
	}
	orig := ""
	if o.Business == fund.BizCancel {
		orig = o.CancelledBy
	}
	tradeDate := o.TradeDate
	if tradeDate == 0 {
		tradeDate = cf.Date
	}
	return []string{o.AppNo, exYMD(cf.Date), CurrencyCNY, cf.Shares.String(), cf.Amount.String(), o.Fund,
		exYMD(tradeDate), tm, cf.ReturnCode, FileTransactionAccountID(o.Investor, o.TransAccount), c.DistributorCode, o.Shares.String(),
		o.Amount.String(), cf.Business, o.TAAccount, TASerialNo(o.Seq), cf.Fee.String(), "0", cf.NAV.String(), orig,
		exDividendFlag(cf.Method), cf.Refund.String(), errorDetail(cf)}, nil
}

// errorDetail is the failure reason, cut to the field's 60 bytes (the
// chain's reasons are ASCII).
func errorDetail(cf *fund.Confirmation) string {
	if cf.ReturnCode == fund.RetSuccess {
		return ""
	}
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, cf.Reason)
	if len(s) > 60 {
		s = s[:60]
	}
	return strings.TrimRight(s, " ")
}

// exChinaTime is HHMMSS (China time) of an RFC 3339 block time.
func exChinaTime(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", fmt.Errorf("time %q: %w", s, err)
	}
	return t.In(time.FixedZone("UTC+8", 8*3600)).Format("150405"), nil
}

// PositionRecord is the 05 record of one investor's position in a fund.
func PositionRecord(code string, p *fund.Position, c *ExportCtx) []string {
	return []string{p.Available.String(), p.Shares.String(), exYMD(c.Date), code, FileTransactionAccountID(p.Investor, p.TransAccount),
		c.DistributorCode, p.TAAccount, p.Frozen.String()}
}

// DrawBonus is the dividend unit and the dividend per unit of a per-share
// dividend (4 decimals): per 10 shares when that is exact in fen, else per
// 100 shares (always exact).
func DrawBonus(ps fund.DividendPerShare) (unit string, perUnit string) {
	if ps%10 == 0 {
		return "10", fund.Amount(ps / 10).String()
	}
	return "100", fund.Amount(ps).String()
}

// PayoutRecord is the 06 record of one investor's payout (143, 0000).
// ConfirmedAmount is the cash actually paid (0 when reinvested);
// DividendAmount the dividend whatever its method.
func PayoutRecord(code string, dv *fund.Dividend, po *fund.Payout, transAccount, taAccount string, nav *fund.NAVRecord, c *ExportCtx) []string {
	paid := po.Cash
	if po.Method == fund.DividendReinvest {
		paid = 0
	}
	unit, perUnit := DrawBonus(dv.PerShare)
	return []string{po.Shares.String(), exYMD(c.Date), CurrencyCNY, po.Reinvested.String(), exYMD(dv.PayDate), po.Cash.String(),
		exYMD(dv.ExDate), paid.String(), code, exYMD(dv.RecordDate), fund.RetSuccess, FileTransactionAccountID(po.Investor, transAccount),
		c.DistributorCode, fund.BizDividendPayment, taAccount, perUnit, exDividendFlag(po.Method), nav.NAV.String(), unit}
}

// FundStatus is the 07 FundStatus of a chain status (0 normal, 1 offering,
// 5 purchase suspended, 6 redemption suspended, 9 closed, a terminated).
func FundStatus(status string) string {
	switch status {
	case fund.StatusOpen:
		return "0"
	case fund.StatusOffering:
		return "1"
	case fund.StatusPurchaseSuspended:
		return "5"
	case fund.StatusRedemptionSuspended:
		return "6"
	case fund.StatusClosed:
		return "9"
	case fund.StatusLiquidated:
		return "a"
	}
	return ""
}

// FundRecord is the 07 record of a fund: its NAV of the date (nil: none yet,
// zero NAV and no update date) and status.
func FundRecord(f *fund.Fund, nav *fund.NAVRecord, total fund.Shares) []string {
	v, upd := "0", ""
	if nav != nil {
		v, upd = nav.NAV.String(), exYMD(nav.Date)
	}
	return []string{exGBKCut(f.Name, 40), total.String(), f.Code, FundStatus(f.Status), v, upd, CurrencyCNY,
		exDividendFlag(f.Terms.DividendMethod), exYMD(f.OfferingStart), exYMD(f.OfferingEnd), f.Par.String(),
		f.Terms.MinRedemption.String(), f.Terms.MinHolding.String()}
}

// exGBKCut cuts s to at most n GBK bytes at a character boundary (ASCII is one
// byte, every other GBK character two).
func exGBKCut(s string, n int) string {
	w := 0
	for i, r := range s {
		k := 1
		if r >= 0x80 {
			k = 2
		}
		if w+k > n {
			return s[:i]
		}
		w += k
	}
	return s
}
