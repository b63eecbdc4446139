package proof_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm3"

	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/tx"
)

// envelope wraps a body in an otcchain tx envelope. CheckFile does not check
// signatures (Verify proves the tx was committed), so the signature is filler.
func envelope(body string) []byte {
	e := &tx.Envelope{Body: []byte(body), Alg: tx.AlgEd25519, Signature: make([]byte, 64)}
	e.Signer[0] = 0xab
	return e.Encode()
}

func TestCheckFile(t *testing.T) {
	file := []byte("2026-03-02 orders\nF001,100.00\n")
	s := sha256.Sum256(file)
	m := sm3.Sum(file)
	shaHex, smHex := hex.EncodeToString(s[:]), hex.EncodeToString(m[:])
	other := sha256.Sum256([]byte("another file"))
	otherHex := hex.EncodeToString(other[:])

	body := func(msgs string) string {
		return `{"msgs":` + msgs + `,"nonce":"n0nce-0001","expiry":100}`
	}
	tests := []struct {
		name string
		tx   []byte
		want string
		err  string
	}{
		{name: "sha256 in a message", want: shaHex,
			tx: envelope(body(`[{"type":"exchange/send","value":{"file":{"name":"orders.csv","sha256":"` + shaHex + `"}}}]`))},
		{name: "upper-case hex", want: shaHex,
			tx: envelope(body(`[{"type":"exchange/send","value":{"hash":"` + strings.ToUpper(shaHex) + `"}}]`))},
		{name: "sm3 in a batch item", want: smHex,
			tx: envelope(body(`[{"type":"fund/nav","value":{"x":1}},{"type":"batch","value":{"items":[{"type":"exchange/send","value":{"files":[{"sm3":"` + smHex + `"}]}}]}}]`))},
		{name: "another file", err: "file hash " + shaHex + " is not in the committed transaction",
			tx: envelope(body(`[{"type":"exchange/send","value":{"sha256":"` + otherHex + `"}}]`))},
		{name: "hash as an object key only", err: "is not in the committed transaction",
			tx: envelope(body(`[{"type":"exchange/send","value":{"` + shaHex + `":true}}]`))},
		{name: "hash inside a longer string", err: "is not in the committed transaction",
			tx: envelope(body(`[{"type":"exchange/send","value":{"h":"sha256:` + shaHex + `"}}]`))},
		{name: "hash in the memo only", err: "is not in the committed transaction",
			tx: envelope(`{"msgs":[{"type":"a/b","value":{}}],"nonce":"n0nce-0001","expiry":100,"memo":"` + shaHex + `"}`)},
		{name: "not an otcchain tx", tx: []byte("k=v"), err: "not an otcchain transaction"},
		{name: "bad body", tx: envelope(`{"msgs":[]}`), err: "proof: check file: tx: malformed"},
	}
	txs := make([][]byte, len(tests))
	for i, tc := range tests {
		txs[i] = tc.tx
	}
	c := newChain(t, chainSpec{
		chainID: "otc-files", heights: 3,
		sets: []valSpan{{from: 1, keys: keys(4), power: 10}},
		txs:  map[int64][][]byte{2: txs},
	})
	trust := genesisTrust(t, c.genesis)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := build(t, c, 2, uint32(i))
			if _, err := proof.Verify(r, trust); err != nil {
				t.Fatal(err)
			}
			got, err := proof.CheckFile(r, file)
			if tc.err != "" {
				wantErr(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("matched %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := proof.CheckFile(nil, file); err == nil {
		t.Fatal("nil receipt accepted")
	}
}

func ExampleCheckFile() {
	// A receipt is bound to a file when the committed tx names the file's
	// SHA-256 or SM3 (hex) in one of its messages.
	file := []byte("contract v1")
	sum := sha256.Sum256(file)
	r := &proof.Receipt{Tx: envelope(`{"msgs":[{"type":"contract/sign","value":{"doc_sha256":"` +
		hex.EncodeToString(sum[:]) + `"}}],"nonce":"n0nce-0001","expiry":9}`)}
	got, err := proof.CheckFile(r, file)
	fmt.Println(got == hex.EncodeToString(sum[:]), err)
	// Output: true <nil>
}
