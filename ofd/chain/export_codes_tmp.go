package chain

// TEMPORARY copy of helper IMPORT's ofd/chain/codes.go type (identical
// declaration per /work/plan/ofd-common.md); the integrator deletes this file
// when codes.go is merged.

// Codes maps the organisation codes of OFD files to chain organisations.
type Codes struct {
	Distributors map[string]string `json:"distributors"` // code -> org id
	TAs          map[string]string `json:"tas"`          // code -> fund manager org
}

// DefaultCodes gives every organisation its own id as code when it is at
// most 9 characters, else its first 9.
func DefaultCodes(orgs []string) *Codes {
	c := &Codes{Distributors: map[string]string{}, TAs: map[string]string{}}
	for _, o := range orgs {
		code := o
		if len(code) > 9 {
			code = code[:9]
		}
		c.Distributors[code] = o
		c.TAs[code] = o
	}
	return c
}
