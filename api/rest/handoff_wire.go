package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the hand-off endpoints, and their converter from the
// links domain.

// SigningKeysAnswer lists the published signing keys, the active one first.
type SigningKeysAnswer struct {
	Keys []SigningKeyInfo `json:"keys"`
}

// SigningKeyInfo is what staff see of a signing key: never its private half.
type SigningKeyInfo struct {
	KID       string     `json:"kid" example:"Vd2M3Yx8Qh1bOq6m5oZ5sQ4XJ9uB2lq4tYcF0y7bQ2M"`
	Active    bool       `json:"active" example:"true"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at" extensions:"x-nullable"`
}

func toSigningKeys(ks []links.SigningKeyInfo) SigningKeysAnswer {
	out := SigningKeysAnswer{Keys: make([]SigningKeyInfo, len(ks))}
	for i, k := range ks {
		out.Keys[i] = SigningKeyInfo(k)
	}
	return out
}
