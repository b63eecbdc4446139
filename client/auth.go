package client

import (
	"context"
	"fmt"
	"net/http"
)

// Challenge asks the server for a fresh single-use login challenge.
func (c *Client) Challenge(ctx context.Context) (*Challenge, error) {
	var ch Challenge
	if err := c.do(ctx, http.MethodPost, "/v1/auth/challenge", nil, struct{}{}, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// ExchangeToken trades a signed challenge for a bearer token. It does not
// store the token in the client (Login does).
// Errors: CodeInvalidChallenge, CodeBadSignature, or the app's refusal of the
// identity (for example "not_registered", "identity_revoked"), all 401.
func (c *Client) ExchangeToken(ctx context.Context, req TokenRequest) (*Token, error) {
	var t Token
	if err := c.do(ctx, http.MethodPost, "/v1/auth/token", nil, &req, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// Login authenticates as identityID: it fetches a challenge, has signer sign
// AuthMessage(chainID, audience, challenge) with the identity's registered
// key (the audience is this client's API host:port), and
// exchanges the signature for a bearer token that the client then sends with
// every request. signer is typically a crypto.PrivateKey's Sign method.
func (c *Client) Login(ctx context.Context, identityID string, signer func(msg []byte) ([]byte, error)) (*Token, error) {
	ch, err := c.Challenge(ctx)
	if err != nil {
		return nil, err
	}
	aud := Audience(c.base)
	sig, err := signer(AuthMessage(ch.ChainID, aud, ch.Challenge))
	if err != nil {
		return nil, fmt.Errorf("client: sign login challenge: %w", err)
	}
	t, err := c.ExchangeToken(ctx, TokenRequest{Identity: identityID, Challenge: ch.Challenge, Audience: aud, Signature: sig})
	if err != nil {
		return nil, err
	}
	c.SetToken(t.Token)
	return t, nil
}

// Logout revokes the client's token on the server and forgets it. Without a
// token it does nothing.
func (c *Client) Logout(ctx context.Context) error {
	if c.Token() == "" {
		return nil
	}
	err := c.do(ctx, http.MethodDelete, "/v1/auth/token", nil, nil, nil)
	c.SetToken("")
	return err
}
