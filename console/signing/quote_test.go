package signing

import (
	"encoding/json"
	"strings"
	"testing"
)

// fundJSON is fund 000001 as GET /v1/q/fund/funds/000001 answers on otc dev.
const fundJSON = `{"code":"000001","name":"Alpha Balanced Hybrid Fund A","type":"hybrid","share_class":"A","risk":"R3","manager":"fm-alpha","custodian":"cust-trust","offering_start":"2026-11-07","offering_end":"2026-12-06","rounding":"truncate","terms":{"min_first":"1000.00","min_additional":"100.00","min_redemption":"100.00","min_holding":"100.00","purchase_fees":[{"up_to":"1000000.00","rate":"1.50%"},{"up_to":"5000000.00","rate":"1.00%"},{"fixed":"1000.00"}],"redemption_fees":[{"min_days":0,"rate":"1.50%"},{"min_days":7,"rate":"0.50%"},{"min_days":365,"rate":"0.25%"},{"min_days":730,"rate":"0.00%"}],"dividend_method":"cash"},"par":"1.0000","status":"open","resellers":["rs-bank","rs-broker"],"established":"2026-12-07","last_nav_date":"2026-12-07","last_nav":"1.0000","registered":0}`

// December 2026, weekdays.
const calendarJSON = `{"from":"2026-12-01","to":"2026-12-31","days":["2026-12-01","2026-12-02","2026-12-03","2026-12-04","2026-12-07","2026-12-08","2026-12-09","2026-12-10","2026-12-11","2026-12-14","2026-12-15"]}`

func quote(t *testing.T, typ, at, amount, shares, lots string) (map[string]any, *Error) {
	t.Helper()
	in := `{"type":"` + typ + `","fund":` + fundJSON + `,"calendar":` + calendarJSON + `,"amount":"` + amount + `","shares":"` + shares + `"`
	if at != "" {
		in += `,"business_time":"` + at + `"`
	}
	if lots != "" {
		in += `,"lots":` + lots
	}
	in += `}`
	var out struct {
		OK    map[string]any `json:"ok"`
		Error *Error         `json:"error"`
	}
	if err := json.Unmarshal([]byte(NewSigner().Functions()["quote"](in)), &out); err != nil {
		t.Fatal(err)
	}
	return out.OK, out.Error
}

func TestQuote(t *testing.T) {
	// Before the cut-off: today's trade date, confirmed the next trading
	// day; 1.50% charged on top of the net (10000 / 1.015 = 9852.22).
	q, e := quote(t, "fund/purchase", "2026-12-08T10:00:00+08:00", "10000", "", "")
	if e != nil {
		t.Fatal(e)
	}
	want := map[string]any{"trade_date": "2026-12-08", "confirmation_date": "2026-12-09", "fee": "147.78", "net": "9852.22", "shares": "9852.22", "rate": "1.50%", "nav": "1.0000", "nav_date": "2026-12-07", "estimate": true}
	for k, v := range want {
		if q[k] != v {
			t.Errorf("purchase before the cut-off: %s = %v, want %v (%v)", k, q[k], v, q)
		}
	}
	// After it, and on a Friday evening: the next trading day.
	for at, td := range map[string][2]string{
		"2026-12-08T15:00:00+08:00": {"2026-12-09", "2026-12-10"},
		"2026-12-11T16:00:00+08:00": {"2026-12-14", "2026-12-15"},
		"2026-12-12T10:00:00+08:00": {"2026-12-14", "2026-12-15"},
	} {
		q, e := quote(t, "fund/purchase", at, "10000", "", "")
		if e != nil || q["trade_date"] != td[0] || q["confirmation_date"] != td[1] {
			t.Errorf("purchase at %s: %v %v, want trade date %s, confirmation %s", at, q, e, td[0], td[1])
		}
	}
	// A redemption of a lot held 7 days pays 0.50%.
	q, e = quote(t, "fund/redeem", "2026-12-08T10:00:00+08:00", "", "500", `[{"shares":"1000.00","since":"2026-12-01"}]`)
	if e != nil || q["amount"] != "500.00" || q["fee"] != "2.50" || q["net"] != "497.50" || q["shares"] != "500.00" {
		t.Errorf("redemption: %v %v", q, e)
	}
	if lots, _ := q["lots"].([]any); q["rate"] != "0.50%" || len(lots) != 1 {
		t.Errorf("redemption's rate and lots: %v %v", q["rate"], q["lots"])
	}
	// Lots held for different periods: the rate is per lot.
	q, e = quote(t, "fund/redeem", "2026-12-08T10:00:00+08:00", "", "1500", `[{"shares":"1000.00","since":"2025-01-02"},{"shares":"1000.00","since":"2026-12-01"}]`)
	if lots, _ := q["lots"].([]any); e != nil || len(lots) != 2 || q["rate"] != "0.00%" {
		t.Errorf("redemption of two lots: %v %v", q, e)
	}
	// A subscription is at par and has no trade date.
	q, e = quote(t, "fund/subscribe", "", "10000", "", "")
	if e != nil || q["trade_date"] != nil || q["nav"] != "1.0000" || q["fee"] != "147.78" {
		t.Errorf("subscription: %v %v", q, e)
	}
	// Refusals: each with its code, none panics.
	for _, c := range []struct{ typ, at, amount, shares, lots, code, msg string }{
		{"fund/purchase", "2026-12-08T10:00:00+08:00", "-5", "", "", CodeBadMessage, "amount"},
		{"fund/purchase", "2027-03-01T10:00:00+08:00", "10000", "", "", CodeBadMessage, "trade date"},
		{"fund/redeem", "2026-12-08T10:00:00+08:00", "", "5000", `[{"shares":"1000.00","since":"2026-12-01"}]`, CodeBadMessage, ""},
		{"fund/cancel", "2026-12-08T10:00:00+08:00", "10000", "", "", CodeBadRequest, "unknown order type"},
		{"fund/purchase", "", "10000", "", "", CodeBadRequest, "business time"},
	} {
		_, e := quote(t, c.typ, c.at, c.amount, c.shares, c.lots)
		if e == nil || e.Code != c.code || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s %s %s %s: got %v, want %s", c.typ, c.at, c.amount, c.shares, e, c.code)
		}
	}
}

// TestTradeDate: the signer's tradeDate is fund.TradeDate (the cut-off at
// 15:00 China time, a weekend to the next trading day).
func TestTradeDate(t *testing.T) {
	fn := NewSigner().Functions()["tradeDate"]
	for at, want := range map[string]string{
		"2026-12-08T14:59:59+08:00": "2026-12-08",
		"2026-12-08T15:00:00+08:00": "2026-12-09",
		"2026-12-05T10:00:00+08:00": "2026-12-07",
	} {
		out := fn(`{"calendar":` + calendarJSON + `,"business_time":"` + at + `"}`)
		if out != `{"ok":{"trade_date":"`+want+`"}}` {
			t.Errorf("%s: %s, want %s", at, out, want)
		}
	}
	if out := fn(`{"calendar":` + calendarJSON + `,"business_time":"2027-03-01T10:00:00+08:00"}`); !strings.Contains(out, `"code":"`+CodeBadMessage+`"`) {
		t.Errorf("outside the calendar: %s", out)
	}
}
