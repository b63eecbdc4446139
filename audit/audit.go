// Package audit keeps a node's audit log of what never reaches the chain:
// transactions the node refused, reads of personal data and documents
// through its API, refused reads. The log is an append-only file of JSON
// lines, each entry chained to the one before by SHA-256, so that a copy
// (the regulator's export) can be checked entry by entry and compared with
// the node's live head.
//
// # Format
//
// Line 0 is the genesis entry (kind "genesis", seq 0, prev ""), naming the
// node and the chain. Every later line is an Entry with seq one more than
// the line before and prev equal to the hash of the line before. An entry's
// hash is the lowercase hex SHA-256 of its canonical bytes: the entry
// encoded as its line is, without the trailing "hash" member. The line
// itself is exactly the canonical encoding of the entry with its hash, so a
// verifier in any language can strip `,"hash":"<64 hex>"` from the end of a
// line and hash what is left:
//
//	canonical(e) = encoding/json of Entry, fields in declaration order,
//	               empty optional fields left out, no HTML escaping,
//	               no whitespace, hash absent
//	e.hash       = hex(SHA-256(canonical(e)))
//	line         = canonical(e) with ,"hash":"<e.hash>" before the final }
//
// Lines are at most MaxLineBytes long (long fields are clipped).
//
// # Durability
//
// Every Append writes its whole line with one write(2) under the log's
// mutex, so a crash of the process never loses or tears an appended entry.
// Whether the page cache reaches the disk at once depends on
// Options.SyncInterval: 0 fsyncs every entry; a positive interval fsyncs
// in the background at most that often when something was written (and on
// Close), so a power loss loses at most the last interval's entries. A
// power loss can also leave a torn last line; Open reports it
// (ErrTornTail) and cuts it only with Options.Repair (or Repair).
package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Kinds of entries.
const (
	KindGenesis          = "genesis"
	KindTxRejected       = "tx_rejected"        // CheckTx refused a tx submitted through the API
	KindPersonalDataRead = "personal_data_read" // investor records, accounts (served or not)
	KindDocumentRead     = "document_read"      // contract document versions, exchange records
	KindBlobFetch        = "blob_fetch"         // a blob download by a reader (served, missing, unknown)
	KindBlobRefused      = "blob_refused"       // a blob download refused
	KindBlobStore        = "blob_store"         // a blob upload (stored, invalid)
	KindReadRefused      = "read_refused"       // any other module read refused (401/403)
	KindAuditExport      = "audit_export"       // a regulator exported the log
)

// MaxLineBytes bounds one line of the log (Verify and Open refuse longer).
const MaxLineBytes = 16 << 10

// Field limits: longer values are clipped (at a UTF-8 boundary, "…" added).
const (
	maxShort  = 256
	maxReason = 2048
)

// Entry is one line of the log. The field order is the canonical order.
type Entry struct {
	Seq       uint64 `json:"seq"`
	Time      string `json:"time"` // RFC 3339, UTC, nanoseconds (the node's wall clock)
	Kind      string `json:"kind"`
	Node      string `json:"node,omitempty"`     // genesis: the node's id
	ChainID   string `json:"chain_id,omitempty"` // genesis: the chain
	Identity  string `json:"identity,omitempty"` // who: the caller or the tx's signer
	Org       string `json:"org,omitempty"`
	Role      string `json:"role,omitempty"`
	Remote    string `json:"remote,omitempty"`  // the client's address as the API saw it
	Subject   string `json:"subject,omitempty"` // what: a query path, a blob, a tx hash
	Record    string `json:"record,omitempty"`  // the record a blob or read belongs to
	Codespace string `json:"codespace,omitempty"`
	Code      uint32 `json:"code,omitempty"`
	Outcome   string `json:"outcome,omitempty"` // served, refused, rejected, unknown, missing, invalid, stored, ...
	Reason    string `json:"reason,omitempty"`
	Prev      string `json:"prev"`
	Hash      string `json:"hash,omitempty"`
}

// canonical returns the entry's canonical bytes (without the hash).
func canonical(e Entry) []byte {
	e.Hash = ""
	return encode(e)
}

func encode(e Entry) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		panic("audit: encode entry: " + err.Error()) // strings and integers only
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// HashOf returns the hash of e's canonical bytes (e.Hash is ignored).
func HashOf(e Entry) string {
	s := sha256.Sum256(canonical(e))
	return hex.EncodeToString(s[:])
}

// seal sets e.Hash and returns the line (without the newline).
func seal(e *Entry) []byte {
	e.Hash = HashOf(*e)
	return encode(*e)
}

// parseLine decodes a line and checks that it is canonical and that its
// hash matches its contents.
func parseLine(line []byte) (Entry, error) {
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return Entry{}, fmt.Errorf("not an entry: %v", err)
	}
	if !bytes.Equal(encode(e), line) {
		return e, errors.New("not in canonical form (edited by hand?)")
	}
	if e.Hash != HashOf(e) {
		return e, errors.New("hash does not match the entry's contents")
	}
	return e, nil
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func (e *Entry) clip() {
	for _, f := range []*string{&e.Kind, &e.Identity, &e.Org, &e.Role, &e.Remote, &e.Record, &e.Codespace, &e.Outcome} {
		*f = clip(*f, maxShort)
	}
	e.Subject = clip(e.Subject, maxShort*2)
	e.Reason = clip(e.Reason, maxReason)
}

// Errors of Open.
var (
	// ErrTornTail: the file ends in a partial line (a crash while writing,
	// a power loss). Open with Options.Repair, or Repair, cuts it.
	ErrTornTail = errors.New("audit: the log ends in a torn line")
	// ErrCorrupt: the genesis or the last entry does not verify, or the
	// log belongs to another node or chain. Nothing is repaired: run
	// otc audit verify on the file.
	ErrCorrupt = errors.New("audit: the log does not verify")
	// ErrClosed: Append after Close, or after a write error the log could
	// not undo.
	ErrClosed = errors.New("audit: the log is closed")
)

// TornTailError details ErrTornTail.
type TornTailError struct {
	Path   string
	Offset int64 // where the torn line starts (the size after a repair)
	Bytes  int64 // its length
	After  uint64
}

func (e *TornTailError) Error() string {
	return fmt.Sprintf("audit: %s ends in a torn line of %d bytes at offset %d after entry %d (a crash while writing?): otc audit repair %s cuts it", e.Path, e.Bytes, e.Offset, e.After, e.Path)
}

func (e *TornTailError) Unwrap() error { return ErrTornTail }

// Options configure Open.
type Options struct {
	// Node and ChainID name the node and the chain in the genesis entry of
	// a new log; an existing log must name the same (empty: not checked).
	Node, ChainID string
	// SyncInterval: 0 fsyncs every entry before Append returns; positive:
	// a background fsync at most this often when entries were written.
	SyncInterval time.Duration
	// Repair cuts a torn last line instead of failing with ErrTornTail.
	Repair bool
	// Now is the clock of entry times (default time.Now).
	Now func() time.Time
}

// Head is the latest entry of a log.
type Head struct {
	Seq     uint64 `json:"seq"`
	Hash    string `json:"hash"`
	Node    string `json:"node"`
	ChainID string `json:"chain_id"`
	Genesis string `json:"genesis"` // the genesis entry's hash

	size int64 // bytes of complete lines up to this entry
}

// Log is an open audit log, safe for concurrent use.
type Log struct {
	path string
	opts Options
	now  func() time.Time

	mu       sync.Mutex
	f        *os.File
	head     Head
	dirty    bool
	err      error // sticky: set when a failed write could not be undone
	truncRep int64 // bytes cut by Repair at open

	syncMu sync.Mutex // serializes fsyncs
	stop   chan struct{}
	done   chan struct{}
}

// Open opens the log at path, creating it (with its genesis entry) when it
// does not exist. An existing log's genesis and last entry are verified and
// the chain continues from the last entry.
func Open(path string, opts Options) (*Log, error) {
	if opts.SyncInterval < 0 {
		return nil, errors.New("audit: negative sync interval")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: open: %w", err)
	}
	l := &Log{path: path, opts: opts, now: now, f: f}
	if err := l.load(); err != nil {
		f.Close()
		return nil, err
	}
	if opts.SyncInterval > 0 {
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.syncLoop()
	}
	return l, nil
}

func (l *Log) load() error {
	st, err := l.f.Stat()
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if st.Size() == 0 {
		g := Entry{Seq: 0, Time: l.stamp(), Kind: KindGenesis, Node: l.opts.Node, ChainID: l.opts.ChainID}
		line := append(seal(&g), '\n')
		if _, err := l.f.Write(line); err != nil {
			return fmt.Errorf("audit: write genesis: %w", err)
		}
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("audit: sync: %w", err)
		}
		syncDir(l.path)
		l.head = Head{Seq: 0, Hash: g.Hash, Node: g.Node, ChainID: g.ChainID, Genesis: g.Hash, size: int64(len(line))}
		return nil
	}
	t, err := readTail(l.f, st.Size())
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, l.path, err)
	}
	g := t.genesis
	if l.opts.Node != "" && g.Node != l.opts.Node || l.opts.ChainID != "" && g.ChainID != l.opts.ChainID {
		return fmt.Errorf("%w: %s belongs to node %q of chain %q, not node %q of chain %q", ErrCorrupt, l.path, g.Node, g.ChainID, l.opts.Node, l.opts.ChainID)
	}
	if t.torn > 0 {
		te := &TornTailError{Path: l.path, Offset: t.size, Bytes: t.torn, After: t.last.Seq}
		if !l.opts.Repair {
			return te
		}
		if err := l.f.Truncate(t.size); err != nil {
			return fmt.Errorf("audit: repair: %w", err)
		}
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("audit: repair: %w", err)
		}
		l.truncRep = t.torn
	}
	l.head = Head{Seq: t.last.Seq, Hash: t.last.Hash, Node: g.Node, ChainID: g.ChainID, Genesis: g.Hash, size: t.size}
	return nil
}

// Repaired returns how many bytes of a torn last line Open cut (with
// Options.Repair); 0 when the log was intact.
func (l *Log) Repaired() int64 { return l.truncRep }

// Path returns the log's file.
func (l *Log) Path() string { return l.path }

type tail struct {
	genesis, last Entry
	size          int64 // end of the last complete line
	torn          int64 // bytes after it
}

// readTail verifies the first line (the genesis) and the last complete
// line, and measures a torn remainder.
func readTail(f *os.File, size int64) (*tail, error) {
	first := make([]byte, min(size, MaxLineBytes+1))
	if _, err := f.ReadAt(first, 0); err != nil && err != io.EOF {
		return nil, err
	}
	i := bytes.IndexByte(first, '\n')
	if i < 0 {
		return nil, errors.New("the genesis line is incomplete or too long")
	}
	g, err := parseLine(first[:i])
	if err != nil {
		return nil, fmt.Errorf("genesis: %v", err)
	}
	if g.Kind != KindGenesis || g.Seq != 0 || g.Prev != "" {
		return nil, errors.New("the first line is not a genesis entry")
	}
	// The last newline, and the one before it.
	end := size
	buf := make([]byte, min(size, 2*MaxLineBytes+2))
	off := size - int64(len(buf))
	if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
		return nil, err
	}
	nl := bytes.LastIndexByte(buf, '\n')
	if nl < 0 {
		return nil, errors.New("no complete line at the end of the file")
	}
	t := &tail{genesis: g, size: off + int64(nl) + 1}
	t.torn = end - t.size
	body := buf[:nl]
	start := bytes.LastIndexByte(body, '\n') + 1
	if start == 0 && off > 0 {
		return nil, errors.New("the last line is too long")
	}
	if t.last, err = parseLine(body[start:]); err != nil {
		return nil, fmt.Errorf("last entry (at offset %d): %v", off+int64(start), err)
	}
	return t, nil
}

func syncDir(path string) {
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func (l *Log) stamp() string { return l.now().UTC().Format(time.RFC3339Nano) }

// Append adds e to the log: the seq, time, prev and hash are set here
// (Kind is required). It returns the entry as written. With a zero
// SyncInterval the entry is on disk when Append returns; otherwise it is
// in the page cache (it survives a crash of the process) and reaches the
// disk within the interval.
func (l *Log) Append(e Entry) (Entry, error) {
	if e.Kind == "" || e.Kind == KindGenesis {
		return Entry{}, errors.New("audit: an entry needs a kind (not genesis)")
	}
	e.clip()
	e.Node, e.ChainID = "", ""
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return Entry{}, l.err
	}
	e.Seq, e.Prev, e.Time = l.head.Seq+1, l.head.Hash, l.stamp()
	line := append(seal(&e), '\n')
	if len(line) > MaxLineBytes {
		return Entry{}, errors.New("audit: entry too long") // cannot happen with clipped fields
	}
	if n, err := l.f.Write(line); err != nil {
		// Undo a partial line so the chain stays intact.
		if n > 0 {
			if terr := l.f.Truncate(l.head.size); terr != nil {
				l.err = fmt.Errorf("%w: a failed write could not be undone: %v (then %v)", ErrClosed, err, terr)
			}
		}
		return Entry{}, fmt.Errorf("audit: write: %w", err)
	}
	h := l.head
	h.Seq, h.Hash, h.size = e.Seq, e.Hash, h.size+int64(len(line))
	l.head = h
	if l.opts.SyncInterval > 0 {
		l.dirty = true
		return e, nil
	}
	if err := l.f.Sync(); err != nil {
		// The line is written and the chain intact; its durability is
		// unknown. The next fsync may succeed.
		l.dirty = true
		return e, fmt.Errorf("audit: sync: %w", err)
	}
	return e, nil
}

// Head returns the latest entry's seq and hash.
func (l *Log) Head() Head {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// Sync flushes written entries to the disk.
func (l *Log) Sync() error {
	l.mu.Lock()
	if l.f == nil {
		l.mu.Unlock()
		return ErrClosed
	}
	dirty := l.dirty
	l.dirty = false
	f := l.f
	l.mu.Unlock()
	if !dirty {
		return nil
	}
	l.syncMu.Lock()
	err := f.Sync()
	l.syncMu.Unlock()
	if err != nil {
		l.mu.Lock()
		l.dirty = true
		l.mu.Unlock()
		return fmt.Errorf("audit: sync: %w", err)
	}
	return nil
}

func (l *Log) syncLoop() {
	defer close(l.done)
	t := time.NewTicker(l.opts.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.Sync() // retried at the next tick and at Close
		}
	}
}

// Close flushes and closes the log. Later Appends fail with ErrClosed.
func (l *Log) Close() error {
	if l.stop != nil {
		select {
		case <-l.stop:
		default:
			close(l.stop)
		}
		<-l.done
	}
	serr := l.Sync()
	if errors.Is(serr, ErrClosed) {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	l.syncMu.Lock()
	err := l.f.Close()
	l.syncMu.Unlock()
	l.f = nil
	if l.err == nil {
		l.err = ErrClosed
	}
	return errors.Join(serr, err)
}

// Export writes the log's lines to w: the genesis line when from is 0,
// then the entries with seq >= from, at most limit lines (0: no limit), up
// to the head as it was when Export began (use ExportUpTo to pin it). It
// returns the number of lines written.
func (l *Log) Export(w io.Writer, from uint64, limit int) (int, error) {
	return l.ExportUpTo(w, l.Head(), from, limit)
}

// ExportUpTo is Export up to head (a value Head returned).
func (l *Log) ExportUpTo(w io.Writer, head Head, from uint64, limit int) (int, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return 0, fmt.Errorf("audit: export: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(io.LimitReader(f, head.size), 64<<10)
	bw := bufio.NewWriterSize(w, 32<<10)
	n := 0
	for limit <= 0 || n < limit {
		line, err := br.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil {
			return n, fmt.Errorf("audit: export: %w", err)
		}
		var s struct {
			Seq uint64 `json:"seq"`
		}
		if json.Unmarshal(line, &s) != nil {
			return n, fmt.Errorf("audit: export: a line after %d entries does not parse", n)
		}
		if s.Seq < from {
			continue
		}
		if _, err := bw.Write(line); err != nil {
			return n, err
		}
		n++
	}
	return n, bw.Flush()
}

// Repair cuts a torn last line of the log file at path (see ErrTornTail)
// and returns how many bytes it cut (0: the log was intact). It refuses a
// log whose genesis or last complete entry does not verify.
func Repair(path string) (int64, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("audit: repair: %w", err)
	}
	l, err := Open(path, Options{Repair: true})
	if err != nil {
		return 0, err
	}
	return l.Repaired(), l.Close()
}
