package signing

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/member"
)

// Codes of file exchange in the signer: the file does not fit the
// browser's limit; the record's content does not open or check.
const (
	CodeFileTooLarge = "file_too_large"
	CodeBadFile      = "bad_file"
)

// MaxBrowserFile bounds a file sent or received in the browser: it is
// held in the page's memory (twice, plain and encrypted). Larger files go
// with otc exchange, which streams from disk.
const MaxBrowserFile = 64 << 20

// SealFileRequest seals a file for exchange/send: the record's id, name,
// category, recipients and parents (in Send), the file's bytes, and the
// readers' keys the page read from the public queries.
type SealFileRequest struct {
	Handle  int           `json:"handle"`
	ChainID string        `json:"chain_id"`
	Send    exchange.Send `json:"send"`
	Data    []byte        `json:"data"`
	Keys    member.KeySet `json:"keys"`
}

// SealedFile is the message to send and, for a file whose encrypted
// stream is larger than exchange.MaxInlineBytes, the stream to upload
// first (PUT /v1/blobs/{blob_hash}); the page then sets send.blob.
type SealedFile struct {
	Send      *exchange.Send `json:"send"`
	Encrypted []byte         `json:"encrypted,omitempty"`
	BlobHash  string         `json:"blob_hash,omitempty"`
	Readers   []string       `json:"readers"`
}

// SealFile hashes, signs and encrypts a file as exchange.SealFile does for
// otc exchange send.
func (s *Signer) SealFile(r SealFileRequest) (*SealedFile, error) {
	id, err := s.get(r.Handle)
	if err != nil {
		return nil, err
	}
	if id.enc == nil {
		return nil, fail(CodeNoEncKey, "sending a file needs your encryption key (you can read what you sent): sign in again with NAME.enc chosen too")
	}
	if r.ChainID == "" {
		return nil, fail(CodeBadRequest, "chain_id is required")
	}
	if len(r.Data) > MaxBrowserFile {
		return nil, fail(CodeFileTooLarge, "the file is %d bytes; the console sends up to %d (64 MiB): use otc exchange send for larger files", len(r.Data), MaxBrowserFile)
	}
	readers, err := exchange.Readers(crypto.Recipient{ID: id.cert.ID, Key: id.enc.Public()}, r.Send.Recipients, r.Keys)
	if err != nil {
		return nil, fail(CodeBadRequest, "%v", err)
	}
	v := r.Send
	v.Inline, v.Blob = nil, nil
	enc, err := exchange.SealFile(r.ChainID, id.key, &v, r.Data, readers)
	if err != nil {
		return nil, fail(CodeBadMessage, "%v", err)
	}
	out := &SealedFile{Send: &v}
	for _, rd := range readers {
		out.Readers = append(out.Readers, rd.ID)
	}
	if len(enc) <= exchange.MaxInlineBytes {
		v.Inline = enc
		if err := v.Validate(); err != nil {
			return nil, fail(CodeBadMessage, "not sent: %v", err)
		}
		return out, nil
	}
	sum := sha256.Sum256(enc)
	out.Encrypted, out.BlobHash = enc, hex.EncodeToString(sum[:])
	return out, nil
}

// OpenFileRequest opens a received file: the record (exchange/records/{id}),
// its blob's bytes when it has no inline content, and the sender's
// identity record (GET /v1/identities/{sender}).
type OpenFileRequest struct {
	Handle    int              `json:"handle"`
	ChainID   string           `json:"chain_id"`
	Record    *exchange.Record `json:"record"`
	Encrypted []byte           `json:"encrypted,omitempty"`
	Sender    *member.Record   `json:"sender"`
}

// OpenFile decrypts and checks a received file (exchange.OpenFile): the
// sender's signature, then the plaintext's size and hash.
func (s *Signer) OpenFile(r OpenFileRequest) (map[string][]byte, error) {
	id, err := s.get(r.Handle)
	if err != nil {
		return nil, err
	}
	if id.enc == nil {
		return nil, fail(CodeNoEncKey, "opening a file needs your encryption key: sign in again with NAME.enc chosen too")
	}
	if r.Record == nil || r.ChainID == "" {
		return nil, fail(CodeBadRequest, "the record and chain_id are required")
	}
	if r.Record.Size > MaxBrowserFile {
		return nil, fail(CodeFileTooLarge, "the file is %d bytes; the console opens up to %d (64 MiB): use otc exchange receive", r.Record.Size, MaxBrowserFile)
	}
	b, err := exchange.OpenFile(r.ChainID, r.Record, r.Encrypted, id.cert.ID, id.enc, r.Sender)
	if err != nil {
		return nil, fail(CodeBadFile, "%v", err)
	}
	return map[string][]byte{"data": b}, nil
}
