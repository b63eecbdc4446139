package audit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Report is what Verify found.
type Report struct {
	Lines   int    // lines read (the genesis included)
	Genesis *Entry // the genesis entry (nil: the input starts later, a partial export)
	First   uint64 // seq of the first line
	Last    uint64 // seq of the last entry that verified
	Head    string // its hash
	// Anchor is the prev of the first entry of a partial export: the chain
	// is verified from there on; compare it with the hash of the entry
	// before it in an earlier export.
	Anchor string
	Broken *BrokenError // the first broken link (nil: intact)
}

// BrokenError names the first place the chain breaks.
type BrokenError struct {
	Seq    uint64 // the seq at which the chain breaks (the entry that is wrong, missing or out of place)
	Line   int    // 1-based line number in the input
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit: chain broken at seq %d (line %d): %s", e.Seq, e.Line, e.Reason)
}

// Verify reads a log (or an export of one) and checks every line: its
// canonical form and hash, that seqs follow one another, and that every
// prev is the hash of the line before. It stops at the first broken link
// and returns it as a *BrokenError (also in the report). Other errors are
// read errors.
func Verify(r io.Reader) (*Report, error) { return VerifyEach(r, nil) }

// VerifyEach is Verify calling each (when not nil) with every entry that
// verified, in order.
func VerifyEach(r io.Reader, each func(Entry)) (*Report, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	rep := &Report{}
	var prev *Entry
	fail := func(seq uint64, format string, args ...any) (*Report, error) {
		rep.Broken = &BrokenError{Seq: seq, Line: rep.Lines, Reason: fmt.Sprintf(format, args...)}
		return rep, rep.Broken
	}
	next := func() uint64 {
		if prev == nil {
			return 0
		}
		return prev.Seq + 1
	}
	for {
		line, err := readLine(br)
		if err == io.EOF {
			break
		}
		rep.Lines++
		if errors.Is(err, errTorn) {
			return fail(next(), "the last line is torn (%d bytes without a newline): a crash while writing?", len(line))
		}
		if errors.Is(err, errTooLong) {
			return fail(next(), "line longer than %d bytes", MaxLineBytes)
		}
		if err != nil {
			return rep, err
		}
		e, perr := parseLine(line)
		if perr != nil {
			if e.Kind != "" && (prev == nil || e.Seq == next()) {
				return fail(e.Seq, "entry %d: %v", e.Seq, perr)
			}
			return fail(next(), "expected entry %d: %v", next(), perr)
		}
		switch {
		case prev == nil && e.Kind == KindGenesis:
			if e.Seq != 0 || e.Prev != "" {
				return fail(e.Seq, "a genesis entry must have seq 0 and no prev")
			}
			g := e
			rep.Genesis = &g
		case prev == nil:
			if e.Seq == 0 {
				return fail(0, "the first line has seq 0 but is not a genesis entry")
			}
			rep.Anchor = e.Prev // a partial export: anchored at its first prev
		case e.Kind == KindGenesis:
			return fail(next(), "a second genesis entry")
		case e.Seq != prev.Seq+1:
			if e.Seq <= prev.Seq {
				return fail(next(), "expected entry %d, found entry %d (out of order or repeated)", next(), e.Seq)
			}
			return fail(next(), "entry %d is missing (the next line is entry %d)", next(), e.Seq)
		case e.Prev != prev.Hash:
			return fail(e.Seq, "prev does not match the hash of entry %d (entry %d was changed and rehashed, or this one was replaced)", prev.Seq, prev.Seq)
		}
		if prev == nil {
			rep.First = e.Seq
		}
		rep.Last, rep.Head = e.Seq, e.Hash
		if each != nil {
			each(e)
		}
		cp := e
		prev = &cp
	}
	if rep.Lines == 0 {
		return rep, errors.New("audit: empty input: no entries")
	}
	return rep, nil
}

var (
	errTorn    = errors.New("torn")
	errTooLong = errors.New("too long")
)

// readLine returns the next line without its newline; errTorn for a last
// line without one.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLineBytes+1 {
			return nil, errTooLong
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(line, []byte("\n")), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(line) == 0:
			return nil, io.EOF
		case err == io.EOF:
			return line, errTorn
		default:
			return nil, err
		}
	}
}
