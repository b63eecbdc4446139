package member

import (
	"errors"
	"fmt"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// KeySet is what a client reads from the public queries to seal a
// document or a file for its readers: each target organisation's
// identities with an encryption key (member/orgs/{id}/encryption-keys),
// each target identity's record (GET /v1/identities/{id}), and every
// regulator organisation's identities with an encryption key. Contracts
// and data exchange seal with it, in otc and in the browser's signer.
type KeySet struct {
	Orgs       map[string][]OrgEncKey `json:"orgs"`
	Identities map[string]*Record     `json:"identities"`
	Regulators []OrgEncKey            `json:"regulators"`
}

// Recipients are the readers of something addressed to targets: each
// target organisation's people (its identities with an encryption key, not
// the investors it issued nor its seals), each target identity (a 64-hex
// id), and every regulator identity. Every target must end up with a
// reader, and there must be a regulator one (supervision reads
// everything).
func (k KeySet) Recipients(targets []string) ([]crypto.Recipient, error) {
	var out []crypto.Recipient
	for _, t := range targets {
		if len(t) == 64 {
			rec := k.Identities[t]
			if rec == nil {
				return nil, fmt.Errorf("%s: its identity record was not given", t)
			}
			r, err := EncRecipient(rec)
			if err != nil {
				return nil, err
			}
			if r == nil {
				return nil, fmt.Errorf("identity %s has no encryption key registered: it could not read it", t)
			}
			out = append(out, *r)
			continue
		}
		people, err := People(k.Orgs[t])
		if err != nil {
			return nil, err
		}
		if len(people) == 0 {
			return nil, fmt.Errorf("no identity of %s has an encryption key registered: it could not read it", t)
		}
		out = append(out, people...)
	}
	if len(k.Regulators) == 0 {
		return nil, errors.New("no regulator identity has an encryption key: it could not be supervised")
	}
	regs, err := EncRecipients(k.Regulators)
	if err != nil {
		return nil, err
	}
	return crypto.UniqueRecipients(append(out, regs...)), nil
}

// People are an organisation's identities with an encryption key but the
// investors it issued (who are not its people) and its seals.
func People(keys []OrgEncKey) ([]crypto.Recipient, error) {
	var people []OrgEncKey
	for _, k := range keys {
		if k.Role != module.RoleInvestor && k.Role != module.RoleSeal {
			people = append(people, k)
		}
	}
	return EncRecipients(people)
}

// EncRecipients makes envelope recipients of identities' encryption keys.
func EncRecipients(keys []OrgEncKey) ([]crypto.Recipient, error) {
	var out []crypto.Recipient
	for _, k := range keys {
		pub, err := crypto.EncPublicKeyFromBytes(crypto.EncAlgorithm(k.Algorithm), k.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("encryption key of %s: %w", k.ID, err)
		}
		out = append(out, crypto.Recipient{ID: k.ID, Key: pub})
	}
	return out, nil
}

// EncRecipient is an identity with its current encryption key, nil when
// it has none.
func EncRecipient(rec *Record) (*crypto.Recipient, error) {
	k := rec.CurrentEncKey()
	if k == nil {
		return nil, nil
	}
	pub, err := crypto.EncPublicKeyFromBytes(crypto.EncAlgorithm(k.Algorithm), k.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("encryption key of %s: %w", rec.ID, err)
	}
	return &crypto.Recipient{ID: rec.ID, Key: pub}, nil
}
