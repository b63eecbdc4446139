package exchange_test

import (
	"bytes"
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
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/internal/scenario"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/scenarios")

// TestScenarios runs the data desk's scripts in testdata/scenarios against
// the real app. Each case is a command line, "----", and the expected
// output, ended by a blank line. Run with -rewrite to regenerate the
// expectations (then read the diff: it is the rule book).
//
// Commands (USER is a fixture user "<org>/<name>"; a recipient is an
// organisation id or a fixture user; in tx JSON, {{USER}} is USER's
// identity id):
//
//	at YYYY-MM-DD HH:MM[:SS]           the next block's time (China)
//	send USER ID --to R,R [--category C] [--name N] [--parents P,Q] [--blob]
//	     [--no-regulator] [--extra-reader USER] [--omit R] [--bad-sig]
//	     [--hold] content=TEXT
//	                                    the file TEXT sealed for the readers
//	                                    (sender, each recipient's admin and
//	                                    operator or the recipient identity,
//	                                    the regulator's operator), signed,
//	                                    sent inline or as a blob reference;
//	                                    the options break it on purpose
//	ack USER ID accept|reject [--target R] [--bad-sig] [--hold] [REASON...]
//	tx USER TYPE JSON                   one raw message in its own block
//	revoke ADMIN USER                   member/revoke_identity
//	show ID                             the record as the regulator sees it
//	open USER ID                        read the record as USER and decrypt
//	inbox USER ORG [STATUS] | outbox USER ORG
//	trace USER ID                       the provenance graph as USER sees it
//	verify USER TEXT                    the records of a file (SHA-256 and SM3)
//	blob USER ID                        the blob of record ID, asked as USER
//	can-read USER PATH | query USER PATH
//	blocks N                            N empty blocks
//
// --hold keeps the tx for the next block-running command, which runs the
// held txs first in the same block.
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
	r := newRunner(h)
	scenario.Run(t, path, r.run, check, *rewrite)
}

type runner struct {
	h     *chain
	held  [][]byte          // txs for the next block
	blobs map[string][]byte // blob bytes by hash, as the sender node keeps them
}

func newRunner(h *chain) *runner { return &runner{h: h, blobs: map[string][]byte{}} }

// submit runs the held txs and raw in one block and prints each outcome
// (held ones first, one a line).
func (r *runner) submit(raw []byte, hold bool) string {
	if hold {
		r.held = append(r.held, raw)
		return "held"
	}
	txs := append(r.held, raw)
	r.held = nil
	res := r.h.block(txs...)
	var out []string
	for _, x := range res {
		out = append(out, r.outcome(x))
	}
	return strings.Join(out, "\n")
}

func (r *runner) send(user string, m tx.Any, hold bool) string {
	return r.submit(r.h.signed(user, m), hold)
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
	case "send":
		return r.sendFile(in[0])
	case "ack":
		return r.ack(args)
	case "tx":
		rest := strings.SplitN(in[0], " ", 4)
		return r.send(rest[1], tx.Any{Type: rest[2], Value: r.expand(rest[3])}, false)
	case "revoke":
		return r.send(args[0], anyMsg(member.TypeRevokeIdentity, member.RevokeIdentity{ID: h.user(args[1]).ID(), Reason: "key compromised"}), false)
	case "show":
		return r.show(args[0])
	case "open":
		var rec exchange.Record
		if err := h.readAs(args[0], "exchange/records/"+args[1], nil, &rec); err != nil {
			return "error " + trimLog(err.Error())
		}
		var blob []byte
		if rec.Blob != nil {
			blob = r.blobs[rec.Blob.Hash]
		}
		pt, err := h.openContent(args[0], &rec, blob)
		if err != nil {
			return "cannot open: " + err.Error()
		}
		alg := crypto.Ed25519
		if rec.HashAlg == "sm3" {
			alg = crypto.SM2
		}
		return fmt.Sprintf("%q hash_matches=%v", pt, hex.EncodeToString(crypto.Hash(alg, pt)) == rec.Hash)
	case "inbox", "outbox":
		var p map[string]string
		if len(args) > 2 {
			p = map[string]string{"status": args[2]}
		}
		var vs module.List[exchange.View]
		if err := h.readAs(args[0], "exchange/"+cmd+"/"+args[1], p, &vs); err != nil {
			return "error " + trimLog(err.Error())
		}
		return r.box(cmd, vs.Items)
	case "trace":
		return r.trace(args[0], args[1])
	case "verify":
		return r.verify(args[0], strings.SplitN(in[0], " ", 3)[2])
	case "blob":
		hash := args[1]
		var rec exchange.Record
		if err := h.read("exchange/records/"+args[1], &rec); err == nil && rec.Blob != nil {
			hash = rec.Blob.Hash
		}
		return r.query(args[0], "exchange/blob/"+hash)
	case "can-read":
		if _, err := querycheck.Read(h.t, h.app, args[1], nil, h.identity(args[0])); err != nil {
			return "error " + trimLog(err.Error())
		}
		return "ok"
	case "query":
		return r.query(args[0], args[1])
	case "blocks":
		n, _ := strconv.Atoi(args[0])
		for i := 0; i < n; i++ {
			h.block()
		}
		return ""
	}
	return "unknown command " + cmd
}

func (r *runner) query(user, path string) string {
	v, err := querycheck.Read(r.h.t, r.h.app, path, nil, r.h.identity(user))
	if err != nil {
		return "error " + trimLog(err.Error())
	}
	b, _ := json.Marshal(v)
	var x any
	_ = json.Unmarshal(b, &x)
	return "ok " + r.compact(x)
}

// content is the text after "content=" on a command line (spaces allowed).
func content(line string) string {
	_, c, _ := strings.Cut(line, " content=")
	return c
}

// flagVal returns the value of --name in args ("" if absent).
func flagVal(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name {
			return true
		}
	}
	return false
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// sendFile: send USER ID --to R,R [options] content=TEXT
func (r *runner) sendFile(line string) string {
	h := r.h
	before, _, _ := strings.Cut(line, " content=")
	args := strings.Fields(before)[1:]
	user, id := args[0], args[1]
	recipients := splitList(flagVal(args, "--to"))
	category := flagVal(args, "--category")
	if category == "" {
		category = "nav"
	}
	name := flagVal(args, "--name")
	if name == "" {
		name = id + ".csv"
	}
	readers := h.readersOf(user, recipients)
	for _, o := range splitList(flagVal(args, "--omit")) {
		var keep []string
		for _, u := range readers {
			if u != o && !strings.HasPrefix(u, o+"/") {
				keep = append(keep, u)
			}
		}
		readers = keep
	}
	if hasFlag(args, "--no-regulator") {
		var keep []string
		for _, u := range readers {
			if u != "regulator/operator" {
				keep = append(keep, u)
			}
		}
		readers = keep
	}
	readers = append(readers, splitList(flagVal(args, "--extra-reader"))...)
	s, err := h.seal(user, id, name, category, []byte(content(line)), recipients, readers, hasFlag(args, "--blob"))
	if err != nil {
		return "seal: " + err.Error()
	}
	m := s.Msg
	m.Parents = splitList(flagVal(args, "--parents"))
	if hasFlag(args, "--bad-sig") {
		// A signature over another size: what a tampered file would give.
		m.Signature = h.signHex(user, exchange.FileStatement(h.c.ChainID, id, m.HashAlg, m.Hash, m.Size+1, m.Name))
	}
	if m.Blob != nil {
		r.blobs[m.Blob.Hash] = s.Ciphertext
	}
	return r.send(user, anyMsg(exchange.TypeSend, m), hasFlag(args, "--hold"))
}

// ack USER ID accept|reject [--target R] [--bad-sig] [--hold] [REASON...]
func (r *runner) ack(args []string) string {
	h := r.h
	user, id, verdict := args[0], args[1], args[2]
	var reason []string
	m := exchange.AckMsg{Record: id, Accepted: verdict == "accept"}
	for i := 3; i < len(args); i++ {
		switch args[i] {
		case "--target":
			i++
			m.Target = h.recipientID(args[i])
		case "--bad-sig", "--hold":
		default:
			reason = append(reason, args[i])
		}
	}
	m.Reason = strings.Join(reason, " ")
	hash := strings.Repeat("0", 64)
	var rec exchange.Record
	if err := h.read("exchange/records/"+id, &rec); err == nil {
		hash = rec.Hash
	}
	accepted := m.Accepted
	if hasFlag(args, "--bad-sig") {
		accepted = !accepted // a signature over the other verdict
	}
	m.Signature = h.signHex(user, exchange.AckStatement(h.c.ChainID, id, hash, accepted, m.Reason))
	return r.send(user, anyMsg(exchange.TypeAck, m), hasFlag(args, "--hold"))
}

// expand replaces {{USER}} by USER's identity id.
func (r *runner) expand(js string) json.RawMessage {
	return json.RawMessage(regexp.MustCompile(`\{\{([a-z0-9-]+/[a-z0-9-]+)\}\}`).ReplaceAllStringFunc(js, func(s string) string {
		return r.h.user(s[2 : len(s)-2]).ID()
	}))
}

// name is the fixture name of an identity id, or the id.
func (r *runner) name(id string) string {
	if n := r.h.userByID(id); n != "" {
		return n
	}
	return id
}

func (r *runner) names(ids []string) string {
	var out []string
	for _, id := range ids {
		out = append(out, r.name(id))
	}
	return strings.Join(out, ",")
}

func verdict(a exchange.Ack) string {
	if a.Accepted {
		return "accepted"
	}
	return "rejected: " + a.Reason
}

// show prints a record and its acknowledgements as the regulator reads them.
func (r *runner) show(id string) string {
	var v exchange.View
	if err := r.h.read("exchange/records/"+id, &v); err != nil {
		return "error " + trimLog(err.Error())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %q %d bytes %s %s from %s (%s) at %s height=%d status=%s\n", v.ID, v.Category, v.Name, v.Size, v.HashAlg, v.Hash,
		r.name(v.Sender), v.SenderOrg, v.Time, v.Height, v.Status)
	fmt.Fprintf(&b, "  to %s\n", r.names(v.Recipients))
	if len(v.Parents) > 0 {
		fmt.Fprintf(&b, "  parents %s\n", strings.Join(v.Parents, ","))
	}
	if v.Blob != nil {
		fmt.Fprintf(&b, "  content blob %s at %s\n", v.Blob.Hash, v.Blob.Node)
	} else {
		fmt.Fprintf(&b, "  content inline\n")
	}
	fmt.Fprintf(&b, "  key for %s\n", r.names(v.Key.RecipientIDs()))
	for _, a := range v.Acks {
		fmt.Fprintf(&b, "  ack for %s by %s: %s\n", r.name(a.Target), r.name(a.By), verdict(a))
	}
	return b.String()
}

func (r *runner) box(which string, vs []exchange.View) string {
	if len(vs) == 0 {
		return "(empty)"
	}
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%s %s %s %s", v.ID, v.Status, v.Category, v.Name)
		if which == "inbox" {
			fmt.Fprintf(&b, " from %s", r.name(v.Sender))
		}
		fmt.Fprintf(&b, " to %s", r.names(v.Recipients))
		if v.Key != nil || v.Inline != nil {
			b.WriteString(" (content included)")
		}
		b.WriteString("\n")
		for _, a := range v.Acks {
			fmt.Fprintf(&b, "  %s: %s by %s\n", r.name(a.Target), verdict(a), r.name(a.By))
		}
	}
	return b.String()
}

func (r *runner) trace(user, id string) string {
	var g struct {
		Root      string           `json:"root"`
		Nodes     []*exchange.Node `json:"nodes"`
		Truncated bool             `json:"truncated"`
	}
	if err := r.h.readAs(user, "exchange/trace/"+id, nil, &g); err != nil {
		return "error " + trimLog(err.Error())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "root=%s truncated=%v\n", g.Root, g.Truncated)
	for _, n := range g.Nodes {
		if n.Visible {
			fmt.Fprintf(&b, "  %s %s %s from %s to %s status=%s", n.ID, n.Category, n.Name, n.SenderOrg, r.names(n.Recipients), n.Status)
		} else {
			fmt.Fprintf(&b, "  %s (not visible)", n.ID)
		}
		if len(n.Parents) > 0 {
			fmt.Fprintf(&b, " parents=%s", strings.Join(n.Parents, ","))
		}
		if len(n.Children) > 0 {
			fmt.Fprintf(&b, " children=%s", strings.Join(n.Children, ","))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// verify prints what USER learns of a file's content, looked up by its
// SHA-256 and its SM3 hash.
func (r *runner) verify(user, text string) string {
	var b strings.Builder
	for _, alg := range []crypto.Algorithm{crypto.Ed25519, crypto.SM2} {
		hash := hex.EncodeToString(crypto.Hash(alg, []byte(text)))
		var rep struct {
			Found   bool                 `json:"found"`
			Records []exchange.FileCheck `json:"records"`
		}
		if err := r.h.readAs(user, "exchange/verify/"+crypto.HashName(alg)+"/"+hash, nil, &rep); err != nil {
			return "error " + trimLog(err.Error())
		}
		for _, c := range rep.Records {
			fmt.Fprintf(&b, "%s %s %s %s from %s (%s, %s) height=%d signature_valid=%v sender_unrevoked_at_sending=%v",
				crypto.HashName(alg), c.Record, c.Category, c.Name, r.name(c.Sender), c.SenderOrg, c.SenderName, c.Height, c.SignatureValid, c.Unrevoked)
			if c.Recipients != nil {
				fmt.Fprintf(&b, " recipients=%s acks=%d", r.names(c.Recipients), len(c.Acks))
			}
			b.WriteString("\n")
		}
	}
	if b.Len() == 0 {
		return "found=false"
	}
	return b.String()
}

// dropKeys are result fields the outcome line leaves out (unreadable hex).
var dropKeys = map[string]bool{"signature": true, "tx": true}

func (r *runner) outcome(res *abci.ExecTxResult) string {
	if res.Code != 0 {
		return "error " + trimLog(res.Log)
	}
	var d struct {
		Msgs []tx.ItemResult `json:"msgs"`
	}
	if err := json.Unmarshal(res.Data, &d); err != nil || len(d.Msgs) == 0 {
		return fmt.Sprintf("bad result: %v", err)
	}
	var v any
	_ = json.Unmarshal(d.Msgs[0].Data, &v)
	return "ok " + r.compact(v)
}

// compact prints a result with sorted keys, identity ids as fixture names.
func (r *runner) compact(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if !dropKeys[k] {
				keys = append(keys, k)
			}
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
