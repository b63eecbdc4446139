package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/pki"
	"github.com/otcchain/otcchain/tx"
)

func init() { addCommands(newFundCmd) }

// fundSession is what a fund command works with: the signing identity (its
// key, certificate and keystore, the passphrase asked once), the API client
// and the chain's id. A read without a signer is anonymous (public queries).
type fundSession struct {
	m       *Main
	ctx     context.Context
	flags   *signerFlags
	ks      *keystore.Store
	name    string // key name in ks
	pass    string
	key     crypto.PrivateKey
	id      string // identity id
	cert    *pki.Certificate
	api     *client.Client
	chainID string
	height  int64
	quiet   bool // no "committed" line per tx (a progress display owns stderr)
}

// open loads the signer (if any is named) and reads the chain's status.
// With signer, a signing identity must be named.
func (m *Main) openFund(cmd *cobra.Command, s *signerFlags, signer bool) (*fundSession, context.CancelFunc, error) {
	ctx, cancel := contextTimeout(cmd, s.timeout+30*time.Second)
	fs := &fundSession{m: m, ctx: ctx, flags: s}
	err := fs.load()
	if err == nil && signer {
		err = fs.needSigner()
	}
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return fs, cancel, nil
}

func (fs *fundSession) load() error {
	api := fs.flags.api
	if fs.flags.home != "" && fs.flags.as == "" && fs.flags.keystore == "" && fs.flags.key == "" {
		// --home alone: an anonymous read on the network's first node (a
		// signing command says it needs --as in needSigner).
		a, err := homeAPI(fs.flags.home, api)
		if err != nil {
			return err
		}
		api = a
	} else if fs.flags.home != "" || fs.flags.as != "" || fs.flags.keystore != "" || fs.flags.key != "" {
		dir, name, a, err := fs.flags.resolve()
		if err != nil {
			return err
		}
		api = a
		if fs.ks, err = openKeystore(dir); err != nil {
			return err
		}
		info, err := fs.ks.Get(name)
		if err != nil {
			return err
		}
		if info.IdentityID == "" {
			return fmt.Errorf("key %q has no certificate: issue one (otc ca issue) and register it first", name)
		}
		pem, err := fs.ks.Certificate(name)
		if err != nil {
			return err
		}
		if fs.cert, err = pki.Parse(pem); err != nil {
			return fmt.Errorf("certificate of %s: %w", name, err)
		}
		if fs.pass, err = fs.m.passphrase(fs.flags.passFile, false); err != nil {
			return err
		}
		if fs.key, err = fs.ks.Load(name, []byte(fs.pass)); err != nil {
			return err
		}
		fs.name, fs.id = name, info.IdentityID
	}
	var err error
	if fs.api, err = apiClient(api); err != nil {
		return err
	}
	st, err := fs.api.Status(fs.ctx)
	if err != nil {
		return fmt.Errorf("status of %s: %w", fs.api.BaseURL(), err)
	}
	fs.chainID, fs.height = st.ChainID, st.LatestHeight
	return nil
}

func (fs *fundSession) needSigner() error {
	if fs.key == nil {
		if fs.flags.home != "" {
			return fmt.Errorf("this command signs: add --as ORG/KEY to --home %s, e.g. --as rs-bank/operator", fs.flags.home)
		}
		return errors.New("this command signs: use --home NET --as ORG/KEY, or --keystore DIR --key NAME")
	}
	return nil
}

// homeAPI is api, else the API of the first node of the network in home.
func homeAPI(home, api string) (string, error) {
	if api != "" {
		return api, nil
	}
	c, err := node.ReadConsortium(home)
	if err != nil {
		return "", err
	}
	if len(c.Nodes) == 0 {
		return "", fmt.Errorf("%s has no nodes: use --api URL", home)
	}
	return c.Nodes[0].APIURL, nil
}

// login gets a token for the signer, if there is one and it has none yet.
func (fs *fundSession) login() error {
	if fs.key == nil || fs.api.Token() != "" {
		return nil
	}
	if _, err := fs.api.Login(fs.ctx, fs.id, fs.key.Sign); err != nil {
		return fmt.Errorf("log in as %s: %w", fs.id, err)
	}
	return nil
}

// query runs a module read and decodes the answer into out (when not nil).
func (fs *fundSession) query(path string, params map[string]string, out any) (json.RawMessage, error) {
	if err := fs.login(); err != nil {
		return nil, err
	}
	raw, err := fs.api.Query(fs.ctx, path, params)
	if err != nil && fs.key == nil && (client.IsCode(err, "auth_required") || client.IsCode(err, client.CodeInvalidToken)) {
		return nil, fmt.Errorf("read %s: %w\nthis read is not public: name who reads with --home NET --as ORG/KEY, or --keystore DIR --key NAME", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	return raw, nil
}

// send signs one tx of msgs, submits it, waits for the block and returns the
// result data of its messages; a refusal is an error naming its code.
func (fs *fundSession) send(msgs ...tx.Any) (string, []tx.ItemResult, error) {
	raw, err := fs.sign(msgs...)
	if err != nil {
		return "", nil, err
	}
	var res *client.TxResult
	if fs.flags.noWait {
		res, err = fs.api.BroadcastTx(fs.ctx, raw, false)
	} else {
		res, err = fs.api.SubmitAndConfirm(fs.ctx, raw, fs.flags.timeout)
	}
	if err != nil {
		return client.TxHash(raw), nil, refusal(err)
	}
	if res.Code != 0 {
		return res.Hash, nil, &refusedError{fmt.Sprintf("refused: %s (tx %s, height %d)", codeLog(res.Codespace, res.Code, res.Log), res.Hash, res.Height)}
	}
	if !res.Committed {
		return res.Hash, nil, nil
	}
	var d struct {
		Msgs []tx.ItemResult `json:"msgs"`
	}
	if err := json.Unmarshal(res.Data, &d); err != nil {
		return res.Hash, nil, fmt.Errorf("tx %s: result data: %w", res.Hash, err)
	}
	if !fs.quiet {
		fmt.Fprintf(fs.m.Stderr, "committed %s at height %d\n", res.Hash, res.Height)
	}
	return res.Hash, d.Msgs, nil
}

// sign signs one tx of msgs (expiry 100 blocks after the session's last
// known height) and returns its bytes.
func (fs *fundSession) sign(msgs ...tx.Any) ([]byte, error) {
	if err := fs.needSigner(); err != nil {
		return nil, err
	}
	b, err := tx.NewBody(msgs, fs.height+100).Marshal()
	if err != nil {
		return nil, err
	}
	sid, err := tx.ParseSignerID(fs.id)
	if err != nil {
		return nil, err
	}
	env, err := tx.Sign(fs.chainID, b, sid, tx.AlgCode(string(fs.key.Algorithm())), fs.key.Sign)
	if err != nil {
		return nil, err
	}
	return env.Encode(), nil
}

// refusedError is the chain's refusal of a tx: "refused: codespace/code
// name: ...".
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }

// refusal turns an API refusal of a tx into a *refusedError.
func refusal(err error) error {
	var ae *client.Error
	if errors.As(err, &ae) && ae.Codespace != "" {
		return &refusedError{"refused: " + codeLog(ae.Codespace, ae.ABCICode, ae.Message)}
	}
	return err
}

// codeLog makes sure a refusal's text starts with its codespace/code.
func codeLog(space string, code uint32, log string) string {
	pre := fmt.Sprintf("%s/%d", space, code)
	if strings.HasPrefix(log, pre+" ") {
		return log
	}
	return pre + ": " + log
}

// printResult prints a committed message's result as JSON with the tx hash.
func (fs *fundSession) printResult(hash string, items []tx.ItemResult) error {
	out := map[string]any{"tx": hash}
	if len(items) > 0 {
		out["result"] = items[0].Data
	} else {
		out["committed"] = false
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return printJSON(fs.m, b)
}

// ---- the command tree

func newFundCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "fund",
		Short: "Fund registration and trading: investors, accounts, funds, NAVs, orders, reads",
		Long: `otc fund sends the fund module's messages and reads its state.

Signing commands take --home NET --as ORG/KEY (a generated network) or
--keystore DIR --key NAME --api URL; the passphrase comes from
--passphrase-file, $OTC_PASSPHRASE or a prompt. They wait for the block and
print the result as JSON, or fail with the refusal's code
("refused: fund/12 below_minimum: ..."). Reads log in with the same flags
(public reads need only --api, or --home alone). See docs/fund-cli.md.`,
	}
	groups := map[string]*cobra.Command{"": c}
	group := func(path string) *cobra.Command {
		if g, ok := groups[path]; ok {
			return g
		}
		g := &cobra.Command{Use: path, Short: groupShort[path]}
		c.AddCommand(g)
		groups[path] = g
		return g
	}
	parentOf := func(use string) string {
		p, _, _ := strings.Cut(use, " ")
		if _, ok := groupShort[p]; ok {
			return p
		}
		return ""
	}
	for _, mc := range fundMsgCmds() {
		p := parentOf(mc.use)
		group(p).AddCommand(m.fundMsgCommand(mc, p))
	}
	for _, rc := range fundReadCmds() {
		p := parentOf(rc.use)
		group(p).AddCommand(m.fundReadCommand(rc, p))
	}
	group("investor").AddCommand(m.investorShowCmd())
	group("nav").AddCommand(m.navNextCmd())
	c.AddCommand(m.fundBatchCmd(), m.fundReceiptCmd())
	return c
}

var groupShort = map[string]string{
	"investor": "Register investors (personal data sealed on this machine), show them, share their data",
	"account":  "Open investors' TA accounts with fund managers (001)",
	"nav":      "Publish a NAV (the manager) and co-sign it (the custodian)",
	"dividend": "Declare dividends (the manager)",
	"risk":     "Risk disclosure: record that an investor signed a fund's risk disclosure (风险揭示书)",
	"calendar": "The trading calendar: show it (the regulator changes it with otc supervise calendar: two officers)",
}

// fundOpts holds every flag value of the message commands; each command
// registers the ones it uses (fundFlag).
type fundOpts struct {
	v      map[string]*string
	revoke bool
	with   []string
	reqSig bool
	yes    bool
}

// fundFlags are the string flags of message commands and their usage.
var fundFlags = map[string]string{
	"id": "investor id (1 to 32 of A-Z a-z 0-9 - _)", "type": "investor type: individual, institution or professional",
	"risk": "risk tolerance C1..C5", "assessed": "risk assessment date YYYY-MM-DD", "expires": "risk assessment expiry date YYYY-MM-DD",
	"identity": "the investor's own identity id (its personal data is sealed for it too)",
	"name":     "investor's name (sealed)", "id-type": "identity document type, e.g. resident_id, passport, business_licence (sealed)",
	"id-number": "identity document number (sealed)", "phone": "phone (sealed)", "address": "address (sealed)",
	"investor": "investor id", "manager": "fund manager organisation", "fund": "6-digit fund code",
	"reseller": "reseller organisation", "status": "offering, open, purchase_suspended, redemption_suspended, closed, liquidated",
	"reason": "reason (recorded on chain)", "date": "NAV date YYYY-MM-DD", "nav": "NAV per share, 4 decimals (1.0234)",
	"amount": "amount in yuan (10000.00)", "shares": "shares (5000.00)", "app-no": "application number, unique per channel",
	"investor-key": "key name (same keystore) of the investor's identity: signs the order statement (investor_sig)",
	"original":     "application number of the order to cancel", "method": "dividend method: cash or reinvest",
	"file": "JSON file", "per-share": "cash per share, 4 decimals (0.0500)", "record-date": "record date YYYY-MM-DD",
	"disclosure":      "the risk disclosure document the investor signed (its SHA-256 is recorded)",
	"disclosure-hash": "hex SHA-256 or SM3 of the disclosure document (instead of --disclosure)",
	"ex-date":         "ex-dividend date YYYY-MM-DD (a trading day)", "pay-date": "payment date YYYY-MM-DD",
}

func (o *fundOpts) s(name string) string { return *o.v[name] }

// fundMsgCmd is one message command: its use line, the flags it takes
// ("name!" is required) and how it builds the message value.
type fundMsgCmd struct {
	use, short, typ string
	flags           string
	build           func(fs *fundSession, o *fundOpts, args []string) (any, error)
}

func (m *Main) fundMsgCommand(mc fundMsgCmd, parent string) *cobra.Command {
	var s signerFlags
	o := &fundOpts{v: map[string]*string{}}
	c := &cobra.Command{
		Use:   strings.TrimPrefix(mc.use, parent+" "),
		Short: mc.short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			v, err := mc.build(fs, o, args)
			if err != nil {
				return err
			}
			if vm, ok := v.(interface{ Validate() error }); ok {
				if err := vm.Validate(); err != nil {
					return fmt.Errorf("not sent: %w", err)
				}
			}
			a, err := tx.NewAny(mc.typ, v)
			if err != nil {
				return err
			}
			hash, items, err := fs.send(a)
			if err != nil {
				return err
			}
			return fs.printResult(hash, items)
		},
	}
	if strings.Contains(mc.use, " ID") {
		c.Args = cobra.ExactArgs(1)
	}
	s.register(c.Flags())
	for _, f := range strings.Fields(mc.flags) {
		name, req := strings.CutSuffix(f, "!")
		switch name {
		case "revoke":
			c.Flags().BoolVar(&o.revoke, "revoke", false, "withdraw the authorisation")
		case "require-sig":
			c.Flags().BoolVar(&o.reqSig, "require-sig", false, "orders of this investor must carry its signature")
		case "with":
			c.Flags().StringSliceVar(&o.with, "with", nil, "the organisation to share with (its identities whose role may hold personal data: fund_manager, custodian, regulator operators), or identity ids of one organisation")
		case "yes":
			c.Flags().BoolVar(&o.yes, "yes", false, "do not ask for confirmation (a grant cannot be taken back)")
		default:
			o.v[name] = c.Flags().String(name, "", fundFlags[name])
		}
		if req {
			_ = c.MarkFlagRequired(name)
		}
	}
	return c
}

func fundMsgCmds() []fundMsgCmd {
	order := func(typ, qty string) func(*fundSession, *fundOpts, []string) (any, error) {
		return func(fs *fundSession, o *fundOpts, _ []string) (any, error) { return fs.orderMsg(o, typ, qty) }
	}
	return []fundMsgCmd{
		{"investor register", "Register an investor after KYC (a channel): personal data sealed for the channel, the regulator and the investor",
			fund.TypeRegisterInvestor, "id! type! risk! assessed! expires! identity require-sig name! id-type! id-number! phone address", (*fundSession).registerInvestor},
		{"investor share ID", "Share an investor's sealed personal data with one organisation's operators (its channel); asks first: a grant cannot be taken back",
			fund.TypeSharePersonal, "with! yes", (*fundSession).sharePersonal},
		{"risk acknowledge", "Record the investor's signed risk disclosure of a fund: signed by the investor, or by its channel (with --investor-key when the investor has an identity)",
			fund.TypeAcknowledgeRisk, "investor! fund! disclosure disclosure-hash investor-key", (*fundSession).riskAckMsg},
		{"account open", "Open the investor's TA account with a fund manager (001)", fund.TypeOpenAccount, "investor! manager! app-no",
			func(_ *fundSession, o *fundOpts, _ []string) (any, error) {
				return &fund.OpenAccount{Investor: o.s("investor"), Manager: o.s("manager"), AppNo: o.s("app-no")}, nil
			}},
		{"register", "Register a fund in its offering period (its manager); --file holds fund/register_fund JSON", fund.TypeRegisterFund, "file!",
			func(_ *fundSession, o *fundOpts, _ []string) (any, error) {
				var v fund.RegisterFund
				return &v, readJSONFile(o.s("file"), &v)
			}},
		{"terms", "Replace a fund's limits and fees (its manager); --file holds the terms JSON", fund.TypeUpdateTerms, "fund! file!",
			func(_ *fundSession, o *fundOpts, _ []string) (any, error) {
				v := fund.UpdateTerms{Fund: o.s("fund")}
				return &v, readJSONFile(o.s("file"), &v.Terms)
			}},
		{"status", "Move a fund along its status machine (its manager); offering -> open establishes it", fund.TypeSetFundStatus, "fund! status! reason",
			func(_ *fundSession, o *fundOpts, _ []string) (any, error) {
				return &fund.SetFundStatus{Fund: o.s("fund"), Status: o.s("status"), Reason: o.s("reason")}, nil
			}},
		{"authorise", "Authorise a reseller to sell a fund, or withdraw it (its manager)", fund.TypeAuthoriseReseller, "fund! reseller! revoke",
			func(_ *fundSession, o *fundOpts, _ []string) (any, error) {
				return &fund.AuthoriseReseller{Fund: o.s("fund"), Reseller: o.s("reseller"), Revoke: o.revoke}, nil
			}},
		{"nav publish", "Publish a fund's NAV of a date, signed (its manager)", fund.TypePublishNAV, "fund! date! nav!", (*fundSession).navMsg},
		{"nav cosign", "Co-sign a published NAV (the custodian): it becomes final and the orders of its date are confirmed", fund.TypeCosignNAV, "fund! date! nav!",
			func(fs *fundSession, o *fundOpts, a []string) (any, error) {
				v, err := fs.navMsg(o, a)
				if err != nil {
					return nil, err
				}
				return (*fund.CosignNAV)(v.(*fund.PublishNAV)), nil
			}},
		{"subscribe", "Subscribe by amount in the offering period (020)", fund.TypeSubscribe, "investor! fund! amount! app-no! investor-key", order(fund.TypeSubscribe, "amount")},
		{"purchase", "Purchase by amount (022)", fund.TypePurchase, "investor! fund! amount! app-no! investor-key", order(fund.TypePurchase, "amount")},
		{"redeem", "Redeem shares (024)", fund.TypeRedeem, "investor! fund! shares! app-no! investor-key", order(fund.TypeRedeem, "shares")},
		{"dividend-method", "Change a holding's dividend method (029)", fund.TypeSetDividendMethod, "investor! fund! method! app-no! investor-key", order(fund.TypeSetDividendMethod, "method")},
		{"cancel", "Cancel a pending order before its cut-off (052)", fund.TypeCancel, "app-no! original! investor-key", (*fundSession).cancelMsg},
		{"dividend declare", "Declare a cash dividend per share (the manager)", fund.TypeDeclareDividend, "fund! per-share! record-date! ex-date! pay-date!",
			func(_ *fundSession, o *fundOpts, _ []string) (any, error) {
				var v fund.DeclareDividend
				err := errors.Join(text(&v.PerShare, "per-share", o.s("per-share")), text(&v.RecordDate, "record-date", o.s("record-date")),
					text(&v.ExDate, "ex-date", o.s("ex-date")), text(&v.PayDate, "pay-date", o.s("pay-date")))
				v.Fund = o.s("fund")
				return &v, err
			}},
		{"freeze", "Freeze an investor's TA account (--manager, 004) or shares of a fund (--fund --shares, 031): the TA's own freeze (a regulator uses otc supervise propose)", fund.TypeFreeze, "investor! manager fund shares reason!", freezeMsg(false)},
		{"unfreeze", "Lift the TA's own freeze (005, 032); an intervention's freeze needs an unfreeze intervention", fund.TypeUnfreeze, "investor! manager fund shares reason!", freezeMsg(true)},
	}
}

// text parses a flag value with the type's UnmarshalText.
func text(dst interface{ UnmarshalText([]byte) error }, flag, s string) error {
	if err := dst.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("--%s: %w", flag, err)
	}
	return nil
}

// readJSONFile decodes a file strictly (unknown fields are refused).
func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := tx.StrictUnmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func freezeMsg(un bool) func(*fundSession, *fundOpts, []string) (any, error) {
	return func(_ *fundSession, o *fundOpts, _ []string) (any, error) {
		v := fund.Freeze{Investor: o.s("investor"), Manager: o.s("manager"), Fund: o.s("fund"), Reason: o.s("reason")}
		if s := o.s("shares"); s != "" {
			if err := text(&v.Shares, "shares", s); err != nil {
				return nil, err
			}
		}
		if un {
			return (*fund.Unfreeze)(&v), nil
		}
		return &v, nil
	}
}

func (fs *fundSession) navMsg(o *fundOpts, _ []string) (any, error) {
	v := fund.PublishNAV{Fund: o.s("fund")}
	if err := errors.Join(text(&v.Date, "date", o.s("date")), text(&v.NAV, "nav", o.s("nav"))); err != nil {
		return nil, err
	}
	sig, err := fs.key.Sign(fund.NAVStatement(fs.chainID, v.Fund, v.Date, v.NAV))
	if err != nil {
		return nil, fmt.Errorf("sign the NAV statement: %w", err)
	}
	v.Signature = hex.EncodeToString(sig)
	return &v, nil
}

// orderMsg builds a subscription, purchase, redemption or dividend-method
// order; with --investor-key the investor signs its order statement.
func (fs *fundSession) orderMsg(o *fundOpts, typ, qtyFlag string) (any, error) {
	base := fund.OrderBase{AppNo: o.s("app-no"), Investor: o.s("investor"), Fund: o.s("fund")}
	var v any
	var qty string
	switch qtyFlag {
	case "amount":
		m := fund.SubscribeOrder{}
		if err := text(&m.Amount, "amount", o.s("amount")); err != nil {
			return nil, err
		}
		qty, v = m.Amount.String(), &m
	case "shares":
		m := fund.RedeemOrder{}
		if err := text(&m.Shares, "shares", o.s("shares")); err != nil {
			return nil, err
		}
		qty, v = m.Shares.String(), &m
	default:
		m := fund.DividendMethodOrder{Method: o.s("method")}
		qty, v = m.Method, &m
	}
	sig, err := fs.investorSig(o.s("investor-key"), typ, base.AppNo, base.Investor, base.Fund, qty)
	if err != nil {
		return nil, err
	}
	base.InvestorSig = sig
	switch m := v.(type) {
	case *fund.SubscribeOrder:
		m.OrderBase = base
	case *fund.RedeemOrder:
		m.OrderBase = base
	case *fund.DividendMethodOrder:
		m.OrderBase = base
	}
	return v, nil
}

func (fs *fundSession) cancelMsg(o *fundOpts, _ []string) (any, error) {
	v := fund.CancelOrder{AppNo: o.s("app-no"), Original: o.s("original")}
	if o.s("investor-key") != "" {
		var orig fund.Order
		if _, err := fs.query("fund/orders/"+fs.cert.Org+":"+v.Original, nil, &orig); err != nil {
			return nil, err
		}
		sig, err := fs.investorSig(o.s("investor-key"), fund.TypeCancel, v.AppNo, orig.Investor, orig.Fund, v.Original)
		if err != nil {
			return nil, err
		}
		v.InvestorSig = sig
	}
	return &v, nil
}

// riskAckMsg builds fund/acknowledge_risk: the disclosure's hash from
// --disclosure (SHA-256 of the file) or --disclosure-hash, and, with
// --investor-key, the investor's signature over fund.RiskAckStatement (a
// channel relaying the acknowledgement of an investor that has an identity).
func (fs *fundSession) riskAckMsg(o *fundOpts, _ []string) (any, error) {
	v := fund.AcknowledgeRisk{Investor: o.s("investor"), Fund: o.s("fund")}
	switch file, h := o.s("disclosure"), o.s("disclosure-hash"); {
	case (file == "") == (h == ""):
		return nil, errors.New("give the disclosure document (--disclosure FILE) or its hash (--disclosure-hash HEX), not both")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("disclosure: %w", err)
		}
		sum := sha256.Sum256(b)
		v.DisclosureHash = hex.EncodeToString(sum[:])
	default:
		v.DisclosureHash = strings.ToLower(h)
	}
	if k := o.s("investor-key"); k != "" {
		key, err := fs.ks.Load(k, []byte(fs.pass))
		if err != nil {
			return nil, fmt.Errorf("investor key: %w", err)
		}
		sig, err := key.Sign(fund.RiskAckStatement(fs.chainID, v.Investor, v.Fund, v.DisclosureHash))
		if err != nil {
			return nil, fmt.Errorf("investor signature: %w", err)
		}
		v.InvestorSig = hex.EncodeToString(sig)
	}
	return &v, nil
}

// investorSig signs fund.OrderStatement with the investor's key keyName of
// the signer's keystore ("" when no key is named).
func (fs *fundSession) investorSig(keyName, typ, appNo, investor, fundCode, qty string) (string, error) {
	if keyName == "" {
		return "", nil
	}
	k, err := fs.ks.Load(keyName, []byte(fs.pass))
	if err != nil {
		return "", fmt.Errorf("investor key: %w", err)
	}
	sig, err := k.Sign(fund.OrderStatement(fs.chainID, fs.cert.Org, typ, appNo, investor, fundCode, qty))
	if err != nil {
		return "", fmt.Errorf("investor signature: %w", err)
	}
	return hex.EncodeToString(sig), nil
}

// ---- sealed personal data

// ownEncKey loads the signer's encryption key (NAME.enc).
func (fs *fundSession) ownEncKey() (crypto.EncPrivateKey, error) {
	k, err := fs.ks.LoadEncKey(fs.name, []byte(fs.pass))
	if err != nil {
		return nil, fmt.Errorf("encryption key %s%s (create and register it with otc identity set-enc-key): %w", fs.name, keystore.EncSuffix, err)
	}
	return k, nil
}

// keySet reads the encryption keys of targets (organisations, or 64-hex
// identity ids) and of every regulator identity (member.KeySet).
func (fs *fundSession) keySet(targets []string) (member.KeySet, error) {
	keys := member.KeySet{Orgs: map[string][]member.OrgEncKey{}, Identities: map[string]*member.Record{}}
	for _, t := range targets {
		if len(t) == 64 {
			raw, err := fs.api.Identity(fs.ctx, t)
			if err != nil {
				return keys, fmt.Errorf("identity %s: %w", t, err)
			}
			rec := new(member.Record)
			if err := json.Unmarshal(raw, rec); err != nil {
				return keys, fmt.Errorf("identity %s: %w", t, err)
			}
			keys.Identities[t] = rec
			continue
		}
		var ks []member.OrgEncKey
		if _, err := fs.query("member/orgs/"+t+"/encryption-keys", nil, &ks); err != nil {
			return keys, fmt.Errorf("%s: %w", t, err)
		}
		keys.Orgs[t] = ks
	}
	regs, err := fs.regulatorKeys()
	if err != nil {
		return keys, err
	}
	for _, r := range regs {
		keys.Regulators = append(keys.Regulators, r.Keys...)
	}
	return keys, nil
}

// regulatorKeys are the regulator organisations with their identities'
// encryption keys.
func (fs *fundSession) regulatorKeys() ([]fund.OrgKeys, error) {
	var orgs []member.Org
	if _, err := fs.query("member/orgs", nil, &orgs); err != nil {
		return nil, err
	}
	var out []fund.OrgKeys
	for i := range orgs {
		if orgs[i].Type != module.OrgRegulator {
			continue
		}
		var keys []member.OrgEncKey
		if _, err := fs.query("member/orgs/"+orgs[i].ID+"/encryption-keys", nil, &keys); err != nil {
			return nil, err
		}
		out = append(out, fund.OrgKeys{Org: orgs[i], Keys: keys})
	}
	return out, nil
}

// regulatorOfficers are the regulator identities an investor's data is
// sealed for (fund.RegulatorOfficers).
func (fs *fundSession) regulatorOfficers() ([]crypto.Recipient, error) {
	regs, err := fs.regulatorKeys()
	if err != nil {
		return nil, err
	}
	return fund.RegulatorOfficers(regs)
}

func (fs *fundSession) registerInvestor(o *fundOpts, _ []string) (any, error) {
	v := fund.RegisterInvestor{ID: o.s("id"), Type: o.s("type"), Identity: strings.ToLower(o.s("identity")), RequireSig: o.reqSig}
	if err := errors.Join(text(&v.Risk, "risk", o.s("risk")), text(&v.RiskAssessed, "assessed", o.s("assessed")),
		text(&v.RiskExpires, "expires", o.s("expires"))); err != nil {
		return nil, err
	}
	own, err := fs.ownEncKey()
	if err != nil {
		return nil, err
	}
	regs, err := fs.regulatorKeys()
	if err != nil {
		return nil, err
	}
	var rec *member.Record
	if v.Identity != "" {
		raw, err := fs.api.Identity(fs.ctx, v.Identity)
		if err != nil {
			return nil, fmt.Errorf("identity %s: %w", v.Identity, err)
		}
		rec = new(member.Record)
		if err := json.Unmarshal(raw, rec); err != nil {
			return nil, fmt.Errorf("identity %s: %w", v.Identity, err)
		}
	}
	recips, err := fund.RegistrationRecipients(crypto.Recipient{ID: fs.id, Key: own.Public()}, regs, rec)
	if err != nil {
		return nil, err
	}
	data := fund.PersonalData{Name: o.s("name"), IDType: o.s("id-type"), IDNumber: o.s("id-number"), Phone: o.s("phone"), Address: o.s("address")}
	if err := fund.CheckPersonal(data); err != nil {
		return nil, err
	}
	v.Personal, v.Commitment, v.CommitAlg, err = fund.SealPersonal(fs.key.Algorithm(), v.ID, data, recips)
	if err != nil {
		return nil, fmt.Errorf("seal personal data: %w", err)
	}
	return &v, nil
}

func (fs *fundSession) readInvestor(id string) (*fund.Investor, json.RawMessage, error) {
	var inv fund.Investor
	raw, err := fs.query("fund/investors/"+id, nil, &inv)
	if err != nil {
		return nil, nil, err
	}
	return &inv, raw, nil
}

// shareTarget is who a share reaches: one organisation and, of its
// identities, those picked.
type shareTarget struct {
	org    *member.Org
	picked []member.OrgEncKey
}

// shareTargets resolves --with: organisation ids (their identities whose
// role may hold personal data, fund.ShareRecipients) or identity ids, all of
// one organisation. An identity whose role may not hold the data is refused
// here; the chain checks again.
func (fs *fundSession) shareTarget(inv *fund.Investor, with []string) (*shareTarget, error) {
	var t shareTarget
	setOrg := func(id string) error {
		if t.org != nil {
			if t.org.ID != id {
				return fmt.Errorf("share with one organisation at a time (--with names %s and %s)", t.org.ID, id)
			}
			return nil
		}
		var o member.Org
		if _, err := fs.query("member/orgs/"+id, nil, &o); err != nil {
			return fmt.Errorf("organisation %s: %w", id, err)
		}
		t.org = &o
		return nil
	}
	for _, w := range with {
		if len(w) == 64 {
			raw, err := fs.api.Identity(fs.ctx, strings.ToLower(w))
			if err != nil {
				return nil, fmt.Errorf("identity %s: %w", w, err)
			}
			var rec member.Record
			if err := json.Unmarshal(raw, &rec); err != nil {
				return nil, fmt.Errorf("identity %s: %w", w, err)
			}
			if err := setOrg(rec.Org); err != nil {
				return nil, err
			}
			k := rec.CurrentEncKey()
			if k == nil {
				return nil, fmt.Errorf("identity %s has no encryption key registered", w)
			}
			if rec.ID != inv.Identity && !fund.MayHoldPersonal(t.org.Type, rec.Role, rec.Org == inv.Channel) {
				return nil, fmt.Errorf("identity %s (%s, role %s of %s) may not hold investors' personal data: see docs/security.md", w, rec.Name, rec.Role, rec.Org)
			}
			t.picked = append(t.picked, member.OrgEncKey{ID: rec.ID, Role: rec.Role, Name: rec.Name, Algorithm: k.Algorithm, PublicKey: k.PublicKey})
			continue
		}
		if err := setOrg(w); err != nil {
			return nil, err
		}
		var keys []member.OrgEncKey
		if _, err := fs.query("member/orgs/"+w+"/encryption-keys", nil, &keys); err != nil {
			return nil, err
		}
		ok := fund.ShareRecipients(t.org, inv.Channel, keys)
		if len(ok) == 0 {
			return nil, fmt.Errorf("no identity of %s (%s) may hold investors' personal data and has an encryption key (the roles that may: docs/security.md)", w, t.org.Type)
		}
		t.picked = append(t.picked, ok...)
	}
	if t.org == nil {
		return nil, errors.New("--with: name an organisation or identity ids")
	}
	return &t, nil
}

func (fs *fundSession) sharePersonal(o *fundOpts, args []string) (any, error) {
	inv, _, err := fs.readInvestor(args[0])
	if err != nil {
		return nil, err
	}
	t, err := fs.shareTarget(inv, o.with)
	if err != nil {
		return nil, err
	}
	var fresh []member.OrgEncKey
	seen := map[string]bool{}
	for _, k := range t.picked {
		if !seen[k.ID] && !inv.Personal.HasRecipient(k.ID) {
			seen[k.ID] = true
			fresh = append(fresh, k)
		}
	}
	if len(fresh) == 0 {
		return nil, fmt.Errorf("investor %s's personal data is already shared with every identity of %s named", inv.ID, t.org.ID)
	}
	recips, err := member.EncRecipients(fresh)
	if err != nil {
		return nil, err
	}
	own, err := fs.ownEncKey()
	if err != nil {
		return nil, err
	}
	env, err := crypto.Rewrap(inv.Personal, fund.PersonalAAD(inv.ID), fs.id, own, recips)
	if err != nil {
		return nil, fmt.Errorf("rewrap investor %s's personal data: %w", inv.ID, err)
	}
	msg := &fund.SharePersonal{Investor: inv.ID, With: t.org.ID, Personal: env}
	if err := msg.Validate(); err != nil {
		return nil, fmt.Errorf("not sent: %w", err)
	}
	if !o.yes {
		if err := fs.m.confirmShare(inv.ID, t.org.ID, fresh); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// confirmShare asks on a terminal whether to share; without one it refuses
// (--yes skips it).
func (m *Main) confirmShare(inv, org string, to []member.OrgEncKey) error {
	f, ok := m.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return fmt.Errorf("not shared: a grant of investor %s's personal data to %d identities of %s cannot be taken back, and stdin is not a terminal to confirm on: check the recipients (%s) and pass --yes",
			inv, len(to), org, recipientList(to))
	}
	return askShare(m.Stdin, m.Stderr, inv, org, to)
}

func recipientList(to []member.OrgEncKey) string {
	var s []string
	for _, k := range to {
		s = append(s, k.ID[:12]+"… "+string(k.Role))
	}
	return strings.Join(s, ", ")
}

// askShare prints what the share grants, stating that it cannot be taken
// back, and reads the answer: "yes" (or "y") shares, anything else does not.
func askShare(in io.Reader, out io.Writer, inv, org string, to []member.OrgEncKey) error {
	fmt.Fprintf(out, "Share investor %s's personal data (name, identity document, phone, address) with %d identities of %s:\n", inv, len(to), org)
	for _, k := range to {
		fmt.Fprintf(out, "  %s  %-12s  %s\n", k.ID, k.Role, k.Name)
	}
	fmt.Fprintf(out, "A grant cannot be taken back: once the data key is wrapped for these identities and the share is on the\n"+
		"ledger, each of them can decrypt investor %s's personal data for ever, even after its revocation or a later rewrap.\n"+
		"Share? Type yes to confirm: ", inv)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("not shared: no answer (%v)", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "yes", "y":
		return nil
	}
	return errors.New("not shared: not confirmed")
}

// navNextCmd prints the date of a fund's next NAV: the first trading day
// after its last final NAV (the only date fund/publish_nav accepts, once
// that day's cut-off has passed).
func (m *Main) navNextCmd() *cobra.Command {
	var s signerFlags
	c := &cobra.Command{
		Use:   "next CODE",
		Short: "Print the date of a fund's next NAV: the first trading day after its last final NAV (public)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, false)
			if err != nil {
				return err
			}
			defer cancel()
			var f fund.Fund
			if _, err := fs.query("fund/funds/"+args[0], nil, &f); err != nil {
				return err
			}
			if f.LastNAVDate == 0 {
				return fmt.Errorf("fund %s has no NAV yet (status %s): it gets one when it is established", args[0], f.Status)
			}
			var cal fund.Calendar
			if _, err := fs.query("fund/calendar", nil, &cal); err != nil {
				return err
			}
			next, err := cal.NextTradingDay(f.LastNAVDate)
			if err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, next)
			return nil
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	return c
}

func (m *Main) investorShowCmd() *cobra.Command {
	var s signerFlags
	var decrypt bool
	c := &cobra.Command{
		Use:   "show ID",
		Short: "Show an investor (its channel, the investor, its fund managers, the regulator); --decrypt opens the personal data",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			inv, raw, err := fs.readInvestor(args[0])
			if err != nil {
				return err
			}
			if !decrypt {
				return printJSON(m, raw)
			}
			if inv.Personal == nil || !inv.Personal.HasRecipient(fs.id) {
				return fmt.Errorf("cannot decrypt: identity %s is not a recipient of investor %s's personal data (its channel can share it with an organisation whose role needs it: otc fund investor share %s --with ORG; see docs/security.md)", fs.id, inv.ID, inv.ID)
			}
			key, err := fs.ownEncKey()
			if err != nil {
				return fmt.Errorf("cannot decrypt: %w", err)
			}
			pd, err := fund.OpenPersonal(inv, fs.id, key)
			if err != nil {
				return fmt.Errorf("cannot decrypt: %w", err)
			}
			var out map[string]any
			if err := json.Unmarshal(raw, &out); err != nil {
				return err
			}
			out["personal_data"] = pd
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			return printJSON(m, b)
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	c.Flags().BoolVar(&decrypt, "decrypt", false, "open the sealed personal data with the caller's encryption key")
	return c
}

// ---- reads

// fundReadCmd is a read: the query path ({0} is the argument, {flag} a flag)
// and the flags passed as query parameters.
type fundReadCmd struct {
	use, short, path string
	flags            string // flags; "name!" is required
	params           string // flags sent as query parameters
}

func fundReadCmds() []fundReadCmd {
	return []fundReadCmd{
		{"show CODE", "Show a fund: product, terms, status, last NAV (public)", "funds/{0}", "", ""},
		{"funds", "List the funds (public)", "funds", "", ""},
		{"navs CODE", "A fund's NAV history with both signatures (public)", "funds/{0}/navs", "limit", "limit"},
		{"dividends CODE", "A fund's declared dividends (public)", "funds/{0}/dividends", "limit", "limit"},
		{"totals CODE", "A fund's register totals (its manager, custodian, the regulator)", "funds/{0}/totals", "", ""},
		{"pending CODE", "A fund's orders waiting for confirmation, by trade date and channel (its manager, custodian, the regulator)", "funds/{0}/pending", "", ""},
		{"holders CODE", "A fund's register with lots (its manager, the regulator)", "funds/{0}/holders", "limit", "limit"},
		{"reconciliation CODE", "A channel's positions in a fund (the manager, the channel, the regulator)", "funds/{0}/reconciliation/{channel}", "channel!", ""},
		{"holdings INVESTOR", "An investor's holdings with lots", "investors/{0}/holdings", "", ""},
		{"orders INVESTOR", "An investor's orders, oldest first", "investors/{0}/orders", "status from to limit", "status from to limit"},
		{"statement INVESTOR", "An investor's statement: investor, holdings valued, orders, dividends", "investors/{0}/statement", "", ""},
		{"order ID", "An order and its confirmation (ID is CHANNEL:APP_NO)", "orders/{0}", "", ""},
		{"channel-orders CHANNEL DATE", "A channel's orders of a trade date", "channel-orders/{0}/{1}", "status limit", "status limit"},
		{"jobs", "Confirmation and dividend work in progress", "jobs", "limit", "limit"},
		{"calendar show", "The trading calendar (public)", "calendar", "", ""},
	}
}

var readFlagUsage = map[string]string{
	"channel": "the channel (reseller or fund manager) organisation", "status": "only orders of this status (pending, confirmed, failed, cancelled)",
	"from": "trade dates from YYYY-MM-DD", "to": "trade dates to YYYY-MM-DD", "limit": "at most this many",
}

func (m *Main) fundReadCommand(rc fundReadCmd, parent string) *cobra.Command {
	var s signerFlags
	vals := map[string]*string{}
	use := strings.TrimPrefix(rc.use, parent+" ")
	c := &cobra.Command{
		Use:   use,
		Short: rc.short,
		Args:  cobra.ExactArgs(len(strings.Fields(use)) - 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, false)
			if err != nil {
				return err
			}
			defer cancel()
			path := rc.path
			for i, a := range args {
				path = strings.ReplaceAll(path, fmt.Sprintf("{%d}", i), a)
			}
			params := map[string]string{}
			for k, v := range vals {
				path = strings.ReplaceAll(path, "{"+k+"}", *v)
				if *v != "" && strings.Contains(" "+rc.params+" ", " "+k+" ") {
					params[k] = *v
				}
			}
			raw, err := fs.query("fund/"+path, params, nil)
			if err != nil {
				return err
			}
			return printJSON(m, raw)
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	for _, f := range strings.Fields(rc.flags) {
		name, req := strings.CutSuffix(f, "!")
		vals[name] = c.Flags().String(name, "", readFlagUsage[name])
		if req {
			_ = c.MarkFlagRequired(name)
		}
	}
	return c
}
