package contract

import (
	"slices"
	"strconv"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

func setType(ctx *module.Context, kv module.KV, m *SetType) (any, error) {
	if !isRegulator(members(ctx), ctx.Signer) {
		return nil, ErrNotPermitted.Wrapf("only the regulator sets contract types")
	}
	return storeType(ctx, kv, m)
}

// storeType creates or replaces a validated contract type (contract/set_type
// by the regulator, or a governance proposal's action).
func storeType(ctx *module.Context, kv module.KV, m *SetType) (any, error) {
	t := m.Type
	t.Updated = ctx.Height
	if err := module.PutJSON(kv, typeKey(t.ID), &t); err != nil {
		return nil, err
	}
	ctx.Emit("contract_type_set", module.A("type", t.ID))
	return &t, nil
}

func registerSeal(ctx *module.Context, kv module.KV, m *RegisterSeal) (any, error) {
	rec, err := member.GetRecord(members(ctx), m.Seal)
	if err != nil {
		if module.AsError(err) != nil {
			return nil, ErrUnknownSeal.Wrapf("seal certificate %s is not a registered identity (register it with member/register_identity first)", m.Seal)
		}
		return nil, err
	}
	if rec.Role != module.RoleSeal || rec.Status != member.StatusActive {
		return nil, ErrSeal.Wrapf("identity %s is a %s certificate (%s), not an active seal", m.Seal, rec.Role, rec.Status)
	}
	if rec.Org != ctx.Signer.Org {
		return nil, ErrNotPermitted.Wrapf("the seal belongs to %s; only its own admins register it", rec.Org)
	}
	if old, err := kv.Get(sealKey(m.Seal)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrSealExists.Wrapf("seal %s is already registered", m.Seal)
	}
	s := &Seal{ID: m.Seal, Org: rec.Org, Name: m.Name, ImageHash: m.ImageHash, Registered: ctx.Height, By: ctx.Signer.ID}
	if err := module.PutJSON(kv, sealKey(s.ID), s); err != nil {
		return nil, err
	}
	ctx.Emit("seal_registered", module.A("seal", s.ID), module.A("org", s.Org))
	return s, nil
}

// partyOf returns the index of the party the signer acts for: an
// organisation party for the organisation's people, an investor party for
// the investor's own identity; -1 if none (skipping parties in skip).
func partyOf(c *Contract, who module.Identity, skip func(int) bool) int {
	for i, p := range c.Parties {
		if skip != nil && skip(i) {
			continue
		}
		if p.Identity != "" {
			if p.Identity == who.ID {
				return i
			}
		} else if p.Org == who.Org && who.Role != module.RoleInvestor {
			return i
		}
	}
	return -1
}

// checkParties checks a contract's parties against its type.
func checkParties(ctx *module.Context, t *Type, parties []Party) error {
	if len(parties) != len(t.Parties) {
		return ErrParties.Wrapf("a %s has %d parties (%v), not %d", t.ID, len(t.Parties), t.Parties, len(parties))
	}
	mk := members(ctx)
	channel := ""
	for i, k := range t.Parties {
		if k == KindChannel {
			channel = parties[i].Org
		}
	}
	for i, p := range parties {
		if t.Parties[i] == KindInvestor && channel != "" && p.Org != channel {
			return ErrParties.Wrapf("party %d: the investor must be one of the channel %s's own investors", i, channel)
		}
		org, err := member.GetOrg(mk, p.Org)
		if err != nil {
			if module.AsError(err) != nil {
				return ErrParties.Wrapf("party %d: no organisation %q", i, p.Org)
			}
			return err
		}
		kind := t.Parties[i]
		switch kind {
		case KindInvestor:
			rec, err := member.GetRecord(mk, p.Identity)
			if err != nil || rec.Role != module.RoleInvestor || rec.Org != p.Org || rec.Status != member.StatusActive {
				return ErrParties.Wrapf("party %d must be an active investor identity issued by %s", i, p.Org)
			}
			continue
		case KindChannel:
			if org.Type != module.OrgReseller && org.Type != module.OrgFundManager {
				return ErrParties.Wrapf("party %d (%s) must be a sales channel, not a %s", i, p.Org, org.Type)
			}
		case KindAny:
		default:
			if string(org.Type) != kind {
				return ErrParties.Wrapf("party %d (%s) must be a %s, not a %s", i, p.Org, kind, org.Type)
			}
		}
		if p.Identity != "" {
			return ErrParties.Wrapf("party %d is an organisation: no identity", i)
		}
	}
	return nil
}

// checkDocument checks a document's envelope is sealed for every party and
// the regulator.
func checkDocument(ctx *module.Context, parties []Party, d *Document) error {
	recs, regulator, err := member.CheckRecipients(members(ctx), d.Envelope)
	if e := module.AsError(err); e != nil {
		return ErrDocument.Wrapf("%s", e.Message)
	} else if err != nil {
		return err
	}
	for _, r := range recs {
		ok := isRegulator(members(ctx), r.Identity())
		for _, p := range parties {
			ok = ok || (p.Identity != "" && r.ID == p.Identity) || (p.Identity == "" && r.Org == p.Org && r.Role != module.RoleInvestor)
		}
		if !ok {
			return ErrDocument.Wrapf("recipient %s (%s of %s) is neither a party nor the regulator", r.ID, r.Role, r.Org)
		}
	}
	for i, p := range parties {
		found := false
		for _, r := range recs {
			if (p.Identity != "" && r.ID == p.Identity) || (p.Identity == "" && r.Org == p.Org && r.Role != module.RoleInvestor) {
				found = true
				break
			}
		}
		if !found {
			return ErrDocument.Wrapf("the document must be sealed for party %d (%s)", i, p.Org)
		}
	}
	if !regulator {
		return ErrDocument.Wrapf("the document must be sealed for a regulator identity")
	}
	return nil
}

func create(ctx *module.Context, kv module.KV, m *Create) (any, error) {
	t, err := getType(kv, m.Type)
	if err != nil {
		return nil, err
	}
	if old, err := kv.Get(contractKey(m.ID)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrExists.Wrapf("contract %s already exists", m.ID)
	}
	if err := checkParties(ctx, t, m.Parties); err != nil {
		return nil, err
	}
	c := &Contract{ID: m.ID, Type: t.ID, Title: m.Title, Parties: m.Parties, Creator: ctx.Signer.ID, CreatorOrg: ctx.Signer.Org,
		Expires: m.Expires, Fund: m.Fund, Investor: m.Investor, Created: ctx.Height}
	if partyOf(c, ctx.Signer, nil) < 0 {
		return nil, ErrNotPermitted.Wrapf("only a party creates a contract; %s of %s is not one", ctx.Signer.Role, ctx.Signer.Org)
	}
	if t.Subject == "fund" && m.Fund == "" {
		return nil, ErrInvalidRequest.Wrapf("a %s names its fund", t.ID)
	}
	if err := checkDocument(ctx, m.Parties, &m.Document); err != nil {
		return nil, err
	}
	if err := addVersion(ctx, kv, c, t, m.Document, 0); err != nil {
		return nil, err
	}
	for _, p := range c.Parties {
		if err := kv.Set(orgContractKey(p.Org, c.ID), []byte{}); err != nil {
			return nil, err
		}
	}
	if err := record(ctx, kv, c, "create", 1, map[string]string{"type": t.ID, "parties": joinParties(c.Parties), "hash": m.Document.Hash, "hash_alg": m.Document.HashAlg}); err != nil {
		return nil, err
	}
	return c, module.PutJSON(kv, contractKey(c.ID), c)
}

// addVersion stores the next version and moves the contract to its review
// (or straight to signing when the type has no stages).
func addVersion(ctx *module.Context, kv module.KV, c *Contract, t *Type, d Document, replaces int) error {
	c.Version++
	v := &Version{Contract: c.ID, N: c.Version, Replaces: replaces, Document: d, UploadedBy: ctx.Signer.ID, Height: ctx.Height,
		Time: blockTime(ctx), BlockTime: headerTime(ctx), Reviews: []Review{}, Signatures: []Signature{}, Status: StatusReview}
	c.Stage = 0
	if len(t.Stages) == 0 {
		v.Status = StatusSigning
	}
	switch {
	case c.InForce > 0:
		c.Status = StatusAmending
	default:
		c.Status = v.Status
	}
	c.Updated = ctx.Height
	if err := module.PutJSON(kv, versionKey(c.ID, v.N), v); err != nil {
		return err
	}
	return kv.Set([]byte(string(docHashPrefix(d.HashAlg, d.Hash))+c.ID+"/"+strconv.Itoa(v.N)), []byte{})
}

func uploadVersion(ctx *module.Context, kv module.KV, m *UploadVersion) (any, error) {
	c, err := getContract(kv, m.Contract)
	if err != nil {
		return nil, err
	}
	if partyOf(c, ctx.Signer, nil) < 0 {
		return nil, ErrNotPermitted.Wrapf("only a party uploads versions of %s", c.ID)
	}
	switch statusAt(c, chinaDate(ctx.Time)) {
	case StatusTerminated, StatusExpired, StatusArchived:
		return nil, ErrStatus.Wrapf("contract %s is %s", c.ID, statusAt(c, chinaDate(ctx.Time)))
	}
	if m.Replaces != c.Version {
		return nil, ErrVersion.Wrapf("the latest version of %s is %d, not %d", c.ID, c.Version, m.Replaces)
	}
	t, err := getType(kv, c.Type)
	if err != nil {
		return nil, err
	}
	if err := checkDocument(ctx, c.Parties, &m.Document); err != nil {
		return nil, err
	}
	prev, err := getVersion(kv, c.ID, c.Version)
	if err != nil {
		return nil, err
	}
	if prev.N != c.InForce && prev.Status != "rejected" {
		prev.Status = "superseded"
		if err := module.PutJSON(kv, versionKey(c.ID, prev.N), prev); err != nil {
			return nil, err
		}
	}
	action := "upload_version"
	if c.InForce > 0 {
		action = "amend"
	}
	if err := addVersion(ctx, kv, c, t, m.Document, m.Replaces); err != nil {
		return nil, err
	}
	if err := record(ctx, kv, c, action, c.Version, map[string]string{"replaces": strconv.Itoa(m.Replaces), "hash": m.Document.Hash, "comment": m.Comment}); err != nil {
		return nil, err
	}
	return c, module.PutJSON(kv, contractKey(c.ID), c)
}

func review(ctx *module.Context, kv module.KV, m *ReviewMsg) (any, error) {
	c, err := getContract(kv, m.Contract)
	if err != nil {
		return nil, err
	}
	if st := statusAt(c, chinaDate(ctx.Time)); st == StatusTerminated || st == StatusExpired || st == StatusArchived {
		return nil, ErrStatus.Wrapf("contract %s is %s", c.ID, st)
	}
	if m.Version != c.Version {
		return nil, ErrVersion.Wrapf("the version in review is %d, not %d", c.Version, m.Version)
	}
	v, err := getVersion(kv, c.ID, c.Version)
	if err != nil {
		return nil, err
	}
	if v.Status != StatusReview {
		return nil, ErrStatus.Wrapf("version %d of %s is %s, not in review", v.N, c.ID, v.Status)
	}
	t, err := getType(kv, c.Type)
	if err != nil {
		return nil, err
	}
	if c.Stage >= len(t.Stages) {
		return nil, ErrStage.Wrapf("type %s now has %d stages; upload a new version", t.ID, len(t.Stages))
	}
	st := t.Stages[c.Stage]
	if st.Name != m.Stage {
		return nil, ErrStage.Wrapf("the stage due for version %d is %q, not %q", v.N, st.Name, m.Stage)
	}
	if err := reviewer(ctx, c, st); err != nil {
		return nil, err
	}
	v.Reviews = append(v.Reviews, Review{Stage: st.Name, Reviewer: ctx.Signer.ID, Org: ctx.Signer.Org, Approve: m.Approve, Comment: m.Comment,
		Height: ctx.Height, Time: blockTime(ctx), BlockTime: headerTime(ctx), Tx: txHex(ctx)})
	if m.Approve && !stageComplete(c, v, st) {
		// An other_party stage passes when every other party organisation approved.
		c.Updated = ctx.Height
		if err := module.PutJSON(kv, versionKey(c.ID, v.N), v); err != nil {
			return nil, err
		}
		if err := record(ctx, kv, c, "review", v.N, map[string]string{"stage": st.Name, "verdict": "approved", "comment": m.Comment, "waiting": "other parties"}); err != nil {
			return nil, err
		}
		return map[string]any{"contract": c.ID, "version": v.N, "stage": st.Name, "verdict": "approved", "status": c.Status, "version_status": v.Status, "waiting": "other parties"}, module.PutJSON(kv, contractKey(c.ID), c)
	}
	if m.Approve {
		c.Stage++
		if c.Stage == len(t.Stages) {
			v.Status = StatusSigning
			if c.InForce == 0 {
				c.Status = StatusSigning
			}
		}
	} else {
		v.Status = "rejected"
		if c.InForce > 0 {
			c.Status = StatusEffective // the amendment is rejected; the version in force stays
		} else {
			c.Status = StatusDrafting
		}
	}
	c.Updated = ctx.Height
	if err := module.PutJSON(kv, versionKey(c.ID, v.N), v); err != nil {
		return nil, err
	}
	verdict := "approved"
	if !m.Approve {
		verdict = "rejected"
	}
	if err := record(ctx, kv, c, "review", v.N, map[string]string{"stage": st.Name, "verdict": verdict, "comment": m.Comment}); err != nil {
		return nil, err
	}
	return map[string]any{"contract": c.ID, "version": v.N, "stage": st.Name, "verdict": verdict, "status": c.Status, "version_status": v.Status}, module.PutJSON(kv, contractKey(c.ID), c)
}

// stageComplete says whether stage st has every approval it needs (after
// the one just added): one, or for other_party one from each other party
// organisation.
func stageComplete(c *Contract, v *Version, st Stage) bool {
	if st.Org != OrgOtherParty {
		return true
	}
	for _, p := range c.Parties {
		if p.Identity != "" || p.Org == c.CreatorOrg {
			continue
		}
		if !slices.ContainsFunc(v.Reviews, func(r Review) bool { return r.Stage == st.Name && r.Org == p.Org && r.Approve }) {
			return false
		}
	}
	return true
}

// reviewer checks the signer may decide stage st.
func reviewer(ctx *module.Context, c *Contract, st Stage) error {
	mk := members(ctx)
	reg := isRegulator(mk, ctx.Signer)
	if ctx.Signer.Role != st.Role && !(st.Role == module.RoleRegulator && reg) {
		return ErrStage.Wrapf("stage %q is decided by a %s, not a %s", st.Name, st.Role, ctx.Signer.Role)
	}
	switch st.Org {
	case OrgCreator:
		if ctx.Signer.Org != c.CreatorOrg {
			return ErrStage.Wrapf("stage %q is decided by %s (the creating party)", st.Name, c.CreatorOrg)
		}
	case OrgOtherParty:
		if ctx.Signer.Org == c.CreatorOrg || !slices.ContainsFunc(c.Parties, func(p Party) bool { return p.Org == ctx.Signer.Org && p.Identity == "" }) {
			return ErrStage.Wrapf("stage %q is decided by the party organisations other than %s", st.Name, c.CreatorOrg)
		}
	case OrgRegulator:
		if !reg {
			return ErrStage.Wrapf("stage %q is decided by the regulator", st.Name)
		}
	default:
		if ctx.Signer.Org != st.Org {
			return ErrStage.Wrapf("stage %q is decided by %s", st.Name, st.Org)
		}
	}
	return nil
}

func txHex(ctx *module.Context) string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, 0, 2*len(ctx.TxHash))
	for _, x := range ctx.TxHash {
		b = append(b, hexdigits[x>>4], hexdigits[x&15])
	}
	return string(b)
}

func sign(ctx *module.Context, kv module.KV, m *Sign) (any, error) {
	c, err := getContract(kv, m.Contract)
	if err != nil {
		return nil, err
	}
	if m.Version != c.Version {
		return nil, ErrVersion.Wrapf("the version to sign is %d, not %d", c.Version, m.Version)
	}
	v, err := getVersion(kv, c.ID, c.Version)
	if err != nil {
		return nil, err
	}
	if v.Status != StatusSigning {
		return nil, ErrStatus.Wrapf("version %d of %s is %s: signing opens when every review stage has passed", v.N, c.ID, v.Status)
	}
	if s := statusAt(c, chinaDate(ctx.Time)); s == StatusExpired || s == StatusTerminated || s == StatusArchived {
		return nil, ErrStatus.Wrapf("contract %s is %s", c.ID, s)
	}
	if m.Hash != v.Document.Hash {
		return nil, ErrHashMismatch.Wrapf("version %d's document hash is %s, not %s", v.N, v.Document.Hash, m.Hash)
	}
	signed := func(i int) bool {
		return slices.ContainsFunc(v.Signatures, func(s Signature) bool { return s.Party == i })
	}
	party := partyOf(c, ctx.Signer, signed)
	if party < 0 {
		if partyOf(c, ctx.Signer, nil) >= 0 {
			return nil, ErrAlreadySigned.Wrapf("%s has already signed version %d of %s", ctx.Signer.Org, v.N, c.ID)
		}
		return nil, ErrNotPermitted.Wrapf("%s of %s is not a party of %s", ctx.Signer.Role, ctx.Signer.Org, c.ID)
	}
	st := SignStatement(ctx.ChainID, c.ID, v.N, v.Document.HashAlg, v.Document.Hash)
	if !crypto.VerifyHex(ctx.Signer.Algorithm, ctx.Signer.PublicKey, st, m.Signature) {
		return nil, ErrBadSignature.Wrapf("the signature does not verify with %s's registered key", ctx.Signer.ID)
	}
	t, err := getType(kv, c.Type)
	if err != nil {
		return nil, err
	}
	orgParty := c.Parties[party].Identity == ""
	if t.Seal && orgParty && m.Seal == "" {
		return nil, ErrSeal.Wrapf("a %s is signed by organisations with their registered seal", t.ID)
	}
	mk := members(ctx)
	signer, err := member.GetRecord(mk, ctx.Signer.ID)
	if err != nil {
		return nil, err
	}
	sig := Signature{Party: party, Signer: ctx.Signer.ID, Org: ctx.Signer.Org, Name: ctx.Signer.Name, Algorithm: ctx.Signer.Algorithm,
		Signature: m.Signature, Biometric: m.Biometric, Height: ctx.Height, Time: blockTime(ctx), BlockTime: headerTime(ctx), Tx: txHex(ctx),
		CertExpires: signer.NotAfter.UTC().Format(time.RFC3339)}
	if m.Seal != "" {
		if err := checkSeal(ctx, kv, m.Seal, st, m.SealSig); err != nil {
			return nil, err
		}
		sig.Seal, sig.SealSig = m.Seal, m.SealSig
	}
	v.Signatures = append(v.Signatures, sig)
	out := map[string]any{"contract": c.ID, "version": v.N, "party": party, "signed": len(v.Signatures), "of": len(c.Parties)}
	if err := record(ctx, kv, c, "sign", v.N, map[string]string{"party": strconv.Itoa(party), "hash": v.Document.Hash, "seal": m.Seal, "biometric_hash": m.Biometric}); err != nil {
		return nil, err
	}
	if len(v.Signatures) == len(c.Parties) {
		if err := becomeEffective(ctx, kv, c, v); err != nil {
			return nil, err
		}
		out["status"] = StatusEffective
	}
	c.Updated = ctx.Height
	if err := module.PutJSON(kv, versionKey(c.ID, v.N), v); err != nil {
		return nil, err
	}
	return out, module.PutJSON(kv, contractKey(c.ID), c)
}

// checkSeal checks a seal at signing: registered on chain, its certificate
// active (not revoked) and valid at block time, of the signer's
// organisation, and its signature over the statement.
func checkSeal(ctx *module.Context, kv module.KVReader, id string, st []byte, sigHex string) error {
	var s Seal
	if ok, err := module.GetJSON(kv, sealKey(id), &s); err != nil {
		return err
	} else if !ok {
		return ErrSeal.Wrapf("seal %s is not registered on chain", id)
	}
	if s.Org != ctx.Signer.Org {
		return ErrSeal.Wrapf("seal %s belongs to %s, not to the signer's organisation %s", id, s.Org, ctx.Signer.Org)
	}
	rec, err := member.Authenticate(members(ctx), id, ctx.BlockTime)
	if err != nil {
		if e := module.AsError(err); e != nil {
			return ErrSeal.Wrapf("seal %s: %s", id, e.Message)
		}
		return err
	}
	if !crypto.VerifyHex(rec.Algorithm, rec.PublicKey, st, sigHex) {
		return ErrSeal.Wrapf("the seal signature does not verify with seal %s's key", id)
	}
	return nil
}

// becomeEffective puts a fully signed version in force.
func becomeEffective(ctx *module.Context, kv module.KV, c *Contract, v *Version) error {
	if c.InForce > 0 {
		old, err := getVersion(kv, c.ID, c.InForce)
		if err != nil {
			return err
		}
		old.Status = "superseded"
		if err := module.PutJSON(kv, versionKey(c.ID, old.N), old); err != nil {
			return err
		}
	}
	v.Status = "signed"
	c.InForce, c.Status, c.EffectiveAt = v.N, StatusEffective, ctx.Height
	switch c.Type {
	case "risk_disclosure":
		if c.Investor != "" && c.Fund != "" {
			if err := kv.Set(append(riskDisclosurePrefix(c.Investor, c.Fund), c.ID...), []byte{}); err != nil {
				return err
			}
		}
	case "distribution_agreement":
		if len(c.Parties) < 2 {
			break
		}
		if err := kv.Set(append(distributionPrefix(c.Parties[0].Org, c.Parties[1].Org), c.ID...), []byte{}); err != nil {
			return err
		}
	}
	return record(ctx, kv, c, "effective", v.N, map[string]string{"hash": v.Document.Hash})
}

func terminate(ctx *module.Context, kv module.KV, m *Terminate) (any, error) {
	c, err := getContract(kv, m.Contract)
	if err != nil {
		return nil, err
	}
	if s := statusAt(c, chinaDate(ctx.Time)); s != StatusEffective && s != StatusAmending {
		return nil, ErrStatus.Wrapf("contract %s is %s: only an effective contract is terminated", c.ID, s)
	}
	party := partyOf(c, ctx.Signer, nil)
	if party < 0 {
		return nil, ErrNotPermitted.Wrapf("only a party terminates %s", c.ID)
	}
	if slices.Contains(c.Terminating, party) {
		return nil, ErrStatus.Wrapf("party %d already asked to terminate %s", party, c.ID)
	}
	t, err := getType(kv, c.Type)
	if err != nil {
		return nil, err
	}
	c.Terminating = append(c.Terminating, party)
	done := t.Termination == TerminateAnyParty || len(c.Terminating) == len(c.Parties)
	if err := record(ctx, kv, c, "terminate", c.InForce, map[string]string{"party": strconv.Itoa(party), "reason": m.Reason, "final": strconv.FormatBool(done)}); err != nil {
		return nil, err
	}
	if done {
		c.Status, c.Reason = StatusTerminated, m.Reason
		c.RetainUntil = retainUntil(ctx.Time, t.RetentionYears)
	}
	c.Updated = ctx.Height
	return c, module.PutJSON(kv, contractKey(c.ID), c)
}

func retainUntil(t time.Time, years int) string {
	return t.In(time.FixedZone("UTC+8", 8*3600)).AddDate(years, 0, 0).Format("2006-01-02")
}

func archive(ctx *module.Context, kv module.KV, m *Archive) (any, error) {
	c, err := getContract(kv, m.Contract)
	if err != nil {
		return nil, err
	}
	if partyOf(c, ctx.Signer, nil) < 0 {
		return nil, ErrNotPermitted.Wrapf("only a party archives %s", c.ID)
	}
	s := statusAt(c, chinaDate(ctx.Time))
	if s != StatusTerminated && s != StatusExpired {
		return nil, ErrStatus.Wrapf("contract %s is %s: only a terminated or expired contract is archived", c.ID, s)
	}
	t, err := getType(kv, c.Type)
	if err != nil {
		return nil, err
	}
	if c.RetainUntil == "" {
		c.RetainUntil = retainUntil(ctx.Time, t.RetentionYears)
	}
	c.Status, c.Updated = StatusArchived, ctx.Height
	if err := record(ctx, kv, c, "archive", c.InForce, map[string]string{"was": s, "retain_until": c.RetainUntil}); err != nil {
		return nil, err
	}
	return c, module.PutJSON(kv, contractKey(c.ID), c)
}

func recordView(ctx *module.Context, kv module.KV, m *RecordView) (any, error) {
	c, err := getContract(kv, m.Contract)
	if err != nil {
		return nil, err
	}
	if partyOf(c, ctx.Signer, nil) < 0 && !isRegulator(members(ctx), ctx.Signer) {
		return nil, ErrNotPermitted.Wrapf("only a party or the regulator opens %s", c.ID)
	}
	if _, err := getVersion(kv, c.ID, m.Version); err != nil {
		return nil, err
	}
	if err := record(ctx, kv, c, m.Action, m.Version, nil); err != nil {
		return nil, err
	}
	c.Updated = ctx.Height
	return map[string]any{"contract": c.ID, "version": m.Version, "action": m.Action}, module.PutJSON(kv, contractKey(c.ID), c)
}
