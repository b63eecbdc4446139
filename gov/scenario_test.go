package gov_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/gov"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/internal/scenario"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
	"github.com/otcchain/otcchain/tx"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/scenarios")

// TestScenarios runs the governance scripts in testdata/scenarios against
// the real app (six organisations, one validator of power 10 each). Run
// with -rewrite to regenerate the expectations, then read the diff.
//
// Commands:
//
//	at 2026-03-09 00:00            the next block's time (UTC)
//	tx USER TYPE JSON              one message in its own block
//	propose USER ID TITLE          a proposal; each further line is
//	  MODULE/ACTION JSON           one action
//	vote ID yes|no|abstain USER... each user votes in its own block
//	show ID                        a proposal's status and votes
//	block [misbehave=vN@H,...]     an empty block (with CometBFT evidence)
//	validators | evidence | insurance | claims
//	query PATH [USER]              any module query, as JSON
//	newca ORG                      a new CA key for ORG (a new or a rotated CA)
//	issue ORG NAME ROLE [old]      a certificate from ORG's newest (or original) CA
//
// In JSON, $ca(ORG), $cert(ORG/NAME), $valkey(N) and $valaddr(N) expand to
// the CA PEM, a certificate PEM, validator N's base64 key and its address.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			scenario.Run(t, f, newRunner(newChain(t)).run, true, *rewrite)
		})
	}
}

type runner struct {
	h    *chain
	cas  map[string]*fixture.Org // newest CA per org made by newca
	orig map[string]*fixture.Org
}

func newRunner(h *chain) *runner {
	r := &runner{h: h, cas: map[string]*fixture.Org{}, orig: map[string]*fixture.Org{}}
	for _, o := range h.c.Orgs {
		r.orig[o.ID] = o
	}
	return r
}

var macro = regexp.MustCompile(`\$(ca|cert|valkey|valaddr)\(([^)]*)\)`)

func (r *runner) expand(s string) string {
	return macro.ReplaceAllStringFunc(s, func(m string) string {
		p := macro.FindStringSubmatch(m)
		q := func(v string) string { b, _ := json.Marshal(v); return string(b) }
		switch p[1] {
		case "ca":
			o := r.cas[p[2]]
			if o == nil {
				o = r.orig[p[2]]
			}
			return q(string(o.CA.PEM()))
		case "cert":
			return q(string(r.h.c.User(p[2]).Cert.PEM()))
		case "valkey":
			n, _ := strconv.Atoi(p[2])
			return q(base64.StdEncoding.EncodeToString(valPub(n)))
		default:
			n, _ := strconv.Atoi(p[2])
			return q(gov.Address(valPub(n)))
		}
	})
}

// valName names a validator address by its test key number.
func valName(addr string) string {
	for n := 0; n < 16; n++ {
		if gov.Address(valPub(n)) == addr {
			return fmt.Sprintf("v%d", n)
		}
	}
	return addr
}

func (r *runner) run(in []string) string {
	h := r.h
	f := strings.Fields(in[0])
	cmd, args := f[0], f[1:]
	var b strings.Builder
	switch cmd {
	case "at":
		ts, err := time.Parse("2006-01-02 15:04", strings.Join(args, " "))
		if err != nil {
			return "bad time: " + err.Error()
		}
		h.now = ts.Add(-time.Second)
		if len(in) > 1 {
			return r.run(in[1:])
		}
		return ""
	case "tx":
		rest := strings.SplitN(in[0], " ", 4)
		res := h.block(nil, h.signed(rest[1], tx.Any{Type: rest[2], Value: json.RawMessage(r.expand(rest[3]))}))
		b.WriteString(outcome(res.TxResults[0]) + "\n")
		report(&b, res)
	case "propose":
		p := gov.Propose{ID: args[1], Title: strings.Join(args[2:], " ")}
		for _, l := range in[1:] {
			name, payload, _ := strings.Cut(l, " ")
			mod, act, _ := strings.Cut(name, "/")
			p.Actions = append(p.Actions, gov.Action{Module: mod, Action: act, Payload: json.RawMessage(r.expand(payload))})
		}
		v, _ := json.Marshal(&p)
		res := h.block(nil, h.signed(args[0], tx.Any{Type: gov.TypePropose, Value: v}))
		b.WriteString(outcome(res.TxResults[0]) + "\n")
		report(&b, res)
	case "vote":
		for _, u := range args[2:] {
			v, _ := json.Marshal(&gov.Ballot{ID: args[0], Vote: args[1]})
			res := h.block(nil, h.signed(u, tx.Any{Type: gov.TypeVote, Value: v}))
			fmt.Fprintf(&b, "%s: %s\n", u, outcome(res.TxResults[0]))
			report(&b, res)
		}
	case "show":
		v, err := h.read("gov/proposals/"+args[0], "regulator/admin")
		if err != nil {
			return "error " + err.Error()
		}
		p := v.(*gov.Proposal)
		b.WriteString(summary(p) + "\n")
		for _, v := range p.Votes {
			fmt.Fprintf(&b, "  %s %s at %d\n", v.Org, v.Vote, v.Height)
		}
	case "block":
		var misb []abci.Misbehavior
		for _, a := range args {
			if v, ok := strings.CutPrefix(a, "misbehave="); ok {
				for _, m := range strings.Split(v, ",") {
					who, at, _ := strings.Cut(m, "@")
					n, _ := strconv.Atoi(strings.TrimPrefix(who, "v"))
					hgt, _ := strconv.ParseInt(at, 10, 64)
					addr, _ := hex.DecodeString(gov.Address(valPub(n)))
					misb = append(misb, abci.Misbehavior{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: addr, Power: 10},
						Height: hgt, Time: genesisTime.Add(time.Duration(hgt) * time.Second), TotalVotingPower: 60})
				}
			}
		}
		report(&b, h.block(misb))
	case "validators":
		v, _ := h.read("gov/validators", "")
		for _, val := range v.([]gov.Validator) {
			fmt.Fprintf(&b, "%s org=%s power=%d\n", valName(val.Address), val.Org, val.Power)
		}
	case "evidence":
		v, _ := h.read("gov/evidence", "")
		for _, ev := range v.([]*gov.Evidence) {
			fmt.Fprintf(&b, "%s %s org=%s height=%d recorded=%d power_removed=%d debited=%d floor_breached=%v\n",
				ev.Type, valName(ev.Validator), ev.Org, ev.Height, ev.Recorded, ev.PowerRemoved, ev.Debited, ev.FloorBreached)
		}
	case "insurance":
		v, err := h.read("gov/insurance", "regulator/admin")
		if err != nil {
			return "error " + err.Error()
		}
		ins := v.(*gov.Insurance)
		fmt.Fprintf(&b, "pool %d\n", ins.Pool)
		for _, bd := range ins.Bonds {
			fmt.Fprintf(&b, "%s bond=%d premium_due=%d paid=%d debited=%d\n", bd.Org, bd.Bond, bd.PremiumDue, bd.Paid, bd.Debited)
		}
	case "claims":
		v, _ := h.read("gov/claims", "regulator/admin")
		for _, cl := range v.([]*gov.Claim) {
			fmt.Fprintf(&b, "%s org=%s amount=%d status=%s proposal=%s reason=%s\n", cl.ID, cl.Org, cl.Amount, cl.Status, cl.Proposal, cl.Reason)
		}
	case "query":
		who := ""
		if len(args) > 1 {
			who = args[1]
		}
		v, err := h.read(args[0], who)
		if err != nil {
			return "error " + err.Error()
		}
		out, _ := json.Marshal(v)
		b.Write(out)
	case "params":
		v, _ := h.read("gov/params", "")
		out, _ := json.Marshal(v)
		b.Write(out)
	case "newca":
		key, err := crypto.GenerateKey(crypto.Ed25519)
		if err != nil {
			return err.Error()
		}
		ca, err := pki.NewCA(args[0], args[0]+" CA", key, genesisTime.Add(-time.Hour), genesisTime.AddDate(10, 0, 0))
		if err != nil {
			return err.Error()
		}
		typ := module.OrgFundManager
		if o := r.orig[args[0]]; o != nil {
			typ = o.Type
		}
		r.cas[args[0]] = &fixture.Org{ID: args[0], Name: args[0], Type: typ, CA: ca, CAKey: key}
		if len(in) > 1 {
			return r.run(in[1:])
		}
		return ""
	case "issue":
		o := r.cas[args[0]]
		if o == nil || (len(args) > 3 && args[3] == "old") {
			o = r.orig[args[0]]
		}
		u, err := h.c.Issue(o, args[1], module.Role(args[2]), crypto.Ed25519, genesisTime.Add(-time.Hour), genesisTime.AddDate(1, 0, 0))
		if err != nil {
			return err.Error()
		}
		h.c.Users[args[0]+"/"+args[1]] = u
		if len(in) > 1 {
			return r.run(in[1:])
		}
		return ""
	default:
		return "unknown command " + cmd
	}
	return b.String()
}

func summary(p *gov.Proposal) string {
	n := map[string]int{}
	for _, v := range p.Votes {
		n[v.Vote]++
	}
	s := fmt.Sprintf("proposal %s %s yes=%d no=%d abstain=%d needed=%d/%d", p.ID, p.Status, n["yes"], n["no"], n["abstain"], p.Needed, len(p.Electorate))
	if p.RegulatorRequired {
		s += " regulator-required"
	}
	if p.Reason != "" {
		s += " reason: " + p.Reason
	}
	return s
}

func outcome(res *abci.ExecTxResult) string {
	if res.Code != 0 {
		return "error " + res.Log
	}
	var d struct {
		Msgs []tx.ItemResult `json:"msgs"`
	}
	if err := json.Unmarshal(res.Data, &d); err != nil {
		return "bad result: " + err.Error()
	}
	var p gov.Proposal
	if json.Unmarshal(d.Msgs[0].Data, &p) == nil && p.Electorate != nil {
		return "ok " + summary(&p)
	}
	var v map[string]any
	_ = json.Unmarshal(d.Msgs[0].Data, &v)
	for _, k := range []string{"ca_cert", "ca_history", "evidence", "description", "filed_by", "rejected_by", "cert"} {
		delete(v, k)
	}
	out, _ := json.Marshal(v)
	return "ok " + string(out)
}

// report prints the block's validator updates and the governance events.
func report(b *strings.Builder, res *abci.ResponseFinalizeBlock) {
	for _, u := range res.ValidatorUpdates {
		fmt.Fprintf(b, "validator update %s power=%d\n", valName(gov.Address(u.PubKey.GetEd25519())), u.Power)
	}
	var evs []abci.Event
	for _, r := range res.TxResults {
		evs = append(evs, r.Events...)
	}
	evs = append(evs, res.Events...)
	for _, e := range evs {
		switch e.Type {
		case "proposal_passed", "proposal_failed", "proposal_rejected", "proposal_expired", "validator_changed", "org_added",
			"org_removed", "org_ca_rotated", "contract_type_set", "misbehaviour", "validator_floor_breached", "premium_accrued", "claim_paid", "identity_registered":
			var attrs []string
			for _, a := range e.Attributes {
				if a.Key == "msg_index" || a.Key == "item" || a.Key == "module" {
					continue
				}
				v := a.Value
				if a.Key == "validator" {
					v = valName(v)
				}
				attrs = append(attrs, a.Key+"="+v)
			}
			sort.Strings(attrs)
			fmt.Fprintf(b, "event %s %s\n", e.Type, strings.Join(attrs, " "))
		}
	}
}
