package evidence_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/otcchain/otcchain/evidence"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
)

func hashOf(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

func open(t *testing.T) *state.DB {
	db, err := state.Open(filepath.Join(t.TempDir(), "s"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func handle(ctx *module.Context, kv module.KV, m *evidence.Anchor) error {
	if err := m.Validate(); err != nil {
		return err
	}
	_, err := evidence.New().Msgs()[0].Handle(ctx, kv, m)
	return err
}

func TestAnchorAndLookup(t *testing.T) {
	db := open(t)
	blk := db.NewBlock()
	kv := module.Prefixed(blk, "evidence/")
	at := time.Date(2026, 11, 3, 9, 30, 0, 0, time.UTC)
	alice := module.Identity{ID: hashOf("alice"), Org: "fm-alpha", Role: module.RoleFundManager}
	bob := module.Identity{ID: hashOf("bob"), Org: "cust-trust", Role: module.RoleCustodian}
	m := &evidence.Anchor{Hash: hashOf("nav file"), HashAlg: evidence.SHA256, Name: "NAV_20261103.txt", Size: 8}
	if err := handle(&module.Context{Height: 5, Time: at, Signer: alice, TxHash: []byte{1}}, kv, m); err != nil {
		t.Fatal(err)
	}
	if err := handle(&module.Context{Height: 6, Time: at, Signer: alice}, kv, m); !errors.Is(err, evidence.ErrAlreadyAnchored) {
		t.Fatalf("second anchor by the same signer: %v", err)
	}
	if err := handle(&module.Context{Height: 6, Time: at, Signer: bob}, kv, m); err != nil {
		t.Fatal(err)
	}
	recs, err := evidence.Lookup(kv, evidence.SHA256, m.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Height+recs[1].Height != 11 || !recs[0].Time.Equal(at) {
		t.Fatalf("lookup: %+v", recs)
	}
	if _, err := evidence.Lookup(kv, evidence.SM3, m.Hash); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("other algorithm: %v", err)
	}
}

func TestAnchorValidation(t *testing.T) {
	good := evidence.Anchor{Hash: hashOf("x"), HashAlg: evidence.SM3}
	bad := map[string]evidence.Anchor{
		"short hash":   {Hash: "abcd", HashAlg: evidence.SHA256},
		"upper hex":    {Hash: "AB" + good.Hash[2:], HashAlg: evidence.SHA256},
		"not hex":      {Hash: "zz" + good.Hash[2:], HashAlg: evidence.SHA256},
		"unknown alg":  {Hash: good.Hash, HashAlg: "md5"},
		"negative":     {Hash: good.Hash, HashAlg: evidence.SHA256, Size: -1},
		"long name":    {Hash: good.Hash, HashAlg: evidence.SHA256, Name: string(bytes.Repeat([]byte("n"), 300))},
		"invalid utf8": {Hash: good.Hash, HashAlg: evidence.SHA256, Note: "\xff"},
	}
	for name, m := range bad {
		if err := m.Validate(); !errors.Is(err, evidence.ErrInvalidRequest) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
}

// Determinism: the same anchors on two fresh stores, in the same order, give
// the same app hash; and the hash does not depend on which store ran them.
func TestEvidenceDeterminism(t *testing.T) {
	var hashes [][]byte
	for i := 0; i < 2; i++ {
		db := open(t)
		blk := db.NewBlock()
		kv := module.Prefixed(blk, "evidence/")
		for j := 0; j < 50; j++ {
			who := module.Identity{ID: hashOf(string(rune('a' + j%3))), Org: "o", Role: module.RoleAdmin}
			m := &evidence.Anchor{Hash: hashOf(string(rune(j))), HashAlg: evidence.SHA256, Name: "f"}
			if err := handle(&module.Context{Height: int64(j), Time: time.Unix(int64(j), 0).UTC(), Signer: who}, kv, m); err != nil {
				t.Fatal(err)
			}
		}
		hashes = append(hashes, blk.AppHash())
	}
	if !bytes.Equal(hashes[0], hashes[1]) {
		t.Fatal("evidence module is not deterministic")
	}
}
