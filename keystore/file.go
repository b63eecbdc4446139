package keystore

import (
	"fmt"

	"github.com/otcchain/otcchain/crypto"
)

// OpenKeyFile decrypts the contents of a NAME.key file held in memory (for
// example one the user picked in the browser console, where there is no
// store directory). It checks exactly what Store.Load checks: a wrong
// passphrase gives ErrBadPassphrase, anything else wrong ErrCorrupt.
func OpenKeyFile(b, passphrase []byte) (crypto.PrivateKey, error) {
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%w: key file larger than %d bytes", ErrCorrupt, maxFileSize)
	}
	kf, err := decodeKeyFile(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	kf.suffix = KeySuffix
	return kf.open(passphrase)
}

// OpenEncKeyFile decrypts the contents of a NAME.enc file (an identity's
// encryption key) held in memory. Errors as OpenKeyFile.
func OpenEncKeyFile(b, passphrase []byte) (crypto.EncPrivateKey, error) {
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%w: encryption key file larger than %d bytes", ErrCorrupt, maxFileSize)
	}
	kf, alg, pub, err := decodeEncFile(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return openEnc(kf, alg, pub, passphrase)
}
