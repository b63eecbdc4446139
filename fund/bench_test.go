package fund_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

// The benchmarks drive the real app (pebble on disk) through FinalizeBlock
// and Commit as CometBFT does, with orders sent the way a reseller sends its
// day's orders: batch txs of benchItems purchases. Signatures are verified
// in FinalizeBlock here (no CheckTx came first), so the per-order figures
// include one signature check per benchItems orders.
//
//	go test ./fund -run '^$' -bench . -benchtime 100000x
const (
	benchFund      = "000001"
	benchChannel   = "rs-broker/operator" // Ed25519, as the load generator's signers
	benchItems     = 1000                 // orders per batch tx
	benchTxsPerBlk = 10                   // batch txs per block: 10,000 orders
	benchInvestors = 1000                 // investors the orders are spread over
)

// benchGenesis: the scenario calendar and fund 000001 open since 2026-03-09
// (NAV 1.0000 final for that day), sold by rs-broker.
func benchGenesis(chunk int) *fund.Genesis {
	cal := scenarioCalendar()
	rf := defaultFund(benchFund, "fm-alpha")
	rf.Resellers = []string{"rs-broker"}
	return &fund.Genesis{Calendar: &cal, Params: &fund.Params{ChunkSize: chunk}, Funds: []fund.GenesisFun{{
		RegisterFund: *rf, Status: fund.StatusOpen, Established: sdate("2026-03-09"), NAV: mustNAV("1.0000"), NAVDate: sdate("2026-03-09"),
	}}}
}

// signedFor is chain.signed with an expiry far enough ahead for txs built
// before a long run of blocks.
func (h *chain) signedFor(user string, msgs ...tx.Any) []byte {
	h.nonce++
	body := tx.NewBody(msgs, h.height+50)
	body.Nonce = fmt.Sprintf("%016x", h.nonce)
	return fixture.SignTx(h.c.ChainID, h.user(user), body)
}

func batchTx(h *chain, user string, items []tx.Any) []byte {
	bm, err := json.Marshal(tx.Batch{Items: items})
	if err != nil {
		h.t.Fatal(err)
	}
	return h.signedFor(user, tx.Any{Type: tx.BatchMsgType, Value: bm})
}

// mustBlock runs a block and fails on any refused tx or batch item.
func (h *chain) mustBlock(txs ...[]byte) []abci.Event {
	h.t.Helper()
	res, evs := h.block(txs...)
	checkResults(h.t, res)
	return evs
}

func checkResults(t testing.TB, res []*abci.ExecTxResult) {
	t.Helper()
	for i, r := range res {
		if r.Code != 0 {
			t.Fatalf("tx %d refused: %s", i, r.Log)
		}
		var d struct {
			Msgs []struct {
				Data struct {
					Items []tx.ItemResult `json:"items"`
				} `json:"data"`
			} `json:"msgs"`
		}
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatal(err)
		}
		for _, m := range d.Msgs {
			for _, it := range m.Data.Items {
				if it.Code != 0 {
					t.Fatalf("tx %d item %d: %s", i, it.Index, it.Log)
				}
			}
		}
	}
}

func benchInvestorID(i int) string { return fmt.Sprintf("BI%06d", i) }

// setupInvestors registers n investors of the channel (sealed personal data)
// and opens their accounts with fm-alpha, in batch txs.
func setupInvestors(h *chain, n int) {
	h.t.Helper()
	const per = 500
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		var reg, acc []tx.Any
		for i := lo; i < hi; i++ {
			id := benchInvestorID(i)
			m := h.registerInvestorMsg(benchChannel, id, fund.InvestorIndividual, "C4", "", fund.PersonalData{
				Name: "Investor " + id, IDType: "resident_id", IDNumber: fmt.Sprintf("110105199001%06d", i), Phone: "13800000000"})
			reg = append(reg, anyMsg(fund.TypeRegisterInvestor, m))
			acc = append(acc, anyMsg(fund.TypeOpenAccount, fund.OpenAccount{Investor: id, Manager: "fm-alpha"}))
		}
		h.mustBlock(batchTx(h, benchChannel, reg))
		h.mustBlock(batchTx(h, benchChannel, acc))
	}
}

// purchaseBlock builds the batch txs of one block of purchases: app numbers
// from first, at most benchTxsPerBlk*benchItems of them, none at or past
// end. It returns the txs and the next app number.
func purchaseBlock(h *chain, first, end int) ([][]byte, int) {
	var txs [][]byte
	i := first
	for len(txs) < benchTxsPerBlk && i < end {
		hi := min(i+benchItems, end)
		items := make([]tx.Any, 0, hi-i)
		for ; i < hi; i++ {
			items = append(items, anyMsg(fund.TypePurchase, fund.PurchaseOrder{OrderBase: fund.OrderBase{
				AppNo: fmt.Sprintf("BP%08d", i), Investor: benchInvestorID(i % benchInvestors), Fund: benchFund},
				Amount: samount("1000.00")}))
		}
		txs = append(txs, batchTx(h, benchChannel, items))
	}
	return txs, i
}

// tradingMorning sets the clock to Tuesday 2026-03-10 09:30 China time,
// before the cut-off: purchases belong to trade date 2026-03-10.
func tradingMorning(h *chain) { h.setTime(time.Date(2026, 3, 10, 9, 30, 0, 0, china)) }

// BenchmarkIntake: b.N purchases in batch txs of 1,000 items, 10 txs per
// block, through FinalizeBlock + Commit.
func BenchmarkIntake(b *testing.B) {
	h := newChain(b, benchGenesis(fund.DefaultParams().ChunkSize))
	tradingMorning(h)
	setupInvestors(h, benchInvestors)
	b.ReportAllocs()
	b.ResetTimer()
	var el time.Duration
	for next := 0; next < b.N; {
		b.StopTimer()
		var txs [][]byte
		txs, next = purchaseBlock(h, next, b.N)
		b.StartTimer()
		start := time.Now()
		res, _ := h.block(txs...)
		el += time.Since(start)
		b.StopTimer()
		checkResults(b, res)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "orders/s")
	b.ReportMetric(float64(el.Microseconds())/float64(b.N), "µs/order")
	pendingIs(h, int64(b.N))
}

// BenchmarkConfirm: b.N pending purchases of trade date 2026-03-10, then the
// manager publishes and the custodian co-signs the NAV after the cut-off and
// empty blocks run until the job queue is empty. Timed: the co-sign block
// and the empty blocks (the confirmation itself).
func BenchmarkConfirm(b *testing.B) {
	for _, chunk := range []int{fund.DefaultParams().ChunkSize, 5000} {
		b.Run(fmt.Sprintf("chunk=%d", chunk), func(b *testing.B) { benchConfirm(b, chunk) })
	}
}

func benchConfirm(b *testing.B, chunk int) {
	h := newChain(b, benchGenesis(chunk))
	tradingMorning(h)
	setupInvestors(h, benchInvestors)
	for next := 0; next < b.N; {
		var txs [][]byte
		txs, next = purchaseBlock(h, next, b.N)
		h.mustBlock(txs...)
	}
	pendingIs(h, int64(b.N))

	// After the cut-off: publish (untimed), then co-sign and drain (timed).
	h.setTime(time.Date(2026, 3, 10, 18, 0, 0, 0, china))
	d, nav := sdate("2026-03-10"), mustNAV("1.2345")
	mgr, cus := "fm-alpha/operator", "cust-trust/operator"
	sign := func(user string) string {
		sig, err := h.user(user).Key.Sign(fund.NAVStatement(h.c.ChainID, benchFund, d, nav))
		if err != nil {
			b.Fatal(err)
		}
		return hex.EncodeToString(sig)
	}
	h.mustBlock(h.signedFor(mgr, anyMsg(fund.TypePublishNAV, fund.PublishNAV{Fund: benchFund, Date: d, NAV: nav, Signature: sign(mgr)})))
	cosign := h.signedFor(cus, anyMsg(fund.TypeCosignNAV, fund.CosignNAV{Fund: benchFund, Date: d, NAV: nav, Signature: sign(cus)}))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	h.mustBlock(cosign)
	blocks := 1
	for !jobsEmpty(h) {
		h.block()
		blocks++
	}
	el := time.Since(start)
	b.StopTimer()
	pendingIs(h, 0)
	b.ReportMetric(float64(b.N)/el.Seconds(), "confirmations/s")
	b.ReportMetric(float64(el.Microseconds())/1000/float64(blocks), "ms/block")
	b.ReportMetric(float64(blocks), "blocks")
}

func jobsEmpty(h *chain) bool {
	jobs, err := h.app.Read("fund/jobs", nil, &module.Identity{Role: module.RoleRegulator})
	if err != nil {
		h.t.Fatal(err)
	}
	return len(jobs.(*module.List[*fund.Job]).Items) == 0
}

func pendingIs(h *chain, want int64) {
	h.t.Helper()
	v, err := h.app.Read("fund/funds/"+benchFund+"/totals", nil, &module.Identity{Role: module.RoleRegulator, Org: "regulator"})
	if err != nil {
		h.t.Fatal(err)
	}
	if got := v.(map[string]any)["pending_orders"].(int64); got != want {
		h.t.Fatalf("pending orders %d, want %d", got, want)
	}
}
