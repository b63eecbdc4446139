package module

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Identity is a registered certificate holder as the app authenticated it.
type Identity struct {
	ID        string `json:"id"` // hex SHA-256 of the certificate DER
	Org       string `json:"org"`
	Role      Role   `json:"role"`
	Name      string `json:"name"`
	Algorithm string `json:"algorithm"`
	PublicKey []byte `json:"public_key"`
}

// Attr is one key/value of an event.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Event is something a handler reports: it reaches the ABCI result, the API
// event stream and subscribers. Events of a failed message are dropped.
type Event struct {
	Type string `json:"type"`
	// Module is the module whose code emitted the event (Context.Emit sets
	// it from Context.Module; the callee's name inside a Call). The API's
	// event stream decides who sees an event by it.
	Module string `json:"module,omitempty"`
	Attrs  []Attr `json:"attrs"`
}

// Context is what a handler knows about where it runs. Every field comes from
// the block being executed (never the wall clock or local configuration).
type Context struct {
	ChainID string
	Height  int64
	// Time is the business time, UTC: the block time plus the business
	// clock's offset (see package clock). It equals BlockTime on a network
	// without the clock, and is never before it. Everything of the business
	// reads it: cut-offs, trade dates, the calendar, record timestamps.
	Time time.Time
	// BlockTime is the block header's time, UTC. Time that is a security
	// matter reads it: certificate validity, governance voting and premium
	// periods, expiry.
	BlockTime time.Time
	TxHash    []byte
	MsgIndex  int
	Signer    Identity

	// State reads the whole store as this message (or end-block step) sees
	// it, under every module's prefix. Modules read another module's state
	// only through Peer, never write it.
	State KVReader

	// Module is the module whose code runs (set by the app; Call switches it
	// for the callee).
	Module string
	// Router runs Call; set by the app (nil where calls are not allowed,
	// e.g. genesis).
	Router Router

	// GenesisValidators is the validator set of the genesis, given to
	// InitGenesis only.
	GenesisValidators []Validator
	// Misbehaviour is what CometBFT reported in the block (duplicate votes,
	// light-client attacks), given to EndBlock only.
	Misbehaviour []Misbehaviour

	events     []Event
	outcomes   []Outcome
	valUpdates []Validator
	depth      int
}

// Validator is a consensus validator: CometBFT address (upper-case hex),
// public key and voting power (0 removes it).
type Validator struct {
	Address    string `json:"address"`
	PubKeyType string `json:"pub_key_type"` // "ed25519"
	PubKey     []byte `json:"pub_key"`
	Power      int64  `json:"power"`
}

// Misbehaviour is one piece of evidence CometBFT committed in a block.
type Misbehaviour struct {
	Type             string    `json:"type"`      // "duplicate_vote" or "light_client_attack"
	Validator        string    `json:"validator"` // address, upper-case hex
	Power            int64     `json:"power"`     // its power at Height
	Height           int64     `json:"height"`    // height of the offence
	Time             time.Time `json:"time"`
	TotalVotingPower int64     `json:"total_voting_power"`
}

// UpdateValidator asks for a validator set change at the end of this block
// (CometBFT applies it two heights later). Only EndBlock updates reach the
// engine.
func (c *Context) UpdateValidator(v Validator) { c.valUpdates = append(c.valUpdates, v) }

// ValidatorUpdates returns the updates asked for so far.
func (c *Context) ValidatorUpdates() []Validator { return c.valUpdates }

// Router runs action of module target on the state ctx sees, atomically
// with the caller's message, and returns the callee's result.
type Router func(ctx *Context, target, action string, payload json.RawMessage) (json.RawMessage, error)

// Receiver is implemented by modules that take actions from other modules
// through Context.Call: governance applying a passed proposal to the module
// that owns the data, the fund module reporting an order to the compliance
// rules. from names the calling module; the receiver refuses callers it
// does not expect. The receiver writes only its own state (kv) and its
// writes commit or roll back with the caller's message.
type Receiver interface {
	Receive(ctx *Context, kv KV, from, action string, payload json.RawMessage) (json.RawMessage, error)
}

// RefusalObserver is implemented by modules that record refused messages
// (the compliance rules count repeated unsuitable purchase attempts). The
// app calls it after a message or batch item was refused and its writes
// were discarded; the observer's writes are kept. It must not refuse: an
// error is a storage failure.
type RefusalObserver interface {
	ObserveRefusal(ctx *Context, kv KV, msgType string, msg Msg, refusal *Error) error
}

// maxCallDepth bounds nested Calls (a receiver calling another module).
const maxCallDepth = 4

// Call runs action of module target (see Receiver) with in as its JSON
// payload and decodes the result into out (if not nil). The call is atomic:
// a refused call leaves no write behind and its refusal is returned as is
// (it refuses the caller's message unless the caller handles it).
func (c *Context) Call(target, action string, in, out any) error {
	if c.Router == nil {
		return fmt.Errorf("module: %s cannot call %s/%s here", c.Module, target, action)
	}
	if c.depth >= maxCallDepth {
		return fmt.Errorf("module: calls nested deeper than %d (%s -> %s/%s)", maxCallDepth, c.Module, target, action)
	}
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("module: call %s/%s: %w", target, action, err)
	}
	c.depth++
	res, err := c.Router(c, target, action, payload)
	c.depth--
	if err != nil {
		return err
	}
	if out != nil && len(res) > 0 {
		if err := json.Unmarshal(res, out); err != nil {
			return fmt.Errorf("module: call %s/%s: result: %w", target, action, err)
		}
	}
	return nil
}

// Outcome is a result the chain produced by itself in an end-block (a
// confirmation, a payout): the app commits the block's outcomes under its
// app hash so that each can be proven with a receipt, like a transaction.
type Outcome struct {
	Key   string // unique for ever within the module, e.g. "confirmation/<order id>"
	Value []byte // the record as produced (JSON)
}

// Outcome records an end-block outcome. Keys must never repeat.
func (c *Context) Outcome(key string, value []byte) {
	c.outcomes = append(c.outcomes, Outcome{Key: key, Value: value})
}

// Outcomes returns the outcomes recorded so far.
func (c *Context) Outcomes() []Outcome { return c.outcomes }

// Peer returns a read-only view of another module's state (for example the
// fund module reading member identities), as the current block sees it.
func (c *Context) Peer(name string) KVReader { return PrefixedReader(c.State, name+"/") }

// Emit records an event of the running module (c.Module).
func (c *Context) Emit(typ string, attrs ...Attr) {
	c.events = append(c.events, Event{Type: typ, Module: c.Module, Attrs: attrs})
}

// Events returns what was emitted so far.
func (c *Context) Events() []Event { return c.events }

// ResetEvents drops events (the app calls it when a message fails).
func (c *Context) ResetEvents(n int) { c.events = c.events[:n] }

// BlockStamp returns the block time in layout when it differs from the
// business time (a simulated clock), else "": records carry it as an
// omitted-when-empty block_time beside their business time, so records of a
// network without the clock stay as they were.
func (c *Context) BlockStamp(layout string) string {
	if c.BlockTime.IsZero() || c.BlockTime.Equal(c.Time) {
		return ""
	}
	return c.BlockTime.UTC().Format(layout)
}

// A is shorthand for an Attr.
func A(key, value string) Attr { return Attr{Key: key, Value: value} }

// Msg is a message body. Validate does stateless checks (formats, lengths,
// ranges) and returns an *Error from the module's code table.
type Msg interface {
	Validate() error
}

// MsgSpec declares one message type of a module.
type MsgSpec struct {
	// Type is "module/name", e.g. "member/register_identity".
	Type string
	// Roles may send this message; any other role is refused with the app's
	// "role_not_permitted" code before the handler runs.
	Roles []Role
	// Batchable says the message may be an item of a batch message.
	Batchable bool
	// New returns a fresh value to decode the message JSON into.
	New func() Msg
	// Handle executes the message. It returns result data (JSON, kept in the
	// tx result and covered by the results hash) or an error: an *Error for a
	// domain rejection, anything else for a storage failure.
	Handle func(ctx *Context, kv KV, msg Msg) (json.RawMessage, error)
}

// Allows says whether role r may send the message.
func (s MsgSpec) Allows(r Role) bool {
	for _, x := range s.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// QueryContext is what a query knows: the committed height and the caller,
// nil when the caller is anonymous.
type QueryContext struct {
	Chain string // chain id
	// Time is the business time of the last committed block (its block time
	// plus the business clock's offset after it; zero before the first
	// block). It equals BlockTime on a network without the clock.
	Time time.Time
	// BlockTime is the header time of the last committed block.
	BlockTime time.Time
	// ClockSimulated says the network's genesis enabled the business clock
	// (a development or sandbox network): Time may be ahead of BlockTime.
	ClockSimulated bool
	Height         int64
	Caller         *Identity
	// State reads the committed store under every module's prefix; see
	// Peer.
	State KVReader
}

// ChainID returns the chain id.
func (c *QueryContext) ChainID() string { return c.Chain }

// Peer returns a read-only view of another module's committed state.
func (c *QueryContext) Peer(name string) KVReader { return PrefixedReader(c.State, name+"/") }

// QuerySpec declares one read path of a module, e.g. "identities/{id}".
// Public queries need no identity. Otherwise the caller must hold one of
// Roles, and Handle may refuse further (for example, an investor reading
// someone else's account) with an *Error.
//
// Build one with Query, which records the Go type of the answer (the API
// serves its JSON encoding and the OpenAPI document describes it); a spec
// without a handler answers nothing and the app refuses to register it.
type QuerySpec struct {
	Path   string
	Public bool
	Roles  []Role
	// Params are the query parameters the handler reads (?name=value),
	// for the API's documentation; the app passes any it is given.
	Params []QueryParam

	answer reflect.Type
	handle func(ctx *QueryContext, kv KVReader, params map[string]string) (any, error)
}

// Query declares the read path path answered by h; its answer type T is
// the spec's Answer. Set who may read it with WithPublic or WithRoles.
func Query[T any](path string, h func(ctx *QueryContext, kv KVReader, params map[string]string) (T, error)) QuerySpec {
	return QuerySpec{
		Path:   path,
		answer: reflect.TypeFor[T](),
		handle: func(ctx *QueryContext, kv KVReader, params map[string]string) (any, error) {
			v, err := h(ctx, kv, params)
			if err != nil {
				return nil, err
			}
			return v, nil
		},
	}
}

// WithPublic returns the spec readable without an identity.
func (s QuerySpec) WithPublic() QuerySpec {
	s.Public = true
	return s
}

// WithRoles returns the spec readable by roles (and the regulator).
func (s QuerySpec) WithRoles(roles ...Role) QuerySpec {
	s.Roles = roles
	return s
}

// WithParams returns the spec declaring the query parameters it reads.
func (s QuerySpec) WithParams(ps ...QueryParam) QuerySpec {
	s.Params = append(append([]QueryParam(nil), s.Params...), ps...)
	return s
}

// QueryParam is a query parameter a query reads.
type QueryParam struct {
	Name        string
	Description string
	Integer     bool // a decimal integer; else a string
	Required    bool
}

// LimitParam is the ?limit= of a list that stops at a limit: at most n
// items, def when absent, capped at max.
func LimitParam(def, max int) QueryParam {
	return QueryParam{Name: "limit", Integer: true,
		Description: fmt.Sprintf("at most this many items (default %d, at most %d)", def, max)}
}

// Answer is the Go type of a successful answer (nil for a spec not built
// by Query).
func (s QuerySpec) Answer() reflect.Type { return s.answer }

// Handle runs the query: the answer (of type Answer) or a refusal (an
// *Error) or a storage failure.
func (s QuerySpec) Handle(ctx *QueryContext, kv KVReader, params map[string]string) (any, error) {
	if s.handle == nil {
		return nil, fmt.Errorf("module: query %q has no handler (build it with module.Query)", s.Path)
	}
	return s.handle(ctx, kv, params)
}

// Module is a domain state machine.
type Module interface {
	// Name is the module's store prefix, codespace and message type prefix.
	Name() string
	Msgs() []MsgSpec
	Queries() []QuerySpec
	Codes() *Codes
	// InitGenesis loads the module's section of the genesis app state.
	InitGenesis(ctx *Context, kv KV, raw json.RawMessage) error
}

// EndBlocker is implemented by modules that act at the end of every block
// (for example automatic confirmation of orders at a cut-off). It must be
// cheap when there is nothing to do.
type EndBlocker interface {
	EndBlock(ctx *Context, kv KV) error
}

// OutcomeAccess is implemented by modules with end-block outcomes: it names
// the module query whose access rule governs who may fetch the outcome with
// key (without the module prefix) and its receipt.
type OutcomeAccess interface {
	OutcomeQuery(key string) (path string, ok bool)
}

// Spec builds a MsgSpec from a typed handler: New allocates a *T, Handle
// passes it on and encodes the handler's result as the message's JSON
// result data.
func Spec[T any, PT interface {
	*T
	Msg
}](typ string, roles []Role, batchable bool, h func(ctx *Context, kv KV, m *T) (any, error)) MsgSpec {
	return MsgSpec{
		Type: typ, Roles: roles, Batchable: batchable,
		New: func() Msg { return PT(new(T)) },
		Handle: func(ctx *Context, kv KV, msg Msg) (json.RawMessage, error) {
			out, err := h(ctx, kv, (*T)(msg.(PT)))
			if err != nil {
				return nil, err
			}
			return json.Marshal(out)
		},
	}
}

// List is the answer of a list query that stops at a limit: the items, and
// Truncated when more matched than the limit let through (ask again with a
// larger limit or a narrower filter). It is encoded as
// {"items": [...], "truncated": bool}.
type List[T any] struct {
	Items     []T  `json:"items"`
	Truncated bool `json:"truncated"`
}

// Add appends v unless the list holds limit items already, in which case
// it marks the list truncated. It returns false once the list is full and
// truncated, so an iteration can stop.
func (l *List[T]) Add(v T, limit int) bool {
	if limit > 0 && len(l.Items) >= limit {
		l.Truncated = true
		return false
	}
	l.Items = append(l.Items, v)
	return true
}
