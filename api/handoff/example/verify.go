// Package example is the relying party of docs/handoff.md: the Go code
// shown there, verbatim, so that a test runs it against the real key set.
package example

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Verify checks an applinks_assertion and returns its claims. issuer is the
// applinks public URL, audience this site's origin; seen records a jti and
// reports whether it is new (keep it until exp).
func Verify(token, issuer, audience string, seen func(jti string, exp time.Time) bool) (map[string]any, error) {
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA}) // alg EdDSA only
	if err != nil {
		return nil, err
	}
	resp, err := http.Get(issuer + "/.well-known/jwks.json") // cache it; fetch again on an unknown kid
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		return nil, err
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) != 1 {
		return nil, errors.New("unknown kid")
	}
	var std jwt.Claims
	var claims map[string]any
	if err := tok.Claims(keys[0].Key, &std, &claims); err != nil { // the signature
		return nil, err
	}
	want := jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{audience}, Time: time.Now()}
	if err := std.ValidateWithLeeway(want, 5*time.Second); err != nil { // iss, aud, exp
		return nil, err
	}
	if std.ID == "" || std.Expiry == nil || !seen(std.ID, std.Expiry.Time()) { // jti once
		return nil, errors.New("assertion replayed")
	}
	return claims, nil
}
