package app_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

func TestBatchItemsSucceedOrFailOnTheirOwn(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	admin := c.User("rs-broker/admin")
	org := c.Org("rs-broker")
	var items []tx.Any
	var users []string
	for i := 0; i < 3; i++ {
		u, err := c.Issue(org, "inv"+string(rune('a'+i)), module.RoleInvestor, crypto.Ed25519, genesisTime.Add(-time.Hour), genesisTime.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u.ID())
		items = append(items, register(string(u.Cert.PEM())))
	}
	// Item 1 is a certificate of another organisation: refused on its own.
	foreign := c.User("rs-bank/investor")
	items = append(items[:1], append([]tx.Any{register(string(foreign.Cert.PEM()))}, items[1:]...)...)
	// Item 4 is malformed.
	items = append(items, tx.Any{Type: member.TypeRegisterIdentity, Value: json.RawMessage(`{"cert":""}`)})
	res := h.block(c.Tx(admin, h.expiry(), batch(items...)))
	if res[0].Code != 0 {
		t.Fatalf("batch tx: %s", res[0].Log)
	}
	var data struct {
		Msgs []struct {
			Data struct {
				Items []tx.ItemResult `json:"items"`
			} `json:"data"`
		} `json:"msgs"`
	}
	if err := json.Unmarshal(res[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	items2 := data.Msgs[0].Data.Items
	wantCodes := []uint32{0, member.ErrNotPermitted.Code, 0, 0, member.ErrInvalidRequest.Code}
	if len(items2) != len(wantCodes) {
		t.Fatalf("got %d item results, want %d", len(items2), len(wantCodes))
	}
	for i, w := range wantCodes {
		if items2[i].Code != w || items2[i].Index != i {
			t.Errorf("item %d: code %d (%s), want %d", i, items2[i].Code, items2[i].Log, w)
		}
	}
	for _, id := range users {
		if _, err := h.app.Read("member/identities/"+id, nil, nil); err != nil {
			t.Errorf("batch item %s not registered: %v", id, err)
		}
	}
}

func TestMessagesOfOneTxAreAtomic(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	admin := c.User("rs-broker/admin")
	u, _ := c.Issue(c.Org("rs-broker"), "x", module.RoleInvestor, crypto.Ed25519, genesisTime.Add(-time.Hour), genesisTime.AddDate(1, 0, 0))
	before := h.appHash()
	txb := c.Tx(admin, h.expiry(), register(string(u.Cert.PEM())), revoke(c.User("rs-bank/admin").ID(), "not mine"))
	res := h.block(txb)
	if res[0].Code != member.ErrNotPermitted.Code {
		t.Fatalf("want not_permitted, got %d %s", res[0].Code, res[0].Log)
	}
	if _, err := h.app.Read("member/identities/"+u.ID(), nil, nil); err == nil {
		t.Fatal("first message of a failed tx was kept")
	}
	// The nonce is spent: the same tx is now a replay.
	if r := h.check(txb); r.Code == 0 {
		t.Fatal("a failed tx can be replayed")
	}
	_ = before
}
