// Package pki makes and checks the X.509 certificates of otcchain.
//
// Every member organisation runs a certificate authority (a self-signed CA
// certificate in the genesis file) and issues certificates to its people and
// systems. The subject of every otcchain certificate says who the holder is:
//
//	O  = organisation id
//	OU = role (module.Role), or "ca" for the organisation's CA
//	CN = display name
//
// An identity id is the lowercase hex SHA-256 of the certificate DER.
//
// Keys are those of package crypto (Ed25519, ECDSA P-256, SM2). Certificates
// whose issuer or subject key is SM2 are made and read with
// github.com/emmansun/gmsm/smx509 (signature algorithm SM2-with-SM3, default
// user id); the others with crypto/x509. A CA of one algorithm may issue
// certificates for keys of another.
//
// VerifyIssuedBy runs inside block execution: it is deterministic, uses no
// system roots and no wall clock (the caller passes the block time), and
// checks the signature with package crypto's schemes. Each way it can fail
// has an exported sentinel error for errors.Is.
//
// This package must never import CometBFT, pebble, net/http or the app; it
// depends only on package crypto, package module (roles) and the X.509
// libraries.
package pki
