// Package chain maps GB/T 39595 (OFD) files to and from the chain: a
// reseller's account (01) and trade (03) applications become fund module
// messages (import*.go), and chain state becomes the TA's answer files
// (export*.go). See docs/ofd-import.md and docs/ofd-export.md.
package chain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Codes maps the organisation codes written in OFD files to chain
// organisations: distributor codes (DistributorCode, the creator of 01/03
// files) to reseller (or direct-sales fund manager) orgs, and TA codes (the
// receiver of 01/03 files) to fund manager orgs. It is read from the JSON
// "codes file" given with --codes.
type Codes struct {
	Distributors map[string]string `json:"distributors"` // code -> org id
	TAs          map[string]string `json:"tas"`          // code -> fund manager org
}

// MaxCodeLen is the width of a distributor or TA code in v20/21 files.
const MaxCodeLen = 9

// DefaultCodes gives every organisation its own id as its code (its first 9
// characters when longer): resellers and fund managers are distributors
// (a manager sells its own funds directly), fund managers are TAs.
func DefaultCodes(orgs []member.Org) *Codes {
	c := &Codes{Distributors: map[string]string{}, TAs: map[string]string{}}
	for _, o := range orgs {
		code := o.ID
		if len(code) > MaxCodeLen {
			code = code[:MaxCodeLen]
		}
		switch o.Type {
		case module.OrgReseller:
			c.Distributors[code] = o.ID
		case module.OrgFundManager:
			c.Distributors[code] = o.ID
			c.TAs[code] = o.ID
		}
	}
	return c
}

// LoadCodes reads a codes file (unknown fields are refused).
func LoadCodes(path string) (*Codes, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Codes
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("codes file %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("codes file %s: %w", path, err)
	}
	return &c, nil
}

// Validate checks that every code is 1 to 9 printable ASCII characters and
// every organisation is named.
func (c *Codes) Validate() error {
	for what, m := range map[string]map[string]string{"distributor": c.Distributors, "TA": c.TAs} {
		for _, code := range sortedKeys(m) {
			if code == "" || len(code) > MaxCodeLen || !printable(code) {
				return fmt.Errorf("%s code %q: want 1 to %d printable ASCII characters", what, code, MaxCodeLen)
			}
			if m[code] == "" {
				return fmt.Errorf("%s code %q: no organisation", what, code)
			}
		}
	}
	return nil
}

// Merge returns c with the entries of over added or replacing c's.
func (c *Codes) Merge(over *Codes) *Codes {
	out := &Codes{Distributors: map[string]string{}, TAs: map[string]string{}}
	for _, src := range []*Codes{c, over} {
		if src == nil {
			continue
		}
		for k, v := range src.Distributors {
			out.Distributors[k] = v
		}
		for k, v := range src.TAs {
			out.TAs[k] = v
		}
	}
	return out
}

// Distributor is the organisation of a distributor code.
func (c *Codes) Distributor(code string) (string, bool) {
	org, ok := c.Distributors[code]
	return org, ok
}

// TA is the fund manager organisation of a TA code.
func (c *Codes) TA(code string) (string, bool) {
	org, ok := c.TAs[code]
	return org, ok
}

// DistributorCode is the code of an organisation as a distributor (the
// smallest when it has several), or "" when it has none.
func (c *Codes) DistributorCode(org string) string { return codeOf(c.Distributors, org) }

// TACode is the code of a fund manager as a TA, or "".
func (c *Codes) TACode(org string) string { return codeOf(c.TAs, org) }

func codeOf(m map[string]string, org string) string {
	for _, k := range sortedKeys(m) {
		if m[k] == org {
			return k
		}
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
