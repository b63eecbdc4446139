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
		"id: 5:b0\nevent: block\ndata: {\"id\":\"5:b0\",\"height\":5,\"index\":0,\"events\":[{\"type\":\"order_confirmed\",\"attrs\":[{\"key\":\"channel\",\"value\":\"rs-bank\"}]}]}\n\n",
		"id: 5:b1\nevent: block\ndata: {}\n\n",
		"event: block\ndata: [1]\n\n",
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
		// ReadStream sees the same txs, and block entries besides.
		txs := 0
		err2 := client.ReadStream(bytes.NewReader(b), func(ev *client.StreamEvent) error {
			if ev == nil || (ev.Tx == nil) == (ev.Block == nil) {
				t.Fatalf("entry %+v", ev)
			}
			if ev.Tx != nil {
				txs++
			}
			return nil
		})
		if err == nil && err2 == nil && txs != n {
			t.Fatalf("ReadStream: %d txs, %v; ReadEvents: %d, %v", txs, err2, n, err)
		}
	})
}

func FuzzParseEventID(f *testing.F) {
	for _, s := range []string{"1:0", "123:45", "0:0", ":", "1:", ":1", "-1:2", "1:-2", "9223372036854775807:4294967295", "1:4294967296", " 1:2", "1:2:3",
		// block event ids
		"1:b0", "123:b45", "0:b0", "1:b", ":b1", "1:b-1", "1:b+1", "1:B1", "1:bb1", "1:b 1", "b1:1", "1:1b",
		"9223372036854775807:b4294967295", "1:b4294967296", "1:b1:2", "1:b01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// ParseEventPos reads every id ParseEventID does, the same way, and
		// the block ids; its String round-trips.
		p, perr := client.ParseEventPos(s)
		if perr == nil {
			if p.Height < 1 {
				t.Fatalf("%q: pos %+v", s, p)
			}
			q, err := client.ParseEventPos(p.String())
			if err != nil || q != p || q.Compare(p) != 0 {
				t.Fatalf("%q -> %s -> %+v %v", s, p, q, err)
			}
			if p.Block != strings.Contains(s, ":b") {
				t.Fatalf("%q: pos %+v", s, p)
			}
		}
		h, i, err := client.ParseEventID(s)
		if err != nil {
			if perr == nil && !p.Block {
				t.Fatalf("%q: ParseEventPos %+v, ParseEventID %v", s, p, err)
			}
			return
		}
		if perr != nil || p != (client.EventPos{Height: h, Index: i}) {
			t.Fatalf("%q: ParseEventID %d %d, ParseEventPos %+v %v", s, h, i, p, perr)
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
