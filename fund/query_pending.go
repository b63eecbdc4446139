package fund

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/otcchain/otcchain/module"
)

// PendingDay counts a fund's orders waiting for confirmation of one queue
// date (the trade date; a subscription's is the offering's end) and one
// channel, by business, with their amounts and shares.
type PendingDay struct {
	Date               Date   `json:"date"`
	Channel            string `json:"channel"`
	Orders             int64  `json:"orders"`
	Purchases          int64  `json:"purchases"`
	PurchaseAmount     Amount `json:"purchase_amount"`
	Redemptions        int64  `json:"redemptions"`
	RedemptionShares   Shares `json:"redemption_shares"`
	Subscriptions      int64  `json:"subscriptions"`
	SubscriptionAmount Amount `json:"subscription_amount"`
	Other              int64  `json:"other"` // dividend method changes
}

// PendingView is the answer of funds/{code}/pending: the orders waiting
// for confirmation, by queue date (oldest first) and channel, and their
// total.
type PendingView struct {
	Fund   string       `json:"fund"`
	Days   []PendingDay `json:"days"`
	Orders int64        `json:"orders"`
}

// queryPending: funds/{code}/pending, for the manager and the custodian
// (the NAVs it co-signs start these confirmations). It reads the
// confirmation queue, so the figures are what the next confirmation runs
// will take.
func queryPending(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*PendingView, error) {
	f, err := fundFor(qc, kv, p["code"], true)
	if err != nil {
		return nil, err
	}
	out := &PendingView{Fund: f.Code, Days: []PendingDay{}}
	pre := queueFundPrefix(f.Code)
	type entry struct {
		date string
		id   []byte
	}
	var entries []entry
	if err := kv.Iterate(pre, module.PrefixEnd(pre), func(k, v []byte) bool {
		rest := k[len(pre):]
		if i := bytes.IndexByte(rest, '/'); i == 8 {
			entries = append(entries, entry{string(rest[:8]), bytes.Clone(v)})
		}
		return true
	}); err != nil {
		return nil, err
	}
	index := map[string]int{} // date/channel -> position in out.Days
	for _, e := range entries {
		var o Order
		if ok, err := module.GetJSON(kv, orderKey(string(e.id)), &o); err != nil {
			return nil, err
		} else if !ok || o.Status != OrderPending {
			continue
		}
		d, err := dateFromKey(e.date)
		if err != nil {
			return nil, ErrInvalidRequest.Wrapf("confirmation queue of %s: %v", f.Code, err)
		}
		k := e.date + "/" + o.Channel
		i, seen := index[k]
		if !seen {
			i = len(out.Days)
			index[k] = i
			out.Days = append(out.Days, PendingDay{Date: d, Channel: o.Channel})
		}
		day := &out.Days[i]
		day.Orders++
		out.Orders++
		switch o.Business {
		case BizPurchase:
			day.Purchases++
			if day.PurchaseAmount, err = day.PurchaseAmount.Add(o.Amount); err != nil {
				return nil, err
			}
		case BizRedeem:
			day.Redemptions++
			if day.RedemptionShares, err = day.RedemptionShares.Add(o.Shares); err != nil {
				return nil, err
			}
		case BizSubscribe:
			day.Subscriptions++
			if day.SubscriptionAmount, err = day.SubscriptionAmount.Add(o.Amount); err != nil {
				return nil, err
			}
		default:
			day.Other++
		}
	}
	// The queue is in date order; within a date, channels by name.
	slices.SortStableFunc(out.Days, func(a, b PendingDay) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Channel, b.Channel))
	})
	return out, nil
}
