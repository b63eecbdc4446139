package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/blob"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// blobApp answers the exchange module's blob/{hash} and records/{id}
// queries the way the module does: blobs of record R1 are readable by fund1
// (the sender) and bank1 (the recipient) only.
type blobApp struct {
	*apitest.App
	refs map[string]string // blob hash -> record
}

var (
	errNotPermitted = &module.Error{Codespace: "exchange", Code: 2, Name: "not_permitted", Message: "only the sender, the recipients and the regulator"}
	errUnknown      = &module.Error{Codespace: "exchange", Code: 4, Name: "unknown_record", Message: "no record references this blob"}
)

func (a *blobApp) Read(path string, params map[string]string, caller *module.Identity) (any, error) {
	if h, ok := strings.CutPrefix(path, "exchange/blob/"); ok {
		rec, ok := a.refs[h]
		if !ok {
			return nil, errUnknown
		}
		if caller.Org != "fund1" && caller.Org != "bank1" {
			return nil, errNotPermitted
		}
		return map[string]any{"record": rec, "blob": map[string]any{"hash": h, "size": 1, "node": "http://sender.example:26602"}}, nil
	}
	if path == "exchange/records/R1" {
		if caller == nil || caller.Org != "fund1" && caller.Org != "bank1" {
			return nil, errNotPermitted
		}
		return map[string]any{"id": "R1"}, nil
	}
	return a.App.Read(path, params, caller)
}

// auditEntries returns the log's entries (the genesis left out), checking
// the chain.
func auditEntries(t *testing.T, l *audit.Log) []audit.Entry {
	t.Helper()
	var buf bytes.Buffer
	if _, err := l.Export(&buf, 1, 0); err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	if buf.Len() == 0 {
		return nil
	}
	if _, err := audit.VerifyEach(&buf, func(e audit.Entry) { out = append(out, e) }); err != nil {
		t.Fatal(err)
	}
	return out
}

func openAudit(t *testing.T) *audit.Log {
	t.Helper()
	l, err := audit.Open(filepath.Join(t.TempDir(), "audit.log"), audit.Options{Node: "node0", ChainID: apitest.ChainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func hashOf(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestBlobs(t *testing.T) {
	store, err := blob.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	alog := openAudit(t)
	data := bytes.Repeat([]byte("encrypted stream "), 4000) // 68000 bytes
	stored, missing := hashOf(data), hashOf([]byte("kept elsewhere"))
	app := &blobApp{refs: map[string]string{stored: "R1", missing: "R2"}}
	env := apitest.NewEnv(t, func(c *api.Config) {
		if app.App == nil {
			app.App = c.App.(*apitest.App)
		}
		c.App, c.Blobs, c.MaxBlobBytes, c.Audit = app, store, 100000, alog
	})
	ctx := context.Background()
	login := func(org string, role module.Role) *client.Client {
		id, key := env.App.AddIdentity(t, org, role, crypto.Ed25519)
		c := client.New(env.URL)
		if _, err := c.Login(ctx, id, key.Sign); err != nil {
			t.Fatal(err)
		}
		return c
	}
	sender, recipient, stranger := login("fund1", module.RoleFundManager), login("bank1", module.RoleReseller), login("other", module.RoleReseller)
	investor := login("bank1", module.RoleInvestor)

	// Uploads: authenticated members only, hash and size checked.
	if _, err := env.Client.PutBlob(ctx, stored, bytes.NewReader(data), int64(len(data))); !client.IsCode(err, client.CodeInvalidToken) {
		t.Fatalf("anonymous put: %v", err)
	}
	if _, err := investor.PutBlob(ctx, stored, bytes.NewReader(data), int64(len(data))); !client.IsCode(err, "not_permitted") {
		t.Fatalf("investor put: %v", err)
	}
	if _, err := sender.PutBlob(ctx, stored, bytes.NewReader(append(bytes.Clone(data), 'x')), int64(len(data)+1)); !client.IsCode(err, client.CodeHashMismatch) {
		t.Fatalf("mismatch: %v", err)
	}
	if ok, _ := store.Has(stored); ok {
		t.Fatal("a mismatching upload was stored")
	}
	big := make([]byte, 100001)
	if _, err := sender.PutBlob(ctx, hashOf(big), bytes.NewReader(big), int64(len(big))); !client.IsCode(err, client.CodeBlobTooLarge) {
		t.Fatalf("too large (content-length): %v", err)
	}
	// Without a Content-Length (chunked), the limit holds while streaming.
	if _, err := sender.PutBlob(ctx, hashOf(big), io.MultiReader(bytes.NewReader(big)), -1); !client.IsCode(err, client.CodeBlobTooLarge) {
		t.Fatalf("too large (chunked): %v", err)
	}
	if _, err := sender.PutBlob(ctx, "ABC", bytes.NewReader(data), int64(len(data))); !client.IsCode(err, client.CodeInvalidHash) {
		t.Fatalf("bad hash: %v", err)
	}
	info, err := sender.PutBlob(ctx, stored, bytes.NewReader(data), int64(len(data)))
	if err != nil || info.Size != int64(len(data)) || info.Hash != stored {
		t.Fatalf("put: %+v %v", info, err)
	}

	// Downloads: readers of a record referencing the blob.
	for _, c := range []*client.Client{sender, recipient} {
		rc, size, rec, err := c.GetBlob(ctx, stored)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if size != int64(len(data)) || rec != "R1" || !bytes.Equal(got, data) {
			t.Fatalf("get: size %d record %q, %d bytes", size, rec, len(got))
		}
	}
	if _, _, _, err := stranger.GetBlob(ctx, stored); !client.IsCode(err, "not_permitted") {
		t.Fatalf("stranger: %v", err)
	}
	if _, _, _, err := investor.GetBlob(ctx, stored); !client.IsCode(err, "not_permitted") {
		t.Fatalf("investor: %v", err)
	}
	if _, _, _, err := env.Client.GetBlob(ctx, stored); !client.IsCode(err, client.CodeInvalidToken) {
		t.Fatalf("anonymous get: %v", err)
	}
	if _, _, _, err := recipient.GetBlob(ctx, missing); !client.IsCode(err, client.CodeBlobNotStored) || !strings.Contains(err.Error(), "http://sender.example:26602") {
		t.Fatalf("not stored here: %v", err)
	}
	if _, _, _, err := recipient.GetBlob(ctx, hashOf([]byte("nobody"))); !client.IsCode(err, "unknown_record") {
		t.Fatalf("unknown: %v", err)
	}
	// A refused exchange read is audited too.
	if _, err := stranger.Query(ctx, "exchange/records/R1", nil); !client.IsCode(err, "not_permitted") {
		t.Fatalf("stranger read: %v", err)
	}

	counts := map[string]int{}
	for _, e := range auditEntries(t, alog) {
		counts[e.Kind+"/"+e.Outcome]++
		if e.Outcome == "refused" && (e.Identity == "" || e.Org == "" || e.Time == "" || e.Remote == "") {
			t.Errorf("refusal without who and when: %+v", e)
		}
		if e.Kind == audit.KindDocumentRead && e.Record != "R1" {
			t.Errorf("read refusal: %+v", e)
		}
	}
	want := map[string]int{"blob_store/invalid": 1, "blob_store/stored": 1, "blob_fetch/served": 2, "blob_refused/refused": 2, "blob_fetch/missing": 1, "blob_fetch/unknown": 1, "document_read/refused": 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("audit %s: %d entries, want %d (all: %v)", k, counts[k], n, counts)
		}
	}
	metrics, err := env.Client.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{`otcchain_api_access_total{action="blob_refused",outcome="refused"} 2`, `otcchain_api_blob_bytes_total{direction="in"} 68000`} {
		if !strings.Contains(metrics, line) {
			t.Errorf("metrics lack %s", line)
		}
	}
}

func TestNoBlobStore(t *testing.T) {
	env := apitest.NewEnv(t)
	id, key := env.App.AddIdentity(t, "fund1", module.RoleFundManager, crypto.Ed25519)
	c := client.New(env.URL)
	if _, err := c.Login(context.Background(), id, key.Sign); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBlob(context.Background(), hashOf(nil), bytes.NewReader(nil), 0); !client.IsCode(err, client.CodeNoBlobStore) {
		t.Fatalf("put: %v", err)
	}
}

// BenchmarkBlobPutGet measures a 64 MiB blob uploaded (PUT: streamed to
// disk, hashed, fsynced, renamed) and downloaded (GET: the access check and
// the file streamed) through the API over loopback.
//
//	go test ./api -run '^$' -bench BlobPutGet -benchtime 5x
func BenchmarkBlobPutGet(b *testing.B) {
	store, err := blob.OpenDir(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	app := &blobApp{refs: map[string]string{}}
	env := apitest.NewEnv(b, func(c *api.Config) {
		if app.App == nil {
			app.App = c.App.(*apitest.App)
		}
		c.App, c.Blobs = app, store
	})
	id, key := env.App.AddIdentity(b, "fund1", module.RoleFundManager, crypto.Ed25519)
	c := client.New(env.URL)
	if _, err := c.Login(context.Background(), id, key.Sign); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 64<<20)
	b.Run("put", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; b.Loop(); i++ {
			data[0], data[1] = byte(i), byte(i>>8) // a new blob each time
			h := hashOf(data)
			if _, err := c.PutBlob(context.Background(), h, bytes.NewReader(data), int64(len(data))); err != nil {
				b.Fatal(err)
			}
			app.refs[h] = "R1"
		}
	})
	var h string
	for k := range app.refs {
		h = k
	}
	b.Run("get", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			rc, _, _, err := c.GetBlob(context.Background(), h)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, rc); err != nil {
				b.Fatal(err)
			}
			rc.Close()
		}
	})
}
