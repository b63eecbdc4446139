package client_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/client"
)

func FuzzReadEvents(f *testing.F) {
	for _, s := range []string{
		"id: 5:0\nevent: tx\ndata: {\"height\":5,\"index\":0,\"hash\":\"ab\"}\n\n",
		": heartbeat\n\nretry: 1000\n\n",
		"event: error\ndata: {\"error\":{\"code\":\"node_unavailable\"}}\n\n",
		"data: {\"id\":\"1:2\"}\r\n\r\n",
		"data: {\ndata: }\n\n",
		"event: other\ndata: x\n\n",
		"data: not json\n\n",
		"id",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		err := client.ReadEvents(bytes.NewReader(b), func(ev *client.TxEvent) error {
			n++
			if ev == nil {
				t.Fatal("nil event")
			}
			return nil
		})
		var ae *client.Error
		if err != nil && errors.As(err, &ae) && ae.Code == "" {
			t.Fatalf("error event without a code: %v", err)
		}
		_ = n
	})
}

func FuzzParseEventID(f *testing.F) {
	for _, s := range []string{"1:0", "123:45", "0:0", ":", "1:", ":1", "-1:2", "1:-2", "9223372036854775807:4294967295", "1:4294967296", " 1:2", "1:2:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, i, err := client.ParseEventID(s)
		if err != nil {
			return
		}
		if h < 1 {
			t.Fatalf("%q: height %d", s, h)
		}
		back := fmt.Sprintf("%d:%d", h, i)
		h2, i2, err := client.ParseEventID(back)
		if err != nil || h2 != h || i2 != i {
			t.Fatalf("%q -> %s -> %d %d %v", s, back, h2, i2, err)
		}
		if !strings.Contains(s, ":") {
			t.Fatalf("%q parsed without a colon", s)
		}
	})
}
