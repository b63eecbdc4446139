package contract_test

import (
	"bytes"
	"crypto/sha256"
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

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/internal/scenario"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/scenarios")

// TestScenarios runs the rule-book scripts in testdata/scenarios against the
// real app. Each case is command lines, "----", and the expected output,
// ended by a blank line. Run with -rewrite to regenerate the expectations
// (then read the diff: it is the rule book).
//
// Commands (USER is a fixture user "<org>/<name>"; in tx JSON, {{USER}} is
// USER's identity id):
//
//	at YYYY-MM-DD HH:MM[:SS]             the next block's time (China)
//	tx USER TYPE JSON                     one message in its own block; in a
//	                                      contract/sign, "hash":"auto" is the
//	                                      version's hash, "signature":"auto"
//	                                      USER's signature of the statement,
//	                                      "seal_signature":"auto:SEALUSER"
//	                                      the seal's (and "seal" its id)
//	create USER ID TYPE PARTY... [title=T] [file=F] [expires=D] [fund=F]
//	       [investor=I] [recipients=U,U] content=TEXT
//	                                      PARTY is ORG or ORG/NAME (an
//	                                      investor identity); the document is
//	                                      sealed for the parties and the
//	                                      regulator unless recipients= says
//	upload USER ID REPLACES [comment=W] [file=F] content=TEXT
//	review USER ID VERSION STAGE approve|reject [COMMENT...]
//	sign USER ID VERSION [seal=SEALUSER] [sealkey=USER] [sigkey=USER]
//	     [hash=HEX] [biometric]
//	register-seal ADMIN SEALUSER
//	revoke ADMIN USER [REASON...]          member/revoke_identity
//	issue ORG NAME ROLE [register]         a new certificate of ORG's CA (on
//	                                      chain only with register)
//	open USER ID VERSION                  decrypt a version's document as USER
//	show ID | history ID                  the contract, its operation evidence
//	verify TEXT                           the verification report of a file
//	can-read USER PATH | query USER PATH
//	fund USER CODE [risk=R4] [resellers=A,B] [require_agreement]
//	investor CHANNEL ID TYPE RISK [identity=USER]
//	blocks N                              N empty blocks
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			runScenarioOn(t, f, newChain(t), true)
		})
	}
}

// runScenarioOn runs a scenario on h; check compares the output with the
// expectations (heights in the output depend on the chunk size).
func runScenarioOn(t *testing.T, path string, h *chain, check bool) {
	r := &runner{h: h}
	scenario.Run(t, path, r.run, check, *rewrite)
}

type runner struct {
	h *chain
}

// send runs one tx of one message in its own block and prints the outcome.
func (r *runner) send(user, typ string, msg any) string {
	var m tx.Any
	if raw, ok := msg.(json.RawMessage); ok {
		m = tx.Any{Type: typ, Value: raw}
	} else {
		m = anyMsg(typ, msg)
	}
	res, _ := r.h.block(r.h.signed(user, m))
	return r.outcome(res[0])
}

func (r *runner) run(in []string) (out string) {
	h := r.h
	f := strings.Fields(in[0])
	cmd, args := f[0], f[1:]
	defer func() {
		if p := recover(); p != nil {
			out = fmt.Sprintf("runner: %v", p)
		}
	}()
	switch cmd {
	case "at":
		ts, err := time.ParseInLocation("2006-01-02 15:04:05", strings.Join(args, " "), china)
		if err != nil {
			ts, err = time.ParseInLocation("2006-01-02 15:04", strings.Join(args, " "), china)
		}
		if err != nil {
			return "bad time: " + err.Error()
		}
		h.setTime(ts)
		return ""
	case "tx":
		rest := strings.SplitN(in[0], " ", 4)
		return r.send(rest[1], rest[2], r.expand(rest[1], rest[2], rest[3]))
	case "create":
		return r.create(args, in[0])
	case "upload":
		// upload USER ID REPLACES [comment=W] [file=F] content=TEXT
		user, id := args[0], args[1]
		n, _ := strconv.Atoi(args[2])
		var c contract.Contract
		if err := h.read("contract/contracts/"+id, &c); err != nil {
			return "error " + trimLog(err.Error())
		}
		name := opt(args, "file")
		if name == "" {
			name = id + "-v" + strconv.Itoa(n+1) + ".pdf"
		}
		d, err := h.document(user, id, name, []byte(content(in[0])), h.partyRecipients(c.Parties))
		if err != nil {
			return "seal: " + err.Error()
		}
		return r.send(user, contract.TypeUploadVersion, contract.UploadVersion{Contract: id, Replaces: n, Document: d, Comment: opt(args, "comment")})
	case "review":
		// review USER ID VERSION STAGE approve|reject [COMMENT...]
		n, _ := strconv.Atoi(args[2])
		return r.send(args[0], contract.TypeReview, contract.ReviewMsg{Contract: args[1], Version: n, Stage: args[3],
			Approve: args[4] == "approve", Comment: strings.Join(args[5:], " ")})
	case "sign":
		return r.sign(args)
	case "register-seal":
		return r.send(args[0], contract.TypeRegisterSeal, contract.RegisterSeal{Seal: h.user(args[1]).ID(), Name: "contract seal 合同专用章 of " + args[1], ImageHash: imageHash(args[1])})
	case "revoke":
		reason := strings.Join(args[2:], " ")
		if reason == "" {
			reason = "key compromised"
		}
		return r.send(args[0], member.TypeRevokeIdentity, member.RevokeIdentity{ID: h.user(args[1]).ID(), Reason: reason})
	case "issue":
		// issue ORG NAME ROLE [register]
		o := h.c.Org(args[0])
		u, err := h.c.Issue(o, args[1], module.Role(args[2]), h.user(args[0]+"/admin").Key.Algorithm(), genesisTime.Add(-time.Hour), genesisTime.AddDate(1, 0, 0))
		if err != nil {
			return "issue: " + err.Error()
		}
		h.c.Users[args[0]+"/"+args[1]] = u
		if hasFlag(args, "register") {
			return r.send(args[0]+"/admin", member.TypeRegisterIdentity, member.RegisterIdentity{Cert: string(u.Cert.PEM())})
		}
		return "issued (not on chain)"
	case "show":
		return r.show(args[0])
	case "open":
		// open USER ID VERSION: decrypt the version's document as USER
		n, _ := strconv.Atoi(args[2])
		var v contract.Version
		if _, err := querycheck.Read(h.t, h.app, fmt.Sprintf("contract/contracts/%s/versions/%d", args[1], n), nil, h.identity(args[0])); err != nil {
			return "error " + trimLog(err.Error())
		}
		if err := h.read(fmt.Sprintf("contract/contracts/%s/versions/%d", args[1], n), &v); err != nil {
			return "error " + trimLog(err.Error())
		}
		u := h.user(args[0])
		pt, err := crypto.Open(v.Document.Envelope, contract.DocumentAAD(args[1]), u.ID(), u.EncKey)
		if err != nil {
			return "cannot open: " + err.Error()
		}
		alg := crypto.Ed25519
		if v.Document.HashAlg == "sm3" {
			alg = crypto.SM2
		}
		return fmt.Sprintf("%q hash_matches=%v", pt, hex.EncodeToString(crypto.Hash(alg, pt)) == v.Document.Hash)
	case "history":
		return r.history(args[0])
	case "verify":
		return r.verify(strings.TrimPrefix(in[0], "verify "))
	case "can-read":
		if _, err := querycheck.Read(h.t, h.app, args[1], nil, h.identity(args[0])); err != nil {
			return "error " + trimLog(err.Error())
		}
		return "ok"
	case "query":
		v, err := querycheck.Read(h.t, h.app, args[1], nil, h.identity(args[0]))
		if err != nil {
			return "error " + trimLog(err.Error())
		}
		b, _ := json.Marshal(v)
		var x any
		_ = json.Unmarshal(b, &x)
		return r.compact(x)
	case "fund":
		// fund USER CODE [risk=R4] [resellers=A,B] [require_agreement]
		m := defaultFund(args[1], h.user(args[0]).Cert.Org)
		if v := opt(args, "risk"); v != "" {
			if err := m.Risk.UnmarshalText([]byte(v)); err != nil {
				return err.Error()
			}
		}
		if v := opt(args, "resellers"); v != "" {
			m.Resellers = strings.Split(v, ",")
		}
		m.Terms.RequireAgreement = hasFlag(args, "require_agreement")
		return r.send(args[0], fund.TypeRegisterFund, m)
	case "investor":
		// investor CHANNEL ID TYPE RISK [identity=USER]
		m, err := r.investorMsg(args[0], args[1], args[2], args[3], opt(args, "identity"))
		if err != nil {
			return err.Error()
		}
		return r.send(args[0], fund.TypeRegisterInvestor, m)
	case "blocks":
		n, _ := strconv.Atoi(args[0])
		for i := 0; i < n; i++ {
			h.block()
		}
		return ""
	}
	return "unknown command " + cmd
}

// content is the text after "content=" on a command line (spaces allowed).
func content(line string) string {
	_, c, _ := strings.Cut(line, " content=")
	return c
}

// create USER ID TYPE PARTY... [options] content=TEXT
func (r *runner) create(args []string, line string) string {
	h := r.h
	before, _, _ := strings.Cut(line, " content=")
	args = strings.Fields(before)[1:]
	user, id, typ := args[0], args[1], args[2]
	var parties []contract.Party
	for _, a := range args[3:] {
		if strings.Contains(a, "=") {
			continue
		}
		org, name, ok := strings.Cut(a, "/")
		p := contract.Party{Org: org}
		if ok {
			p.Identity = h.user(org + "/" + name).ID()
		}
		parties = append(parties, p)
	}
	recips := h.partyRecipients(parties)
	if v := opt(args, "recipients"); v != "" {
		recips = strings.Split(v, ",")
	}
	name := opt(args, "file")
	if name == "" {
		name = id + "-v1.pdf"
	}
	d, err := h.document(user, id, name, []byte(content(line)), recips)
	if err != nil {
		return "seal: " + err.Error()
	}
	title := strings.ReplaceAll(opt(args, "title"), "_", " ")
	if title == "" {
		title = "Contract " + id
	}
	return r.send(user, contract.TypeCreate, contract.Create{ID: id, Type: typ, Title: title, Parties: parties, Document: d,
		Expires: opt(args, "expires"), Fund: opt(args, "fund"), Investor: opt(args, "investor")})
}

// sign USER ID VERSION [seal=SEALUSER] [sealkey=USER] [sigkey=USER] [hash=HEX] [biometric]
func (r *runner) sign(args []string) string {
	h := r.h
	user, id := args[0], args[1]
	n, _ := strconv.Atoi(args[2])
	v, err := h.version(id, n)
	if err != nil {
		return "error " + trimLog(err.Error())
	}
	st := contract.SignStatement(h.c.ChainID, id, n, v.Document.HashAlg, v.Document.Hash)
	key := user
	if k := opt(args, "sigkey"); k != "" {
		key = k
	}
	m := contract.Sign{Contract: id, Version: n, Hash: v.Document.Hash, Signature: h.signHex(key, st)}
	if x := opt(args, "hash"); x != "" {
		m.Hash = x
	}
	if s := opt(args, "seal"); s != "" {
		sk := s
		if k := opt(args, "sealkey"); k != "" {
			sk = k
		}
		m.Seal, m.SealSig = h.user(s).ID(), h.signHex(sk, st)
	}
	if hasFlag(args, "biometric") {
		b := sha256.Sum256([]byte("face verification record of " + user))
		m.Biometric = hex.EncodeToString(b[:])
	}
	return r.send(user, contract.TypeSign, m)
}

// expand fills the placeholders of a tx's JSON: {{USER}} is USER's
// identity id; in a contract/sign, "hash":"auto", "signature":"auto" and
// "seal_signature":"auto:SEALUSER".
func (r *runner) expand(signer, typ, js string) json.RawMessage {
	h := r.h
	js = regexp.MustCompile(`\{\{([a-z0-9-]+/[a-z0-9-]+)\}\}`).ReplaceAllStringFunc(js, func(s string) string {
		return h.user(s[2 : len(s)-2]).ID()
	})
	if typ != contract.TypeSign {
		return json.RawMessage(js)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return json.RawMessage(js) // malformed on purpose: sent as is
	}
	id, _ := m["contract"].(string)
	n, _ := m["version"].(float64)
	v, err := h.version(id, int(n))
	if err != nil {
		return json.RawMessage(js)
	}
	st := contract.SignStatement(h.c.ChainID, id, int(n), v.Document.HashAlg, v.Document.Hash)
	if m["hash"] == "auto" {
		m["hash"] = v.Document.Hash
	}
	if m["signature"] == "auto" {
		m["signature"] = h.signHex(signer, st)
	}
	if s, ok := m["seal_signature"].(string); ok && strings.HasPrefix(s, "auto:") {
		seal := strings.TrimPrefix(s, "auto:")
		m["seal_signature"] = h.signHex(seal, st)
		if _, ok := m["seal"]; !ok {
			m["seal"] = h.user(seal).ID()
		}
	}
	out, _ := json.Marshal(m)
	return out
}

// name is the fixture name of an identity id, or the id.
func (r *runner) name(id string) string {
	for n, u := range r.h.c.Users {
		if u.ID() == id {
			return n
		}
	}
	return id
}

func (r *runner) show(id string) string {
	var c struct {
		contract.Contract
		Versions []*contract.Version `json:"versions"`
	}
	if err := r.h.read("contract/contracts/"+id, &c); err != nil {
		return "error " + trimLog(err.Error())
	}
	var b strings.Builder
	var ps []string
	for _, p := range c.Parties {
		if p.Identity != "" {
			ps = append(ps, r.name(p.Identity))
		} else {
			ps = append(ps, p.Org)
		}
	}
	fmt.Fprintf(&b, "%s %s status=%s version=%d in_force=%d stage=%d parties=%s", c.ID, c.Type, c.Status, c.Version, c.InForce, c.Stage, strings.Join(ps, ","))
	if c.Expires != "" {
		fmt.Fprintf(&b, " expires=%s", c.Expires)
	}
	if c.Fund != "" {
		fmt.Fprintf(&b, " fund=%s", c.Fund)
	}
	if c.Investor != "" {
		fmt.Fprintf(&b, " investor=%s", c.Investor)
	}
	if len(c.Terminating) > 0 {
		fmt.Fprintf(&b, " terminating=%v", c.Terminating)
	}
	if c.Reason != "" {
		fmt.Fprintf(&b, " reason=%q", c.Reason)
	}
	if c.RetainUntil != "" {
		fmt.Fprintf(&b, " retain_until=%s", c.RetainUntil)
	}
	for _, v := range c.Versions {
		fmt.Fprintf(&b, "\n  v%d %s %s %d bytes %s", v.N, v.Status, v.Document.Name, v.Document.Size, v.Document.HashAlg)
		if v.Replaces > 0 {
			fmt.Fprintf(&b, " replaces=v%d", v.Replaces)
		}
		for _, rv := range v.Reviews {
			verdict := "approved"
			if !rv.Approve {
				verdict = "rejected"
			}
			fmt.Fprintf(&b, "\n    review %s %s by %s", rv.Stage, verdict, r.name(rv.Reviewer))
			if rv.Comment != "" {
				fmt.Fprintf(&b, ": %s", rv.Comment)
			}
		}
		for _, s := range v.Signatures {
			fmt.Fprintf(&b, "\n    signed party=%d by %s", s.Party, r.name(s.Signer))
			if s.Seal != "" {
				fmt.Fprintf(&b, " seal=%s", r.name(s.Seal))
			}
			if s.Biometric != "" {
				b.WriteString(" biometric")
			}
		}
	}
	return b.String()
}

func (r *runner) history(id string) string {
	var evs []contract.Event
	if err := r.h.read("contract/contracts/"+id+"/history", &evs); err != nil {
		return "error " + trimLog(err.Error())
	}
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "%d %s by %s", e.Seq, e.Action, r.name(e.Actor))
		if e.Version > 0 {
			fmt.Fprintf(&b, " v%d", e.Version)
		}
		keys := make([]string, 0, len(e.Detail))
		for k, v := range e.Detail {
			if v != "" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := e.Detail[k]
			if k == "seal" {
				v = r.name(v)
			}
			if strings.Contains(v, " ") {
				v = strconv.Quote(v)
			}
			fmt.Fprintf(&b, " %s=%s", k, v)
		}
		if e.Tx == "" {
			b.WriteString(" (no tx)")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// verify prints the verification report of a file's content, looked up
// by its SHA-256 and its SM3 hash.
func (r *runner) verify(text string) string {
	var b strings.Builder
	found := false
	for _, alg := range []crypto.Algorithm{crypto.Ed25519, crypto.SM2} {
		hash := hex.EncodeToString(crypto.Hash(alg, []byte(text)))
		var rep contract.Report
		if err := r.h.read("contract/verify/"+crypto.HashName(alg)+"/"+hash, &rep); err != nil {
			return "error " + trimLog(err.Error())
		}
		if !rep.Found {
			continue
		}
		found = true
		for _, m := range rep.Matches {
			fmt.Fprintf(&b, "match %s v%d %s version=%s contract=%s in_force=%v document_matches=%v all_signed=%v valid=%v\n",
				m.Contract, m.Version, rep.HashAlg, m.VersionStatus, m.ContractStatus, m.InForce, m.DocumentMatches, m.AllSigned, m.Valid)
			for _, s := range m.Signatures {
				fmt.Fprintf(&b, "  party %d %s ok=%v", s.Party, r.name(s.Signer), s.OK)
				if s.Seal != "" {
					fmt.Fprintf(&b, " seal=%s registered=%v unrevoked=%v seal_sig=%v", r.name(s.Seal), s.SealRegistered, s.SealUnrevoked, s.SealSignatureValid)
				}
				if s.Biometric != "" {
					b.WriteString(" biometric")
				}
				if s.RevokedLater != "" {
					fmt.Fprintf(&b, " revoked_later=%q", s.RevokedLater)
				}
				if s.Problem != "" {
					fmt.Fprintf(&b, " problem=%q", s.Problem)
				}
				b.WriteString("\n")
			}
			var met []string
			for _, c := range m.Article13 {
				met = append(met, strconv.FormatBool(c.Met))
			}
			fmt.Fprintf(&b, "  art.13 met=%s\n", strings.Join(met, ","))
		}
	}
	if !found {
		return "found=false"
	}
	return b.String()
}

func (r *runner) outcome(res *abci.ExecTxResult) string {
	if res.Code != 0 {
		return "error " + trimLog(res.Log)
	}
	d, err := resultOf(res)
	if err != nil {
		return "bad result: " + err.Error()
	}
	var c contract.Contract
	if json.Unmarshal(d, &c) == nil && c.ID != "" && c.Type != "" && c.Creator != "" {
		s := fmt.Sprintf("ok contract=%s status=%s version=%d in_force=%d stage=%d", c.ID, c.Status, c.Version, c.InForce, c.Stage)
		if len(c.Terminating) > 0 {
			s += fmt.Sprintf(" terminating=%v", c.Terminating)
		}
		if c.RetainUntil != "" {
			s += " retain_until=" + c.RetainUntil
		}
		return s
	}
	var v any
	_ = json.Unmarshal(d, &v)
	return "ok " + r.compact(v)
}

// compact prints a result with sorted keys, identity ids as fixture names.
func (r *runner) compact(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+"="+r.compact(x[k]))
		}
		return strings.Join(parts, " ")
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, r.compact(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case string:
		if len(x) == 64 && strings.Trim(x, "0123456789abcdef") == "" {
			if n := r.name(x); n != x {
				return n
			}
			return "<id>"
		}
		return x
	default:
		b, _ := json.Marshal(x)
		return string(bytes.Trim(b, `"`))
	}
}

// trimLog drops the "message 0 (type): " prefix of a refusal.
func trimLog(s string) string {
	if i := strings.Index(s, "): "); i > 0 && strings.Contains(s[:i], "message ") {
		head := s[:strings.Index(s, " ")]
		name := strings.Fields(s)[1]
		return head + " " + name + " " + s[i+3:]
	}
	return s
}

func opt(args []string, key string) string {
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func hasFlag(args []string, f string) bool {
	for _, a := range args {
		if a == f {
			return true
		}
	}
	return false
}

// investorMsg registers a fund investor with its personal data sealed for
// the channel, the regulator and (if given) the investor's identity.
func (r *runner) investorMsg(channel, id, typ, risk, identity string) (*fund.RegisterInvestor, error) {
	h := r.h
	recips := []crypto.Recipient{h.recipient(channel), h.recipient("regulator/operator")}
	m := &fund.RegisterInvestor{ID: id, Type: typ, RiskAssessed: sdate("2026-01-05"), RiskExpires: sdate("2027-01-05")}
	if err := m.Risk.UnmarshalText([]byte(risk)); err != nil {
		return nil, err
	}
	if identity != "" {
		recips = append(recips, h.recipient(identity))
		m.Identity = h.user(identity).ID()
	}
	data := fund.PersonalData{Name: "Investor " + id, IDType: "resident_id", IDNumber: "11010519491231002X", Phone: "13800000000", Address: "1 Finance St, Beijing"}
	env, commit, alg, err := fund.SealPersonal(h.user(channel).Key.Algorithm(), id, data, recips)
	if err != nil {
		return nil, err
	}
	m.Personal, m.Commitment, m.CommitAlg = env, commit, alg
	return m, nil
}

func samount(s string) fund.Amount {
	a, err := fund.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

func sshares(s string) fund.Shares {
	a, err := fund.ParseShares(s)
	if err != nil {
		panic(err)
	}
	return a
}

func srate(s string) *fund.Rate {
	x, err := fund.ParseRate(s)
	if err != nil {
		panic(err)
	}
	return &x
}

// defaultFund is a hybrid fund, R3, offered 2026-03-02 to 03-06, sold by
// rs-bank.
func defaultFund(code, manager string) *fund.RegisterFund {
	return &fund.RegisterFund{
		Product: fund.Product{Code: code, Name: "Demo Fund " + code, Type: "hybrid", ShareClass: "A", Risk: 3,
			Manager: manager, Custodian: "cust-trust", OfferingStart: sdate("2026-03-02"), OfferingEnd: sdate("2026-03-06"), Rounding: fund.Truncate},
		Terms: fund.Terms{MinFirst: samount("1000.00"), MinAdditional: samount("100.00"), MinRedemption: sshares("100.00"), MinHolding: sshares("100.00"),
			PurchaseFees:   []fund.PurchaseTier{{Rate: srate("1.50%")}},
			RedemptionFees: []fund.RedemptionTier{{MinDays: 0, Rate: *srate("1.50%")}},
			DividendMethod: fund.DividendCash},
		Resellers: []string{"rs-bank"},
	}
}
