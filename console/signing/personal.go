package signing

import (
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/member"
)

// Codes of sealing: the identity's encryption key file was not opened;
// the personal data is not of a valid form (fund.CheckPersonal).
const (
	CodeNoEncKey    = "no_encryption_key"
	CodeBadPersonal = "bad_personal_data"
)

// SealRequest seals an investor's personal data at registration (KYC) in
// the browser: the channel's identity (handle, opened with its NAME.enc),
// the investor number, the data, and what the page read from the public
// queries: the regulator organisations with their identities' encryption
// keys (member/orgs, member/orgs/{id}/encryption-keys) and, when the
// investor has an identity, its record (GET /v1/identities/{id}). The
// recipients are chosen by fund.RegistrationRecipients, as the CLI does.
type SealRequest struct {
	Handle     int               `json:"handle"`
	Investor   string            `json:"investor"`
	Data       fund.PersonalData `json:"data"`
	Regulators []fund.OrgKeys    `json:"regulators"`
	Identity   *member.Record    `json:"identity,omitempty"`
}

// Sealed is the sealed data for fund/register_investor: the envelope, its
// commitment and the commitment's hash, and who can open it.
type Sealed struct {
	Personal   *crypto.Envelope `json:"personal"`
	Commitment string           `json:"commitment"`
	CommitAlg  string           `json:"commit_alg"`
	Recipients []string         `json:"recipients"`
}

// SealPersonal seals r.Data for the registration recipients.
func (s *Signer) SealPersonal(r SealRequest) (*Sealed, error) {
	id, err := s.get(r.Handle)
	if err != nil {
		return nil, err
	}
	if id.enc == nil {
		return nil, fail(CodeNoEncKey, "registering personal data needs your encryption key: sign in again with NAME.enc chosen too")
	}
	if r.Investor == "" {
		return nil, fail(CodeBadRequest, "the investor number is required")
	}
	if err := fund.CheckPersonal(r.Data); err != nil {
		return nil, fail(CodeBadPersonal, "%v", err)
	}
	if r.Identity != nil && r.Identity.Role != "investor" {
		return nil, fail(CodeBadRequest, "identity %s is a %s, not an investor", r.Identity.ID, r.Identity.Role)
	}
	recips, err := fund.RegistrationRecipients(crypto.Recipient{ID: id.cert.ID, Key: id.enc.Public()}, r.Regulators, r.Identity)
	if err != nil {
		return nil, fail(CodeBadRequest, "%v", err)
	}
	env, commitment, alg, err := fund.SealPersonal(id.key.Algorithm(), r.Investor, r.Data, recips)
	if err != nil {
		return nil, fail(CodeBadMessage, "seal: %v", err)
	}
	out := &Sealed{Personal: env, Commitment: commitment, CommitAlg: alg}
	for _, rc := range recips {
		out.Recipients = append(out.Recipients, rc.ID)
	}
	return out, nil
}

// IDType is an identity document type the KYC form offers.
type IDType struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// IDTypes are fund.IDTypes, the document types fund.CheckPersonal accepts.
func IDTypes() []IDType {
	out := make([]IDType, len(fund.IDTypes))
	for i, t := range fund.IDTypes {
		out[i] = IDType{Type: t.Type, Name: t.Name}
	}
	return out
}
