package pki_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
)

// opensslBlocks reads the command blocks of docs/security.md's openssl
// section: the lines of the sh block after each <!-- openssl:ALG --> marker.
func opensslBlocks(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	alg, in := "", false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "<!-- openssl:"):
			alg = strings.TrimSuffix(strings.TrimPrefix(line, "<!-- openssl:"), " -->")
		case alg != "" && line == "```sh":
			in = true
		case in && line == "```":
			in, alg = false, ""
		case in && line != "":
			out[alg] = append(out[alg], line)
		}
	}
	return out
}

// opensslFiles writes, into a new directory, the inputs of the documented
// commands as the project makes them for one algorithm: an organisation CA
// (ca.pem), an operator certificate it issued (operator.crt) and the
// operator's hex signature over the documented NAV statement (nav.sig.hex,
// as otc fund navs shows it).
func opensslFiles(t *testing.T, alg crypto.Algorithm) (string, []byte) {
	t.Helper()
	now := time.Now()
	caKey, err := crypto.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pki.NewCA("fm-alpha", "fm-alpha CA", caKey, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.Issue(ca, caKey, pki.IssueRequest{Org: "fm-alpha", Role: module.RoleFundManager, Name: "fm-alpha Operator",
		PublicKey: key.Public(), NotBefore: now.Add(-time.Minute), NotAfter: now.AddDate(0, 6, 0)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := fund.ParseDate("2026-12-07")
	if err != nil {
		t.Fatal(err)
	}
	var nav fund.NAV
	if err := nav.UnmarshalText([]byte("1.0123")); err != nil {
		t.Fatal(err)
	}
	msg := fund.NAVStatement("otc-dev", "000001", d, nav)
	sig, err := key.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, b := range map[string][]byte{"ca.pem": ca.PEM(), "operator.crt": cert.PEM(), "nav.sig.hex": []byte(hex.EncodeToString(sig) + "\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, msg
}

// TestOpenSSL runs docs/security.md's openssl commands as written against
// certificates and signatures made by the project, and checks that openssl
// refuses what it must: an SM2 certificate without the user id, a
// signature with another user id, a changed statement.
func TestOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	if _, err := exec.LookPath("xxd"); err != nil {
		t.Skip("xxd not installed")
	}
	blocks := opensslBlocks(t)
	sh := func(dir, line string) ([]byte, error) {
		c := exec.Command("sh", "-c", line)
		c.Dir = dir
		return c.CombinedOutput()
	}
	for _, alg := range []crypto.Algorithm{crypto.Ed25519, crypto.P256, crypto.SM2} {
		t.Run(string(alg), func(t *testing.T) {
			lines := blocks[string(alg)]
			if len(lines) < 4 {
				t.Fatalf("docs/security.md has %d openssl commands for %s", len(lines), alg)
			}
			dir, msg := opensslFiles(t, alg)
			for _, line := range lines {
				if out, err := sh(dir, line); err != nil {
					t.Fatalf("%s: %v\n%s", line, err, out)
				}
			}
			if got, err := os.ReadFile(filepath.Join(dir, "nav.txt")); err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("the documented printf makes %q, the project signs %q", got, msg)
			}
			// A changed statement fails every documented signature check.
			if err := os.WriteFile(filepath.Join(dir, "nav.txt"), append(msg[:len(msg)-1:len(msg)-1], '4'), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, line := range lines {
				if strings.Contains(line, "-verify") && strings.Contains(line, "nav.txt") {
					if out, err := sh(dir, line); err == nil {
						t.Errorf("%s accepts a changed NAV:\n%s", line, out)
					}
				}
			}
			if alg != crypto.SM2 {
				return
			}
			if out, err := sh(dir, "openssl verify -CAfile ca.pem operator.crt"); err == nil {
				t.Errorf("openssl verifies an SM2 certificate without the user id:\n%s", out)
			}
			if err := os.WriteFile(filepath.Join(dir, "nav.txt"), msg, 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := sh(dir, "openssl pkeyutl -verify -pubin -inkey operator.pub -rawin -digest sm3 -pkeyopt distid:8765432187654321 -in nav.txt -sigfile nav.sig"); err == nil {
				t.Errorf("openssl verifies an SM2 signature with another user id:\n%s", out)
			}
		})
	}
}
