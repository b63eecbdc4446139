package exchange

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
)

// The client side of a file exchange: who a file is sealed for, sealing
// it, and opening and checking it. `otc exchange` and the browser
// console's signer both use these; neither the chain nor the node runs
// them (a file is encrypted before it leaves the sender's machine).

// Readers are the identities a file to recipients is sealed for: the
// sender, and the recipients' and the regulator's readers
// (member.KeySet.Recipients).
func Readers(sender crypto.Recipient, recipients []string, keys member.KeySet) ([]crypto.Recipient, error) {
	rs, err := keys.Recipients(recipients)
	if err != nil {
		return nil, fmt.Errorf("cannot seal the file: %w", err)
	}
	return crypto.UniqueRecipients(append([]crypto.Recipient{sender}, rs...)), nil
}

// SealFile fills v from the file's bytes for the sender's key: the hash
// (SHA-256, or SM3 for an SM2 sender), the size, the sender's signature of
// FileStatement, and the content key sealed for readers; it returns the
// encrypted stream (crypto.EncryptStream under a fresh content key). The
// caller puts the stream in v.Inline when it is at most MaxInlineBytes, or
// stores it as a blob and sets v.Blob. v.ID and v.Name must be set.
func SealFile(chainID string, key crypto.PrivateKey, v *Send, data []byte, readers []crypto.Recipient) ([]byte, error) {
	if v.ID == "" || v.Name == "" {
		return nil, errors.New("the record id and the file name are required")
	}
	alg := key.Algorithm()
	v.HashAlg = crypto.HashName(alg)
	v.Hash = hex.EncodeToString(crypto.Hash(alg, data))
	v.Size = int64(len(data))
	if crypto.StreamSize(v.Size) > MaxBlobBytes {
		return nil, fmt.Errorf("the file is too large: its encrypted stream would exceed %d bytes", int64(MaxBlobBytes))
	}
	content := crypto.ContentAlgFor(alg)
	ck, err := crypto.NewContentKey(content)
	if err != nil {
		return nil, err
	}
	defer clear(ck)
	aad := ContentAAD(v.ID)
	if v.Key, err = crypto.Seal(content, ck, aad, readers); err != nil {
		return nil, fmt.Errorf("seal the content key: %w", err)
	}
	sig, err := key.Sign(FileStatement(chainID, v.ID, v.HashAlg, v.Hash, v.Size, v.Name))
	if err != nil {
		return nil, fmt.Errorf("sign the file statement: %w", err)
	}
	v.Signature = hex.EncodeToString(sig)
	var buf bytes.Buffer
	if _, err := crypto.EncryptStream(&buf, bytes.NewReader(data), content, ck, aad); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return buf.Bytes(), nil
}

// CheckSignature verifies a record's sender signature with the sender's
// registered key.
func CheckSignature(chainID string, r *Record, sender *member.Record) error {
	if sender == nil || sender.ID != r.Sender {
		return fmt.Errorf("record %s: the sender's identity record %s was not given", r.ID, r.Sender)
	}
	alg, err := crypto.ParseAlgorithm(sender.Algorithm)
	if err != nil {
		return err
	}
	pub, err := crypto.PublicKeyFromBytes(alg, sender.PublicKey)
	if err != nil {
		return fmt.Errorf("the sender's key: %w", err)
	}
	sig, err := hex.DecodeString(r.Signature)
	if err != nil || !pub.Verify(FileStatement(chainID, r.ID, r.HashAlg, r.Hash, r.Size, r.Name), sig) {
		return fmt.Errorf("record %s: the sender's signature does NOT verify with %s's registered key", r.ID, r.Sender)
	}
	return nil
}

// ContentKey opens a record's content key as identity me.
func ContentKey(r *Record, me string, enc crypto.EncPrivateKey) ([]byte, error) {
	if r.Key == nil || !r.Key.HasRecipient(me) {
		return nil, fmt.Errorf("cannot decrypt record %s: its content key is not sealed for identity %s", r.ID, me)
	}
	key, err := crypto.Open(r.Key, ContentAAD(r.ID), me, enc)
	if err != nil {
		return nil, fmt.Errorf("cannot open the content key of record %s: %w", r.ID, err)
	}
	return key, nil
}

// OpenFile decrypts a record's encrypted stream (its inline content, or
// the blob's bytes) as identity me and checks it: the sender's signature
// first, then the plaintext's size and hash against the record.
func OpenFile(chainID string, r *Record, encrypted []byte, me string, enc crypto.EncPrivateKey, sender *member.Record) ([]byte, error) {
	key, err := ContentKey(r, me, enc)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	if err := CheckSignature(chainID, r, sender); err != nil {
		return nil, err
	}
	if encrypted == nil {
		encrypted = r.Inline
	}
	var out bytes.Buffer
	if _, err := crypto.DecryptStream(&out, bytes.NewReader(encrypted), r.Key.Cipher, key, ContentAAD(r.ID)); err != nil {
		return nil, fmt.Errorf("record %s: the encrypted content does not decrypt: %w", r.ID, err)
	}
	b := out.Bytes()
	alg, err := crypto.HashAlgorithm(r.HashAlg)
	if err != nil {
		return nil, err
	}
	if got := hex.EncodeToString(crypto.Hash(alg, b)); int64(len(b)) != r.Size || got != r.Hash {
		return nil, fmt.Errorf("record %s: the decrypted file is %d bytes with %s %s, the record says %d bytes with %s", r.ID, len(b), r.HashAlg, got, r.Size, r.Hash)
	}
	return b, nil
}
