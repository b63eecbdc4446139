package certificate

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/proof"
)

// Wanted are the ids a receipt's certificate names, which a caller may
// resolve into Names (a node from its state). Recipients of a file are
// listed both as organisations and identities (a recipient is either);
// the organisations of resolved identities and files are the caller's to
// add. Each list is sorted and without repeats.
type Wanted struct {
	Orgs       []string
	Identities []string
	Contracts  []string
	Funds      []string
	Records    []string // exchange record ids (for an acknowledgement)
}

// WantedNames lists the ids the certificate of r names.
func WantedNames(r *proof.Receipt) Wanted {
	var w Wanted
	if r.Outcome != nil {
		if strings.HasPrefix(r.Outcome.Key, ConfirmationPrefix) {
			var o fund.Order
			if json.Unmarshal(r.Outcome.Value, &o) == nil {
				w.Orgs = append(w.Orgs, o.Channel)
				w.Funds = append(w.Funds, o.Fund)
			}
		}
		return w.clean()
	}
	env, body := decodeTx(r)
	if env == nil {
		return w
	}
	w.Identities = append(w.Identities, env.SignerID())
	if body == nil {
		return w.clean()
	}
	for _, m := range flatten(body.Msgs) {
		switch m.Type {
		case contract.TypeSign:
			var s contract.Sign
			if json.Unmarshal(m.Value, &s) == nil {
				w.Contracts = append(w.Contracts, s.Contract)
			}
		case exchange.TypeSend:
			var s exchange.Send
			if json.Unmarshal(m.Value, &s) == nil {
				w.Orgs = append(w.Orgs, s.Recipients...)
				w.Identities = append(w.Identities, s.Recipients...)
			}
		case exchange.TypeAck:
			var a exchange.AckMsg
			if json.Unmarshal(m.Value, &a) == nil {
				w.Records = append(w.Records, a.Record)
				if a.Target != "" {
					w.Orgs = append(w.Orgs, a.Target)
					w.Identities = append(w.Identities, a.Target)
				}
			}
		}
	}
	return w.clean()
}

func (w Wanted) clean() Wanted {
	for _, l := range []*[]string{&w.Orgs, &w.Identities, &w.Contracts, &w.Funds, &w.Records} {
		s := slices.DeleteFunc(*l, func(x string) bool { return x == "" })
		slices.Sort(s)
		*l = slices.Compact(s)
	}
	return w
}
