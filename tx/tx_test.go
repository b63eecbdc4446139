package tx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/tx"
)

func sample(t testing.TB) *tx.Envelope {
	body := tx.NewBody([]tx.Any{tx.MustAny("member/revoke_identity", map[string]string{"id": "ab", "reason": "x"})}, 10)
	b, err := body.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var signer [32]byte
	signer[0] = 7
	env, err := tx.Sign("chain", b, signer, tx.AlgEd25519, func(m []byte) ([]byte, error) { return []byte("sig"), nil })
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestEnvelopeRoundTrip(t *testing.T) {
	env := sample(t)
	got, err := tx.Decode(env.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Body, env.Body) || got.Signer != env.Signer || got.Alg != env.Alg || !bytes.Equal(got.Signature, env.Signature) {
		t.Fatalf("round trip changed the envelope: %+v", got)
	}
	if !bytes.Equal(got.Encode(), env.Encode()) {
		t.Fatal("re-encoding differs")
	}
}

func TestDecodeRefusals(t *testing.T) {
	good := sample(t).Encode()
	nonMinimal := append([]byte("OTX\x01"), 0x80|byte(len(sample(t).Body)&0x7f))
	cases := map[string][]byte{
		"empty":          nil,
		"bad magic":      append([]byte("XTX"), good[3:]...),
		"bad version":    append([]byte("OTX\x02"), good[4:]...),
		"trailing":       append(append([]byte(nil), good...), 0),
		"truncated":      good[:len(good)-1],
		"no signature":   good[:len(good)-4],
		"unknown alg":    func() []byte { e := sample(t); e.Alg = 9; return e.Encode() }(),
		"empty sig":      func() []byte { e := sample(t); e.Signature = nil; return e.Encode() }(),
		"oversize":       make([]byte, tx.MaxTxBytes+1),
		"non-minimal":    nonMinimal,
		"huge length":    []byte("OTX\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
		"long signature": func() []byte { e := sample(t); e.Signature = make([]byte, tx.MaxSigBytes+1); return e.Encode() }(),
	}
	for name, b := range cases {
		if _, err := tx.Decode(b); !errors.Is(err, tx.ErrMalformed) {
			t.Errorf("%s: want ErrMalformed, got %v", name, err)
		}
	}
}

func TestBodyRefusals(t *testing.T) {
	cases := map[string]string{
		"not json":       `hello`,
		"unknown field":  `{"msgs":[{"type":"a/b","value":{}}],"nonce":"12345678","expiry":1,"x":1}`,
		"no msgs":        `{"msgs":[],"nonce":"12345678","expiry":1}`,
		"short nonce":    `{"msgs":[{"type":"a/b","value":{}}],"nonce":"1","expiry":1}`,
		"bad nonce char": `{"msgs":[{"type":"a/b","value":{}}],"nonce":"1234 5678","expiry":1}`,
		"zero expiry":    `{"msgs":[{"type":"a/b","value":{}}],"nonce":"12345678","expiry":0}`,
		"bad type":       `{"msgs":[{"type":"A B","value":{}}],"nonce":"12345678","expiry":1}`,
		"no value":       `{"msgs":[{"type":"a/b"}],"nonce":"12345678","expiry":1}`,
		"trailing":       `{"msgs":[{"type":"a/b","value":{}}],"nonce":"12345678","expiry":1} {}`,
		"bad utf8":       "{\"msgs\":[{\"type\":\"a/b\",\"value\":{}}],\"nonce\":\"12345678\",\"expiry\":1,\"memo\":\"\xff\"}",
		"long memo":      `{"msgs":[{"type":"a/b","value":{}}],"nonce":"12345678","expiry":1,"memo":"` + strings.Repeat("m", 300) + `"}`,
	}
	for name, b := range cases {
		if _, err := tx.DecodeBody([]byte(b)); !errors.Is(err, tx.ErrMalformed) {
			t.Errorf("%s: want ErrMalformed, got %v", name, err)
		}
	}
}

func TestBatchRefusals(t *testing.T) {
	for name, b := range map[string]string{
		"empty":  `{"items":[]}`,
		"nested": `{"items":[{"type":"batch","value":{}}]}`,
		"extra":  `{"items":[{"type":"a/b","value":{}}],"x":1}`,
	} {
		if _, err := tx.DecodeBatch([]byte(b)); !errors.Is(err, tx.ErrMalformed) {
			t.Errorf("%s: want ErrMalformed, got %v", name, err)
		}
	}
	if _, err := tx.DecodeBatch([]byte(`{"items":[{"type":"a/b","value":{}}]}`)); err != nil {
		t.Fatal(err)
	}
}

// The signed bytes separate the chain id from the body unambiguously.
func TestSignBytesDomainSeparation(t *testing.T) {
	a := tx.SignBytes("ab", []byte("c"))
	b := tx.SignBytes("a", []byte("bc"))
	if bytes.Equal(a, b) {
		t.Fatal("chain id and body are ambiguous in the signed bytes")
	}
	if !bytes.HasPrefix(a, []byte("otcchain/tx/v1\x00")) {
		t.Fatal("missing domain prefix")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(sample(f).Encode())
	f.Add([]byte("OTX\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := tx.Decode(b)
		if err != nil {
			return
		}
		// A decoded envelope re-encodes to exactly the input: one encoding only.
		if !bytes.Equal(env.Encode(), b) {
			t.Fatalf("decode/encode not canonical")
		}
	})
}

func FuzzDecodeBody(f *testing.F) {
	f.Add(sample(f).Body)
	f.Add([]byte(`{"msgs":[{"type":"batch","value":{"items":[]}}],"nonce":"12345678","expiry":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := tx.DecodeBody(b)
		if err != nil {
			return
		}
		if _, err := json.Marshal(body); err != nil {
			t.Fatal(err)
		}
		for _, m := range body.Msgs {
			if m.Type == tx.BatchMsgType {
				_, _ = tx.DecodeBatch(m.Value)
			}
		}
	})
}
