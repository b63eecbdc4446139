package fund

import (
	"encoding/binary"
	"strconv"

	"github.com/otcchain/otcchain/module"
)

// Reads for the TA's answer files (GB/T 39595 02 account confirmations, 04
// trade confirmations, 06 dividends; package ofd/chain builds the files).
// Two indexes, written when the record is made, find a channel's business
// of one date without scanning:
//
//	ad/<channel>/<date>/<ta account>      -> empty (accounts opened on date, China date of the block)
//	cd/<channel>/<conf date>/<seq>        -> order id (orders confirmed, failed or cancelled on conf date)
func accountDateKey(ch string, d Date, ta string) []byte {
	return []byte("ad/" + ch + "/" + dateKey(d) + "/" + ta)
}
func accountDatePrefix(ch string, d Date) []byte { return []byte("ad/" + ch + "/" + dateKey(d) + "/") }
func confirmDateKey(ch string, d Date, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(confirmDatePrefix(ch, d), seq)
}
func confirmDatePrefix(ch string, d Date) []byte { return []byte("cd/" + ch + "/" + dateKey(d) + "/") }

// indexAccountOpened records that ta was opened on date d.
func indexAccountOpened(kv module.KV, ta *TAAccount, d Date) error {
	return kv.Set(accountDateKey(ta.Channel, d, ta.ID), []byte{})
}

// indexConfirmation records o under its confirmation date.
func indexConfirmation(kv module.KV, o *Order) error {
	if o.Confirmation == nil {
		return nil
	}
	return kv.Set(confirmDateKey(o.Channel, o.Confirmation.Date, o.Seq), []byte(o.ID))
}

// AccountConfirmation is one account opened on a date (a 02 record): the TA
// account with what the file needs of its investor.
type AccountConfirmation struct {
	TAAccount
	TransAccount string `json:"trans_account"`
	InvestorType string `json:"investor_type"`
	Date         Date   `json:"date"`
}

// channelReader checks that the caller may read channel ch's business of a
// date: the regulator and the channel itself read everything, a fund manager
// reads what concerns it (manager != "": the caller's organisation, the
// records are filtered by it).
func channelReader(qc *module.QueryContext, ch string) (manager string, err error) {
	switch c := qc.Caller; {
	case regulatorCaller(qc), c.Org == ch:
		return "", nil
	case c.Role == module.RoleFundManager:
		return c.Org, nil
	default:
		return "", ErrNotPermitted.Wrapf("%s may not read %s's business", c.Org, ch)
	}
}

// ofdQueries are the reads above, registered in Queries.
func ofdQueries() []module.QuerySpec {
	sellers := []module.Role{module.RoleReseller, module.RoleFundManager}
	return []module.QuerySpec{
		module.Query("channel-accounts/{channel}/{date}", queryChannelAccounts).WithRoles(sellers...).WithParams(limitParam),
		module.Query("channel-confirmations/{channel}/{date}", queryChannelConfirmations).WithRoles(sellers...).WithParams(module.QueryParam{Name: "after", Integer: true, Description: "only the confirmations after this sequence number (page on from the last one seen)"}, limitParam),
		module.Query("funds/{code}/payouts/{date}", queryPayouts).WithRoles(sellers...).WithParams(module.QueryParam{Name: "channel", Description: "only the payouts of this channel's investors (a channel always reads its own)"}),
	}
}

// queryChannelAccounts: channel-accounts/{channel}/{date}: the TA accounts
// opened through the channel on the date, oldest first; a fund manager sees
// the accounts it keeps.
func queryChannelAccounts(qc *module.QueryContext, kv module.KVReader, p map[string]string) ([]AccountConfirmation, error) {
	ch := p["channel"]
	mgr, err := channelReader(qc, ch)
	if err != nil {
		return nil, err
	}
	d, err := ParseDate(p["date"])
	if err != nil {
		return nil, ErrInvalidRequest.Wrapf("date: %v", err)
	}
	pre := accountDatePrefix(ch, d)
	var ids []string
	if err := kv.Iterate(pre, module.PrefixEnd(pre), func(k, _ []byte) bool {
		ids = append(ids, string(k[len(pre):]))
		return true
	}); err != nil {
		return nil, err
	}
	out := []AccountConfirmation{}
	limit := limitOf(p)
	for _, id := range ids {
		var ta TAAccount
		if ok, err := module.GetJSON(kv, taKey(id), &ta); err != nil {
			return nil, err
		} else if !ok || (mgr != "" && ta.Manager != mgr) {
			continue
		}
		inv, err := getInvestor(kv, ta.Investor)
		if err != nil {
			return nil, err
		}
		out = append(out, AccountConfirmation{TAAccount: ta, TransAccount: inv.TransAccount, InvestorType: inv.Type, Date: d})
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// queryChannelConfirmations: channel-confirmations/{channel}/{date}: the
// channel's orders confirmed (or failed, or cancelled) on the date, in
// submission order; ?after=SEQ&limit=N pages through large days. A fund
// manager sees the orders of its funds.
func queryChannelConfirmations(qc *module.QueryContext, kv module.KVReader, p map[string]string) ([]*Order, error) {
	ch := p["channel"]
	mgr, err := channelReader(qc, ch)
	if err != nil {
		return nil, err
	}
	d, err := ParseDate(p["date"])
	if err != nil {
		return nil, ErrInvalidRequest.Wrapf("date: %v", err)
	}
	pre := confirmDatePrefix(ch, d)
	start := pre
	if s := p["after"]; s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, ErrInvalidRequest.Wrapf("after: %v", err)
		}
		if n == ^uint64(0) {
			return []*Order{}, nil
		}
		start = confirmDateKey(ch, d, n+1)
	}
	type item struct {
		seq uint64
		id  string
	}
	var items []item
	if err := kv.Iterate(start, module.PrefixEnd(pre), func(k, v []byte) bool {
		items = append(items, item{binary.BigEndian.Uint64(k[len(k)-8:]), string(v)})
		return true
	}); err != nil {
		return nil, err
	}
	limit := limitOf(p)
	out := []*Order{}
	funds := map[string]bool{} // fund -> managed by mgr
	for _, it := range items {
		var o Order
		if ok, err := module.GetJSON(kv, orderKey(it.id), &o); err != nil {
			return nil, err
		} else if !ok {
			return nil, ErrUnknownOrder.Wrapf("indexed order %s is missing", it.id)
		}
		if mgr != "" {
			own, seen := funds[o.Fund]
			if !seen {
				f, err := getFund(kv, o.Fund)
				if err != nil {
					return nil, err
				}
				own = f.Manager == mgr
				funds[o.Fund] = own
			}
			if !own {
				continue
			}
		}
		out = append(out, &o)
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// queryPayouts: funds/{code}/payouts/{date}: the payouts of the dividend
// with that ex-date; the manager and the regulator see all, a channel its
// investors' (?channel= filters).
func queryPayouts(qc *module.QueryContext, kv module.KVReader, p map[string]string) ([]*Payout, error) {
	f, err := getFund(kv, p["code"])
	if err != nil {
		return nil, err
	}
	d, err := ParseDate(p["date"])
	if err != nil {
		return nil, ErrInvalidRequest.Wrapf("date: %v", err)
	}
	ch := p["channel"]
	if !regulatorCaller(qc) && qc.Caller.Org != f.Manager {
		if ch != "" && ch != qc.Caller.Org {
			return nil, ErrNotPermitted.Wrapf("%s may not read %s's payouts", qc.Caller.Org, ch)
		}
		ch = qc.Caller.Org
	}
	out := []*Payout{}
	return out, iterateJSON(kv, payoutPrefix(f.Code, d), 0, func(v []byte) error {
		var po Payout
		if err := jsonUnmarshal(v, &po); err != nil {
			return err
		}
		if ch == "" || po.Channel == ch {
			out = append(out, &po)
		}
		return nil
	})
}
