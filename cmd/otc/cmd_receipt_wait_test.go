package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/otcchain/otcchain/internal/ports"
	"github.com/otcchain/otcchain/node"
)

// fakeReceiptNode answers GET /v1/receipts/{hash} with tx_not_found for
// the first notFound calls (forever when negative), then with a receipt;
// its status says catchingUp.
func fakeReceiptNode(t *testing.T, notFound int32, catchingUp bool) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1/status":
			fmt.Fprintf(w, `{"chain_id":"otc-fake","latest_height":42,"catching_up":%t}`, catchingUp)
		case strings.HasPrefix(r.URL.Path, "/v1/receipts/"):
			if n := calls.Add(1); notFound < 0 || n <= notFound {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `{"error":{"code":"tx_not_found","message":"no committed tx with this hash"}}`)
				return
			}
			fmt.Fprint(w, `{"receipt":"fake"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// TestReceiptWaitsForIndex: right after a commit through another node, the
// node asked may not know the tx yet: otc receipt polls it (bounded by
// --wait) and, when it never shows up, says whether the node is behind (not
// indexed yet) or in sync (no such tx), two distinct messages.
func TestReceiptWaitsForIndex(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	ctx := context.Background()

	srv, calls := fakeReceiptNode(t, 3, false)
	out, err := run(t, ctx, nil, "receipt", hash, "--api", srv.URL)
	if err != nil || !strings.Contains(out, `"receipt":"fake"`) || calls.Load() != 4 {
		t.Fatalf("receipt after 3 not-found answers: %v, %d calls\n%s", err, calls.Load(), out)
	}

	srv, _ = fakeReceiptNode(t, -1, true)
	_, err = run(t, ctx, nil, "receipt", hash, "--api", srv.URL, "--wait", "600ms")
	if err == nil || !strings.Contains(err.Error(), "is not indexed yet on "+srv.URL+": the node is catching up (at height 42") {
		t.Errorf("node catching up: %v", err)
	}

	srv, calls = fakeReceiptNode(t, -1, false)
	_, err = run(t, ctx, nil, "receipt", hash, "--api", srv.URL, "--wait", "600ms")
	if err == nil || !strings.Contains(err.Error(), "no committed tx "+hash+" on "+srv.URL+" (at height 42, in sync") || strings.Contains(err.Error(), "not indexed yet") {
		t.Errorf("no such tx: %v", err)
	}
	if n := calls.Load(); n < 2 {
		t.Errorf("asked %d times in 600ms: no polling", n)
	}
}

// TestReceiptFromAnotherNode commits a tx through one node of a two-node
// dev network and at once asks the other for its receipt: it waits for
// that node to index the tx instead of answering tx_not_found.
func TestReceiptFromAnotherNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a dev network")
	}
	base, err := ports.FreeBase(2)
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "dev")
	dn, err := node.Dev(context.Background(), node.DevConfig{Home: home, Validators: 2, BasePort: base,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), EngineLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer dn.Stop()
	doc := filepath.Join(t.TempDir(), "doc.txt")
	if err := os.WriteFile(doc, []byte("receipt from another node"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{PassphraseEnv: node.DevPassphrase}
	// fm-beta's node is node1; the receipt is asked of node0.
	out, err := run(t, context.Background(), env, "anchor", doc, "--home", home, "--as", "fm-beta/operator", "--api", dn.Nodes[1].APIURL())
	if err != nil {
		t.Fatalf("anchor: %v\n%s", err, out)
	}
	hash := strings.Fields(out)[1]
	out, err = run(t, context.Background(), nil, "receipt", hash, "--api", dn.Nodes[0].APIURL())
	if err != nil || !strings.Contains(out, `"version":"otcchain-receipt/1"`) {
		t.Fatalf("receipt from node0 of a tx committed through node1: %v\n%s", err, out)
	}
}
