package chain

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/tx"
)

// BenchmarkExport100k exports the 04 file of a day with 100,000 confirmed
// purchases, built on the in-process chain (the real app: 100 batch txs of
// 1,000 purchases by 100 investors, the NAV published and co-signed, the
// confirmations run by the end-blocks). One op is one export: the reads
// (paged channel-confirmations, the fund list; each answer JSON-encoded and
// decoded as over the API, without HTTP), the records built and the file
// written (GBK, fixed width) to io.Discard.
//
//	go test ./ofd/chain -run '^$' -bench Export100k -benchtime 3x
func BenchmarkExport100k(b *testing.B) {
	const orders, investors, per = 100000, 100, 1000
	rf := exFund("000001", "fm-alpha", "2026-03-02", "2026-03-06")
	rf.Resellers = []string{"rs-broker"}
	nav1, _ := fund.ParseNAV("1.0000")
	h := newExChainOf(b, &fund.Genesis{Funds: []fund.GenesisFun{{RegisterFund: *rf, Status: fund.StatusOpen,
		Established: exDate("2026-03-09"), NAV: nav1, NAVDate: exDate("2026-03-09")}}})
	h.at("2026-03-10 09:00")
	for i := 0; i < investors; i++ {
		h.investor("rs-broker/operator", fmt.Sprintf("3%016d", i), fund.InvestorIndividual, "fm-alpha", "")
	}
	start := time.Now()
	for lo := 0; lo < orders; {
		var txs [][]byte
		for len(txs) < 10 && lo < orders {
			items := make([]tx.Any, 0, per)
			for i := lo; i < lo+per; i++ {
				items = append(items, exMsg(fund.TypePurchase, map[string]string{"app_no": fmt.Sprintf("BP%08d", i),
					"investor": fmt.Sprintf("3%016d", i%investors), "fund": "000001", "amount": "1000.00"}))
			}
			txs = append(txs, h.signed("rs-broker/operator", exMsg(tx.BatchMsgType, tx.Batch{Items: items})))
			lo += per
		}
		for _, r := range h.block(txs...) {
			if r.Code != 0 {
				b.Fatal(r.Log)
			}
		}
	}
	h.at("2026-03-10 18:00")
	h.nav("000001", "fm-alpha", "2026-03-10", "1.2345")
	b.Logf("chain built in %s", time.Since(start).Round(time.Second))
	src := h.source("fm-alpha/operator")
	opt := ExportOptions{Date: exDate("2026-03-11"), Distributor: "rs-broker", TA: "fm-alpha"}
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	var bytes int64
	for i := 0; i < b.N; i++ {
		files, err := Export(src, opt, "04")
		if err != nil {
			b.Fatal(err)
		}
		cw := &exCountWriter{}
		if err := files[0].Write(cw); err != nil {
			b.Fatal(err)
		}
		n, bytes = len(files[0].Records), cw.n
	}
	b.StopTimer()
	if n != orders {
		b.Fatalf("%d records, want %d", n, orders)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(bytes)/1e6, "MB/file")
}

type exCountWriter struct{ n int64 }

func (c *exCountWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return io.Discard.Write(p)
}

// BenchmarkExportBuild100k is the file side alone: 100,000 synthetic
// confirmed purchases (fund records in memory, no chain) to 04 records and
// the file written to io.Discard.
//
//	go test ./ofd/chain -run '^$' -bench ExportBuild100k -benchtime 3x
func BenchmarkExportBuild100k(b *testing.B) {
	const orders = 100000
	nav, _ := fund.ParseNAV("1.2345")
	os := make([]*fund.Order, orders)
	for i := range os {
		os[i] = &fund.Order{ID: fmt.Sprintf("rs-broker:BP%08d", i), AppNo: fmt.Sprintf("BP%08d", i), Business: fund.BizPurchase,
			Channel: "rs-broker", Investor: fmt.Sprintf("3%016d", i%100), TAAccount: fmt.Sprintf("%012d", i%100+1),
			TransAccount: fmt.Sprintf("%017d", i%100+1), Fund: "000001", Amount: 100000, TradeDate: exDate("2026-03-10"),
			Time: "2026-03-10T01:30:00.000Z", Seq: uint64(i + 1), Status: fund.OrderConfirmed,
			Confirmation: &fund.Confirmation{Business: "122", ReturnCode: fund.RetSuccess, Date: exDate("2026-03-11"), NAV: nav,
				Amount: 100000, Shares: 79807, Fee: 1478, Net: 98522}}
	}
	c := &ExportCtx{DistributorCode: "rs-broker", Date: exDate("2026-03-11")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := &ExportFile{Header: exHeader04()}
		for _, o := range os {
			r, err := ConfirmationRecord(o, c)
			if err != nil {
				b.Fatal(err)
			}
			f.Records = append(f.Records, r)
		}
		if err := f.Write(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(orders)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func exHeader04() ofd.Header {
	return ofd.Header{Version: "21", Creator: "fm-alpha", Receiver: "rs-broker", Sender: "fm-alpha", Recipient: "rs-broke",
		Date: "20260311", FileType: "04", Fields: Fields04}
}
