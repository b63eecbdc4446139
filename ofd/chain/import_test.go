package chain_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/ofd/chain"
	"github.com/otcchain/otcchain/tx"
)

const samplePath = "../testdata/OFD_996_H0_20170427_03.TXT"

func readSample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sampleAccounts are the distinct TransactionAccountIDs of the sample, in
// order of first appearance.
func sampleAccounts(t testing.TB, file []byte) []string {
	t.Helper()
	r := ofd.NewReader(bytes.NewReader(file))
	if _, err := r.Header(); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return ids
		}
		if err != nil {
			t.Fatal(err)
		}
		if id := rec.Value("TransactionAccountID"); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
}

// TestSampleImport imports the shared 03 sample completely: the investors
// first (an 01 file generated for its 826 transaction accounts, dated the
// day before), then the 1,006 purchases on their trade date 2017-04-27;
// every record is accounted for and the orders' total is the file's. A
// second import of both files finds only duplicates and sends nothing.
func TestSampleImport(t *testing.T) {
	h := newHarness(t)
	h.fund("000198")
	sample := readSample(t)
	ids := sampleAccounts(t, sample)
	if len(ids) != 826 {
		t.Fatalf("%d accounts in the sample, want 826", len(ids))
	}
	accounts := accountFile(t, "20170426", ids)

	h.at("2017-04-26 16:00")
	rep, err := h.importBytes("rs-bank/operator", "OFD_996_H0_20170426_01.TXT", accounts, chain.MapOptions{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Summary; s.Records != 826 || s.Accepted != 826 {
		t.Fatalf("01 import: %+v; first: %+v", s, firstNot(rep, chain.StatusAccepted))
	}
	if r := rep.Results[0]; len(r.ID) != 12 || r.Line == 0 {
		t.Errorf("01 result %+v: want the TA account as its id", r)
	}

	h.at("2017-04-27 14:00")
	opts := chain.MapOptions{TradeDate: h.tradeDate()}
	if opts.TradeDate != sdate("2017-04-27") {
		t.Fatalf("trade date %s", opts.TradeDate)
	}
	before := h.txs
	rep, err = h.importBytes("rs-bank/operator", "OFD_996_H0_20170427_03.TXT", sample, opts, false)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Summary
	if s.Records != 1006 || s.Accepted != 1006 || s.Refused+s.Duplicates != 0 || len(rep.Results) != 1006 {
		t.Fatalf("03 import: %+v; first: %+v", s, firstNot(rep, chain.StatusAccepted))
	}
	if h.txs-before != 3 || s.Txs != 3 {
		t.Errorf("%d transactions for 1,006 records at 500 a batch, want 3", h.txs-before)
	}
	seen := map[string]bool{}
	for _, r := range rep.Results {
		if r.ID != "rs-bank:"+r.Serial || seen[r.Serial] || r.Business != "022" {
			t.Fatalf("result %+v", r)
		}
		seen[r.Serial] = true
	}
	var list module.List[*fund.Order]
	if _, err := h.read("rs-bank/operator", "fund/channel-orders/rs-bank/2017-04-27", map[string]string{"limit": "5000"}, &list); err != nil {
		t.Fatal(err)
	}
	orders := list.Items
	var total fund.Amount
	for _, o := range orders {
		if !seen[o.AppNo] || o.Business != "022" || o.Status != fund.OrderPending {
			t.Fatalf("order %+v", o)
		}
		total += o.Amount
	}
	if len(orders) != 1006 || total.String() != "6457358.05" {
		t.Fatalf("%d orders totalling %s, want 1006 totalling 6457358.05", len(orders), total)
	}

	// Importing again: every record is a duplicate and nothing is sent.
	before = h.txs
	for _, f := range []struct {
		name string
		b    []byte
	}{{"01", accounts}, {"03", sample}} {
		rep, err := h.importBytes("rs-bank/operator", f.name, f.b, opts, false)
		if err != nil {
			t.Fatal(err)
		}
		if s := rep.Summary; s.Duplicates != s.Records || s.Accepted+s.Refused != 0 {
			t.Fatalf("%s again: %+v; first: %+v", f.name, s, firstNot(rep, chain.StatusDuplicate))
		}
	}
	if h.txs != before {
		t.Errorf("a repeated import sent %d transactions", h.txs-before)
	}
}

func firstNot(rep *chain.Report, status string) *chain.Result {
	for i := range rep.Results {
		if rep.Results[i].Status != status {
			return &rep.Results[i]
		}
	}
	return nil
}

// patchRecord replaces a field's bytes in the record on line `line` of a file
// whose field list is fields (v20/21 03 layout).
func patchRecord(t testing.TB, file []byte, fields []string, line int, field string, value []byte) []byte {
	t.Helper()
	d, err := ofd.Lookup("21", "03")
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for _, n := range fields {
		f, _ := d.Field(n)
		if n == field {
			break
		}
		off += f.Length
	}
	lines := bytes.Split(file, []byte("\r\n"))
	rec := bytes.Clone(lines[line-1])
	copy(rec[off:], value)
	lines[line-1] = rec
	return bytes.Join(lines, []byte("\r\n"))
}

// TestRefusedFiles: a file with a wrong record count, a short record, a bad
// date, a non-GBK byte or an unknown business code is refused whole with its
// line, and nothing of it reaches the chain.
func TestRefusedFiles(t *testing.T) {
	h := newHarness(t)
	h.fund("000198")
	sample := readSample(t)
	sh, err := ofd.NewReader(bytes.NewReader(sample)).Header()
	if err != nil {
		t.Fatal(err)
	}
	const first = 86               // line of the sample's first record: 10 header lines, 74 names, the count
	cut := func(line int) []byte { // the record on line loses its last byte
		lines := bytes.Split(sample, []byte("\r\n"))
		lines[line-1] = lines[line-1][:len(lines[line-1])-1]
		return bytes.Join(lines, []byte("\r\n"))
	}
	cases := []struct {
		name, want string
		file       []byte
	}{
		{"record count", "record_count", bytes.Replace(sample, []byte("\r\n00001006\r\n"), []byte("\r\n00001007\r\n"), 1)},
		{"short record", "line 90: record_length", cut(90)},
		{"bad date", "line 100: byte 32: TransactionDate: date", patchRecord(t, sample, sh.Fields, 100, "TransactionDate", []byte("20170431"))},
		{"non-GBK byte", "line 200: byte", patchRecord(t, sample, sh.Fields, 200, "Specification", []byte{0xff})},
		{"unknown business code", "line 300: byte 104: BusinessCode: business_code", patchRecord(t, sample, sh.Fields, 300, "BusinessCode", []byte("999"))},
	}
	h.at("2017-04-27 10:00")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, height := h.txs, h.height
			_, err := h.importBytes("rs-bank/operator", "F.TXT", c.file, chain.MapOptions{TradeDate: h.tradeDate()}, false)
			fe := fileErr(t, err)
			if !strings.Contains(fe.Error(), c.want) || !strings.Contains(fe.Error(), "nothing submitted") {
				t.Fatalf("error %q, want it to contain %q", fe.Error(), c.want)
			}
			if h.txs != before || h.height != height {
				t.Fatalf("a refused file sent %d transactions", h.txs-before)
			}
		})
	}
	// Every bad line is listed, not only the first.
	two := patchRecord(t, patchRecord(t, sample, sh.Fields, first, "TransactionDate", []byte("2017AB27")), sh.Fields, first+5, "BusinessCode", []byte("998"))
	_, err = h.importBytes("rs-bank/operator", "F.TXT", two, chain.MapOptions{}, false)
	if fe := fileErr(t, err); len(fe.Problems) != 2 || fe.Problems[0].Line != first || fe.Problems[1].Line != first+5 {
		t.Fatalf("problems %v", fe.Problems)
	}
	// A creator that is not the importer's distributor code.
	_, err = h.importBytes("rs-broker/operator", "F.TXT", sample, chain.MapOptions{}, false)
	if fe := fileErr(t, err); !strings.Contains(fe.Error(), `creator "996" is distributor rs-bank, but the file is imported by rs-broker`) {
		t.Fatal(fe)
	}
}

// TestRecordRefusals: records the chain has no counterpart for, or that
// are not for today's trade date, are refused one by one with their line;
// the others go through.
func TestRecordRefusals(t *testing.T) {
	h := newHarness(t)
	h.fund("000198")
	h.at("2017-04-26 16:00")
	ids := []string{"91704220067000002", "91704220067000003"}
	if rep, err := h.importBytes("rs-bank/operator", "A.TXT", accountFile(t, "20170426", ids), chain.MapOptions{}, false); err != nil || rep.Summary.Accepted != 2 {
		t.Fatal(rep, err)
	}
	h.at("2017-04-27 10:00")
	day := "20170427"
	recs := []map[string]string{
		{"AppSheetSerialNo": "P1", "TransactionAccountID": ids[0], "BusinessCode": "022", "ApplicationAmount": "5000.00"},
		{"AppSheetSerialNo": "X1", "TransactionAccountID": ids[0], "BusinessCode": "036", "ApplicationVol": "10.00"},
		{"AppSheetSerialNo": "P2", "TransactionAccountID": ids[1], "BusinessCode": "022", "ApplicationAmount": "100.00", "TransactionDate": "20170426"},
		{"AppSheetSerialNo": "P1", "TransactionAccountID": ids[1], "BusinessCode": "022", "ApplicationAmount": "100.00"},
		{"AppSheetSerialNo": "P3", "TransactionAccountID": ids[1], "BusinessCode": "022", "ApplicationAmount": "0"},
		{"AppSheetSerialNo": "R1", "TransactionAccountID": ids[1], "BusinessCode": "024", "ApplicationVol": "10.00"},
		{"AppSheetSerialNo": "D1", "TransactionAccountID": ids[0], "BusinessCode": "029", "DefDividendMethod": "0"},
		{"AppSheetSerialNo": "P4", "TransactionAccountID": ids[1], "BusinessCode": "022", "ApplicationAmount": "300.00"},
		{"AppSheetSerialNo": "C1", "TransactionAccountID": ids[1], "BusinessCode": "052", "OriginalAppSheetNo": "P4"},
		{"AppSheetSerialNo": "P5", "TransactionAccountID": "99999999999999999", "BusinessCode": "022", "ApplicationAmount": "300.00"},
		{"AppSheetSerialNo": "bad.serial", "TransactionAccountID": ids[1], "BusinessCode": "022", "ApplicationAmount": "300.00"},
	}
	rep, err := h.importBytes("rs-bank/operator", "T.TXT", tradeFile(t, day, recs), chain.MapOptions{TradeDate: h.tradeDate()}, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, fmt.Sprintf("%d %s %s %s %s", r.Line, r.Serial, r.Business, r.Status, r.Code))
	}
	want := []string{
		"26 P1 022 accepted ",
		"27 X1 036 refused unsupported_business",
		"28 P2 022 refused trade_date",
		"29 P1 022 refused repeated_in_file",
		"30 P3 022 refused bad_field",
		"31 R1 024 refused fund/30 no_holding",
		"32 D1 029 refused fund/30 no_holding",
		"33 P4 022 accepted ",
		"34 C1 052 accepted ",
		"35 P5 022 refused fund/5 unknown_investor",
		"36 bad.serial 022 refused bad_field",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s\nreport %+v", strings.Join(got, "\n"), strings.Join(want, "\n"), rep.Results)
	}
	if r := rep.Results[1]; !strings.Contains(r.Reason, "business 036 (基金转换) is not supported") {
		t.Errorf("reason %q", r.Reason)
	}
	if r := rep.Results[2]; !strings.Contains(r.Reason, "TransactionDate 2017-04-26 is not the chain's current trade date 2017-04-27") {
		t.Errorf("reason %q", r.Reason)
	}
	if r := rep.Results[8]; r.ID != "rs-bank:C1" {
		t.Errorf("cancellation %+v", r)
	}
	if s := rep.Summary; s.Records != 11 || s.Accepted != 3 || s.Refused != 8 {
		t.Errorf("summary %+v", s)
	}
	// With AnyDate the other day's order goes through with a warning.
	rep, err = h.importBytes("rs-bank/operator", "T.TXT", tradeFile(t, day, recs[2:3]), chain.MapOptions{TradeDate: h.tradeDate(), AnyDate: true}, false)
	if err != nil || rep.Results[0].Status != chain.StatusAccepted || rep.Results[0].Warning == "" {
		t.Fatalf("%+v %v", rep, err)
	}
	// A dry run maps without sending.
	before := h.txs
	rep, err = h.importBytes("rs-bank/operator", "T.TXT", tradeFile(t, day, recs), chain.MapOptions{TradeDate: h.tradeDate()}, true)
	if err != nil || h.txs != before || rep.Summary.Duplicates != 3 || rep.Summary.Mapped != 3 || rep.Summary.Refused != 5 {
		t.Fatalf("dry run %+v %v", rep.Summary, err)
	}
	// 01 records without a chain counterpart are refused with the reason.
	acc := accountFileOf(t, "20170427", "003", []string{"91704220067000009"})
	rep, err = h.importBytes("rs-bank/operator", "A.TXT", acc, chain.MapOptions{}, false)
	if err != nil || rep.Results[0].Status != chain.StatusRefused || !strings.Contains(rep.Results[0].Reason, "business 003 (账户信息修改) is not supported") {
		t.Fatalf("%+v %v", rep, err)
	}
}

// listingChain is the harness's channel with a day listing (chain.OrderLister)
// that counts its reads, and per-record lookups counted too.
type listingChain struct {
	*channel
	complete     bool
	lists, reads int
}

func (l *listingChain) OrdersOn(d fund.Date) (map[string]bool, bool, error) {
	l.lists++
	var list module.List[fund.Order]
	if _, err := l.h.read(l.user, "fund/channel-orders/"+l.org+"/"+d.String(), map[string]string{"limit": "100000"}, &list); err != nil {
		return nil, false, err
	}
	orders := list.Items
	set := map[string]bool{}
	for _, o := range orders {
		set[o.AppNo] = true
	}
	return set, l.complete, nil
}

func (l *listingChain) OrderExists(appNo string) (bool, error) {
	l.reads++
	return l.channel.OrderExists(appNo)
}

// TestDuplicatesByDay: a chain that lists a day's orders is read once per
// import instead of once per record; an incomplete list falls back to one
// read per record; both find the duplicates of a re-import.
func TestDuplicatesByDay(t *testing.T) {
	h := newHarness(t)
	h.fund("000198")
	ids := []string{"20000000000000201", "20000000000000202"}
	h.at("2017-04-10 10:00")
	if rep, err := h.importBytes("rs-bank/operator", "A.TXT", accountFile(t, "20170410", ids), chain.MapOptions{}, false); err != nil || rep.Summary.Accepted != 2 {
		t.Fatalf("01: %+v %v", rep, err)
	}
	h.at("2017-04-11 10:00")
	var recs []map[string]string
	for i, id := range ids {
		recs = append(recs, map[string]string{"AppSheetSerialNo": fmt.Sprintf("D%02d", i), "TransactionAccountID": id, "BusinessCode": "022", "ApplicationAmount": "100.00"})
	}
	file := tradeFile(t, "20170411", recs)
	opts := chain.MapOptions{Channel: "rs-bank", Codes: sampleCodes(), TradeDate: h.tradeDate()}
	for _, c := range []struct {
		complete           bool
		wantLists, wantRds int
		status             string
	}{{true, 1, 0, chain.StatusAccepted}, {true, 1, 0, chain.StatusDuplicate}, {false, 1, 2, chain.StatusDuplicate}} {
		lc := &listingChain{channel: h.channel("rs-bank/operator"), complete: c.complete}
		im := &chain.Importer{Options: opts, Chain: lc}
		rep, err := im.Import("D.TXT", func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(file)), nil })
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Results {
			if r.Status != c.status {
				t.Fatalf("complete=%v: %+v, want %s", c.complete, r, c.status)
			}
		}
		if lc.lists != c.wantLists || lc.reads != c.wantRds {
			t.Fatalf("complete=%v: %d listings and %d record reads, want %d and %d", c.complete, lc.lists, lc.reads, c.wantLists, c.wantRds)
		}
	}
}

// sendingChain is the harness's channel as a chain.Sender: Send only signs
// and queues a transaction (as a node's mempool holds it); the first wait
// puts every queued transaction into one block, in the order sent.
type sendingChain struct {
	*channel
	mempool [][]byte
	results map[int][]tx.ItemResult
	sent    int
	blocks  int
}

func (s *sendingChain) Send(items []tx.Any) (func() ([]tx.ItemResult, error), error) {
	batch, err := tx.NewAny(tx.BatchMsgType, tx.Batch{Items: items})
	if err != nil {
		return nil, err
	}
	s.mempool = append(s.mempool, s.h.signed(s.user, batch))
	n := s.sent
	s.sent++
	return func() ([]tx.ItemResult, error) {
		if s.results[n] == nil {
			base := s.sent - len(s.mempool)
			res := s.h.block(s.mempool...)
			s.blocks++
			for i, r := range res {
				if r.Code != 0 {
					return nil, &chain.TxRefused{Code: fmt.Sprintf("%s/%d", r.Codespace, r.Code), Reason: r.Log}
				}
				var d struct {
					Msgs []tx.ItemResult `json:"msgs"`
				}
				var b struct {
					Items []tx.ItemResult `json:"items"`
				}
				if err := json.Unmarshal(r.Data, &d); err != nil {
					return nil, err
				}
				if err := json.Unmarshal(d.Msgs[0].Data, &b); err != nil {
					return nil, err
				}
				s.results[base+i] = b.Items
			}
			s.mempool = nil
		}
		return s.results[n], nil
	}, nil
}

// TestInFlight: with several batches in flight (one block holding them
// all, in the order sent), every record gets its own outcome, and a
// cancellation in a later batch finds the order of an earlier one.
func TestInFlight(t *testing.T) {
	h := newHarness(t)
	h.fund("000198")
	ids := []string{"20000000000000301", "20000000000000302"}
	h.at("2017-04-10 10:00")
	if rep, err := h.importBytes("rs-bank/operator", "A.TXT", accountFile(t, "20170410", ids), chain.MapOptions{}, false); err != nil || rep.Summary.Accepted != 2 {
		t.Fatalf("01: %+v %v", rep, err)
	}
	h.at("2017-04-11 10:00")
	recs := []map[string]string{
		{"AppSheetSerialNo": "F1", "TransactionAccountID": ids[0], "BusinessCode": "022", "ApplicationAmount": "100.00"},
		{"AppSheetSerialNo": "F2", "TransactionAccountID": ids[1], "BusinessCode": "022", "ApplicationAmount": "200.00"},
		{"AppSheetSerialNo": "F3", "TransactionAccountID": "29999999999999999", "BusinessCode": "022", "ApplicationAmount": "300.00"},
		{"AppSheetSerialNo": "FC", "TransactionAccountID": ids[1], "BusinessCode": "052", "OriginalAppSheetNo": "F2"},
	}
	sc := &sendingChain{channel: h.channel("rs-bank/operator"), results: map[int][]tx.ItemResult{}}
	im := &chain.Importer{Options: chain.MapOptions{Channel: "rs-bank", Codes: sampleCodes(), TradeDate: h.tradeDate()}, Chain: sc, Batch: 1, InFlight: 4}
	file := tradeFile(t, "20170411", recs)
	rep, err := im.Import("F.TXT", func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(file)), nil })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, r.Serial+" "+r.Status+" "+r.Code)
	}
	want := []string{"F1 accepted ", "F2 accepted ", "F3 refused fund/5 unknown_investor", "FC accepted "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("results %q, want %q", got, want)
	}
	if sc.blocks != 1 || rep.Summary.Txs != 4 {
		t.Fatalf("%d blocks for %d txs: want the four in flight in one block", sc.blocks, rep.Summary.Txs)
	}
}
