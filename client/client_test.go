package client_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/tx"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// apiErr asserts err is a *client.Error with the status and code.
func apiErr(t *testing.T, err error, status int, code string) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *client.Error %d %s, got %T %v", status, code, err, err)
	}
	if e.HTTPStatus != status || e.Code != code {
		t.Fatalf("want %d %s, got %d %s (%s)", status, code, e.HTTPStatus, e.Code, e.Message)
	}
	return e
}

func TestStatus(t *testing.T) {
	env := apitest.NewEnv(t)
	st, err := env.Client.Status(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.ChainID != apitest.ChainID || st.NodeID == "" || st.Moniker != "apitest" || st.LatestHeight < 1 || st.CatchingUp {
		t.Fatalf("status: %+v", st)
	}
	if len(st.LatestAppHash) != 16 && len(st.LatestAppHash) != 64 && st.LatestAppHash != "" {
		t.Errorf("app hash %q", st.LatestAppHash)
	}
	if st.LatestBlockTime.IsZero() || len(st.LatestBlockHash) != 64 || st.LatestBlockHash != strings.ToLower(st.LatestBlockHash) {
		t.Errorf("latest block: %+v", st)
	}
	if len(st.Validators) != 1 {
		t.Fatalf("validators: %+v", st.Validators)
	}
	v := st.Validators[0]
	gv := env.Genesis.Validators[0]
	if v.Power != 10 || v.PubKey.Type != "ed25519" || !bytesEq(v.PubKey.Value, gv.PubKey.Bytes()) || v.Address != strings.ToLower(gv.Address.String()) {
		t.Errorf("validator %+v, genesis %+v", v, gv)
	}
	gen, err := env.Client.Genesis(ctxT(t))
	if err != nil || !strings.Contains(string(gen), apitest.ChainID) {
		t.Fatalf("genesis: %v %s", err, gen)
	}
}

func bytesEq(a, b []byte) bool { return hex.EncodeToString(a) == hex.EncodeToString(b) }

func TestTransactions(t *testing.T) {
	env := apitest.NewEnv(t)
	c := env.Client
	ctx := ctxT(t)

	t.Run("wait", func(t *testing.T) {
		raw := []byte("alpha=1")
		res, err := c.BroadcastTx(ctx, raw, true)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Committed || res.Hash != client.TxHash(raw) || res.Height < 1 || res.Code != 0 || res.Time == nil || !res.OK() || res.Err() != nil {
			t.Fatalf("result %+v", res)
		}
		var data struct {
			Msgs []tx.ItemResult `json:"msgs"`
		}
		if err := json.Unmarshal(res.Data, &data); err != nil || len(data.Msgs) != 1 || string(data.Msgs[0].Data) != `{"key":"alpha"}` {
			t.Fatalf("data %s: %v", res.Data, err)
		}
		if len(res.Events) != 2 || res.Events[0].Type != "app" || res.Events[0].Attrs[1] != (module.Attr{Key: "key", Value: "alpha"}) {
			t.Fatalf("events %+v", res.Events)
		}

		// The same bytes again: the committed result, not a refusal.
		again, err := c.BroadcastTx(ctx, raw, true)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Committed || again.Height != res.Height || again.Index != res.Index {
			t.Fatalf("resubmitted: %+v, first %+v", again, res)
		}

		got, err := c.Tx(ctx, strings.ToUpper(res.Hash))
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Tx) != string(raw) || got.Height != res.Height || got.Index != res.Index || !got.Time.Equal(*res.Time) ||
			got.Result.Code != 0 || string(got.Result.Data) != string(res.Data) || got.Body != nil || got.Signer != "" {
			t.Fatalf("tx %+v", got)
		}
	})

	t.Run("no wait", func(t *testing.T) {
		raw := []byte("beta=2")
		res, err := c.BroadcastTx(ctx, raw, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Committed || res.Hash != client.TxHash(raw) || res.Height != 0 {
			t.Fatalf("result %+v", res)
		}
		var got *client.Tx
		apitest.Eventually(t, 20*time.Second, func() bool {
			got, err = c.Tx(ctx, res.Hash)
			return err == nil
		}, "tx committed")
		if string(got.Tx) != "beta=2" {
			t.Fatalf("tx %+v", got)
		}
	})

	t.Run("failed in block", func(t *testing.T) {
		res, err := c.BroadcastTx(ctx, []byte("fail=1"), true)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Committed || res.Code != 7 || res.Codespace != "test" || res.Log != "failed on purpose" || res.OK() {
			t.Fatalf("result %+v", res)
		}
		var e *client.Error
		if !errors.As(res.Err(), &e) || e.Code != client.CodeTxFailed || e.ABCICode != 7 || e.Codespace != "test" {
			t.Fatalf("Err() = %v", res.Err())
		}
	})

	t.Run("rejected by CheckTx", func(t *testing.T) {
		_, err := c.BroadcastTx(ctx, []byte("reject=1"), true)
		e := apiErr(t, err, http.StatusUnprocessableEntity, client.CodeTxRejected)
		if e.Codespace != "test" || e.ABCICode != 5 || e.Message != "rejected on purpose" {
			t.Fatalf("error %+v", e)
		}
		if !errors.Is(err, &client.Error{Code: client.CodeTxRejected, Codespace: "test", ABCICode: 5}) ||
			errors.Is(err, &client.Error{Code: client.CodeTxRejected, ABCICode: 6}) {
			t.Fatal("errors.Is on *client.Error")
		}
		_, err = c.BroadcastTx(ctx, []byte("no-separator"), false)
		e = apiErr(t, err, http.StatusUnprocessableEntity, client.CodeTxRejected)
		if e.ABCICode != 2 {
			t.Fatalf("error %+v", e)
		}
		// SubmitAndConfirm gives up at once on a refusal.
		_, err = c.SubmitAndConfirm(ctx, []byte("reject=2"), 10*time.Second)
		apiErr(t, err, http.StatusUnprocessableEntity, client.CodeTxRejected)
	})

	t.Run("not committed", func(t *testing.T) {
		_, err := c.Broadcast(ctx, client.BroadcastRequest{Tx: []byte("drop=1"), Wait: true, TimeoutMS: 300})
		e := apiErr(t, err, http.StatusGatewayTimeout, client.CodeTxNotCommitted)
		if !strings.Contains(e.Message, client.TxHash([]byte("drop=1"))) || !strings.Contains(e.Message, "submit the same bytes again") {
			t.Fatalf("message %q", e.Message)
		}
		// A second submission of the pending tx hits the node's cache and
		// waits again rather than failing.
		_, err = c.Broadcast(ctx, client.BroadcastRequest{Tx: []byte("drop=1"), Wait: true, TimeoutMS: 200})
		apiErr(t, err, http.StatusGatewayTimeout, client.CodeTxNotCommitted)
		res, err := c.Broadcast(ctx, client.BroadcastRequest{Tx: []byte("drop=1")})
		if err != nil || res.Committed || !strings.Contains(res.Log, "cache") {
			t.Fatalf("no-wait resubmission: %+v %v", res, err)
		}

		// A client deadline shorter than the server's default wait.
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err = c.BroadcastTx(sctx, []byte("drop=2"), true)
		apiErr(t, err, http.StatusGatewayTimeout, client.CodeTxNotCommitted)
	})

	t.Run("submit and confirm", func(t *testing.T) {
		before := counter(t, env, `route="POST /v1/txs"`)
		rc := client.New(env.URL, client.WithResubmitInterval(300*time.Millisecond))
		_, err := rc.SubmitAndConfirm(ctx, []byte("drop=3"), 1500*time.Millisecond)
		apiErr(t, err, http.StatusGatewayTimeout, client.CodeTxNotCommitted)
		if n := counter(t, env, `route="POST /v1/txs"`) - before; n < 3 {
			t.Fatalf("SubmitAndConfirm submitted %v times in 1.5 s at a 300 ms interval", n)
		}
		res, err := rc.SubmitAndConfirm(ctx, []byte("gamma=3"), 20*time.Second)
		if err != nil || !res.Committed || res.Code != 0 {
			t.Fatalf("%+v %v", res, err)
		}
	})

	t.Run("lookup errors", func(t *testing.T) {
		_, err := c.Tx(ctx, strings.Repeat("ab", 32))
		apiErr(t, err, http.StatusNotFound, client.CodeTxNotFound)
		_, err = c.Tx(ctx, "xyz")
		apiErr(t, err, http.StatusBadRequest, client.CodeInvalidHash)
		_, _, err = c.Receipt(ctx, strings.Repeat("cd", 32))
		apiErr(t, err, http.StatusNotFound, client.CodeTxNotFound)
		if !client.IsCode(err, client.CodeTxNotFound) || client.IsCode(err, client.CodeInternal) {
			t.Fatal("IsCode")
		}
		_, err = c.BroadcastTx(ctx, nil, false)
		apiErr(t, err, http.StatusBadRequest, client.CodeInvalidRequest)
		_, err = c.BroadcastTx(ctx, make([]byte, tx.MaxTxBytes+1), false)
		apiErr(t, err, http.StatusRequestEntityTooLarge, client.CodeTxTooLarge)
	})

	t.Run("envelope", func(t *testing.T) {
		var signer [tx.SignerIDBytes]byte
		signer[0] = 0xaa
		key, err := crypto.GenerateKey(crypto.Ed25519)
		if err != nil {
			t.Fatal(err)
		}
		body, err := tx.NewBody([]tx.Any{tx.MustAny("member/noop", map[string]int{"x": 1})}, 1000).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		env, err := tx.Sign(apitest.ChainID, body, signer, tx.AlgEd25519, key.Sign)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.BroadcastTx(ctx, env.Encode(), true)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Tx(ctx, res.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if got.Signer != env.SignerID() || got.Algorithm != "ed25519" || string(got.Body) != string(body) {
			t.Fatalf("tx %+v", got)
		}
	})

	t.Run("receipt", func(t *testing.T) {
		res, err := c.BroadcastTx(ctx, []byte("delta=4"), true)
		if err != nil {
			t.Fatal(err)
		}
		var r *proof.Receipt
		var raw []byte
		apitest.Eventually(t, 20*time.Second, func() bool {
			r, raw, err = c.Receipt(ctx, res.Hash)
			if err != nil && !client.IsCode(err, client.CodeReceiptNotReady) {
				t.Fatal(err)
			}
			return err == nil
		}, "receipt")
		if r.Height != res.Height || r.Index != res.Index || string(r.Tx) != "delta=4" || !json.Valid(raw) {
			t.Fatalf("receipt %+v", r)
		}
		trust, err := proof.TrustFromGenesis(env.Genesis)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := proof.Verify(r, trust)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Height != res.Height || !strings.EqualFold(rep.TxHash, res.Hash) {
			t.Fatalf("report %+v", rep)
		}
	})
}

// counter sums the API request counter over series matching sel.
func counter(t *testing.T, env *apitest.Env, sel string) float64 {
	t.Helper()
	text, err := env.Client.Metrics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "otcchain_api_requests_total{") && strings.Contains(line, sel) {
			var v float64
			if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err == nil {
				sum += v
			}
		}
	}
	return sum
}
