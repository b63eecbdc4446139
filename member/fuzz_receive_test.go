package member_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// FuzzReceive feeds arbitrary payloads to the membership actions
// governance calls (add_org, remove_org, rotate_ca): no panic, only coded
// refusals, and a refused action writes nothing.
func FuzzReceive(f *testing.F) {
	for i, s := range []string{`{"id":"fm-gamma","name":"Gamma","type":"fund_manager","ca_cert":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}`,
		`{"id":"rs-broker","reason":"licence withdrawn"}`, `{"id":"fm-alpha","ca_cert":""}`, `{}`, `null`, `[]`, `{"id":"regulator"}`} {
		f.Add(uint8(i), []byte(s))
	}
	actions := []string{"add_org", "remove_org", "rotate_ca"}
	c, _, blk := setup(f)
	root := module.Prefixed(blk, "member/")
	if err := member.New().InitGenesis(ctxAt(0, t0, module.Identity{}), root, genesis(f, c)); err != nil {
		f.Fatal(err)
	}
	dump := func(kv module.KVReader) []byte {
		var b bytes.Buffer
		_ = kv.Iterate(nil, nil, func(k, v []byte) bool {
			b.Write(k)
			b.WriteByte(0)
			b.Write(v)
			b.WriteByte(0)
			return true
		})
		return b.Bytes()
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		br := blk.Branch()
		defer br.Discard()
		kv := module.Prefixed(br, "member/")
		before := dump(kv)
		action := actions[int(which)%len(actions)]
		_, err := member.New().Receive(ctxAt(5, t0, module.Identity{}), kv, "gov", action, json.RawMessage(data))
		if err != nil {
			if module.AsError(err) == nil {
				t.Fatalf("%s: uncoded error %v", action, err)
			}
			if !bytes.Equal(dump(kv), before) {
				t.Fatalf("%s refused (%v) but wrote", action, err)
			}
		}
	})
}
