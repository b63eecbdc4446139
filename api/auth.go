package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// ChallengeTTL is how long a login challenge stays valid.
const ChallengeTTL = 2 * time.Minute

// Bounds of a token request's fields.
const (
	maxIdentityLen  = 128
	maxChallengeLen = 128
	maxSignatureLen = 512
)

type session struct {
	identity string
	expires  time.Time
}

// authStore holds challenges and tokens in memory, each bounded.
type authStore struct {
	max int
	now func() time.Time

	mu         sync.Mutex
	challenges map[string]time.Time // challenge -> expiry
	tokens     map[[32]byte]session // SHA-256 of the token -> session
}

func newAuthStore(max int, now func() time.Time) *authStore {
	return &authStore{max: max, now: now, challenges: make(map[string]time.Time), tokens: make(map[[32]byte]session)}
}

func randomString() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("api: system randomness unavailable: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func overCapacity(what string) *apiError {
	return errorf(http.StatusServiceUnavailable, client.CodeOverCapacity, "too many outstanding %s: retry later", what)
}

func (a *authStore) newChallenge() (string, time.Time, error) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.challenges) >= a.max {
		for c, exp := range a.challenges {
			if !now.Before(exp) {
				delete(a.challenges, c)
			}
		}
		if len(a.challenges) >= a.max {
			return "", time.Time{}, overCapacity("login challenges")
		}
	}
	c := randomString()
	exp := now.Add(ChallengeTTL)
	a.challenges[c] = exp
	return c, exp, nil
}

// takeChallenge consumes a challenge: true if it was issued and is still
// valid. A challenge is never accepted twice, whatever the outcome.
func (a *authStore) takeChallenge(c string) bool {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.challenges[c]
	delete(a.challenges, c)
	return ok && now.Before(exp)
}

func (a *authStore) newToken(identity string, ttl time.Duration) (string, time.Time, error) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.tokens) >= a.max {
		for k, s := range a.tokens {
			if !now.Before(s.expires) {
				delete(a.tokens, k)
			}
		}
		if len(a.tokens) >= a.max {
			return "", time.Time{}, overCapacity("tokens")
		}
	}
	t := randomString()
	exp := now.Add(ttl)
	a.tokens[sha256.Sum256([]byte(t))] = session{identity: identity, expires: exp}
	return t, exp, nil
}

func (a *authStore) lookup(token string) (session, bool) {
	k := sha256.Sum256([]byte(token))
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.tokens[k]
	if ok && !now.Before(s.expires) {
		delete(a.tokens, k)
		return session{}, false
	}
	return s, ok
}

func (a *authStore) revoke(token string) {
	k := sha256.Sum256([]byte(token))
	a.mu.Lock()
	delete(a.tokens, k)
	a.mu.Unlock()
}

func invalidToken(msg string) *apiError {
	return errorf(http.StatusUnauthorized, client.CodeInvalidToken, "%s", msg)
}

// bearer returns the token of the Authorization header ("" when absent).
func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", nil
	}
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" || len(tok) > 256 {
		return "", invalidToken("the Authorization header must be \"Bearer <token>\"")
	}
	return tok, nil
}

// caller returns the identity of the request's bearer token, re-checked
// with the app, or nil for an anonymous request.
func (s *Server) caller(r *http.Request) (*module.Identity, error) {
	tok, err := bearer(r)
	if err != nil || tok == "" {
		return nil, err
	}
	sess, ok := s.auth.lookup(tok)
	if !ok {
		return nil, invalidToken("unknown or expired token: log in again")
	}
	ident, err := s.cfg.App.Identity(sess.identity)
	if err != nil {
		if me := module.AsError(err); me != nil {
			s.auth.revoke(tok) // the identity lost its standing: so does the token
			return nil, &apiError{status: http.StatusUnauthorized, body: client.Error{
				Code: me.Name, Codespace: me.Codespace, ABCICode: me.Code,
				Message: "the token's identity may no longer act: " + me.Message,
			}}
		}
		return nil, err
	}
	return ident, nil
}

func (s *Server) handleChallenge(w http.ResponseWriter, r *http.Request) error {
	// The body is optional; if present it must be an empty JSON object.
	if err := decodeBody(r, &struct{}{}, true); err != nil {
		return err
	}
	c, exp, err := s.auth.newChallenge()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, client.Challenge{Challenge: c, ChainID: s.chainID, Expires: exp.UTC()})
	return nil
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) error {
	var req client.TokenRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	switch {
	case req.Identity == "" || len(req.Identity) > maxIdentityLen:
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "field \"identity\" must be 1 to %d characters", maxIdentityLen)
	case req.Challenge == "" || len(req.Challenge) > maxChallengeLen:
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "field \"challenge\" must be 1 to %d characters", maxChallengeLen)
	case len(req.Signature) == 0 || len(req.Signature) > maxSignatureLen:
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "field \"signature\" must be 1 to %d bytes (base64)", maxSignatureLen)
	}
	if !s.auth.takeChallenge(req.Challenge) {
		return errorf(http.StatusUnauthorized, client.CodeInvalidChallenge, "unknown, used or expired challenge: request a new one")
	}
	if !s.acceptsAudience(req.Audience) {
		return errorf(http.StatusUnauthorized, client.CodeBadSignature, "the login was signed for %q, which is not this node's API address: log in to the node you use", req.Audience)
	}
	ident, err := s.cfg.App.Identity(req.Identity)
	if err != nil {
		if me := module.AsError(err); me != nil {
			s.log.Info("api: login refused", "identity", req.Identity, "code", me.Name)
			ae := moduleError(me)
			ae.status = http.StatusUnauthorized
			return ae
		}
		return err
	}
	alg, err := crypto.ParseAlgorithm(ident.Algorithm)
	if err != nil {
		return errorf(http.StatusUnauthorized, client.CodeUnsupportedKey, "the identity's key algorithm %q cannot be used to log in", ident.Algorithm)
	}
	pub, err := crypto.PublicKeyFromBytes(alg, ident.PublicKey)
	if err != nil {
		return errorf(http.StatusUnauthorized, client.CodeUnsupportedKey, "the identity's registered key is not usable: %v", err)
	}
	if !pub.Verify(client.AuthMessage(s.chainID, req.Audience, req.Challenge), req.Signature) {
		s.log.Info("api: login refused", "identity", req.Identity, "code", client.CodeBadSignature)
		return errorf(http.StatusUnauthorized, client.CodeBadSignature, "the signature does not verify with the identity's registered %s key", alg)
	}
	id := ident.ID
	if id == "" {
		id = req.Identity
	}
	tok, exp, err := s.auth.newToken(id, s.cfg.TokenTTL)
	if err != nil {
		return err
	}
	s.log.Info("api: login", "identity", id, "role", ident.Role, "org", ident.Org)
	writeJSON(w, http.StatusOK, client.Token{Token: tok, Identity: id, Expires: exp.UTC()})
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	tok, err := bearer(r)
	if err != nil {
		return err
	}
	if tok == "" {
		return invalidToken("no bearer token to revoke")
	}
	if _, ok := s.auth.lookup(tok); !ok {
		return invalidToken("unknown or expired token")
	}
	s.auth.revoke(tok)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// acceptsAudience says whether a login signed for aud is meant for this
// node: its listening address, its configured public addresses, or — when
// it listens on every interface — a loopback address with its port.
func (s *Server) acceptsAudience(aud string) bool {
	if aud == "" {
		return false
	}
	for _, a := range s.cfg.PublicAddrs {
		if strings.EqualFold(a, aud) {
			return true
		}
	}
	addr := s.Addr()
	if addr == "" {
		return false
	}
	if strings.EqualFold(addr, aud) {
		return true
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ahost, aport, err := net.SplitHostPort(aud)
	if err != nil || aport != port {
		return false
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() {
		return false
	}
	return ahost == "localhost" || (net.ParseIP(ahost) != nil && net.ParseIP(ahost).IsLoopback())
}
