package pki

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emmansun/gmsm/smx509"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// CAUnit is the subject OU of a CA certificate.
const CAUnit = "ca"

// MaxTextLen bounds O, OU and CN (in characters), as X.520 does.
const MaxTextLen = 64

// PEMType is the PEM block type of a certificate.
const PEMType = "CERTIFICATE"

// Errors. Each is returned wrapped with detail; test with errors.Is.
var (
	// ErrMalformed: not a certificate, or not an otcchain certificate
	// (subject, key or signature algorithm outside the profile).
	ErrMalformed = errors.New("pki: malformed certificate")
	// ErrNotCA: the issuer is not a CA certificate that may sign certificates.
	ErrNotCA = errors.New("pki: issuer is not a certificate authority")
	// ErrLeafIsCA: a CA certificate where an end-entity certificate is required.
	ErrLeafIsCA = errors.New("pki: certificate is a ca certificate, not an end-entity certificate")
	// ErrOrgMismatch: certificate and CA belong to different organisations.
	ErrOrgMismatch = errors.New("pki: organisation mismatch")
	// ErrIssuerMismatch: the certificate names another issuer than the CA.
	ErrIssuerMismatch = errors.New("pki: issuer name does not match the ca subject")
	// ErrBadSignature: the certificate is not signed by the CA's key.
	ErrBadSignature = errors.New("pki: bad certificate signature")
	// ErrExpired: the verification time is after NotAfter (certificate or CA).
	ErrExpired = errors.New("pki: certificate expired")
	// ErrNotYetValid: the verification time is before NotBefore (certificate or CA).
	ErrNotYetValid = errors.New("pki: certificate not yet valid")
	// ErrKeyMismatch: the CA private key does not belong to the CA certificate.
	ErrKeyMismatch = errors.New("pki: ca private key does not match the ca certificate")
	// ErrValidity: a validity window that is empty or not inside the CA's.
	ErrValidity = errors.New("pki: invalid validity window")
)

// Certificate is a parsed otcchain certificate. DER is the certificate; the
// other fields are read from it by Parse and must not be changed.
type Certificate struct {
	DER       []byte
	ID        string // lowercase hex SHA-256 of DER
	Org       string // subject O
	Role      string // subject OU; "" for a CA
	Name      string // subject CN
	IsCA      bool
	PublicKey crypto.PublicKey
	NotBefore time.Time // UTC, whole seconds
	NotAfter  time.Time // UTC, whole seconds
	Serial    string    // lowercase hex

	p *parsed // what Parse read from DER
}

// parsed is the part of a certificate needed for verification, read from
// either X.509 library.
type parsed struct {
	der        []byte
	tbs        []byte
	sig        []byte
	sigAlg     crypto.Algorithm // the issuer's scheme
	rawSubject []byte
	rawIssuer  []byte
	org, ou    string
	cn         string
	pub        crypto.PublicKey
	notBefore  time.Time
	notAfter   time.Time
	serial     *big.Int
	isCA       bool
	certSign   bool // key usage allows signing certificates
}

// IssueRequest is what a CA certifies.
type IssueRequest struct {
	Org       string // must be the CA's organisation
	Role      module.Role
	Name      string
	PublicKey crypto.PublicKey
	NotBefore time.Time
	NotAfter  time.Time
}

// NewCA makes a self-signed CA certificate for an organisation: subject
// O=org, OU=ca, CN=name; CA, key usage certificate and CRL signing, path
// length 0. Times are truncated to whole seconds, UTC.
func NewCA(org, name string, key crypto.PrivateKey, notBefore, notAfter time.Time) (*Certificate, error) {
	if key == nil {
		return nil, errors.New("pki: new ca: no key")
	}
	if err := checkText("organisation", org); err != nil {
		return nil, err
	}
	if err := checkText("name", name); err != nil {
		return nil, err
	}
	nb, na := secs(notBefore), secs(notAfter)
	if !nb.Before(na) {
		return nil, fmt.Errorf("%w: not before %s is not before not after %s", ErrValidity, nb.Format(time.RFC3339), na.Format(time.RFC3339))
	}
	s, err := newSpec(org, CAUnit, name, key.Public(), nb, na, true)
	if err != nil {
		return nil, err
	}
	der, err := create(s, nil, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: new ca: %w", err)
	}
	return Parse(der)
}

// Issue makes an end-entity certificate signed by the CA. It refuses an
// unknown role, a CA certificate that is not a CA, a key that does not
// belong to the CA certificate (ErrKeyMismatch), another organisation
// (ErrOrgMismatch) and a validity window that is empty or not inside the
// CA's (ErrValidity). Times are truncated to whole seconds, UTC.
func Issue(ca *Certificate, caKey crypto.PrivateKey, req IssueRequest) (*Certificate, error) {
	if ca == nil || caKey == nil || req.PublicKey == nil {
		return nil, errors.New("pki: issue: missing ca certificate, ca key or subject public key")
	}
	cp, err := ca.parsed()
	if err != nil {
		return nil, fmt.Errorf("pki: issue: ca certificate: %w", err)
	}
	if !cp.isCA || !cp.certSign {
		return nil, fmt.Errorf("%w: %q (%s) may not sign certificates", ErrNotCA, cp.cn, cp.org)
	}
	if !caKey.Public().Equal(cp.pub) {
		return nil, ErrKeyMismatch
	}
	role, err := module.ParseRole(string(req.Role))
	if err != nil {
		return nil, fmt.Errorf("pki: issue: %w", err)
	}
	if req.Org != cp.org {
		return nil, fmt.Errorf("%w: request for organisation %q to the ca of %q", ErrOrgMismatch, req.Org, cp.org)
	}
	if err := checkText("name", req.Name); err != nil {
		return nil, err
	}
	nb, na := secs(req.NotBefore), secs(req.NotAfter)
	if !nb.Before(na) {
		return nil, fmt.Errorf("%w: not before %s is not before not after %s", ErrValidity, nb.Format(time.RFC3339), na.Format(time.RFC3339))
	}
	if nb.Before(cp.notBefore) || na.After(cp.notAfter) {
		return nil, fmt.Errorf("%w: %s to %s is not inside the ca's %s to %s", ErrValidity,
			nb.Format(time.RFC3339), na.Format(time.RFC3339),
			cp.notBefore.Format(time.RFC3339), cp.notAfter.Format(time.RFC3339))
	}
	s, err := newSpec(req.Org, string(role), req.Name, req.PublicKey, nb, na, false)
	if err != nil {
		return nil, err
	}
	der, err := create(s, cp.der, req.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("pki: issue: %w", err)
	}
	return Parse(der)
}

// Parse reads a certificate from PEM (one CERTIFICATE block, nothing but
// white space around it) or DER, and checks that it follows the otcchain
// profile: one O, one OU and a CN in the subject; OU "ca" exactly when the
// certificate is a CA, otherwise a known role; an Ed25519, P-256 or SM2 key;
// signed with one of the three schemes. Errors wrap ErrMalformed.
func Parse(pemOrDER []byte) (*Certificate, error) {
	der, err := decode(pemOrDER)
	if err != nil {
		return nil, err
	}
	p, err := parseDER(der)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(p.der)
	c := &Certificate{
		DER:       p.der,
		ID:        hex.EncodeToString(sum[:]),
		Org:       p.org,
		Name:      p.cn,
		IsCA:      p.isCA,
		PublicKey: p.pub,
		NotBefore: p.notBefore,
		NotAfter:  p.notAfter,
		Serial:    p.serial.Text(16),
		p:         p,
	}
	if !p.isCA {
		c.Role = p.ou
	}
	return c, nil
}

// PEM returns the certificate as one PEM block.
func (c *Certificate) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: PEMType, Bytes: c.DER})
}

// VerifyIssuedBy checks that c is an end-entity certificate issued by ca and
// valid at time at (the block time; never the wall clock). In order it
// checks, each with its own error: both parse (ErrMalformed); ca is a CA that
// may sign certificates (ErrNotCA); c is not a CA (ErrLeafIsCA); same
// organisation (ErrOrgMismatch); c names ca's subject as issuer
// (ErrIssuerMismatch); c's signature verifies under ca's key with ca's scheme
// (ErrBadSignature); at is inside both validity windows, bounds included
// (ErrNotYetValid, ErrExpired). Only the DER of both certificates is used.
func (c *Certificate) VerifyIssuedBy(ca *Certificate, at time.Time) error {
	if c == nil || ca == nil {
		return fmt.Errorf("%w: missing certificate", ErrMalformed)
	}
	leaf, err := c.parsed()
	if err != nil {
		return err
	}
	iss, err := ca.parsed()
	if err != nil {
		return fmt.Errorf("ca certificate: %w", err)
	}
	if !iss.isCA {
		return fmt.Errorf("%w: %q (%s) is not a ca certificate", ErrNotCA, iss.cn, iss.org)
	}
	if !iss.certSign {
		return fmt.Errorf("%w: key usage of %q (%s) does not allow certificate signing", ErrNotCA, iss.cn, iss.org)
	}
	if leaf.isCA {
		return fmt.Errorf("%w: %q (%s)", ErrLeafIsCA, leaf.cn, leaf.org)
	}
	if leaf.org != iss.org {
		return fmt.Errorf("%w: certificate of %q, ca of %q", ErrOrgMismatch, leaf.org, iss.org)
	}
	if !bytes.Equal(leaf.rawIssuer, iss.rawSubject) {
		return fmt.Errorf("%w: certificate %q of %q", ErrIssuerMismatch, leaf.cn, leaf.org)
	}
	if leaf.sigAlg != iss.pub.Algorithm() {
		return fmt.Errorf("%w: signed with %s, ca key is %s", ErrBadSignature, leaf.sigAlg, iss.pub.Algorithm())
	}
	if !iss.pub.Verify(leaf.tbs, leaf.sig) {
		return fmt.Errorf("%w: certificate %q of %q is not signed by ca %q", ErrBadSignature, leaf.cn, leaf.org, iss.cn)
	}
	for _, x := range []struct {
		what string
		p    *parsed
	}{{"certificate", leaf}, {"ca certificate", iss}} {
		if at.Before(x.p.notBefore) {
			return fmt.Errorf("%w: %s %q is valid from %s, time is %s", ErrNotYetValid, x.what, x.p.cn,
				x.p.notBefore.Format(time.RFC3339), at.UTC().Format(time.RFC3339))
		}
		if at.After(x.p.notAfter) {
			return fmt.Errorf("%w: %s %q expired at %s, time is %s", ErrExpired, x.what, x.p.cn,
				x.p.notAfter.Format(time.RFC3339), at.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// parsed returns what Parse read, or parses DER again when the certificate
// was built by hand or its DER replaced. It never writes to c, so concurrent
// use is safe.
func (c *Certificate) parsed() (*parsed, error) {
	if c.p != nil && bytes.Equal(c.p.der, c.DER) {
		return c.p, nil
	}
	return parseDER(c.DER)
}

// ---- decoding

func decode(in []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(in)
	switch {
	case len(trimmed) == 0:
		return nil, fmt.Errorf("%w: empty input", ErrMalformed)
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		block, rest := pem.Decode(trimmed)
		if block == nil {
			return nil, fmt.Errorf("%w: bad PEM encoding", ErrMalformed)
		}
		if block.Type != PEMType {
			return nil, fmt.Errorf("%w: PEM block is %q, want %q", ErrMalformed, block.Type, PEMType)
		}
		if len(block.Headers) != 0 {
			return nil, fmt.Errorf("%w: PEM headers are not allowed", ErrMalformed)
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			return nil, fmt.Errorf("%w: data after the PEM block (one certificate expected)", ErrMalformed)
		}
		return block.Bytes, nil
	case in[0] == 0x30: // ASN.1 SEQUENCE
		return in, nil
	}
	return nil, fmt.Errorf("%w: neither PEM nor DER", ErrMalformed)
}

func parseDER(der []byte) (*parsed, error) {
	if len(der) == 0 {
		return nil, fmt.Errorf("%w: empty DER", ErrMalformed)
	}
	der = bytes.Clone(der)
	parse := parseStd
	if usesSM2(der) {
		// crypto/x509 refuses SM2 keys and cannot check SM2 signatures.
		parse = parseSM
	}
	p, err := parse(der)
	if err != nil {
		return nil, err
	}
	if err := p.checkProfile(); err != nil {
		return nil, err
	}
	return p, nil
}

func parseStd(der []byte) (*parsed, error) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var alg crypto.Algorithm
	switch c.SignatureAlgorithm {
	case x509.PureEd25519:
		alg = crypto.Ed25519
	case x509.ECDSAWithSHA256:
		alg = crypto.P256
	default:
		return nil, fmt.Errorf("%w: unsupported signature algorithm %s", ErrMalformed, c.SignatureAlgorithm)
	}
	pub, err := crypto.PublicKeyFromStd(c.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if c.Version != 3 {
		return nil, fmt.Errorf("%w: version %d, want 3", ErrMalformed, c.Version)
	}
	p := &parsed{
		der: der, tbs: c.RawTBSCertificate, sig: c.Signature, sigAlg: alg,
		rawSubject: c.RawSubject, rawIssuer: c.RawIssuer, pub: pub,
		notBefore: c.NotBefore.UTC(), notAfter: c.NotAfter.UTC(), serial: c.SerialNumber,
		isCA:     c.BasicConstraintsValid && c.IsCA,
		certSign: c.KeyUsage&x509.KeyUsageCertSign != 0,
	}
	return p, p.readSubject(c.Subject)
}

func parseSM(der []byte) (*parsed, error) {
	c, err := smx509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var alg crypto.Algorithm
	switch c.SignatureAlgorithm {
	case smx509.PureEd25519:
		alg = crypto.Ed25519
	case smx509.ECDSAWithSHA256:
		alg = crypto.P256
	case smx509.SM2WithSM3:
		alg = crypto.SM2
	default:
		return nil, fmt.Errorf("%w: unsupported signature algorithm %s", ErrMalformed, c.SignatureAlgorithm)
	}
	pub, err := crypto.PublicKeyFromStd(c.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if c.Version != 3 {
		return nil, fmt.Errorf("%w: version %d, want 3", ErrMalformed, c.Version)
	}
	p := &parsed{
		der: der, tbs: c.RawTBSCertificate, sig: c.Signature, sigAlg: alg,
		rawSubject: c.RawSubject, rawIssuer: c.RawIssuer, pub: pub,
		notBefore: c.NotBefore.UTC(), notAfter: c.NotAfter.UTC(), serial: c.SerialNumber,
		isCA:     c.BasicConstraintsValid && c.IsCA,
		certSign: c.KeyUsage&smx509.KeyUsageCertSign != 0,
	}
	return p, p.readSubject(c.Subject)
}

// DER encodings of the SM2 curve and SM2-with-SM3 signature OIDs.
var (
	derOIDSM2Curve = mustMarshalOID(asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301})
	derOIDSM2SM3   = mustMarshalOID(asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 501})
)

func mustMarshalOID(o asn1.ObjectIdentifier) []byte {
	b, err := asn1.Marshal(o)
	if err != nil {
		panic(err)
	}
	return b
}

// usesSM2 says whether der mentions the SM2 curve or signature OID. A false
// positive (the bytes inside a name) only routes a certificate to smx509,
// which reads the other algorithms too.
func usesSM2(der []byte) bool {
	return bytes.Contains(der, derOIDSM2Curve) || bytes.Contains(der, derOIDSM2SM3)
}

var (
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
)

// readSubject takes O, OU and CN, each of which must appear exactly once.
func (p *parsed) readSubject(n pkix.Name) error {
	got := map[string]int{}
	for _, a := range n.Names {
		for _, o := range []asn1.ObjectIdentifier{oidO, oidOU, oidCN} {
			if a.Type.Equal(o) {
				s, ok := a.Value.(string)
				if !ok {
					return fmt.Errorf("%w: subject attribute %s is not a string", ErrMalformed, o)
				}
				got[o.String()]++
				switch {
				case o.Equal(oidO):
					p.org = s
				case o.Equal(oidOU):
					p.ou = s
				default:
					p.cn = s
				}
			}
		}
	}
	for _, x := range []struct {
		oid  asn1.ObjectIdentifier
		name string
	}{{oidO, "O (organisation)"}, {oidOU, "OU (role)"}, {oidCN, "CN (name)"}} {
		if n := got[x.oid.String()]; n != 1 {
			return fmt.Errorf("%w: subject must have exactly one %s, has %d", ErrMalformed, x.name, n)
		}
	}
	return nil
}

func (p *parsed) checkProfile() error {
	for _, x := range []struct{ what, s string }{{"organisation", p.org}, {"role", p.ou}, {"name", p.cn}} {
		if err := checkText(x.what, x.s); err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	}
	if p.ou == CAUnit {
		if !p.isCA {
			return fmt.Errorf("%w: subject OU is %q but the certificate is not a ca", ErrMalformed, CAUnit)
		}
	} else {
		if p.isCA {
			return fmt.Errorf("%w: ca certificate with subject OU %q, want %q", ErrMalformed, p.ou, CAUnit)
		}
		if _, err := module.ParseRole(p.ou); err != nil {
			return fmt.Errorf("%w: subject OU: %v", ErrMalformed, err)
		}
	}
	if !p.notBefore.Before(p.notAfter) {
		return fmt.Errorf("%w: empty validity window %s to %s", ErrMalformed,
			p.notBefore.Format(time.RFC3339), p.notAfter.Format(time.RFC3339))
	}
	if p.serial == nil || p.serial.Sign() <= 0 {
		return fmt.Errorf("%w: serial number must be positive", ErrMalformed)
	}
	return nil
}

// checkText validates O, OU and CN values.
func checkText(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("pki: %s is empty", what)
	case !utf8.ValidString(s):
		return fmt.Errorf("pki: %s is not valid UTF-8", what)
	case utf8.RuneCountInString(s) > MaxTextLen:
		return fmt.Errorf("pki: %s is longer than %d characters", what, MaxTextLen)
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("pki: %s %q has leading or trailing space", what, s)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("pki: %s %q contains a control character", what, s)
		}
	}
	return nil
}

// ---- creation

// spec is a certificate to create, independent of the X.509 library.
type spec struct {
	subject   pkix.Name
	serial    *big.Int
	notBefore time.Time
	notAfter  time.Time
	isCA      bool
	skid      []byte
}

func newSpec(org, ou, cn string, pub crypto.PublicKey, nb, na time.Time, isCA bool) (spec, error) {
	serial, err := randomSerial()
	if err != nil {
		return spec{}, err
	}
	// Subject key id: RFC 7093 section 2 method 1 (leftmost 160 bits of the
	// SHA-256 of the subjectPublicKey bits, which are the raw key bytes).
	sum := sha256.Sum256(pub.Bytes())
	return spec{
		subject: pkix.Name{
			Organization:       []string{org},
			OrganizationalUnit: []string{ou},
			CommonName:         cn,
		},
		serial:    serial,
		notBefore: nb,
		notAfter:  na,
		isCA:      isCA,
		skid:      sum[:20],
	}, nil
}

// randomSerial returns a random positive 128-bit serial number.
func randomSerial() (*big.Int, error) {
	var b [16]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("pki: serial number: %w", err)
		}
		if n := new(big.Int).SetBytes(b[:]); n.Sign() > 0 {
			return n, nil
		}
	}
}

// create signs the certificate with signer; parentDER is the issuer's
// certificate, nil for a self-signed one. crypto/x509 is used unless the
// signer or the subject key is SM2, which needs gmsm's smx509.
func create(s spec, parentDER []byte, pub crypto.PublicKey, signer crypto.PrivateKey) ([]byte, error) {
	if signer.Algorithm() == crypto.SM2 || pub.Algorithm() == crypto.SM2 {
		return createSM(s, parentDER, pub.Std(), signer)
	}
	return createStd(s, parentDER, pub.Std(), signer)
}

func createStd(s spec, parentDER []byte, pub stdcrypto.PublicKey, signer crypto.PrivateKey) ([]byte, error) {
	t := &x509.Certificate{
		SerialNumber:          s.serial,
		Subject:               s.subject,
		NotBefore:             s.notBefore,
		NotAfter:              s.notAfter,
		BasicConstraintsValid: true,
		SubjectKeyId:          s.skid,
	}
	switch signer.Algorithm() {
	case crypto.Ed25519:
		t.SignatureAlgorithm = x509.PureEd25519
	case crypto.P256:
		t.SignatureAlgorithm = x509.ECDSAWithSHA256
	default:
		return nil, fmt.Errorf("unsupported signing algorithm %s", signer.Algorithm())
	}
	if s.isCA {
		t.IsCA, t.MaxPathLen, t.MaxPathLenZero = true, 0, true
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		t.MaxPathLen = -1
		t.KeyUsage = x509.KeyUsageDigitalSignature
	}
	parent := t
	if parentDER != nil {
		var err error
		if parent, err = x509.ParseCertificate(parentDER); err != nil {
			return nil, fmt.Errorf("parse ca certificate: %w", err)
		}
	}
	return x509.CreateCertificate(rand.Reader, t, parent, pub, signer.Signer())
}

func createSM(s spec, parentDER []byte, pub stdcrypto.PublicKey, signer crypto.PrivateKey) ([]byte, error) {
	t := &smx509.Certificate{
		SerialNumber:          s.serial,
		Subject:               s.subject,
		NotBefore:             s.notBefore,
		NotAfter:              s.notAfter,
		BasicConstraintsValid: true,
		SubjectKeyId:          s.skid,
	}
	switch signer.Algorithm() {
	case crypto.Ed25519:
		t.SignatureAlgorithm = smx509.PureEd25519
	case crypto.P256:
		t.SignatureAlgorithm = smx509.ECDSAWithSHA256
	case crypto.SM2:
		t.SignatureAlgorithm = smx509.SM2WithSM3
	default:
		return nil, fmt.Errorf("unsupported signing algorithm %s", signer.Algorithm())
	}
	if s.isCA {
		t.IsCA, t.MaxPathLen, t.MaxPathLenZero = true, 0, true
		t.KeyUsage = smx509.KeyUsageCertSign | smx509.KeyUsageCRLSign
	} else {
		t.MaxPathLen = -1
		t.KeyUsage = smx509.KeyUsageDigitalSignature
	}
	parent := t
	if parentDER != nil {
		var err error
		if parent, err = smx509.ParseCertificate(parentDER); err != nil {
			return nil, fmt.Errorf("parse ca certificate: %w", err)
		}
	}
	return smx509.CreateCertificate(rand.Reader, t, parent, pub, signer.Signer())
}

// secs truncates t to whole seconds in UTC, the precision of X.509 times.
func secs(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
