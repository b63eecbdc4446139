package client_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

func TestAuthAndReads(t *testing.T) {
	env := apitest.NewEnv(t)
	ctx := ctxT(t)
	regID, regKey := env.App.AddIdentity(t, "reg", module.RoleRegulator, crypto.SM2)
	bankID, bankKey := env.App.AddIdentity(t, "bank1", module.RoleReseller, crypto.P256)
	invID, invKey := env.App.AddIdentity(t, "bank1", module.RoleInvestor, crypto.Ed25519)

	t.Run("public reads", func(t *testing.T) {
		c := env.Client
		orgs, err := c.Orgs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var list []map[string]string
		if err := json.Unmarshal(orgs, &list); err != nil || len(list) != 4 || list[0]["id"] != "bank1" {
			t.Fatalf("orgs %s %v", orgs, err)
		}
		org, err := c.Org(ctx, "fund1")
		if err != nil || string(org) != `{"id":"fund1","type":"fund_manager"}`+"\n" {
			t.Fatalf("org %q %v", org, err)
		}
		_, err = c.Org(ctx, "nope")
		e := apiErr(t, err, http.StatusNotFound, "unknown_org")
		if e.Codespace != "member" || e.ABCICode != 2 {
			t.Fatalf("%+v", e)
		}
		id, err := c.Identity(ctx, bankID)
		if err != nil {
			t.Fatal(err)
		}
		var rec map[string]any
		if err := json.Unmarshal(id, &rec); err != nil || rec["id"] != bankID || rec["role"] != "reseller" {
			t.Fatalf("identity %s", id)
		}
		_, err = c.Identity(ctx, "0000")
		apiErr(t, err, http.StatusNotFound, "not_registered")
		_, err = c.Query(ctx, "member/orgs/bank1", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Query(ctx, "nomodule/x", nil)
		apiErr(t, err, http.StatusNotFound, "unknown_query")
		_, err = c.Query(ctx, "test/secret", nil)
		apiErr(t, err, http.StatusUnauthorized, "auth_required")
	})

	t.Run("login with each algorithm", func(t *testing.T) {
		for _, x := range []struct {
			id  string
			key crypto.PrivateKey
		}{{regID, regKey}, {bankID, bankKey}, {invID, invKey}} {
			c := client.New(env.URL)
			tok, err := c.Login(ctx, x.id, x.key.Sign)
			if err != nil {
				t.Fatalf("%s: %v", x.key.Algorithm(), err)
			}
			if tok.Identity != x.id || c.Token() != tok.Token || len(tok.Token) < 40 || !tok.Expires.After(time.Now().Add(14*time.Minute)) {
				t.Fatalf("token %+v", tok)
			}
		}
	})

	t.Run("access decided by the app", func(t *testing.T) {
		reg := client.New(env.URL)
		if _, err := reg.Login(ctx, regID, regKey.Sign); err != nil {
			t.Fatal(err)
		}
		v, err := reg.Query(ctx, "test/secret", nil)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Secret int    `json:"secret"`
			Caller string `json:"caller"`
		}
		if err := json.Unmarshal(v, &got); err != nil || got.Secret != 42 || got.Caller != regID {
			t.Fatalf("secret %s", v)
		}
		// Multi-segment paths and parameters reach the app.
		v, err = reg.Query(ctx, "test/echo/x y/z", map[string]string{"k": "v/w", "n": "1"})
		if err != nil {
			t.Fatal(err)
		}
		var echo struct {
			A, B   string
			Params map[string]string
		}
		if err := json.Unmarshal(v, &echo); err != nil || echo.A != "x y" || echo.B != "z" || echo.Params["k"] != "v/w" || echo.Params["n"] != "1" {
			t.Fatalf("echo %s", v)
		}
		_, err = reg.Query(ctx, "test/echo/a/b", map[string]string{"bad": "1"})
		apiErr(t, err, http.StatusBadRequest, "invalid_request")

		bank := client.New(env.URL)
		if _, err := bank.Login(ctx, bankID, bankKey.Sign); err != nil {
			t.Fatal(err)
		}
		_, err = bank.Query(ctx, "test/secret", nil)
		e := apiErr(t, err, http.StatusForbidden, "not_permitted")
		if e.Codespace != "app" || e.ABCICode != 17 {
			t.Fatalf("%+v", e)
		}
	})

	t.Run("refused logins", func(t *testing.T) {
		c := client.New(env.URL)
		_, err := c.Login(ctx, bankID, invKey.Sign) // someone else's key
		apiErr(t, err, http.StatusUnauthorized, client.CodeBadSignature)
		_, err = c.Login(ctx, bankID, func([]byte) ([]byte, error) { return []byte("junk"), nil })
		apiErr(t, err, http.StatusUnauthorized, client.CodeBadSignature)
		_, err = c.Login(ctx, "feedface", invKey.Sign)
		apiErr(t, err, http.StatusUnauthorized, "not_registered")
		if c.Token() != "" {
			t.Fatal("a refused login set a token")
		}
		_, err = c.Login(ctx, bankID, func([]byte) ([]byte, error) { return nil, errors.New("hsm offline") })
		if err == nil || client.IsCode(err, client.CodeBadSignature) {
			t.Fatalf("signer failure: %v", err)
		}

		// A challenge works once.
		ch, err := c.Challenge(ctx)
		if err != nil || ch.ChainID != apitest.ChainID || !ch.Expires.After(time.Now()) {
			t.Fatalf("challenge %+v %v", ch, err)
		}
		sig, _ := bankKey.Sign(client.AuthMessage(ch.ChainID, client.Audience(c.BaseURL()), ch.Challenge))
		if _, err := c.ExchangeToken(ctx, client.TokenRequest{Identity: bankID, Challenge: ch.Challenge, Audience: client.Audience(c.BaseURL()), Signature: sig}); err != nil {
			t.Fatal(err)
		}
		_, err = c.ExchangeToken(ctx, client.TokenRequest{Identity: bankID, Challenge: ch.Challenge, Audience: client.Audience(c.BaseURL()), Signature: sig})
		apiErr(t, err, http.StatusUnauthorized, client.CodeInvalidChallenge)
		// A refused attempt burns the challenge too.
		ch, _ = c.Challenge(ctx)
		_, err = c.ExchangeToken(ctx, client.TokenRequest{Identity: bankID, Challenge: ch.Challenge, Audience: client.Audience(c.BaseURL()), Signature: []byte("x")})
		apiErr(t, err, http.StatusUnauthorized, client.CodeBadSignature)
		sig, _ = bankKey.Sign(client.AuthMessage(ch.ChainID, client.Audience(c.BaseURL()), ch.Challenge))
		_, err = c.ExchangeToken(ctx, client.TokenRequest{Identity: bankID, Challenge: ch.Challenge, Audience: client.Audience(c.BaseURL()), Signature: sig})
		apiErr(t, err, http.StatusUnauthorized, client.CodeInvalidChallenge)
		// Unknown and expired challenges.
		_, err = c.ExchangeToken(ctx, client.TokenRequest{Identity: bankID, Challenge: "made-up", Signature: sig})
		apiErr(t, err, http.StatusUnauthorized, client.CodeInvalidChallenge)
		ch, _ = c.Challenge(ctx)
		env.Clock.Advance(2*time.Minute + time.Second)
		sig, _ = bankKey.Sign(client.AuthMessage(ch.ChainID, client.Audience(c.BaseURL()), ch.Challenge))
		_, err = c.ExchangeToken(ctx, client.TokenRequest{Identity: bankID, Challenge: ch.Challenge, Audience: client.Audience(c.BaseURL()), Signature: sig})
		apiErr(t, err, http.StatusUnauthorized, client.CodeInvalidChallenge)
		// A signature over another chain's message.
		ch, _ = c.Challenge(ctx)
		sig, _ = bankKey.Sign(client.AuthMessage("other-chain", client.Audience(c.BaseURL()), ch.Challenge))
		_, err = c.ExchangeToken(ctx, client.TokenRequest{Identity: bankID, Challenge: ch.Challenge, Audience: client.Audience(c.BaseURL()), Signature: sig})
		apiErr(t, err, http.StatusUnauthorized, client.CodeBadSignature)
		// A login signed for another host (a relay of this node's challenge,
		// e.g. by a blob URL a malicious sender named) is refused.
		ch, _ = c.Challenge(ctx)
		sig, _ = bankKey.Sign(client.AuthMessage(ch.ChainID, "relay.example:443", ch.Challenge))
		_, err = c.ExchangeToken(ctx, client.TokenRequest{Identity: bankID, Challenge: ch.Challenge, Audience: "relay.example:443", Signature: sig})
		apiErr(t, err, http.StatusUnauthorized, client.CodeBadSignature)
		// Malformed requests.
		_, err = c.ExchangeToken(ctx, client.TokenRequest{Identity: bankID})
		apiErr(t, err, http.StatusBadRequest, client.CodeInvalidRequest)
	})

	t.Run("tokens", func(t *testing.T) {
		c := client.New(env.URL)
		if _, err := c.Login(ctx, regID, regKey.Sign); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Query(ctx, "test/secret", nil); err != nil {
			t.Fatal(err)
		}
		// Unknown and malformed tokens are refused even on public reads.
		bogus := client.New(env.URL, client.WithToken("bogus"))
		_, err := bogus.Orgs(ctx)
		apiErr(t, err, http.StatusUnauthorized, client.CodeInvalidToken)

		// Expiry.
		env.Clock.Advance(15*time.Minute + time.Second)
		_, err = c.Query(ctx, "test/secret", nil)
		apiErr(t, err, http.StatusUnauthorized, client.CodeInvalidToken)

		// Logout.
		if _, err := c.Login(ctx, regID, regKey.Sign); err != nil {
			t.Fatal(err)
		}
		tok := c.Token()
		if err := c.Logout(ctx); err != nil || c.Token() != "" {
			t.Fatalf("logout: %v", err)
		}
		c.SetToken(tok)
		_, err = c.Query(ctx, "test/secret", nil)
		apiErr(t, err, http.StatusUnauthorized, client.CodeInvalidToken)
		err = c.Logout(ctx)
		apiErr(t, err, http.StatusUnauthorized, client.CodeInvalidToken)

		// Revocation takes effect on the next request, and kills the token.
		if _, err := c.Login(ctx, regID, regKey.Sign); err != nil {
			t.Fatal(err)
		}
		env.App.Revoke(regID)
		_, err = c.Query(ctx, "test/secret", nil)
		e := apiErr(t, err, http.StatusUnauthorized, client.CodeIdentityRevoked)
		if e.Codespace != "member" || e.ABCICode != 10 {
			t.Fatalf("%+v", e)
		}
		_, err = c.Orgs(ctx)
		apiErr(t, err, http.StatusUnauthorized, client.CodeInvalidToken)
		_, err = client.New(env.URL).Login(ctx, regID, regKey.Sign)
		apiErr(t, err, http.StatusUnauthorized, client.CodeIdentityRevoked)
	})
}
