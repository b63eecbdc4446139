package contract_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/internal/scenario"
)

// TestPlaintextNeverOnChain runs every scenario and checks that no
// document's content (every "content=" of a create or upload) appears in
// any committed key or value of the state store, nor in any transaction
// sent: the chain keeps only the envelope and the hash.
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
					if (strings.HasPrefix(l, "create ") || strings.HasPrefix(l, "upload ")) && len(content(l)) >= 8 {
						texts = append(texts, []byte(content(l)))
					}
				}
			}
			if len(texts) == 0 {
				t.Skip("no documents")
			}
			// Control: the file names (kept in clear by design) are found, so
			// the scan sees the documents' records.
			control := []byte("-v1.pdf")
			n, seen := 0, false
			if err := h.db.Committed().Iterate(nil, nil, func(k, v []byte) bool {
				n++
				seen = seen || bytes.Contains(v, control)
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
				t.Fatalf("the scan of %d keys did not see the documents' names", n)
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
				t.Fatalf("the scan of %d txs did not see the documents' names", txs)
			}
		})
	}
}
