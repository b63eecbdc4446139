package fund

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/otcchain/otcchain/crypto"
)

// PersonalData is an investor's identifying information. It never reaches
// the ledger in clear: the channel seals it on the client (SealPersonal) and
// the chain keeps the envelope and a salted commitment.
type PersonalData struct {
	Name     string `json:"name"`
	IDType   string `json:"id_type"` // e.g. "resident_id", "passport", "business_licence"
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone,omitempty"`
	Address  string `json:"address,omitempty"`
}

// sealedPersonal is the plaintext inside the envelope: the data and the
// salt of its commitment (secret: a public salt would let anyone test
// guesses of an ID number against the commitment).
type sealedPersonal struct {
	Data PersonalData `json:"data"`
	Salt string       `json:"salt"` // base64
}

// PersonalAAD binds an envelope to the investor it describes.
func PersonalAAD(investorID string) []byte { return []byte("otcchain/fund/investor/v1\n" + investorID) }

// canonical is the commitment's input: the data's JSON (fixed field order).
func (p PersonalData) canonical() []byte {
	b, _ := json.Marshal(p)
	return b
}

// SealPersonal encrypts personal data for recipients (the investor, the
// channel, the regulator; later the fund managers) and returns the envelope,
// the hex commitment and its hash name. alg is the sealing channel's
// signature algorithm: SM2 channels get SM4-GCM content and an SM3
// commitment, others AES-256-GCM and SHA-256.
func SealPersonal(alg crypto.Algorithm, investorID string, data PersonalData, recipients []crypto.Recipient) (*crypto.Envelope, string, string, error) {
	salt := crypto.NewSalt()
	plain, err := json.Marshal(sealedPersonal{Data: data, Salt: base64.StdEncoding.EncodeToString(salt)})
	if err != nil {
		return nil, "", "", err
	}
	env, err := crypto.Seal(crypto.ContentAlgFor(alg), plain, PersonalAAD(investorID), recipients)
	if err != nil {
		return nil, "", "", err
	}
	return env, hex.EncodeToString(crypto.Commit(alg, salt, data.canonical())), crypto.HashName(alg), nil
}

// OpenPersonal decrypts an investor's personal data as one of its
// recipients and checks it against the commitment on the ledger.
func OpenPersonal(inv *Investor, recipientID string, key crypto.EncPrivateKey) (PersonalData, error) {
	plain, err := crypto.Open(inv.Personal, PersonalAAD(inv.ID), recipientID, key)
	if err != nil {
		return PersonalData{}, fmt.Errorf("fund: open personal data of %s: %w", inv.ID, err)
	}
	var sp sealedPersonal
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sp); err != nil {
		return PersonalData{}, fmt.Errorf("fund: personal data of %s: %w", inv.ID, err)
	}
	salt, err := base64.StdEncoding.DecodeString(sp.Salt)
	if err != nil {
		return PersonalData{}, fmt.Errorf("fund: personal data of %s: salt: %w", inv.ID, err)
	}
	alg := crypto.Ed25519
	if inv.CommitAlg == "sm3" {
		alg = crypto.SM2
	}
	c, err := hex.DecodeString(inv.Commitment)
	if err != nil || !crypto.VerifyCommitment(alg, salt, sp.Data.canonical(), c) {
		return PersonalData{}, fmt.Errorf("fund: personal data of %s does not match its commitment on the ledger", inv.ID)
	}
	return sp.Data, nil
}

// WeekdayCalendar returns a calendar of [from, to] whose trading days are
// the weekdays that are not in holidays, plus the dates in extra. The China
// exchanges never trade on a weekend, make-up working days included
// (ChinaExchangeCalendar passes no extra).
func WeekdayCalendar(from, to Date, holidays, extra []Date) (Calendar, error) {
	skip := map[Date]bool{}
	for _, h := range holidays {
		skip[h] = true
	}
	add := map[Date]bool{}
	for _, e := range extra {
		add[e] = true
	}
	var days []Date
	for d := from; d <= to; {
		wd := d.Weekday()
		if (wd != time.Saturday && wd != time.Sunday && !skip[d]) || add[d] {
			days = append(days, d)
		}
		n, err := d.AddDays(1)
		if err != nil {
			return Calendar{}, err
		}
		d = n
	}
	return NewCalendar(from, to, days)
}
