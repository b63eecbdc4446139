package signing

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
	"github.com/otcchain/otcchain/tx"
)

// files makes an identity of alg in a keystore and returns its file texts.
func files(t *testing.T, alg crypto.Algorithm, withEnc bool) (key, cert, enc string, pub crypto.PublicKey) {
	t.Helper()
	return filesWith(t, keystore.Options{ScryptN: 1 << 10, ScryptR: 8, ScryptP: 1}, alg, withEnc)
}

// filesWith is files with the keystore's scrypt parameters.
func filesWith(t testing.TB, opts keystore.Options, alg crypto.Algorithm, withEnc bool) (key, cert, enc string, pub crypto.PublicKey) {
	t.Helper()
	ks, err := keystore.OpenWith(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	info, err := ks.Create("operator", alg, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ks.Load("operator", []byte("pw"))
	caKey, _ := crypto.GenerateKey(alg)
	now := time.Now().UTC().Truncate(time.Second)
	ca, err := pki.NewCA("rs-bank", "rs-bank CA", caKey, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.Issue(ca, caKey, pki.IssueRequest{Org: "rs-bank", Role: module.Role("reseller"), Name: "张三 operator", PublicKey: k.Public(), NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.SetCertificate("operator", c.PEM()); err != nil {
		t.Fatal(err)
	}
	read := func(suffix string) string {
		b, err := os.ReadFile(filepath.Join(ks.Dir(), info.Name+suffix))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if withEnc {
		if _, err := ks.CreateEncKey("operator", []byte("pw")); err != nil {
			t.Fatal(err)
		}
		enc = read(keystore.EncSuffix)
	}
	return read(keystore.KeySuffix), read(keystore.CertSuffix), enc, k.Public()
}

func mustOK(t *testing.T, out string, v any) {
	t.Helper()
	var r struct {
		OK    json.RawMessage `json:"ok"`
		Error *Error          `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Error != nil {
		t.Fatalf("call failed: %s", out)
	}
	if v != nil {
		if err := json.Unmarshal(r.OK, v); err != nil {
			t.Fatal(err)
		}
	}
}

func mustFail(t *testing.T, out, code string) {
	t.Helper()
	var r struct{ Error *Error }
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Error == nil || r.Error.Code != code {
		t.Fatalf("want error %s, got %s", code, out)
	}
}

// TestSignerEveryAlgorithm: for Ed25519, P-256 and SM2 identities the
// signer opens the keystore files, and its login signature, tx and
// statements verify with the identity's public key exactly as the API and
// the fund module check them; no answer carries the key or passphrase.
func TestSignerEveryAlgorithm(t *testing.T) {
	for _, alg := range crypto.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			key, cert, enc, pub := files(t, alg, true)
			s := NewSigner()
			fn := s.Functions()
			var answers []string
			do := func(name string, req any) string {
				b, _ := json.Marshal(req)
				out := fn[name](string(b))
				answers = append(answers, out)
				return out
			}
			var id Identity
			mustOK(t, do("open", OpenRequest{Key: key, Cert: cert, Enc: enc, Passphrase: "pw"}), &id)
			if id.Org != "rs-bank" || id.Role != "reseller" || id.Name != "张三 operator" || id.Algorithm != string(alg) || !id.EncKey || len(id.ID) != 64 {
				t.Fatalf("identity: %+v", id)
			}

			var ls LoginSignature
			mustOK(t, do("signLogin", LoginRequest{Handle: id.Handle, ChainID: "otc-dev", Audience: "127.0.0.1:26622", Challenge: "abc"}), &ls)
			if ls.Identity != id.ID || !pub.Verify(tx.AuthMessage("otc-dev", "127.0.0.1:26622", "abc"), ls.Signature) {
				t.Fatal("login signature does not verify")
			}

			msg := tx.MustAny(fund.TypePurchase, map[string]string{"app_no": "P1", "investor": "INV001", "fund": "000001", "amount": "10000.00"})
			var st SignedTx
			mustOK(t, do("signTx", TxRequest{Handle: id.Handle, ChainID: "otc-dev", Msgs: []tx.Any{msg}, Expiry: 120}), &st)
			env, err := tx.Decode(st.Tx)
			if err != nil {
				t.Fatal(err)
			}
			if env.SignerID() != id.ID || !pub.Verify(tx.SignBytes("otc-dev", env.Body), env.Signature) {
				t.Fatal("tx signature does not verify")
			}
			body, err := tx.DecodeBody(env.Body)
			if err != nil || body.Expiry != 120 || len(body.Msgs) != 1 || body.Msgs[0].Type != fund.TypePurchase {
				t.Fatalf("tx body: %+v %v", body, err)
			}

			var os Statement
			mustOK(t, do("signStatement", StatementRequest{Handle: id.Handle, ChainID: "otc-dev", Kind: "order", Channel: "rs-bank", Type: fund.TypePurchase, AppNo: "P1", Investor: "INV001", Fund: "000001", Quantity: "10000"}), &os)
			if os.Quantity != "10000.00" || !verifyHex(pub, fund.OrderStatement("otc-dev", "rs-bank", fund.TypePurchase, "P1", "INV001", "000001", "10000.00"), os.Signature) {
				t.Fatalf("order statement: %+v", os)
			}
			var ns Statement
			mustOK(t, do("signStatement", StatementRequest{Handle: id.Handle, ChainID: "otc-dev", Kind: "nav", Fund: "000001", Date: "2026-12-07", NAV: "1.02"}), &ns)
			d, _ := fund.ParseDate("2026-12-07")
			n, _ := fund.ParseNAV("1.02")
			if !verifyHex(pub, fund.NAVStatement("otc-dev", "000001", d, n), ns.Signature) {
				t.Fatal("nav statement does not verify")
			}
			mustFail(t, do("signStatement", StatementRequest{Handle: id.Handle, ChainID: "otc-dev", Kind: "order", Type: fund.TypePurchase, Quantity: "ten"}), CodeBadMessage)

			var h map[string]string
			mustOK(t, do("hash", HashRequest{Algorithm: "sm3", Data: []byte("abc")}), &h)
			if h["hash"] != "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" {
				t.Fatalf("sm3: %v", h)
			}

			mustOK(t, do("forget", map[string]int{"handle": id.Handle}), nil)
			mustFail(t, do("signLogin", LoginRequest{Handle: id.Handle, ChainID: "c", Audience: "a", Challenge: "x"}), CodeUnknownHandle)

			for _, a := range answers {
				if strings.Contains(a, "pw\"") || strings.Contains(a, "scrypt") {
					t.Fatalf("an answer carries key material or the passphrase: %s", a)
				}
			}
		})
	}
}

func verifyHex(pub crypto.PublicKey, msg []byte, sigHex string) bool {
	sig, err := hex.DecodeString(sigHex)
	return err == nil && pub.Verify(msg, sig)
}

// TestSignerRefusals: every bad input gets its own code and opens nothing.
func TestSignerRefusals(t *testing.T) {
	key, cert, _, _ := files(t, crypto.Ed25519, false)
	otherKey, otherCert, _, _ := files(t, crypto.Ed25519, false)
	fn := NewSigner().Functions()
	call := func(req OpenRequest) string {
		b, _ := json.Marshal(req)
		return fn["open"](string(b))
	}
	mustFail(t, call(OpenRequest{Key: key, Cert: cert, Passphrase: "wrong"}), CodeBadPassphrase)
	mustFail(t, call(OpenRequest{Key: key, Cert: otherCert, Passphrase: "pw"}), CodeCertMismatch)
	mustFail(t, call(OpenRequest{Key: "{}", Cert: cert, Passphrase: "pw"}), CodeBadKeyFile)
	mustFail(t, call(OpenRequest{Key: otherKey, Cert: "not a certificate", Passphrase: "pw"}), CodeBadCert)
	mustFail(t, call(OpenRequest{Cert: cert, Passphrase: "pw"}), CodeBadRequest)
	mustFail(t, fn["open"](`{"key":1}`), CodeBadRequest)
	mustFail(t, fn["open"](`{"unknown":"x"}`), CodeBadRequest)
	mustFail(t, fn["signTx"](`{"handle":1,"chain_id":"c","msgs":[],"expiry":5}`), CodeUnknownHandle)
}

// FuzzSignerRequests: no input makes any operation panic.
func FuzzSignerRequests(f *testing.F) {
	f.Add("open", `{"key":"{}","cert":"x","passphrase":"p"}`)
	f.Add("signTx", `{"handle":1,"chain_id":"c","msgs":[{"type":"a/b","value":{}}],"expiry":5}`)
	f.Add("signStatement", `{"handle":1,"kind":"nav"}`)
	f.Add("hash", `{"algorithm":"sm3","data":"YWJj"}`)
	f.Add("sealPersonal", `{"handle":1,"investor":"INV001","data":{"name":"n","id_type":"resident_id","id_number":"1"},"regulators":[]}`)
	f.Add("quote", `{"type":"fund/purchase","fund":{"code":"000001","last_nav":"1.0000","terms":{"purchase_fees":[{"rate":"1.50%"}]}},"calendar":{"from":"2026-12-01","to":"2026-12-31","days":["2026-12-08"]},"business_time":"2026-12-08T10:00:00+08:00","amount":"100"}`)
	f.Fuzz(func(t *testing.T, name, in string) {
		fn := NewSigner().Functions()[name]
		if fn == nil {
			return
		}
		out := fn(in)
		if !json.Valid([]byte(out)) {
			t.Fatalf("answer is not JSON: %q", out)
		}
	})
}
