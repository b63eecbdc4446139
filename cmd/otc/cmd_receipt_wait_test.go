package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
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
