package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/certificate"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/proof"
)

// handleReceiptCertificate serves the evidence certificate PDF of a
// committed tx: to whoever may have its receipt (anyone with the hash, as
// GET /v1/receipts/{hash}).
func (s *Server) handleReceiptCertificate(w http.ResponseWriter, r *http.Request) error {
	b, hash, err := s.txReceipt(w, r)
	if err != nil {
		return err
	}
	return s.writeCertificate(w, r, b, fmt.Sprintf("certificate-tx-%X.pdf", hash[:8]))
}

// handleOutcomeCertificate serves the certificate of an end-block outcome
// to a caller allowed to read its receipt (as GET /v1/outcomes/{key}).
func (s *Server) handleOutcomeCertificate(w http.ResponseWriter, r *http.Request) error {
	b, key, err := s.outcomeReceipt(w, r)
	if err != nil {
		return err
	}
	name := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			return c
		}
		return '-'
	}, key)
	return s.writeCertificate(w, r, b, "certificate-"+name+".pdf")
}

// writeCertificate verifies the node's own receipt against its genesis
// (the certificate states what the receipt proves, so it is only made of
// one that verifies), resolves the names the certificate can show as the
// caller may read them, and sends the PDF as an attachment.
func (s *Server) writeCertificate(w http.ResponseWriter, r *http.Request, receipt []byte, filename string) error {
	if s.cfg.Genesis == nil {
		return errorf(http.StatusNotFound, client.CodeNotFound, "this server has no genesis document to verify receipts against")
	}
	trust, err := proof.TrustFromGenesis(s.cfg.Genesis)
	if err != nil {
		return fmt.Errorf("api: certificate trust root: %w", err)
	}
	rc, err := proof.Unmarshal(receipt)
	if err != nil {
		return fmt.Errorf("api: certificate: %w", err)
	}
	rep, err := proof.Verify(rc, trust)
	if err != nil {
		return fmt.Errorf("api: the node's receipt does not verify against its genesis: %w", err)
	}
	caller, err := s.caller(r)
	if err != nil {
		return err
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	cert, err := certificate.Make(certificate.Input{
		Receipt: receipt, Report: rep, Names: s.certificateNames(r, caller, rc),
		Node: scheme + "://" + r.Host,
	})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Content-Length", strconv.Itoa(len(cert.PDF)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Receipt-SHA256", cert.Ref.SHA256)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(cert.PDF)
	return nil
}

// certificateNames resolves the ids a certificate names from the node's
// state, each read as the caller may read it (what the caller may not read
// stays an id); a read of a document is recorded in the audit log as the
// read route records it, and left out when it cannot be.
func (s *Server) certificateNames(r *http.Request, caller *module.Identity, rc *proof.Receipt) certificate.Names {
	want := certificate.WantedNames(rc)
	n := certificate.Names{Orgs: map[string]string{}, Identities: map[string]certificate.Identity{},
		Funds: map[string]string{}, Contracts: map[string]string{}, Files: map[string]certificate.File{}}
	read := func(prefix, id string, v any) bool {
		if id == "" || id == "." || id == ".." || strings.Contains(id, "/") || len(id) > maxPathBytes {
			return false
		}
		path := prefix + id
		params := map[string]string{}
		if strings.HasPrefix(prefix, "member/") {
			params["id"] = id // as GET /v1/identities/{id} and /v1/orgs/{id} read them
		}
		out, err := s.cfg.App.Read(path, params, caller)
		if err != nil {
			return false
		}
		if kind, record := classifyRead(path); kind != "" {
			if s.record(r, caller, audit.Entry{Kind: kind, Subject: path, Record: record, Outcome: "served"}) != nil {
				return false
			}
		}
		b, err := json.Marshal(out)
		return err == nil && json.Unmarshal(b, v) == nil
	}
	orgs := append([]string(nil), want.Orgs...)
	for _, id := range want.Identities {
		var rec struct{ Name, Org string }
		if read("member/identities/", id, &rec) {
			n.Identities[id] = certificate.Identity{Name: rec.Name, Org: rec.Org}
			orgs = append(orgs, rec.Org)
		}
	}
	for _, id := range want.Records {
		var rec struct {
			Name, Hash, Sender, Time string
			HashAlg                  string `json:"hash_alg"`
			SenderOrg                string `json:"sender_org"`
		}
		if read("exchange/records/", id, &rec) {
			n.Files[id] = certificate.File{Name: rec.Name, Hash: rec.Hash, HashAlg: rec.HashAlg, Sender: rec.Sender, SenderOrg: rec.SenderOrg, Time: rec.Time}
			if _, ok := n.Identities[rec.Sender]; !ok {
				var who struct{ Name, Org string }
				if read("member/identities/", rec.Sender, &who) {
					n.Identities[rec.Sender] = certificate.Identity{Name: who.Name, Org: who.Org}
				}
			}
			orgs = append(orgs, rec.SenderOrg)
		}
	}
	for _, id := range orgs {
		if _, done := n.Orgs[id]; done || id == "" {
			continue
		}
		var o struct{ Name string }
		if read("member/orgs/", id, &o) && o.Name != "" {
			n.Orgs[id] = o.Name
		}
	}
	for _, code := range want.Funds {
		var f struct{ Name string }
		if read("fund/funds/", code, &f) && f.Name != "" {
			n.Funds[code] = f.Name
		}
	}
	for _, id := range want.Contracts {
		var c struct{ Title string }
		if read("contract/contracts/", id, &c) && c.Title != "" {
			n.Contracts[id] = c.Title
		}
	}
	return n
}
