package keystore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/otcchain/otcchain/crypto"
)

// TestOpenKeyFile: the bytes of a stored key file open to the same key as
// Store.Load, and a wrong passphrase or a damaged file gives the same errors.
func TestOpenKeyFile(t *testing.T) {
	s, err := OpenWith(t.TempDir(), Options{ScryptN: 1 << 10, ScryptR: 8, ScryptP: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range crypto.Algorithms() {
		name := "k-" + string(alg)
		if _, err := s.Create(name, alg, []byte("pass")); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(s.Dir(), name+KeySuffix))
		if err != nil {
			t.Fatal(err)
		}
		k, err := OpenKeyFile(b, []byte("pass"))
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		want, _ := s.Load(name, []byte("pass"))
		if !k.Public().Equal(want.Public()) {
			t.Fatalf("%s: other key", alg)
		}
		if _, err := OpenKeyFile(b, []byte("wrong")); !errors.Is(err, ErrBadPassphrase) {
			t.Fatalf("%s wrong passphrase: %v", alg, err)
		}
		bad := append([]byte(nil), b...)
		bad[len(bad)/2] ^= 1
		if _, err := OpenKeyFile(bad, []byte("pass")); err == nil {
			t.Fatalf("%s: damaged file opened", alg)
		}
	}
	if _, err := OpenKeyFile([]byte("not json"), []byte("pass")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := s.CreateEncKey("k-ed25519", []byte("pass")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(s.Dir(), "k-ed25519"+EncSuffix))
	if err != nil {
		t.Fatal(err)
	}
	ek, err := OpenEncKeyFile(b, []byte("pass"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.LoadEncKey("k-ed25519", []byte("pass"))
	if string(ek.Public().Bytes()) != string(want.Public().Bytes()) {
		t.Fatal("other encryption key")
	}
	if _, err := OpenEncKeyFile(b, []byte("wrong")); !errors.Is(err, ErrBadPassphrase) {
		t.Fatalf("enc wrong passphrase: %v", err)
	}
}

// FuzzOpenKeyFile: no file content makes opening panic, and what opens
// under a passphrase is a usable key.
func FuzzOpenKeyFile(f *testing.F) {
	f.Add([]byte(`{"name":"a","algorithm":"ed25519"}`), []byte("pass"))
	f.Add([]byte("not json"), []byte(""))
	f.Fuzz(func(t *testing.T, b, pass []byte) {
		if k, err := OpenKeyFile(b, pass); err == nil && k.Public() == nil {
			t.Fatal("opened a key without a public key")
		}
		_, _ = OpenEncKeyFile(b, pass)
	})
}
