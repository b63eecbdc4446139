package fund

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Module is the fund module.
type Module struct{}

// New returns the fund module.
func New() *Module { return &Module{} }

var (
	_ module.Module     = (*Module)(nil)
	_ module.EndBlocker = (*Module)(nil)
)

// Name implements module.Module.
func (*Module) Name() string { return "fund" }

// Codes implements module.Module.
func (*Module) Codes() *module.Codes { return Codes }

var (
	channels   = []module.Role{module.RoleReseller, module.RoleFundManager}
	managers   = []module.Role{module.RoleFundManager}
	custodians = []module.Role{module.RoleCustodian}
	regulators = []module.Role{module.RoleRegulator}
)

// Msgs implements module.Module: the role column of each message is the
// first gate; handlers then check the organisation (the investor's channel,
// the fund's manager or custodian).
func (m *Module) Msgs() []module.MsgSpec {
	return []module.MsgSpec{
		module.Spec(TypeRegisterInvestor, channels, true, registerInvestor),
		module.Spec(TypeUpdateInvestor, channels, true, updateInvestor),
		module.Spec(TypeSharePersonal, channels, true, sharePersonal),
		module.Spec(TypeOpenAccount, channels, true, openAccount),
		module.Spec(TypeAcknowledgeRisk, []module.Role{module.RoleInvestor, module.RoleReseller, module.RoleFundManager}, true, acknowledgeRisk),
		module.Spec(TypeRegisterFund, managers, false, registerFund),
		module.Spec(TypeUpdateTerms, managers, false, updateTerms),
		module.Spec(TypeSetFundStatus, managers, false, setFundStatus),
		module.Spec(TypeAuthoriseReseller, managers, true, authoriseReseller),
		module.Spec(TypeSetCalendar, regulators, false, setCalendar),
		module.Spec(TypePublishNAV, managers, true, publishNAV),
		module.Spec(TypeCosignNAV, custodians, true, cosignNAV),
		module.Spec(TypeSubscribe, channels, true, subscribe),
		module.Spec(TypePurchase, channels, true, purchase),
		module.Spec(TypeRedeem, channels, true, redeem),
		module.Spec(TypeCancel, channels, true, cancel),
		module.Spec(TypeSetDividendMethod, channels, true, setDividendMethod),
		module.Spec(TypeDeclareDividend, managers, false, declareDividend),
		module.Spec(TypeFreeze, []module.Role{module.RoleFundManager, module.RoleRegulator}, true, freeze),
		module.Spec(TypeUnfreeze, []module.Role{module.RoleFundManager, module.RoleRegulator}, true, unfreeze),
	}
}

// Genesis is the module's genesis section.
type Genesis struct {
	Calendar *Calendar    `json:"calendar,omitempty"`
	Params   *Params      `json:"params,omitempty"`
	Funds    []GenesisFun `json:"funds,omitempty"`
}

// GenesisFun is a fund registered at genesis: in its offering period, or
// already open with a final NAV (a fund migrated onto the chain).
type GenesisFun struct {
	RegisterFund
	Status      string `json:"status,omitempty"` // offering (default) or open
	Established Date   `json:"established,omitempty"`
	NAV         NAV    `json:"nav,omitempty"`
	NAVDate     Date   `json:"nav_date,omitempty"`
}

// Params are the module's consensus parameters.
type Params struct {
	// ChunkSize bounds the orders (or holdings, for dividends) the end-block
	// processes per block; the rest continue in the next blocks.
	ChunkSize int `json:"chunk_size"`
}

// DefaultParams are used when genesis sets none.
func DefaultParams() Params { return Params{ChunkSize: 20000} }

// InitGenesis implements module.Module.
func (m *Module) InitGenesis(ctx *module.Context, kv module.KV, raw json.RawMessage) error {
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return ErrInvalidRequest.Wrapf("fund genesis: %v", err)
	}
	p := DefaultParams()
	if g.Params != nil {
		p = *g.Params
	}
	if p.ChunkSize < 1 || p.ChunkSize > 1000000 {
		return ErrInvalidRequest.Wrapf("fund genesis: chunk_size must be 1 to 1000000")
	}
	if err := module.PutJSON(kv, []byte("params"), p); err != nil {
		return err
	}
	if g.Calendar != nil {
		if err := module.PutJSON(kv, calKey(), g.Calendar); err != nil {
			return err
		}
	}
	for i := range g.Funds {
		gf := &g.Funds[i]
		if err := gf.RegisterFund.Validate(); err != nil {
			return ErrInvalidRequest.Wrapf("fund genesis: fund %d: %v", i, err)
		}
		sctx := *ctx
		sctx.Signer = module.Identity{Org: gf.Manager, Role: module.RoleFundManager}
		if _, err := registerFund(&sctx, kv, &gf.RegisterFund); err != nil {
			return ErrInvalidRequest.Wrapf("fund genesis: fund %s: %v", gf.Code, err)
		}
		switch gf.Status {
		case "", StatusOffering:
		case StatusOpen:
			if !gf.Established.Valid() || !gf.NAVDate.Valid() || gf.NAV <= 0 {
				return ErrInvalidRequest.Wrapf("fund genesis: open fund %s needs established, nav and nav_date", gf.Code)
			}
			f, err := getFund(kv, gf.Code)
			if err != nil {
				return err
			}
			f.Status, f.Established, f.LastNAV, f.LastNAVDate = StatusOpen, gf.Established, gf.NAV, gf.NAVDate
			if err := module.PutJSON(kv, fundKey(f.Code), f); err != nil {
				return err
			}
			if err := module.PutJSON(kv, navKey(f.Code, gf.NAVDate), &NAVRecord{Fund: f.Code, Date: gf.NAVDate, NAV: gf.NAV, Status: "final", Publisher: "genesis"}); err != nil {
				return err
			}
		default:
			return ErrInvalidRequest.Wrapf("fund genesis: fund %s: status must be offering or open", gf.Code)
		}
	}
	return nil
}

func getParams(kv module.KVReader) (Params, error) {
	p := DefaultParams()
	_, err := module.GetJSON(kv, []byte("params"), &p)
	return p, err
}

// ---- shared checks

func members(ctx *module.Context) module.KVReader { return ctx.Peer("member") }

// orgType returns the type of an organisation.
func orgType(kv module.KVReader, org string) (module.OrgType, error) {
	o, err := member.GetOrg(kv, org)
	if err != nil {
		if module.AsError(err) != nil {
			return "", ErrInvalidRequest.Wrapf("no organisation %q", org)
		}
		return "", err
	}
	return o.Type, nil
}

// channelOf checks that the signer acts for a channel (a reseller, or a
// fund manager's direct sales) and returns its organisation.
func channelOf(ctx *module.Context) (string, error) {
	t, err := orgType(members(ctx), ctx.Signer.Org)
	if err != nil {
		return "", err
	}
	if t != module.OrgReseller && t != module.OrgFundManager {
		return "", ErrNotPermitted.Wrapf("organisation %q is a %s, not a sales channel", ctx.Signer.Org, t)
	}
	if err := orgNotFrozen(ctx); err != nil {
		return "", err
	}
	return ctx.Signer.Org, nil
}

// isRegulator says whether an identity acts for the regulator.
func isRegulator(kv module.KVReader, who module.Identity) bool {
	if who.Role == module.RoleRegulator {
		return true
	}
	t, err := orgType(kv, who.Org)
	return err == nil && who.Role == module.RoleAdmin && t == module.OrgRegulator
}

func getFund(kv module.KVReader, code string) (*Fund, error) {
	f, ok, err := fundMemo.get(kv, fundKey(code))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrUnknownFund.Wrapf("no fund %s", code)
	}
	return &f, nil
}

func getInvestor(kv module.KVReader, id string) (*Investor, error) {
	inv, ok, err := investorMemo.get(kv, investorKey(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrUnknownInvestor.Wrapf("no investor %s", id)
	}
	return &inv, nil
}

func getCalendar(kv module.KVReader) (Calendar, error) {
	c, ok, err := calendarMemo.get(kv, calKey())
	if err != nil {
		return Calendar{}, err
	}
	if !ok {
		return Calendar{}, ErrCalendar.Wrapf("no trading calendar is set")
	}
	return c, nil
}

// CalendarOf returns the trading calendar in the fund module's state, kv
// being that state (another module reads it through Context.Peer("fund")).
// It returns ErrCalendar when none is set.
func CalendarOf(kv module.KVReader) (Calendar, error) { return getCalendar(kv) }

// tradeDate is the trade date of the block: today before 15:00 China time
// on a trading day, else the next trading day.
func tradeDate(ctx *module.Context, kv module.KVReader) (Date, Calendar, error) {
	cal, err := getCalendar(kv)
	if err != nil {
		return 0, cal, err
	}
	d, err := TradeDate(ctx.Time, cal)
	if err != nil {
		return 0, cal, ErrCalendar.Wrapf("%v", err)
	}
	return d, cal, nil
}

// Statement returns the bytes a party signs for a fund-module statement:
// "otcchain/fund/<kind>/v1" then each part on its own line. Parts are ids,
// dates and fixed-point numbers, which never contain a newline.
func Statement(kind string, parts ...string) []byte {
	return []byte("otcchain/fund/" + kind + "/v1\n" + strings.Join(parts, "\n"))
}

// NAVStatement is what the manager and the custodian sign for a NAV.
func NAVStatement(chainID, fund string, date Date, nav NAV) []byte {
	return Statement("nav", chainID, fund, date.String(), nav.String())
}

// OrderStatement is what an investor signs for an order: the channel, the
// message type, the application number, the fund and the quantity (amount,
// shares or dividend method; for a cancellation, the original app no).
func OrderStatement(chainID, channel, msgType, appNo, investor, fund, quantity string) []byte {
	return Statement("order", chainID, channel, msgType, appNo, investor, fund, quantity)
}

// RiskAckStatement is what an investor signs to acknowledge a fund's risk
// disclosure.
func RiskAckStatement(chainID, investor, fund, disclosureHash string) []byte {
	return Statement("risk-ack", chainID, investor, fund, disclosureHash)
}

// verifyBy checks a hex signature by a registered identity over msg.
func verifyBy(kv module.KVReader, identity string, msg []byte, sigHex string) error {
	rec, err := member.GetRecord(kv, identity)
	if err != nil {
		return err
	}
	if rec.Status != member.StatusActive {
		return ErrInvestorSignature.Wrapf("identity %s is %s", identity, rec.Status)
	}
	return verifyKey(rec.Algorithm, rec.PublicKey, msg, sigHex)
}

func verifyKey(alg string, pub, msg []byte, sigHex string) error {
	if !crypto.VerifyHex(alg, pub, msg, sigHex) {
		return ErrBadSignature.Wrapf("signature by a %s key does not verify", alg)
	}
	return nil
}

func sortedInsert(list []string, s string) []string {
	i, found := slices.BinarySearch(list, s)
	if found {
		return list
	}
	return slices.Insert(list, i, s)
}
