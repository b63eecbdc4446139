package keystore_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
)

var cheap = keystore.Options{ScryptN: 1 << 10, ScryptR: 8, ScryptP: 1}

var pass = []byte("correct horse battery staple")

func open(t testing.TB) *keystore.Store {
	t.Helper()
	s, err := keystore.OpenWith(filepath.Join(t.TempDir(), "keys"), cheap)
	if err != nil {
		t.Fatalf("OpenWith: %v", err)
	}
	return s
}

func create(t testing.TB, s *keystore.Store, name string, alg crypto.Algorithm) keystore.Info {
	t.Helper()
	info, err := s.Create(name, alg, pass)
	if err != nil {
		t.Fatalf("Create(%s, %s): %v", name, alg, err)
	}
	return info
}

func TestCreateListGetLoad(t *testing.T) {
	s := open(t)
	before := time.Now().UTC().Truncate(time.Second)
	var infos []keystore.Info
	for i, alg := range crypto.Algorithms() {
		name := []string{"zeta-ed", "alpha.p256", "mid_sm2"}[i]
		info := create(t, s, name, alg)
		if info.Name != name || info.Algorithm != alg || info.HasCert || info.IdentityID != "" {
			t.Fatalf("Create info %+v", info)
		}
		if info.Created.Before(before) || info.Created.After(time.Now().Add(time.Second)) {
			t.Fatalf("created %s", info.Created)
		}
		got, err := s.Get(name)
		if err != nil || got != info {
			t.Fatalf("Get = %+v, %v; want %+v", got, err, info)
		}

		key, err := s.Load(name, pass)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if key.Algorithm() != alg || hex.EncodeToString(key.Public().Bytes()) != info.PublicKey {
			t.Fatalf("loaded key does not match info")
		}
		sig, err := key.Sign([]byte("m"))
		if err != nil || !key.Public().Verify([]byte("m"), sig) {
			t.Fatalf("loaded key cannot sign: %v", err)
		}
		infos = append(infos, info)
	}

	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(infos, func(a, b keystore.Info) int { return strings.Compare(a.Name, b.Name) })
	if !slices.Equal(list, infos) {
		t.Fatalf("List = %+v\nwant %+v", list, infos)
	}

	// A second store on the same directory sees the same keys.
	s2, err := keystore.OpenWith(s.Dir(), cheap)
	if err != nil {
		t.Fatal(err)
	}
	list2, err := s2.List()
	if err != nil || !slices.Equal(list2, list) {
		t.Fatalf("reopened List = %+v, %v", list2, err)
	}
}

func TestEmptyStore(t *testing.T) {
	s := open(t)
	list, err := s.List()
	if err != nil || len(list) != 0 {
		t.Fatalf("List = %v, %v", list, err)
	}
}

func TestImportLoadRoundTrip(t *testing.T) {
	s := open(t)
	for _, alg := range crypto.Algorithms() {
		k, err := crypto.GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		name := "imported-" + string(alg)
		info, err := s.Import(name, k, pass)
		if err != nil {
			t.Fatalf("Import: %v", err)
		}
		if info.PublicKey != hex.EncodeToString(k.Public().Bytes()) {
			t.Fatal("imported public key")
		}
		got, err := s.Load(name, pass)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), k.Bytes()) || got.Algorithm() != alg {
			t.Fatalf("%s: loaded key differs", alg)
		}
	}
	if _, err := s.Import("nil-key", nil, pass); err == nil {
		t.Fatal("imported a nil key")
	}
}

func TestWrongPassphrase(t *testing.T) {
	s := open(t)
	for _, alg := range crypto.Algorithms() {
		create(t, s, string(alg), alg)
		for _, p := range [][]byte{nil, []byte(""), []byte("correct horse battery stapl"), append(bytes.Clone(pass), ' ')} {
			if _, err := s.Load(string(alg), p); !errors.Is(err, keystore.ErrBadPassphrase) {
				t.Errorf("%s, passphrase %q: %v, want ErrBadPassphrase", alg, p, err)
			}
		}
	}
	// An empty passphrase is a passphrase like any other.
	if _, err := s.Create("empty", crypto.Ed25519, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("empty", []byte{}); err != nil {
		t.Fatalf("empty passphrase: %v", err)
	}
	if _, err := s.Load("empty", []byte("x")); !errors.Is(err, keystore.ErrBadPassphrase) {
		t.Fatalf("non-empty passphrase for empty: %v", err)
	}
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX permissions")
	}
	s := open(t)
	create(t, s, "k", crypto.SM2)
	attachCert(t, s, "k")
	mode := func(p string) os.FileMode {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	if m := mode(s.Dir()); m != 0o700 {
		t.Errorf("dir mode %o, want 700", m)
	}
	for _, f := range []string{"k.key", "k.crt"} {
		if m := mode(filepath.Join(s.Dir(), f)); m != 0o600 {
			t.Errorf("%s mode %o, want 600", f, m)
		}
	}
	// Replace and a new certificate keep 0600.
	k, _ := s.Load("k", pass)
	if _, err := s.Replace("k", k, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if m := mode(filepath.Join(s.Dir(), "k.key")); m != 0o600 {
		t.Errorf("replaced key mode %o", m)
	}

	// An existing directory open to others is restricted.
	dir := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.OpenWith(dir, cheap); err != nil {
		t.Fatal(err)
	}
	if m := mode(dir); m != 0o700 {
		t.Errorf("existing dir mode %o after Open, want 700", m)
	}

	// A file where the directory should be.
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.OpenWith(f, cheap); err == nil {
		t.Error("opened a file as a store")
	}
}

func TestNoTemporaryFilesLeft(t *testing.T) {
	s := open(t)
	create(t, s, "a", crypto.Ed25519)
	create(t, s, "b", crypto.P256)
	if _, err := s.Create("a", crypto.Ed25519, pass); err == nil {
		t.Fatal("duplicate accepted")
	}
	attachCert(t, s, "b")
	entries, err := os.ReadDir(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"a.key", "b.crt", "b.key"}; !slices.Equal(names, want) {
		t.Fatalf("directory holds %v, want %v", names, want)
	}
}

func TestDuplicateName(t *testing.T) {
	s := open(t)
	first := create(t, s, "dup", crypto.Ed25519)
	if _, err := s.Create("dup", crypto.SM2, pass); !errors.Is(err, keystore.ErrExists) {
		t.Fatalf("Create over existing: %v", err)
	}
	k, _ := crypto.GenerateKey(crypto.P256)
	if _, err := s.Import("dup", k, pass); !errors.Is(err, keystore.ErrExists) {
		t.Fatalf("Import over existing: %v", err)
	}
	got, err := s.Get("dup")
	if err != nil || got != first {
		t.Fatalf("existing key changed: %+v, %v", got, err)
	}
}

func TestConcurrentCreateOneWins(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	var stores []*keystore.Store
	for range 2 { // two stores: the lock of one does not protect the other
		s, err := keystore.OpenWith(dir, cheap)
		if err != nil {
			t.Fatal(err)
		}
		stores = append(stores, s)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := stores[i%2].Create("race", crypto.Ed25519, pass)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, keystore.ErrExists):
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d creates succeeded, want 1", ok)
	}
	if _, err := stores[0].Load("race", pass); err != nil {
		t.Fatal(err)
	}
}

func TestReplace(t *testing.T) {
	s := open(t)
	create(t, s, "r", crypto.SM2)
	certID := attachCert(t, s, "r")
	before, _ := s.Get("r")

	// Same key, new passphrase: certificate and creation time kept.
	k, err := s.Load("r", pass)
	if err != nil {
		t.Fatal(err)
	}
	newPass := []byte("another passphrase")
	info, err := s.Replace("r", k, newPass)
	if err != nil {
		t.Fatal(err)
	}
	if !info.HasCert || info.IdentityID != certID || !info.Created.Equal(before.Created) || info.PublicKey != before.PublicKey {
		t.Fatalf("passphrase change lost data: %+v", info)
	}
	if _, err := s.Load("r", pass); !errors.Is(err, keystore.ErrBadPassphrase) {
		t.Fatalf("old passphrase: %v", err)
	}
	if _, err := s.Load("r", newPass); err != nil {
		t.Fatalf("new passphrase: %v", err)
	}

	// Another key: the certificate no longer applies and is removed.
	k2, _ := crypto.GenerateKey(crypto.Ed25519)
	info, err = s.Replace("r", k2, pass)
	if err != nil {
		t.Fatal(err)
	}
	if info.HasCert || info.IdentityID != "" || info.Algorithm != crypto.Ed25519 {
		t.Fatalf("replaced key info %+v", info)
	}
	if _, err := s.Certificate("r"); !errors.Is(err, keystore.ErrNoCertificate) {
		t.Fatalf("certificate after replace: %v", err)
	}
	got, err := s.Load("r", pass)
	if err != nil || !bytes.Equal(got.Bytes(), k2.Bytes()) {
		t.Fatalf("Load after replace: %v", err)
	}

	// Replace of a name that does not exist creates it.
	if _, err := s.Replace("fresh", k2, pass); err != nil {
		t.Fatal(err)
	}
	// Replace repairs a corrupted key file.
	if err := os.WriteFile(filepath.Join(s.Dir(), "fresh.key"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Replace("fresh", k2, pass); err != nil {
		t.Fatalf("Replace over a corrupted file: %v", err)
	}
	if _, err := s.Load("fresh", pass); err != nil {
		t.Fatal(err)
	}
}

func TestDelete(t *testing.T) {
	s := open(t)
	create(t, s, "d", crypto.P256)
	attachCert(t, s, "d")
	if err := s.Delete("d"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("d"); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if err := s.Delete("d"); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("second Delete: %v", err)
	}
	entries, _ := os.ReadDir(s.Dir())
	if len(entries) != 0 {
		t.Fatalf("files left: %v", entries)
	}
	// The name is free again, and a new key does not inherit a certificate.
	if _, err := s.Create("d", crypto.P256, pass); err != nil {
		t.Fatal(err)
	}
}

func TestNotFound(t *testing.T) {
	s := open(t)
	if _, err := s.Get("nobody"); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("Get: %v", err)
	}
	if _, err := s.Load("nobody", pass); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("Load: %v", err)
	}
	if _, err := s.Certificate("nobody"); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("Certificate: %v", err)
	}
	if err := s.SetCertificate("nobody", []byte("x")); err == nil {
		t.Errorf("SetCertificate on a missing key succeeded")
	}
}

func TestNames(t *testing.T) {
	s := open(t)
	valid := []string{"a", "node0", "bank-a.admin", "x_y", strings.Repeat("z", 64), "0", "-", "..."}
	for _, n := range valid {
		if err := keystore.ValidName(n); err != nil {
			t.Errorf("ValidName(%q): %v", n, err)
		}
	}
	create(t, s, strings.Repeat("z", 64), crypto.Ed25519)

	invalid := []string{"", ".", "..", "A", "Alice", "a b", "a/b", "../x", "a\\b", "a\x00", "ключ", "a:b", strings.Repeat("z", 65), "a.key/"}
	for _, n := range invalid {
		if err := keystore.ValidName(n); !errors.Is(err, keystore.ErrInvalidName) {
			t.Errorf("ValidName(%q) = %v", n, err)
		}
		if _, err := s.Create(n, crypto.Ed25519, pass); !errors.Is(err, keystore.ErrInvalidName) {
			t.Errorf("Create(%q) = %v", n, err)
		}
		if _, err := s.Get(n); !errors.Is(err, keystore.ErrInvalidName) {
			t.Errorf("Get(%q) = %v", n, err)
		}
		if _, err := s.Load(n, pass); !errors.Is(err, keystore.ErrInvalidName) {
			t.Errorf("Load(%q) = %v", n, err)
		}
	}
	entries, _ := os.ReadDir(s.Dir())
	if len(entries) != 1 {
		t.Fatalf("invalid names created files: %v", entries)
	}
}

func TestUnknownAlgorithm(t *testing.T) {
	s := open(t)
	for _, alg := range []crypto.Algorithm{"", "rsa", "SM2"} {
		if _, err := s.Create("k", alg, pass); err == nil {
			t.Errorf("Create with algorithm %q succeeded", alg)
		}
	}
}

// issue makes a CA and a certificate for the stored key name.
func issue(t testing.TB, s *keystore.Store, name string) *pki.Certificate {
	t.Helper()
	info, err := s.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := hex.DecodeString(info.PublicKey)
	pub, err := crypto.PublicKeyFromBytes(info.Algorithm, pb)
	if err != nil {
		t.Fatal(err)
	}
	caKey, err := crypto.GenerateKey(crypto.SM2)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ca, err := pki.NewCA("bank-a", "Bank A CA", caKey, from, from.AddDate(5, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.Issue(ca, caKey, pki.IssueRequest{Org: "bank-a", Role: module.RoleReseller, Name: name,
		PublicKey: pub, NotBefore: from, NotAfter: from.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func attachCert(t testing.TB, s *keystore.Store, name string) string {
	t.Helper()
	c := issue(t, s, name)
	if err := s.SetCertificate(name, c.PEM()); err != nil {
		t.Fatalf("SetCertificate: %v", err)
	}
	return c.ID
}

func TestCertificate(t *testing.T) {
	s := open(t)
	for _, alg := range crypto.Algorithms() {
		name := "holder-" + string(alg)
		create(t, s, name, alg)
		if _, err := s.Certificate(name); !errors.Is(err, keystore.ErrNoCertificate) {
			t.Fatalf("Certificate before SetCertificate: %v", err)
		}
		c := issue(t, s, name)
		if err := s.SetCertificate(name, c.PEM()); err != nil {
			t.Fatal(err)
		}
		got, err := s.Certificate(name)
		if err != nil || !bytes.Equal(got, c.PEM()) {
			t.Fatalf("Certificate = %q, %v", got, err)
		}
		parsed, err := pki.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if !info.HasCert || info.IdentityID != parsed.ID || info.IdentityID != c.ID {
			t.Fatalf("info %+v, want identity %s", info, parsed.ID)
		}

		// A renewed certificate (DER this time) replaces the old one.
		renewed := issue(t, s, name)
		if err := s.SetCertificate(name, renewed.DER); err != nil {
			t.Fatal(err)
		}
		info, _ = s.Get(name)
		if info.IdentityID != renewed.ID {
			t.Fatalf("identity after renewal %s, want %s", info.IdentityID, renewed.ID)
		}
		got, _ = s.Certificate(name)
		if !bytes.Equal(got, renewed.PEM()) {
			t.Fatal("DER certificate not stored as PEM")
		}
	}

	// A certificate for another key is refused, and so is garbage.
	create(t, s, "other", crypto.SM2)
	foreign := issue(t, s, "other")
	if err := s.SetCertificate("holder-sm2", foreign.PEM()); !errors.Is(err, keystore.ErrCertMismatch) {
		t.Fatalf("foreign certificate: %v", err)
	}
	if err := s.SetCertificate("holder-sm2", []byte("not a certificate")); !errors.Is(err, pki.ErrMalformed) {
		t.Fatalf("garbage certificate: %v", err)
	}
	info, _ := s.Get("holder-sm2")
	if info.IdentityID == foreign.ID {
		t.Fatal("refused certificate was stored")
	}

	// A damaged certificate file is reported, not ignored.
	if err := os.WriteFile(filepath.Join(s.Dir(), "other.crt"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("other"); !errors.Is(err, keystore.ErrCorrupt) {
		t.Fatalf("Get with damaged certificate: %v", err)
	}
	// A stray certificate without its key does not attach to a new key.
	if err := s.Delete("other"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), "other.crt"), foreign.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if info := create(t, s, "other", crypto.SM2); info.HasCert {
		t.Fatal("new key picked up a stray certificate")
	}
}

// keyFileJSON reads a key file as generic JSON.
func keyFileJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFileFormat(t *testing.T) {
	s := open(t)
	k, _ := crypto.GenerateKey(crypto.SM2)
	if _, err := s.Import("f", k, pass); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.Dir(), "f.key")
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(hex.EncodeToString(k.Bytes()))) || bytes.Contains(raw, k.Bytes()) {
		t.Fatal("private key stored in clear")
	}
	m := keyFileJSON(t, path)
	kdf := m["kdf"].(map[string]any)
	ciph := m["cipher"].(map[string]any)
	if m["version"] != 1.0 || m["name"] != "f" || m["algorithm"] != "sm2" ||
		m["public_key"] != hex.EncodeToString(k.Public().Bytes()) ||
		kdf["name"] != "scrypt" || kdf["n"] != float64(1<<10) || kdf["r"] != 8.0 || kdf["p"] != 1.0 ||
		ciph["name"] != "aes-256-gcm" {
		t.Fatalf("file: %s", raw)
	}
	if _, err := time.Parse(time.RFC3339, m["created"].(string)); err != nil {
		t.Fatalf("created: %v", err)
	}
}

func TestDefaultOptions(t *testing.T) {
	if testing.Short() {
		t.Skip("scrypt with the default cost")
	}
	s, err := keystore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create("d", crypto.Ed25519, pass); err != nil {
		t.Fatal(err)
	}
	kdf := keyFileJSON(t, filepath.Join(s.Dir(), "d.key"))["kdf"].(map[string]any)
	if kdf["n"] != float64(1<<15) || kdf["r"] != 8.0 || kdf["p"] != 1.0 {
		t.Fatalf("default kdf %v", kdf)
	}
	// A store with cheap options still loads it: parameters come from the file.
	s2, err := keystore.OpenWith(s.Dir(), cheap)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Load("d", pass); err != nil {
		t.Fatal(err)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		o  keystore.Options
		ok bool
	}{
		{keystore.DefaultOptions(), true},
		{cheap, true},
		{keystore.Options{ScryptN: 1 << 20, ScryptR: 8, ScryptP: 1}, true},
		{keystore.Options{}, false},
		{keystore.Options{ScryptN: 1 << 9, ScryptR: 8, ScryptP: 1}, false},
		{keystore.Options{ScryptN: 1<<15 + 1, ScryptR: 8, ScryptP: 1}, false},
		{keystore.Options{ScryptN: 1 << 21, ScryptR: 8, ScryptP: 1}, false},
		{keystore.Options{ScryptN: 1 << 20, ScryptR: 16, ScryptP: 1}, false}, // 2 GiB
		{keystore.Options{ScryptN: 1 << 15, ScryptR: 0, ScryptP: 1}, false},
		{keystore.Options{ScryptN: 1 << 15, ScryptR: 8, ScryptP: 0}, false},
		{keystore.Options{ScryptN: 1 << 15, ScryptR: 8, ScryptP: 17}, false},
		{keystore.Options{ScryptN: -1 << 15, ScryptR: 8, ScryptP: 1}, false},
	}
	for _, tt := range tests {
		err := tt.o.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tt.o, err, tt.ok)
		}
		if _, oerr := keystore.OpenWith(t.TempDir(), tt.o); (oerr == nil) != tt.ok {
			t.Errorf("OpenWith(%+v) = %v", tt.o, oerr)
		}
	}
}

func TestCorruptedFile(t *testing.T) {
	type mutation struct {
		name string
		edit func(m map[string]any) // nil: raw replaced by rawFn
		raw  func(b []byte) []byte
		// where the damage shows: Get (public read) or only Load
		getFails bool
		loadErr  error
	}
	other, _ := crypto.GenerateKey(crypto.SM2)
	flipHex := func(s string) string {
		b, _ := hex.DecodeString(s)
		b[len(b)/2] ^= 0x01
		return hex.EncodeToString(b)
	}
	kdf := func(m map[string]any) map[string]any { return m["kdf"].(map[string]any) }
	ciph := func(m map[string]any) map[string]any { return m["cipher"].(map[string]any) }
	muts := []mutation{
		{name: "empty file", raw: func([]byte) []byte { return nil }, getFails: true},
		{name: "not json", raw: func([]byte) []byte { return []byte("hello") }, getFails: true},
		{name: "truncated", raw: func(b []byte) []byte { return b[:len(b)/2] }, getFails: true},
		{name: "trailing data", raw: func(b []byte) []byte { return append(b, "{}"...) }, getFails: true},
		{name: "huge", raw: func(b []byte) []byte { return bytes.Repeat([]byte(" "), 1<<17) }, getFails: true},
		{name: "unknown field", edit: func(m map[string]any) { m["extra"] = 1 }, getFails: true},
		{name: "version 2", edit: func(m map[string]any) { m["version"] = 2 }, getFails: true},
		{name: "other name", edit: func(m map[string]any) { m["name"] = "someone" }, getFails: true},
		{name: "unknown algorithm", edit: func(m map[string]any) { m["algorithm"] = "rsa" }, getFails: true},
		{name: "public key not hex", edit: func(m map[string]any) { m["public_key"] = "zz" }, getFails: true},
		{name: "public key upper-case hex", edit: func(m map[string]any) { m["public_key"] = strings.ToUpper(m["public_key"].(string)) }, getFails: true},
		{name: "public key off curve", edit: func(m map[string]any) { m["public_key"] = flipHex(m["public_key"].(string)) }, getFails: true},
		{name: "no created", edit: func(m map[string]any) { delete(m, "created") }, getFails: true},
		{name: "unknown kdf", edit: func(m map[string]any) { kdf(m)["name"] = "pbkdf2" }, getFails: true},
		{name: "scrypt N too large", edit: func(m map[string]any) { kdf(m)["n"] = 1 << 30 }, getFails: true},
		{name: "scrypt N not a power of two", edit: func(m map[string]any) { kdf(m)["n"] = 1000 }, getFails: true},
		{name: "short salt", edit: func(m map[string]any) { kdf(m)["salt"] = "00" }, getFails: true},
		{name: "unknown cipher", edit: func(m map[string]any) { ciph(m)["name"] = "aes-128-cbc" }, getFails: true},
		{name: "short nonce", edit: func(m map[string]any) { ciph(m)["nonce"] = "0011" }, getFails: true},
		{name: "short ciphertext", edit: func(m map[string]any) { ciph(m)["ciphertext"] = "00" }, getFails: true},
		// Damage only decryption can see: reported as corruption, not as a
		// wrong passphrase.
		{name: "ciphertext bit flip", edit: func(m map[string]any) { ciph(m)["ciphertext"] = flipHex(ciph(m)["ciphertext"].(string)) }, loadErr: keystore.ErrCorrupt},
		{name: "nonce bit flip", edit: func(m map[string]any) { ciph(m)["nonce"] = flipHex(ciph(m)["nonce"].(string)) }, loadErr: keystore.ErrCorrupt},
		{name: "public key swapped", edit: func(m map[string]any) { m["public_key"] = hex.EncodeToString(other.Public().Bytes()) }, loadErr: keystore.ErrCorrupt},
		// Damage to what the passphrase check covers cannot be told from a
		// wrong passphrase.
		{name: "salt bit flip", edit: func(m map[string]any) { kdf(m)["salt"] = flipHex(kdf(m)["salt"].(string)) }, loadErr: keystore.ErrBadPassphrase},
		{name: "check bit flip", edit: func(m map[string]any) { kdf(m)["check"] = flipHex(kdf(m)["check"].(string)) }, loadErr: keystore.ErrBadPassphrase},
	}
	for _, mu := range muts {
		t.Run(mu.name, func(t *testing.T) {
			s := open(t)
			create(t, s, "victim", crypto.SM2)
			create(t, s, "bystander", crypto.Ed25519)
			path := filepath.Join(s.Dir(), "victim.key")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if mu.edit != nil {
				var m map[string]any
				if err := json.Unmarshal(b, &m); err != nil {
					t.Fatal(err)
				}
				mu.edit(m)
				if b, err = json.Marshal(m); err != nil {
					t.Fatal(err)
				}
			} else {
				b = mu.raw(b)
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}

			_, gerr := s.Get("victim")
			_, lerr := s.Load("victim", pass)
			if mu.getFails {
				if !errors.Is(gerr, keystore.ErrCorrupt) || !errors.Is(lerr, keystore.ErrCorrupt) {
					t.Fatalf("Get: %v; Load: %v; want ErrCorrupt", gerr, lerr)
				}
				if _, err := s.List(); !errors.Is(err, keystore.ErrCorrupt) || !strings.Contains(err.Error(), "victim") {
					t.Fatalf("List: %v", err)
				}
			} else {
				if gerr != nil {
					t.Fatalf("Get: %v", gerr)
				}
				if !errors.Is(lerr, mu.loadErr) {
					t.Fatalf("Load: %v, want %v", lerr, mu.loadErr)
				}
			}
			if lerr != nil && !strings.HasPrefix(lerr.Error(), "keystore: ") {
				t.Fatalf("error %q not prefixed", lerr)
			}
			// Other keys are unaffected.
			if _, err := s.Load("bystander", pass); err != nil {
				t.Fatalf("bystander: %v", err)
			}
		})
	}
}

func TestKeyFileIsADirectory(t *testing.T) {
	s := open(t)
	if err := os.Mkdir(filepath.Join(s.Dir(), "weird.key"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("weird"); err == nil {
		t.Fatal("Get of a directory succeeded")
	}
	// List skips what is not a regular file.
	if list, err := s.List(); err != nil || len(list) != 0 {
		t.Fatalf("List = %v, %v", list, err)
	}
}

func FuzzKeyFile(f *testing.F) {
	for _, alg := range crypto.Algorithms() {
		s := open(f)
		create(f, s, "k", alg)
		b, err := os.ReadFile(filepath.Join(s.Dir(), "k.key"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"version":1,"name":"k"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		st, err := keystore.OpenWith(dir, cheap)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "k.key"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Get("k"); err != nil && !errors.Is(err, keystore.ErrCorrupt) {
			t.Fatalf("Get: unexpected error %v", err)
		}
		_, err = st.Load("k", pass)
		if err != nil && !errors.Is(err, keystore.ErrCorrupt) && !errors.Is(err, keystore.ErrBadPassphrase) {
			t.Fatalf("Load: unexpected error %v", err)
		}
	})
}
