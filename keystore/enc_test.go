package keystore_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/keystore"
)

func TestEncryptionKeys(t *testing.T) {
	dir := t.TempDir()
	ks, err := keystore.OpenWith(dir, keystore.Options{ScryptN: 1 << 10, ScryptR: 8, ScryptP: 1})
	if err != nil {
		t.Fatal(err)
	}
	pass := []byte("pw")
	want := map[crypto.Algorithm]crypto.EncAlgorithm{crypto.Ed25519: crypto.X25519, crypto.P256: crypto.P256ECDH, crypto.SM2: crypto.SM2Enc}
	for sig, enc := range want {
		name := "k-" + string(sig)
		if _, err := ks.CreateEncKey(name, pass); !errors.Is(err, keystore.ErrNotFound) {
			t.Fatalf("encryption key without an identity key: %v", err)
		}
		if _, err := ks.Create(name, sig, pass); err != nil {
			t.Fatal(err)
		}
		if _, err := ks.EncKey(name); !errors.Is(err, keystore.ErrNotFound) {
			t.Fatalf("before creation: %v", err)
		}
		info, err := ks.CreateEncKey(name, pass)
		if err != nil {
			t.Fatal(err)
		}
		if info.Algorithm != enc {
			t.Fatalf("%s identity got a %s encryption key", sig, info.Algorithm)
		}
		if _, err := ks.CreateEncKey(name, pass); !errors.Is(err, keystore.ErrExists) {
			t.Fatalf("second encryption key: %v", err)
		}
		key, err := ks.LoadEncKey(name, pass)
		if err != nil {
			t.Fatal(err)
		}
		// The stored key opens what was sealed to its public part.
		env, err := crypto.Seal(crypto.ContentAES256GCM, []byte("secret"), []byte("aad"), []crypto.Recipient{{ID: name, Key: key.Public()}})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := crypto.Open(env, []byte("aad"), name, key); err != nil || string(got) != "secret" {
			t.Fatalf("open: %q %v", got, err)
		}
		if _, err := ks.LoadEncKey(name, []byte("wrong")); !errors.Is(err, keystore.ErrBadPassphrase) {
			t.Fatalf("wrong passphrase: %v", err)
		}
		st, err := os.Stat(filepath.Join(dir, name+keystore.EncSuffix))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("encryption key file mode: %v %v", st.Mode(), err)
		}
	}
	// A damaged file is reported as such; deleting the key removes it.
	p := filepath.Join(dir, "k-ed25519"+keystore.EncSuffix)
	if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.LoadEncKey("k-ed25519", pass); !errors.Is(err, keystore.ErrCorrupt) {
		t.Fatalf("damaged file: %v", err)
	}
	if err := ks.Delete("k-ed25519"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("encryption key left behind: %v", err)
	}
}
