package fund

import (
	"errors"
	"fmt"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// MayHoldPersonal is the table of who may be given an investor's personal
// data by a share (fund/share_personal) with an organisation of type org:
//
//	organisation shared with   role that may hold the data     why
//	fund_manager               fund_manager                    the TA: opens accounts, confirms, reports
//	custodian                  custodian                       the custodian: settlement and AML checks
//	regulator                  regulator                       look-through supervision (officers)
//	reseller                   reseller, own channel only      the channel's other operators
//
// Investors, seals and admins never hold another investor's data through a
// share, whatever their organisation; a reseller other than the investor's
// channel holds none. ownChannel says whether the organisation is the
// investor's channel. The chain checks each new recipient of a share with
// this table and the client picks its recipients by it.
func MayHoldPersonal(org module.OrgType, role module.Role, ownChannel bool) bool {
	switch org {
	case module.OrgFundManager:
		return role == module.RoleFundManager
	case module.OrgCustodian:
		return role == module.RoleCustodian
	case module.OrgRegulator:
		return role == module.RoleRegulator
	case module.OrgReseller:
		return role == module.RoleReseller && ownChannel
	}
	return false
}

// checkShareRecipients checks the recipients a share adds to an investor's
// envelope: each is a registered, active identity of org with an
// encryption key of the algorithm it was wrapped with, and of a role
// MayHoldPersonal allows (or the investor's own identity). Anything else is
// ErrShareRecipient.
func checkShareRecipients(ctx *module.Context, inv *Investor, org string, added []crypto.WrappedKey) error {
	kv := members(ctx)
	o, err := member.GetOrg(kv, org)
	if err != nil {
		if module.AsError(err) != nil {
			return ErrShareRecipient.Wrapf("no organisation %q to share with", org)
		}
		return err
	}
	for _, w := range added {
		rec, err := member.GetRecord(kv, w.ID)
		if err != nil {
			if module.AsError(err) != nil {
				return ErrShareRecipient.Wrapf("recipient %s is not a registered identity", w.ID)
			}
			return err
		}
		if rec.Status != member.StatusActive {
			return ErrShareRecipient.Wrapf("recipient %s is %s", w.ID, rec.Status)
		}
		k := rec.CurrentEncKey()
		if k == nil {
			return ErrShareRecipient.Wrapf("recipient %s has no registered encryption key", w.ID)
		}
		if k.Algorithm != string(w.Algorithm) {
			return ErrShareRecipient.Wrapf("recipient %s: wrapped with %s, but its registered key is %s", w.ID, w.Algorithm, k.Algorithm)
		}
		if rec.ID == inv.Identity && inv.Identity != "" {
			continue // the investor's own identity: its own data
		}
		if rec.Org != org {
			return ErrShareRecipient.Wrapf("recipient %s is an identity of %s, not of %s (the organisation shared with)", w.ID, rec.Org, org)
		}
		if !MayHoldPersonal(o.Type, rec.Role, org == inv.Channel) {
			return ErrShareRecipient.Wrapf("recipient %s has role %s in %s (%s): that role may not hold investors' personal data", w.ID, rec.Role, org, o.Type)
		}
	}
	return nil
}

// addedRecipients are the recipients of env that old does not have.
func addedRecipients(old, env *crypto.Envelope) []crypto.WrappedKey {
	var out []crypto.WrappedKey
	for _, w := range env.Recipients {
		if !old.HasRecipient(w.ID) {
			out = append(out, w)
		}
	}
	return out
}

// ShareRecipients picks, of the identities of org that have an encryption
// key (the public query member/orgs/{id}/encryption-keys), those a share of
// an investor of channel with org may reach (MayHoldPersonal). It is the
// client's choice of recipients; the chain checks each again.
func ShareRecipients(org *member.Org, channel string, keys []member.OrgEncKey) []member.OrgEncKey {
	var out []member.OrgEncKey
	for _, k := range keys {
		if MayHoldPersonal(org.Type, k.Role, org.ID == channel) {
			out = append(out, k)
		}
	}
	return out
}

// OrgKeys is an organisation with the encryption keys of its identities
// (the public queries member/orgs and member/orgs/{id}/encryption-keys).
type OrgKeys struct {
	Org  member.Org         `json:"org"`
	Keys []member.OrgEncKey `json:"keys"`
}

// RegulatorOfficers are the identities of every regulator organisation of
// orgs that may hold personal data (MayHoldPersonal: its officers, not its
// admins or seals) and have an encryption key: an investor's data is sealed
// for them (look-through supervision). It is an error when there is none.
func RegulatorOfficers(orgs []OrgKeys) ([]crypto.Recipient, error) {
	var out []crypto.Recipient
	for i := range orgs {
		if orgs[i].Org.Type != module.OrgRegulator {
			continue
		}
		rs, err := member.EncRecipients(ShareRecipients(&orgs[i].Org, "", orgs[i].Keys))
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	if len(out) == 0 {
		return nil, errors.New("no regulator officer has an encryption key: personal data cannot be sealed for supervision")
	}
	return out, nil
}

// RegistrationRecipients are those an investor's personal data is sealed
// for when its channel registers it: the registering identity itself
// (self), the regulator's officers, and the investor's own identity when
// investor (its member record) has an encryption key. Each appears once,
// in that order. The CLI and the browser console both seal with these.
func RegistrationRecipients(self crypto.Recipient, regulators []OrgKeys, investor *member.Record) ([]crypto.Recipient, error) {
	regs, err := RegulatorOfficers(regulators)
	if err != nil {
		return nil, err
	}
	out := append([]crypto.Recipient{self}, regs...)
	if investor != nil {
		if k := investor.CurrentEncKey(); k != nil {
			pub, err := crypto.EncPublicKeyFromBytes(crypto.EncAlgorithm(k.Algorithm), k.PublicKey)
			if err != nil {
				return nil, fmt.Errorf("encryption key of %s: %w", investor.ID, err)
			}
			out = append(out, crypto.Recipient{ID: investor.ID, Key: pub})
		}
	}
	return crypto.UniqueRecipients(out), nil
}
