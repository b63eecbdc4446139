package contract

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Module is the contract module.
type Module struct{}

// New returns the contract module.
func New() *Module { return &Module{} }

var _ module.Module = (*Module)(nil)

// Name implements module.Module.
func (*Module) Name() string { return "contract" }

// Codes implements module.Module.
func (*Module) Codes() *module.Codes { return Codes }

// people are the roles that act on contracts (parties are organisations'
// people and investors).
var people = []module.Role{module.RoleInvestor, module.RoleReseller, module.RoleFundManager, module.RoleCustodian, module.RoleRegulator, module.RoleAdmin}

// Msgs implements module.Module.
func (m *Module) Msgs() []module.MsgSpec {
	return []module.MsgSpec{
		module.Spec(TypeSetType, []module.Role{module.RoleRegulator}, false, setType),
		module.Spec(TypeRegisterSeal, []module.Role{module.RoleAdmin}, true, registerSeal),
		module.Spec(TypeCreate, people, false, create),
		module.Spec(TypeUploadVersion, people, false, uploadVersion),
		module.Spec(TypeReview, []module.Role{module.RoleAdmin, module.RoleRegulator, module.RoleFundManager, module.RoleReseller, module.RoleCustodian}, true, review),
		module.Spec(TypeSign, people, true, sign),
		module.Spec(TypeTerminate, people, true, terminate),
		module.Spec(TypeArchive, people, true, archive),
		module.Spec(TypeRecordView, people, true, recordView),
	}
}

// Genesis is the module's genesis section: the contract types (default:
// DefaultTypes).
type Genesis struct {
	Types []Type `json:"types,omitempty"`
	// Seals registered at genesis: each a seal identity of the member genesis.
	Seals []RegisterSeal `json:"seals,omitempty"`
}

// DefaultTypes are the contract types of a new chain; the regulator
// replaces or adds types with contract/set_type.
func DefaultTypes() []Type {
	legal := Stage{Name: "legal", Role: module.RoleAdmin, Org: OrgCreator}
	counter := Stage{Name: "counterparty_legal", Role: module.RoleAdmin, Org: OrgOtherParty}
	compliance := Stage{Name: "compliance", Role: module.RoleRegulator, Org: OrgRegulator}
	return []Type{
		{ID: "fund_contract", Name: "Fund contract 基金合同", Parties: []string{"fund_manager", "custodian"}, Stages: []Stage{legal, counter, compliance}, RetentionYears: 20, Termination: TerminateAllParties, Seal: true, Subject: "fund"},
		{ID: "prospectus", Name: "Prospectus 招募说明书", Parties: []string{"fund_manager"}, Stages: []Stage{legal, compliance}, RetentionYears: 20, Termination: TerminateAnyParty, Seal: true, Subject: "fund"},
		{ID: "risk_disclosure", Name: "Risk disclosure 风险揭示书", Parties: []string{KindChannel, KindInvestor}, RetentionYears: 20, Termination: TerminateAllParties, Seal: true, Subject: "fund"},
		{ID: "distribution_agreement", Name: "Distribution agreement 基金销售代理协议", Parties: []string{"fund_manager", "reseller"}, Stages: []Stage{legal, counter}, RetentionYears: 20, Termination: TerminateAnyParty, Seal: true},
		{ID: "custody_agreement", Name: "Custody agreement 托管协议", Parties: []string{"fund_manager", "custodian"}, Stages: []Stage{legal, counter, compliance}, RetentionYears: 20, Termination: TerminateAllParties, Seal: true, Subject: "fund"},
		{ID: "subscription_agreement", Name: "Subscription agreement 认购协议", Parties: []string{KindInvestor, "fund_manager"}, RetentionYears: 20, Termination: TerminateAllParties, Seal: true, Subject: "fund"},
		{ID: "otc_derivatives_master", Name: "OTC derivatives master agreement 场外衍生品交易主协议", Parties: []string{KindAny, KindAny}, Stages: []Stage{legal, counter}, RetentionYears: 20, Termination: TerminateAnyParty, Seal: true},
	}
}

// InitGenesis implements module.Module.
func (m *Module) InitGenesis(ctx *module.Context, kv module.KV, raw json.RawMessage) error {
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return ErrInvalidRequest.Wrapf("contract genesis: %v", err)
	}
	types := g.Types
	if types == nil {
		types = DefaultTypes()
	}
	for i := range types {
		st := SetType{Type: types[i]}
		if err := st.Validate(); err != nil {
			return ErrInvalidRequest.Wrapf("contract genesis: type %d: %v", i, err)
		}
		st.Updated = ctx.Height
		if err := module.PutJSON(kv, typeKey(st.ID), &st.Type); err != nil {
			return err
		}
	}
	for i := range g.Seals {
		rs := &g.Seals[i]
		if err := rs.Validate(); err != nil {
			return ErrInvalidRequest.Wrapf("contract genesis: seal %d: %v", i, err)
		}
		rec, err := member.GetRecord(ctx.Peer("member"), rs.Seal)
		if err != nil {
			return ErrInvalidRequest.Wrapf("contract genesis: seal %d: %v", i, err)
		}
		sctx := *ctx
		sctx.Signer = module.Identity{ID: "genesis", Org: rec.Org, Role: module.RoleAdmin}
		if _, err := registerSeal(&sctx, kv, rs); err != nil {
			return ErrInvalidRequest.Wrapf("contract genesis: seal %d: %v", i, err)
		}
	}
	return nil
}

// Key layout inside the module's prefix ("contract/"):
//
//	type/<id>                              -> Type
//	seal/<seal identity id>                -> Seal
//	c/<contract>                           -> Contract
//	v/<contract>/<version 8 digits>        -> Version
//	h/<contract>/<seq 8 bytes>             -> Event (operation evidence)
//	org/<org>/<contract>                   -> empty (contracts of a party organisation)
//	dh/<alg>/<hash>/<contract>/<version>   -> empty (versions by document hash)
//	rd/<investor>/<fund>/<contract>        -> empty (risk disclosures)
//	da/<manager>/<reseller>/<contract>     -> empty (distribution agreements)
func typeKey(id string) []byte             { return []byte("type/" + id) }
func sealKey(id string) []byte             { return []byte("seal/" + id) }
func contractKey(id string) []byte         { return []byte("c/" + id) }
func versionKey(id string, n int) []byte   { return []byte(fmt.Sprintf("v/%s/%08d", id, n)) }
func historyPrefix(id string) []byte       { return []byte("h/" + id + "/") }
func orgContractKey(org, id string) []byte { return []byte("org/" + org + "/" + id) }
func docHashPrefix(alg, hash string) []byte {
	return []byte("dh/" + alg + "/" + hash + "/")
}
func riskDisclosurePrefix(inv, fund string) []byte { return []byte("rd/" + inv + "/" + fund + "/") }
func distributionPrefix(mgr, rs string) []byte     { return []byte("da/" + mgr + "/" + rs + "/") }

func getType(kv module.KVReader, id string) (*Type, error) {
	var t Type
	if ok, err := module.GetJSON(kv, typeKey(id), &t); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknownType.Wrapf("no contract type %q", id)
	}
	return &t, nil
}

func getContract(kv module.KVReader, id string) (*Contract, error) {
	var c Contract
	if ok, err := module.GetJSON(kv, contractKey(id), &c); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknownID.Wrapf("no contract %q", id)
	}
	return &c, nil
}

func getVersion(kv module.KVReader, id string, n int) (*Version, error) {
	var v Version
	if ok, err := module.GetJSON(kv, versionKey(id, n), &v); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrVersion.Wrapf("contract %s has no version %d", id, n)
	}
	return &v, nil
}

// SignStatement is what a signer and a seal sign for a version: the chain,
// the contract, the version and the document hash.
func SignStatement(chainID, contract string, version int, hashAlg, hash string) []byte {
	return []byte("otcchain/contract/sign/v1\n" + chainID + "\n" + contract + "\n" + strconv.Itoa(version) + "\n" + hashAlg + "\n" + hash)
}

func members(ctx *module.Context) module.KVReader { return ctx.Peer("member") }

func isRegulator(kv module.KVReader, who module.Identity) bool {
	ok, err := member.IsRegulator(kv, who)
	return err == nil && ok
}

// chinaDate is the calendar date of a block time in China (UTC+8).
func chinaDate(t time.Time) string { return t.In(time.FixedZone("UTC+8", 8*3600)).Format("2006-01-02") }

// blockTime is a record's time: the business time (module.Context.Time).
func blockTime(ctx *module.Context) string { return ctx.Time.UTC().Format(stampLayout) }

// headerTime is a record's block_time: the header time when a simulated
// clock made it differ from the business time, else "" (omitted).
func headerTime(ctx *module.Context) string { return ctx.BlockStamp(stampLayout) }

const stampLayout = "2006-01-02T15:04:05.000Z"

// statusAt is the contract's status on a China date: an effective contract
// past its expiry date is expired.
func statusAt(c *Contract, today string) string {
	if (c.Status == StatusEffective || c.Status == StatusAmending) && c.Expires != "" && today > c.Expires {
		return StatusExpired
	}
	return c.Status
}

// record appends an operation-evidence event to a contract's history.
func record(ctx *module.Context, kv module.KV, c *Contract, action string, version int, detail map[string]string) error {
	c.HistoryCount++
	e := &Event{Seq: c.HistoryCount, Action: action, Actor: ctx.Signer.ID, Org: ctx.Signer.Org, Version: version,
		Height: ctx.Height, Time: blockTime(ctx), BlockTime: headerTime(ctx), Detail: detail}
	if len(ctx.TxHash) > 0 {
		e.Tx = hex.EncodeToString(ctx.TxHash)
	}
	key := binary.BigEndian.AppendUint64(historyPrefix(c.ID), c.HistoryCount)
	if err := module.PutJSON(kv, key, e); err != nil {
		return err
	}
	attrs := []module.Attr{module.A("contract", c.ID), module.A("action", action), module.A("actor", ctx.Signer.ID)}
	if version > 0 {
		attrs = append(attrs, module.A("version", strconv.Itoa(version)))
	}
	// The parties' organisations: the API's event stream shows the event
	// to them (one "party" attribute each).
	for _, p := range c.Parties {
		attrs = append(attrs, module.A("party", p.Org))
	}
	ctx.Emit("contract_"+action, attrs...)
	return nil
}

func joinParties(ps []Party) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(p.Org)
		if p.Identity != "" {
			b.WriteString("/" + p.Identity[:12])
		}
	}
	return b.String()
}

// DocumentAAD is the associated data a contract's document envelope is
// sealed with (crypto.Seal): it binds the ciphertext to its contract.
func DocumentAAD(contractID string) []byte {
	return []byte("otcchain/contract/document/v1\n" + contractID)
}
