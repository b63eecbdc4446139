package signing

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
)

// TestSealAndOpenFile sends a file from the signer and opens it again as
// the sender: the answer never carries the plaintext, the record checks
// (hash, size, signature), a changed stream or another sender's record
// is refused, and the readers are the sender, the recipient's people (not
// its investors or seals) and the regulator.
func TestSealAndOpenFile(t *testing.T) {
	for _, alg := range crypto.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			key, cert, enc, pub := files(t, alg, true)
			ea := crypto.EncAlgorithmFor(alg)
			gen := func() []byte {
				k, err := crypto.GenerateEncKey(ea)
				if err != nil {
					t.Fatal(err)
				}
				return k.Public().Bytes()
			}
			keys := member.KeySet{
				Orgs: map[string][]member.OrgEncKey{"fm-alpha": {
					{ID: "fm-op", Role: module.RoleFundManager, Algorithm: string(ea), PublicKey: gen()},
					{ID: "fm-seal", Role: module.RoleSeal, Algorithm: string(ea), PublicKey: gen()},
				}},
				Regulators: []member.OrgEncKey{{ID: "officer", Role: module.RoleRegulator, Algorithm: string(ea), PublicKey: gen()}},
			}
			s := NewSigner()
			fn := s.Functions()
			call := func(name string, req any) string {
				b, _ := json.Marshal(req)
				return fn[name](string(b))
			}
			var id Identity
			mustOK(t, call("open", OpenRequest{Key: key, Cert: cert, Enc: enc, Passphrase: "pw"}), &id)
			data := []byte("净值文件 NAV file 2026-12-08, secret figures 1.0123\n")
			out := call("sealFile", SealFileRequest{Handle: id.Handle, ChainID: "c1", Data: data,
				Send: exchange.Send{ID: "X1", Name: "nav.txt", Category: "nav", Recipients: []string{"fm-alpha"}}, Keys: keys})
			if strings.Contains(out, "secret figures") {
				t.Fatalf("the answer carries the file in the clear: %s", out)
			}
			var sealed SealedFile
			mustOK(t, out, &sealed)
			if got := strings.Join(sealed.Readers, ","); !strings.Contains(got, id.ID) || !strings.Contains(got, "fm-op") || !strings.Contains(got, "officer") || strings.Contains(got, "fm-seal") {
				t.Fatalf("readers %s", got)
			}
			if sealed.Send.Inline == nil || sealed.Encrypted != nil || sealed.Send.HashAlg != crypto.HashName(alg) {
				t.Fatalf("a small file goes inline: %+v", sealed)
			}
			c, err := pki.Parse([]byte(cert))
			if err != nil {
				t.Fatal(err)
			}
			sender := &member.Record{ID: c.ID, Algorithm: string(alg), PublicKey: pub.Bytes()}
			rec := &exchange.Record{ID: "X1", Sender: c.ID, Recipients: []string{"fm-alpha"}, Name: "nav.txt", Size: sealed.Send.Size, Hash: sealed.Send.Hash,
				HashAlg: sealed.Send.HashAlg, Signature: sealed.Send.Signature, Key: sealed.Send.Key, Inline: sealed.Send.Inline}
			var opened map[string][]byte
			mustOK(t, call("openFile", OpenFileRequest{Handle: id.Handle, ChainID: "c1", Record: rec, Sender: sender}), &opened)
			if !bytes.Equal(opened["data"], data) {
				t.Fatalf("opened %q", opened["data"])
			}
			// Refusals: another chain's signature; a flipped byte; no readers at the recipient.
			mustFail(t, call("openFile", OpenFileRequest{Handle: id.Handle, ChainID: "c2", Record: rec, Sender: sender}), CodeBadFile)
			bad := *rec
			bad.Inline = append([]byte(nil), rec.Inline...)
			bad.Inline[len(bad.Inline)/2] ^= 1
			mustFail(t, call("openFile", OpenFileRequest{Handle: id.Handle, ChainID: "c1", Record: &bad, Sender: sender}), CodeBadFile)
			mustFail(t, call("sealFile", SealFileRequest{Handle: id.Handle, ChainID: "c1", Data: data,
				Send: exchange.Send{ID: "X2", Name: "nav.txt", Category: "nav", Recipients: []string{"cust-trust"}}, Keys: keys}), CodeBadRequest)
			var noEnc Identity
			mustOK(t, call("open", OpenRequest{Key: key, Cert: cert, Passphrase: "pw"}), &noEnc)
			mustFail(t, call("sealFile", SealFileRequest{Handle: noEnc.Handle, ChainID: "c1", Data: data, Send: exchange.Send{ID: "X3", Name: "a", Category: "nav", Recipients: []string{"fm-alpha"}}, Keys: keys}), CodeNoEncKey)
		})
	}
}
