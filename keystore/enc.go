package keystore

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/otcchain/otcchain/crypto"
)

// EncInfo is the public information about an encryption key. An identity
// key NAME may have one encryption key, stored as NAME.enc in the same
// format as key files (scrypt + AES-256-GCM, bound to the algorithm and
// public key), whose public part the identity registers on chain
// (member/set_encryption_key).
type EncInfo struct {
	Name      string              `json:"name"`
	Algorithm crypto.EncAlgorithm `json:"algorithm"`
	PublicKey string              `json:"public_key"` // hex of crypto.EncPublicKey.Bytes
	Created   time.Time           `json:"created"`
}

// CreateEncKey generates the encryption key of identity key name, of the
// kind its signature algorithm calls for (crypto.EncAlgorithmFor). The
// identity key must exist; an existing encryption key is not replaced
// (ErrExists).
func (s *Store) CreateEncKey(name string, passphrase []byte) (EncInfo, error) {
	if err := ValidName(name); err != nil {
		return EncInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kf, err := s.readKeyFile(name)
	if err != nil {
		return EncInfo{}, err
	}
	alg := crypto.EncAlgorithmFor(kf.alg)
	key, err := crypto.GenerateEncKey(alg)
	if err != nil {
		return EncInfo{}, fmt.Errorf("keystore: create encryption key %s: %w", name, err)
	}
	plain := key.Bytes()
	defer clear(plain)
	data, err := sealRaw(name, string(alg), hex.EncodeToString(key.Public().Bytes()), plain, passphrase,
		time.Now().UTC().Truncate(time.Second), s.opts)
	if err != nil {
		return EncInfo{}, err
	}
	if err := s.writeAtomic(s.path(name, EncSuffix), data, false); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return EncInfo{}, fmt.Errorf("%w: encryption key of %s", ErrExists, name)
		}
		return EncInfo{}, fmt.Errorf("keystore: store encryption key %s: %w", name, err)
	}
	return s.encInfo(name)
}

// EncKey returns the public information about name's encryption key
// (ErrNotFound if it has none).
func (s *Store) EncKey(name string) (EncInfo, error) {
	if err := ValidName(name); err != nil {
		return EncInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.encInfo(name)
}

// LoadEncKey decrypts name's encryption key.
func (s *Store) LoadEncKey(name string, passphrase []byte) (crypto.EncPrivateKey, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	kf, encAlg, pub, err := s.readEncFile(name)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return openEnc(kf, encAlg, pub, passphrase)
}

// openEnc decrypts an encryption key file and checks the key against the
// file's public key.
func openEnc(kf *keyFile, encAlg crypto.EncAlgorithm, pub, passphrase []byte) (crypto.EncPrivateKey, error) {
	plain, err := kf.openRaw(passphrase)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	key, err := crypto.EncPrivateKeyFromBytes(encAlg, plain)
	if err != nil {
		return nil, kf.fail("%v", err)
	}
	if !bytes.Equal(key.Public().Bytes(), pub) {
		return nil, kf.fail("decrypted key does not match the stored public key")
	}
	return key, nil
}

func (s *Store) encInfo(name string) (EncInfo, error) {
	kf, alg, _, err := s.readEncFile(name)
	if err != nil {
		return EncInfo{}, err
	}
	return EncInfo{Name: kf.Name, Algorithm: alg, PublicKey: kf.PublicKey, Created: kf.Created}, nil
}

func (s *Store) readEncFile(name string) (*keyFile, crypto.EncAlgorithm, []byte, error) {
	b, err := readLimited(s.path(name, EncSuffix))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil, fmt.Errorf("%w: no encryption key for %s", ErrNotFound, name)
	}
	if errors.Is(err, errBadFile) {
		return nil, "", nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("keystore: read %s%s: %w", name, EncSuffix, err)
	}
	kf, alg, pb, err := decodeEncFile(b)
	if err == nil && kf.Name != name {
		err = fmt.Errorf("holds key %q", kf.Name)
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("%w: %s%s: %v", ErrCorrupt, name, EncSuffix, err)
	}
	return kf, alg, pb, nil
}

// decodeEncFile reads an encryption key file's contents: the file, its
// algorithm and its public key, each checked.
func decodeEncFile(b []byte) (*keyFile, crypto.EncAlgorithm, []byte, error) {
	kf, pb, err := decodeFile(b, crypto.EncPrivateKeySize)
	if err != nil {
		return nil, "", nil, err
	}
	alg, err := crypto.ParseEncAlgorithm(kf.Algorithm)
	if err == nil {
		_, err = crypto.EncPublicKeyFromBytes(alg, pb)
	}
	if err != nil {
		return nil, "", nil, err
	}
	kf.suffix = EncSuffix
	return kf, alg, pb, nil
}
