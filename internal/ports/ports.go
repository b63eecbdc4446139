// Package ports finds free 127.0.0.1 port ranges below 32768 for tests that
// start nodes (above 32767 the kernel hands out ephemeral ports, which would
// collide).
package ports

import (
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
)

// FreeBase returns a base port such that every port of n nodes
// (base+10i+0..3, the layout of otc testnet) is free on 127.0.0.1 and below
// 32768. It scans from a random start so that parallel test processes
// rarely collide.
func FreeBase(n int) (int, error) {
	for try := 0; try < 200; try++ {
		base := 20000 + 10*rand.IntN(1100) // 20000..30990
		if Free(base, n) {
			return base, nil
		}
	}
	return 0, errors.New("ports: no free port range below 32768")
}

// Free says whether the ports of n nodes from base are all free.
func Free(base, n int) bool {
	for i := 0; i < n; i++ {
		for k := 0; k < 4; k++ {
			p := base + 10*i + k
			if p >= 32768 {
				return false
			}
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				return false
			}
			ln.Close()
		}
	}
	return true
}
