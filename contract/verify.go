package contract

import (
	"fmt"
	"strconv"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
)

// Report is the verification report of a file: the contract versions whose
// document has the file's hash, each with every signature checked again
// against the chain's records.
type Report struct {
	HashAlg string          `json:"hash_alg"`
	Hash    string          `json:"hash"`
	Found   bool            `json:"found"`
	Matches []VersionReport `json:"matches"`
}

// VersionReport verifies one version.
type VersionReport struct {
	Contract        string           `json:"contract"`
	Type            string           `json:"type"`
	Title           string           `json:"title"`
	Version         int              `json:"version"`
	VersionStatus   string           `json:"version_status"`
	ContractStatus  string           `json:"contract_status"`
	InForce         bool             `json:"in_force"`
	DocumentMatches bool             `json:"document_matches"` // the file's hash is the version's recorded hash
	Parties         []Party          `json:"parties"`
	AllSigned       bool             `json:"all_parties_signed"`
	Signatures      []SignatureCheck `json:"signatures"`
	Article13       []Condition      `json:"article13"`
	Valid           bool             `json:"valid"` // everything above holds
}

// SignatureCheck is one signature checked again.
type SignatureCheck struct {
	Signature
	SignatureValid     bool   `json:"signature_valid"`
	CertIssuedByOrgCA  bool   `json:"cert_issued_by_org_ca"`
	CertValidAtSigning bool   `json:"cert_valid_at_signing"`
	UnrevokedAtSigning bool   `json:"unrevoked_at_signing"`
	RevokedLater       string `json:"revoked_later,omitempty"` // "height N: reason" when revoked after signing
	SealRegistered     bool   `json:"seal_registered_at_signing,omitempty"`
	SealUnrevoked      bool   `json:"seal_unrevoked_at_signing,omitempty"`
	SealSignatureValid bool   `json:"seal_signature_valid,omitempty"`
	SealImageHash      string `json:"seal_image_hash,omitempty"`
	Receipt            string `json:"receipt"` // API path of the signing tx's receipt (verifiable offline)
	OK                 bool   `json:"ok"`
	Problem            string `json:"problem,omitempty"`
}

// Condition is one of the four conditions of the Electronic Signature Law
// article 13 for a reliable electronic signature, and how it is met.
type Condition struct {
	Condition string `json:"condition"`
	Met       bool   `json:"met"`
	How       string `json:"how"`
}

// Verify builds the verification report of a file by its hash: every
// contract version whose document has that hash, with each signature
// verified again against the signer's certificate as registered on chain,
// the certificate's validity and revocation at the signing height, and the
// seal's registration. It reads only committed state, so anyone with a
// node (and the report's receipts) can repeat it.
func Verify(kv, members module.KVReader, chainID, today, alg, hash string) (*Report, error) {
	if alg != "sha256" && alg != "sm3" {
		return nil, ErrInvalidRequest.Wrapf("hash algorithm must be sha256 or sm3")
	}
	if !validHash(hash) {
		return nil, ErrInvalidRequest.Wrapf("hash must be 64 lowercase hex characters")
	}
	r := &Report{HashAlg: alg, Hash: hash, Matches: []VersionReport{}}
	pre := docHashPrefix(alg, hash)
	type hit struct {
		id string
		n  int
	}
	var hits []hit
	if err := iterate(kv, pre, func(k, _ []byte) error {
		rest := string(k[len(pre):])
		for i := len(rest) - 1; i >= 0; i-- {
			if rest[i] == '/' {
				n, err := strconv.Atoi(rest[i+1:])
				if err != nil {
					return fmt.Errorf("contract: bad index key %q", k)
				}
				hits = append(hits, hit{rest[:i], n})
				break
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for _, h := range hits {
		vr, err := verifyVersion(kv, members, chainID, today, h.id, h.n, hash)
		if err != nil {
			return nil, err
		}
		r.Matches = append(r.Matches, *vr)
	}
	r.Found = len(r.Matches) > 0
	return r, nil
}

func verifyVersion(kv, mk module.KVReader, chainID, today, id string, n int, hash string) (*VersionReport, error) {
	c, err := getContract(kv, id)
	if err != nil {
		return nil, err
	}
	v, err := getVersion(kv, id, n)
	if err != nil {
		return nil, err
	}
	t, err := getType(kv, c.Type)
	if err != nil {
		return nil, err
	}
	vr := &VersionReport{Contract: c.ID, Type: c.Type, Title: c.Title, Version: n, VersionStatus: v.Status, ContractStatus: statusAt(c, today),
		InForce: c.InForce == n, DocumentMatches: v.Document.Hash == hash, Parties: c.Parties, Signatures: []SignatureCheck{}}
	st := SignStatement(chainID, c.ID, n, v.Document.HashAlg, v.Document.Hash)
	allOK := true
	signed := map[int]bool{}
	for _, s := range v.Signatures {
		sc := checkSignature(kv, mk, t, c, s, st)
		signed[s.Party] = true
		allOK = allOK && sc.OK
		vr.Signatures = append(vr.Signatures, sc)
	}
	vr.AllSigned = len(signed) == len(c.Parties)
	hasBio := false
	for _, s := range vr.Signatures {
		hasBio = hasBio || s.Biometric != ""
	}
	certsOK := allOK
	vr.Article13 = []Condition{
		{Condition: "(1) the signature creation data, when used, belonged exclusively to the signatory",
			Met: certsOK, How: "each signing key is the private key of the signer's certificate, issued by its organisation's CA (O = organisation, OU = role) and registered on chain before signing; a seal is a separate certificate of the organisation, registered on chain with its image hash"},
		{Condition: "(2) the signature creation data was controlled only by the signatory at the time of signing",
			Met: certsOK, How: "the signing transaction was authenticated with the same identity key, unrevoked and within its validity at the signing block" + bioNote(hasBio)},
		{Condition: "(3) any alteration to the electronic signature after signing can be detected",
			Met: allOK, How: "each signature is recorded in a block signed by more than 2/3 of the validators; its receipt proves it offline from the genesis file, and the stored signature verifies again here"},
		{Condition: "(4) any alteration to the content and form of the data message after signing can be detected",
			Met: vr.DocumentMatches && allOK, How: "the signatures cover the document's " + v.Document.HashAlg + " hash in the statement " + strconv.Quote(string(st[:25])) + "…; the file's hash equals the signed hash"},
	}
	vr.Valid = vr.DocumentMatches && vr.AllSigned && allOK
	return vr, nil
}

func bioNote(has bool) string {
	if has {
		return "; a biometric verification record's hash is attached (the biometric itself is never stored)"
	}
	return ""
}

// checkSignature verifies a recorded signature again.
func checkSignature(kv, mk module.KVReader, t *Type, c *Contract, s Signature, st []byte) SignatureCheck {
	sc := SignatureCheck{Signature: s, Receipt: "/v1/receipts/" + s.Tx}
	problems := []string{}
	rec, err := member.GetRecord(mk, s.Signer)
	if err != nil {
		sc.Problem = "signer's certificate is not on chain"
		return sc
	}
	sc.SignatureValid = crypto.VerifyHex(rec.Algorithm, rec.PublicKey, st, s.Signature)
	if !sc.SignatureValid {
		problems = append(problems, "the signature does not verify with the signer's certificate")
	}
	at, err := time.Parse("2006-01-02T15:04:05.000Z", s.Time)
	sc.CertValidAtSigning = err == nil && !at.Before(rec.NotBefore) && !at.After(rec.NotAfter)
	if !sc.CertValidAtSigning {
		problems = append(problems, "the certificate was not valid at signing time")
	}
	sc.UnrevokedAtSigning = rec.RevokedAt == 0 || rec.RevokedAt >= s.Height // same block: revoked after signing (a revoked signer's tx is refused)
	if !sc.UnrevokedAtSigning {
		problems = append(problems, "the certificate was revoked before signing")
	} else if rec.RevokedAt > 0 {
		sc.RevokedLater = fmt.Sprintf("height %d: %s", rec.RevokedAt, rec.RevokedReason)
	}
	sc.CertIssuedByOrgCA = issuedByOrgCA(mk, rec, at)
	if !sc.CertIssuedByOrgCA {
		problems = append(problems, "the certificate is not issued by its organisation's CA")
	}
	orgParty := s.Party < len(c.Parties) && c.Parties[s.Party].Identity == ""
	if s.Seal != "" {
		var seal Seal
		ok, _ := module.GetJSON(kv, sealKey(s.Seal), &seal)
		sc.SealRegistered = ok && seal.Registered <= s.Height && seal.Org == s.Org
		sc.SealImageHash = seal.ImageHash
		if srec, err := member.GetRecord(mk, s.Seal); err == nil {
			sc.SealUnrevoked = (srec.RevokedAt == 0 || srec.RevokedAt >= s.Height) &&
				!at.Before(srec.NotBefore) && !at.After(srec.NotAfter) && issuedByOrgCA(mk, srec, at)
			sc.SealSignatureValid = crypto.VerifyHex(srec.Algorithm, srec.PublicKey, st, s.SealSig)
		}
		if !sc.SealRegistered || !sc.SealUnrevoked || !sc.SealSignatureValid {
			problems = append(problems, "the seal was not registered, was revoked, or its signature does not verify")
		}
	} else if t.Seal && orgParty {
		problems = append(problems, "an organisation signed without a seal")
	}
	sc.OK = len(problems) == 0
	if !sc.OK {
		sc.Problem = problems[0]
	}
	return sc
}

func issuedByOrgCA(mk module.KVReader, rec *member.Record, at time.Time) bool {
	org, err := member.GetOrg(mk, rec.Org)
	if err != nil {
		return false
	}
	ca, err := pki.Parse([]byte(org.CACert))
	if err != nil {
		return false
	}
	cert, err := pki.Parse([]byte(rec.Cert))
	if err != nil {
		return false
	}
	return cert.VerifyIssuedBy(ca, at) == nil
}
