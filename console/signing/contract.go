package signing

import (
	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/member"
)

// SealDocumentRequest seals a contract document (contract/create,
// contract/upload_version): the contract id, the file's name and bytes,
// the parties, and the readers' keys the page read from the public
// queries.
type SealDocumentRequest struct {
	Handle   int              `json:"handle"`
	Contract string           `json:"contract"`
	Name     string           `json:"name"`
	Data     []byte           `json:"data"`
	Parties  []contract.Party `json:"parties"`
	Keys     member.KeySet    `json:"keys"`
}

// SealDocument hashes and seals a document for every party's readers and
// the regulator, as otc contract create does.
func (s *Signer) SealDocument(r SealDocumentRequest) (*contract.Document, error) {
	id, err := s.get(r.Handle)
	if err != nil {
		return nil, err
	}
	if r.Contract == "" || r.Name == "" || len(r.Parties) == 0 {
		return nil, fail(CodeBadRequest, "a document needs the contract id, its file name and the parties")
	}
	if len(r.Data) > contract.MaxDocumentBytes-16 {
		return nil, fail(CodeFileTooLarge, "%s is %d bytes: at most %d (512 KiB less 16) are kept on chain; keep a larger file in data exchange and sign a document that names it by its hash", r.Name, len(r.Data), contract.MaxDocumentBytes-16)
	}
	readers, err := r.Keys.Recipients(contract.ReaderTargets(r.Parties))
	if err != nil {
		return nil, fail(CodeBadRequest, "the document cannot be sealed: %v", err)
	}
	d, err := contract.SealDocument(id.key.Algorithm(), r.Contract, r.Name, r.Data, readers)
	if err != nil {
		return nil, fail(CodeBadMessage, "%v", err)
	}
	return d, nil
}

// OpenDocumentRequest opens a version's document (contract/contracts/{id}/versions/{n}).
type OpenDocumentRequest struct {
	Handle  int               `json:"handle"`
	Version *contract.Version `json:"version"`
}

// OpenDocument decrypts a version's document and checks its hash.
func (s *Signer) OpenDocument(r OpenDocumentRequest) (map[string][]byte, error) {
	id, err := s.get(r.Handle)
	if err != nil {
		return nil, err
	}
	if id.enc == nil {
		return nil, fail(CodeNoEncKey, "opening a contract needs your encryption key: sign in again with NAME.enc chosen too")
	}
	if r.Version == nil || r.Version.Contract == "" {
		return nil, fail(CodeBadRequest, "the version is required")
	}
	b, err := contract.OpenDocument(r.Version, id.cert.ID, id.enc)
	if err != nil {
		return nil, fail(CodeBadFile, "%v", err)
	}
	return map[string][]byte{"data": b}, nil
}
