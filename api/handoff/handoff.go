// Package handoff signs the assertion a link's external target receives
// (the signed hand-off) and keeps its keys: Ed25519 pairs, created on first
// need, sealed in the database like every other secret, rotated by staff
// and published as a JSON Web Key Set.
//
// Invariants:
//   - Exactly one key signs at a time (the active one); a rotated key stays
//     published for links.SigningKeyGrace, then is deleted at the next
//     rotation.
//   - The key set holds public keys only.
//   - An assertion lives AssertionTTL and carries a unique jti, so a
//     relying party can refuse a replay by remembering jti until exp.
package handoff

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// AssertionTTL is how long an assertion is valid.
const AssertionTTL = 60 * time.Second

// Store is what the keys need from the database.
type Store interface {
	SigningKeys(ctx context.Context, since time.Time) ([]links.SigningKey, error)
	EnsureSigningKey(ctx context.Context, k links.SigningKey) error
	RotateSigningKey(ctx context.Context, k links.SigningKey) error
}

// Keys signs assertions and publishes and rotates their keys. It is safe for
// concurrent use, and several replicas may share one database.
type Keys struct {
	store  Store
	issuer string
	now    func() time.Time
}

// New returns the keys of the service whose public URL (the assertions'
// issuer) is issuer; now nil means time.Now.
func New(store Store, issuer string, now func() time.Time) *Keys {
	if now == nil {
		now = time.Now
	}
	return &Keys{store: store, issuer: strings.TrimRight(issuer, "/"), now: now}
}

// Claims is the payload of an assertion: the registered claims and the
// account, service, link and e-mail of the signed-in user.
type Claims struct {
	jwt.Claims
	ClientID          int64  `json:"client_id"`
	ClientExternalID  string `json:"client_external_id"`
	ServiceID         int64  `json:"service_id"`
	ServiceExternalID string `json:"service_external_id"`
	Destination       string `json:"destination"`
	Email             string `json:"email"`
}

// newKey makes a key pair whose id is its RFC 7638 thumbprint.
func newKey(now time.Time) (links.SigningKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return links.SigningKey{}, err
	}
	jwk := jose.JSONWebKey{Key: pub}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return links.SigningKey{}, err
	}
	return links.SigningKey{KID: base64.RawURLEncoding.EncodeToString(tp), PublicKey: pub, PrivateKey: priv.Seed(), CreatedAt: now}, nil
}

// published returns the active key and the keys retired within the grace,
// creating the first key when there is none.
func (k *Keys) published(ctx context.Context) ([]links.SigningKey, error) {
	since := k.now().Add(-links.SigningKeyGrace)
	keys, err := k.store.SigningKeys(ctx, since)
	if err != nil || hasActive(keys) {
		return keys, err
	}
	key, err := newKey(k.now())
	if err != nil {
		return nil, err
	}
	if err := k.store.EnsureSigningKey(ctx, key); err != nil {
		return nil, err
	}
	return k.store.SigningKeys(ctx, since)
}

func hasActive(keys []links.SigningKey) bool {
	for _, key := range keys {
		if key.RetiredAt == nil {
			return true
		}
	}
	return false
}

// Sign returns the compact JWT of an assertion, signed with the active key
// (EdDSA, with its kid): iss the public URL, aud the target's origin, sub
// the user id, iat and exp AssertionTTL later, a random jti.
func (k *Keys) Sign(ctx context.Context, a links.Assertion) (string, error) {
	if a.Audience == "" {
		return "", errors.New("handoff: an assertion needs an audience")
	}
	keys, err := k.published(ctx)
	if err != nil {
		return "", err
	}
	var active links.SigningKey
	for _, key := range keys {
		if key.RetiredAt == nil {
			active = key
			break
		}
	}
	if len(active.PrivateKey) != ed25519.SeedSize {
		return "", errors.New("handoff: no usable signing key")
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: ed25519.NewKeyFromSeed(active.PrivateKey)},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", active.KID))
	if err != nil {
		return "", err
	}
	jti, err := secret.Token(16)
	if err != nil {
		return "", err
	}
	now := k.now()
	claims := Claims{
		Claims: jwt.Claims{Issuer: k.issuer, Audience: jwt.Audience{a.Audience}, Subject: strconv.FormatInt(a.UserID, 10),
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(AssertionTTL)), ID: jti},
		ClientID: a.ClientID, ClientExternalID: a.ClientExternalID, ServiceID: a.ServiceID, ServiceExternalID: a.ServiceExternalID,
		Destination: a.Destination, Email: a.Email,
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// JWKS returns the published key set as JSON: the public halves of the
// active key and of the keys retired within the grace.
func (k *Keys) JWKS(ctx context.Context) ([]byte, error) {
	keys, err := k.published(ctx)
	if err != nil {
		return nil, err
	}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for _, key := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: ed25519.PublicKey(key.PublicKey), KeyID: key.KID,
			Algorithm: string(jose.EdDSA), Use: "sig"})
	}
	return json.Marshal(set)
}

// Rotate makes a new active key; the old one stays published for the grace.
// It answers the published keys, the new one first.
func (k *Keys) Rotate(ctx context.Context) ([]links.SigningKeyInfo, error) {
	key, err := newKey(k.now())
	if err != nil {
		return nil, err
	}
	if err := k.store.RotateSigningKey(ctx, key); err != nil {
		return nil, err
	}
	keys, err := k.published(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]links.SigningKeyInfo, len(keys))
	for i, key := range keys {
		out[i] = key.Info()
	}
	return out, nil
}
