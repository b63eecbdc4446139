package node

import (
	"encoding/hex"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"time"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// SealKey is the keystore name of an organisation's electronic seal in a
// generated network (role seal, issued by the organisation's CA).
const SealKey = "seal"

// SealImageFile is the placeholder seal image written beside each
// organisation's keystore (orgs/<org>/seal.svg).
const SealImageFile = "seal.svg"

// SealName is the registered name of an organisation's generated seal.
func SealName(orgName string) string { return orgName + " contract seal 合同专用章" }

// SealImage is the placeholder image of an organisation's contract seal: a
// deterministic SVG (a red ring, a star and the organisation's name), so
// that its hash is reproducible.
func SealImage(orgID, orgName string) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">
  <title>%s contract seal 合同专用章 (placeholder, otcchain dev network)</title>
  <circle cx="100" cy="100" r="92" fill="none" stroke="#d0021b" stroke-width="6"/>
  <polygon points="100,62 109,89 138,89 115,106 123,133 100,117 77,133 85,106 62,89 91,89" fill="#d0021b"/>
  <text x="100" y="40" font-size="14" text-anchor="middle" fill="#d0021b">%s</text>
  <text x="100" y="160" font-size="16" text-anchor="middle" fill="#d0021b">合同专用章</text>
</svg>
`, html.EscapeString(orgName), html.EscapeString(orgID)))
}

// SealImageHash is the hex hash of a seal image as registered on chain:
// SM3 for an SM2 organisation, SHA-256 otherwise (crypto.Hash), as otc
// contract seal register computes it.
func SealImageHash(alg crypto.Algorithm, image []byte) string {
	return hex.EncodeToString(crypto.Hash(alg, image))
}

// issueSeal gives an organisation its seal: a key and certificate with the
// role seal in its keystore, and the placeholder image in its directory. It
// returns the identity, its certificate and the contract seal registration.
func issueSeal(cfg TestnetConfig, ob *orgBuild, notBefore, notAfter time.Time) (IdentityInfo, []byte, contract.RegisterSeal, error) {
	// The seal carries no encryption key: it only stamps, never receives.
	id, pem, err := issueIdentity(cfg, ob, SealKey, ob.spec.Name+" Contract Seal", module.RoleSeal, notBefore, notAfter)
	if err != nil {
		return IdentityInfo{}, nil, contract.RegisterSeal{}, err
	}
	img := SealImage(ob.spec.ID, ob.spec.Name)
	path := filepath.Join(filepath.Dir(ob.info.CACert), SealImageFile)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		return IdentityInfo{}, nil, contract.RegisterSeal{}, fmt.Errorf("node: testnet: %s seal image: %w", ob.spec.ID, err)
	}
	ob.info.SealImage = path
	return id, pem, contract.RegisterSeal{Seal: id.ID, Name: SealName(ob.spec.Name), ImageHash: SealImageHash(ob.spec.Alg, img)}, nil
}
