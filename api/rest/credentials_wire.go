package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the API credential endpoints, and their converters from
// the links domain.

// CredentialInput creates a trusted application.
type CredentialInput struct {
	Name string `json:"name" example:"Billing portal"`
	// Permissions default to ["create_sso_token"].
	Permissions []string `json:"permissions,omitempty" example:"create_sso_token"`
}

// APICredentialAnswer is a trusted application. Its secret is shown once, when it
// is created, and stored only as a hash.
type APICredentialAnswer struct {
	ID          int64      `json:"id" example:"1"`
	Name        string     `json:"name" example:"Billing portal"`
	Identifier  string     `json:"identifier" example:"ak_3bV9cXq1tT0Wm4Fz"`
	Permissions []string   `json:"permissions" example:"create_sso_token"`
	CreatedBy   int64      `json:"created_by" example:"1"`
	CreatedAt   time.Time  `json:"created_at"`
	LastUsedAt  *time.Time `json:"last_used_at" extensions:"x-nullable"`
	RevokedAt   *time.Time `json:"revoked_at" extensions:"x-nullable"`
}

// NewAPICredentialAnswer is a created API credential with its secret, shown once.
type NewAPICredentialAnswer struct {
	APICredentialAnswer
	Secret string `json:"secret" example:"3Wq0x9...shown only once"`
}

func toCredential(a links.APICredential) APICredentialAnswer {
	a.Permissions = nonNil(a.Permissions)
	return APICredentialAnswer(a)
}

func toCredentials(as []links.APICredential) []APICredentialAnswer {
	out := make([]APICredentialAnswer, len(as))
	for i, a := range as {
		out[i] = toCredential(a)
	}
	return out
}
