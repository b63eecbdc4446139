package signing

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// TestSealPersonal seals an investor's data in the signer, for every
// algorithm, and opens it as each recipient the CLI would choose: the
// registering identity, the regulator's officer and the investor; the
// regulator's admin is not a recipient. The answer never carries the data
// in the clear.
func TestSealPersonal(t *testing.T) {
	for _, alg := range crypto.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			key, cert, enc, _ := files(t, alg, true)
			own, err := keystore.OpenEncKeyFile([]byte(enc), []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			ea := crypto.EncAlgorithmFor(alg)
			gen := func() crypto.EncPrivateKey {
				k, err := crypto.GenerateEncKey(ea)
				if err != nil {
					t.Fatal(err)
				}
				return k
			}
			officer, admin, investor := gen(), gen(), gen()
			regs := []fund.OrgKeys{
				{Org: member.Org{ID: "regulator", Type: module.OrgRegulator}, Keys: []member.OrgEncKey{
					{ID: "officer-id", Role: module.RoleRegulator, Algorithm: string(ea), PublicKey: officer.Public().Bytes()},
					{ID: "admin-id", Role: module.RoleAdmin, Algorithm: string(ea), PublicKey: admin.Public().Bytes()},
				}},
				{Org: member.Org{ID: "fm-alpha", Type: module.OrgFundManager}, Keys: []member.OrgEncKey{
					{ID: "fm-id", Role: module.RoleFundManager, Algorithm: string(ea), PublicKey: gen().Public().Bytes()},
				}},
			}
			rec := &member.Record{ID: "investor-id", Role: module.RoleInvestor, EncKeys: []member.EncKey{{Algorithm: string(ea), PublicKey: investor.Public().Bytes()}}}

			s := NewSigner()
			fn := s.Functions()
			call := func(name string, req any) string {
				b, _ := json.Marshal(req)
				return fn[name](string(b))
			}
			var id Identity
			mustOK(t, call("open", OpenRequest{Key: key, Cert: cert, Enc: enc, Passphrase: "pw"}), &id)
			data := fund.PersonalData{Name: "张三", IDType: "resident_id", IDNumber: "11010519491231002X", Phone: "13800000000"}
			out := call("sealPersonal", SealRequest{Handle: id.Handle, Investor: "INV001", Data: data, Regulators: regs, Identity: rec})
			if strings.Contains(out, data.IDNumber) || strings.Contains(out, "13800000000") || strings.Contains(out, "张三") {
				t.Fatalf("the answer carries personal data in the clear: %s", out)
			}
			var sealed Sealed
			mustOK(t, out, &sealed)
			if want := []string{id.ID, "officer-id", "investor-id"}; !slices.Equal(sealed.Recipients, want) {
				t.Fatalf("recipients %v, want %v", sealed.Recipients, want)
			}
			inv := &fund.Investor{ID: "INV001", Personal: sealed.Personal, Commitment: sealed.Commitment, CommitAlg: sealed.CommitAlg}
			for _, r := range []struct {
				id  string
				key crypto.EncPrivateKey
			}{{id.ID, own}, {"officer-id", officer}, {"investor-id", investor}} {
				got, err := fund.OpenPersonal(inv, r.id, r.key)
				if err != nil || got != data {
					t.Fatalf("%s opens %+v, %v", r.id, got, err)
				}
			}
			if _, err := fund.OpenPersonal(inv, "admin-id", admin); err == nil {
				t.Fatal("the regulator's admin opened the data")
			}

			// Refusals: no regulator officer; no encryption key opened; an
			// identity that is not an investor's; missing fields.
			mustFail(t, call("sealPersonal", SealRequest{Handle: id.Handle, Investor: "INV001", Data: data, Regulators: regs[1:]}), CodeBadRequest)
			bad := *rec
			bad.Role = module.RoleReseller
			mustFail(t, call("sealPersonal", SealRequest{Handle: id.Handle, Investor: "INV001", Data: data, Regulators: regs, Identity: &bad}), CodeBadRequest)
			mustFail(t, call("sealPersonal", SealRequest{Handle: id.Handle, Investor: "INV001", Data: fund.PersonalData{Name: "x", IDType: "resident_id", IDNumber: "110105194912310021"}, Regulators: regs}), CodeBadPersonal)
			var noEnc Identity
			mustOK(t, call("open", OpenRequest{Key: key, Cert: cert, Passphrase: "pw"}), &noEnc)
			mustFail(t, call("sealPersonal", SealRequest{Handle: noEnc.Handle, Investor: "INV001", Data: data, Regulators: regs}), CodeNoEncKey)
		})
	}
}

// TestIDTypes: the KYC form's document types are the ones
// fund.CheckPersonal accepts, through the JSON function the page calls.
func TestIDTypes(t *testing.T) {
	out := NewSigner().Functions()["idTypes"]("{}")
	var r struct {
		OK []IDType `json:"ok"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.OK) != len(fund.IDTypes) {
		t.Fatalf("idTypes: %s (%v)", out, err)
	}
	for _, ty := range r.OK {
		err := fund.CheckPersonal(fund.PersonalData{Name: "n", IDType: ty.Type, IDNumber: "x"})
		if err != nil && strings.Contains(err.Error(), "want one of") {
			t.Errorf("%s is offered but refused: %v", ty.Type, err)
		}
		if ty.Name == "" {
			t.Errorf("%s has no name", ty.Type)
		}
	}
	if r.OK[0].Type != "resident_id" {
		t.Errorf("the first type offered is %s, want resident_id", r.OK[0].Type)
	}
}
