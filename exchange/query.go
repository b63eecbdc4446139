package exchange

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Queries implements module.Module. Paths (GET /v1/q/exchange/...):
//
//	records/{id}             the sender's organisation, the recipients, the regulator: the record, its acks
//	inbox/{org}              that organisation's people (and the regulator): ?status=unread|acknowledged|rejected&limit=: {"items", "truncated"}
//	outbox/{org}             same: with each recipient's acknowledgement
//	trace/{id}               readers of the record: the provenance graph (ancestors and descendants)
//	verify/{alg}/{hash}      any member: the records of a file, the sender's signature checked again
//	blob/{hash}              readers: the record a blob belongs to (the API's blob route asks it)
func (m *Module) Queries() []module.QuerySpec {
	acting := []module.Role{module.RoleReseller, module.RoleFundManager, module.RoleCustodian, module.RoleRegulator, module.RoleAdmin}
	return []module.QuerySpec{
		module.Query("records/{id}", queryRecord).WithRoles(acting...),
		module.Query("inbox/{org}", func(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*module.List[View], error) {
			return queryBox(qc, kv, "in", p)
		}).WithRoles(acting...).WithParams(boxParams...),
		module.Query("outbox/{org}", func(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*module.List[View], error) {
			return queryBox(qc, kv, "out", p)
		}).WithRoles(acting...).WithParams(boxParams...),
		module.Query("trace/{id}", queryTrace).WithRoles(acting...),
		module.Query("verify/{alg}/{hash}", queryVerify).WithRoles(acting...),
		module.Query("blob/{hash}", queryBlob).WithRoles(acting...),
	}
}

// boxParams are the query parameters of inbox/{org} and outbox/{org}.
var boxParams = []module.QueryParam{
	{Name: "status", Description: "only the records of this status: unread, acknowledged or rejected (inbox); complete, partial or none (outbox)"},
	module.LimitParam(1000, 100000),
}

// View is a record with its acknowledgements (the content key envelope and
// inline content included: only readers get it).
type View struct {
	*Record
	Acks   []Ack  `json:"acks"`
	Status string `json:"status"` // for a box: unread, acknowledged, rejected (the caller's organisation); sent: complete, partial, none
}

func acksOf(kv module.KVReader, id string) ([]Ack, error) {
	out := []Ack{}
	return out, iterate(kv, ackPrefix(id), func(_, v []byte) error {
		var a Ack
		if err := decode(v, &a); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
}

func queryRecord(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*View, error) {
	r, err := Readable(kv, qc.Peer("member"), p["id"], qc.Caller)
	if err != nil {
		return nil, err
	}
	acks, err := acksOf(kv, r.ID)
	if err != nil {
		return nil, err
	}
	return &View{Record: r, Acks: acks, Status: sentStatus(r, acks)}, nil
}

func sentStatus(r *Record, acks []Ack) string {
	switch {
	case len(acks) == 0:
		return "none"
	case len(acks) < len(r.Recipients):
		return "partial"
	}
	return "complete"
}

// boxStatus is the status of a record for an organisation's inbox, over
// the recipients listed that are the organisation or its people: rejected
// if one of them rejected, acknowledged when all acknowledged, else unread.
func boxStatus(mk module.KVReader, r *Record, acks []Ack, org string) string {
	all, rejected := true, false
	for _, t := range r.Recipients {
		if t != org {
			rec, err := member.GetRecord(mk, t)
			if err != nil || rec.Org != org {
				continue
			}
		}
		i := slices.IndexFunc(acks, func(a Ack) bool { return a.Target == t })
		switch {
		case i < 0:
			all = false
		case !acks[i].Accepted:
			rejected = true
		}
	}
	switch {
	case rejected:
		return "rejected"
	case all:
		return "acknowledged"
	}
	return "unread"
}

func queryBox(qc *module.QueryContext, kv module.KVReader, box string, p map[string]string) (*module.List[View], error) {
	org := p["org"]
	if qc.Caller.Org != org && !isRegulator(qc.Peer("member"), *qc.Caller) {
		return nil, ErrNotPermitted.Wrapf("only %s's people and the regulator read its %sbox", org, box)
	}
	limit := 1000
	if n, err := strconv.Atoi(p["limit"]); err == nil && n > 0 {
		limit = min(n, 100000)
	}
	var ids []string
	pre := []byte(box + "/" + org + "/")
	if err := iterate(kv, pre, func(_, v []byte) error {
		ids = append(ids, string(v))
		return nil
	}); err != nil {
		return nil, err
	}
	slices.Reverse(ids) // newest first
	out := &module.List[View]{Items: []View{}}
	mk := qc.Peer("member")
	for _, id := range ids {
		r, err := GetRecord(kv, id)
		if err != nil {
			return nil, err
		}
		if !readable(mk, r, *qc.Caller) {
			continue // sent to one of the organisation's people, not to the caller
		}
		acks, err := acksOf(kv, id)
		if err != nil {
			return nil, err
		}
		st := sentStatus(r, acks)
		if box == "in" {
			st = boxStatus(mk, r, acks, org)
		}
		if s := p["status"]; s != "" && s != st {
			continue
		}
		r.Key, r.Inline = nil, nil // lists carry metadata; records/{id} the content
		if !out.Add(View{Record: r, Acks: acks, Status: st}, limit) {
			break
		}
	}
	return out, nil
}

// Node is one record in a provenance graph.
type Node struct {
	ID         string   `json:"id"`
	Visible    bool     `json:"visible"` // false: the caller may not read it (only the id is shown)
	Sender     string   `json:"sender,omitempty"`
	SenderOrg  string   `json:"sender_org,omitempty"`
	Recipients []string `json:"recipients,omitempty"`
	Category   string   `json:"category,omitempty"`
	Name       string   `json:"name,omitempty"`
	Hash       string   `json:"hash,omitempty"`
	Time       string   `json:"time,omitempty"`
	Height     int64    `json:"height,omitempty"`
	Parents    []string `json:"parents,omitempty"`
	Children   []string `json:"children,omitempty"`
	Acks       []Ack    `json:"acks,omitempty"`
	Status     string   `json:"status,omitempty"`
}

// MaxTrace bounds a provenance graph.
const MaxTrace = 1000

func queryTrace(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*Trace, error) {
	mk := qc.Peer("member")
	if _, err := Readable(kv, mk, p["id"], qc.Caller); err != nil {
		return nil, err
	}
	nodes := map[string]*Node{}
	order := []string{}
	queue := []string{p["id"]}
	for len(queue) > 0 && len(order) < MaxTrace {
		id := queue[0]
		queue = queue[1:]
		if _, done := nodes[id]; done {
			continue
		}
		n := &Node{ID: id}
		nodes[id] = n
		order = append(order, id)
		r, err := GetRecord(kv, id)
		if err != nil {
			return nil, err
		}
		if !readable(mk, r, *qc.Caller) {
			continue // only its id: neither its links nor what lies beyond it
		}
		var children []string
		if err := iterate(kv, childPrefix(id), func(k, _ []byte) error {
			children = append(children, string(k[len(childPrefix(id)):]))
			return nil
		}); err != nil {
			return nil, err
		}
		n.Parents, n.Children = r.Parents, children
		queue = append(queue, r.Parents...)
		queue = append(queue, children...)
		acks, err := acksOf(kv, id)
		if err != nil {
			return nil, err
		}
		n.Visible, n.Sender, n.SenderOrg, n.Recipients, n.Category = true, r.Sender, r.SenderOrg, r.Recipients, r.Category
		n.Name, n.Hash, n.Time, n.Height, n.Acks, n.Status = r.Name, r.Hash, r.Time, r.Height, acks, sentStatus(r, acks)
	}
	out := make([]*Node, 0, len(order))
	for _, id := range order {
		out = append(out, nodes[id])
	}
	return &Trace{Root: p["id"], Nodes: out, Truncated: len(queue) > 0}, nil
}

// Trace is the answer of trace/{id}: the provenance graph around root,
// Truncated when it stopped at MaxTrace nodes. Fields are in the order of
// their JSON names (the answer was once a map).
type Trace struct {
	Nodes     []*Node `json:"nodes"`
	Root      string  `json:"root"`
	Truncated bool    `json:"truncated"`
}

// FileCheck is the verification of a file against the records of its hash.
type FileCheck struct {
	Record         string `json:"record"`
	Sender         string `json:"sender"`
	SenderOrg      string `json:"sender_org"`
	SenderName     string `json:"sender_name"`
	Time           string `json:"time"`
	Height         int64  `json:"height"`
	Tx             string `json:"tx"` // its receipt proves the record offline: /v1/receipts/{tx}
	Name           string `json:"name"`
	Size           int64  `json:"size"`
	Category       string `json:"category"`
	SignatureValid bool   `json:"signature_valid"`
	Unrevoked      bool   `json:"sender_unrevoked_at_sending"`
	// Recipients and acknowledgements are shown to the record's readers only.
	Recipients []string `json:"recipients,omitempty"`
	Acks       []Ack    `json:"acks,omitempty"`
}

func queryVerify(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*Verification, error) {
	alg, hash := p["alg"], p["hash"]
	if (alg != "sha256" && alg != "sm3") || !validHash(hash) {
		return nil, ErrInvalidRequest.Wrapf("want verify/sha256|sm3/<64 lowercase hex>")
	}
	mk := qc.Peer("member")
	var ids []string
	pre := hashPrefix(alg, hash)
	if err := iterate(kv, pre, func(k, _ []byte) error {
		ids = append(ids, string(k[len(pre):]))
		return nil
	}); err != nil {
		return nil, err
	}
	out := []FileCheck{}
	for _, id := range ids {
		r, err := GetRecord(kv, id)
		if err != nil {
			return nil, err
		}
		fc := FileCheck{Record: r.ID, Sender: r.Sender, SenderOrg: r.SenderOrg, Time: r.Time, Height: r.Height, Tx: r.Tx, Name: r.Name, Size: r.Size, Category: r.Category}
		if rec, err := member.GetRecord(mk, r.Sender); err == nil {
			fc.SenderName = rec.Name
			fc.SignatureValid = crypto.VerifyHex(rec.Algorithm, rec.PublicKey, FileStatement(qc.ChainID(), r.ID, r.HashAlg, r.Hash, r.Size, r.Name), r.Signature)
			fc.Unrevoked = rec.RevokedAt == 0 || rec.RevokedAt >= r.Height // a revocation in the same block came after the send (a revoked signer's tx is refused)
		}
		if readable(mk, r, *qc.Caller) {
			fc.Recipients = r.Recipients
			if fc.Acks, err = acksOf(kv, r.ID); err != nil {
				return nil, err
			}
		}
		out = append(out, fc)
	}
	return &Verification{HashAlg: alg, Hash: hash, Found: len(out) > 0, Records: out}, nil
}

// Verification is the answer of verify/{alg}/{hash}: the records of a
// file's hash, each checked again. Fields are in the order of their JSON
// names (the answer was once a map).
type Verification struct {
	Found   bool        `json:"found"`
	Hash    string      `json:"hash"`
	HashAlg string      `json:"hash_alg"`
	Records []FileCheck `json:"records"`
}

func queryBlob(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*BlobRef, error) {
	h := p["hash"]
	if !validHash(h) {
		return nil, ErrInvalidRequest.Wrapf("a blob is addressed by 64 lowercase hex characters")
	}
	mk := qc.Peer("member")
	var ids []string
	pre := blobPrefix(h)
	if err := iterate(kv, pre, func(k, _ []byte) error {
		ids = append(ids, string(k[len(pre):]))
		return nil
	}); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, ErrUnknown.Wrapf("no record references blob %s", h)
	}
	for _, id := range ids {
		r, err := GetRecord(kv, id)
		if err != nil {
			return nil, err
		}
		if readable(mk, r, *qc.Caller) {
			return &BlobRef{Record: r.ID, Blob: r.Blob}, nil
		}
	}
	return nil, ErrNotPermitted.Wrapf("only the senders, recipients and the regulator of its records may fetch blob %s", h)
}

// BlobRef is the answer of blob/{hash}: a record the caller may read that
// references the blob. Fields are in the order of their JSON names (the
// answer was once a map).
type BlobRef struct {
	Blob   *Blob  `json:"blob"`
	Record string `json:"record"`
}

func iterate(kv module.KVReader, pre []byte, fn func(k, v []byte) error) error {
	var err error
	if ierr := kv.Iterate(pre, module.PrefixEnd(pre), func(k, v []byte) bool {
		err = fn(k, v)
		return err == nil
	}); ierr != nil {
		return ierr
	}
	return err
}

// decode reads a stored record.
func decode(v []byte, out any) error {
	if err := json.Unmarshal(v, out); err != nil {
		return fmt.Errorf("exchange: corrupt record: %w", err)
	}
	return nil
}
