package exchange_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/internal/scenario"
)

// TestPlaintextNeverOnChain runs every scenario and checks that no file's
// content (every "content=" of a send) appears in any committed key or
// value of the state store, nor in any transaction sent: the chain keeps
// the hash, the wrapped key and the encrypted content only.
func TestPlaintextNeverOnChain(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txt")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			h := newChain(t)
			runScenarioOn(t, f, h, false)
			var texts [][]byte
			for _, c := range scenario.Parse(t, f) {
				for _, l := range c.Input {
					if strings.HasPrefix(l, "send ") && len(content(l)) >= 8 {
						texts = append(texts, []byte(content(l)))
					}
				}
			}
			if len(texts) == 0 {
				t.Fatal("no files sent")
			}
			// Control: the exchange records are in the scan (their category
			// is kept in clear by design).
			control := []byte(`"category":"`)
			n, seen := 0, false
			if err := h.db.Committed().Iterate(nil, nil, func(k, v []byte) bool {
				n++
				seen = seen || bytes.HasPrefix(k, []byte("exchange/r/")) && bytes.Contains(v, control)
				for _, p := range texts {
					if bytes.Contains(k, p) || bytes.Contains(v, p) {
						t.Errorf("plaintext %q in state under key %q", p, k)
					}
				}
				return true
			}); err != nil {
				t.Fatal(err)
			}
			if n == 0 || !seen {
				t.Fatalf("the scan of %d keys did not see the exchange records", n)
			}
			txs, seen := 0, false
			for i, b := range h.blocks {
				for _, raw := range b.txs {
					txs++
					seen = seen || bytes.Contains(raw, control)
					for _, p := range texts {
						if bytes.Contains(raw, p) {
							t.Errorf("plaintext %q in a tx of block %d", p, i+1)
						}
					}
				}
			}
			if txs == 0 || !seen {
				t.Fatalf("the scan of %d txs did not see the sends", txs)
			}
		})
	}
}
