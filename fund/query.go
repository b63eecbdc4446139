package fund

import (
	"strconv"
	"strings"

	"github.com/otcchain/otcchain/module"
)

// Queries implements module.Module. Paths (under GET /v1/q/fund/...):
//
//	calendar                              public: the trading calendar
//	funds, funds/{code}                   public: products, terms, status, last NAV
//	funds/{code}/navs                     public: NAV history (both signatures); ?limit=: {"items", "truncated"}
//	funds/{code}/dividends                public: declared dividends and their totals; ?limit=: {"items", "truncated"}
//	funds/{code}/totals                   the manager, the custodian: shares outstanding, holders, pending
//	funds/{code}/pending                  the manager, the custodian: orders waiting for confirmation by queue date and channel
//	funds/{code}/holders                  the manager: the register (holdings with lots); ?limit=: {"items", "truncated"}
//	funds/{code}/reconciliation/{channel} the manager, the channel: per-channel positions (05 file content)
//	investors/{id}                        the investor, its channel, managers it has an account with
//	investors/{id}/holdings               same
//	investors/{id}/orders                 same; ?status=&from=&to=&limit=: {"items", "truncated"}
//	investors/{id}/statement              same: investor, holdings, orders, dividends
//	orders/{id}                           the investor, the channel, the fund's manager
//	channel-orders/{channel}/{date}       the channel: its orders of a trade date; ?status=&limit=: {"items", "truncated"}
//	jobs                                  any identity: confirmation work in progress; ?limit=: {"items", "truncated"}
//	channel-accounts/{channel}/{date}     the channel, managers (their accounts): accounts opened (02 file)
//	channel-confirmations/{channel}/{date} the channel, managers (their funds): orders confirmed on date (04)
//	funds/{code}/payouts/{date}           the manager, a channel (its investors'): a dividend's payouts (06)
//	accounts/{id}                         the regulator: look-through from a TA account, a transaction
//	                                      account or an investor id to the investor (sealed personal data included)
//
// A regulator reads everything (look-through); the app lets it pass every
// role gate and the checks below let it through too.
func (m *Module) Queries() []module.QuerySpec {
	all := module.AllRoles()
	sales := []module.Role{module.RoleInvestor, module.RoleReseller, module.RoleFundManager}
	return append([]module.QuerySpec{
		module.Query("calendar", func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) (Calendar, error) {
			return getCalendar(kv)
		}).WithPublic(),
		module.Query("funds", queryFunds).WithPublic(),
		module.Query("funds/{code}", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*Fund, error) {
			return getFund(kv, p["code"])
		}).WithPublic(),
		module.Query("funds/{code}/navs", queryNAVs).WithPublic().WithParams(limitParam),
		module.Query("funds/{code}/dividends", queryDividends).WithPublic().WithParams(limitParam),
		module.Query("funds/{code}/totals", queryTotals).WithRoles(module.RoleFundManager, module.RoleCustodian),
		module.Query("funds/{code}/pending", queryPending).WithRoles(module.RoleFundManager, module.RoleCustodian),
		module.Query("funds/{code}/holders", queryHolders).WithRoles(module.RoleFundManager).WithParams(limitParam),
		module.Query("funds/{code}/reconciliation/{channel}", queryReconciliation).WithRoles(module.RoleFundManager, module.RoleReseller),
		module.Query("investors/{id}", func(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*Investor, error) {
			return readableInvestor(qc, kv, p["id"])
		}).WithRoles(sales...),
		module.Query("investors/{id}/holdings", queryHoldings).WithRoles(sales...),
		module.Query("investors/{id}/orders", queryInvestorOrders).WithRoles(sales...).WithParams(orderFilters...),
		module.Query("investors/{id}/risk-acks", queryRiskAcks).WithRoles(sales...),
		module.Query("investors/{id}/statement", queryStatement).WithRoles(sales...).WithParams(orderFilters...),
		module.Query("orders/{id}", queryOrder).WithRoles(sales...),
		module.Query("channel-orders/{channel}/{date}", queryChannelOrders).WithRoles(module.RoleReseller, module.RoleFundManager).WithParams(statusParam, limitParam),
		module.Query("jobs", queryJobs).WithRoles(all...).WithParams(limitParam),
		module.Query("accounts/{id}", queryAccount).WithRoles(module.RoleRegulator),
	}, ofdQueries()...) // query_ofd.go: channel-accounts, channel-confirmations, payouts
}

func regulatorCaller(qc *module.QueryContext) bool {
	return qc.Caller != nil && isRegulator(qc.Peer("member"), *qc.Caller)
}

// readableInvestor returns an investor the caller may read: the investor's
// own identity, its channel, a fund manager it has a TA account with, or a
// regulator.
func readableInvestor(qc *module.QueryContext, kv module.KVReader, id string) (*Investor, error) {
	inv, err := getInvestor(kv, id)
	if err != nil {
		return nil, err
	}
	c := qc.Caller
	switch {
	case regulatorCaller(qc):
	case c.Role == module.RoleInvestor && c.ID == inv.Identity:
	case c.Role != module.RoleInvestor && c.Org == inv.Channel:
	case c.Role == module.RoleFundManager && inv.TAAccounts[c.Org] != "":
	default:
		return nil, ErrNotPermitted.Wrapf("%s %s may not read investor %s", c.Org, c.Role, id)
	}
	return inv, nil
}

func queryFunds(_ *module.QueryContext, kv module.KVReader, _ map[string]string) ([]*Fund, error) {
	out := []*Fund{}
	var err error
	if ierr := kv.Iterate(fundPrefix(), module.PrefixEnd(fundPrefix()), func(_, v []byte) bool {
		var f Fund
		if err = jsonUnmarshal(v, &f); err != nil {
			return false
		}
		out = append(out, &f)
		return true
	}); ierr != nil {
		return nil, ierr
	}
	return out, err
}

func queryNAVs(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*module.List[*NAVRecord], error) {
	if _, err := getFund(kv, p["code"]); err != nil {
		return nil, err
	}
	return listJSON[NAVRecord](kv, navPrefix(p["code"]), limitOf(p))
}

func queryDividends(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*module.List[*Dividend], error) {
	if _, err := getFund(kv, p["code"]); err != nil {
		return nil, err
	}
	return listJSON[Dividend](kv, dividendPrefix(p["code"]), limitOf(p))
}

// fundFor returns a fund the caller manages or keeps in custody (or any, for
// a regulator).
func fundFor(qc *module.QueryContext, kv module.KVReader, code string, custodianToo bool) (*Fund, error) {
	f, err := getFund(kv, code)
	if err != nil {
		return nil, err
	}
	if regulatorCaller(qc) || qc.Caller.Org == f.Manager || (custodianToo && qc.Caller.Org == f.Custodian) {
		return f, nil
	}
	return nil, ErrNotPermitted.Wrapf("%s may not read the register of fund %s", qc.Caller.Org, code)
}

func queryTotals(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*TotalsView, error) {
	f, err := fundFor(qc, kv, p["code"], true)
	if err != nil {
		return nil, err
	}
	var t Totals
	if _, err := module.GetJSON(kv, totalsKey(f.Code), &t); err != nil {
		return nil, err
	}
	return &TotalsView{Fund: f.Code, Shares: t.Shares, Holders: t.Holders, PendingOrders: t.Pending,
		LastNAVDate: f.LastNAVDate, LastNAV: f.LastNAV, Status: f.Status}, nil
}

// TotalsView is the answer of funds/{code}/totals. Fields are in the order
// of their JSON names (the answer was once a map).
type TotalsView struct {
	Fund          string `json:"fund"`
	Holders       int64  `json:"holders"`
	LastNAV       NAV    `json:"last_nav"`
	LastNAVDate   Date   `json:"last_nav_date"`
	PendingOrders int64  `json:"pending_orders"`
	Shares        Shares `json:"shares"`
	Status        string `json:"status"`
}

func queryHolders(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*module.List[*Holding], error) {
	f, err := fundFor(qc, kv, p["code"], false)
	if err != nil {
		return nil, err
	}
	return listJSON[Holding](kv, holdingPrefix(f.Code), limitOf(p))
}

// Position is one line of a channel's share reconciliation (05 file).
type Position struct {
	Investor     string `json:"investor"`
	TAAccount    string `json:"ta_account"`
	TransAccount string `json:"trans_account"`
	Shares       Shares `json:"shares"`
	Available    Shares `json:"available"`
	Pending      Shares `json:"pending"`
	Frozen       Shares `json:"frozen"`
}

func queryReconciliation(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*Reconciliation, error) {
	f, err := getFund(kv, p["code"])
	if err != nil {
		return nil, err
	}
	ch := p["channel"]
	if !regulatorCaller(qc) && qc.Caller.Org != f.Manager && qc.Caller.Org != ch {
		return nil, ErrNotPermitted.Wrapf("%s may not read %s's positions in fund %s", qc.Caller.Org, ch, f.Code)
	}
	pos := []Position{}
	var total Shares
	err = iterateJSON(kv, holdingPrefix(f.Code), 0, func(v []byte) error {
		var h Holding
		if err := jsonUnmarshal(v, &h); err != nil {
			return err
		}
		if h.Channel == ch && h.Shares > 0 {
			pos = append(pos, Position{Investor: h.Investor, TAAccount: h.TAAccount, TransAccount: h.TransAccount,
				Shares: h.Shares, Available: h.Available(), Pending: h.Pending, Frozen: h.Frozen})
			total += h.Shares
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Reconciliation{Fund: f.Code, Channel: ch, NAVDate: f.LastNAVDate, NAV: f.LastNAV,
		Positions: pos, TotalShares: total}, nil
}

// Reconciliation is the answer of funds/{code}/reconciliation/{channel}:
// a channel's positions in a fund (05 file content). Fields are in the
// order of their JSON names (the answer was once a map).
type Reconciliation struct {
	Channel     string     `json:"channel"`
	Fund        string     `json:"fund"`
	NAV         NAV        `json:"nav"`
	NAVDate     Date       `json:"nav_date"`
	Positions   []Position `json:"positions"`
	TotalShares Shares     `json:"total_shares"`
}

func holdingsOf(kv module.KVReader, inv string) ([]*Holding, error) {
	out := []*Holding{}
	pre := holdingIndexPrefix(inv)
	var funds []string
	if err := kv.Iterate(pre, module.PrefixEnd(pre), func(k, _ []byte) bool {
		funds = append(funds, string(k[len(pre):]))
		return true
	}); err != nil {
		return nil, err
	}
	for _, f := range funds {
		var h Holding
		if _, err := module.GetJSON(kv, holdingKey(f, inv), &h); err != nil {
			return nil, err
		}
		out = append(out, &h)
	}
	return out, nil
}

func queryHoldings(qc *module.QueryContext, kv module.KVReader, p map[string]string) ([]*Holding, error) {
	inv, err := readableInvestor(qc, kv, p["id"])
	if err != nil {
		return nil, err
	}
	return holdingsOf(kv, inv.ID)
}

// ordersOf lists an investor's orders, oldest first, filtered by status and
// trade date range.
func ordersOf(kv module.KVReader, inv string, p map[string]string) ([]*Order, error) {
	l, err := orderList(kv, inv, p)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// orderList is an investor's orders, at most ?limit=, saying whether the
// limit cut the list.
func orderList(kv module.KVReader, inv string, p map[string]string) (*module.List[*Order], error) {
	var from, to Date
	var err error
	if s := p["from"]; s != "" {
		if from, err = ParseDate(s); err != nil {
			return nil, ErrInvalidRequest.Wrapf("from: %v", err)
		}
	}
	if s := p["to"]; s != "" {
		if to, err = ParseDate(s); err != nil {
			return nil, ErrInvalidRequest.Wrapf("to: %v", err)
		}
	}
	status := p["status"]
	limit := limitOf(p)
	out := &module.List[*Order]{Items: []*Order{}}
	var ids []string
	pre := investorOrderPrefix(inv)
	if err := kv.Iterate(pre, module.PrefixEnd(pre), func(_, v []byte) bool {
		ids = append(ids, string(v))
		return true
	}); err != nil {
		return nil, err
	}
	for _, id := range ids {
		var o Order
		if _, err := module.GetJSON(kv, orderKey(id), &o); err != nil {
			return nil, err
		}
		if (status != "" && o.Status != status) || (from != 0 && o.TradeDate < from) || (to != 0 && o.TradeDate > to) {
			continue
		}
		if !out.Add(&o, limit) {
			break
		}
	}
	return out, nil
}

// queryRiskAcks lists the risk disclosures the investor acknowledged, one
// per fund (the latest), in fund code order.
func queryRiskAcks(qc *module.QueryContext, kv module.KVReader, p map[string]string) ([]*RiskAck, error) {
	inv, err := readableInvestor(qc, kv, p["id"])
	if err != nil {
		return nil, err
	}
	out := []*RiskAck{}
	pre := ackKey(inv.ID, "")
	if ierr := kv.Iterate(pre, module.PrefixEnd(pre), func(_, v []byte) bool {
		var a RiskAck
		if err = jsonUnmarshal(v, &a); err != nil {
			return false
		}
		out = append(out, &a)
		return true
	}); ierr != nil {
		return nil, ierr
	}
	return out, err
}

func queryInvestorOrders(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*module.List[*Order], error) {
	inv, err := readableInvestor(qc, kv, p["id"])
	if err != nil {
		return nil, err
	}
	return orderList(kv, inv.ID, p)
}

func queryStatement(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*InvestorStatement, error) {
	inv, err := readableInvestor(qc, kv, p["id"])
	if err != nil {
		return nil, err
	}
	hs, err := holdingsOf(kv, inv.ID)
	if err != nil {
		return nil, err
	}
	orders, err := ordersOf(kv, inv.ID, p)
	if err != nil {
		return nil, err
	}
	lines := []StatementLine{}
	payouts := []Payout{}
	for _, h := range hs {
		f, err := getFund(kv, h.Fund)
		if err != nil {
			return nil, err
		}
		v, _ := h.Shares.Value(f.LastNAV, HalfUp)
		lines = append(lines, StatementLine{Holding: h, NAV: f.LastNAV, NAVDate: f.LastNAVDate, Value: v})
		var dvs []Date
		if err := iterateJSON(kv, dividendPrefix(h.Fund), 0, func(b []byte) error {
			var d Dividend
			if err := jsonUnmarshal(b, &d); err != nil {
				return err
			}
			dvs = append(dvs, d.ExDate)
			return nil
		}); err != nil {
			return nil, err
		}
		for _, ex := range dvs {
			var po Payout
			if ok, err := module.GetJSON(kv, payoutKey(h.Fund, ex, inv.ID), &po); err != nil {
				return nil, err
			} else if ok {
				payouts = append(payouts, po)
			}
		}
	}
	return &InvestorStatement{Investor: inv, Holdings: lines, Orders: orders, Dividends: payouts}, nil
}

// InvestorStatement is the answer of investors/{id}/statement: the investor, its
// holdings valued at their fund's last NAV, its orders and its dividend
// payouts. Fields are in the order of their JSON names (the answer was
// once a map).
type InvestorStatement struct {
	Dividends []Payout        `json:"dividends"`
	Holdings  []StatementLine `json:"holdings"`
	Investor  *Investor       `json:"investor"`
	Orders    []*Order        `json:"orders"`
}

// StatementLine is a holding of a statement with its value.
type StatementLine struct {
	*Holding
	NAV     NAV    `json:"nav"`
	NAVDate Date   `json:"nav_date"`
	Value   Amount `json:"value"`
}

func queryOrder(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*Order, error) {
	var o Order
	if ok, err := module.GetJSON(kv, orderKey(p["id"]), &o); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknownOrder.Wrapf("no order %s", p["id"])
	}
	c := qc.Caller
	if regulatorCaller(qc) || (c.Role != module.RoleInvestor && c.Org == o.Channel) {
		return &o, nil
	}
	if c.Role == module.RoleFundManager {
		if f, err := getFund(kv, o.Fund); err == nil && f.Manager == c.Org {
			return &o, nil
		}
	}
	if c.Role == module.RoleInvestor {
		if inv, err := getInvestor(kv, o.Investor); err == nil && inv.Identity == c.ID {
			return &o, nil
		}
	}
	return nil, ErrNotPermitted.Wrapf("%s %s may not read order %s", c.Org, c.Role, o.ID)
}

func queryChannelOrders(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*module.List[*Order], error) {
	ch := p["channel"]
	if !regulatorCaller(qc) && qc.Caller.Org != ch {
		return nil, ErrNotPermitted.Wrapf("%s may not read %s's orders", qc.Caller.Org, ch)
	}
	d, err := ParseDate(p["date"])
	if err != nil {
		return nil, ErrInvalidRequest.Wrapf("date: %v", err)
	}
	out := &module.List[*Order]{Items: []*Order{}}
	limit := limitOf(p)
	pre := channelOrderPrefix(ch, d)
	var ids []string
	if err := kv.Iterate(pre, module.PrefixEnd(pre), func(_, v []byte) bool {
		ids = append(ids, string(v))
		return true
	}); err != nil {
		return nil, err
	}
	for _, id := range ids {
		var o Order
		if _, err := module.GetJSON(kv, orderKey(id), &o); err != nil {
			return nil, err
		}
		if s := p["status"]; s != "" && o.Status != s {
			continue
		}
		if !out.Add(&o, limit) {
			break
		}
	}
	return out, nil
}

func queryJobs(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*module.List[*Job], error) {
	return listJSON[Job](kv, jobPrefix(), limitOf(p))
}

// Query limits.
const (
	DefaultLimit = 1000
	MaxLimit     = 100000
)

// Query parameters of the list queries.
var (
	limitParam  = module.LimitParam(DefaultLimit, MaxLimit)
	statusParam = module.QueryParam{Name: "status", Description: "only the orders of this status: pending, confirmed, failed or cancelled"}
	// orderFilters are those of an investor's orders (orderList).
	orderFilters = []module.QueryParam{statusParam,
		{Name: "from", Description: "only the orders of this trade date or later, YYYY-MM-DD"},
		{Name: "to", Description: "only the orders of this trade date or earlier, YYYY-MM-DD"},
		limitParam}
)

func limitOf(p map[string]string) int {
	n, err := strconv.Atoi(p["limit"])
	if err != nil || n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// listJSON decodes the values under prefix, at most limit of them, into a
// list that says whether the limit cut it.
func listJSON[T any](kv module.KVReader, pre []byte, limit int) (*module.List[*T], error) {
	out := &module.List[*T]{Items: []*T{}}
	var err error
	if ierr := kv.Iterate(pre, module.PrefixEnd(pre), func(_, v []byte) bool {
		var x T
		if err = jsonUnmarshal(v, &x); err != nil {
			return false
		}
		return out.Add(&x, limit)
	}); ierr != nil {
		return nil, ierr
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// iterateJSON calls fn for each value under prefix, at most limit (0: all).
func iterateJSON(kv module.KVReader, pre []byte, limit int, fn func(v []byte) error) error {
	var err error
	n := 0
	if ierr := kv.Iterate(pre, module.PrefixEnd(pre), func(_, v []byte) bool {
		if err = fn(v); err != nil {
			return false
		}
		n++
		return limit == 0 || n < limit
	}); ierr != nil {
		return ierr
	}
	return err
}

// OutcomeQuery implements module.OutcomeAccess: a confirmation is read like
// its order, a payout like its investor.
func (m *Module) OutcomeQuery(key string) (string, bool) {
	kind, rest, _ := strings.Cut(key, "/")
	switch kind {
	case "confirmation":
		return "orders/" + rest, rest != ""
	case "payout":
		parts := strings.Split(rest, "/")
		if len(parts) != 3 || parts[2] == "" {
			return "", false
		}
		return "investors/" + parts[2], true
	}
	return "", false
}

// queryAccount is the regulator's look-through: any account id — a TA
// account (12 digits), a transaction account (17 digits) or an investor id —
// maps to the investor record, whose sealed personal data the regulator
// opens with its own key (otc fund investor show --decrypt).
func queryAccount(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*AccountLookup, error) {
	if !regulatorCaller(qc) {
		return nil, ErrNotPermitted.Wrapf("look-through is for the regulator")
	}
	id := p["id"]
	kind, investor := "investor", id
	var ta TAAccount
	if ok, err := module.GetJSON(kv, taKey(id), &ta); err != nil {
		return nil, err
	} else if ok {
		kind, investor = "ta_account", ta.Investor
	} else if b, err := kv.Get(transKey(id)); err != nil {
		return nil, err
	} else if b != nil {
		kind, investor = "trans_account", string(b)
	}
	inv, err := getInvestor(kv, investor)
	if err != nil {
		return nil, ErrUnknownInvestor.Wrapf("no TA account, transaction account or investor %s", id)
	}
	return &AccountLookup{Account: id, Kind: kind, Investor: inv}, nil
}

// AccountLookup is the answer of accounts/{id}: the account asked for, its
// kind (ta_account, trans_account or investor) and its investor. Fields
// are in the order of their JSON names (the answer was once a map).
type AccountLookup struct {
	Account  string    `json:"account"`
	Investor *Investor `json:"investor"`
	Kind     string    `json:"kind"`
}
