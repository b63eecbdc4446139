package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otcchain/otcchain/audit"
)

func open(t testing.TB, path string, opts audit.Options) *audit.Log {
	t.Helper()
	if opts.Node == "" {
		opts.Node, opts.ChainID = "node0", "otc-test"
	}
	l, err := audit.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func add(t testing.TB, l *audit.Log, n int) {
	t.Helper()
	for i := range n {
		if _, err := l.Append(audit.Entry{Kind: audit.KindPersonalDataRead, Identity: "id1", Org: "rs-bank", Role: "reseller",
			Subject: fmt.Sprintf("fund/investors/INV%03d", i), Outcome: "served", Reason: "<&> \"quoted\" 中文"}); err != nil {
			t.Fatal(err)
		}
	}
}

func verifyFile(t *testing.T, path string) (*audit.Report, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return audit.Verify(f)
}

func TestAppendReopenContinue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l := open(t, path, audit.Options{})
	g := l.Head()
	if g.Seq != 0 || g.Genesis != g.Hash || g.Node != "node0" || g.ChainID != "otc-test" {
		t.Fatalf("genesis head %+v", g)
	}
	add(t, l, 3)
	h := l.Head()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(audit.Entry{Kind: audit.KindReadRefused}); !errors.Is(err, audit.ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	l = open(t, path, audit.Options{})
	if got := l.Head(); got != h || got.Seq != 3 {
		t.Fatalf("reopened head %+v, want %+v", got, h)
	}
	e, err := l.Append(audit.Entry{Kind: audit.KindTxRejected, Subject: "abcd", Codespace: "fund", Code: 12, Outcome: "rejected"})
	if err != nil || e.Seq != 4 || e.Prev != h.Hash || e.Hash != audit.HashOf(e) {
		t.Fatalf("continued %+v %v", e, err)
	}
	l.Close()

	rep, err := verifyFile(t, path)
	if err != nil || rep.Lines != 5 || rep.Last != 4 || rep.Genesis == nil || rep.Head != e.Hash {
		t.Fatalf("verify %+v %v", rep, err)
	}
	// The canonical bytes are the line without its trailing hash member.
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	last := lines[len(lines)-1]
	i := strings.LastIndex(last, `,"hash":"`)
	canon := last[:i] + "}"
	sum := sha256.Sum256([]byte(canon))
	if hex.EncodeToString(sum[:]) != e.Hash || last[i:] != `,"hash":"`+e.Hash+`"}` {
		t.Fatalf("canonical bytes: %s", last)
	}
	if !strings.Contains(lines[1], `<&>`) {
		t.Errorf("HTML characters escaped: %s", lines[1])
	}
	// Another node's log is refused.
	if _, err := audit.Open(path, audit.Options{Node: "node1", ChainID: "otc-test"}); !errors.Is(err, audit.ErrCorrupt) {
		t.Fatalf("another node: %v", err)
	}
}

func TestConcurrentAppend(t *testing.T) {
	for _, iv := range []time.Duration{0, 5 * time.Millisecond} {
		t.Run(fmt.Sprint(iv), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			l := open(t, path, audit.Options{SyncInterval: iv})
			var wg sync.WaitGroup
			var exports sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 50 {
						if _, err := l.Append(audit.Entry{Kind: audit.KindBlobFetch, Identity: fmt.Sprint(w), Subject: fmt.Sprint(i), Outcome: "served"}); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			// Exports while appending see whole lines only.
			exports.Add(1)
			go func() {
				defer exports.Done()
				for range 20 {
					var buf bytes.Buffer
					if _, err := l.Export(&buf, 0, 0); err != nil {
						t.Error(err)
						return
					}
					if _, err := audit.Verify(&buf); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			wg.Wait()
			exports.Wait()
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			rep, err := verifyFile(t, path)
			if err != nil || rep.Last != 400 {
				t.Fatalf("verify %+v %v", rep, err)
			}
		})
	}
}

// tamper rewrites the log's lines with edit and verifies the result.
func tamper(t *testing.T, edit func(lines []string) []string) *audit.BrokenError {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.log")
	l := open(t, path, audit.Options{})
	add(t, l, 9)
	l.Close()
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	out := strings.Join(edit(lines), "\n") + "\n"
	rep, err := audit.Verify(strings.NewReader(out))
	var be *audit.BrokenError
	if !errors.As(err, &be) || rep.Broken != be {
		t.Fatalf("verify of a tampered log: %v", err)
	}
	return be
}

func TestVerifyNamesFirstBrokenSeq(t *testing.T) {
	cases := []struct {
		name string
		edit func([]string) []string
		seq  uint64
		why  string
	}{
		{"changed", func(l []string) []string {
			l[5] = strings.Replace(l[5], "INV004", "INV999", 1)
			return l
		}, 5, "hash does not match"},
		{"changed and rehashed", func(l []string) []string {
			var e audit.Entry
			mustUnmarshal(l[5], &e)
			e.Identity = "someone-else"
			e.Hash = audit.HashOf(e)
			l[5] = mustLine(e)
			return l
		}, 6, "prev does not match the hash of entry 5"},
		{"deleted", func(l []string) []string { return append(l[:4:4], l[5:]...) }, 4, "entry 4 is missing"},
		{"reordered", func(l []string) []string {
			l[3], l[4] = l[4], l[3]
			return l
		}, 3, "entry 3 is missing (the next line is entry 4)"},
		{"reformatted", func(l []string) []string {
			l[7] = strings.Replace(l[7], `"seq":7,`, `"seq": 7,`, 1)
			return l
		}, 7, "canonical"},
		{"garbage", func(l []string) []string {
			l[2] = "not json"
			return l
		}, 2, "expected entry 2"},
		{"last deleted", func(l []string) []string { return l[:9] }, 0, ""},
		{"torn", func(l []string) []string {
			l[9] = l[9][:40]
			return l
		}, 9, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "last deleted" {
				// A cut tail is not detectable from the file alone: that is
				// what the live head is for.
				path := filepath.Join(t.TempDir(), "audit.log")
				l := open(t, path, audit.Options{})
				add(t, l, 9)
				head := l.Head()
				l.Close()
				raw, _ := os.ReadFile(path)
				lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
				rep, err := audit.Verify(strings.NewReader(strings.Join(lines[:9], "\n") + "\n"))
				if err != nil || rep.Head == head.Hash || rep.Last != 8 {
					t.Fatalf("%+v %v", rep, err)
				}
				return
			}
			if c.name == "torn" {
				path := filepath.Join(t.TempDir(), "audit.log")
				l := open(t, path, audit.Options{})
				add(t, l, 9)
				l.Close()
				raw, _ := os.ReadFile(path)
				rep, err := audit.Verify(bytes.NewReader(raw[:len(raw)-30]))
				var be *audit.BrokenError
				if !errors.As(err, &be) || be.Seq != 9 || !strings.Contains(be.Reason, "torn") || rep.Last != 8 {
					t.Fatalf("%+v %v", rep, err)
				}
				return
			}
			be := tamper(t, c.edit)
			if be.Seq != c.seq || !strings.Contains(be.Error(), c.why) {
				t.Fatalf("broken at %d (%v), want seq %d %q", be.Seq, be, c.seq, c.why)
			}
		})
	}
}

func mustUnmarshal(line string, e *audit.Entry) {
	var raw = []byte(line)
	if err := jsonUnmarshal(raw, e); err != nil {
		panic(err)
	}
}

func TestPartialExport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l := open(t, path, audit.Options{})
	defer l.Close()
	add(t, l, 10)
	var all, part bytes.Buffer
	if n, err := l.Export(&all, 0, 0); err != nil || n != 11 {
		t.Fatalf("export all: %d %v", n, err)
	}
	if n, err := l.Export(&part, 4, 3); err != nil || n != 3 {
		t.Fatalf("export part: %d %v", n, err)
	}
	rep, err := audit.Verify(&part)
	if err != nil || rep.Genesis != nil || rep.First != 4 || rep.Last != 6 || rep.Anchor == "" {
		t.Fatalf("partial %+v %v", rep, err)
	}
	full, _ := audit.Verify(bytes.NewReader(all.Bytes()))
	if full.Head != l.Head().Hash {
		t.Fatal("export head differs from the log's")
	}
}

func TestTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l := open(t, path, audit.Options{})
	add(t, l, 5)
	head := l.Head()
	l.Close()
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"seq":6,"time":"2026-`) // a crash in the middle of a line
	f.Close()
	size := func() int64 { st, _ := os.Stat(path); return st.Size() }
	before := size()

	_, err := audit.Open(path, audit.Options{Node: "node0", ChainID: "otc-test"})
	var te *audit.TornTailError
	if !errors.As(err, &te) || !errors.Is(err, audit.ErrTornTail) || te.After != 5 || te.Bytes != 22 {
		t.Fatalf("open of a torn log: %v", err)
	}
	if size() != before {
		t.Fatal("a torn tail was cut without the repair option")
	}
	if _, err := verifyFile(t, path); err == nil || !strings.Contains(err.Error(), "seq 6") {
		t.Fatalf("verify: %v", err)
	}
	l, err = audit.Open(path, audit.Options{Node: "node0", ChainID: "otc-test", Repair: true})
	if err != nil || l.Repaired() != 22 || l.Head() != head {
		t.Fatalf("repair: %v", err)
	}
	add(t, l, 1)
	l.Close()
	if rep, err := verifyFile(t, path); err != nil || rep.Last != 6 {
		t.Fatalf("after repair: %+v %v", rep, err)
	}

	// Repair of an intact log cuts nothing; a log whose last entry does not
	// verify is not repaired.
	if n, err := audit.Repair(path); err != nil || n != 0 {
		t.Fatalf("repair intact: %d %v", n, err)
	}
	raw, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.Replace(raw, []byte(`"seq":6`), []byte(`"seq":7`), 1), 0o600)
	if _, err := audit.Repair(path); !errors.Is(err, audit.ErrCorrupt) {
		t.Fatalf("repair of a corrupt tail: %v", err)
	}
	if _, err := audit.Repair(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Fatal("repair of a missing file")
	}
}

func TestClip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l := open(t, path, audit.Options{})
	defer l.Close()
	e, err := l.Append(audit.Entry{Kind: audit.KindTxRejected, Reason: strings.Repeat("长", 5000), Subject: "bad \xff utf8"})
	if err != nil || len(e.Reason) > 2048 || !strings.HasSuffix(e.Reason, "…") {
		t.Fatalf("%v %d", err, len(e.Reason))
	}
	l.Close()
	if _, err := verifyFile(t, path); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAppend measures one entry appended with an fsync per entry and
// with background fsyncs.
//
//	go test ./audit -run '^$' -bench Append
func BenchmarkAppend(b *testing.B) {
	for _, iv := range []time.Duration{0, 100 * time.Millisecond} {
		b.Run("sync="+iv.String(), func(b *testing.B) {
			l := open(b, filepath.Join(b.TempDir(), "audit.log"), audit.Options{SyncInterval: iv})
			defer l.Close()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := l.Append(audit.Entry{Kind: audit.KindPersonalDataRead, Identity: "5f3c9a0b1e2d4c6f", Org: "rs-bank", Role: "reseller",
						Remote: "10.0.0.1:53412", Subject: "fund/investors/INV001", Outcome: "served"}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// mustLine encodes e the way the log does.
func mustLine(e audit.Entry) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
