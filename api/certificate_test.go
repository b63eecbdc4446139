package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

// TestCertificateRoutes: GET /v1/receipts/{hash}/certificate.pdf serves
// the certificate of the receipt GET /v1/receipts/{hash} serves (its
// SHA-256 in a header and, with pdftotext at hand, the signer's
// organisation as the node knows it); the outcome route answers as the
// outcome receipt route does.
func TestCertificateRoutes(t *testing.T) {
	env := apitest.NewEnv(t)
	ctx := context.Background()
	id, key := env.App.AddIdentity(t, "bank1", module.RoleReseller, crypto.Ed25519)
	signer, err := tx.ParseSignerID(id)
	if err != nil {
		t.Fatal(err)
	}
	body, err := tx.NewBody([]tx.Any{tx.MustAny("evidence/anchor", map[string]any{"hash": strings.Repeat("e", 64), "hash_alg": "sha256", "name": "a.txt"})}, 1000).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	e, err := tx.Sign(apitest.ChainID, body, signer, tx.AlgEd25519, key.Sign)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.Client.BroadcastTx(ctx, e.Encode(), true)
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	apitest.Eventually(t, 20*time.Second, func() bool {
		_, raw, err = env.Client.Receipt(ctx, res.Hash)
		return err == nil
	}, "receipt")

	status, hdr, pdf := do(t, "GET", env.URL+"/v1/receipts/"+res.Hash+"/certificate.pdf", nil, nil)
	if status != http.StatusOK {
		t.Fatalf("certificate: %d %s", status, pdf)
	}
	sum := sha256.Sum256(raw)
	if hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(hdr.Get("Content-Disposition"), `attachment; filename="certificate-tx-`) ||
		hdr.Get("X-Receipt-SHA256") != hex.EncodeToString(sum[:]) || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("certificate headers %v (receipt SHA-256 %x), body %.10q", hdr, sum, pdf)
	}
	if p, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "c.pdf")
		if err := os.WriteFile(f, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		text, err := exec.Command(p, f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Transaction record certificate", id[:40], "bank1", "evidence/anchor", env.URL + "/v1/receipts/" + strings.ToUpper(res.Hash)} {
			if !strings.Contains(strings.ReplaceAll(string(text), "\n", ""), want) {
				t.Errorf("certificate text lacks %q:\n%s", want, text)
			}
		}
	}

	for _, c := range []struct {
		path   string
		status int
		code   string
	}{
		{"/v1/receipts/" + strings.Repeat("ab", 32) + "/certificate.pdf", 404, client.CodeTxNotFound},
		{"/v1/receipts/xyz/certificate.pdf", 400, client.CodeInvalidHash},
		{"/v1/outcome-certificates/fund/confirmation/bank1:P1", 404, client.CodeNotFound}, // the test app has no outcomes
	} {
		status, _, b := do(t, "GET", env.URL+c.path, nil, nil)
		if status != c.status || !strings.Contains(string(b), `"`+c.code+`"`) {
			t.Errorf("GET %s: %d %s, want %d %s", c.path, status, b, c.status, c.code)
		}
	}
}
