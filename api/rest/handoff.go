package rest

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// Handoff is what the signed hand-off endpoints need (api/handoff).
type Handoff interface {
	JWKS(ctx context.Context) ([]byte, error)
	Rotate(ctx context.Context) ([]links.SigningKeyInfo, error)
}

// handoffAPI serves the hand-off key set and its rotation.
type handoffAPI struct {
	handoff Handoff
}

// jwksMaxAge is how long a relying party may cache the key set. A rotated
// key signs at once, so a relying party that meets an unknown kid fetches
// the set again (docs/handoff.md).
const jwksMaxAge = "public, max-age=300"

// jwks publishes the hand-off signing keys.
//
//	@Summary		Hand-off signing keys (JWKS)
//	@Description	The public keys that verify the `applinks_assertion` a link with a signed hand-off adds to its external target: an RFC 7517 key set of Ed25519 keys (kty OKP, crv Ed25519, alg EdDSA, use sig, kid). It holds the active key and every key rotated out within the last 24 hours. The first key is created on first need. Cacheable for 5 minutes; a relying party that meets an unknown kid fetches it again. See docs/handoff.md.
//	@Tags			sso
//	@Produce		json
//	@Success		200	{object}	object	"{\"keys\": [{\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"x\": \"...\", \"kid\": \"...\", \"alg\": \"EdDSA\", \"use\": \"sig\"}]}"
//	@Router			/.well-known/jwks.json [get]
func (h *handoffAPI) jwks(c echo.Context) error {
	data, err := h.handoff.JWKS(c.Request().Context())
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Cache-Control", jwksMaxAge)
	hd.Set("Access-Control-Allow-Origin", "*")
	return c.Blob(http.StatusOK, "application/jwk-set+json", data)
}

// rotateSigningKey replaces the active hand-off signing key.
//
//	@Summary		Rotate the hand-off signing key
//	@Description	Creates a new Ed25519 key that signs every assertion from now on. The old key stays published at /.well-known/jwks.json for 24 hours, so assertions it signed and relying parties' cached key sets stay good; keys rotated out longer ago are deleted. Audited (resource signing_key, action rotate). Needs configure_application_links.
//	@Tags			sso
//	@Produce		json
//	@Security		BearerAuth
//	@Success		200	{object}	SigningKeysAnswer
//	@Failure		401	{object}	ErrorBody
//	@Failure		403	{object}	ErrorBody
//	@Router			/api/v1/signing-keys/rotate [post]
func (h *handoffAPI) rotateSigningKey(c echo.Context) error {
	keys, err := h.handoff.Rotate(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSigningKeys(keys))
}
