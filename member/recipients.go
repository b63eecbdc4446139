package member

import (
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// CheckRecipients checks a sealed envelope's recipients against the
// identities on chain: each is a registered, active identity whose current
// encryption key has the algorithm of its wrap. It returns the recipients'
// records in envelope order and whether one of them acts for the regulator
// (look-through supervision). Refusals are ErrInvalidRequest (callers
// re-code them with the message); storage failures are returned as they are.
//
// What no node can check is that a wrap really opens with the recipient's
// private key: a recipient that cannot open it, or whose commitment check
// fails, holds the sealing party's signed transaction as evidence.
func CheckRecipients(kv module.KVReader, env *crypto.Envelope) (recs []*Record, regulator bool, err error) {
	for _, w := range env.Recipients {
		rec, err := GetRecord(kv, w.ID)
		if err != nil {
			if module.AsError(err) != nil {
				return nil, false, ErrInvalidRequest.Wrapf("recipient %s is not a registered identity", w.ID)
			}
			return nil, false, err
		}
		if rec.Status != StatusActive {
			return nil, false, ErrInvalidRequest.Wrapf("recipient %s is %s", w.ID, rec.Status)
		}
		k := rec.CurrentEncKey()
		if k == nil {
			return nil, false, ErrInvalidRequest.Wrapf("recipient %s has no registered encryption key", w.ID)
		}
		if k.Algorithm != string(w.Algorithm) {
			return nil, false, ErrInvalidRequest.Wrapf("recipient %s: wrapped with %s, but its registered key is %s", w.ID, w.Algorithm, k.Algorithm)
		}
		if ok, err := isRegulator(kv, rec.Identity()); err != nil {
			return nil, false, err
		} else if ok {
			regulator = true
		}
		recs = append(recs, rec)
	}
	return recs, regulator, nil
}

// IsRegulator says whether an identity acts for the regulator: a regulator
// officer, or an admin of a regulator organisation.
func IsRegulator(kv module.KVReader, who module.Identity) (bool, error) { return isRegulator(kv, who) }
