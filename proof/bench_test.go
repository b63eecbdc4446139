package proof_test

import (
	"context"
	"testing"

	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/proof/prover"
)

// go test -run '^$' -bench . -benchmem ./proof
func BenchmarkVerify(b *testing.B) {
	cases := []struct {
		name    string
		spec    chainSpec
		changes []int64
	}{
		{name: "1 validator", spec: chainSpec{chainID: "otc-bench", heights: 5,
			sets: []valSpan{{from: 1, keys: keys(1), power: 10}}}},
		{name: "4 validators", spec: chainSpec{chainID: "otc-bench", heights: 5,
			sets: []valSpan{{from: 1, keys: keys(4), power: 10}}}},
		{name: "4 validators, 2 set changes", changes: []int64{2, 3}, spec: chainSpec{chainID: "otc-bench", heights: 5,
			sets: []valSpan{
				{from: 1, keys: []int{0, 1, 2, 3}, power: 10},
				{from: 2, keys: []int{0, 1, 2, 4}, power: 10},
				{from: 3, keys: []int{0, 1, 4, 5}, power: 10},
			}}},
		{name: "16 validators", spec: chainSpec{chainID: "otc-bench", heights: 5,
			sets: []valSpan{{from: 1, keys: keys(16), power: 10}}}},
	}
	for _, tc := range cases {
		c := newChain(b, tc.spec)
		r, err := prover.Build(context.Background(), c, 4, 0, tc.changes)
		if err != nil {
			b.Fatal(err)
		}
		trust := genesisTrust(b, c.genesis)
		js := mustJSON(b, r)
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := proof.Verify(r, trust); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(js)), "receipt-bytes")
		})
		b.Run(tc.name+"/from JSON", func(b *testing.B) {
			for b.Loop() {
				r, err := proof.Unmarshal(js)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := proof.Verify(r, trust); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
