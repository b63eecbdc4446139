package certificate_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/certificate"
	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/tx"
)

// testdata/receipt.json is a real receipt from otc dev (an evidence/anchor
// tx, one validator, simulated business clock) and genesis.json its chain's
// genesis (the same as console/verifying/testdata).

func realReceipt(t testing.TB) ([]byte, *proof.Receipt, *proof.Report) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "receipt.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := cmttypes.GenesisDocFromFile(filepath.Join("testdata", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	trust, err := proof.TrustFromGenesis(doc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := proof.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := proof.Verify(r, trust)
	if err != nil {
		t.Fatal(err)
	}
	return b, r, rep
}

// synthTx is the real receipt with its tx replaced by one of msgs (signed
// with a dummy signature: the certificate reads, proof.Verify checks) and
// the report adjusted to it. It does not verify; Make does not verify.
func synthTx(t *testing.T, data string, msgs ...tx.Any) ([]byte, *proof.Report) {
	t.Helper()
	_, r, rep := realReceipt(t)
	body, err := tx.NewBody(msgs, 100).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var signer [tx.SignerIDBytes]byte
	copy(signer[:], bytes.Repeat([]byte{0xab}, tx.SignerIDBytes))
	env, err := tx.Sign(r.ChainID, body, signer, tx.AlgSM2, func([]byte) ([]byte, error) { return bytes.Repeat([]byte{1}, 64), nil })
	if err != nil {
		t.Fatal(err)
	}
	r.Tx = env.Encode()
	rep2 := *rep
	rep2.TxHash = strings.ToUpper(hexOf(r.Tx.Hash()))
	rep2.Data = []byte(data)
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b, &rep2
}

func synthOutcome(t *testing.T, key string, value any) ([]byte, *proof.Report) {
	t.Helper()
	_, r, rep := realReceipt(t)
	v, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	r.Version = proof.OutcomeVersion
	r.Tx, r.TxProof, r.Result = nil, cmttypes.TxProof{}, proof.Result{}
	r.Outcome = &proof.Outcome{Key: key, Value: v, StateHash: make([]byte, 32), Root: make([]byte, 32)}
	rep2 := *rep
	rep2.TxHash, rep2.Index, rep2.OutcomeKey, rep2.Data = "", 0, key, v
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b, &rep2
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

var signerID = strings.Repeat("ab", tx.SignerIDBytes)

var names = certificate.Names{
	Orgs:       map[string]string{"rs-bank": "招商银行股份有限公司", "fm-alpha": "华夏基金管理有限公司", "cust-trust": "托管银行"},
	Identities: map[string]certificate.Identity{signerID: {Name: "张伟", Org: "rs-bank"}},
	Investors:  map[string]string{"INV001": "李娜"},
	Funds:      map[string]string{"000001": "华夏成长混合"},
	Contracts:  map[string]string{"C-2026-001": "基金销售代理协议 2026"},
	Files:      map[string]certificate.File{"NAV-1": {Name: "净值文件20260302.csv", Hash: strings.Repeat("c", 64), HashAlg: "sm3", Sender: signerID, Time: "2026-03-02T01:30:00Z"}},
}

func order(t *testing.T) fund.Order {
	t.Helper()
	amt, _ := fund.ParseAmount("1234567.8")
	sh, _ := fund.ParseShares("1200000.55")
	nav, _ := fund.ParseNAV("1.0234")
	fee, _ := fund.ParseAmount("12345.6")
	net, _ := fund.ParseAmount("1222222.2")
	td, _ := fund.ParseDate("2026-03-02")
	cd, _ := fund.ParseDate("2026-03-03")
	return fund.Order{ID: "rs-bank:P1", AppNo: "P1", Business: fund.BizPurchase, Channel: "rs-bank", Investor: "INV001", TAAccount: "TA0001",
		Fund: "000001", Amount: amt, TradeDate: td, Status: "confirmed",
		Confirmation: &fund.Confirmation{Business: "122", ReturnCode: "0000", Date: cd, NAV: nav, Amount: amt, Shares: sh, Fee: fee, Net: net}}
}

type kindCase struct {
	name    string
	kind    certificate.Kind
	receipt []byte
	report  *proof.Report
	want    []string // substrings of the content streams' text (checked via the tools test) — here: the Kind and no error
}

func kindCases(t *testing.T) []kindCase {
	b, _, rep := realReceipt(t)
	signB, signRep := synthTx(t, `{"msgs":[{"index":0,"data":{"contract":"C-2026-001","version":1,"party":1,"signed":2,"of":2,"status":"effective"}}]}`,
		tx.MustAny(contract.TypeSign, contract.Sign{Contract: "C-2026-001", Version: 1, Hash: strings.Repeat("d", 64), Signature: "00"}))
	sendB, sendRep := synthTx(t, `{"msgs":[{"index":0,"data":{"record":"NAV-1"}}]}`,
		tx.MustAny(exchange.TypeSend, exchange.Send{ID: "NAV-1", Recipients: []string{"fm-alpha", "cust-trust"}, Category: "nav", Name: "净值文件20260302.csv", Size: 1234567, Hash: strings.Repeat("c", 64), HashAlg: "sm3"}))
	ackB, ackRep := synthTx(t, `{"msgs":[{"index":0}]}`,
		tx.MustAny(exchange.TypeAck, exchange.AckMsg{Record: "NAV-1", Target: "fm-alpha", Accepted: true, Signature: "00"}))
	confB, confRep := synthOutcome(t, "fund/confirmation/rs-bank:P1", order(t))
	payB, payRep := synthOutcome(t, "fund/payout/000001/20260318/INV001", map[string]string{"investor": "INV001"})
	return []kindCase{
		{name: "anchor", kind: certificate.KindTx, receipt: b, report: rep},
		{name: "signature", kind: certificate.KindSignature, receipt: signB, report: signRep},
		{name: "send", kind: certificate.KindSend, receipt: sendB, report: sendRep},
		{name: "ack", kind: certificate.KindAck, receipt: ackB, report: ackRep},
		{name: "confirmation", kind: certificate.KindConfirmation, receipt: confB, report: confRep},
		{name: "payout", kind: certificate.KindOutcome, receipt: payB, report: payRep},
	}
}

func TestKinds(t *testing.T) {
	for _, c := range kindCases(t) {
		t.Run(c.name, func(t *testing.T) {
			cert, err := certificate.Make(certificate.Input{Receipt: c.receipt, Report: c.report, Names: names, Node: "http://127.0.0.1:26657"})
			if err != nil {
				t.Fatal(err)
			}
			if cert.Kind != c.kind {
				t.Errorf("kind %s, want %s", cert.Kind, c.kind)
			}
			if !bytes.HasPrefix(cert.PDF, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %.20q", cert.PDF)
			}
			ref, err := certificate.ParseQR(cert.Ref.String())
			if err != nil || ref != cert.Ref {
				t.Fatalf("ParseQR(%q) = %+v, %v", cert.Ref.String(), ref, err)
			}
			if dir := os.Getenv("OTC_CERTIFICATE_OUT"); dir != "" {
				if err := os.WriteFile(filepath.Join(dir, c.name+".pdf"), cert.PDF, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestDeterministic: the same input gives the same bytes (the dates are the
// block time, objects in a fixed order), whatever the kind.
func TestDeterministic(t *testing.T) {
	for _, c := range kindCases(t) {
		in := certificate.Input{Receipt: c.receipt, Report: c.report, Names: names}
		a, err := certificate.Make(in)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			b, err := certificate.Make(in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.PDF, b.PDF) {
				t.Fatalf("%s: two certificates of the same input differ", c.name)
			}
		}
	}
}

// TestMakeRefuses: no report, a report of another receipt, a receipt that
// does not decode.
func TestMakeRefuses(t *testing.T) {
	b, _, rep := realReceipt(t)
	other := *rep
	other.TxHash = strings.Repeat("A", 64)
	otherHeight := *rep
	otherHeight.Height++
	for _, c := range []struct {
		name string
		in   certificate.Input
		want string
	}{
		{"no report", certificate.Input{Receipt: b}, "verify the receipt first"},
		{"other tx", certificate.Input{Receipt: b, Report: &other}, "the report is of tx AAAA"},
		{"other height", certificate.Input{Receipt: b, Report: &otherHeight}, "height 9"},
		{"not a receipt", certificate.Input{Receipt: []byte(`{"version":"x"}`), Report: rep}, "unsupported receipt version"},
	} {
		_, err := certificate.Make(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestLongValues: whatever length a tx's texts have (here a 200,000-byte
// file name without spaces), the certificate is made, a few pages long.
func TestLongValues(t *testing.T) {
	b, rep := synthTx(t, `{"msgs":[{"index":0}]}`,
		tx.MustAny(exchange.TypeSend, exchange.Send{ID: "X", Recipients: []string{"fm-alpha"}, Name: strings.Repeat("净值x", 40000), Hash: strings.Repeat("c", 64)}))
	c, err := certificate.Make(certificate.Input{Receipt: b, Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/Count (\d+)`).FindSubmatch(c.PDF)
	if m == nil {
		t.Fatal("no page count in the PDF")
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 1 || n > 4 {
		t.Errorf("%d pages", n)
	}
}
