package pki_test

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
)

var (
	t0     = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	caFrom = t0
	caTo   = t0.AddDate(10, 0, 0)
	inside = t0.AddDate(1, 0, 0)
)

func genKey(t testing.TB, alg crypto.Algorithm) crypto.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type fixture struct {
	ca    *pki.Certificate
	caKey crypto.PrivateKey
}

func newCA(t testing.TB, alg crypto.Algorithm, org, name string) fixture {
	t.Helper()
	k := genKey(t, alg)
	ca, err := pki.NewCA(org, name, k, caFrom, caTo)
	if err != nil {
		t.Fatalf("NewCA(%s, %s): %v", alg, org, err)
	}
	return fixture{ca: ca, caKey: k}
}

func (f fixture) issue(t testing.TB, alg crypto.Algorithm, role module.Role, name string, nb, na time.Time) (*pki.Certificate, crypto.PrivateKey) {
	t.Helper()
	k := genKey(t, alg)
	c, err := pki.Issue(f.ca, f.caKey, pki.IssueRequest{
		Org: f.ca.Org, Role: role, Name: name, PublicKey: k.Public(), NotBefore: nb, NotAfter: na,
	})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return c, k
}

func TestCAAndLeafRoundTrip(t *testing.T) {
	for _, alg := range crypto.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			f := newCA(t, alg, "bank-a", "Bank A Root CA")
			ca := f.ca
			if !ca.IsCA || ca.Org != "bank-a" || ca.Role != "" || ca.Name != "Bank A Root CA" {
				t.Fatalf("ca fields: %+v", ca)
			}
			if !ca.PublicKey.Equal(f.caKey.Public()) {
				t.Fatal("ca public key")
			}
			if !ca.NotBefore.Equal(caFrom) || !ca.NotAfter.Equal(caTo) {
				t.Fatalf("ca validity %s..%s", ca.NotBefore, ca.NotAfter)
			}
			checkID(t, ca)

			nb, na := t0.AddDate(0, 1, 0), t0.AddDate(2, 0, 0)
			leaf, leafKey := f.issue(t, alg, module.RoleReseller, "张三 (teller 07)", nb, na)
			if leaf.IsCA || leaf.Org != "bank-a" || leaf.Role != "reseller" || leaf.Name != "张三 (teller 07)" {
				t.Fatalf("leaf fields: %+v", leaf)
			}
			if !leaf.PublicKey.Equal(leafKey.Public()) || leaf.PublicKey.Algorithm() != alg {
				t.Fatal("leaf public key")
			}
			if !leaf.NotBefore.Equal(nb) || !leaf.NotAfter.Equal(na) {
				t.Fatalf("leaf validity %s..%s", leaf.NotBefore, leaf.NotAfter)
			}
			checkID(t, leaf)
			if err := leaf.VerifyIssuedBy(ca, inside); err != nil {
				t.Fatalf("VerifyIssuedBy: %v", err)
			}

			// PEM and DER both parse to the same certificate.
			for _, in := range [][]byte{leaf.DER, leaf.PEM(), append(append([]byte("\n  "), leaf.PEM()...), "\n\n"...)} {
				c, err := pki.Parse(in)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				sameCert(t, c, leaf)
				if err := c.VerifyIssuedBy(ca, inside); err != nil {
					t.Fatalf("VerifyIssuedBy after Parse: %v", err)
				}
			}
			if !strings.HasPrefix(string(leaf.PEM()), "-----BEGIN CERTIFICATE-----\n") {
				t.Fatalf("PEM: %s", leaf.PEM())
			}

			checkX509Profile(t, alg, ca.DER, true)
			checkX509Profile(t, alg, leaf.DER, false)
		})
	}
}

func checkID(t *testing.T, c *pki.Certificate) {
	t.Helper()
	sum := sha256.Sum256(c.DER)
	if c.ID != hex.EncodeToString(sum[:]) {
		t.Fatalf("ID %s is not the SHA-256 of the DER", c.ID)
	}
}

func sameCert(t *testing.T, a, b *pki.Certificate) {
	t.Helper()
	if !bytes.Equal(a.DER, b.DER) || a.ID != b.ID || a.Org != b.Org || a.Role != b.Role || a.Name != b.Name ||
		a.IsCA != b.IsCA || !a.PublicKey.Equal(b.PublicKey) || !a.NotBefore.Equal(b.NotBefore) ||
		!a.NotAfter.Equal(b.NotAfter) || a.Serial != b.Serial {
		t.Fatalf("certificates differ:\n%+v\n%+v", a, b)
	}
}

// checkX509Profile reads the certificate with the X.509 library of its
// algorithm and checks the profile's extensions.
func checkX509Profile(t *testing.T, alg crypto.Algorithm, der []byte, isCA bool) {
	t.Helper()
	var (
		gotCA, bcValid bool
		maxPath        int
		maxPathZero    bool
		ku             int
		sigAlg         string
		serial         *big.Int
		ou             []string
	)
	if alg == crypto.SM2 {
		c, err := smx509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		gotCA, bcValid, maxPath, maxPathZero, ku = c.IsCA, c.BasicConstraintsValid, c.MaxPathLen, c.MaxPathLenZero, int(c.KeyUsage)
		sigAlg, serial, ou = c.SignatureAlgorithm.String(), c.SerialNumber, c.Subject.OrganizationalUnit
		if c.SignatureAlgorithm != smx509.SM2WithSM3 {
			t.Fatalf("signature algorithm %s, want SM2-SM3", sigAlg)
		}
	} else {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		gotCA, bcValid, maxPath, maxPathZero, ku = c.IsCA, c.BasicConstraintsValid, c.MaxPathLen, c.MaxPathLenZero, int(c.KeyUsage)
		sigAlg, serial, ou = c.SignatureAlgorithm.String(), c.SerialNumber, c.Subject.OrganizationalUnit
		want := map[crypto.Algorithm]x509.SignatureAlgorithm{crypto.Ed25519: x509.PureEd25519, crypto.P256: x509.ECDSAWithSHA256}[alg]
		if c.SignatureAlgorithm != want {
			t.Fatalf("signature algorithm %s, want %s", sigAlg, want)
		}
	}
	if !bcValid || gotCA != isCA {
		t.Fatalf("basic constraints valid=%v ca=%v, want ca=%v", bcValid, gotCA, isCA)
	}
	if serial.Sign() <= 0 || serial.BitLen() > 128 || serial.BitLen() < 64 {
		t.Fatalf("serial %x is not a random 128-bit number", serial)
	}
	if isCA {
		if maxPath != 0 || !maxPathZero {
			t.Fatalf("max path len %d (zero=%v), want 0", maxPath, maxPathZero)
		}
		if ku != int(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) {
			t.Fatalf("ca key usage %b", ku)
		}
		if len(ou) != 1 || ou[0] != "ca" {
			t.Fatalf("ca OU %v", ou)
		}
	} else if ku != int(x509.KeyUsageDigitalSignature) {
		t.Fatalf("leaf key usage %b", ku)
	}
}

func TestSerialsDiffer(t *testing.T) {
	f := newCA(t, crypto.Ed25519, "org1", "CA")
	seen := map[string]bool{f.ca.Serial: true}
	k := genKey(t, crypto.Ed25519)
	for range 20 {
		c, err := pki.Issue(f.ca, f.caKey, pki.IssueRequest{Org: "org1", Role: module.RoleAdmin, Name: "same", PublicKey: k.Public(), NotBefore: caFrom, NotAfter: caTo})
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.Serial] {
			t.Fatalf("serial %s repeated", c.Serial)
		}
		seen[c.Serial] = true
	}
}

func TestMixedAlgorithms(t *testing.T) {
	for _, caAlg := range crypto.Algorithms() {
		for _, leafAlg := range crypto.Algorithms() {
			f := newCA(t, caAlg, "fm-1", "Fund Manager CA")
			leaf, _ := f.issue(t, leafAlg, module.RoleFundManager, "ops", caFrom, caTo)
			if leaf.PublicKey.Algorithm() != leafAlg {
				t.Fatalf("%s CA, %s leaf: key algorithm %s", caAlg, leafAlg, leaf.PublicKey.Algorithm())
			}
			if err := leaf.VerifyIssuedBy(f.ca, inside); err != nil {
				t.Errorf("%s CA, %s leaf: %v", caAlg, leafAlg, err)
			}
			// Another CA of the same algorithm, organisation and name:
			// only the signature differs.
			g := newCA(t, caAlg, "fm-1", "Fund Manager CA")
			if err := leaf.VerifyIssuedBy(g.ca, inside); !errors.Is(err, pki.ErrBadSignature) {
				t.Errorf("%s CA, %s leaf, other CA: %v, want ErrBadSignature", caAlg, leafAlg, err)
			}
		}
	}
}

func TestVerifyIssuedByRefuses(t *testing.T) {
	for _, alg := range crypto.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			f := newCA(t, alg, "bank-a", "Bank A CA")
			nb, na := t0.AddDate(0, 1, 0), t0.AddDate(1, 1, 0)
			leaf, _ := f.issue(t, alg, module.RoleInvestor, "Investor 1", nb, na)

			otherOrg := newCA(t, alg, "bank-b", "Bank A CA")
			sameOrgOtherKey := newCA(t, alg, "bank-a", "Bank A CA")
			sameOrgOtherName := newCA(t, alg, "bank-a", "Bank A CA 2")
			leaf2, _ := f.issue(t, alg, module.RoleAdmin, "Admin", caFrom, caTo)

			tampered := func(c *pki.Certificate, at int) *pki.Certificate {
				der := bytes.Clone(c.DER)
				der[at] ^= 0x01
				return &pki.Certificate{DER: der}
			}
			last := len(leaf.DER) - 1

			tests := []struct {
				name string
				leaf *pki.Certificate
				ca   *pki.Certificate
				at   time.Time
				want error
			}{
				{"cross org", leaf, otherOrg.ca, inside, pki.ErrOrgMismatch},
				{"signed by another ca of the org", leaf, sameOrgOtherKey.ca, inside, pki.ErrBadSignature},
				{"issuer name differs", leaf, sameOrgOtherName.ca, inside, pki.ErrIssuerMismatch},
				{"issuer is a leaf", leaf, leaf2, inside, pki.ErrNotCA},
				{"leaf is a ca", f.ca, f.ca, inside, pki.ErrLeafIsCA},
				{"expired", leaf, f.ca, na.Add(time.Second), pki.ErrExpired},
				{"long expired", leaf, f.ca, caTo.AddDate(1, 0, 0), pki.ErrExpired},
				{"not yet valid", leaf, f.ca, nb.Add(-time.Second), pki.ErrNotYetValid},
				{"before the ca", leaf2, f.ca, caFrom.Add(-time.Hour), pki.ErrNotYetValid},
				{"tampered signature", tampered(leaf, last), f.ca, inside, pki.ErrBadSignature},
				{"nil ca", leaf, nil, inside, pki.ErrMalformed},
				{"empty DER", &pki.Certificate{}, f.ca, inside, pki.ErrMalformed},
				{"garbage ca", leaf, &pki.Certificate{DER: []byte("garbage")}, inside, pki.ErrMalformed},
			}
			for _, tt := range tests {
				err := tt.leaf.VerifyIssuedBy(tt.ca, tt.at)
				if !errors.Is(err, tt.want) {
					t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
					continue
				}
				if !strings.HasPrefix(err.Error(), "pki: ") && !strings.HasPrefix(err.Error(), "ca certificate: pki: ") {
					t.Errorf("%s: error %q not prefixed", tt.name, err)
				}
			}

			// Bounds are inclusive.
			for _, at := range []time.Time{nb, na, nb.Add(time.Nanosecond), na.Add(-time.Nanosecond)} {
				if err := leaf.VerifyIssuedBy(f.ca, at); err != nil {
					t.Errorf("at %s: %v", at, err)
				}
			}
			// A nanosecond past the end is past the end.
			if err := leaf.VerifyIssuedBy(f.ca, na.Add(time.Nanosecond)); !errors.Is(err, pki.ErrExpired) {
				t.Errorf("just after NotAfter: %v", err)
			}
		})
	}
}

// Every single-byte change of the DER is refused: by Parse, or by
// VerifyIssuedBy. Nothing panics.
func TestTamperedDER(t *testing.T) {
	for _, alg := range crypto.Algorithms() {
		f := newCA(t, alg, "org", "CA")
		leaf, _ := f.issue(t, alg, module.RoleCustodian, "custody desk", caFrom, caTo)
		for i := range leaf.DER {
			der := bytes.Clone(leaf.DER)
			der[i] ^= 0x04
			c, err := pki.Parse(der)
			if err != nil {
				if !errors.Is(err, pki.ErrMalformed) {
					t.Fatalf("%s byte %d: parse error %v does not wrap ErrMalformed", alg, i, err)
				}
				continue
			}
			if err := c.VerifyIssuedBy(f.ca, inside); err == nil {
				t.Fatalf("%s: certificate with byte %d changed verifies", alg, i)
			}
		}
	}
}

// Exported fields are a view: changing them does not change what is
// verified, which is read from the DER.
func TestVerifyUsesDER(t *testing.T) {
	f := newCA(t, crypto.SM2, "org", "CA")
	other := newCA(t, crypto.SM2, "other", "CA")
	leaf, _ := f.issue(t, crypto.SM2, module.RoleAdmin, "admin", caFrom, caTo)
	c := *leaf
	c.Org = "other"
	c.NotAfter = caTo.AddDate(5, 0, 0)
	if err := c.VerifyIssuedBy(other.ca, inside); !errors.Is(err, pki.ErrOrgMismatch) {
		t.Fatalf("edited Org: %v", err)
	}
	if err := c.VerifyIssuedBy(f.ca, caTo.AddDate(1, 0, 0)); !errors.Is(err, pki.ErrExpired) {
		t.Fatalf("edited NotAfter: %v", err)
	}
	// A hand-built certificate with only DER works.
	bare := &pki.Certificate{DER: leaf.DER}
	if err := bare.VerifyIssuedBy(&pki.Certificate{DER: f.ca.DER}, inside); err != nil {
		t.Fatalf("DER-only certificates: %v", err)
	}
}

func TestIssueRefuses(t *testing.T) {
	f := newCA(t, crypto.P256, "org", "CA")
	leaf, leafKey := f.issue(t, crypto.P256, module.RoleAdmin, "admin", caFrom, caTo)
	k := genKey(t, crypto.Ed25519)
	good := pki.IssueRequest{Org: "org", Role: module.RoleInvestor, Name: "someone", PublicKey: k.Public(), NotBefore: caFrom, NotAfter: caTo}
	with := func(edit func(*pki.IssueRequest)) pki.IssueRequest {
		r := good
		edit(&r)
		return r
	}
	tests := []struct {
		name  string
		ca    *pki.Certificate
		caKey crypto.PrivateKey
		req   pki.IssueRequest
		want  error // nil: any error
	}{
		{"unknown role", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Role = "superuser" }), nil},
		{"empty role", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Role = "" }), nil},
		{"role ca", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Role = "ca" }), nil},
		{"wrong ca key", f.ca, genKey(t, crypto.P256), good, pki.ErrKeyMismatch},
		{"ca key of another algorithm", f.ca, k, good, pki.ErrKeyMismatch},
		{"issuer is a leaf", leaf, leafKey, good, pki.ErrNotCA},
		{"other organisation", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Org = "org2" }), pki.ErrOrgMismatch},
		{"starts before the ca", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.NotBefore = caFrom.Add(-time.Second) }), pki.ErrValidity},
		{"ends after the ca", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.NotAfter = caTo.Add(time.Second) }), pki.ErrValidity},
		{"empty window", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.NotAfter = r.NotBefore }), pki.ErrValidity},
		{"reversed window", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.NotBefore, r.NotAfter = caTo, caFrom }), pki.ErrValidity},
		{"sub-second window", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.NotAfter = r.NotBefore.Add(time.Millisecond) }), pki.ErrValidity},
		{"zero times", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.NotBefore, r.NotAfter = time.Time{}, time.Time{} }), pki.ErrValidity},
		{"empty name", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Name = "" }), nil},
		{"long name", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Name = strings.Repeat("名", 65) }), nil},
		{"control character", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Name = "a\nb" }), nil},
		{"padded name", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Name = " a" }), nil},
		{"invalid utf-8", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Name = "\xff" }), nil},
		{"no public key", f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.PublicKey = nil }), nil},
		{"no ca", nil, f.caKey, good, nil},
		{"no ca key", f.ca, nil, good, nil},
	}
	for _, tt := range tests {
		c, err := pki.Issue(tt.ca, tt.caKey, tt.req)
		if err == nil {
			t.Errorf("%s: issued %+v", tt.name, c)
			continue
		}
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
		if !strings.HasPrefix(err.Error(), "pki: ") {
			t.Errorf("%s: error %q not prefixed", tt.name, err)
		}
	}
	// The boundary case is fine: exactly the CA's window, name of 64 characters.
	if _, err := pki.Issue(f.ca, f.caKey, with(func(r *pki.IssueRequest) { r.Name = strings.Repeat("名", 64) })); err != nil {
		t.Fatalf("64-character name in the CA's window: %v", err)
	}
}

func TestIssueTruncatesToSeconds(t *testing.T) {
	f := newCA(t, crypto.Ed25519, "org", "CA")
	k := genKey(t, crypto.Ed25519)
	loc := time.FixedZone("CST", 8*3600)
	c, err := pki.Issue(f.ca, f.caKey, pki.IssueRequest{Org: "org", Role: module.RoleRegulator, Name: "r",
		PublicKey: k.Public(), NotBefore: caFrom.In(loc).Add(1500 * time.Millisecond), NotAfter: caTo.In(loc).Add(-500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if !c.NotBefore.Equal(caFrom.Add(time.Second)) || !c.NotAfter.Equal(caTo.Add(-time.Second)) || c.NotBefore.Location() != time.UTC {
		t.Fatalf("validity %s..%s", c.NotBefore, c.NotAfter)
	}
}

func TestNewCARefuses(t *testing.T) {
	k := genKey(t, crypto.SM2)
	tests := []struct {
		name      string
		org, cn   string
		key       crypto.PrivateKey
		nb, na    time.Time
		wantValid bool
	}{
		{"empty org", "", "CA", k, caFrom, caTo, false},
		{"empty name", "org", "", k, caFrom, caTo, false},
		{"long org", strings.Repeat("o", 65), "CA", k, caFrom, caTo, false},
		{"no key", "org", "CA", nil, caFrom, caTo, false},
		{"empty window", "org", "CA", k, caFrom, caFrom, true},
		{"reversed window", "org", "CA", k, caTo, caFrom, true},
	}
	for _, tt := range tests {
		_, err := pki.NewCA(tt.org, tt.cn, tt.key, tt.nb, tt.na)
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if tt.wantValid && !errors.Is(err, pki.ErrValidity) {
			t.Errorf("%s: %v, want ErrValidity", tt.name, err)
		}
	}
}

// foreign makes certificates outside the otcchain profile with crypto/x509.
func foreign(t *testing.T, edit func(*x509.Certificate), key stdcrypto.Signer) []byte {
	t.Helper()
	k := genKey(t, crypto.P256)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(42),
		Subject:               pkix.Name{Organization: []string{"org"}, OrganizationalUnit: []string{"admin"}, CommonName: "x"},
		NotBefore:             caFrom,
		NotAfter:              caTo,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if edit != nil {
		edit(tmpl)
	}
	var pub, priv any = k.Public().Std(), k.Signer()
	if key != nil {
		pub, priv = key.Public(), key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParseRefuses(t *testing.T) {
	f := newCA(t, crypto.Ed25519, "org", "CA")
	good := f.ca
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }

	tests := []struct {
		name string
		in   []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"white space", []byte(" \n\t")},
		{"text", []byte("hello")},
		{"json", []byte(`{"der":"MII"}`)},
		{"hex of DER", []byte(hex.EncodeToString(good.DER))},
		{"truncated DER", good.DER[:len(good.DER)-1]},
		{"DER with trailing byte", append(bytes.Clone(good.DER), 0)},
		{"two DER certificates", append(bytes.Clone(good.DER), good.DER...)},
		{"lone SEQUENCE tag", []byte{0x30}},
		{"broken PEM", []byte("-----BEGIN CERTIFICATE-----\nnot base64\n")},
		{"PEM private key", pemOf("PRIVATE KEY", good.DER)},
		{"PEM with trailing text", append(good.PEM(), "trailing"...)},
		{"two PEM certificates", append(good.PEM(), good.PEM()...)},
		{"PEM with headers", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"X": "y"}, Bytes: good.DER})},
		{"PEM of garbage", pemOf("CERTIFICATE", []byte("garbage"))},
		{"rsa certificate", foreign(t, nil, rk)},
		{"p384 certificate", foreign(t, nil, p384)},
		{"no OU", foreign(t, func(c *x509.Certificate) { c.Subject.OrganizationalUnit = nil }, nil)},
		{"two OUs", foreign(t, func(c *x509.Certificate) { c.Subject.OrganizationalUnit = []string{"admin", "investor"} }, nil)},
		{"no O", foreign(t, func(c *x509.Certificate) { c.Subject.Organization = nil }, nil)},
		{"two Os", foreign(t, func(c *x509.Certificate) { c.Subject.Organization = []string{"a", "b"} }, nil)},
		{"no CN", foreign(t, func(c *x509.Certificate) { c.Subject.CommonName = "" }, nil)},
		{"unknown role", foreign(t, func(c *x509.Certificate) { c.Subject.OrganizationalUnit = []string{"root"} }, nil)},
		{"OU ca but not a CA", foreign(t, func(c *x509.Certificate) { c.Subject.OrganizationalUnit = []string{"ca"} }, nil)},
		{"CA with a role OU", foreign(t, func(c *x509.Certificate) { c.IsCA = true; c.KeyUsage = x509.KeyUsageCertSign }, nil)},
		{"empty validity", foreign(t, func(c *x509.Certificate) { c.NotAfter = c.NotBefore }, nil)},
		{"ecdsa with sha384", foreign(t, func(c *x509.Certificate) { c.SignatureAlgorithm = x509.ECDSAWithSHA384 }, nil)},
	}
	for _, tt := range tests {
		c, err := pki.Parse(tt.in)
		if err == nil {
			t.Errorf("%s: accepted %+v", tt.name, c)
			continue
		}
		if !errors.Is(err, pki.ErrMalformed) {
			t.Errorf("%s: %v does not wrap ErrMalformed", tt.name, err)
		}
	}

	// A well-formed foreign certificate inside the profile parses.
	c, err := pki.Parse(foreign(t, nil, nil))
	if err != nil {
		t.Fatalf("in-profile certificate from crypto/x509: %v", err)
	}
	if c.Org != "org" || c.Role != "admin" || c.Name != "x" || c.IsCA {
		t.Fatalf("fields %+v", c)
	}
}

func TestConcurrentVerify(t *testing.T) {
	f := newCA(t, crypto.SM2, "org", "CA")
	leaf, _ := f.issue(t, crypto.SM2, module.RoleAdmin, "a", caFrom, caTo)
	bare := &pki.Certificate{DER: leaf.DER} // takes the re-parse path
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			c := leaf
			if i%2 == 0 {
				c = bare
			}
			done <- c.VerifyIssuedBy(f.ca, inside)
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	ca := newCA(f, crypto.SM2, "org", "CA")
	for _, alg := range crypto.Algorithms() {
		c := newCA(f, alg, "org", "CA")
		leaf, _ := c.issue(f, alg, module.RoleInvestor, "i", caFrom, caTo)
		f.Add(c.ca.DER)
		f.Add(leaf.DER)
		f.Add(leaf.PEM())
	}
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x80})
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := pki.Parse(in)
		if err != nil {
			if !errors.Is(err, pki.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		sum := sha256.Sum256(c.DER)
		if c.ID != hex.EncodeToString(sum[:]) {
			t.Fatal("ID is not the hash of the DER")
		}
		if c.IsCA != (c.Role == "") || c.PublicKey == nil {
			t.Fatalf("inconsistent certificate %+v", c)
		}
		again, err := pki.Parse(c.PEM())
		if err != nil || again.ID != c.ID {
			t.Fatalf("PEM does not round trip: %v", err)
		}
		// Verification of anything parsed never panics.
		_ = c.VerifyIssuedBy(ca.ca, inside)
		_ = ca.ca.VerifyIssuedBy(c, inside)
		_ = c.VerifyIssuedBy(c, inside)
	})
}
