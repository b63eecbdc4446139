package chain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/otcchain/otcchain/ofd/chain"
)

// BenchmarkImport100k imports a generated 100,000-record 03 file (purchases
// of 1,000 investors registered by an 01 import first) on the in-process
// chain: whole-file validation, mapping, duplicate reads, signing, 200 batch
// transactions of 500 through FinalizeBlock and Commit. It reports
// records/s.
func BenchmarkImport100k(b *testing.B) {
	const n, investors = 100000, 1000
	ids := make([]string, investors)
	for i := range ids {
		ids[i] = fmt.Sprintf("917042200%08d", i+1)
	}
	recs := make([]map[string]string, n)
	for i := range recs {
		recs[i] = map[string]string{"AppSheetSerialNo": fmt.Sprintf("4320170427%014d", i+1), "TransactionAccountID": ids[i%investors],
			"BusinessCode": "022", "ApplicationAmount": fmt.Sprintf("%d.%02d", 10+i%5000, i%100)}
	}
	file := tradeFile(b, "20170427", recs)
	accounts := accountFile(b, "20170426", ids)
	b.ResetTimer()
	var total time.Duration
	for range b.N {
		b.StopTimer()
		h := newHarness(b)
		h.fund("000198")
		h.at("2017-04-26 16:00")
		if rep, err := h.importBytes("rs-bank/operator", "A.TXT", accounts, chain.MapOptions{}, false); err != nil || rep.Summary.Accepted != investors {
			b.Fatal(rep.Summary, err)
		}
		h.at("2017-04-27 09:30")
		opts := chain.MapOptions{TradeDate: h.tradeDate()}
		b.StartTimer()
		start := time.Now()
		rep, err := h.importBytes("rs-bank/operator", "T.TXT", file, opts, false)
		total += time.Since(start)
		if err != nil || rep.Summary.Accepted != n {
			b.Fatal(rep.Summary, err, firstNot(rep, chain.StatusAccepted))
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "records/s")
	b.ReportMetric(float64(len(file)), "file_bytes")
}
