package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/client"
)

// TestBlocks lists block headers newest first, pages with before, and
// refuses a bad limit or height with invalid_request.
func TestBlocks(t *testing.T) {
	env := apitest.NewEnv(t)
	env.WaitHeight(t, 4)
	get := func(q string, want int) client.Blocks {
		t.Helper()
		res, err := http.Get(env.URL + "/v1/blocks" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("GET /v1/blocks%s: %s, want %d", q, res.Status, want)
		}
		var b client.Blocks
		if want == 200 {
			if err := json.NewDecoder(res.Body).Decode(&b); err != nil {
				t.Fatal(err)
			}
		}
		return b
	}
	all := get("?limit=100", 200)
	if len(all.Blocks) < 4 || all.Blocks[0].Height != all.Latest || all.Blocks[len(all.Blocks)-1].Height != max(all.Earliest, 1) {
		t.Fatalf("blocks %d, latest %d, earliest %d, first %+v", len(all.Blocks), all.Latest, all.Earliest, all.Blocks[0])
	}
	for i := 1; i < len(all.Blocks); i++ {
		if all.Blocks[i].Height != all.Blocks[i-1].Height-1 || all.Blocks[i].Time.After(all.Blocks[i-1].Time) || len(all.Blocks[i].Hash) != 64 {
			t.Fatalf("block %d after %d: %+v", all.Blocks[i].Height, all.Blocks[i-1].Height, all.Blocks[i])
		}
	}
	page := get("?limit=2&before=3", 200)
	if len(page.Blocks) != 2 || page.Blocks[0].Height != 2 || page.Blocks[1].Height != 1 {
		t.Fatalf("before=3: %+v", page.Blocks)
	}
	get("?limit=0", 400)
	get("?limit=101", 400)
	get("?before=x", 400)
}
