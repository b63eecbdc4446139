package contract

import (
	"encoding/hex"
	"fmt"

	"github.com/otcchain/otcchain/crypto"
)

// The client side of a contract document: who it is sealed for, sealing
// it, and opening and checking it. `otc contract` and the browser
// console's signer both use these; the chain only keeps the sealed
// document and its hash.

// ReaderTargets are whom a contract's document is sealed for, besides the
// regulator (member.KeySet.Recipients adds it): each party's people, or an
// investor party's own identity.
func ReaderTargets(parties []Party) []string {
	out := make([]string, len(parties))
	for i, p := range parties {
		out[i] = p.Org
		if p.Identity != "" {
			out[i] = p.Identity
		}
	}
	return out
}

// SealDocument hashes a document with the signer's algorithm (SHA-256, or
// SM3 for SM2) and seals it for readers, bound to the contract
// (DocumentAAD). It is refused above MaxDocumentBytes less the tag.
func SealDocument(alg crypto.Algorithm, contractID, name string, data []byte, readers []crypto.Recipient) (*Document, error) {
	if max := MaxDocumentBytes - 16; len(data) > max {
		return nil, fmt.Errorf("%s is %d bytes: at most %d bytes (512 KiB less 16) are kept on chain; keep a larger file in the data-exchange store and sign a document that references it by its hash", name, len(data), max)
	}
	env, err := crypto.Seal(crypto.ContentAlgFor(alg), data, DocumentAAD(contractID), readers)
	if err != nil {
		return nil, fmt.Errorf("seal %s: %w", name, err)
	}
	return &Document{Name: name, Size: int64(len(data)), Hash: hex.EncodeToString(crypto.Hash(alg, data)),
		HashAlg: crypto.HashName(alg), Envelope: env}, nil
}

// OpenDocument decrypts a version's document as identity me and checks
// that it has the recorded hash.
func OpenDocument(v *Version, me string, enc crypto.EncPrivateKey) ([]byte, error) {
	d := v.Document
	if d.Envelope == nil || !d.Envelope.HasRecipient(me) {
		return nil, fmt.Errorf("cannot decrypt: version %d of %s is not sealed for identity %s", v.N, v.Contract, me)
	}
	plain, err := crypto.Open(d.Envelope, DocumentAAD(v.Contract), me, enc)
	if err != nil {
		return nil, fmt.Errorf("cannot decrypt version %d of %s: %w", v.N, v.Contract, err)
	}
	alg, err := crypto.HashAlgorithm(d.HashAlg)
	if err != nil {
		return nil, err
	}
	if h := hex.EncodeToString(crypto.Hash(alg, plain)); h != d.Hash {
		return nil, fmt.Errorf("version %d of %s: the decrypted document's %s is %s, not the recorded %s", v.N, v.Contract, d.HashAlg, h, d.Hash)
	}
	return plain, nil
}
