package chain

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/tx"
)

// Chain is what an import needs from the chain, as the signing reseller.
// The CLI implements it over the API; tests over an in-process app.
type Chain interface {
	// Investor is an investor record, nil when there is none.
	Investor(id string) (*fund.Investor, error)
	// OrderExists reports whether the channel's application number is taken.
	OrderExists(appNo string) (bool, error)
	// Seal fills in reg's sealed personal data (fund.SealPersonal for the
	// channel, the regulators and the investor's identity).
	Seal(reg *fund.RegisterInvestor, data fund.PersonalData) error
	// Submit signs and sends one transaction of batch items, waits for its
	// block and returns one result per item. A transaction refused as a
	// whole is a *TxRefused.
	Submit(items []tx.Any) ([]tx.ItemResult, error)
}

// OrderLister is implemented by a Chain that can list the application
// numbers of the channel's orders of a trade date in one read: the importer
// then checks duplicates once per day instead of once per record (against a
// node, one API round trip instead of 100,000). complete is false when the
// list may be cut short; the records are then checked one by one.
type OrderLister interface {
	OrdersOn(d fund.Date) (appNos map[string]bool, complete bool, err error)
}

// Sender is implemented by a Chain that can hand a transaction to the node
// (accepted into its mempool, in the order sent) and wait for its result
// later: the importer then keeps up to Importer.InFlight batches in flight
// instead of waiting for each block. Batches are sent in file order, so a
// cancellation reaches the chain after the order it cancels. wait returns
// what Submit would.
type Sender interface {
	Send(items []tx.Any) (wait func() ([]tx.ItemResult, error), err error)
}

// TxRefused is a batch transaction the chain refused as a whole: every
// record in it is refused with this reason.
type TxRefused struct{ Code, Reason string }

func (e *TxRefused) Error() string { return "transaction refused: " + e.Code + ": " + e.Reason }

// FileError refuses a whole file: nothing of it is submitted. Fatal is a
// header, field list, record count or trailer error; Problems are the bad
// records (every one, in line order).
type FileError struct {
	Name     string
	Fatal    error
	Problems []*ofd.Error
}

// MaxListed is how many bad records FileError's message lists.
const MaxListed = 20

func (e *FileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s refused, nothing submitted: ", e.Name)
	if e.Fatal != nil {
		b.WriteString(e.Fatal.Error())
		if len(e.Problems) > 0 {
			fmt.Fprintf(&b, " (and %d bad records before it)", len(e.Problems))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%d bad record(s)", len(e.Problems))
	for i, p := range e.Problems {
		if i == MaxListed {
			fmt.Fprintf(&b, "\n  ... %d more", len(e.Problems)-MaxListed)
			break
		}
		b.WriteString("\n  " + p.Error())
	}
	return b.String()
}

// Validate reads a whole file and returns its header and record count, or a
// *FileError naming every bad line. progress (optional) is called with the
// records read so far.
func Validate(name string, r io.Reader, progress func(done, total int)) (*ofd.Header, int, error) {
	rd := ofd.NewReader(r)
	h, err := rd.Header()
	if err != nil {
		return nil, 0, &FileError{Name: name, Fatal: err}
	}
	var bad []*ofd.Error
	n := 0
	for {
		_, err := rd.Next()
		if err == io.EOF {
			break
		}
		var oe *ofd.Error
		if errors.As(err, &oe) && !oe.Fatal() {
			bad = append(bad, oe)
			n++
			continue
		}
		if err != nil {
			return h, n, &FileError{Name: name, Fatal: err, Problems: bad}
		}
		n++
		if progress != nil && n%1000 == 0 {
			progress(n, h.Count)
		}
	}
	if progress != nil {
		progress(n, h.Count)
	}
	if len(bad) > 0 {
		return h, n, &FileError{Name: name, Problems: bad}
	}
	return h, n, nil
}

// Result is one record's outcome in an import report.
type Result struct {
	Line     int    `json:"line"`
	Serial   string `json:"serial"`
	Business string `json:"business"`
	Status   string `json:"status"`
	Code     string `json:"code,omitempty"`
	Reason   string `json:"reason,omitempty"`
	ID       string `json:"id,omitempty"` // the order id, or the TA account opened
	Warning  string `json:"warning,omitempty"`
}

// Summary counts a report's records; Records = Accepted + Refused +
// Duplicates (+ Mapped in a dry run), checked by Import.
type Summary struct {
	File       string `json:"file"`
	Type       string `json:"file_type"`
	Records    int    `json:"records"`
	Accepted   int    `json:"accepted"`
	Refused    int    `json:"refused"`
	Duplicates int    `json:"duplicates"`
	Mapped     int    `json:"mapped,omitempty"`
	Txs        int    `json:"txs"`
}

// Report is an import's outcome: one result per record, in file order.
type Report struct {
	Summary Summary
	Results []Result
}

// Progress is told how far an import is: stage "validated", "submitted" or
// "committed", records done of total.
type Progress func(stage string, done, total int)

// Importer imports 01 and 03 files.
type Importer struct {
	Options  MapOptions
	Chain    Chain
	Batch    int // items per transaction (default 500)
	MaxBytes int // bytes of items per transaction (default 800 KiB, under tx.MaxTxBytes)
	DryRun   bool
	Progress Progress
	// InFlight is how many batches may await their block at once when the
	// Chain is a Sender (0 or 1: one at a time).
	InFlight int
}

// inflight is a batch handed to the node, awaiting its result.
type inflight struct {
	queue []pending
	n     int // items
	wait  func() ([]tx.ItemResult, error)
}

// pending is one record waiting for its transaction.
type pending struct {
	res   *Result
	items []tx.Any
}

// Import validates the whole file (open is called twice: validation, then
// mapping and submission), then maps and submits its records in batch
// transactions. A *FileError means nothing was submitted.
func (im *Importer) Import(name string, open func() (io.ReadCloser, error)) (*Report, error) {
	progress := im.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	f, err := open()
	if err != nil {
		return nil, err
	}
	h, count, err := Validate(name, f, func(d, t int) { progress("validated", d, t) })
	f.Close()
	if err != nil {
		return nil, err
	}
	m, err := NewMapper(h, im.Options)
	if err != nil {
		return nil, &FileError{Name: name, Fatal: err}
	}
	if f, err = open(); err != nil {
		return nil, err
	}
	defer f.Close()
	rd := ofd.NewReader(f)
	if _, err := rd.Header(); err != nil {
		return nil, fmt.Errorf("%s changed while importing: %w", name, err)
	}
	rep := &Report{Summary: Summary{File: name, Type: h.FileType, Records: count}, Results: make([]Result, 0, count)}
	run := &importRun{im: im, m: m, rep: rep, investors: map[string]*fund.Investor{}, registered: map[string]bool{}, progress: progress}
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s changed while importing: %w", name, err)
		}
		if err := run.record(m.Map(rec)); err != nil {
			return nil, err
		}
	}
	if err := run.flush(); err != nil {
		return nil, err
	}
	for len(run.flying) > 0 {
		if err := run.settle(); err != nil {
			return nil, err
		}
	}
	return rep, rep.check()
}

// check makes sure every record is accounted for exactly once.
func (r *Report) check() error {
	s := &r.Summary
	s.Accepted, s.Refused, s.Duplicates, s.Mapped = 0, 0, 0, 0
	for _, x := range r.Results {
		switch x.Status {
		case StatusAccepted:
			s.Accepted++
		case StatusRefused:
			s.Refused++
		case StatusDuplicate:
			s.Duplicates++
		case StatusMapped:
			s.Mapped++
		default:
			return fmt.Errorf("line %d: record without an outcome (status %q)", x.Line, x.Status)
		}
	}
	if len(r.Results) != s.Records || s.Accepted+s.Refused+s.Duplicates+s.Mapped != s.Records {
		return fmt.Errorf("records lost: %d records, %d results (%d accepted, %d refused, %d duplicates, %d mapped)",
			s.Records, len(r.Results), s.Accepted, s.Refused, s.Duplicates, s.Mapped)
	}
	return nil
}

type importRun struct {
	im         *Importer
	m          *Mapper
	rep        *Report
	investors  map[string]*fund.Investor // chain state read once per investor (nil: not on chain)
	registered map[string]bool           // registrations queued by this import
	queue      []pending
	items      int
	bytes      int
	submitted  int
	progress   Progress
	dayOrders  map[string]bool // the channel's application numbers of the trade date (nil: not listed)
	dayListed  bool            // the list was read (and is complete when dayOrders != nil)
	flying     []inflight      // batches sent, oldest first (Sender chains)
	committed  int             // records whose batch has its result
}

// orderExists checks an application number on chain: from the day's list
// when every order of the file must be of the chain's trade date (no
// AnyDate) and the chain can list them, else with one read.
func (r *importRun) orderExists(serial string) (bool, error) {
	o := r.im.Options
	if l, ok := r.im.Chain.(OrderLister); ok && !o.AnyDate && o.TradeDate != 0 {
		if !r.dayListed {
			set, complete, err := l.OrdersOn(o.TradeDate)
			if err != nil {
				return false, err
			}
			r.dayListed = true
			if complete {
				r.dayOrders = set
			}
		}
		if r.dayOrders != nil {
			return r.dayOrders[serial], nil
		}
	}
	return r.im.Chain.OrderExists(serial)
}

func (r *importRun) record(mp *Mapping) error {
	r.rep.Results = append(r.rep.Results, Result{Line: mp.Line, Serial: mp.Serial, Business: mp.Business,
		Status: mp.Status, Code: mp.Code, Reason: mp.Reason, Warning: mp.Warning, ID: mp.OrderID})
	res := &r.rep.Results[len(r.rep.Results)-1]
	if mp.Status == StatusRefused {
		return nil
	}
	var items []tx.Any
	if mp.Register != nil {
		inv, err := r.investor(mp.Investor)
		if err != nil {
			return err
		}
		if inv != nil {
			if ta, ok := inv.TAAccounts[r.m.manager]; ok {
				res.Status, res.ID = StatusDuplicate, ta
				res.Reason = fmt.Sprintf("investor %s already has TA account %s with %s", inv.ID, ta, r.m.manager)
				return nil
			}
		} else if !r.registered[mp.Investor] {
			reg := mp.Register.RegisterMsg()
			if !r.im.DryRun {
				if err := r.im.Chain.Seal(reg, mp.Personal); err != nil {
					return fmt.Errorf("line %d: seal the personal data of %s: %w", mp.Line, mp.Investor, err)
				}
			}
			b, err := json.Marshal(reg)
			if err != nil {
				return err
			}
			items = append(items, tx.Any{Type: fund.TypeRegisterInvestor, Value: b})
			r.registered[mp.Investor] = true
		}
	} else {
		exists, err := r.orderExists(mp.Serial)
		if err != nil {
			return err
		}
		if exists {
			res.Status, res.Code = StatusDuplicate, "fund/18 duplicate_order"
			res.Reason = fmt.Sprintf("application %s is already on chain", mp.Serial)
			return nil
		}
	}
	items = append(items, *mp.Msg)
	if r.im.DryRun {
		return nil
	}
	size := 0
	for _, it := range items {
		size += len(it.Value) + len(it.Type) + 32
	}
	if len(r.queue) > 0 && (r.items+len(items) > r.batch() || r.bytes+size > r.maxBytes()) {
		if err := r.flush(); err != nil {
			return err
		}
	}
	r.queue = append(r.queue, pending{res: res, items: items})
	r.items += len(items)
	r.bytes += size
	return nil
}

func (r *importRun) batch() int {
	if r.im.Batch > 0 {
		return min(r.im.Batch, tx.MaxBatchItems)
	}
	return 500
}

func (r *importRun) maxBytes() int {
	if r.im.MaxBytes > 0 {
		return r.im.MaxBytes
	}
	return 800 << 10
}

func (r *importRun) investor(id string) (*fund.Investor, error) {
	if inv, ok := r.investors[id]; ok {
		return inv, nil
	}
	inv, err := r.im.Chain.Investor(id)
	if err != nil {
		return nil, fmt.Errorf("read investor %s: %w", id, err)
	}
	r.investors[id] = inv
	return inv, nil
}

// flush submits the queued records as one transaction and records each
// record's outcome: accepted when all its items were, else refused with its
// first refused item (a repeated application or account is a duplicate).
func (r *importRun) flush() error {
	if len(r.queue) == 0 {
		return nil
	}
	var items []tx.Any
	for _, p := range r.queue {
		items = append(items, p.items...)
	}
	r.submitted += len(r.queue)
	r.progress("submitted", r.submitted, r.rep.Summary.Records)
	queue := append([]pending(nil), r.queue...)
	r.queue, r.items, r.bytes = r.queue[:0], 0, 0
	r.rep.Summary.Txs++
	if snd, ok := r.im.Chain.(Sender); ok && r.im.InFlight > 1 {
		wait, err := snd.Send(items)
		if err != nil {
			return r.apply(queue, len(items), nil, err)
		}
		r.flying = append(r.flying, inflight{queue: queue, n: len(items), wait: wait})
		if len(r.flying) >= r.im.InFlight {
			return r.settle()
		}
		return nil
	}
	results, err := r.im.Chain.Submit(items)
	return r.apply(queue, len(items), results, err)
}

// settle waits for the oldest batch in flight and records its outcome.
func (r *importRun) settle() error {
	f := r.flying[0]
	r.flying = r.flying[1:]
	results, err := f.wait()
	return r.apply(f.queue, f.n, results, err)
}

// apply records a batch's outcome on its records: per item, or every record
// refused when the transaction was.
func (r *importRun) apply(queue []pending, n int, results []tx.ItemResult, err error) error {
	var tr *TxRefused
	switch {
	case errors.As(err, &tr):
		for _, p := range queue {
			p.res.Status, p.res.Code, p.res.Reason, p.res.ID = StatusRefused, tr.Code, "transaction refused: "+tr.Reason, ""
		}
	case err != nil:
		return fmt.Errorf("submit records from line %d: %w", queue[0].res.Line, err)
	case len(results) != n:
		return fmt.Errorf("submit records from line %d: %d results for %d items", queue[0].res.Line, len(results), n)
	default:
		k := 0
		for _, p := range queue {
			outcome(p, results[k:k+len(p.items)])
			k += len(p.items)
		}
	}
	r.committed += len(queue)
	r.progress("committed", r.committed, r.rep.Summary.Records)
	return nil
}

// Chain codes that mean "already there".
var (
	dupOrder   = fmt.Sprintf("%s/%d", fund.ErrDuplicateOrder.Codespace, fund.ErrDuplicateOrder.Code)
	dupAccount = fmt.Sprintf("%s/%d", fund.ErrAccountExists.Codespace, fund.ErrAccountExists.Code)
)

func outcome(p pending, rs []tx.ItemResult) {
	last := len(rs) - 1
	for i, it := range rs {
		if it.Code == 0 || rs[last].Code == 0 { // a registration refused before an accepted account opening: investor_exists
			continue
		}
		code, reason := splitLog(it)
		p.res.Status, p.res.Code, p.res.Reason, p.res.ID = StatusRefused, code, reason, ""
		short := fmt.Sprintf("%s/%d", it.Codespace, it.Code)
		if i == last && (short == dupOrder || short == dupAccount) {
			p.res.Status = StatusDuplicate
		}
		return
	}
	p.res.Status = StatusAccepted
	var d struct {
		Order        string `json:"order"`
		Cancellation string `json:"cancellation"`
		TAAccount    string `json:"ta_account"`
	}
	_ = json.Unmarshal(rs[len(rs)-1].Data, &d)
	switch {
	case d.Cancellation != "":
		p.res.ID = d.Cancellation
	case d.Order != "":
		p.res.ID = d.Order
	case d.TAAccount != "":
		p.res.ID = d.TAAccount
	}
}

// splitLog splits an item's log "fund/18 duplicate_order: detail" into
// its code and the detail.
func splitLog(it tx.ItemResult) (string, string) {
	code := fmt.Sprintf("%s/%d", it.Codespace, it.Code)
	if rest, ok := strings.CutPrefix(it.Log, code+" "); ok {
		if name, detail, ok := strings.Cut(rest, ": "); ok {
			return code + " " + name, detail
		}
	}
	return code, it.Log
}
