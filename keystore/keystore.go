package keystore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/scrypt"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/pki"
)

// Errors. Each is returned wrapped with detail; test with errors.Is.
var (
	ErrInvalidName   = errors.New("keystore: invalid key name")
	ErrNotFound      = errors.New("keystore: no such key")
	ErrExists        = errors.New("keystore: key already exists")
	ErrBadPassphrase = errors.New("keystore: wrong passphrase")
	ErrCorrupt       = errors.New("keystore: corrupted key file")
	ErrNoCertificate = errors.New("keystore: no certificate for key")
	ErrCertMismatch  = errors.New("keystore: certificate is not for this key")
)

// File name suffixes.
const (
	KeySuffix  = ".key"
	CertSuffix = ".crt"
	EncSuffix  = ".enc" // the encryption key that belongs to the identity key of the same name
)

const (
	fileVersion = 1
	kdfName     = "scrypt"
	cipherName  = "aes-256-gcm"
	saltSize    = 32
	nonceSize   = 12
	checkDomain = "otcchain/keystore/v1/check\x00"
	aadDomain   = "otcchain/keystore/v1/key\x00"
	maxFileSize = 64 << 10

	minScryptN   = 1 << 10
	maxScryptN   = 1 << 20
	maxScryptR   = 32
	maxScryptP   = 16
	maxScryptMem = 1 << 30 // 128 * N * r bytes
)

// Options are the scrypt parameters for new key files. Existing files keep
// the parameters they were written with.
type Options struct {
	ScryptN int // CPU/memory cost, a power of two in [2^10, 2^20]
	ScryptR int // block size, 1 to 32
	ScryptP int // parallelism, 1 to 16
}

// DefaultOptions are the parameters for real keys: N=2^15, r=8, p=1 (about
// 32 MiB and 100 ms per derivation).
func DefaultOptions() Options { return Options{ScryptN: 1 << 15, ScryptR: 8, ScryptP: 1} }

// Validate checks the parameters; it does not fill in defaults.
func (o Options) Validate() error {
	if err := checkScrypt(o.ScryptN, o.ScryptR, o.ScryptP); err != nil {
		return fmt.Errorf("keystore: options: %w", err)
	}
	return nil
}

func checkScrypt(n, r, p int) error {
	switch {
	case n < minScryptN || n > maxScryptN || n&(n-1) != 0:
		return fmt.Errorf("scrypt N=%d must be a power of two from %d to %d", n, minScryptN, maxScryptN)
	case r < 1 || r > maxScryptR:
		return fmt.Errorf("scrypt r=%d must be 1 to %d", r, maxScryptR)
	case p < 1 || p > maxScryptP:
		return fmt.Errorf("scrypt p=%d must be 1 to %d", p, maxScryptP)
	case 128*n*r > maxScryptMem:
		return fmt.Errorf("scrypt N=%d r=%d needs more than %d bytes", n, r, maxScryptMem)
	}
	return nil
}

// Info is the public information about a key.
type Info struct {
	Name       string           `json:"name"`
	Algorithm  crypto.Algorithm `json:"algorithm"`
	PublicKey  string           `json:"public_key"` // hex of crypto.PublicKey.Bytes
	Created    time.Time        `json:"created"`    // wall clock, UTC, whole seconds
	HasCert    bool             `json:"has_cert"`
	IdentityID string           `json:"identity_id,omitempty"` // id of the certificate, if any
}

// Store is a key directory. Its methods are safe for concurrent use within
// a process; across processes, creating a key is still never an overwrite.
type Store struct {
	dir  string
	opts Options
	mu   sync.Mutex
}

// Open opens (creating if needed) the store in dir with DefaultOptions.
func Open(dir string) (*Store, error) { return OpenWith(dir, DefaultOptions()) }

// OpenWith opens (creating if needed) the store in dir. The directory is
// created with mode 0700; an existing one that is open to group or others is
// restricted to 0700.
func OpenWith(dir string, opts Options) (*Store, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, errors.New("keystore: open: empty directory name")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keystore: open: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("keystore: open: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("keystore: open: %s is not a directory", dir)
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, fmt.Errorf("keystore: open: restrict permissions of %s: %w", dir, err)
		}
	}
	return &Store{dir: dir, opts: opts}, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// ValidName checks a key name: 1 to 64 of a-z, 0-9, '.', '_', '-'.
func ValidName(name string) error {
	if len(name) == 0 || len(name) > 64 {
		return fmt.Errorf("%w %q: must be 1 to 64 characters", ErrInvalidName, name)
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w %q: may contain only a-z, 0-9, '.', '_' and '-'", ErrInvalidName, name)
		}
	}
	if name == "." || name == ".." {
		return fmt.Errorf("%w %q", ErrInvalidName, name)
	}
	return nil
}

// Create generates a key of algorithm alg and stores it under name.
// It refuses (ErrExists) if name is taken.
func (s *Store) Create(name string, alg crypto.Algorithm, passphrase []byte) (Info, error) {
	if err := ValidName(name); err != nil {
		return Info{}, err
	}
	if _, err := crypto.ParseAlgorithm(string(alg)); err != nil {
		return Info{}, fmt.Errorf("keystore: create %s: %w", name, err)
	}
	key, err := crypto.GenerateKey(alg)
	if err != nil {
		return Info{}, fmt.Errorf("keystore: create %s: %w", name, err)
	}
	return s.put(name, key, passphrase, false)
}

// Import stores an existing key under name. It refuses (ErrExists) if name
// is taken.
func (s *Store) Import(name string, key crypto.PrivateKey, passphrase []byte) (Info, error) {
	return s.put(name, key, passphrase, false)
}

// Replace stores key under name whether or not the name is taken. Loading
// the old key and replacing it with itself changes the passphrase. A
// certificate that does not match the new key is deleted; one that matches
// is kept, and so is the creation time.
func (s *Store) Replace(name string, key crypto.PrivateKey, passphrase []byte) (Info, error) {
	return s.put(name, key, passphrase, true)
}

func (s *Store) put(name string, key crypto.PrivateKey, passphrase []byte, replace bool) (Info, error) {
	if err := ValidName(name); err != nil {
		return Info{}, err
	}
	if key == nil {
		return Info{}, fmt.Errorf("keystore: store %s: no key", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	pub := key.Public()
	created := time.Now().UTC().Truncate(time.Second)
	if replace {
		old, err := s.readKeyFile(name)
		switch {
		case err == nil && old.pub.Equal(pub):
			created = old.Created // same key: a passphrase change
		case err == nil, errors.Is(err, ErrNotFound), errors.Is(err, ErrCorrupt):
		default:
			return Info{}, err
		}
	} else if _, err := os.Lstat(s.path(name, KeySuffix)); err == nil {
		return Info{}, fmt.Errorf("%w: %s", ErrExists, name)
	}
	// A certificate for another key must not end up beside this one. It
	// goes first: after a crash, a key without its certificate (public, and
	// on chain) is better than a key beside someone else's certificate.
	if err := s.removeCertUnlessMatching(name, pub); err != nil {
		return Info{}, err
	}

	data, err := seal(name, key, passphrase, created, s.opts)
	if err != nil {
		return Info{}, err
	}
	if err := s.writeAtomic(s.path(name, KeySuffix), data, replace); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Info{}, fmt.Errorf("%w: %s", ErrExists, name)
		}
		return Info{}, fmt.Errorf("keystore: store %s: %w", name, err)
	}
	return s.info(name)
}

// Delete removes a key and its certificate.
func (s *Store) Delete(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := os.Lstat(s.path(name, KeySuffix)); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err := s.removeIfExists(s.path(name, CertSuffix)); err != nil {
		return err
	}
	if err := s.removeIfExists(s.path(name, EncSuffix)); err != nil {
		return err
	}
	if err := s.removeIfExists(s.path(name, KeySuffix)); err != nil {
		return err
	}
	return syncDir(s.dir)
}

// List returns the keys in name order. A damaged file makes it fail with an
// error naming the key.
func (s *Store) List() ([]Info, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("keystore: list: %w", err)
	}
	var out []Info
	for _, e := range entries { // sorted by file name, hence by key name
		name, ok := strings.CutSuffix(e.Name(), KeySuffix)
		if !ok || !e.Type().IsRegular() || ValidName(name) != nil {
			continue
		}
		info, err := s.info(name)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// Get returns the public information about a key (ErrNotFound if there is
// none).
func (s *Store) Get(name string) (Info, error) {
	if err := ValidName(name); err != nil {
		return Info{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.info(name)
}

// Load decrypts a key. A wrong passphrase gives ErrBadPassphrase; a damaged
// file ErrCorrupt.
func (s *Store) Load(name string, passphrase []byte) (crypto.PrivateKey, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	kf, err := s.readKeyFile(name)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return kf.open(passphrase)
}

// SetCertificate stores the certificate (PEM or DER) of a key, replacing any
// previous one. The certificate must parse (package pki) and certify the
// key's public key (ErrCertMismatch).
func (s *Store) SetCertificate(name string, pemOrDER []byte) error {
	if err := ValidName(name); err != nil {
		return err
	}
	cert, err := pki.Parse(pemOrDER)
	if err != nil {
		return fmt.Errorf("keystore: certificate for %s: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kf, err := s.readKeyFile(name)
	if err != nil {
		return err
	}
	if !cert.PublicKey.Equal(kf.pub) {
		return fmt.Errorf("%w: %s (certificate %q of %q)", ErrCertMismatch, name, cert.Name, cert.Org)
	}
	if err := s.writeAtomic(s.path(name, CertSuffix), cert.PEM(), true); err != nil {
		return fmt.Errorf("keystore: certificate for %s: %w", name, err)
	}
	return nil
}

// Certificate returns the PEM certificate of a key (ErrNoCertificate if
// none has been set, ErrNotFound if there is no such key).
func (s *Store) Certificate(name string) ([]byte, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.readKeyFile(name); err != nil {
		return nil, err
	}
	b, err := readLimited(s.path(name, CertSuffix))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoCertificate, name)
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: certificate for %s: %w", name, err)
	}
	return b, nil
}

// ---- internals; callers hold s.mu

func (s *Store) path(name, suffix string) string { return filepath.Join(s.dir, name+suffix) }

func (s *Store) info(name string) (Info, error) {
	kf, err := s.readKeyFile(name)
	if err != nil {
		return Info{}, err
	}
	info := Info{Name: kf.Name, Algorithm: kf.alg, PublicKey: kf.PublicKey, Created: kf.Created}
	cert, err := s.readCert(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return Info{}, err
	default:
		info.HasCert, info.IdentityID = true, cert.ID
	}
	return info, nil
}

func (s *Store) readCert(name string) (*pki.Certificate, error) {
	b, err := readLimited(s.path(name, CertSuffix))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, err
	case errors.Is(err, errBadFile):
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	case err != nil:
		return nil, fmt.Errorf("keystore: certificate for %s: %w", name, err)
	}
	cert, err := pki.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate file %s%s: %v", ErrCorrupt, name, CertSuffix, err)
	}
	return cert, nil
}

// removeCertUnlessMatching deletes name's certificate file unless it
// certifies pub.
func (s *Store) removeCertUnlessMatching(name string, pub crypto.PublicKey) error {
	cert, err := s.readCert(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && cert.PublicKey.Equal(pub) {
		return nil
	}
	return s.removeIfExists(s.path(name, CertSuffix))
}

func (s *Store) removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keystore: %w", err)
	}
	return nil
}

func (s *Store) readKeyFile(name string) (*keyFile, error) {
	b, err := readLimited(s.path(name, KeySuffix))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if errors.Is(err, errBadFile) {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: read %s: %w", name, err)
	}
	kf, err := decodeKeyFile(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s%s: %v", ErrCorrupt, name, KeySuffix, err)
	}
	if kf.Name != name {
		return nil, fmt.Errorf("%w: %s%s holds key %q", ErrCorrupt, name, KeySuffix, kf.Name)
	}
	return kf, nil
}

// errBadFile marks a file that cannot be a key or certificate file.
var errBadFile = errors.New("unusable file")

// readLimited reads a small regular file.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", errBadFile, filepath.Base(path))
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", errBadFile, filepath.Base(path), maxFileSize)
	}
	return b, nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory. Without replace, an existing path is never overwritten (the
// temporary file is hard-linked into place, which fails if path exists).
func (s *Store) writeAtomic(path string, data []byte, replace bool) (err error) {
	f, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if rerr := os.Remove(tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
			err = rerr
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if replace {
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
		return syncDir(s.dir)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// A file system without hard links: check, then rename.
		if _, serr := os.Lstat(path); serr == nil {
			return fs.ErrExist
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return syncDir(s.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("keystore: sync %s: %w", dir, err)
	}
	return nil
}

// ---- file format

type keyFile struct {
	Version   int           `json:"version"`
	Name      string        `json:"name"`
	Algorithm string        `json:"algorithm"`
	PublicKey string        `json:"public_key"`
	Created   time.Time     `json:"created"`
	KDF       kdfSection    `json:"kdf"`
	Cipher    cipherSection `json:"cipher"`

	alg    crypto.Algorithm // signing key files
	pub    crypto.PublicKey
	suffix string // KeySuffix or EncSuffix, for messages
}

type kdfSection struct {
	Name  string `json:"name"`
	N     int    `json:"n"`
	R     int    `json:"r"`
	P     int    `json:"p"`
	Salt  string `json:"salt"`
	Check string `json:"check"` // hex SHA-256(domain || derived[32:64])
}

type cipherSection struct {
	Name       string `json:"name"`
	Nonce      string `json:"nonce"`
	Ciphertext string `json:"ciphertext"`
}

func seal(name string, key crypto.PrivateKey, passphrase []byte, created time.Time, o Options) ([]byte, error) {
	alg := key.Algorithm()
	if _, err := crypto.ParseAlgorithm(string(alg)); err != nil {
		return nil, fmt.Errorf("keystore: store %s: %w", name, err)
	}
	plain := key.Bytes()
	defer clear(plain)
	return sealRaw(name, string(alg), hex.EncodeToString(key.Public().Bytes()), plain, passphrase, created, o)
}

// sealRaw encrypts a private key's bytes into a key file; alg and pubHex are
// bound to the ciphertext.
func sealRaw(name, alg, pubHex string, plain, passphrase []byte, created time.Time, o Options) ([]byte, error) {
	salt := make([]byte, saltSize)
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("keystore: random: %w", err)
	}
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("keystore: random: %w", err)
	}
	dk, err := scrypt.Key(passphrase, salt, o.ScryptN, o.ScryptR, o.ScryptP, 64)
	if err != nil {
		return nil, fmt.Errorf("keystore: scrypt: %w", err)
	}
	defer clear(dk)
	aead, err := newAEAD(dk[:32])
	if err != nil {
		return nil, err
	}
	kf := keyFile{
		Version:   fileVersion,
		Name:      name,
		Algorithm: alg,
		PublicKey: pubHex,
		Created:   created,
		KDF: kdfSection{
			Name: kdfName, N: o.ScryptN, R: o.ScryptR, P: o.ScryptP,
			Salt: hex.EncodeToString(salt), Check: hex.EncodeToString(checkValue(dk)),
		},
		Cipher: cipherSection{
			Name:       cipherName,
			Nonce:      hex.EncodeToString(nonce),
			Ciphertext: hex.EncodeToString(aead.Seal(nil, nonce, plain, aad(alg, pubHex))),
		},
	}
	out, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("keystore: encode: %w", err)
	}
	return append(out, '\n'), nil
}

func (kf *keyFile) open(passphrase []byte) (crypto.PrivateKey, error) {
	plain, err := kf.openRaw(passphrase)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	key, err := crypto.PrivateKeyFromBytes(kf.alg, plain)
	if err != nil {
		return nil, kf.fail("%v", err)
	}
	if !key.Public().Equal(kf.pub) {
		return nil, kf.fail("decrypted key does not match the stored public key")
	}
	return key, nil
}

func (kf *keyFile) fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s%s: %s", ErrCorrupt, kf.Name, kf.suffix, fmt.Sprintf(format, args...))
}

// openRaw decrypts the private key bytes.
func (kf *keyFile) openRaw(passphrase []byte) ([]byte, error) {
	fail := kf.fail
	salt, _ := hex.DecodeString(kf.KDF.Salt) // checked by decodeKeyFile
	check, _ := hex.DecodeString(kf.KDF.Check)
	nonce, _ := hex.DecodeString(kf.Cipher.Nonce)
	ct, _ := hex.DecodeString(kf.Cipher.Ciphertext)
	dk, err := scrypt.Key(passphrase, salt, kf.KDF.N, kf.KDF.R, kf.KDF.P, 64)
	if err != nil {
		return nil, fail("scrypt: %v", err)
	}
	defer clear(dk)
	if subtle.ConstantTimeCompare(checkValue(dk), check) != 1 {
		return nil, fmt.Errorf("%w for key %s", ErrBadPassphrase, kf.Name)
	}
	aead, err := newAEAD(dk[:32])
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, nonce, ct, aad(kf.Algorithm, kf.PublicKey))
	if err != nil {
		return nil, fail("the passphrase is right but the encrypted key or its algorithm or public key was altered")
	}
	return plain, nil
}

func decodeKeyFile(b []byte) (*keyFile, error) {
	kf, pb, err := decodeFile(b, crypto.PrivateKeySize)
	if err != nil {
		return nil, err
	}
	alg, err := crypto.ParseAlgorithm(kf.Algorithm)
	if err != nil {
		return nil, err
	}
	pub, err := crypto.PublicKeyFromBytes(alg, pb)
	if err != nil {
		return nil, err
	}
	kf.alg, kf.pub, kf.suffix = alg, pub, KeySuffix
	return kf, nil
}

// decodeFile checks the parts common to signing and encryption key files and
// returns the public key bytes; the caller checks the algorithm and key.
func decodeFile(b []byte, privSize int) (*keyFile, []byte, error) {
	var kf keyFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kf); err != nil {
		return nil, nil, fmt.Errorf("bad JSON: %v", err)
	}
	if dec.More() {
		return nil, nil, errors.New("trailing data after JSON")
	}
	if kf.Version != fileVersion {
		return nil, nil, fmt.Errorf("unsupported version %d", kf.Version)
	}
	if err := ValidName(kf.Name); err != nil {
		return nil, nil, err
	}
	pb, err := hex.DecodeString(kf.PublicKey)
	if err != nil || hex.EncodeToString(pb) != kf.PublicKey {
		return nil, nil, errors.New("public key is not lowercase hex")
	}
	if kf.Created.IsZero() {
		return nil, nil, errors.New("no creation time")
	}
	if kf.KDF.Name != kdfName {
		return nil, nil, fmt.Errorf("unsupported key derivation %q", kf.KDF.Name)
	}
	if err := checkScrypt(kf.KDF.N, kf.KDF.R, kf.KDF.P); err != nil {
		return nil, nil, err
	}
	if kf.Cipher.Name != cipherName {
		return nil, nil, fmt.Errorf("unsupported cipher %q", kf.Cipher.Name)
	}
	for _, f := range []struct {
		what, hex string
		size      int
	}{
		{"salt", kf.KDF.Salt, saltSize},
		{"check", kf.KDF.Check, sha256.Size},
		{"nonce", kf.Cipher.Nonce, nonceSize},
		{"ciphertext", kf.Cipher.Ciphertext, privSize + 16},
	} {
		v, err := hex.DecodeString(f.hex)
		if err != nil || len(v) != f.size {
			return nil, nil, fmt.Errorf("%s must be %d bytes of hex", f.what, f.size)
		}
	}
	return &kf, pb, nil
}

func checkValue(dk []byte) []byte {
	h := sha256.New()
	h.Write([]byte(checkDomain))
	h.Write(dk[32:64])
	return h.Sum(nil)
}

func aad(alg, pubHex string) []byte {
	return []byte(aadDomain + alg + "\x00" + pubHex)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keystore: aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keystore: gcm: %w", err)
	}
	return aead, nil
}
