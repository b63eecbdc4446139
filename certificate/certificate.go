package certificate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/tx"
)

// Kind is what a certificate certifies.
type Kind string

// The kinds, chosen from the tx's messages or the outcome's key (KindOf).
const (
	KindSignature    Kind = "signature"    // contract/sign: the Art. 13 report
	KindSend         Kind = "send"         // exchange/send: a file sent
	KindAck          Kind = "ack"          // exchange/ack: a file acknowledged
	KindConfirmation Kind = "confirmation" // outcome fund/confirmation/...
	KindTx           Kind = "tx"           // any other transaction
	KindOutcome      Kind = "outcome"      // any other end-block outcome
)

// ConfirmationPrefix is the key prefix of fund order confirmation outcomes.
const ConfirmationPrefix = "fund/confirmation/"

// Names are what the caller could resolve about the ids a receipt names,
// from a node's state or given by hand. They are printed as such ("names as
// resolved when the certificate was made"): no proof covers them. Every
// map may be nil.
type Names struct {
	Orgs       map[string]string   // organisation id -> name
	Identities map[string]Identity // identity id -> display name and organisation
	Investors  map[string]string   // investor number -> name
	Funds      map[string]string   // fund code -> name
	Contracts  map[string]string   // contract id -> title
	Files      map[string]File     // exchange record id -> the file (for an acknowledgement)
}

// Identity is an identity's display name and organisation id.
type Identity struct {
	Name string
	Org  string
}

// File is an exchanged file as recorded on chain (exchange.Record).
type File struct {
	Name      string
	Hash      string
	HashAlg   string
	Sender    string // identity id
	SenderOrg string
	Time      string // business time the record was made, RFC 3339
}

// Input is what a certificate is made of.
type Input struct {
	// Receipt is the receipt file exactly as it will be attached
	// (receipt.json); its SHA-256 is printed and carried by the QR code.
	Receipt []byte
	// Report is proof.Verify's report on Receipt against the trust root
	// the caller chose; Make refuses one that is not of this receipt.
	Report *proof.Report
	Names  Names
	// Node is the base URL of the node that makes the certificate, for the
	// QR code's fetch location ("" offline: the path alone).
	Node string
}

// Certificate is a made certificate.
type Certificate struct {
	Kind Kind
	Ref  Ref    // what the QR code carries
	PDF  []byte // the document
}

// Make makes the certificate of a verified receipt. The same input gives the
// same bytes. Errors: the receipt does not decode, or the report is not of
// this receipt.
func Make(in Input) (*Certificate, error) {
	r, err := proof.Unmarshal(in.Receipt)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	rep := in.Report
	if rep == nil {
		return nil, errors.New("certificate: no verification report: verify the receipt first")
	}
	if rep.ChainID != r.ChainID || rep.Height != r.Height {
		return nil, fmt.Errorf("certificate: the report is of %s height %d, the receipt of %s height %d", rep.ChainID, rep.Height, r.ChainID, r.Height)
	}
	if r.Outcome != nil {
		if rep.OutcomeKey != r.Outcome.Key {
			return nil, fmt.Errorf("certificate: the report is of outcome %q, the receipt of %q", rep.OutcomeKey, r.Outcome.Key)
		}
	} else if h := strings.ToUpper(hex.EncodeToString(r.Tx.Hash())); rep.OutcomeKey != "" || rep.TxHash != h {
		return nil, fmt.Errorf("certificate: the report is of tx %s, the receipt of tx %s", rep.TxHash, h)
	}
	sum := sha256.Sum256(in.Receipt)
	ref := Ref{ChainID: r.ChainID, Height: r.Height, SHA256: hex.EncodeToString(sum[:])}
	if r.Outcome != nil {
		ref.OutcomeKey = r.Outcome.Key
	} else {
		ref.TxHash = rep.TxHash
	}
	ref.Fetch = strings.TrimSuffix(in.Node, "/") + ReceiptPath(ref.TxHash, ref.OutcomeKey)
	c := describe(r, rep, in.Names)
	c.ref = ref
	pdf, err := render(c, in.Receipt, rep.BlockTime)
	if err != nil {
		return nil, err
	}
	return &Certificate{Kind: c.kind, Ref: ref, PDF: pdf}, nil
}

// KindOf says which certificate a receipt gets: by the first message of its
// tx (or batch item) that has a certificate of its own, or by its outcome
// key.
func KindOf(r *proof.Receipt) Kind {
	if r.Outcome != nil {
		if strings.HasPrefix(r.Outcome.Key, ConfirmationPrefix) {
			return KindConfirmation
		}
		return KindOutcome
	}
	_, body := decodeTx(r)
	if body == nil {
		return KindTx
	}
	for _, m := range flatten(body.Msgs) {
		switch m.Type {
		case contract.TypeSign:
			return KindSignature
		case exchange.TypeSend:
			return KindSend
		case exchange.TypeAck:
			return KindAck
		}
	}
	return KindTx
}

func decodeTx(r *proof.Receipt) (*tx.Envelope, *tx.Body) {
	env, err := tx.Decode(r.Tx)
	if err != nil {
		return nil, nil
	}
	body, err := tx.DecodeBody(env.Body)
	if err != nil {
		return env, nil
	}
	return env, body
}

// flatten returns the messages with each batch replaced by its items.
func flatten(msgs []tx.Any) []tx.Any {
	var out []tx.Any
	for _, m := range msgs {
		if m.Type == tx.BatchMsgType {
			if b, err := tx.DecodeBatch(m.Value); err == nil {
				out = append(out, b.Items...)
				continue
			}
		}
		out = append(out, m)
	}
	return out
}

// row is one line of a table: a label and its value.
type row struct{ label, value string }

// section is a headed table or, with note set, a paragraph.
type section struct {
	heading string
	rows    []row
	note    string
}

// content is a certificate before layout.
type content struct {
	kind     Kind
	title    string // Chinese
	titleEN  string
	subtitle string
	sections []section
	ref      Ref
}

var chinaZone = time.FixedZone("UTC+8", 8*3600)

const stamp = "2006-01-02 15:04:05"

const blockTimeLabel = "区块时间 / Block time"

func chinaTime(t time.Time) string {
	return t.In(chinaZone).Format(stamp) + " China time (UTC+8)"
}

// businessTime formats an RFC 3339 business time in China time, "" when it
// does not parse.
func businessTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return ""
	}
	return chinaTime(t)
}

func describe(r *proof.Receipt, rep *proof.Report, n Names) *content {
	c := &content{kind: KindOf(r)}
	env, body := decodeTx(r)
	var record []section
	switch c.kind {
	case KindSignature:
		c.title, c.titleEN = "电子签名验证报告", "Electronic signature verification report"
		c.subtitle = "依据《中华人民共和国电子签名法》第十三条 / under the Electronic Signature Law of the PRC, Art. 13"
		record = signature(env, body, rep, r, n)
	case KindSend:
		c.title, c.titleEN = "数据交换存证证明（发送）", "Data exchange certificate: file sent"
		record = send(env, body, rep, r, n)
	case KindAck:
		c.title, c.titleEN = "数据交换存证证明（确认接收）", "Data exchange certificate: file acknowledged"
		record = ack(env, body, rep, r, n)
	case KindConfirmation:
		c.title, c.titleEN = "基金交易确认证明", "Fund order confirmation certificate"
		record = confirmation(r, n)
	case KindOutcome:
		c.title, c.titleEN = "链上记录证明", "Chain record certificate"
		record = []section{{heading: "记录 / Record", rows: []row{
			{"记录键 / Outcome key", r.Outcome.Key},
			{"内容 / Value", clipText(string(r.Outcome.Value), 900)},
		}}}
	default:
		c.title, c.titleEN = "交易存证证明", "Transaction record certificate"
		record = generic(env, body, rep, n)
	}
	c.sections = append(record, chainSection(r, rep))
	return c
}

// who names an identity: "display name (organisation name, org id), id".
func who(n Names, id string) string {
	if id == "" {
		return "—"
	}
	s := id
	if ident, ok := n.Identities[id]; ok {
		if ident.Name != "" {
			s = ident.Name + " · " + id
		}
		if ident.Org != "" {
			s += "\n" + org(n, ident.Org)
		}
	}
	return s
}

// org names an organisation: "name (id)", or the id.
func org(n Names, id string) string {
	if name := n.Orgs[id]; name != "" {
		return name + " (" + id + ")"
	}
	return id
}

// orgOrIdentity names a recipient as sent: an organisation id or an
// identity id.
func orgOrIdentity(n Names, id string) string {
	if _, ok := n.Identities[id]; ok {
		return who(n, id)
	}
	return org(n, id)
}

func algName(env *tx.Envelope) string {
	if a := tx.AlgName(env.Alg); a != "" {
		return a
	}
	return "algorithm " + strconv.Itoa(int(env.Alg))
}

// times is the proven block time and, on a network with a simulated
// business clock, the business time labelled as such (in the chain
// evidence; a record's own times point there).
func times(r *proof.Receipt, rep *proof.Report, label string) []row {
	if label != blockTimeLabel {
		note := "block time"
		if r.Clock != nil && r.Clock.Simulated {
			note += "; simulated business time below"
		}
		return []row{{label, chinaTime(rep.BlockTime) + " (" + note + ")"}}
	}
	rows := []row{{label, chinaTime(rep.BlockTime) + "\n(block time, signed by the validators)"}}
	if r.Clock != nil && r.Clock.Simulated {
		bt := businessTime(r.Clock.BusinessTime)
		if bt == "" {
			bt = r.Clock.BusinessTime
		}
		rows = append(rows, row{"业务时间 / Business time", bt + "\nsimulated (sandbox business clock; not covered by the proof)"})
	}
	return rows
}

// itemData returns the result data of the message (or batch item) that
// had the given index in flatten order, or nil.
func itemData(rep *proof.Report, body *tx.Body, flatIndex int) (json.RawMessage, uint32) {
	var raw struct {
		Msgs []tx.ItemResult `json:"msgs"`
	}
	if json.Unmarshal(rep.Data, &raw) != nil || body == nil {
		return nil, 0
	}
	k := 0
	for i, m := range body.Msgs {
		var ir *tx.ItemResult
		if i < len(raw.Msgs) {
			ir = &raw.Msgs[i]
		}
		if m.Type == tx.BatchMsgType {
			b, err := tx.DecodeBatch(m.Value)
			if err == nil {
				var items struct {
					Items []tx.ItemResult `json:"items"`
				}
				if ir != nil {
					_ = json.Unmarshal(ir.Data, &items)
				}
				for j := range b.Items {
					if k == flatIndex {
						if j < len(items.Items) {
							return items.Items[j].Data, items.Items[j].Code
						}
						return nil, 0
					}
					k++
				}
				continue
			}
		}
		if k == flatIndex {
			if ir != nil {
				return ir.Data, ir.Code
			}
			return nil, 0
		}
		k++
	}
	return nil, 0
}

func resultText(code uint32) string {
	if code == 0 {
		return "0 — 成功 / succeeded"
	}
	return strconv.FormatUint(uint64(code), 10) + " — 失败 / refused"
}

func signature(env *tx.Envelope, body *tx.Body, rep *proof.Report, r *proof.Receipt, n Names) []section {
	var out []section
	signer := env.SignerID()
	for i, m := range flatten(body.Msgs) {
		if m.Type != contract.TypeSign {
			continue
		}
		var s contract.Sign
		if json.Unmarshal(m.Value, &s) != nil {
			continue
		}
		title := s.Contract
		if t := n.Contracts[s.Contract]; t != "" {
			title = t + "\n" + s.Contract
		}
		rows := []row{
			{"合同 / Contract", title},
			{"版本 / Version", strconv.Itoa(s.Version)},
			{"文件哈希 / Document hash", s.Hash},
			{"签署人 / Signer", who(n, signer)},
			{"签名算法 / Algorithm", algName(env)},
		}
		rows = append(rows, times(r, rep, "签署时间 / Signing time")...)
		if s.Seal != "" {
			rows = append(rows, row{"电子印章 / Seal", s.Seal + "\n(the seal's signature over the same statement is in the tx)"})
		}
		if s.Biometric != "" {
			rows = append(rows, row{"生物识别记录哈希 / Biometric record hash", s.Biometric})
		}
		data, code := itemData(rep, body, i)
		st := resultText(code)
		var res struct {
			Party  *int   `json:"party"`
			Signed int    `json:"signed"`
			Of     int    `json:"of"`
			Status string `json:"status"`
		}
		if code == 0 && json.Unmarshal(data, &res) == nil && res.Of > 0 {
			st += fmt.Sprintf("\nparty %d signed; %d of %d parties have signed this version", deref(res.Party)+1, res.Signed, res.Of)
			if res.Status != "" {
				st += "; the contract is " + res.Status
			}
		}
		rows = append(rows, row{"结果 / Result", st})
		out = append(out, section{heading: "签署记录 / Signature", rows: rows})
		if code != 0 {
			continue
		}
		out = append(out, section{heading: "第十三条 可靠电子签名的条件 / Art. 13: conditions of a reliable electronic signature", rows: []row{
			{"（一）电子签名制作数据用于电子签名时，属于电子签名人专有\n(1) the signature creation data, when used, belonged exclusively to the signatory",
				"The transaction is signed with the " + algName(env) + " key registered on the chain for identity " + short(signer) +
					", whose certificate was issued by its organisation's CA; the chain accepted the signature over the statement (chain, contract, version, document hash) only against that registered key."},
			{"（二）签署时电子签名制作数据仅由电子签名人控制\n(2) the signature creation data was controlled only by the signatory at the time of signing",
				"Keys are generated and kept by the signer (otc keys, or the browser signer); no node holds them. The chain shows that the registered key signed this transaction at the block time above; how the signer kept the key is not something a chain can show."},
			{"（三）签署后对电子签名的任何改动能够被发现\n(3) any alteration to the electronic signature after signing can be detected",
				"The signature is inside transaction " + short(rep.TxHash) + ", proven by a Merkle proof in block " + strconv.FormatInt(rep.Height, 10) +
					" whose header " + fmt.Sprintf("%d of %d validators", len(rep.Signers), validatorCount(r)) + " signed: changing any byte makes otc verify fail."},
			{"（四）签署后对数据电文内容和形式的任何改动能够被发现\n(4) any alteration to the content and form of the data message after signing can be detected",
				"What was signed includes the document hash " + short(s.Hash) + ": a changed document has another hash. Check the document with otc verify receipt.json --file DOCUMENT or on the /verify/ page."},
		}})
	}
	return out
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

func validatorCount(r *proof.Receipt) int { return len(r.Block.Validators) }

func send(env *tx.Envelope, body *tx.Body, rep *proof.Report, r *proof.Receipt, n Names) []section {
	var out []section
	for _, m := range flatten(body.Msgs) {
		if m.Type != exchange.TypeSend {
			continue
		}
		var s exchange.Send
		if json.Unmarshal(m.Value, &s) != nil {
			continue
		}
		recips := make([]string, 0, len(s.Recipients))
		for _, x := range s.Recipients {
			recips = append(recips, orgOrIdentity(n, x))
		}
		rows := []row{
			{"记录编号 / Record", s.ID},
			{"文件名 / File name", s.Name},
			{"类别 / Category", s.Category},
			{"大小 / Size", grouped(strconv.FormatInt(s.Size, 10)) + " bytes"},
			{"文件哈希 / File hash (" + s.HashAlg + ")", s.Hash},
			{"发送方 / Sender", who(n, env.SignerID())},
			{"接收方 / Recipients", strings.Join(recips, "\n")},
		}
		rows = append(rows, times(r, rep, "发送时间 / Sent")...)
		rows = append(rows, row{"结果 / Result", resultText(rep.Code)})
		out = append(out, section{heading: "发送记录 / File sent", rows: rows})
	}
	return out
}

func ack(env *tx.Envelope, body *tx.Body, rep *proof.Report, r *proof.Receipt, n Names) []section {
	var out []section
	for _, m := range flatten(body.Msgs) {
		if m.Type != exchange.TypeAck {
			continue
		}
		var a exchange.AckMsg
		if json.Unmarshal(m.Value, &a) != nil {
			continue
		}
		rows := []row{{"记录编号 / Record", a.Record}}
		if f, ok := n.Files[a.Record]; ok {
			rows = append(rows,
				row{"文件名 / File name", f.Name},
				row{"文件哈希 / File hash (" + f.HashAlg + ")", f.Hash},
				row{"发送方 / Sender", who(n, f.Sender)})
			if t := businessTime(f.Time); t != "" {
				rows = append(rows, row{"发送时间 / Sent", t})
			}
		}
		target := a.Target
		if target == "" {
			target = "the acknowledger's organisation"
			if ident, ok := n.Identities[env.SignerID()]; ok && ident.Org != "" {
				target = org(n, ident.Org) + "\n(" + target + ")"
			}
		} else {
			target = orgOrIdentity(n, target)
		}
		decision := "接收 / accepted"
		if !a.Accepted {
			decision = "拒收 / rejected: " + a.Reason
		}
		rows = append(rows,
			row{"接收方 / Recipient", target},
			row{"确认人 / Acknowledged by", who(n, env.SignerID())},
			row{"确认 / Decision", decision})
		rows = append(rows, times(r, rep, "确认时间 / Acknowledged")...)
		rows = append(rows, row{"结果 / Result", resultText(rep.Code)})
		out = append(out, section{heading: "确认记录 / Acknowledgement", rows: rows})
	}
	if len(n.Files) > 0 {
		out = append(out, section{note: "File name, hash and sender of an acknowledged record are from the chain's state when the certificate was made (the acknowledgement's receipt proves the acknowledgement; the send has its own receipt)."})
	}
	return out
}

// bizNames are the fund business codes of orders and confirmations.
var bizNames = map[string]string{
	fund.BizSubscribe: "认购 / subscription", fund.BizPurchase: "申购 / purchase", fund.BizRedeem: "赎回 / redemption",
	fund.BizDividendMethod: "分红方式变更 / dividend method", fund.BizCancel: "撤单 / cancellation",
	fund.BizSubscribeResult: "认购结果 / subscription result", fund.BizDividendPayment: "分红 / dividend payment",
	fund.BizOfferingFailed: "发行失败 / offering failed",
}

func bizName(code string) string {
	if s := bizNames[code]; s != "" {
		return code + " " + s
	}
	// A confirmation code is its order's plus 100 (122 confirms a 022).
	if len(code) == 3 && code[0] == '1' {
		if zh, en, ok := strings.Cut(bizNames["0"+code[1:]], " / "); ok {
			return code + " " + zh + "确认 / " + en + " confirmation"
		}
	}
	return code
}

func confirmation(r *proof.Receipt, n Names) []section {
	var o fund.Order
	if err := json.Unmarshal(r.Outcome.Value, &o); err != nil || o.Confirmation == nil {
		return []section{{heading: "记录 / Record", rows: []row{
			{"记录键 / Outcome key", r.Outcome.Key},
			{"内容 / Value", clipText(string(r.Outcome.Value), 900)},
		}}}
	}
	cf := o.Confirmation
	investor := o.Investor
	if name := n.Investors[o.Investor]; name != "" {
		investor = name + " (" + o.Investor + ")"
	}
	fundName := o.Fund
	if name := n.Funds[o.Fund]; name != "" {
		fundName = name + " (" + o.Fund + ")"
	}
	ret := cf.ReturnCode
	if cf.ReturnCode == "0000" {
		ret += " 确认成功 / confirmed"
	} else if cf.Reason != "" {
		ret += " " + cf.Reason
	}
	rows := []row{
		{"申请单编号 / Application number", o.AppNo},
		{"投资人 / Investor number", investor},
		{"基金账户 / TA account", o.TAAccount},
		{"销售机构 / Channel", org(n, o.Channel)},
		{"基金 / Fund", fundName},
		{"业务类型 / Type", bizName(o.Business) + "\n" + bizName(cf.Business)},
	}
	if o.Amount != 0 {
		rows = append(rows, row{"申请金额 / Amount applied", money(o.Amount.String()) + " CNY"})
	}
	if o.Shares != 0 {
		rows = append(rows, row{"申请份额 / Shares applied", money(o.Shares.String())})
	}
	rows = append(rows,
		row{"确认金额 / Confirmed amount", money(cf.Amount.String()) + " CNY"},
		row{"确认份额 / Confirmed shares", money(cf.Shares.String())},
		row{"单位净值 / NAV", cf.NAV.String()},
		row{"手续费 / Fee", money(cf.Fee.String()) + " CNY"},
		row{"净额 / Net", money(cf.Net.String()) + " CNY"},
	)
	if cf.Refund != 0 {
		rows = append(rows, row{"退款 / Refund", money(cf.Refund.String()) + " CNY"})
	}
	if o.TradeDate != 0 {
		rows = append(rows, row{"交易日期 / Trade date", o.TradeDate.String()})
	}
	rows = append(rows,
		row{"确认日期 / Confirmation date", cf.Date.String()},
		row{"确认结果 / Return code", ret},
	)
	return []section{{heading: "确认记录 / Confirmation", rows: rows}}
}

func generic(env *tx.Envelope, body *tx.Body, rep *proof.Report, n Names) []section {
	rows := []row{}
	if env != nil {
		rows = append(rows, row{"签署人 / Signed by", who(n, env.SignerID())}, row{"签名算法 / Algorithm", algName(env)})
	}
	if body != nil {
		for i, m := range body.Msgs {
			rows = append(rows, row{fmt.Sprintf("消息 %d / Message %d", i+1, i+1), m.Type + "\n" + clipText(fields(m.Value), 900)})
		}
		if body.Memo != "" {
			rows = append(rows, row{"备注 / Memo", body.Memo})
		}
	} else {
		rows = append(rows, row{"交易 / Transaction", "not an otcchain transaction envelope"})
	}
	rows = append(rows, row{"结果 / Result", resultText(rep.Code)})
	return []section{{heading: "交易记录 / Transaction", rows: rows}}
}

// fields writes a message's value as "name: value" lines (string values
// unquoted), in the order of the JSON; another value compact.
func fields(v json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(v))
	var lines []string
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return compact(v)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return compact(v)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return compact(v)
		}
		var str string
		if json.Unmarshal(raw, &str) != nil {
			str = compact(raw)
		}
		lines = append(lines, fmt.Sprint(k)+": "+str)
	}
	return strings.Join(lines, "\n")
}

func compact(v json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return string(v)
	}
	return b.String()
}

func chainSection(r *proof.Receipt, rep *proof.Report) section {
	rows := []row{{"链标识 / Chain id", rep.ChainID}}
	if rep.OutcomeKey != "" {
		rows = append(rows,
			row{"区块高度 / Height", strconv.FormatInt(rep.Height, 10) + " (end-block outcome, proven under the app hash of header " + strconv.FormatInt(rep.Height+1, 10) + ")"},
			row{"记录键 / Outcome key", rep.OutcomeKey})
	} else {
		rows = append(rows,
			row{"区块高度 / Height", strconv.FormatInt(rep.Height, 10) + " (tx " + strconv.FormatUint(uint64(rep.Index), 10) + " in the block)"},
			row{"交易哈希 / Tx hash", rep.TxHash})
	}
	rows = append(rows, row{"区块哈希 / Block hash", rep.BlockHash})
	rows = append(rows, times(r, rep, blockTimeLabel)...)
	rows = append(rows,
		row{"验证节点签名 / Validators signed", fmt.Sprintf("%d of %d validators, voting power %d of %d", len(rep.Signers), validatorCount(r), rep.SignedPower, rep.TotalPower)},
		row{"信任根 / Trust root", rep.TrustRoot},
		row{"回执 SHA-256 / Receipt SHA-256", ""}, // filled by render from the ref
	)
	return section{heading: "链上证据 / Chain evidence", rows: rows}
}

// money formats a decimal with two decimals ("1234.5" or "1234.50") with
// thousands separators: "1,234.50".
func money(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	for len(fp) < 2 {
		fp += "0"
	}
	out := grouped(ip) + "." + fp
	if neg {
		return "-" + out
	}
	return out
}

func grouped(ip string) string {
	var b strings.Builder
	for i, c := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + " …"
}
